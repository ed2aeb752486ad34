//! The execution log (threads, objects, steps) and who holds and waits
//! for what. Recording a step also applies its clocks (`races`) and checks
//! it against the replayed trace (`replay`), in one recorder access.

use std::sync::atomic::Ordering;

use super::super::engine;
use super::super::lock_order;
use super::failure::{fail, step_failed, DetectedFailure};
use super::races::{fail_race, join_clocks};
use super::{current, with, Execution, NO_OBJECT};
use crate::explore::FailureKind;
use crate::record::{
    AtomicAccess, Event, Held, Loc, ObjectInfo, ObjectKind, Op, ThreadInfo, ThreadState, WaitKind,
    Waiting,
};

/// Registers a new object.
pub(crate) fn new_object(kind: ObjectKind, created_at: Loc) -> usize {
    with(|e| {
        let id = e.log.objects.len();
        e.log.objects.push(ObjectInfo {
            id,
            kind,
            name: None,
            created_at,
        });
        id
    })
    .unwrap_or(NO_OBJECT)
}

/// Names an object.
pub(crate) fn name_object(id: usize, name: String) {
    if id == NO_OBJECT {
        return;
    }
    with(|e| {
        if let Some(o) = e.log.objects.get_mut(id) {
            o.name = Some(name);
        }
    });
}

/// The display name of an object (for messages).
pub(crate) fn object_name(id: usize) -> String {
    with(|e| e.log.object_name(id)).unwrap_or_else(|| "an object".to_string())
}

/// Records one step by the current thread. Panics (failing the execution)
/// past the step limit, or when a replay's steps no longer match.
#[inline]
pub(crate) fn event(op: Op, object: usize, location: Loc) {
    if let Some(message) = with(|e| e.push_event(op, object, location)).flatten() {
        step_failed(message);
    }
}

/// `thread` acquired the lock `object` (a mutex, or an `RwLock` shared or
/// exclusive) after waiting for it, or at once with a `try_` method
/// (`tried`): one recorder access for the whole of it, since locks are the
/// hottest path of a model. The lock-order graph learns of it too.
#[inline]
pub(crate) fn lock_acquired(
    thread: usize,
    object: usize,
    at: Loc,
    (shared, tried): (bool, bool),
    op: Op,
) {
    let problem = with(|e| {
        if e.torn_down {
            return None;
        }
        e.stop_waiting(thread);
        if object != NO_OBJECT {
            e.acquire_clock(object);
            if !shared {
                // A writer is ordered after every reader before it.
                e.acquire_reader_clock(object);
            }
            e.log.threads[thread]
                .holds
                .push(Held { object, at, shared });
            if tried {
                e.tried.push(object);
            }
        }
        let problem = e.push_event(op, object, at);
        if object != NO_OBJECT && problem.is_none() {
            lock_order::acquired(&e.log, thread, object, at, shared, tried);
        }
        problem
    })
    .flatten();
    if let Some(message) = problem {
        step_failed(message);
    }
}

/// The current thread releases the lock `object`: the event, the hold and
/// the clock, in one recorder access.
#[inline]
pub(crate) fn lock_released(object: usize, at: Loc, op: Op) {
    if object == NO_OBJECT {
        return;
    }
    let shared = matches!(op, Op::ReadUnlock);
    let problem = with(|e| {
        if e.torn_down {
            return None;
        }
        let problem = e.push_event(op, object, at);
        let me = e.current;
        lock_order::released(me, object);
        let holds = &mut e.log.threads[me].holds;
        if let Some(i) = holds.iter().rposition(|h| h.object == object) {
            holds.remove(i);
        }
        if shared {
            // C11: a read-unlock is ordered before the next write-lock,
            // not before another reader's read-lock.
            e.release_reader_clock(object);
        } else {
            e.release_clock(object);
        }
        problem
    })
    .flatten();
    if let Some(message) = problem {
        step_failed(message);
    }
}

impl Execution {
    /// Appends a step; `Some(message)` when the execution must fail (step
    /// limit, or a replay that no longer matches).
    pub(super) fn push_event(&mut self, op: Op, object: usize, location: Loc) -> Option<String> {
        self.push_step(op, object, location, None)
    }

    /// [`Execution::push_event`], with an atomic operation's detail.
    pub(super) fn push_step(
        &mut self,
        op: Op,
        object: usize,
        location: Loc,
        atomic: Option<AtomicAccess>,
    ) -> Option<String> {
        if self.torn_down {
            // The interleaving ends at the failing step: nothing the engine
            // does while tearing the execution down is part of it.
            return None;
        }
        let step = self.log.steps.len() + 1;
        let thread = self.current;
        let object = (object != NO_OBJECT).then_some(object);
        // Steps taken while unwinding after a panic (guards and `Arc`s
        // dropped) are not part of the recorded failure: the trace ends at
        // the panic, so they are not compared.
        let unwinding = std::thread::panicking();
        if !unwinding {
            if let Some(caught) = self.unwinding.get_mut(thread) {
                *caught = None;
            }
            if let Some(message) = self.replay_diverged(step, thread, &op, object, location) {
                return Some(message);
            }
        }
        self.log.steps.push(Event {
            step,
            thread,
            op,
            object,
            location,
            atomic,
        });
        if step > self.max_steps && self.failure.is_none() {
            let failure = self.knot_at_step_limit().unwrap_or_else(|| DetectedFailure {
                kind: FailureKind::StepLimit,
                message: format!(
                    "the execution ran more than {} steps without finishing: a livelock, or a loop that never ends (raise the limit with WEFT_MAX_STEPS if it is legitimately long)",
                    self.max_steps
                ),
                thread: Some(thread),
                location: Some(location),
                race: None,
            });
            let message = failure.message.clone();
            self.failure = Some(failure);
            self.torn_down = true;
            return Some(message);
        }
        None
    }

