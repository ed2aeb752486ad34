/// Runs `f`, whose lock acquisitions are one ordered group: they add no
/// lock-order edges among themselves. `weft::lock_order::lock_all` sorts
/// its locks by rank and address, a global order, though two addresses
/// may sort one way in one execution and the other way in the next: the
/// group keeps that from reading as a cycle. Locks held before the group
/// still order before each lock of it. Outside a checker run (and without
/// the `lockdep` feature) it only runs `f`.
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use weft_sync::lockdep;
/// use weft_sync::sync::Mutex;
///
/// let (a, b) = (Mutex::new(1), Mutex::new(2));
/// let sum = lockdep::ordered(|| *a.lock().unwrap() + *b.lock().unwrap());
/// assert_eq!(sum, 3);
/// # });
/// ```
pub fn ordered<R>(f: impl FnOnce() -> R) -> R {
    let _group = OrderedGroup::begin();
    f()
}

/// [`ordered`] as a guard, for code that must not move its lock calls
/// into a closure (a `#[track_caller]` chain, as `lock_all`'s): the
/// current thread's acquisitions are one ordered group until it drops,
/// also when it drops while unwinding.
#[derive(Debug)]
#[must_use = "the group ends when the guard drops"]
pub struct OrderedGroup {
    /// Whether this guard began the group (an inner one leaves it to the
    /// outermost).
    began: bool,
}

impl OrderedGroup {
    /// Begins the current thread's ordered group (nested groups are one).
    pub fn begin() -> OrderedGroup {
        OrderedGroup {
            began: crate::backend::lock_order_group(true),
        }
    }
}

impl Drop for OrderedGroup {
    fn drop(&mut self) {
        if self.began {
            crate::backend::lock_order_group(false);
        }
    }
}
