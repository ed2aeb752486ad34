//! [`EventLoop`]: one thread, many tasks taking turns at `.await` points.

use std::fmt;
use std::future::Future;
use std::pin::pin;
use std::rc::Rc;
use std::task::Poll;

use weft_sync::time::{Duration, Instant};

use super::callback::{self, CallbackHandle};
use super::context;
use super::core::Core;
use super::handle::Handle;
use super::report::ExceptionHandler;
use super::run_in_executor::{self, ExecutorFuture};
use super::task::{self, Task};
use super::task_status::{LoopRef, TaskKey};

/// A single-threaded event loop: Python's `asyncio` loop, on standard
/// `std::future::Future`s and `std::task::Waker`s.
///
/// [`run`](EventLoop::run) drives a future to completion (`asyncio.run`'s
/// `run_until_complete`), running the tasks created with
/// [`create_task`](EventLoop::create_task) (or [`aio::create_task`](super::create_task) from
/// inside a task) in turns, one at a time, on the calling thread.
///
/// - **Scheduling**: ready tasks run in FIFO order in std mode. Under a
///   checker the next task is a choice the checker explores, so a race
///   between two tasks' await points is found.
/// - **Time**: in std mode the real clock; when no task is ready the loop
///   sleeps until its next timer (or a wakeup from another thread). Under
///   a checker the clock is virtual: when every task waits on a timer the
///   loop's clock jumps to the next one, and no one sleeps for real.
/// - **Deadlock**: when no task is ready, no timer is set, and no other
///   thread holds a task's waker, no task can ever run again: `run` panics
///   with a report naming each task and what it waits on (see
///   [`DEADLOCK_MESSAGE_PREFIX`](super::DEADLOCK_MESSAGE_PREFIX)).
/// - **Panics** in a task fail that task's [`Task`]; a panic of the main
///   future passed to `run` propagates out of `run`.
/// - **Dropping the loop** drops the tasks still pending and reports each
///   one ([`LoopReport::PendingTaskDestroyed`](super::LoopReport::PendingTaskDestroyed)), then joins the threads
///   started by [`run_in_executor`](EventLoop::run_in_executor).
///
/// The loop, its tasks and the primitives of [`aio`](super) are not `Send`:
/// they live on the loop's thread.
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use std::time::Duration;
/// use weft_patterns::aio::{self, EventLoop};
///
/// let lp = EventLoop::new();
/// let total = lp.run(async {
///     let slow = aio::create_task(async {
///         aio::sleep(Duration::from_millis(2)).await;
///         2
///     });
///     let fast = aio::create_task(async { 1 });
///     slow.await.unwrap() + fast.await.unwrap()
/// });
/// assert_eq!(total, 3);
/// # });
/// ```
pub struct EventLoop {
    core: Rc<Core>,
}

impl EventLoop {
    /// Creates an event loop with no task.
    pub fn new() -> Self {
        let core = Core::new();
        let as_ref: Rc<dyn LoopRef> = core.clone();
        context::register(&as_ref);
        EventLoop { core }
    }

    /// Runs `future` to completion on this thread, running the loop's tasks
    /// meanwhile, and returns its output. Tasks still pending when it
    /// returns stay in the loop (a later `run` continues them).
    ///
    /// `future` may borrow from the caller; it is the loop's task named
    /// `main`.
    ///
    /// # Panics
    ///
    /// - when the loop is already running (`run` called from one of its
    ///   own tasks);
    /// - when every task waits and nothing can wake one (a deadlock: see
    ///   the type's docs);
    /// - when `future` panics (the panic propagates).
    pub fn run<F: Future>(&self, future: F) -> F::Output {
        let core = &self.core;
        assert!(core.start_running(), "this event loop is already running");
        let as_ref: Rc<dyn LoopRef> = core.clone();
        let _entered = context::enter(&as_ref);
        let main = core.insert_main();
        let _guard = RunGuard { core, main };
        let mut future = pin!(future);
        loop {
            for callback in core.collect_remote() {
                let name = "call_soon_threadsafe";
                drop(callback::call_soon_named(core, name, callback));
            }
            core.fire_due_timers();
            let batch = core.ready_len();
            if batch == 0 {
                core.idle();
                continue;
            }
            for _ in 0..batch {
                let Some(key) = core.pop_ready() else { break };
                if key == main {
                    if let Poll::Ready(output) = core.poll_main(main, future.as_mut()) {
                        return output;
                    }
                } else {
                    core.poll_task(key);
                }
            }
        }
    }

