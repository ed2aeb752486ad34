//! `run_in_executor` / `to_thread`: blocking work on the loop's default
//! executor, a [`ThreadPool`], awaited on the loop.
//!
//! The loop creates its default executor lazily, at the first call (as
//! asyncio does): a [`ThreadPool`] of `min(32, cpus + 4)` workers on real
//! threads, one worker under a checker (each worker is a model thread, and
//! loom models at most four). [`set_default_executor`] replaces it. The
//! work is submitted with [`ThreadPool::submit`]; the pool's
//! [`Future`](crate::executor::Future) wakes the awaiting task from its
//! worker through a done-callback, which reaches the loop through its
//! cross-thread queue, so under a checker the hand-over is checked too.
//! The loop shuts its executors down (waiting for their work) when it is
//! dropped.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use weft_sync::capability;
use weft_sync::sync::{Mutex, PoisonError};

use super::context::NO_RUNNING_LOOP;
use super::core::Core;
use super::task_status::TaskError;
use crate::executor::{self, FutureError, ThreadPool};

/// The most workers a default executor has (Python's `min(32, cpus + 4)`).
const DEFAULT_MAX_WORKERS: usize = 32;

/// A new default executor for a loop.
fn default_executor() -> ThreadPool {
    let workers = if capability::real_threads() {
        let cpus = weft_sync::thread::available_parallelism().map_or(1, |n| n.get());
        (cpus + 4).min(DEFAULT_MAX_WORKERS)
    } else {
        1
    };
    match ThreadPool::builder(workers)
        .thread_name_prefix("aio-executor")
        .build()
    {
        Ok(pool) => pool,
        Err(error) => panic!("failed to build the loop's default executor: {error}"),
    }
}

pub(crate) fn start<T, W>(core: &Rc<Core>, work: W) -> ExecutorFuture<T>
where
    W: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let pool = core.default_executor(default_executor);
    let future = pool.submit(work).map_err(|e| match e {
        executor::SubmitError::Shutdown => TaskError::Executor(FutureError::Cancelled),
        other => TaskError::Executor(FutureError::BrokenPool(other.to_string())),
    });
    ExecutorFuture {
        future,
        waker: Arc::new(Mutex::new(None).named("aio executor waker")),
        registered: false,
    }
}

/// Runs blocking `work` on the running loop's default executor (Python's
/// `loop.run_in_executor(None, work)`). Same as
/// [`Handle::run_in_executor`](super::Handle::run_in_executor).
///
/// # Panics
///
/// When no loop runs on this thread, or the default executor cannot start
/// its threads.
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use weft_patterns::aio;
///
/// let sum = aio::run(async { aio::run_in_executor(|| (1..=10).sum::<u32>()).await });
/// assert_eq!(sum, Ok(55));
/// # });
/// ```
pub fn run_in_executor<T, W>(work: W) -> ExecutorFuture<T>
where
    W: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let core = Core::current().expect(NO_RUNNING_LOOP);
    start(&core, work)
}

/// Runs blocking `work` in another thread (Python's `asyncio.to_thread`):
/// the same as [`run_in_executor`], on the loop's default executor.
///
/// # Panics
///
/// As [`run_in_executor`].
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use weft_patterns::aio;
///
/// let text = aio::run(async { aio::to_thread(|| "read from disk".len()).await });
/// assert_eq!(text, Ok(14));
/// # });
/// ```
pub fn to_thread<T, W>(work: W) -> ExecutorFuture<T>
where
    W: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    run_in_executor(work)
}

/// Makes `pool` the running loop's default executor (Python's
/// `loop.set_default_executor`). Work already submitted to the previous one
/// goes on; the loop shuts every executor it had down when it is dropped.
///
/// # Panics
///
/// When no loop runs on this thread.
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use weft_patterns::aio;
/// use weft_patterns::executor::ThreadPool;
///
/// let n = aio::run(async {
///     aio::set_default_executor(ThreadPool::new(1));
///     aio::to_thread(|| 2 + 2).await
/// });
/// assert_eq!(n, Ok(4));
/// # });
/// ```
pub fn set_default_executor(pool: ThreadPool) {
    let core = Core::current().expect(NO_RUNNING_LOOP);
    core.set_default_executor(pool);
}

/// The result of work handed to the loop's executor by
/// [`run_in_executor`] or [`to_thread`].
///
/// Resolves to `Ok(value)`, `Err(TaskError::Panicked)` when the work
/// panicked, or `Err(TaskError::Executor)` when the executor could not run
/// it (shut down, broken). The work is queued at once, whether or not this
/// is awaited.
///
/// # Cancel safety
///
/// Dropping it does not stop the work (a thread cannot be interrupted);
/// the loop waits for its executors when it is dropped.
#[must_use = "futures do nothing unless awaited"]
pub struct ExecutorFuture<T> {
    future: Result<executor::Future<T>, TaskError>,
    /// The waker of the awaiting task, for the done-callback to wake.
    waker: Arc<Mutex<Option<Waker>>>,
    registered: bool,
}

impl<T: Send + 'static> Future for ExecutorFuture<T> {
    type Output = Result<T, TaskError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let future = match &this.future {
            Ok(future) => future,
            Err(error) => return Poll::Ready(Err(error.clone())),
        };
        {
            // Store the waker before looking at the future: a completion
            // after the look finds it here.
            let mut slot = this.waker.lock().unwrap_or_else(PoisonError::into_inner);
            match &*slot {
                Some(w) if w.will_wake(cx.waker()) => {}
                _ => *slot = Some(cx.waker().clone()),
            }
        }
        if !future.done() {
            if !this.registered {
                this.registered = true;
                let slot = Arc::clone(&this.waker);
                future.add_done_callback(move |_| {
                    let waker = slot.lock().unwrap_or_else(PoisonError::into_inner).take();
                    if let Some(w) = waker {
                        w.wake();
                    }
                });
            }
            if !future.done() {
                return Poll::Pending;
            }
        }
        // Let go of the waker: nothing will wake this task through it.
        let waker = this
            .waker
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        drop(waker);
        Poll::Ready(future.result(None).map_err(|e| match e {
            FutureError::Panicked(message) => TaskError::Panicked { message },
            FutureError::Cancelled => TaskError::Cancelled,
            other => TaskError::Executor(other),
        }))
    }
}

impl<T> Drop for ExecutorFuture<T> {
    fn drop(&mut self) {
        // Nobody awaits the result any more: let go of the waker, so that
        // the loop does not count on the executor to wake a task.
        let waker = self
            .waker
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        drop(waker);
    }
}

impl<T> fmt::Debug for ExecutorFuture<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let done = self.future.as_ref().map_or(true, executor::Future::done);
        f.debug_struct("ExecutorFuture")
            .field("done", &done)
            .finish()
    }
}
