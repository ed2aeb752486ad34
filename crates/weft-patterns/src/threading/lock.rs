//! Python's `threading.Lock`.

use std::fmt;
use std::sync::PoisonError;

use weft_sync::sync::{Condvar, Mutex};
use weft_sync::time::Duration;

use weft_sync::time::Deadline;

use super::teardown;
use super::ReleaseError;
use crate::timed_wait::{notify_counted, wait_until_counted, Wake};

/// A lock that is either locked or unlocked, owned by no thread. Same as
/// Python's `threading.Lock`.
///
/// Unlike a [`Mutex`] it guards no data: like Python code, the data it
/// protects lives elsewhere (atomics, another cell) by convention.
///
/// # Misuse
///
/// - Releasing an unlocked lock returns [`ReleaseError::Unlocked`] and
///   changes nothing.
/// - The lock is not re-entrant: a thread that acquires it twice without a
///   release blocks forever (a checker reports a deadlock). Use
///   [`RLock`](super::RLock) for re-entrance.
/// - Any thread may release it, as in Python: a [`LockGuard`] releases on
///   drop whoever acquired the lock since, so do not mix a guard with
///   explicit [`Lock::release`] calls.
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use std::time::Duration;
/// use weft_patterns::threading::Lock;
///
/// let lock = Lock::new().named("table");
/// assert!(lock.acquire(true, None));
/// assert!(!lock.acquire(false, None)); // held: a non-blocking try fails
/// assert!(!lock.acquire(true, Some(Duration::from_millis(1)))); // times out
/// lock.release().unwrap();
/// {
///     let _guard = lock.lock(); // released at the end of the scope
///     assert!(lock.locked());
/// }
/// assert!(!lock.locked());
/// # });
/// ```
pub struct Lock {
    /// Never locked: the lock as the lock-order graph sees it, held from
    /// `acquire` to `release` (its own class, apart from `locked`, which
    /// the lock's operations take briefly, also under a condition's
    /// internal lock).
    order: Mutex<()>,
    locked: Mutex<State>,
    unlocked: Condvar,
}

/// Whether the lock is held, and how many threads wait for it: a release
/// notifies only when one does. A notification nobody waits for is still
/// a step on the condition variable, which a checker orders against every
/// wait on it.
#[derive(Clone, Copy, Debug, Default)]
struct State {
    locked: bool,
    waiting: usize,
}

impl Lock {
    /// Creates an unlocked lock.
    #[track_caller]
    pub fn new() -> Self {
        Lock {
            order: Mutex::new(()),
            locked: Mutex::new(State::default()),
            unlocked: Condvar::new(),
        }
    }

    /// Names the lock in failure reports (its internal mutex and condition
    /// variable take this name); a no-op in std mode.
    #[must_use]
    pub fn named(self, name: impl Into<String>) -> Self {
        let name = name.into();
        Lock {
            order: self.order.named(name.clone()),
            locked: self.locked.named(name.clone()),
            unlocked: self.unlocked.named(name),
        }
    }

    /// Acquires the lock: Python's `acquire(blocking, timeout)`. Blocks until
    /// the lock is free when `blocking`, for at most `timeout` if given;
    /// returns whether it was acquired.
    ///
    /// # Panics
    ///
    /// When `blocking` is false and a timeout is given (Python raises
    /// `ValueError`).
    #[track_caller]
    pub fn acquire(&self, blocking: bool, timeout: Option<Duration>) -> bool {
        let deadline = acquire_deadline(blocking, timeout);
        self.acquire_until(deadline)
    }

    #[track_caller]
    pub(crate) fn acquire_until(&self, deadline: Deadline) -> bool {
        let mut state = self.locked.lock().unwrap_or_else(PoisonError::into_inner);
        let mut expired = false;
        loop {
            if !state.locked {
                state.locked = true;
                drop(state);
                // Held with no guard: the lock-order graph is told. One
                // that can time out cannot wait forever: no edge.
                weft_sync::lockdep::hold(&self.order, deadline.instant().is_some());
                return true;
            }
            if expired {
                return false;
            }
            (state, expired) =
                wait_until_counted(&self.unlocked, state, &deadline, |s| &mut s.waiting);
        }
    }

    /// Releases the lock; any thread may release it, as in Python.
    ///
    /// # Errors
    ///
    /// [`ReleaseError::Unlocked`] when the lock is not held.
    #[track_caller]
    pub fn release(&self) -> Result<(), ReleaseError> {
        let mut state = self.locked.lock().unwrap_or_else(PoisonError::into_inner);
        if !state.locked {
            return Err(ReleaseError::Unlocked);
        }
        state.locked = false;
        weft_sync::lockdep::unhold(&self.order);
        notify_counted(&self.unlocked, state.waiting, state, Wake::One);
        Ok(())
    }

    /// Whether the lock is held (by any thread).
    #[track_caller]
    pub fn locked(&self) -> bool {
        self.locked
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .locked
    }

    /// Acquires the lock, blocking until it is free; the guard releases it
    /// when dropped (Python's `with lock:`).
    #[track_caller]
    pub fn lock(&self) -> LockGuard<'_> {
        self.acquire_until(Deadline::never());
        LockGuard { lock: self }
    }

    /// Acquires the lock if it is free, without blocking.
    #[track_caller]
    pub fn try_lock(&self) -> Option<LockGuard<'_>> {
        self.acquire_until(Deadline::now())
            .then(|| LockGuard { lock: self })
    }

    /// Acquires the lock, waiting for at most `timeout`.
    #[track_caller]
    pub fn lock_timeout(&self, timeout: Duration) -> Option<LockGuard<'_>> {
        self.acquire_until(Deadline::after(Some(timeout)))
            .then(|| LockGuard { lock: self })
    }
}

impl Default for Lock {
    #[track_caller]
    fn default() -> Self {
        Lock::new()
    }
}

impl fmt::Debug for Lock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lock")
            .field("locked", &self.locked())
            .finish()
    }
}

/// A held [`Lock`]; dropping it releases the lock.
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct LockGuard<'a> {
    lock: &'a Lock,
}

impl Drop for LockGuard<'_> {
    fn drop(&mut self) {
        if teardown::unwinding_in_a_model() {
            return;
        }
        // Unlocked already only if someone released the guarded lock
        // explicitly, which the type documents as misuse; nothing to undo.
        let _ = self.lock.release();
    }
}

impl fmt::Debug for LockGuard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LockGuard").finish_non_exhaustive()
    }
}

/// The deadline of Python's `acquire(blocking, timeout)`.
///
/// # Panics
///
/// When `blocking` is false and a timeout is given, as Python raises
/// `ValueError` for it.
#[track_caller]
pub(crate) fn acquire_deadline(blocking: bool, timeout: Option<Duration>) -> Deadline {
    assert!(
        blocking || timeout.is_none(),
        "can't specify a timeout for a non-blocking call"
    );
    if blocking {
        Deadline::after(timeout)
    } else {
        Deadline::now()
    }
}
