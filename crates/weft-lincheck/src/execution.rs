//! Runs one scenario inside a model execution and records its history.
//!
//! How the history is recorded, and why it is sound on every backend:
//! each operation reads a logical clock (a `std` atomic counter, one per
//! execution) just before it starts and again just after it returns. The
//! clock is deliberately *not* a weft primitive: it is invisible to the
//! checkers, so it adds no scheduling point and no dependency between
//! threads, and the exploration is the object's own. Under loom and
//! shuttle the threads of an execution run one at a time and switch only
//! at weft operations, so the clock's order is the order of events in the
//! explored execution (Lincheck's real time). On real threads (std
//! mode), a sequentially consistent counter read before the operation's
//! first step and after its last gives each operation an interval that
//! contains its real one. Either way the recorded intervals can only be
//! wider than the true ones: the check may accept a history a narrower
//! interval would reject, never the reverse, so a violation it reports is
//! real.
//!
//! Each operation's invocation and response are also recorded as steps
//! of the interleaving (`call ...`, `... returned ...`), where the report
//! shows them among the object's own steps.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use weft_sync::record::{user_event, Loc};

use crate::history::{thread_name, History, Operation, Part};
use crate::scenario::Scenario;
use crate::spec::Spec;

/// Runs `scenario` on a fresh object and returns what every operation
/// returned, with its interval.
///
/// # Panics
///
/// When an operation panics (the model fails with that panic) or a thread
/// cannot be spawned.
pub(crate) fn run<S: Spec>(scenario: &Scenario<S::Op>) -> History<S::Op, S::Ret> {
    let clock = Arc::new(AtomicU64::new(0));
    let conc = Arc::new(S::new_conc());
    let mut ops = Vec::with_capacity(scenario.ops());
    for op in &scenario.init {
        ops.push(record::<S>(&conc, &clock, Part::Init, op));
    }
    let handles: Vec<_> = scenario
        .parallel
        .iter()
        .enumerate()
        .map(|(i, thread_ops)| {
            let (conc, clock, thread_ops) = (conc.clone(), clock.clone(), thread_ops.clone());
            weft_sync::thread::Builder::new()
                .name(thread_name(i))
                .spawn(move || {
                    thread_ops
                        .iter()
                        .map(|op| record::<S>(&conc, &clock, Part::Thread(i), op))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_else(|e| panic!("weft-lincheck: cannot spawn {}: {e}", thread_name(i)))
        })
        .collect();
    for h in handles {
        match h.join() {
            Ok(done) => ops.extend(done),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }
    for op in &scenario.post {
        ops.push(record::<S>(&conc, &clock, Part::Post, op));
    }
    History::new(ops).unwrap_or_else(|e| panic!("weft-lincheck: a recorded history is wrong: {e}"))
}

fn record<S: Spec>(
    conc: &S::Conc,
    clock: &AtomicU64,
    part: Part,
    op: &S::Op,
) -> Operation<S::Op, S::Ret> {
    let at = Loc::caller();
    user_event(format!("call {op:?}"), at);
    let call = clock.fetch_add(1, Ordering::SeqCst);
    let result = S::run(conc, op);
    let ret = clock.fetch_add(1, Ordering::SeqCst);
    user_event(format!("{op:?} returned {result:?}"), at);
    Operation {
        part,
        op: op.clone(),
        result,
        call,
        ret,
    }
}
