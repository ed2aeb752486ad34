//! Python's `threading.RLock`.

use std::fmt;
use std::marker::PhantomData;
use std::sync::PoisonError;

use weft_sync::sync::{Condvar, Mutex};
use weft_sync::thread::{self, ThreadId};
use weft_sync::time::Duration;

use weft_sync::time::Deadline;

use super::lock::acquire_deadline;
use super::teardown;
use super::ReleaseError;
use crate::timed_wait::{notify_counted, wait_until_counted, Wake};

/// Who holds an [`RLock`], and how many times.
#[derive(Clone, Copy, Debug)]
struct Ownership {
    owner: Option<ThreadId>,
    count: usize,
    /// Threads waiting for it: a release notifies only when one does (a
    /// notification nobody waits for is still a step a checker orders
    /// against every wait).
    waiting: usize,
}

/// What [`RLock::release_save`] took away, for [`RLock::acquire_restore`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct SavedRecursion(usize);

/// A re-entrant lock: the thread that holds it may acquire it again, and
/// must release it as many times as it acquired it. Same as Python's
/// `threading.RLock`.
///
/// The owner is tracked by [`weft_sync::thread::current`]'s id, so under a
/// checker each model thread is its own owner.
///
/// # Misuse
///
/// - [`RLock::release`] by a thread that does not hold the lock returns
///   [`ReleaseError::NotOwner`] (or [`ReleaseError::Unlocked`] when nobody
///   holds it) and changes nothing.
/// - [`RLockGuard`] is not `Send`: it must be dropped on the thread that
///   acquired the lock.
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use weft_patterns::threading::{RLock, ReleaseError};
/// use weft_sync::thread;
///
/// let lock = RLock::new().named("registry");
/// assert!(lock.acquire(true, None));
/// assert!(lock.acquire(true, None)); // re-entered by its owner
/// thread::scope(|s| {
///     s.spawn(|| assert_eq!(lock.release(), Err(ReleaseError::NotOwner)));
/// });
/// lock.release().unwrap();
/// lock.release().unwrap();
/// assert_eq!(lock.release(), Err(ReleaseError::Unlocked));
/// # });
/// ```
pub struct RLock {
    /// Never locked: the lock as the lock-order graph sees it (see
    /// `Lock::order`).
    order: Mutex<()>,
    state: Mutex<Ownership>,
    released: Condvar,
}

impl RLock {
    /// Creates an unlocked re-entrant lock.
    #[track_caller]
    pub fn new() -> Self {
        RLock {
            order: Mutex::new(()),
            state: Mutex::new(Ownership {
                owner: None,
                count: 0,
                waiting: 0,
            }),
            released: Condvar::new(),
        }
    }

    /// Names the lock in failure reports; a no-op in std mode.
    #[must_use]
    pub fn named(self, name: impl Into<String>) -> Self {
        let name = name.into();
        RLock {
            order: self.order.named(name.clone()),
            state: self.state.named(name.clone()),
            released: self.released.named(name),
        }
    }

    /// Acquires the lock: Python's `acquire(blocking, timeout)`. Returns at
    /// once when the current thread holds it already (one more level);
    /// otherwise waits like [`Lock::acquire`](super::Lock::acquire). Returns
    /// whether it was acquired.
    ///
    /// # Panics
    ///
    /// When `blocking` is false and a timeout is given (Python raises
    /// `ValueError`).
    #[track_caller]
    pub fn acquire(&self, blocking: bool, timeout: Option<Duration>) -> bool {
        let deadline = acquire_deadline(blocking, timeout);
        self.acquire_levels(1, deadline)
    }

    #[track_caller]
    fn acquire_levels(&self, levels: usize, deadline: Deadline) -> bool {
        let me = thread::current().id();
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let mut expired = false;
        loop {
            match state.owner {
                None => {
                    state.owner = Some(me);
                    state.count = levels;
                    drop(state);
                    // Held with no guard: the lock-order graph is told
                    // (re-entrant levels add nothing). One that can time
                    // out cannot wait forever: no edge.
                    weft_sync::lockdep::hold(&self.order, deadline.instant().is_some());
                    return true;
                }
                Some(owner) if owner == me => {
                    state.count += levels;
                    return true;
                }
                Some(_) if expired => return false,
                Some(_) => {
                    (state, expired) =
                        wait_until_counted(&self.released, state, &deadline, |s| &mut s.waiting);
                }
            }
        }
    }

