//! The process-pool executor: [`ProcessPool`], Python's
//! `ProcessPoolExecutor`, whose workers are child processes (isolated
//! threads under a checker), and its [`ProcessPoolBuilder`].
//!
//! The pool's parts, one per file: the shared queue and breakage
//! (`shared`), the per-worker handler thread (`handler`), a job and its
//! promises (`job`), the builder and the pool itself.

mod builder;
mod handler;
mod job;
mod pool;
mod shared;

pub use builder::{ProcessPoolBuilder, DEFAULT_WORKER_NAME_PREFIX};
pub use pool::ProcessPool;
