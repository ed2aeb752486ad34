//! Panic capture: the panics weft's hook saw, which thread is unwinding
//! from which, and the panic that escaped a model thread and ended the
//! execution.

use super::super::engine;
use super::{slot, with, Execution};
use crate::record::{Loc, ThreadInfo};

/// A panic seen by weft's panic hook during the execution.
#[derive(Clone, Debug)]
pub(crate) struct CapturedPanic {
    pub(crate) message: String,
    pub(crate) location: Option<Loc>,
    pub(crate) thread: usize,
    /// Steps recorded before the panic: a report of it ends there.
    pub(crate) steps: usize,
    /// The threads as they were at the panic (before unwinding released
    /// their locks).
    pub(crate) threads: Vec<ThreadInfo>,
}

/// Whether the running model thread is unwinding a panic (its guards then
/// poison their locks). Both engines run model threads as coroutines on
/// one OS thread, so `std::thread::panicking()` stays true in every model
/// thread while one of them unwinds: the thread is unwinding only if the
/// panic is its own (the hook recorded it, and the thread has recorded no
/// step outside unwinding since, which it would after catching it).
pub(crate) fn unwinding() -> bool {
    std::thread::panicking()
        && with(|e| matches!(e.unwinding.get(e.current), Some(Some(_)))).unwrap_or(true)
}

/// Runs a model thread's closure; a panic that escapes it fails the
/// execution (both checkers fail the model on an uncaught panic). The
/// execution is torn down from then on: the engine will drop the other
/// threads' stacks (loom), and destructors must not touch its state.
pub(crate) fn run_thread<T>(f: impl FnOnce() -> T) -> T {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(v) => v,
        Err(payload) => {
            let message = crate::record::panic_message(payload.as_ref());
            with(|e| {
                e.torn_down = true;
                if e.escaped.is_none() {
                    // Another thread may still be unwinding from an earlier
                    // panic, and this one be its consequence (a poisoned
                    // lock, a closed channel): the earliest panic in flight
                    // is the failure.
                    let root = e.unwinding.iter().flatten().min().copied();
                    e.escaped = Some(match root {
                        Some(i) => (e.panics[i].message.clone(), Some(i)),
                        None => (message, None),
                    });
                }
            });
            engine::end_with_panic(payload)
        }
    }
}

/// The message of the panic that escaped a model thread and ended the
/// execution, if one did (the engine may not have seen it: see
/// `end_with_panic`).
pub(crate) fn escaped_panic(execution: &Execution) -> Option<String> {
    execution
        .escaped
        .as_ref()
        .map(|(message, _)| message.clone())
}

/// The recorded panic that ended the execution, when the hook saw it.
pub(crate) fn escaped_capture(execution: &Execution) -> Option<&CapturedPanic> {
    execution
        .escaped
        .as_ref()
        .and_then(|(_, i)| *i)
        .and_then(|i| execution.panics.get(i))
}

/// Records a panic seen by the hook; returns whether one was recorded.
pub(crate) fn capture_panic(message: String, location: Option<Loc>, torn_down: bool) -> bool {
    with(|e| {
        let thread = e.current;
        let index = e.panics.len();
        *slot(&mut e.unwinding, thread) = Some(index);
        e.panics.push(CapturedPanic {
            message,
            location,
            thread,
            steps: e.log.steps.len(),
            threads: e.log.threads.clone(),
        });
        if torn_down {
            e.torn_down = true;
        }
    })
    .is_some()
}