    /// Releases one level; the lock is free again when its owner has
    /// released every level it acquired.
    ///
    /// # Errors
    ///
    /// [`ReleaseError::Unlocked`] when nobody holds the lock,
    /// [`ReleaseError::NotOwner`] when another thread does.
    #[track_caller]
    pub fn release(&self) -> Result<(), ReleaseError> {
        let me = thread::current().id();
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        match state.owner {
            None => Err(ReleaseError::Unlocked),
            Some(owner) if owner != me => Err(ReleaseError::NotOwner),
            Some(_) => {
                state.count -= 1;
                if state.count == 0 {
                    state.owner = None;
                    weft_sync::lockdep::unhold(&self.order);
                    notify_counted(&self.released, state.waiting, state, Wake::One);
                }
                Ok(())
            }
        }
    }

    /// Whether the current thread holds the lock.
    #[track_caller]
    pub fn is_owned(&self) -> bool {
        let me = thread::current().id();
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.owner == Some(me)
    }

    /// Releases every level the current thread holds (a condition's wait).
    ///
    /// # Errors
    ///
    /// As [`RLock::release`]: the current thread must hold the lock.
    #[track_caller]
    pub(crate) fn release_save(&self) -> Result<SavedRecursion, ReleaseError> {
        let me = thread::current().id();
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        match state.owner {
            None => Err(ReleaseError::Unlocked),
            Some(owner) if owner != me => Err(ReleaseError::NotOwner),
            Some(_) => {
                let saved = SavedRecursion(state.count);
                state.owner = None;
                state.count = 0;
                weft_sync::lockdep::unhold(&self.order);
                notify_counted(&self.released, state.waiting, state, Wake::One);
                Ok(saved)
            }
        }
    }

    /// Re-acquires the levels [`RLock::release_save`] released, blocking.
    #[track_caller]
    pub(crate) fn acquire_restore(&self, saved: SavedRecursion) {
        self.acquire_levels(saved.0, Deadline::never());
    }

    /// Acquires the lock, blocking; the guard releases one level when
    /// dropped (Python's `with rlock:`).
    #[track_caller]
    pub fn lock(&self) -> RLockGuard<'_> {
        self.acquire_levels(1, Deadline::never());
        RLockGuard::new(self)
    }

    /// Acquires the lock if it is free or already held by this thread,
    /// without blocking.
    #[track_caller]
    pub fn try_lock(&self) -> Option<RLockGuard<'_>> {
        self.acquire_levels(1, Deadline::now())
            .then(|| RLockGuard::new(self))
    }

    /// Acquires the lock, waiting for at most `timeout`.
    #[track_caller]
    pub fn lock_timeout(&self, timeout: Duration) -> Option<RLockGuard<'_>> {
        self.acquire_levels(1, Deadline::after(Some(timeout)))
            .then(|| RLockGuard::new(self))
    }
}

impl Default for RLock {
    #[track_caller]
    fn default() -> Self {
        RLock::new()
    }
}

impl fmt::Debug for RLock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = *self.state.lock().unwrap_or_else(PoisonError::into_inner);
        f.debug_struct("RLock")
            .field("owner", &state.owner)
            .field("count", &state.count)
            .finish()
    }
}

/// One level of a held [`RLock`]; dropping it releases that level. Not
/// `Send`: only the owner can release.
#[must_use = "the level is released as soon as the guard is dropped"]
pub struct RLockGuard<'a> {
    lock: &'a RLock,
    _not_send: PhantomData<*const ()>,
}

impl<'a> RLockGuard<'a> {
    fn new(lock: &'a RLock) -> Self {
        RLockGuard {
            lock,
            _not_send: PhantomData,
        }
    }
}

impl Drop for RLockGuard<'_> {
    fn drop(&mut self) {
        if teardown::unwinding_in_a_model() {
            return;
        }
        // The guard never leaves its thread and holds one level, so the
        // release succeeds unless the level was released explicitly too.
        let _ = self.lock.release();
    }
}

impl fmt::Debug for RLockGuard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RLockGuard").finish_non_exhaustive()
    }
}
