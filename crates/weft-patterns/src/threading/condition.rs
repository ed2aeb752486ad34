//! Python's `threading.Condition`.

use std::collections::VecDeque;
use std::fmt;
use std::marker::PhantomData;
use std::sync::{Arc, PoisonError};

use weft_sync::sync::{Condvar, Mutex};
use weft_sync::time::Duration;

use weft_sync::time::Deadline;

use super::rlock::SavedRecursion;
use super::teardown;
use super::{Lock, NotHeldError, RLock, ReleaseError};
use crate::timed_wait::wait_until;

/// The lock a [`Condition`] is bound to: a [`Lock`] or an [`RLock`],
/// shared with the code that uses it directly.
#[derive(Clone, Debug)]
pub enum ConditionLock {
    /// A plain lock.
    Lock(Arc<Lock>),
    /// A re-entrant lock (what [`Condition::new`] creates).
    RLock(Arc<RLock>),
}

impl From<Arc<Lock>> for ConditionLock {
    fn from(lock: Arc<Lock>) -> Self {
        ConditionLock::Lock(lock)
    }
}

impl From<Arc<RLock>> for ConditionLock {
    fn from(lock: Arc<RLock>) -> Self {
        ConditionLock::RLock(lock)
    }
}

/// What a wait released, to be re-acquired.
enum Saved {
    Lock,
    RLock(SavedRecursion),
}

impl ConditionLock {
    #[track_caller]
    fn acquire(&self, blocking: bool, timeout: Option<Duration>) -> bool {
        match self {
            ConditionLock::Lock(l) => l.acquire(blocking, timeout),
            ConditionLock::RLock(l) => l.acquire(blocking, timeout),
        }
    }

    #[track_caller]
    fn release(&self) -> Result<(), ReleaseError> {
        match self {
            ConditionLock::Lock(l) => l.release(),
            ConditionLock::RLock(l) => l.release(),
        }
    }

    /// Python's `_is_owned`: an `RLock` held by this thread, or a `Lock`
    /// held by anyone (a plain lock has no owner to ask).
    #[track_caller]
    fn is_held(&self) -> bool {
        match self {
            ConditionLock::Lock(l) => l.locked(),
            ConditionLock::RLock(l) => l.is_owned(),
        }
    }

    #[track_caller]
    fn release_save(&self) -> Result<Saved, ReleaseError> {
        match self {
            ConditionLock::Lock(l) => l.release().map(|()| Saved::Lock),
            ConditionLock::RLock(l) => l.release_save().map(Saved::RLock),
        }
    }

    #[track_caller]
    fn acquire_restore(&self, saved: Saved) {
        match (self, saved) {
            (ConditionLock::Lock(l), _) => {
                l.acquire_until(Deadline::never());
            }
            (ConditionLock::RLock(l), Saved::RLock(levels)) => l.acquire_restore(levels),
            (ConditionLock::RLock(l), Saved::Lock) => {
                l.acquire(true, None);
            }
        }
    }
}

/// The threads waiting on a condition, in arrival order, each with the
/// condition variable it sleeps on, and those a notification has chosen
/// but that have not woken yet.
///
/// A condition variable of its own for each waiter: a notification wakes
/// the threads it chooses and no other. One shared by all had to be
/// notified to all, and every waiter woke, took the waiters' lock, found
/// it was not chosen and slept again, steps a checker ordered against
/// every other step on that lock (a first model of `notify(1)` on two
/// waiters ran more than a million executions).
#[derive(Debug, Default)]
struct Waiters {
    next_ticket: u64,
    waiting: VecDeque<(u64, Arc<Condvar>)>,
    notified: Vec<u64>,
}

impl Waiters {
    /// Takes `ticket`'s notification, if it has one.
    fn take_notification(&mut self, ticket: u64) -> bool {
        match self.notified.iter().position(|&t| t == ticket) {
            Some(i) => {
                self.notified.swap_remove(i);
                true
            }
            None => false,
        }
    }
}

/// A condition variable bound to a lock. Same as Python's
/// `threading.Condition`: a thread holding the lock waits until another
/// thread holding the lock notifies it.
///
/// Unlike a [`weft_sync::sync::Condvar`], a notification is never lost on a
/// thread that has not woken yet, and no wakeup is spurious: [`wait`]
/// returns `true` exactly when this thread was notified. `notify(n)` wakes
/// the `n` longest-waiting threads.
///
/// [`wait`]: Condition::wait
///
/// # Misuse
///
/// [`Condition::wait`], [`Condition::wait_for`], [`Condition::notify`] and
/// [`Condition::notify_all`] return [`NotHeldError`] when the calling thread
/// does not hold the lock (for a plain [`Lock`], which has no owner: when
/// nobody holds it), and then do nothing. The [`ConditionGuard`] methods
/// cannot fail.
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use weft_patterns::threading::Condition;
/// use weft_sync::sync::Arc;
/// use weft_sync::thread;
///
/// let cond = Arc::new(Condition::new().named("items"));
/// let items = Arc::new(AtomicUsize::new(0)); // guarded by cond's lock
/// let (c, i) = (Arc::clone(&cond), Arc::clone(&items));
/// let producer = thread::spawn(move || {
///     let guard = c.lock();
///     i.store(1, Ordering::Relaxed);
///     guard.notify(1);
/// });
/// let guard = cond.lock();
/// assert!(guard.wait_for(|| items.load(Ordering::Relaxed) == 1, None));
/// drop(guard);
/// producer.join().unwrap();
/// # });
/// ```
pub struct Condition {
    lock: ConditionLock,
    waiters: Mutex<Waiters>,
    /// The name its waiters' condition variables take (see `named`).
    name: Option<String>,
}

