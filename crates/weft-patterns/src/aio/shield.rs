//! [`shield`]: work that a cancellation of its awaiter does not stop.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use super::context::NO_RUNNING_LOOP;
use super::core::Core;
use super::task::{self, Task};
use super::task_status::TaskError;

/// Runs `future` as a task of its own and returns a future of its output
/// that can be dropped (cancelled) without stopping it (Python's
/// `asyncio.shield`): a [`wait_for`](super::wait_for) or
/// [`Timeout`](super::Timeout) that gives up, or a [`Task::cancel`] of the
/// awaiting task, drops the [`Shield`], and the work goes on, named
/// `shield`.
///
/// As in asyncio, keep the work's result somewhere if it matters: a
/// panic of a shielded task nobody awaits any more is reported to the
/// loop's exception handler.
///
/// # Panics
///
/// When no loop runs on this thread.
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use std::cell::Cell;
/// use std::rc::Rc;
/// use std::time::Duration;
/// use weft_patterns::aio;
///
/// let ms = Duration::from_millis;
/// let saved = Rc::new(Cell::new(false));
/// let s = saved.clone();
/// let gave_up = aio::run(async move {
///     let save = aio::shield(async move {
///         aio::sleep(ms(5)).await;
///         s.set(true);
///     });
///     let gave_up = aio::wait_for(save, ms(1)).await.is_err();
///     aio::sleep(ms(10)).await; // the save goes on meanwhile
///     gave_up
/// });
/// assert!(gave_up && saved.get());
/// # });
/// ```
pub fn shield<F>(future: F) -> Shield<<F::IntoFuture as Future>::Output>
where
    F: IntoFuture,
    F::IntoFuture: 'static,
    <F::IntoFuture as Future>::Output: 'static,
{
    let core = Core::current().expect(NO_RUNNING_LOOP);
    let name: Rc<str> = Rc::from("shield");
    Shield {
        task: task::spawn(&core, Some(name), true, future.into_future()),
    }
}

/// The future returned by [`shield`]: the shielded task's output.
///
/// # Cancel safety
///
/// Dropping it leaves the work running: that is its purpose.
#[must_use = "futures do nothing unless awaited"]
pub struct Shield<T> {
    task: Task<T>,
}

impl<T> Shield<T> {
    /// The shielded task.
    pub fn task(&self) -> &Task<T> {
        &self.task
    }
}

impl<T: 'static> Future for Shield<T> {
    type Output = Result<T, TaskError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.task).poll(cx)
    }
}

impl<T> fmt::Debug for Shield<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shield").field("task", &self.task).finish()
    }
}
