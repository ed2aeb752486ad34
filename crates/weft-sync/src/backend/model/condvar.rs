use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, LockResult, PoisonError};
use std::time::Duration;

use super::engine::{self, atomic::AtomicBool as RawAtomicBool, RawCondvar};
use super::recorder;
use super::MutexGuard;
use crate::record::{Loc, ObjectKind, Op, WaitKind};
use crate::sync::WaitTimeoutResult;

/// One waiting thread. A blocking waiter sleeps on its own engine condvar
/// until a notifier takes its slot off the queue; a timed waiter never
/// blocks in the engine, so it can never be reported as deadlocked.
struct Slot {
    raw: RawCondvar,
    /// Touched by the notifier and by a timed waiter at its decision
    /// point, so that the engine explores both orders (notified first, or
    /// timed out first).
    flag: RawAtomicBool,
    notified: std::sync::atomic::AtomicBool,
}

/// A condition variable. Same as [`std::sync::Condvar`].
///
/// # Differences from std under a checker
///
/// `wait_timeout` never sleeps: it may return by notification or by
/// timeout, and the checker explores both. Waits never wake spuriously.
///
/// # Examples
///
/// ```
/// use weft_sync::sync::{Arc, Condvar, Mutex};
/// use weft_sync::thread;
///
/// let pair = Arc::new((Mutex::new(false), Condvar::new().named("ready")));
/// let pair2 = Arc::clone(&pair);
/// let h = thread::spawn(move || {
///     *pair2.0.lock().unwrap() = true;
///     pair2.1.notify_one();
/// });
/// let mut ready = pair.0.lock().unwrap();
/// while !*ready {
///     ready = pair.1.wait(ready).unwrap();
/// }
/// drop(ready);
/// h.join().unwrap();
/// ```
pub struct Condvar {
    id: usize,
    /// How a waiter's wait is reported (a channel's or barrier's condvar
    /// reports "waits to receive from `jobs`", not a condvar wait).
    wait_kind: WaitKind,
    // Bookkeeping only: never held across an engine operation, so it is
    // invisible to (and cannot block) the model.
    waiters: std::sync::Mutex<VecDeque<Arc<Slot>>>,
}

impl Condvar {
    /// Creates a condition variable with no waiters.
    #[track_caller]
    pub fn new() -> Self {
        Condvar {
            id: recorder::new_object(ObjectKind::Condvar, Loc::caller()),
            wait_kind: WaitKind::Condvar,
            waiters: std::sync::Mutex::new(VecDeque::new()),
        }
    }

    /// A condvar that records its waits as `kind` on the object `id` (a
    /// channel's or a barrier's).
    pub(super) fn for_object(id: usize, wait_kind: WaitKind) -> Self {
        Condvar {
            id,
            wait_kind,
            waiters: std::sync::Mutex::new(VecDeque::new()),
        }
    }

    /// Names the condition variable in failure reports.
    #[must_use]
    pub fn named(self, name: impl Into<String>) -> Self {
        recorder::name_object(self.id, name.into());
        self
    }

    fn enqueue(&self) -> Arc<Slot> {
        let slot = Arc::new(Slot {
            raw: RawCondvar::new(),
            flag: RawAtomicBool::new(false),
            notified: std::sync::atomic::AtomicBool::new(false),
        });
        self.queue().push_back(slot.clone());
        slot
    }

