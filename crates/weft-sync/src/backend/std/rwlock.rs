use std::sync::{LockResult, TryLockResult};

/// A reader-writer lock. Same as [`std::sync::RwLock`].
///
/// # Examples
///
/// ```
/// use weft_sync::sync::RwLock;
///
/// let config = RwLock::new(5).named("config");
/// assert_eq!(*config.read().unwrap(), 5);
/// *config.write().unwrap() = 6;
/// ```
#[repr(transparent)]
#[derive(Debug, Default)]
pub struct RwLock<T>(std::sync::RwLock<T>);

/// Shared access to an [`RwLock`]. Same as [`std::sync::RwLockReadGuard`].
pub type RwLockReadGuard<'a, T> = std::sync::RwLockReadGuard<'a, T>;
/// Exclusive access to an [`RwLock`]. Same as [`std::sync::RwLockWriteGuard`].
pub type RwLockWriteGuard<'a, T> = std::sync::RwLockWriteGuard<'a, T>;

impl<T> RwLock<T> {
    /// Creates a new unlocked reader-writer lock holding `value`.
    #[inline]
    #[track_caller]
    pub fn new(value: T) -> Self {
        RwLock(std::sync::RwLock::new(value))
    }

    /// Names the lock in failure reports; a no-op in std mode.
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

    /// Locks for shared reading, blocking while a writer holds it.
    ///
    /// # Errors
    ///
    /// A poisoned lock returns the guard inside the error.
    #[inline]
    #[track_caller]
    pub fn read(&self) -> LockResult<RwLockReadGuard<'_, T>> {
        self.0.read()
    }

    /// Locks for exclusive writing, blocking while anyone holds it.
    ///
    /// # Errors
    ///
    /// A poisoned lock returns the guard inside the error.
    #[inline]
    #[track_caller]
    pub fn write(&self) -> LockResult<RwLockWriteGuard<'_, T>> {
        self.0.write()
    }

    /// Locks for reading if no writer holds the lock.
    ///
    /// # Errors
    ///
    /// `WouldBlock` when a writer holds it, `Poisoned` when a holder panicked.
    #[inline]
    #[track_caller]
    pub fn try_read(&self) -> TryLockResult<RwLockReadGuard<'_, T>> {
        self.0.try_read()
    }

    /// Locks for writing if nobody holds the lock.
    ///
    /// # Errors
    ///
    /// `WouldBlock` when the lock is held, `Poisoned` when a holder panicked.
    #[inline]
    #[track_caller]
    pub fn try_write(&self) -> TryLockResult<RwLockWriteGuard<'_, T>> {
        self.0.try_write()
    }

    /// Whether a writer panicked while holding the lock.
    #[inline]
    pub fn is_poisoned(&self) -> bool {
        self.0.is_poisoned()
    }

    /// Consumes the lock and returns the value.
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
