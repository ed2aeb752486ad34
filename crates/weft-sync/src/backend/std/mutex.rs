use std::sync::{LockResult, TryLockResult};

/// A mutual exclusion lock. Same as [`std::sync::Mutex`].
///
/// In std mode this is a `#[repr(transparent)]` newtype: the same size and
/// speed as the std type. Under a checker every operation is recorded.
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
#[repr(transparent)]
#[derive(Debug, Default)]
pub struct Mutex<T>(std::sync::Mutex<T>);

/// The guard of a locked [`Mutex`]. Same as [`std::sync::MutexGuard`].
pub type MutexGuard<'a, T> = std::sync::MutexGuard<'a, T>;

impl<T> Mutex<T> {
    /// Creates a new unlocked mutex holding `value`.
    #[inline]
    #[track_caller]
    pub fn new(value: T) -> Self {
        Mutex(std::sync::Mutex::new(value))
    }

    /// Names the mutex in failure reports (`fork[0]`); a no-op in std mode.
    #[inline]
    #[must_use]
    pub fn named(self, _name: impl Into<String>) -> Self {
        self
    }

    /// Names one element of an array of primitives in failure reports:
    /// `named_indexed("slot", 3)` is `slot[3]`; a no-op in std mode (nothing is formatted).
    #[inline]
    #[must_use]
    pub fn named_indexed(self, _name: &str, _index: usize) -> Self {
        self
    }

    /// Acquires the lock, blocking until it is free. Same as [`std::sync::Mutex::lock`].
    ///
    /// # Errors
    ///
    /// A poisoned lock (a holder panicked) returns the guard inside the error.
    #[inline]
    #[track_caller]
    pub fn lock(&self) -> LockResult<MutexGuard<'_, T>> {
        self.0.lock()
    }

    /// Acquires the lock if it is free. Same as [`std::sync::Mutex::try_lock`].
    ///
    /// # Errors
    ///
    /// `WouldBlock` when the lock is held, `Poisoned` when a holder panicked.
    #[inline]
    #[track_caller]
    pub fn try_lock(&self) -> TryLockResult<MutexGuard<'_, T>> {
        self.0.try_lock()
    }

    /// Whether a holder panicked. Same as [`std::sync::Mutex::is_poisoned`].
    #[inline]
    pub fn is_poisoned(&self) -> bool {
        self.0.is_poisoned()
    }

    /// Consumes the mutex and returns the value.
    ///
    /// # Errors
    ///
    /// A poisoned lock returns the value inside the error.
    #[inline]
    pub fn into_inner(self) -> LockResult<T> {
        self.0.into_inner()
    }

    /// A mutable reference to the value; no locking is needed.
    ///
    /// # Errors
    ///
    /// A poisoned lock returns the reference inside the error.
    #[inline]
    pub fn get_mut(&mut self) -> LockResult<&mut T> {
        self.0.get_mut()
    }
}

impl<T> From<T> for Mutex<T> {
    #[track_caller]
    fn from(value: T) -> Self {
        Mutex::new(value)
    }
}

/// What a condvar wait keeps of a guard besides the std one (nothing
/// without the `lockdep` feature: the guard is std's).
pub(super) type Token = ();

/// The std guard inside `guard`, for a condvar wait.
#[inline]
pub(super) fn split<T>(guard: MutexGuard<'_, T>) -> (std::sync::MutexGuard<'_, T>, Token) {
    (guard, ())
}

/// The guard again, after a condvar wait.
#[inline]
pub(super) fn rejoin<T>(guard: std::sync::MutexGuard<'_, T>, _token: Token) -> MutexGuard<'_, T> {
    guard
}
