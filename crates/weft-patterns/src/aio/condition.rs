//! [`Condition`]: wait for a change, under a lock.

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

use super::lock::{Lock, LockGuard};
use super::wait_list::{wake_all, Notified, OnCancel, WaitList};

/// A condition variable for tasks: Python's `asyncio.Condition`.
///
/// It owns its [`Lock`]. A task takes the lock with
/// [`lock`](Condition::lock), checks its state, and
/// [`wait`](Condition::wait)s: the lock is released while it waits and
/// taken again before `wait` returns. Another task changes the state under
/// the lock and calls [`notify`](Condition::notify) or
/// [`notify_all`](Condition::notify_all).
///
/// For one loop's tasks (not `Send`); share it with `Rc`.
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use std::cell::Cell;
/// use std::rc::Rc;
/// use weft_patterns::aio::{self, Condition};
///
/// aio::run(async {
///     let cond = Rc::new(Condition::new().named("stock"));
///     let stock = Rc::new(Cell::new(0));
///     let (c, s) = (cond.clone(), stock.clone());
///     let buyer = aio::create_task(async move {
///         let guard = c.lock().await;
///         let _guard = c.wait_for(guard, || s.get() > 0).await;
///         s.set(s.get() - 1);
///     });
///     aio::yield_now().await;
///     {
///         let _guard = cond.lock().await;
///         stock.set(1);
///         cond.notify(1);
///     }
///     buyer.await.unwrap();
///     assert_eq!(stock.get(), 0);
/// });
/// # });
/// ```
pub struct Condition {
    lock: Lock,
    waiters: RefCell<WaitList>,
    name: Option<Rc<str>>,
}

impl Condition {
    /// Creates a condition with its own lock.
    pub fn new() -> Self {
        Condition {
            lock: Lock::new(),
            waiters: RefCell::new(WaitList::default()),
            name: None,
        }
    }

    /// Names the condition (and its lock) in deadlock reports.
    #[must_use]
    pub fn named(mut self, name: impl Into<String>) -> Self {
        let name = name.into();
        self.lock = self.lock.named(name.clone());
        self.name = Some(Rc::from(name));
        self
    }

    /// Takes the condition's lock. Same as [`Lock::lock`].
    ///
    /// # Cancel safety
    ///
    /// As [`Lock::lock`].
    pub async fn lock(&self) -> LockGuard<'_> {
        self.lock.lock().await
    }

    /// Whether the condition's lock is held.
    pub fn locked(&self) -> bool {
        self.lock.locked()
    }

    /// Releases the lock, waits until notified, then takes the lock again
    /// and returns it.
    ///
    /// # Panics
    ///
    /// When `guard` holds another lock than this condition's.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future while it waits for a notification gives a
    /// notification it was handed to the next waiter; the lock is not held
    /// again then (unlike Python, which re-acquires it even on
    /// cancellation, a dropped Rust future cannot wait).
    pub async fn wait<'a>(&'a self, guard: LockGuard<'a>) -> LockGuard<'a> {
        assert!(
            guard.lock().same_as(&self.lock),
            "Condition::wait was given the guard of another lock"
        );
        // No other task runs between releasing the lock and the first poll
        // of `Notified` (which registers us): no notification is missed.
        drop(guard);
        Notified::new(
            &self.waiters,
            "Condition.wait",
            self.name.as_ref(),
            OnCancel::PassOn,
        )
        .await;
        self.lock.lock().await
    }

    /// Waits until `predicate` holds, checking it under the lock first and
    /// after every notification (Python's `wait_for`).
    ///
    /// # Panics
    ///
    /// As [`Condition::wait`].
    ///
    /// # Cancel safety
    ///
    /// As [`Condition::wait`].
    pub async fn wait_for<'a>(
        &'a self,
        mut guard: LockGuard<'a>,
        mut predicate: impl FnMut() -> bool,
    ) -> LockGuard<'a> {
        while !predicate() {
            guard = self.wait(guard).await;
        }
        guard
    }

    /// Wakes up to `n` waiting tasks.
    ///
    /// # Panics
    ///
    /// When the lock is not held (Python raises `RuntimeError`).
    pub fn notify(&self, n: usize) {
        assert!(self.lock.locked(), "cannot notify on an un-acquired lock");
        let woken: Vec<_> = {
            let mut waiters = self.waiters.borrow_mut();
            std::iter::from_fn(|| waiters.notify_one())
                .take(n)
                .collect()
        };
        wake_all(woken);
    }

    /// Wakes every waiting task.
    ///
    /// # Panics
    ///
    /// When the lock is not held.
    pub fn notify_all(&self) {
        assert!(self.lock.locked(), "cannot notify on an un-acquired lock");
        let woken = self.waiters.borrow_mut().notify_all();
        wake_all(woken);
    }
}

impl Default for Condition {
    fn default() -> Self {
        Condition::new()
    }
}

impl fmt::Debug for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Condition")
            .field("name", &self.name)
            .field("locked", &self.lock.locked())
            .finish()
    }
}
