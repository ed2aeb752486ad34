//! [`Lock`]: mutual exclusion between tasks.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::rc::Rc;

use super::wait_list::{Notified, OnCancel, Release, WaitList};

/// A lock held across `.await`s by one task at a time: Python's
/// `asyncio.Lock`.
///
/// Fair: waiting tasks get the lock in arrival order, handed over on
/// release, and a task that asks while others wait queues behind them.
/// The lock is released when its [`LockGuard`] drops.
///
/// For one loop's tasks (not `Send`); share it with `Rc`.
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use std::cell::Cell;
/// use std::rc::Rc;
/// use weft_patterns::aio::{self, Lock};
///
/// aio::run(async {
///     let lock = Rc::new(Lock::new().named("balance"));
///     let balance = Rc::new(Cell::new(100));
///     let tasks: Vec<_> = (0..2)
///         .map(|_| {
///             let (lock, balance) = (lock.clone(), balance.clone());
///             aio::create_task(async move {
///                 let _held = lock.lock().await;
///                 if balance.get() >= 80 {
///                     aio::yield_now().await; // another task runs, but cannot enter
///                     balance.set(balance.get() - 80);
///                 }
///             })
///         })
///         .collect();
///     aio::gather(tasks).await;
///     assert_eq!(balance.get(), 20);
/// });
/// # });
/// ```
pub struct Lock {
    locked: Cell<bool>,
    waiters: RefCell<WaitList>,
    name: Option<Rc<str>>,
}

impl Lock {
    /// Creates an unlocked lock.
    pub fn new() -> Self {
        Lock {
            locked: Cell::new(false),
            waiters: RefCell::new(WaitList::default()),
            name: None,
        }
    }

    /// Names the lock in deadlock reports.
    #[must_use]
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = Some(Rc::from(name.into()));
        self
    }

    /// Whether some task holds the lock.
    pub fn locked(&self) -> bool {
        self.locked.get()
    }

    /// Takes the lock, waiting for it as long as needed (Python's
    /// `async with lock`).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a task dropped while waiting loses its place, and a
    /// lock handed to it in that moment passes to the next waiter.
    pub async fn lock(&self) -> LockGuard<'_> {
        if let Some(guard) = self.try_lock() {
            return guard;
        }
        Notified::new(
            &self.waiters,
            "Lock.lock",
            self.name.as_ref(),
            OnCancel::Release(self),
        )
        .await;
        // Handed over: `locked` stayed true for us.
        LockGuard { lock: self }
    }

    /// Takes the lock if it is free and nobody waits for it.
    pub fn try_lock(&self) -> Option<LockGuard<'_>> {
        if self.locked.get() || self.waiters.borrow().has_waiting() {
            return None;
        }
        self.locked.set(true);
        Some(LockGuard { lock: self })
    }

    pub(crate) fn same_as(&self, other: &Lock) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Release for Lock {
    /// Hands the lock to the first waiter, or unlocks it.
    fn release(&self) {
        let next = self.waiters.borrow_mut().notify_one();
        match next {
            Some(w) => w.wake(),
            None => self.locked.set(false),
        }
    }
}

impl Default for Lock {
    fn default() -> Self {
        Lock::new()
    }
}

impl fmt::Debug for Lock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lock")
            .field("name", &self.name)
            .field("locked", &self.locked.get())
            .finish()
    }
}

/// Holds a [`Lock`]; dropping it releases the lock.
#[must_use = "the lock is released when the guard drops"]
pub struct LockGuard<'a> {
    lock: &'a Lock,
}

impl LockGuard<'_> {
    pub(crate) fn lock(&self) -> &Lock {
        self.lock
    }
}

impl Drop for LockGuard<'_> {
    fn drop(&mut self) {
        self.lock.release();
    }
}

impl fmt::Debug for LockGuard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LockGuard")
            .field("lock", &self.lock.name)
            .finish()
    }
}
