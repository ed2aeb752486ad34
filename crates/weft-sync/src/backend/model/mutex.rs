use std::fmt;
use std::mem::ManuallyDrop;
use std::ops::{Deref, DerefMut};
use std::sync::{LockResult, PoisonError, TryLockError, TryLockResult};

use super::engine::{RawMutex, RawMutexGuard};
use super::{poison, recorder};
use crate::record::{Loc, ObjectKind, Op, WaitKind};

/// A mutual exclusion lock. Same as [`std::sync::Mutex`]; under a checker
/// every lock and unlock is recorded, with who holds it and who waits.
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use weft_sync::sync::{Arc, Mutex};
///
/// let counter = Arc::new(Mutex::new(0).named("counter"));
/// *counter.lock().unwrap() += 1;
/// assert_eq!(*counter.lock().unwrap(), 1);
/// # });
/// ```
pub struct Mutex<T> {
    pub(super) id: usize,
    // weft's own poison flag: engines differ (shuttle has no `is_poisoned`).
    poisoned: std::sync::atomic::AtomicBool,
    raw: RawMutex<T>,
}

/// The guard of a locked [`Mutex`]. Same as [`std::sync::MutexGuard`].
pub struct MutexGuard<'a, T> {
    pub(super) mutex: &'a Mutex<T>,
    raw: ManuallyDrop<RawMutexGuard<'a, T>>,
    /// Where the lock was acquired: the unlock event carries it too.
    at: Loc,
}

impl<T> Mutex<T> {
    /// Creates a new unlocked mutex holding `value`.
    #[track_caller]
    pub fn new(value: T) -> Self {
        Mutex {
            id: recorder::new_object(ObjectKind::Mutex, Loc::caller()),
            poisoned: std::sync::atomic::AtomicBool::new(false),
            raw: RawMutex::new(value),
        }
    }

    /// A mutex recorded as the object `id` (the lock inside a channel or a
    /// barrier, which reports as that object).
    pub(super) fn for_object(value: T, id: usize) -> Self {
        Mutex {
            id,
            poisoned: std::sync::atomic::AtomicBool::new(false),
            raw: RawMutex::new(value),
        }
    }

    /// Names the mutex in failure reports (`fork[0]`).
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

    /// Acquires the lock, blocking until it is free.
    ///
    /// # Errors
    ///
    /// A poisoned lock (a holder panicked) returns the guard inside the error.
    #[track_caller]
    pub fn lock(&self) -> LockResult<MutexGuard<'_, T>> {
        self.lock_at(Loc::caller())
    }

    pub(super) fn lock_at(&self, at: Loc) -> LockResult<MutexGuard<'_, T>> {
        poison::check_engine_can_use(self.poisoned_now(), self.id, at);
        let me = recorder::current();
        recorder::wait_for(WaitKind::Lock, self.id, None, at);
        let result = self.raw.lock();
        recorder::lock_acquired(me, self.id, at, (false, false), Op::Lock);
        let guard = self.guard(result.unwrap_or_else(PoisonError::into_inner), at);
        poison::result(self.poisoned_now(), guard)
    }

    /// Acquires the lock if it is free.
    ///
    /// # Errors
    ///
    /// `WouldBlock` when the lock is held, `Poisoned` when a holder panicked.
    #[track_caller]
    pub fn try_lock(&self) -> TryLockResult<MutexGuard<'_, T>> {
        let at = Loc::caller();
        poison::check_engine_can_use(self.poisoned_now(), self.id, at);
        let me = recorder::current();
        let result = self.raw.try_lock();
        recorder::resume(me);
        let raw = match result {
            Ok(g) => g,
            Err(TryLockError::WouldBlock) => {
                recorder::event(Op::TryLock { acquired: false }, self.id, at);
                return Err(TryLockError::WouldBlock);
            }
            Err(TryLockError::Poisoned(p)) => p.into_inner(),
        };
        // A try_lock never blocks: no lock-order edge.
        self.acquired(at, true);
        poison::result(self.poisoned_now(), self.guard(raw, at)).map_err(TryLockError::Poisoned)
    }

    fn acquired(&self, at: Loc, tried: bool) {
        recorder::lock_acquired(recorder::current(), self.id, at, (false, tried), Op::Lock);
    }

    fn guard<'a>(&'a self, raw: RawMutexGuard<'a, T>, at: Loc) -> MutexGuard<'a, T> {
        MutexGuard {
            mutex: self,
            raw: ManuallyDrop::new(raw),
            at,
        }
    }

    /// The engine's lock, for a condvar wait that takes it back itself.
    pub(super) fn raw(&self) -> &RawMutex<T> {
        &self.raw
    }

    /// Whether a holder panicked.
    #[track_caller]
    pub fn is_poisoned(&self) -> bool {
        poison::observed(&self.poisoned, self.id, Loc::caller())
    }

    /// Whether a holder panicked, for weft's own lock paths (no step).
    pub(super) fn poisoned_now(&self) -> bool {
        self.poisoned.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Consumes the mutex and returns the value.
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

impl<'a, T> MutexGuard<'a, T> {
    /// Records the release and hands the engine guard over (to a condvar wait).
    pub(super) fn into_raw(self) -> (&'a Mutex<T>, RawMutexGuard<'a, T>) {
        let mut this = ManuallyDrop::new(self);
        let mutex = this.mutex;
        released(mutex.id, this.at);
        // SAFETY: `this` is never used or dropped again, so the engine guard
        // is moved out exactly once.
        let raw = unsafe { ManuallyDrop::take(&mut this.raw) };
        (mutex, raw)
    }

    /// Wraps an engine guard re-acquired after a condvar wait.
    pub(super) fn from_raw(mutex: &'a Mutex<T>, raw: RawMutexGuard<'a, T>, at: Loc) -> Self {
        // The condvar's wait blocked to take the lock back.
        mutex.acquired(at, false);
        mutex.guard(raw, at)
    }
}

fn released(id: usize, at: Loc) {
    recorder::lock_released(id, at, Op::Unlock);
}

impl<T> Drop for MutexGuard<'_, T> {
    fn drop(&mut self) {
        if recorder::torn_down() {
            // The engine is tearing a failed execution down: leave its
            // state alone (unlocking could panic inside this destructor).
            return;
        }
        if recorder::unwinding() {
            poison::poisoned_by_panic(&self.mutex.poisoned, self.mutex.id);
        }
        let me = recorder::current();
        // SAFETY: dropped exactly once, here; `raw` is not used afterwards.
        unsafe { ManuallyDrop::drop(&mut self.raw) };
        recorder::resume(me);
        // Recorded after the engine's release, which begins with a
        // scheduling point: the lock is released in the step after it, and
        // a thread run there finds the lock held (a `try_lock` fails). As
        // one step with the lock, the DPOR search never ran one there.
        released(self.mutex.id, self.at);
    }
}

impl<T> Deref for MutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.raw
    }
}

impl<T> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.raw
    }
}

impl<T: fmt::Debug> fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mutex")
            .field("name", &recorder::object_name(self.id))
            .finish_non_exhaustive()
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
