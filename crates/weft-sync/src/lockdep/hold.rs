use crate::record::Loc;
use crate::sync::Mutex;

/// Tells the lock-order graph that the current thread now holds the lock
/// of a primitive built on `lock` (the internal mutex of
/// `weft::threading::Lock` or `RLock`, whose holder keeps no guard):
/// acquisitions while it is held order after it, as for a guard. A
/// `tried` acquisition (non-blocking, or with a timeout: it cannot wait
/// forever) adds no edge. Call it after releasing the internal guard;
/// does nothing outside a checker run without the `lockdep` feature.
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use weft_sync::lockdep;
/// use weft_sync::sync::Mutex;
///
/// // A flag lock: held while the flag is set, no guard kept.
/// let flag = Mutex::new(false).named("flag");
/// *flag.lock().unwrap() = true;
/// lockdep::hold(&flag, false);
/// // ... code that runs while holding it ...
/// *flag.lock().unwrap() = false;
/// lockdep::unhold(&flag);
/// # });
/// ```
#[track_caller]
pub fn hold<T>(lock: &Mutex<T>, tried: bool) {
    crate::backend::lock_order_hold(lock, Loc::caller(), tried);
}

/// The lock of a primitive built on `lock` is released, by the current
/// thread or, as Python's `threading.Lock` allows, by another one: the
/// thread that [`hold`] it no longer does.
pub fn unhold<T>(lock: &Mutex<T>) {
    crate::backend::lock_order_unhold(lock);
}
