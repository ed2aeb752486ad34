use std::fmt;
use std::mem::ManuallyDrop;
use std::ops::{Deref, DerefMut};
use std::sync::{LockResult, PoisonError, TryLockError, TryLockResult};

use super::engine::{RawReadGuard, RawRwLock, RawWriteGuard};
use super::{poison, recorder};
use crate::record::{Loc, ObjectKind, Op, WaitKind};

/// A reader-writer lock. Same as [`std::sync::RwLock`]; recorded under a checker.
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use weft_sync::sync::RwLock;
///
/// let config = RwLock::new(5).named("config");
/// assert_eq!(*config.read().unwrap(), 5);
/// *config.write().unwrap() = 6;
/// # });
/// ```
pub struct RwLock<T> {
    id: usize,
    // weft's own poison flag: engines differ (shuttle has no `is_poisoned`).
    poisoned: std::sync::atomic::AtomicBool,
    raw: RawRwLock<T>,
}

/// Shared access to an [`RwLock`]. Same as [`std::sync::RwLockReadGuard`].
pub struct RwLockReadGuard<'a, T> {
    id: usize,
    at: Loc,
    raw: ManuallyDrop<RawReadGuard<'a, T>>,
}

/// Exclusive access to an [`RwLock`]. Same as [`std::sync::RwLockWriteGuard`].
pub struct RwLockWriteGuard<'a, T> {
    id: usize,
    poisoned: &'a std::sync::atomic::AtomicBool,
    at: Loc,
    raw: ManuallyDrop<RawWriteGuard<'a, T>>,
}

impl<T> RwLock<T> {
    /// Creates a new unlocked reader-writer lock holding `value`.
    #[track_caller]
    pub fn new(value: T) -> Self {
        RwLock {
            id: recorder::new_object(ObjectKind::RwLock, Loc::caller()),
            poisoned: Default::default(),
            raw: RawRwLock::new(value),
        }
    }

    /// Names the lock in failure reports.
    #[must_use]
    pub fn named(self, name: impl Into<String>) -> Self {
        recorder::name_object(self.id, name.into());
        self
    }

    /// Names one element of an array of primitives in failure reports:
    /// `named_indexed("slot", 3)` is `slot[3]`.
    #[must_use]
    pub fn named_indexed(self, name: &str, index: usize) -> Self {
        self.named(format!("{name}[{index}]"))
    }