    fn queue(&self) -> std::sync::MutexGuard<'_, VecDeque<Arc<Slot>>> {
        self.waiters.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Releases the lock, waits for a notification, then re-acquires the lock.
    ///
    /// # Errors
    ///
    /// A poisoned mutex returns the guard inside the error.
    #[track_caller]
    pub fn wait<'a, T>(&self, guard: MutexGuard<'a, T>) -> LockResult<MutexGuard<'a, T>> {
        self.wait_at(guard, Loc::caller())
    }

    pub(super) fn wait_at<'a, T>(
        &self,
        guard: MutexGuard<'a, T>,
        at: Loc,
    ) -> LockResult<MutexGuard<'a, T>> {
        let me = recorder::current();
        if self.wait_kind == WaitKind::Condvar {
            recorder::event(Op::Wait, self.id, at);
        }
        let slot = self.enqueue();
        let (mutex, mut raw) = guard.into_raw();
        recorder::wait_for(self.wait_kind, self.id, None, at);
        let mut poisoned = false;
        while !slot.notified.load(std::sync::atomic::Ordering::SeqCst) {
            raw = match slot.raw.wait(raw) {
                Ok(g) => g,
                Err(p) => {
                    poisoned = true;
                    p.into_inner()
                }
            };
            recorder::resume(me);
        }
        recorder::done_waiting(me);
        // No happens-before edge of its own: C11 orders the waiter after
        // the notifier only through the mutex it reacquires.
        if self.wait_kind == WaitKind::Condvar {
            recorder::event(Op::Woken { timed_out: false }, self.id, at);
        }
        let guard = MutexGuard::from_raw(mutex, raw, at);
        if poisoned || mutex.is_poisoned() {
            Err(PoisonError::new(guard))
        } else {
            Ok(guard)
        }
    }

    /// Waits while `condition` holds.
    ///
    /// # Errors
    ///
    /// A poisoned mutex returns the guard inside the error.
    #[track_caller]
    pub fn wait_while<'a, T, F>(
        &self,
        mut guard: MutexGuard<'a, T>,
        mut condition: F,
    ) -> LockResult<MutexGuard<'a, T>>
    where
        F: FnMut(&mut T) -> bool,
    {
        let at = Loc::caller();
        while condition(&mut *guard) {
            guard = self.wait_at(guard, at)?;
        }
        Ok(guard)
    }

    /// Like [`Condvar::wait`], but may give up after `timeout`. Under a
    /// checker both outcomes, notified and timed out, are explored, and the
    /// virtual clock advances by `timeout` when it times out.
    ///
    /// # Errors
    ///
    /// A poisoned mutex returns the guard inside the error.
    #[track_caller]
    pub fn wait_timeout<'a, T>(
        &self,
        guard: MutexGuard<'a, T>,
        timeout: Duration,
    ) -> LockResult<(MutexGuard<'a, T>, WaitTimeoutResult)> {
        self.wait_timeout_at(guard, timeout, Loc::caller())
    }

    pub(super) fn wait_timeout_at<'a, T>(
        &self,
        guard: MutexGuard<'a, T>,
        timeout: Duration,
        at: Loc,
    ) -> LockResult<(MutexGuard<'a, T>, WaitTimeoutResult)> {
        let me = recorder::current();
        let started = recorder::now();
        if self.wait_kind == WaitKind::Condvar {
            recorder::event(Op::Wait, self.id, at);
        }
        let slot = self.enqueue();
        let (mutex, raw) = guard.into_raw();
        drop(raw);
        recorder::resume(me);
        let relock = |at: Loc| -> (MutexGuard<'a, T>, bool) {
            match mutex.lock_at(at) {
                Ok(g) => (g, false),
                Err(p) => (p.into_inner(), true),
            }
        };
        let (mut guard, mut poisoned) = relock(at);
        // The decision point: the notifier stores `flag` when it takes the slot.
        let _ = slot.flag.load(std::sync::atomic::Ordering::SeqCst);
        recorder::resume(me);
        let notified = slot.notified.load(std::sync::atomic::Ordering::SeqCst);
        if !notified {
            self.queue().retain(|s| !Arc::ptr_eq(s, &slot));
            recorder::advance_to(started + timeout);
            if self.wait_kind == WaitKind::Condvar {
                recorder::event(Op::Woken { timed_out: true }, self.id, at);
            }
            // Let the others run before the caller re-checks its condition,
            // so that a wait_timeout loop makes progress in the model.
            drop(guard);
            engine::yield_now();
            recorder::resume(me);
            let (g, p) = relock(at);
            guard = g;
            poisoned |= p;
        } else {
            if self.wait_kind == WaitKind::Condvar {
                recorder::event(Op::Woken { timed_out: false }, self.id, at);
            }
        }
        let result = (guard, WaitTimeoutResult::new(!notified));
        if poisoned {
            Err(PoisonError::new(result))
        } else {
            Ok(result)
        }
    }

    /// Waits while `condition` holds, for at most `timeout`.
    ///
    /// # Errors
    ///
    /// A poisoned mutex returns the guard inside the error.
    #[track_caller]
    pub fn wait_timeout_while<'a, T, F>(
        &self,
        mut guard: MutexGuard<'a, T>,
        timeout: Duration,
        mut condition: F,
    ) -> LockResult<(MutexGuard<'a, T>, WaitTimeoutResult)>
    where
        F: FnMut(&mut T) -> bool,
    {
        let at = Loc::caller();
        let deadline = recorder::now() + timeout;
        loop {
            if !condition(&mut *guard) {
                return Ok((guard, WaitTimeoutResult::new(false)));
            }
            let now = recorder::now();
            if now >= deadline {
                return Ok((guard, WaitTimeoutResult::new(true)));
            }
            let (g, r) = self.wait_timeout_at(guard, deadline - now, at)?;
            guard = g;
            if r.timed_out() {
                let timed_out = condition(&mut *guard);
                return Ok((guard, WaitTimeoutResult::new(timed_out)));
            }
        }
    }

    /// Wakes one waiting thread.
    #[track_caller]
    pub fn notify_one(&self) {
        let at = Loc::caller();
        let me = recorder::current();
        if self.wait_kind == WaitKind::Condvar {
            recorder::event(Op::NotifyOne, self.id, at);
        }
        let slot = self.queue().pop_front();
        if let Some(slot) = slot {
            wake(&slot);
            recorder::resume(me);
        }
    }

    /// Wakes every waiting thread.
    #[track_caller]
    pub fn notify_all(&self) {
        let at = Loc::caller();
        let me = recorder::current();
        if self.wait_kind == WaitKind::Condvar {
            recorder::event(Op::NotifyAll, self.id, at);
        }
        let slots: Vec<_> = self.queue().drain(..).collect();
        for slot in &slots {
            wake(slot);
            recorder::resume(me);
        }
    }
}

fn wake(slot: &Slot) {
    slot.notified
        .store(true, std::sync::atomic::Ordering::SeqCst);
    slot.flag.store(true, std::sync::atomic::Ordering::SeqCst);
    slot.raw.notify_one();
}

impl Default for Condvar {
    #[track_caller]
    fn default() -> Self {
        Condvar::new()
    }
}

impl fmt::Debug for Condvar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Condvar")
            .field("name", &recorder::object_name(self.id))
            .finish_non_exhaustive()
    }
}
