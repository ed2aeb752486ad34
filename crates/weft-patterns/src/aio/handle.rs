//! [`Handle`]: a reference to an event loop that any thread may hold, and
//! [`run_coroutine_threadsafe`].

use std::fmt;
use std::future::Future;
use std::rc::Rc;
use std::sync::Arc;

use weft_sync::time::{Duration, Instant};

use super::callback::{self, CallbackHandle};
use super::catch_unwind::catch_unwind;
use super::core::Core;
use super::run_in_executor::{self, ExecutorFuture};
use super::task::{self, Task};
use super::waker::Remote;
use crate::executor::{self, FutureError, ThreadPool};

/// A loop was shut down (dropped, or `aio::run` returned): it takes no
/// more callbacks. Python raises `RuntimeError('Event loop is closed')`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("event loop is closed")]
pub struct LoopClosed;

/// A reference to an [`EventLoop`](super::EventLoop): what Python's
/// `asyncio.get_running_loop()` returns.
///
/// `Send` and `Sync`: another thread may keep it and hand the loop work
/// with [`call_soon_threadsafe`](Handle::call_soon_threadsafe) or
/// [`run_coroutine_threadsafe`]. Its other methods (`create_task`,
/// `call_soon`, `time`, ...) touch the loop's state and work only on the
/// loop's own thread, as in Python, whose loop methods are not
/// thread-safe.
///
/// While a `Handle` exists, an idle loop with nothing else to wake it
/// waits for a callback instead of reporting a deadlock (another thread
/// may still send one).
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use weft_patterns::aio::{self, EventLoop};
///
/// let lp = EventLoop::new();
/// let handle = lp.handle();
/// let task = handle.create_task_named("answer", async { 42 });
/// assert_eq!(task.name(), "answer");
/// drop(handle);
/// assert_eq!(lp.run(task), Ok(42));
/// # });
/// ```
pub struct Handle {
    remote: Arc<Remote>,
}

/// The panic message when a loop-thread method is called elsewhere.
const NOT_ON_LOOP_THREAD: &str = "this `aio::Handle` method works only on its loop's thread \
     (and while the loop exists): from another thread use `call_soon_threadsafe` or \
     `run_coroutine_threadsafe`";

impl Handle {
    pub(crate) fn new(core: &Core) -> Self {
        core.remote.handle_created();
        Handle {
            remote: Arc::clone(&core.remote),
        }
    }

    /// The loop, on its own thread.
    fn core(&self) -> Rc<Core> {
        Core::find(&self.remote).expect(NOT_ON_LOOP_THREAD)
    }

    /// Schedules `future` as a new task (named `Task-<n>`) and returns its
    /// handle. The task starts at the loop's next turn, also when the
    /// handle is dropped.
    ///
    /// # Panics
    ///
    /// Off the loop's thread.
    pub fn create_task<F>(&self, future: F) -> Task<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        task::spawn(&self.core(), None, true, future)
    }

    /// Schedules `future` as a new task named `name`: the name shows in
    /// [`Task::name`], in deadlock reports, and under a checker in traces.
    ///
    /// # Panics
    ///
    /// Off the loop's thread.
    pub fn create_task_named<F>(&self, name: impl Into<String>, future: F) -> Task<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let name: Rc<str> = Rc::from(name.into());
        task::spawn(&self.core(), Some(name), true, future)
    }

    /// Runs `callback` at the loop's next turn (Python's `loop.call_soon`).
    /// A panic in it is reported to the exception handler.
    ///
    /// # Panics
    ///
    /// Off the loop's thread.
    pub fn call_soon(&self, callback: impl FnOnce() + 'static) -> CallbackHandle {
        callback::call_soon(&self.core(), callback)
    }

    /// Runs `callback` once `delay` has passed on the loop's clock
    /// (Python's `loop.call_later`). Callbacks due at the same time run in
    /// the order they were scheduled (under a checker, in an explored order).
    ///
    /// # Panics
    ///
    /// Off the loop's thread.
    pub fn call_later(&self, delay: Duration, callback: impl FnOnce() + 'static) -> CallbackHandle {
        callback::call_later(&self.core(), delay, callback)
    }

    /// Runs `callback` on the loop at its next turn, from any thread
    /// (Python's `loop.call_soon_threadsafe`). It runs as a task named
    /// `call_soon_threadsafe`; a panic in it is reported to the loop's
    /// exception handler. A loop sleeping until its next timer, or waiting
    /// for another thread, wakes up for it.
    ///
    /// # Errors
    ///
    /// [`LoopClosed`] when the loop was shut down; the callback is dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// # weft_sync::explore::doc_example(|| {
    /// use weft_patterns::aio;
    /// use weft_sync::sync::mpsc::channel;
    /// use weft_sync::thread;
    ///
    /// let seen = aio::run(async {
    ///     let handle = aio::get_running_loop();
    ///     let (tx, rx) = channel();
    ///     let worker = thread::spawn(move || {
    ///         let send = move || tx.send(aio::current_task_name()).unwrap();
    ///         handle.call_soon_threadsafe(send).unwrap();
    ///     });
    ///     let seen = aio::to_thread(move || rx.recv().unwrap()).await.unwrap();
    ///     worker.join().unwrap();
    ///     seen
    /// });
    /// assert_eq!(seen.as_deref(), Some("call_soon_threadsafe"));
    /// # });
    /// ```
    pub fn call_soon_threadsafe(
        &self,
        callback: impl FnOnce() + Send + 'static,
    ) -> Result<(), LoopClosed> {
        self.remote
            .push_callback(Box::new(callback))
            .map_err(|_| LoopClosed)
    }

    /// Runs blocking `work` on the loop's default executor and returns a
    /// future of its result (Python's `loop.run_in_executor(None, work)`).
    /// See [`run_in_executor`](super::run_in_executor).
    ///
    /// # Panics
    ///
    /// Off the loop's thread, or when the executor cannot start a thread.
    pub fn run_in_executor<T, W>(&self, work: W) -> ExecutorFuture<T>
    where
        W: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        run_in_executor::start(&self.core(), work)
    }

    /// Makes `pool` the loop's default executor (Python's
    /// `loop.set_default_executor`). See
    /// [`set_default_executor`](super::set_default_executor).
    ///
    /// # Panics
    ///
    /// Off the loop's thread.
    pub fn set_default_executor(&self, pool: ThreadPool) {
        self.core().set_default_executor(pool);
    }

    /// The loop's clock (Python's `loop.time()`): the build's clock, plus
    /// under a checker the virtual time the loop skipped.
    ///
    /// # Panics
    ///
    /// Off the loop's thread.
    pub fn time(&self) -> Instant {
        self.core().now()
    }
}