    fn read_guard<'a>(
        &self,
        raw: RawReadGuard<'a, T>,
        at: Loc,
        tried: bool,
    ) -> RwLockReadGuard<'a, T> {
        recorder::lock_acquired(
            recorder::current(),
            self.id,
            at,
            (true, tried),
            Op::ReadLock,
        );
        RwLockReadGuard {
            id: self.id,
            at,
            raw: ManuallyDrop::new(raw),
        }
    }

    fn write_guard<'a>(
        &'a self,
        raw: RawWriteGuard<'a, T>,
        at: Loc,
        tried: bool,
    ) -> RwLockWriteGuard<'a, T> {
        recorder::lock_acquired(
            recorder::current(),
            self.id,
            at,
            (false, tried),
            Op::WriteLock,
        );
        RwLockWriteGuard {
            id: self.id,
            poisoned: &self.poisoned,
            at,
            raw: ManuallyDrop::new(raw),
        }
    }

    /// Locks for shared reading, blocking while a writer holds it.
    ///
    /// # Errors
    ///
    /// A poisoned lock returns the guard inside the error.
    #[track_caller]
    pub fn read(&self) -> LockResult<RwLockReadGuard<'_, T>> {
        let at = Loc::caller();
        poison::check_engine_can_use(self.poisoned_now(), self.id, at);
        let me = recorder::current();
        recorder::wait_for(WaitKind::ReadLock, self.id, None, at);
        let r = self.raw.read();
        recorder::done_waiting(me);
        self.poison(self.read_guard(r.unwrap_or_else(PoisonError::into_inner), at, false))
    }

    /// Locks for exclusive writing, blocking while anyone holds it.
    ///
    /// # Errors
    ///
    /// A poisoned lock returns the guard inside the error.
    #[track_caller]
    pub fn write(&self) -> LockResult<RwLockWriteGuard<'_, T>> {
        let at = Loc::caller();
        poison::check_engine_can_use(self.poisoned_now(), self.id, at);
        let me = recorder::current();
        recorder::wait_for(WaitKind::WriteLock, self.id, None, at);
        let r = self.raw.write();
        recorder::done_waiting(me);
        self.poison(self.write_guard(r.unwrap_or_else(PoisonError::into_inner), at, false))
    }

    /// Locks for reading if no writer holds the lock.
    ///
    /// # Errors
    ///
    /// `WouldBlock` when a writer holds it, `Poisoned` when a holder panicked.
    #[track_caller]
    pub fn try_read(&self) -> TryLockResult<RwLockReadGuard<'_, T>> {
        let at = Loc::caller();
        poison::check_engine_can_use(self.poisoned_now(), self.id, at);
        let me = recorder::current();
        let r = self.raw.try_read();
        recorder::resume(me);
        let raw = match r {
            Ok(g) => g,
            Err(TryLockError::WouldBlock) => {
                recorder::event(Op::TryLock { acquired: false }, self.id, at);
                return Err(TryLockError::WouldBlock);
            }
            Err(TryLockError::Poisoned(p)) => p.into_inner(),
        };
        self.poison(self.read_guard(raw, at, true))
            .map_err(TryLockError::Poisoned)
    }

    /// Locks for writing if nobody holds the lock.
    ///
    /// # Errors
    ///
    /// `WouldBlock` when the lock is held, `Poisoned` when a holder panicked.
    #[track_caller]
    pub fn try_write(&self) -> TryLockResult<RwLockWriteGuard<'_, T>> {
        let at = Loc::caller();
        poison::check_engine_can_use(self.poisoned_now(), self.id, at);
        let me = recorder::current();
        let r = self.raw.try_write();
        recorder::resume(me);
        let raw = match r {
            Ok(g) => g,
            Err(TryLockError::WouldBlock) => {
                recorder::event(Op::TryLock { acquired: false }, self.id, at);
                return Err(TryLockError::WouldBlock);
            }
            Err(TryLockError::Poisoned(p)) => p.into_inner(),
        };
        self.poison(self.write_guard(raw, at, true))
            .map_err(TryLockError::Poisoned)
    }

    fn poison<G>(&self, guard: G) -> LockResult<G> {
        poison::result(self.poisoned_now(), guard)
    }

    /// Whether a writer panicked while holding the lock.
    #[track_caller]
    pub fn is_poisoned(&self) -> bool {
        poison::observed(&self.poisoned, self.id, Loc::caller())
    }

    /// Whether a writer panicked, for weft's own lock paths (no step).
    fn poisoned_now(&self) -> bool {
        self.poisoned.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Consumes the lock and returns the value.
    ///
    /// # Errors
    ///
    /// A poisoned lock returns the value inside the error.
    #[track_caller]
    pub fn into_inner(self) -> LockResult<T> {
        poison::value(&self.poisoned, self.id, || self.raw.into_inner())
    }

    /// A mutable reference to the value; no locking is needed.
    ///
    /// # Errors
    ///
    /// A poisoned lock returns the reference inside the error.
    #[track_caller]
    pub fn get_mut(&mut self) -> LockResult<&mut T> {
        poison::value(&self.poisoned, self.id, || self.raw.get_mut())
    }
}

impl<T> Drop for RwLockReadGuard<'_, T> {
    fn drop(&mut self) {
        if recorder::torn_down() {
            return;
        }
        let me = recorder::current();
        // SAFETY: dropped exactly once, here.
        unsafe { ManuallyDrop::drop(&mut self.raw) };
        recorder::resume(me);
        // After the engine's release, as a mutex's (see `MutexGuard`).
        recorder::lock_released(self.id, self.at, Op::ReadUnlock);
    }
}

impl<T> Drop for RwLockWriteGuard<'_, T> {
    fn drop(&mut self) {
        if recorder::torn_down() {
            return;
        }
        if recorder::unwinding() {
            poison::poisoned_by_panic(self.poisoned, self.id);
        }
        let me = recorder::current();
        // SAFETY: dropped exactly once, here.
        unsafe { ManuallyDrop::drop(&mut self.raw) };
        recorder::resume(me);
        // After the engine's release, as a mutex's (see `MutexGuard`).
        recorder::lock_released(self.id, self.at, Op::WriteUnlock);
    }
}

impl<T> Deref for RwLockReadGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.raw
    }
}

impl<T> Deref for RwLockWriteGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.raw
    }
}

impl<T> DerefMut for RwLockWriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.raw
    }
}

impl<T: fmt::Debug> fmt::Debug for RwLockReadGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: fmt::Debug> fmt::Debug for RwLockWriteGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T> fmt::Debug for RwLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RwLock")
            .field("name", &recorder::object_name(self.id))
            .finish_non_exhaustive()
    }
}

impl<T: Default> Default for RwLock<T> {
    #[track_caller]
    fn default() -> Self {
        RwLock::new(T::default())
    }
}
