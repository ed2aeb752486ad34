//! [`LoopHandle`]: a cheap, clonable reference to an event loop.

use std::fmt;
use std::future::Future;
use std::rc::Rc;

use weft_sync::time::{Duration, Instant};

use super::callback::{self, Handle};
use super::core::Core;
use super::executor::{self, ExecutorFuture};
use super::task::{self, Task};

/// A reference to an [`EventLoop`](super::EventLoop), for code that
/// schedules work on it: what Python's `asyncio.get_running_loop()`
/// returns. Clone it freely on the loop's thread; it is not `Send`.
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
/// assert_eq!(lp.run(task), Ok(42));
/// # });
/// ```
#[derive(Clone)]
pub struct LoopHandle {
    core: Rc<Core>,
}

impl LoopHandle {
    pub(crate) fn new(core: Rc<Core>) -> Self {
        LoopHandle { core }
    }

    /// Schedules `future` as a new task (named `Task-<n>`) and returns its
    /// handle. The task starts at the loop's next turn, also when the
    /// handle is dropped.
    pub fn create_task<F>(&self, future: F) -> Task<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        task::spawn(&self.core, None, true, future)
    }

    /// Schedules `future` as a new task named `name`: the name shows in
    /// [`Task::name`], in deadlock reports, and under a checker in traces.
    pub fn create_task_named<F>(&self, name: impl Into<String>, future: F) -> Task<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let name: Rc<str> = Rc::from(name.into());
        task::spawn(&self.core, Some(name), true, future)
    }

    /// Runs `callback` at the loop's next turn (Python's `loop.call_soon`).
    /// A panic in it is reported to the exception handler.
    pub fn call_soon(&self, callback: impl FnOnce() + 'static) -> Handle {
        callback::call_soon(&self.core, callback)
    }

    /// Runs `callback` once `delay` has passed on the loop's clock
    /// (Python's `loop.call_later`). Callbacks due at the same time run in
    /// the order they were scheduled (under a checker, in an explored order).
    pub fn call_later(&self, delay: Duration, callback: impl FnOnce() + 'static) -> Handle {
        callback::call_later(&self.core, delay, callback)
    }

    /// Runs blocking `work` on another thread and returns a future of its
    /// result (Python's `loop.run_in_executor(None, work)`). See
    /// [`ExecutorFuture`].
    ///
    /// # Panics
    ///
    /// When the operating system cannot start a thread.
    pub fn run_in_executor<T, W>(&self, work: W) -> ExecutorFuture<T>
    where
        W: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        executor::start(&self.core, work)
    }

    /// The loop's clock (Python's `loop.time()`): the build's clock, plus
    /// under a checker the virtual time the loop skipped.
    pub fn time(&self) -> Instant {
        self.core.now()
    }
}

impl fmt::Debug for LoopHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoopHandle").finish_non_exhaustive()
    }
}
