//! `run_in_executor`: blocking work on another thread, awaited on the loop.
//!
//! Each call starts one plain `weft_sync::thread` (named `aio-executor`),
//! which runs the work, stores the result and wakes the awaiting task
//! through the loop's cross-thread queue. A thread per call keeps this
//! independent of `executor::ThreadPool`, which is being built alongside;
//! once it exists, this is where the pool would take over (Python's
//! default executor is a `ThreadPoolExecutor`). Under a checker the worker
//! is a model thread, so the hand-over of the result is checked too.

use std::fmt;
use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use weft_sync::record::panic_message;
use weft_sync::sync::{Mutex, PoisonError};
use weft_sync::thread::{self, JoinHandle};

use super::context::{self, NO_RUNNING_LOOP};
use super::core::Core;
use super::task::TaskError;

struct Slot<T> {
    result: Option<Result<T, TaskError>>,
    waker: Option<Waker>,
}

pub(crate) fn start<T, W>(core: &Rc<Core>, work: W) -> ExecutorFuture<T>
where
    W: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let shared = Arc::new(
        Mutex::new(Slot {
            result: None,
            waker: None,
        })
        .named("aio executor result"),
    );
    let worker_shared = Arc::clone(&shared);
    let thread = thread::Builder::new()
        .name("aio-executor")
        .spawn(move || {
            let result = panic::catch_unwind(AssertUnwindSafe(work)).map_err(|payload| {
                TaskError::Panicked {
                    message: panic_message(&*payload),
                }
            });
            let waker = {
                let mut slot = worker_shared.lock().unwrap_or_else(PoisonError::into_inner);
                slot.result = Some(result);
                slot.waker.take()
            };
            if let Some(w) = waker {
                w.wake();
            }
        })
        .expect("failed to start an aio-executor thread");
    ExecutorFuture {
        shared,
        thread: Some(thread),
        core: Rc::downgrade(core),
    }
}

/// Runs blocking `work` on another thread, from inside a task of the
/// running loop. Same as [`LoopHandle::run_in_executor`](super::LoopHandle::run_in_executor).
///
/// # Panics
///
/// When no loop runs on this thread, or a thread cannot be started.
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
    let core = context::current().expect(NO_RUNNING_LOOP);
    start(&core, work)
}

/// The result of work handed to another thread by `run_in_executor`.
///
/// Resolves to `Ok(value)`, or `Err(TaskError::Panicked)` when the work
/// panicked. The work starts at once, whether or not this is awaited.
///
/// # Cancel safety
///
/// Dropping it does not stop the work (a thread cannot be interrupted);
/// the loop joins the thread when it shuts down.
#[must_use = "futures do nothing unless awaited"]
pub struct ExecutorFuture<T> {
    shared: Arc<Mutex<Slot<T>>>,
    thread: Option<JoinHandle<()>>,
    core: Weak<Core>,
}

impl<T> Future for ExecutorFuture<T> {
    type Output = Result<T, TaskError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let result = {
            let mut slot = self.shared.lock().unwrap_or_else(PoisonError::into_inner);
            match slot.result.take() {
                Some(result) => result,
                None => {
                    match &slot.waker {
                        Some(w) if w.will_wake(cx.waker()) => {}
                        _ => slot.waker = Some(cx.waker().clone()),
                    }
                    return Poll::Pending;
                }
            }
        };
        // The worker has stored its result; all it has left is to exit.
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        Poll::Ready(result)
    }
}

impl<T> Drop for ExecutorFuture<T> {
    fn drop(&mut self) {
        if let Some(thread) = self.thread.take() {
            // Nobody awaits the result any more: let go of the waker, so
            // that the loop does not count on this thread to wake a task.
            let waker = self
                .shared
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .waker
                .take();
            drop(waker);
            match self.core.upgrade() {
                Some(core) => core.keep_executor_thread(thread),
                None => drop(thread),
            }
        }
    }
}

impl<T> fmt::Debug for ExecutorFuture<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExecutorFuture")
            .field("finished", &self.thread.is_none())
            .finish()
    }
}
