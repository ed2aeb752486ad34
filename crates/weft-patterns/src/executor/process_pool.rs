//! The process-pool executor: [`ProcessPool`], Python's
//! `ProcessPoolExecutor`, whose workers are child processes (isolated
//! threads under a checker), and its [`ProcessPoolBuilder`].
//!
//! The pool's parts, one per file: the shared queue and breakage
//! (`shared`), the per-worker handler thread (`handler`), a job and where
//! its results go (`job`), `map`'s and `imap_unordered`'s iterators, the builder and the pool
//! itself.

mod builder;
mod handler;
mod job;
mod map_results;
mod pool;
mod shared;
mod unordered_results;

pub use builder::{ProcessPoolBuilder, DEFAULT_WORKER_NAME_PREFIX};
pub use map_results::ProcessMapResults;
pub use pool::ProcessPool;
pub use unordered_results::UnorderedMapResults;
