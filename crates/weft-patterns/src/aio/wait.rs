//! [`wait`]: wait for some of several tasks.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use weft_sync::time::Duration;

use super::sleep::{sleep, Sleep};
use super::task::Task;

/// When [`wait`] returns (Python's `asyncio.FIRST_COMPLETED`, ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReturnWhen {
    /// As soon as one task has finished (or was cancelled).
    FirstCompleted,
    /// As soon as one task has panicked, else when all have finished.
    FirstException,
    /// When every task has finished.
    AllCompleted,
}

/// Waits for tasks until `return_when` holds, and returns them split as
/// `(done, pending)`, each in input order (Python's `asyncio.wait`). The
/// tasks are not cancelled; with no tasks it returns at once.
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use std::time::Duration;
/// use weft_patterns::aio::{self, ReturnWhen};
///
/// let ms = Duration::from_millis;
/// let (done, pending) = aio::run(async move {
///     let fast = aio::create_task_named("fast", aio::sleep(ms(1)));
///     let slow = aio::create_task_named("slow", aio::sleep(ms(60_000)));
///     aio::wait(vec![fast, slow], ReturnWhen::FirstCompleted).await
/// });
/// assert_eq!(done[0].name(), "fast");
/// assert_eq!(pending[0].name(), "slow");
/// # });
/// ```
pub fn wait<T>(tasks: impl IntoIterator<Item = Task<T>>, return_when: ReturnWhen) -> Wait<T> {
    Wait {
        tasks: tasks.into_iter().collect(),
        return_when,
        deadline: None,
    }
}

/// Like [`wait`], but returns when `timeout` has passed on the loop's
/// clock, whatever has finished by then (Python's `asyncio.wait(...,
/// timeout=)`).
///
/// # Panics
///
/// When polled outside a running loop.
pub fn wait_timeout<T>(
    tasks: impl IntoIterator<Item = Task<T>>,
    return_when: ReturnWhen,
    timeout: Duration,
) -> Wait<T> {
    Wait {
        tasks: tasks.into_iter().collect(),
        return_when,
        deadline: Some(sleep(timeout)),
    }
}

/// The future returned by [`wait`] and [`wait_timeout`].
#[must_use = "futures do nothing unless awaited"]
pub struct Wait<T> {
    tasks: Vec<Task<T>>,
    return_when: ReturnWhen,
    deadline: Option<Sleep>,
}

impl<T> Wait<T> {
    fn split(&mut self) -> (Vec<Task<T>>, Vec<Task<T>>) {
        let (done, pending): (Vec<_>, Vec<_>) = std::mem::take(&mut self.tasks)
            .into_iter()
            .partition(Task::done);
        for t in &pending {
            t.clear_joiner();
        }
        (done, pending)
    }
}

impl<T: 'static> Future for Wait<T> {
    type Output = (Vec<Task<T>>, Vec<Task<T>>);

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let mut done = 0;
        let mut panicked = false;
        for t in &this.tasks {
            if t.poll_done(cx).is_ready() {
                done += 1;
                panicked |= t.panicked();
            }
        }
        let finished = match this.return_when {
            ReturnWhen::FirstCompleted => done > 0 || this.tasks.is_empty(),
            ReturnWhen::FirstException => panicked || done == this.tasks.len(),
            ReturnWhen::AllCompleted => done == this.tasks.len(),
        };
        let timed_out = match &mut this.deadline {
            Some(d) if !finished => Pin::new(d).poll(cx).is_ready(),
            _ => false,
        };
        if finished || timed_out {
            this.deadline = None;
            Poll::Ready(this.split())
        } else {
            Poll::Pending
        }
    }
}

impl<T> fmt::Debug for Wait<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Wait")
            .field("tasks", &self.tasks.len())
            .field("return_when", &self.return_when)
            .finish()
    }
}
