//! Lock-order checking (lockdep): potential deadlocks found without the
//! deadlock.
//!
//! Every run under a checker records the lock-order graph: an edge
//! `a → b`, with its source lines, each time a thread locks `b` (a
//! [`Mutex`](crate::sync::Mutex), an [`RwLock`](crate::sync::RwLock)
//! for reading or writing, or a primitive that says it holds one with
//! [`hold`], as `weft::threading`'s `Lock` and `RLock` do) while it holds
//! `a`. The graph outlives each
//! execution: it is the whole search's. A cycle is a potential deadlock
//! even when no execution deadlocked: `a → b` taken by one thread and
//! `b → a` by another, on a path taken once in a thousand runs, is
//! reported from the run that closed the cycle, as
//! [`FailureKind::PotentialDeadlock`](crate::explore::FailureKind::PotentialDeadlock)
//! with both acquisition paths ([`LockCycle`]). Linux's lockdep and the
//! `tracing-mutex` crate are the anchors.
//!
//! Locks are told apart across executions by class: the kind, the line
//! that created the lock, its name, and its rank among the locks of that
//! line and name in the execution (the second lock a loop creates is the
//! second in every execution). What adds no edge, so that correct
//! programs are not reported: a successful `try_lock` (it never blocks),
//! a read lock taken under a read lock (readers never wait for each
//! other), and the locks of one `weft::lock_order::lock_all` call among
//! themselves (see [`ordered`]).
//!
//! A deadlock is the better report: an execution that deadlocks never
//! acquires both orders, and the search goes on after a cycle closes. The
//! first cycle is reported, with the trace of the execution that closed
//! it, only if the search ends without another failure; a model that can
//! really deadlock is reported as a
//! [`Deadlock`](crate::explore::FailureKind::Deadlock) when the search
//! finds one. [`Policy`] turns the check into a warning or off
//! (`Model::lock_order`).
//!
//! ```
//! # weft_sync::explore::doc_example(|| {
//! use weft_sync::sync::Mutex;
//!
//! let (a, b) = (Mutex::new(0).named("a"), Mutex::new(0).named("b"));
//! // One order everywhere: no cycle, nothing to report.
//! let ga = a.lock().unwrap();
//! let gb = b.lock().unwrap();
//! drop((gb, ga));
//! # });
//! ```
//!
//! In std mode nothing is recorded unless the `lockdep` feature is on:
//! then the process keeps one graph and panics, with both paths, when it
//! first closes a cycle.

mod cycle;
#[cfg_attr(
    not(any(feature = "loom", feature = "shuttle", feature = "lockdep")),
    allow(dead_code)
)]
mod graph;
mod group;
mod hold;
mod policy;
#[cfg_attr(not(any(feature = "loom", feature = "shuttle")), allow(dead_code))]
mod shared;
#[cfg_attr(not(any(feature = "loom", feature = "shuttle")), allow(dead_code))]
mod tracker;
mod warned;

pub use cycle::{LockCycle, LockOrderEdge};
#[cfg(feature = "lockdep")]
pub(crate) use graph::{Added, Graph};
pub use group::{ordered, OrderedGroup};
pub use hold::{hold, unhold};
pub use policy::Policy;
#[cfg_attr(not(any(feature = "loom", feature = "shuttle")), allow(unused_imports))]
pub(crate) use shared::{current as shared_graph, with_shared, EdgeSite, GraphState, SharedGraph};
#[cfg_attr(not(any(feature = "loom", feature = "shuttle")), allow(unused_imports))]
pub(crate) use tracker::{Acquisition, Tracker};
#[cfg_attr(
    not(any(feature = "loom", feature = "shuttle", feature = "lockdep")),
    allow(unused_imports)
)]
pub(crate) use warned::warn;
pub use warned::warned;
