//! weft's model runner: explore a concurrent closure on loom, shuttle or
//! real threads, and get failures a person can read.
//!
//! ```
//! use weft_check::Model;
//! use weft_sync::sync::atomic::{AtomicUsize, Ordering};
//! use weft_sync::sync::Arc;
//! use weft_sync::thread;
//!
//! let result = Model::new().name("fetch_add").explore(|| {
//!     let n = Arc::new(AtomicUsize::new(0).named("n"));
//!     let n2 = Arc::clone(&n);
//!     let h = thread::spawn(move || n2.fetch_add(1, Ordering::SeqCst));
//!     n.fetch_add(1, Ordering::SeqCst);
//!     h.join().unwrap();
//!     assert_eq!(n.load(Ordering::SeqCst), 2);
//! });
//! assert!(result.is_ok());
//! ```
//!
//! # Debugging a failure
//!
//! [`Model::explore`] returns the [`Failure`] as a value; [`Model::check`]
//! and [`model`] panic with its report: what failed, every thread with the
//! locks it holds and what it waits for (for a deadlock, the wait-for cycle
//! in words), the numbered steps of the failing interleaving with source
//! locations, and the command that replays exactly that schedule. On
//! shuttle, a searched failure is shrunk to a minimal schedule first, and
//! its [`FlipPoint`] names the one swap of two conflicting steps that makes
//! the model pass ([`Failure::flip_sentence`]).
//!
//! On loom, a failure in which a load read a stale value also names that
//! load, the store it read from and the newer store it did not see
//! ([`weak_memory`]), and the fewest, weakest ordering changes under which
//! the model passes, found by re-running it ([`repair`], bounded by
//! [`WEFT_REPAIR`]).
//!
//! # Limitations
//!
//! - A passing exploration is exhaustive ([`Stats::is_exhaustive`]) only
//!   when it searched every source of nondeterminism the model used;
//!   [`Stats::bounds`] says what bounded it otherwise.
//! - loom's DPOR search can skip interleavings that sequential consistency
//!   allows (loom issues #392 and #166), so a loom run is never called
//!   exhaustive ([`Bound::LoomDpor`]); run models on shuttle too.
//! - loom runs at most 4 spawned threads besides main; a model with more
//!   fails as [`FailureKind::Unsupported`] and should run on shuttle.
//! - shuttle treats every atomic access as sequentially consistent: bugs
//!   that need relaxed memory are found on loom only.
//! - In std mode the model is a stress run on real threads: nothing is
//!   explored and nothing can be replayed.

mod budget;
mod env;
mod error;
mod failure;
mod flip;
mod flip_point;
mod found;
mod minimize;
mod model;
mod partial;
mod progress;
mod report;
mod rerecord;
mod shrink;
mod stats;
mod trace_events;
mod unoptimized_hint;
mod weak_memory_hint;
mod weak_memory_report;
mod workers;

pub mod repair;
pub mod trace;
pub mod weak_memory;

pub use env::{
    check_env, WEFT_BUDGET, WEFT_ITERATIONS, WEFT_MAX_STEPS, WEFT_PREEMPTIONS, WEFT_PROGRESS,
    WEFT_REPLAY, WEFT_SCHEDULER, WEFT_SEED, WEFT_SHARD, WEFT_STD_TIMEOUT, WEFT_TIME_BUDGET,
    WEFT_TRACE_DIR, WEFT_WORKERS,
};
pub use error::ConfigError;
pub use failure::{BlockedThread, CycleEdge, Failure};
pub use flip_point::FlipPoint;
pub use found::Shrunk;
pub use model::{model, Model};
pub use repair::WEFT_REPAIR;
pub use stats::Stats;
pub use weft_sync::explore::{
    Access, AccessKind, Backend, Bound, FailureKind, FoundBy, Race, SchedulerKind,
    SchedulerKind as Scheduler,
};
pub use weft_sync::lockdep::{LockCycle, LockOrderEdge, Policy};
pub use weft_sync::record::{Coverage, OpClass};
