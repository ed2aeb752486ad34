//! Runs one scenario inside a model execution and records its history.
//!
//! How the history is recorded, and why it is sound on every backend:
//! each operation reads a logical clock (a `std` atomic counter, one per
//! execution) just before it starts and again just after it returns. The
//! clock is deliberately *not* a weft primitive: it is invisible to the
//! checkers, so it adds no scheduling point and no dependency between
//! threads, and the exploration is the object's own.
//!
//! - shuttle: the threads of an execution run one at a time and switch
//!   only at weft operations, and every atomic is sequentially
//!   consistent, so the clock's order is the order of events in the
//!   explored execution, and that is the memory order: real time
//!   ([`Order::RealTime`]), as Lincheck's model checking mode uses.
//! - loom: the schedule's order is *not* the memory order. An operation
//!   that finished earlier in the schedule may not happen before a later
//!   one of another thread (a `SeqCst` load may read an older store that
//!   no synchronization rules out, and loom weakens `SeqCst` to
//!   acquire/release), so real time would report violations that no
//!   program can observe. loom's histories keep only the order the
//!   scenario creates, which happens-before guarantees: program order in
//!   each thread, spawn and join ([`Order::Program`]).
//! - std (real threads): a `SeqCst` read-modify-write of the clock before
//!   the operation's first step and after its last gives each operation an
//!   interval that contains its real one, and an operation whose response
//!   stamp is below another's invocation stamp happens before it (the
//!   clock's read-modify-writes synchronize): real time again. Those
//!   synchronizations are the harness's own and may hide a weak-memory
//!   bug that needs the two operations unordered; loom is the checker for
//!   those.
//!
//! In every case the recorded order can only be weaker than the true one:
//! a violation reported is one the program can show.
//!
//! Each operation's invocation and response are also recorded as steps
//! of the interleaving (`call ...`, `... returned ...`), where the report
//! shows them among the object's own steps.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use weft_sync::record::{user_event, Loc};

use crate::history::{thread_name, History, Operation, Order, Part};
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
    let order = if weft_check::Backend::current() == weft_check::Backend::Loom {
        Order::Program
    } else {
        Order::RealTime
    };
    History::new(ops)
        .unwrap_or_else(|e| panic!("weft-lincheck: a recorded history is wrong: {e}"))
        .with_order(order)
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
