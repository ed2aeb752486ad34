//! Python's `concurrent.futures` on weft's checkable primitives: a
//! [`ThreadPool`] that runs tasks and hands back a [`Future`] for each,
//! [`wait`] and [`as_completed`].
//!
//! ```
//! # weft_sync::explore::doc_example(|| {
//! use weft_patterns::executor::{as_completed, wait, FutureError, ReturnWhen, ThreadPool};
//! use weft_sync::time::Duration;
//!
//! let pool = ThreadPool::builder(2).thread_name_prefix("demo").build().unwrap();
//! let futures: Vec<_> = (0..8u64).map(|i| pool.submit(move || i * i).unwrap()).collect();
//!
//! // Wait for all of them (at most 10 s), then read them.
//! let outcome = wait(&futures, Some(Duration::from_secs(10)), ReturnWhen::AllCompleted);
//! assert!(outcome.not_done.is_empty());
//! let total: u64 = futures.iter().map(|f| f.result(None).unwrap()).sum();
//! assert_eq!(total, 140);
//!
//! // A panicking task fails its own future only.
//! let bad = pool.submit(|| -> u64 { panic!("bad input") }).unwrap();
//! let good = pool.submit(|| 1).unwrap();
//! assert_eq!(bad.result(None), Err(FutureError::Panicked("bad input".into())));
//! for future in as_completed([good], None) {
//!     assert_eq!(future.unwrap().result(None), Ok(1));
//! }
//! pool.shutdown(true, false);
//! # });
//! ```
//!
//! | Python `concurrent.futures` | here |
//! | --- | --- |
//! | `ThreadPoolExecutor(max_workers, thread_name_prefix, initializer)` | [`ThreadPool::new`], [`ThreadPool::with_default_workers`] ([`default_max_workers`]: `min(32, cpus + 4)`), [`ThreadPoolBuilder`] |
//! | `submit(fn)` | [`ThreadPool::submit`] → `Result<Future<T>, SubmitError>` |
//! | `map(fn, iterable, timeout, chunksize, buffersize)` | [`ThreadPool::map`] with [`MapOptions`] → [`MapResults`] |
//! | `multiprocessing.Pool.imap`, `imap_unordered(func, iterable, chunksize)` | [`ProcessPool::imap`] → [`ProcessMapResults`], [`ProcessPool::imap_unordered`] → [`UnorderedMapResults`] |
//! | `Executor` (the abstract base) | the [`Executor`] trait, implemented by [`ThreadPool`] and [`ProcessPool`] |
//! | a bare `Future()` with `set_result`/`set_exception` | [`Future::pending`] → ([`Future`], [`Promise`]) |
//! | `shutdown(wait, cancel_futures)`, `with` block | [`ThreadPool::shutdown`], `Drop` |
//! | `Future.result/exception/done/running/cancelled/cancel/add_done_callback` | the same names on [`Future`] |
//! | `wait(fs, timeout, return_when)` | [`wait`] with [`ReturnWhen`] → [`DoneAndNotDone`] |
//! | `as_completed(fs, timeout)` | [`as_completed`] → [`AsCompleted`] |
//! | `CancelledError`, `TimeoutError`, exceptions, `BrokenExecutor` | [`FutureError`], [`SubmitError`], [`AsCompletedTimeout`] |
//!
//! Rust types instead of exceptions: a future's value is moved out by the
//! first successful [`Future::result`] (later calls return
//! [`FutureError::AlreadyTaken`]), so `T` need not be `Clone`.
//!
//! Everything is built on `weft_sync` primitives, so under
//! `--features loom` or `--features shuttle` the pool, its queue and its
//! futures are model-checked like user code, and time is virtual.

mod as_completed;
mod as_future;
mod backoff;
mod error;
mod future;
mod interface;
mod job;
mod map;
mod map_options;
mod process_pool;
mod thread_pool;
mod thread_pool_builder;
mod wait;
mod watcher;
mod worker;

pub use as_completed::{as_completed, AsCompleted};
pub use as_future::AsFuture;
pub use error::{AsCompletedTimeout, BuildError, FutureError, SubmitError};
pub use future::{Future, FutureState, Promise};
pub use interface::Executor;
pub use map::MapResults;
pub use map_options::MapOptions;
pub use process_pool::{
    ProcessMapResults, ProcessPool, ProcessPoolBuilder, UnorderedMapResults,
    DEFAULT_WORKER_NAME_PREFIX,
};
pub use thread_pool::ThreadPool;
pub use thread_pool_builder::{default_max_workers, ThreadPoolBuilder, DEFAULT_THREAD_NAME_PREFIX};
pub use wait::{wait, DoneAndNotDone, ReturnWhen};
