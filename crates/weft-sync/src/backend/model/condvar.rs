use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, LockResult, PoisonError};
use std::time::Duration;

use super::engine::{self, atomic::AtomicBool as RawAtomicBool, RawWaiter};
use super::recorder;
use super::MutexGuard;
use crate::record::{Loc, ObjectKind, Op, WaitKind};
use crate::sync::WaitTimeoutResult;

/// How a wait that may return without blocking ends when it was not
/// notified first.
#[derive(Clone, Copy)]
enum GiveUp {
    /// By timeout: the virtual clock passes this deadline.
    Deadline(Duration),
    /// Spuriously, as std allows a `wait` to (when explored).
    Spuriously,
}

/// Whom [`Condvar::notify_waiting_after`] wakes.
#[derive(Clone, Copy)]
pub(super) enum Wake {
    /// One waiter (`notify_one`).
    One,
    /// Every waiter (`notify_all`).
    All,
}

/// A condition variable. Same as [`std::sync::Condvar`].
///
/// # Differences from std under a checker
///
/// `wait_timeout` never sleeps: it may return by notification or by
/// timeout, and the checker explores both; a timeout leaves the virtual
/// clock strictly past the deadline. `wait` wakes spuriously only when the
/// model asks for it (`Model::spurious_wakeups(true)`), then at most once
/// per thread and execution.
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
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
/// # });
/// ```
pub struct Condvar {
    id: usize,
    /// How a waiter's wait is reported (a channel's or barrier's condvar
    /// reports "waits to receive from `jobs`", not a condvar wait).
    wait_kind: WaitKind,
    // Bookkeeping only: never held across an engine operation, so it is
    // invisible to (and cannot block) the model.
    // Each waiter with its thread, which a notify marks woken.
    waiters: std::sync::Mutex<VecDeque<(usize, Arc<RawWaiter>)>>,
    /// What the engine sees of `waiters`, which it cannot see itself: a
    /// waiter stores to it as it queues and every notify stores to it as it
    /// takes waiters off (each with no other engine operation in between),
    /// and a waiter that may return without blocking loads it at its
    /// decision point. So the engine orders a notify against the queueing
    /// and the decision and explores each order (a notify before the
    /// waiter queued, while it waits, after it gave up); without it, loom's
    /// DPOR saw no conflict between a notifier that does not hold the mutex
    /// and a timed waiter, and never tried the notification. It belongs to
    /// the condvar, not to one wait: an engine object a waiter created and
    /// a notifier reached through `waiters` would be a causality violation
    /// on loom.
    visible: RawAtomicBool,
}

impl Condvar {
    /// Creates a condition variable with no waiters.
    #[track_caller]
    pub fn new() -> Self {
        Condvar::for_object(
            recorder::new_object(ObjectKind::Condvar, Loc::caller()),
            WaitKind::Condvar,
        )
    }

    /// A condvar that records its waits as `kind` on the object `id` (a
    /// channel's or a barrier's).
    pub(super) fn for_object(id: usize, wait_kind: WaitKind) -> Self {
        Condvar {
            id,
            wait_kind,
            waiters: std::sync::Mutex::new(VecDeque::new()),
            visible: RawAtomicBool::new(false),
        }
    }

    /// Names the condition variable in failure reports.
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

    fn enqueue(&self, waiter: RawWaiter) -> Arc<RawWaiter> {
        let waiter = Arc::new(waiter);
        // The engine may switch threads before the store, not after it:
        // queueing takes effect together with it.
        let me = recorder::current();
        self.visible
            .store(true, std::sync::atomic::Ordering::SeqCst);
        recorder::resume(me);
        recorder::touch(self.id);
        self.queue().push_back((me, waiter.clone()));
        waiter
    }

    /// Whether a thread waits here. Read under the lock its waiters
    /// wait with (a channel's), it cannot change before the reader lets
    /// go of that lock: a waiter queues holding it.
    pub(super) fn has_waiters(&self) -> bool {
        !self.queue().is_empty()
    }

    /// Lets go of `guard`, the lock this condvar's waiters queue under,
    /// then wakes every waiter (`Wake::All`) or one, if any waited. A
    /// notification nobody waits for changes nothing, but it is a step the
    /// DPOR search orders against every other on the object.
    #[track_caller]
    pub(super) fn notify_waiting_after<G>(&self, guard: G, wake: Wake) {
        let waiting = self.has_waiters();
        drop(guard);
        match (waiting, wake) {
            (false, _) => {}
            (true, Wake::One) => self.notify_one(),
            (true, Wake::All) => self.notify_all(),
        }
    }

