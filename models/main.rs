//! weft's model suite: every file runs on whichever checker is enabled
//! (`cargo test --features loom`, `--features shuttle`), and the verified
//! models also run as stress tests on real threads (plain `cargo test`).
//! Tests that assert a bug is caught are gated to the checker features.

mod aio;
mod aio_patterns;
mod alloc;
mod arc;
mod cells;
mod counter;
mod data_race;
mod deadlock;
mod deep_bug;
mod dpor;
mod dpor_workers;
mod executor;
mod expectations;
mod first_pool;
mod flip_point;
mod futures;
mod lazy_statics;
mod lincheck;
mod livelock;
mod lock_order;
mod lockdep;
mod lost_update;
mod lost_wakeup;
mod orderings;
mod panics;
mod partial_deadlock;
mod philosophers;
// DPOR is shuttle's search: this file counts its executions.
#[cfg(feature = "shuttle")]
mod primitive_cost;
mod process_pool;
mod process_queue;
mod reach;
mod replay;
mod reports;
mod runner;
#[cfg(any(feature = "loom", feature = "shuttle"))]
mod support;
mod thread_locals;
mod thread_pool_cost;
mod threading;
// DPOR is shuttle's search: this file counts its executions.
#[cfg(feature = "shuttle")]
mod threading_cost;
mod timeouts;
mod verdicts;
mod weak_memory;
mod workers;