    /// A handle to this loop, to keep inside tasks or send to another
    /// thread (see [`Handle`]).
    pub fn handle(&self) -> Handle {
        Handle::new(&self.core)
    }

    /// Schedules `future` as a new task. Same as [`Handle::create_task`].
    pub fn create_task<F>(&self, future: F) -> Task<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        task::spawn(&self.core, None, true, future)
    }

    /// Schedules `future` as a new task with a name. Same as
    /// [`Handle::create_task_named`].
    pub fn create_task_named<F>(&self, name: impl Into<String>, future: F) -> Task<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        task::spawn(&self.core, Some(Rc::from(name.into())), true, future)
    }

    /// Runs `callback` at the loop's next turn. Same as [`Handle::call_soon`].
    pub fn call_soon(&self, callback: impl FnOnce() + 'static) -> CallbackHandle {
        callback::call_soon(&self.core, callback)
    }

    /// Runs `callback` after `delay`. Same as [`Handle::call_later`].
    pub fn call_later(&self, delay: Duration, callback: impl FnOnce() + 'static) -> CallbackHandle {
        callback::call_later(&self.core, delay, callback)
    }

    /// Runs blocking `work` on another thread. Same as
    /// [`Handle::run_in_executor`].
    pub fn run_in_executor<T, W>(&self, work: W) -> ExecutorFuture<T>
    where
        W: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        run_in_executor::start(&self.core, work)
    }

    /// Makes `pool` the loop's default executor. Same as
    /// [`Handle::set_default_executor`].
    pub fn set_default_executor(&self, pool: crate::executor::ThreadPool) {
        self.core.set_default_executor(pool);
    }

    /// The loop's clock. Same as [`Handle::time`].
    pub fn time(&self) -> Instant {
        self.core.now()
    }

    /// Replaces the handler of [`LoopReport`](super::LoopReport)s (Python's
    /// `loop.set_exception_handler`); `None` restores the default, which
    /// emits a `tracing` warning and, in debug builds, prints to stderr.
    pub fn set_exception_handler(&self, handler: Option<ExceptionHandler>) {
        self.core.set_handler(handler.map(Rc::from));
    }

    /// Drops every pending task without reporting it (as `asyncio.run`
    /// cancels the tasks left when its main coroutine returns) and joins
    /// the executor threads.
    pub(crate) fn cancel_all(&self) {
        self.core.shutdown(false);
    }
}

impl Default for EventLoop {
    fn default() -> Self {
        EventLoop::new()
    }
}

impl Drop for EventLoop {
    fn drop(&mut self) {
        self.core.shutdown(true);
    }
}

impl fmt::Debug for EventLoop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventLoop").finish_non_exhaustive()
    }
}

/// Restores the loop's state when `run` returns or unwinds.
struct RunGuard<'a> {
    core: &'a Rc<Core>,
    main: TaskKey,
}

impl Drop for RunGuard<'_> {
    fn drop(&mut self) {
        self.core.stop_running();
        self.core.remove_main(self.main);
    }
}

/// Runs `future` on a new event loop and returns its output: Python's
/// `asyncio.run`. Tasks still pending when `future` finishes (or panics)
/// are dropped (cancelled) without a report, and the loop's executor
/// threads are joined.
///
/// # Panics
///
/// As [`EventLoop::run`].
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use weft_patterns::aio;
///
/// assert_eq!(aio::run(async { 1 + 1 }), 2);
/// # });
/// ```
pub fn run<F: Future>(future: F) -> F::Output {
    let lp = CancelAllOnDrop(EventLoop::new());
    lp.0.run(future)
}

/// `aio::run`'s loop: its leftover tasks are cancelled without a report,
/// also when the main future panics (as `asyncio.run` does).
struct CancelAllOnDrop(EventLoop);

impl Drop for CancelAllOnDrop {
    fn drop(&mut self) {
        self.0.cancel_all();
    }
}
