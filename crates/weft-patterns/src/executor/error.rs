//! The executor's errors: why a future has no value, why a task could not be
//! submitted, why a pool could not be built, why `as_completed` stopped.

use std::io;

/// Why a [`Future`](super::Future) yields no value: Python's
/// `CancelledError`, `TimeoutError`, the task's exception, or a broken pool.
///
/// Errors are cheap to clone: [`Future::result`](super::Future::result)
/// returns the same error on every call.
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use weft_patterns::executor::{FutureError, ThreadPool};
///
/// let pool = ThreadPool::new(1);
/// let future = pool.submit(|| -> u32 { panic!("boom") }).unwrap();
/// assert_eq!(future.result(None), Err(FutureError::Panicked("boom".into())));
/// # });
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FutureError {
    /// The future was cancelled before its task started.
    #[error("cancelled")]
    Cancelled,
    /// The timeout expired before the future completed. The future is left
    /// as it was: a later call may still return its value.
    #[error("timed out")]
    Timeout,
    /// The task panicked; the panic's message.
    #[error("task panicked: {0}")]
    Panicked(String),
    /// The pool broke before the task could complete: a worker died or could
    /// not start. The message names the worker and the cause.
    #[error("pool broken: {0}")]
    BrokenPool(String),
    /// The task or its result could not be serialized (process pools).
    #[error("serialization failed: {0}")]
    Serialization(String),
    /// The value was already moved out by an earlier call to
    /// [`Future::result`](super::Future::result).
    #[error("result already taken")]
    AlreadyTaken,
    /// The work failed, as its [`Promise`](super::Promise) reported with
    /// [`Promise::set_error`](super::Promise::set_error): Python's
    /// `set_exception`. The message says why.
    #[error("failed: {0}")]
    Failed(String),
    /// The [`Promise`](super::Promise) of a
    /// [`Future::pending`](super::Future::pending) was dropped before it
    /// completed the future: nobody will ever set its result.
    #[error("promise dropped before it completed the future")]
    Abandoned,
}

/// Why [`ThreadPool::submit`](super::ThreadPool::submit) refused a task.
/// Python raises `RuntimeError` or `BrokenThreadPool` for these.
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use weft_patterns::executor::{SubmitError, ThreadPool};
///
/// let pool = ThreadPool::new(1);
/// pool.shutdown(true, false);
/// assert_eq!(pool.submit(|| 1).unwrap_err(), SubmitError::Shutdown);
/// # });
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SubmitError {
    /// The pool was shut down: it takes no new tasks.
    #[error("schedule a task after shutdown")]
    Shutdown,
    /// The pool is broken (an initializer panicked); the message says which
    /// worker and why.
    #[error("schedule a task on a broken pool: {0}")]
    Broken(String),
    /// No worker runs and the operating system refused to start one (the
    /// message names the worker and the error): nobody would run the
    /// task. Python's `RuntimeError: can't start new thread`. When a worker
    /// already runs, the task is queued for it instead.
    #[error("start a worker thread: {0}")]
    Spawn(String),
}

/// Why [`ThreadPoolBuilder::build`](super::ThreadPoolBuilder::build) could not make a pool.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// `max_workers` was 0: a pool needs at least one worker.
    #[error("build a pool with 0 workers (max_workers must be at least 1)")]
    ZeroWorkers,
    /// The operating system refused to start a worker thread (a
    /// [`ProcessPool`](super::ProcessPool)'s handler thread; a
    /// [`ThreadPool`](super::ThreadPool) starts its workers on demand and
    /// reports that as [`SubmitError::Spawn`]).
    #[error("spawn worker thread {name}")]
    Spawn {
        /// The name the worker would have had.
        name: String,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },
}

/// [`as_completed`](super::as_completed) ran out of time: Python's
/// `TimeoutError("N (of M) futures unfinished")`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{unfinished} (of {total}) futures unfinished")]
pub struct AsCompletedTimeout {
    /// How many futures had not completed when time ran out.
    pub unfinished: usize,
    /// How many futures were given.
    pub total: usize,
}
