//! `Mutex` in std mode with the `lockdep` feature: std's mutex, plus its
//! lock class and creation line, and a guard that tells the lock-order
//! graph when it is released (see `lockdep.rs`). Not the std layout: the
//! feature is for finding lock-order bugs, not for production builds.

use std::fmt;
use std::mem::ManuallyDrop;
use std::ops::{Deref, DerefMut};
use std::sync::{LockResult, PoisonError, TryLockError, TryLockResult};

use super::lockdep;
use crate::record::Loc;

/// A mutual exclusion lock. Same as [`std::sync::Mutex`]; with the
/// `lockdep` feature every acquisition feeds the process's lock-order
/// graph (`weft_sync::lockdep`).
///
/// # Examples
///
/// ```
/// use weft_sync::sync::{Arc, Mutex};
///
/// let counter = Arc::new(Mutex::new(0).named("counter"));
/// *counter.lock().unwrap() += 1;
/// assert_eq!(*counter.lock().unwrap(), 1);
/// ```
pub struct Mutex<T> {
    class: usize,
    created_at: Loc,
    inner: std::sync::Mutex<T>,
}

/// The guard of a locked [`Mutex`]. Same as [`std::sync::MutexGuard`].
pub struct MutexGuard<'a, T> {
    inner: ManuallyDrop<std::sync::MutexGuard<'a, T>>,
    class: usize,
}

impl<T> Mutex<T> {
    /// Creates a new unlocked mutex holding `value`.
    #[inline]
    #[track_caller]
    pub fn new(value: T) -> Self {
        Mutex {
            class: lockdep::new_class(),
            created_at: Loc::caller(),
            inner: std::sync::Mutex::new(value),
        }
    }

    /// Names the mutex in lock-order reports (`fork[0]`).
    #[must_use]
    pub fn named(self, name: impl Into<String>) -> Self {
        lockdep::name(self.class, name.into());
        self
    }

    /// Names one element of an array of primitives in reports:
    /// `named_indexed("slot", 3)` is `slot[3]`.
    #[must_use]
    pub fn named_indexed(self, name: &str, index: usize) -> Self {
        self.named(format!("{name}[{index}]"))
    }

    /// Acquires the lock, blocking until it is free. Same as [`std::sync::Mutex::lock`].
    ///
    /// # Errors
    ///
    /// A poisoned lock (a holder panicked) returns the guard inside the error.
    ///
    /// # Panics
    ///
    /// When this acquisition closes a cycle of the lock-order graph (the
    /// default policy), with both paths.
    #[inline]
    #[track_caller]
    pub fn lock(&self) -> LockResult<MutexGuard<'_, T>> {
        let at = Loc::caller();
        let result = self.inner.lock();
        lockdep::acquired(self.class, self.created_at, at, false);
        self.wrap(result)
    }

    /// Acquires the lock if it is free. Same as [`std::sync::Mutex::try_lock`];
    /// it never blocks, so it adds no lock-order edge.
    ///
    /// # Errors
    ///
    /// `WouldBlock` when the lock is held, `Poisoned` when a holder panicked.
    #[inline]
    #[track_caller]
    pub fn try_lock(&self) -> TryLockResult<MutexGuard<'_, T>> {
        let at = Loc::caller();
        let guard = match self.inner.try_lock() {
            Ok(g) => Ok(g),
            Err(TryLockError::WouldBlock) => return Err(TryLockError::WouldBlock),
            Err(TryLockError::Poisoned(p)) => Err(p),
        };
        lockdep::acquired(self.class, self.created_at, at, true);
        self.wrap(guard).map_err(TryLockError::Poisoned)
    }

    #[inline]
    fn wrap<'a>(
        &self,
        result: LockResult<std::sync::MutexGuard<'a, T>>,
    ) -> LockResult<MutexGuard<'a, T>> {
        let class = self.class;
        match result {
            Ok(g) => Ok(MutexGuard {
                inner: ManuallyDrop::new(g),
                class,
            }),
            Err(p) => Err(PoisonError::new(MutexGuard {
                inner: ManuallyDrop::new(p.into_inner()),
                class,
            })),
        }
    }

    /// `lockdep::hold`: the current thread holds what is built on it.
    pub(super) fn lockdep_hold(&self, at: Loc, tried: bool) {
        lockdep::held_without_guard(self.class, self.created_at, at, tried);
    }

    /// `lockdep::unhold`, by this thread or another.
    pub(super) fn lockdep_unhold(&self) {
        lockdep::released_without_guard(self.class);
    }

    /// Whether a holder panicked. Same as [`std::sync::Mutex::is_poisoned`].
    #[inline]
    pub fn is_poisoned(&self) -> bool {
        self.inner.is_poisoned()
    }

    /// Consumes the mutex and returns the value.
    ///
    /// # Errors
    ///
    /// A poisoned lock returns the value inside the error.
    #[inline]
    pub fn into_inner(self) -> LockResult<T> {
        self.inner.into_inner()
    }

    /// A mutable reference to the value; no locking is needed.
    ///
    /// # Errors
    ///
    /// A poisoned lock returns the reference inside the error.
    #[inline]
    pub fn get_mut(&mut self) -> LockResult<&mut T> {
        self.inner.get_mut()
    }
}

impl<T> Drop for MutexGuard<'_, T> {
    #[inline]
    fn drop(&mut self) {
        lockdep::released(self.class);
        // SAFETY: dropped exactly once, here; `inner` is not used after.
        unsafe { ManuallyDrop::drop(&mut self.inner) };
    }
}

impl<T> Deref for MutexGuard<'_, T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        &self.inner
    }
}

impl<T> DerefMut for MutexGuard<'_, T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        &mut self.inner
    }
}

impl<T: fmt::Debug> fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: fmt::Debug> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

impl<T: Default> Default for Mutex<T> {
    #[track_caller]
    fn default() -> Self {
        Mutex::new(T::default())
    }
}

impl<T> From<T> for Mutex<T> {
    #[track_caller]
    fn from(value: T) -> Self {
        Mutex::new(value)
    }
}

/// What a condvar wait keeps of a guard besides the std one: its class.
/// The lock stays held for the lock-order graph across the wait, which
/// takes it back before returning.
pub(super) type Token = usize;

/// The std guard inside `guard`, for a condvar wait.
#[inline]
pub(super) fn split<T>(guard: MutexGuard<'_, T>) -> (std::sync::MutexGuard<'_, T>, Token) {
    let mut guard = ManuallyDrop::new(guard);
    let class = guard.class;
    // SAFETY: `guard` is never dropped (ManuallyDrop) nor used again, so
    // the std guard is moved out exactly once.
    let inner = unsafe { ManuallyDrop::take(&mut guard.inner) };
    (inner, class)
}

/// The guard again, after a condvar wait.
#[inline]
pub(super) fn rejoin<T>(guard: std::sync::MutexGuard<'_, T>, class: Token) -> MutexGuard<'_, T> {
    MutexGuard {
        inner: ManuallyDrop::new(guard),
        class,
    }
}