    pub(super) fn stop_waiting(&mut self, thread: usize) {
        self.current = thread;
        let t = &mut self.log.threads[thread];
        t.state = ThreadState::Running;
        t.waiting = None;
    }
}

/// One atomic access by `thread`: its happens-before effect under C11
/// (on shuttle, where weft checks races) and its step, in one recorder
/// access. `read`/`write` are the orderings of its load and store parts.
#[inline]
pub(crate) fn atomic_access(
    thread: usize,
    object: usize,
    op: Op,
    at: Loc,
    (read, write): (Option<Ordering>, Option<Ordering>),
    detail: AtomicAccess,
) {
    let outcome = with(|e| {
        e.current = thread;
        let race = if engine::WEFT_DETECTS_RACES && object != NO_OBJECT {
            e.atomic_clocks(object, at, read, write)
        } else {
            None
        };
        (e.push_step(op, object, at, Some(detail)), race)
    });
    match outcome {
        Some((Some(message), _)) => step_failed(message),
        Some((None, Some(race))) => fail_race(race),
        _ => {}
    }
}

/// A memory fence by `thread`: C11's fence synchronization, and its step.
pub(crate) fn fence(thread: usize, order: Ordering, at: Loc) {
    let problem = with(|e| {
        e.current = thread;
        if engine::WEFT_DETECTS_RACES {
            e.fence_clocks(order);
        }
        e.push_event(Op::Fence, NO_OBJECT, at)
    })
    .flatten();
    if let Some(message) = problem {
        step_failed(message);
    }
}

/// Registers a thread about to be spawned by the current thread.
pub(crate) fn new_thread(name: Option<String>, spawned_at: Loc) -> usize {
    let limit = engine::MAX_SPAWNED_THREADS;
    let result = with(|e| {
        let id = e.log.threads.len();
        if let Some(max) = limit {
            if id > max {
                return Err(format!(
                    "this model spawns a {}th thread at {spawned_at}, but {} models at most {max} threads besides main; run it on shuttle (cargo test --features shuttle), which has no limit, or spawn fewer threads",
                    id,
                    crate::explore::Backend::current()
                ));
            }
        }
        let parent = e.current;
        e.log.threads.push(ThreadInfo {
            id,
            name: name.unwrap_or_else(|| format!("thread-{id}")),
            state: ThreadState::Running,
            holds: Vec::new(),
            waiting: None,
            spawned_at: Some(spawned_at),
            joined: false,
        });
        e.spawn_clock(parent, id);
        Ok(id)
    });
    match result {
        Some(Ok(id)) => id,
        Some(Err(message)) => fail(DetectedFailure {
            kind: FailureKind::Unsupported,
            message,
            thread: Some(current()),
            location: Some(spawned_at),
            race: None,
        }),
        None => NO_OBJECT,
    }
}

/// Marks a thread finished.
pub(crate) fn thread_finished(thread: usize) {
    with(|e| {
        if let Some(t) = e.log.threads.get_mut(thread) {
            t.state = ThreadState::Finished;
            t.waiting = None;
        }
    });
}

/// The current thread joined `child`: it now knows everything `child` did.
pub(crate) fn thread_joined(child: usize) {
    with(|e| {
        let me = e.current;
        if let Some(t) = e.log.threads.get_mut(child) {
            t.joined = true;
        }
        join_clocks(&mut e.clocks, me, child);
    });
}

/// The current thread starts waiting. Fails the execution as a deadlock
/// when the wait closes a cycle of waits (see `partial_deadlock`).
#[inline]
pub(crate) fn wait_for(kind: WaitKind, object: usize, thread: Option<usize>, at: Loc) {
    let deadlock = with(|e| {
        let me = e.current;
        let t = &mut e.log.threads[me];
        t.state = ThreadState::Blocked;
        t.waiting = Some(Waiting {
            kind,
            object: (object != NO_OBJECT).then_some(object),
            thread,
            at,
            woken: false,
        });
        e.partial_deadlock()
    })
    .flatten();
    if let Some(deadlock) = deadlock {
        fail(deadlock);
    }
}

/// `thread` stopped waiting (it returns to running weft code).
#[inline]
pub(crate) fn done_waiting(thread: usize) {
    with(|e| e.stop_waiting(thread));
}

/// A notification woke `thread`, which has not run since: it waits for
/// nothing any more (see [`crate::knot::needs_at_end`]). Called in the
/// step that made the thread runnable: the DPOR search orders the steps
/// the thread runs until it is done waiting after that one (see
/// `effects_since`).
pub(crate) fn woken(thread: usize) {
    with(|e| {
        e.woke.push(thread);
        if let Some(w) = e
            .log
            .threads
            .get_mut(thread)
            .and_then(|t| t.waiting.as_mut())
        {
            w.woken = true;
        }
    });
}