impl Condition {
    /// A condition with its own [`RLock`], as Python's default.
    #[track_caller]
    pub fn new() -> Self {
        Condition::with_lock(Arc::new(RLock::new()))
    }

    /// A condition bound to an existing [`Lock`] or [`RLock`].
    ///
    /// ```
    /// # weft_sync::explore::doc_example(|| {
    /// use std::sync::Arc;
    /// use weft_patterns::threading::{Condition, Lock};
    ///
    /// let lock = Arc::new(Lock::new());
    /// let cond = Condition::with_lock(Arc::clone(&lock));
    /// let guard = cond.lock();
    /// assert!(lock.locked());
    /// drop(guard);
    /// # });
    /// ```
    #[track_caller]
    pub fn with_lock(lock: impl Into<ConditionLock>) -> Self {
        Condition {
            lock: lock.into(),
            waiters: Mutex::new(Waiters::default()),
            name: None,
        }
    }

    /// Names the condition in failure reports; a no-op in std mode. Its
    /// own lock (from [`Condition::new`]) takes the name too; a lock shared
    /// through [`Condition::with_lock`] keeps its own.
    #[must_use]
    pub fn named(self, name: impl Into<String>) -> Self {
        let name = name.into();
        let lock = match self.lock {
            ConditionLock::RLock(shared) => match Arc::try_unwrap(shared) {
                Ok(own) => ConditionLock::RLock(Arc::new(own.named(name.clone()))),
                Err(shared) => ConditionLock::RLock(shared),
            },
            lock => lock,
        };
        Condition {
            lock,
            waiters: self.waiters.named(name.clone()),
            name: Some(name),
        }
    }

    /// The lock this condition is bound to.
    pub fn bound_lock(&self) -> &ConditionLock {
        &self.lock
    }

    /// Acquires the bound lock (Python's `Condition.acquire`).
    ///
    /// # Panics
    ///
    /// When `blocking` is false and a timeout is given.
    #[track_caller]
    pub fn acquire(&self, blocking: bool, timeout: Option<Duration>) -> bool {
        self.lock.acquire(blocking, timeout)
    }

    /// Releases the bound lock (Python's `Condition.release`).
    ///
    /// # Errors
    ///
    /// As the bound lock's `release`.
    #[track_caller]
    pub fn release(&self) -> Result<(), ReleaseError> {
        self.lock.release()
    }