    fn queue(&self) -> std::sync::MutexGuard<'_, VecDeque<(usize, Arc<RawWaiter>)>> {
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
        if self.wait_kind == WaitKind::Condvar && recorder::may_wake_spuriously() {
            let (guard, _, poisoned) = self.wait_or_give_up(guard, GiveUp::Spuriously, at);
            return if poisoned {
                Err(PoisonError::new(guard))
            } else {
                Ok(guard)
            };
        }
        let me = recorder::current();
        if self.wait_kind == WaitKind::Condvar {
            recorder::event(Op::Wait, self.id, at);
        }
        let waiter = self.enqueue(RawWaiter::new());
        let (mutex, raw) = guard.into_raw();
        recorder::wait_for(self.wait_kind, self.id, None, at);
        let result = waiter.wait(mutex.raw(), raw);
        recorder::resume(me);
        let (raw, poisoned) = match result {
            Ok(g) => (g, false),
            Err(p) => (p.into_inner(), true),
        };
        recorder::done_waiting(me);
        // No happens-before edge of its own: C11 orders the waiter after
        // the notifier only through the mutex it reacquires.
        if self.wait_kind == WaitKind::Condvar {
            recorder::event(Op::Woken { timed_out: false }, self.id, at);
        }
        let guard = MutexGuard::from_raw(mutex, raw, at);
        if poisoned || mutex.poisoned_now() {
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
    /// checker both outcomes, notified and timed out, are explored, and a
    /// timeout leaves the virtual clock strictly past `now + timeout` (as a
    /// real clock is when the wait returns: `deadline.checked_duration_since
    /// (Instant::now())` is then `None`, and a loop that waits for the time
    /// left ends).
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
        let deadline = recorder::now().saturating_add(timeout);
        let (guard, notified, poisoned) =
            self.wait_or_give_up(guard, GiveUp::Deadline(deadline), at);
        let result = (guard, WaitTimeoutResult::new(!notified));
        if poisoned {
            Err(PoisonError::new(result))
        } else {
            Ok(result)
        }
    }

    /// A wait that never blocks in the engine (so it is never reported as
    /// deadlocked): it releases the lock, takes it back, and at its decision
    /// point it was either notified already or it gives up. Returns the
    /// guard, whether it was notified, and whether the mutex is poisoned.
    fn wait_or_give_up<'a, T>(
        &self,
        guard: MutexGuard<'a, T>,
        give_up: GiveUp,
        at: Loc,
    ) -> (MutexGuard<'a, T>, bool, bool) {
        let me = recorder::current();
        if self.wait_kind == WaitKind::Condvar {
            recorder::event(Op::Wait, self.id, at);
        }
        let waiter = self.enqueue(RawWaiter::polling());
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
        // The decision point: a notifier stores to `visible` as it takes
        // waiters off, and this waiter leaves the queue with no switch
        // after the load.
        let _ = self.visible.load(std::sync::atomic::Ordering::SeqCst);
        recorder::resume(me);
        recorder::touch(self.id);
        // An engine operation on shuttle (the flag is under a lock there).
        let notified = waiter.is_woken();
        recorder::resume(me);
        if notified {
            // No edge of its own (C11): the reacquired mutex orders it.
            if self.wait_kind == WaitKind::Condvar {
                recorder::event(Op::Woken { timed_out: false }, self.id, at);
            }
            return (guard, true, poisoned);
        }
        self.queue().retain(|(_, w)| !Arc::ptr_eq(w, &waiter));
        match give_up {
            GiveUp::Deadline(deadline) => {
                recorder::pass_deadline(deadline);
                if self.wait_kind == WaitKind::Condvar {
                    recorder::event(Op::Woken { timed_out: true }, self.id, at);
                }
                // Let the others run before the caller re-checks its
                // condition, so that a wait_timeout loop makes progress in
                // the model.
                drop(guard);
                engine::yield_now();
                recorder::resume(me);
                let (g, p) = relock(at);
                guard = g;
                poisoned |= p;
            }
            GiveUp::Spuriously => {
                recorder::woke_spuriously();
                // A step of its own, not "woken (notified)": the report
                // must say that no notification came. (A trace line, so
                // that the trace format needs no new operation.)
                recorder::event(
                    Op::Trace("woken spuriously (Model::spurious_wakeups)".to_string()),
                    self.id,
                    at,
                );
            }
        }
        (guard, false, poisoned)
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
        let deadline = recorder::now().saturating_add(timeout);
        loop {
            if !condition(&mut *guard) {
                return Ok((guard, WaitTimeoutResult::new(false)));
            }
            let now = recorder::now();
            if now >= deadline {
                // A zero timeout still lets time pass, as on a real clock.
                recorder::pass_deadline(deadline);
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
        self.show_notify();
        let waiter = self.queue().pop_front();
        if let Some((thread, waiter)) = waiter {
            waiter.wake();
            recorder::resume(me);
            recorder::woken(thread);
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
        self.show_notify();
        let waiters: Vec<_> = self.queue().drain(..).collect();
        for (thread, waiter) in &waiters {
            waiter.wake();
            recorder::resume(me);
            recorder::woken(*thread);
        }
    }

    /// A notify, as the engine sees it: a store to `visible`, before which
    /// the engine may switch threads; the caller takes waiters off the
    /// queue right after it, with no switch in between.
    fn show_notify(&self) {
        let me = recorder::current();
        self.visible
            .store(true, std::sync::atomic::Ordering::SeqCst);
        recorder::resume(me);
        recorder::touch(self.id);
    }
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
