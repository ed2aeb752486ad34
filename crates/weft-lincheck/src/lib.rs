//! Linearizability checking: does a concurrent object behave as if each
//! of its operations took effect at one instant between its call and its
//! return?
//!
//! Many concurrency bugs never crash, deadlock or race: every operation
//! looks atomic on its own, yet the results threads see come from no
//! one-at-a-time order of the operations (a `len()` that reads two
//! counters, a `get_or_insert` that returns a value nobody inserted).
//! Describe the object and a sequential model of it in a [`Spec`];
//! [`Lincheck`] draws scenarios of operations with proptest (an initial
//! sequential part, one list of operations per thread, a final sequential
//! part), explores each with the model runner on the selected backend
//! (loom, shuttle, or real threads in std mode), checks the history of
//! every execution with a memoizing Wing–Gong/Lowe search ([`check`]), and
//! shrinks a failing scenario to a small one. The failure is a
//! [`FailureKind::NotLinearizable`](weft_check::FailureKind) whose report
//! has a column per thread, each operation with its result, the longest
//! prefix that could be linearized and the interleaving that produced it.
//!
//! ```
//! use proptest::prelude::*;
//! use std::collections::VecDeque;
//! use weft_lincheck::{Lincheck, Spec};
//! use weft_sync::sync::Mutex;
//!
//! #[derive(Clone, Debug)]
//! enum Op {
//!     Push(u8),
//!     Pop,
//! }
//!
//! struct QueueSpec;
//!
//! impl Spec for QueueSpec {
//!     type Op = Op;
//!     type Ret = Option<u8>;
//!     type Conc = Mutex<VecDeque<u8>>; // the object under test, on weft primitives
//!     type Seq = VecDeque<u8>; // its sequential model
//!     fn new_conc() -> Self::Conc {
//!         Mutex::new(VecDeque::new())
//!     }
//!     fn new_seq() -> Self::Seq {
//!         VecDeque::new()
//!     }
//!     fn ops() -> BoxedStrategy<Op> {
//!         prop_oneof![(0..4u8).prop_map(Op::Push), Just(Op::Pop)].boxed()
//!     }
//!     fn run(conc: &Self::Conc, op: &Op) -> Option<u8> {
//!         let mut q = conc.lock().unwrap();
//!         match op {
//!             Op::Push(v) => {
//!                 q.push_back(*v);
//!                 None
//!             }
//!             Op::Pop => q.pop_front(),
//!         }
//!     }
//!     fn step(seq: &mut VecDeque<u8>, op: &Op) -> Option<u8> {
//!         match op {
//!             Op::Push(v) => {
//!                 seq.push_back(*v);
//!                 None
//!             }
//!             Op::Pop => seq.pop_front(),
//!         }
//!     }
//! }
//!
//! // Panics with the report if some execution is not linearizable.
//! Lincheck::new()
//!     .threads(2)
//!     .ops_per_thread(2)
//!     .scenarios(5)
//!     .iterations(20)
//!     .check::<QueueSpec>();
//! ```
//!
//! docs/lincheck.md is the guide, from a first spec to a caught bug, with
//! the limitations (scenario size, what a stress run on real threads can
//! and cannot show).

#![forbid(unsafe_code)]

pub mod check;
mod execution;
mod history;
mod lincheck;
#[cfg(test)]
mod queue_spec;
mod report;
mod scenario;
mod spec;
mod stats;

pub use check::{linearize, linearize_bounded, Search, Verdict, Violation};
pub use history::{thread_name, History, HistoryError, Operation, Order, Part};
pub use lincheck::{Lincheck, DEFAULT_ITERATIONS, DEFAULT_LOOM_PREEMPTIONS, MAX_SHRINK_STEPS};
pub use scenario::Scenario;
pub use spec::Spec;
pub use stats::{Caught, LincheckStats};
