//! weft: deterministic concurrency testing and model checking.
//!
//! Write concurrent code once on [`sync`], [`thread`], [`cell`] and [`time`]:
//! std's own types in production, loom or shuttle under
//! `cargo test --features loom` / `--features shuttle`. What a port from
//! loom also needs is here, modelled under both checkers: [`alloc`] (leak
//! tracking), [`future`] (`block_on`, `spawn`, `yield_now`),
//! [`thread_local!`] (one value per model thread) and [`lazy_static!`]
//! (one value per execution); docs/porting-from-loom.md maps every
//! `loom::` item. Check it with
//! [`model`] or the [`Model`] builder; study failures in their reports and
//! trace files. [`sometimes!`] and [`reachable!`] fail a model whose
//! exploration never saw what they name ([`reach`]): no vacuous green.
//! [`lincheck`] checks that a concurrent object is linearizable against a
//! sequential specification, with proptest scenarios, on every checker.
//!
//! The patterns of Python's concurrency modules, built on the same
//! primitives and checked by models: [`threading`] (Lock, RLock, Condition,
//! Semaphore, BoundedSemaphore, Event, Barrier), [`executor`]
//! (`ThreadPool`, `ProcessPool`, `Future`, `wait`, `as_completed`),
//! [`process`] (`Process`, `Queue`, `pipe`), [`aio`] (an asyncio-style event loop) and
//! [`lock_order`].
//!
//! ```
//! use weft::sync::{Arc, Mutex};
//! use weft::thread;
//!
//! weft::model(|| {
//!     let n = Arc::new(Mutex::new(0).named("counter"));
//!     let hs: Vec<_> = (0..2)
//!         .map(|_| {
//!             let n = n.clone();
//!             thread::Builder::new()
//!                 .name("worker")
//!                 .spawn(move || *n.lock().unwrap() += 1)
//!                 .unwrap()
//!         })
//!         .collect();
//!     for h in hs {
//!         h.join().unwrap();
//!     }
//!     assert_eq!(*n.lock().unwrap(), 2);
//! });
//! ```

pub use weft_check::{
    model, Access, AccessKind, Backend, BlockedThread, Bound, ConfigError, CycleEdge, Failure,
    FailureKind, FoundBy, LockCycle, LockOrderEdge, Model, Policy, Race, Scheduler, SchedulerKind,
    Stats,
};
pub use weft_check::{repair, weak_memory};
pub use weft_lincheck as lincheck;
pub use weft_patterns::{aio, executor, lock_order, process, process_entry, threading};
pub use weft_sync::{
    alloc, cell, future, hint, lazy_static, lockdep, rand, reach, reachable, record, sometimes,
    sync, thread, thread_local, time,
};

/// Every pattern module under one path: the same modules as
/// `weft::threading`, `weft::executor`, `weft::process`, `weft::aio` and
/// `weft::lock_order`.
pub mod patterns {
    pub use weft_patterns::*;
}

/// The `WEFT_*` environment variables the runner reads.
pub mod env {
    pub use weft_check::{
        WEFT_ITERATIONS, WEFT_MAX_STEPS, WEFT_PREEMPTIONS, WEFT_PROGRESS, WEFT_REPAIR, WEFT_REPLAY,
        WEFT_SCHEDULER, WEFT_SEED, WEFT_SHARD, WEFT_STD_TIMEOUT, WEFT_TIME_BUDGET, WEFT_TRACE_DIR,
        WEFT_WORKERS,
    };
}