    /// Acquires the bound lock, blocking; the guard releases it when
    /// dropped and offers the infallible wait and notify methods.
    #[track_caller]
    pub fn lock(&self) -> ConditionGuard<'_> {
        self.lock.acquire(true, None);
        ConditionGuard {
            cond: self,
            _not_send: PhantomData,
        }
    }

    /// Releases the lock, waits until notified or until `timeout` passes,
    /// then re-acquires the lock (all its levels, for an [`RLock`]).
    /// Returns whether this thread was notified (`false`: timed out).
    ///
    /// # Errors
    ///
    /// [`NotHeldError`] when the calling thread does not hold the lock.
    #[track_caller]
    pub fn wait(&self, timeout: Option<Duration>) -> Result<bool, NotHeldError> {
        self.wait_until(Deadline::after(timeout))
    }

    #[track_caller]
    fn wait_until(&self, deadline: Deadline) -> Result<bool, NotHeldError> {
        let mut waiters = self.waiters.lock().unwrap_or_else(PoisonError::into_inner);
        // Holding `waiters` while releasing the bound lock is safe: nothing
        // takes `waiters` while it waits for the bound lock's state.
        let saved = self.lock.release_save().map_err(|_| NotHeldError)?;
        let ticket = waiters.next_ticket;
        waiters.next_ticket += 1;
        let wakeup = Condvar::new();
        let wakeup = Arc::new(match &self.name {
            Some(name) => wakeup.named(name.clone()),
            None => wakeup,
        });
        waiters.waiting.push_back((ticket, Arc::clone(&wakeup)));
        let mut expired = false;
        let notified = loop {
            if waiters.take_notification(ticket) {
                break true;
            }
            if expired {
                waiters.waiting.retain(|(t, _)| *t != ticket);
                break false;
            }
            (waiters, expired) = wait_until(&wakeup, waiters, &deadline);
        };
        drop(waiters);
        self.lock.acquire_restore(saved);
        Ok(notified)
    }

    /// Waits until `predicate` holds, for at most `timeout` in total, and
    /// returns its last value. The predicate is called with the lock held,
    /// first before any wait.
    ///
    /// # Errors
    ///
    /// [`NotHeldError`] when the calling thread does not hold the lock (the
    /// predicate is not called).
    #[track_caller]
    pub fn wait_for(
        &self,
        predicate: impl FnMut() -> bool,
        timeout: Option<Duration>,
    ) -> Result<bool, NotHeldError> {
        if !self.lock.is_held() {
            return Err(NotHeldError);
        }
        self.wait_for_held(predicate, timeout)
    }

    /// [`Condition::wait_for`] once the lock is known to be held (a
    /// [`ConditionGuard`]'s): asking the lock again is one more step on it
    /// that a checker orders against every other.
    #[track_caller]
    fn wait_for_held(
        &self,
        mut predicate: impl FnMut() -> bool,
        timeout: Option<Duration>,
    ) -> Result<bool, NotHeldError> {
        let deadline = Deadline::after(timeout);
        loop {
            if predicate() {
                return Ok(true);
            }
            if deadline.is_expired() || !self.wait_until(deadline)? {
                return Ok(predicate());
            }
        }
    }

    /// Wakes up to `n` of the waiting threads, longest-waiting first.
    ///
    /// # Errors
    ///
    /// [`NotHeldError`] when the calling thread does not hold the lock.
    #[track_caller]
    pub fn notify(&self, n: usize) -> Result<(), NotHeldError> {
        if !self.lock.is_held() {
            return Err(NotHeldError);
        }
        self.notify_held(n);
        Ok(())
    }

    /// Wakes every waiting thread.
    ///
    /// # Errors
    ///
    /// [`NotHeldError`] when the calling thread does not hold the lock.
    #[track_caller]
    pub fn notify_all(&self) -> Result<(), NotHeldError> {
        self.notify(usize::MAX)
    }

    #[track_caller]
    fn notify_held(&self, n: usize) {
        let mut waiters = self.waiters.lock().unwrap_or_else(PoisonError::into_inner);
        let chosen = n.min(waiters.waiting.len());
        if chosen == 0 {
            return;
        }
        let woken: Vec<_> = waiters.waiting.drain(..chosen).collect();
        waiters
            .notified
            .extend(woken.iter().map(|(ticket, _)| *ticket));
        drop(waiters);
        // A chosen waiter sleeps until it takes its notification, which
        // is already there: waking it outside the lock loses nothing.
        for (_, wakeup) in woken {
            wakeup.notify_one();
        }
    }
}

impl Default for Condition {
    #[track_caller]
    fn default() -> Self {
        Condition::new()
    }
}

impl fmt::Debug for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let waiting = self
            .waiters
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .waiting
            .len();
        f.debug_struct("Condition")
            .field("lock", &self.lock)
            .field("waiting", &waiting)
            .finish()
    }
}

/// The held lock of a [`Condition`]; dropping it releases the lock. Its
/// wait and notify methods cannot fail, since the lock is held.
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct ConditionGuard<'a> {
    cond: &'a Condition,
    _not_send: PhantomData<*const ()>,
}

impl ConditionGuard<'_> {
    /// [`Condition::wait`] with the lock known to be held.
    #[track_caller]
    pub fn wait(&self, timeout: Option<Duration>) -> bool {
        self.cond.wait(timeout).unwrap_or(false)
    }

    /// [`Condition::wait_for`] with the lock known to be held.
    #[track_caller]
    pub fn wait_for(&self, predicate: impl FnMut() -> bool, timeout: Option<Duration>) -> bool {
        self.cond.wait_for_held(predicate, timeout).unwrap_or(false)
    }

    /// [`Condition::notify`] with the lock known to be held.
    #[track_caller]
    pub fn notify(&self, n: usize) {
        self.cond.notify_held(n);
    }

    /// [`Condition::notify_all`] with the lock known to be held.
    #[track_caller]
    pub fn notify_all(&self) {
        self.cond.notify_held(usize::MAX);
    }
}

impl Drop for ConditionGuard<'_> {
    fn drop(&mut self) {
        if teardown::unwinding_in_a_model() {
            return;
        }
        // Held by this guard since `Condition::lock`: the release succeeds
        // unless the lock was also released explicitly (misuse).
        let _ = self.cond.lock.release();
    }
}

impl fmt::Debug for ConditionGuard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConditionGuard").finish_non_exhaustive()
    }
}