impl Clone for Handle {
    fn clone(&self) -> Self {
        self.remote.handle_created();
        Handle {
            remote: Arc::clone(&self.remote),
        }
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        self.remote.handle_dropped();
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle").finish_non_exhaustive()
    }
}

/// Submits the future that `make` returns to the loop of `handle` from any
/// thread, and returns a
/// [`concurrent future`](crate::executor::Future) of its output (Python's
/// `asyncio.run_coroutine_threadsafe`): the other thread waits with
/// [`result`](crate::executor::Future::result).
///
/// `make` runs on the loop's thread, where the future is made and run as
/// a task named `run_coroutine_threadsafe`: the loop's futures (`sleep`,
/// the primitives) are not `Send`, so what crosses the threads is the
/// function that makes one (Python passes a coroutine object, which has
/// not started either). Its panic
/// fails the returned future with
/// [`FutureError::Panicked`](crate::executor::FutureError::Panicked); a
/// task dropped unfinished or never started (its loop shut down) fails it with
/// [`FutureError::Cancelled`](crate::executor::FutureError::Cancelled).
/// Cancelling the returned future before the task finishes discards the
/// task's output; the task itself runs on.
///
/// # Errors
///
/// [`LoopClosed`] when the loop was shut down.
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use weft_patterns::aio;
/// use weft_sync::thread;
///
/// let answer = aio::run(async {
///     let handle = aio::get_running_loop();
///     let asker = thread::spawn(move || {
///         let future = aio::run_coroutine_threadsafe(|| async { 6 * 7 }, &handle).unwrap();
///         future.result(None)
///     });
///     aio::to_thread(move || asker.join().unwrap()).await.unwrap()
/// });
/// assert_eq!(answer, Ok(42));
/// # });
/// ```
pub fn run_coroutine_threadsafe<M, F>(
    make: M,
    handle: &Handle,
) -> Result<executor::Future<F::Output>, LoopClosed>
where
    M: FnOnce() -> F + Send + 'static,
    F: Future + 'static,
    F::Output: Send + 'static,
{
    let (result, promise) = executor::Future::pending();
    // Dropped unrun (the loop shut down first), the callback cancels the
    // future through the guard.
    let guard = PromiseGuard(Some(promise));
    handle.call_soon_threadsafe(move || {
        let core = Core::current().expect("a callback runs on its loop");
        let name: Rc<str> = Rc::from("run_coroutine_threadsafe");
        let task = task::spawn(&core, Some(name), false, async move {
            let mut guard = guard;
            let outcome = catch_unwind(async move { make().await }).await;
            if let Some(promise) = guard.0.take() {
                match outcome {
                    Ok(value) => promise.set_result(value),
                    Err(message) => promise.set_error(FutureError::Panicked(message)),
                }
            }
        });
        drop(task);
    })?;
    Ok(result)
}

/// Fails the promise as cancelled when the task is dropped unfinished.
struct PromiseGuard<T>(Option<executor::Promise<T>>);

impl<T> Drop for PromiseGuard<T> {
    fn drop(&mut self) {
        if let Some(promise) = self.0.take() {
            promise.set_error(FutureError::Cancelled);
        }
    }
}
