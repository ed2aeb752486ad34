//! [`as_completed`]: tasks in the order they finish.

use std::fmt;
use std::future::poll_fn;
use std::task::{Context, Poll};

use super::task::Task;

/// Yields `tasks` in the order they finish (Python's
/// `asyncio.as_completed`, iterated with `async for`): each
/// [`next`](AsCompleted::next) waits for the next task to finish and
/// returns it, done, for its [`result`](Task::result).
///
/// The order is the order in which the loop finished the tasks, also for
/// tasks that finished while nobody waited. For a time limit, run the
/// loop under a [`Timeout`](super::Timeout).
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use std::time::Duration;
/// use weft_patterns::aio;
///
/// let order = aio::run(async {
///     let tasks: Vec<_> = [30u64, 10, 20]
///         .into_iter()
///         .map(|ms| {
///             aio::create_task(async move {
///                 aio::sleep(Duration::from_millis(ms)).await;
///                 ms
///             })
///         })
///         .collect();
///     let mut done = aio::as_completed(tasks);
///     let mut order = Vec::new();
///     while let Some(task) = done.next().await {
///         order.push(task.result().unwrap());
///     }
///     order
/// });
/// assert_eq!(order, [10, 20, 30]);
/// # });
/// ```
pub fn as_completed<T>(tasks: impl IntoIterator<Item = Task<T>>) -> AsCompleted<T> {
    AsCompleted {
        tasks: tasks.into_iter().collect(),
    }
}

/// The tasks of [`as_completed`], handed out as they finish.
pub struct AsCompleted<T> {
    tasks: Vec<Task<T>>,
}

impl<T: 'static> AsCompleted<T> {
    /// Waits for the next task to finish and returns it; `None` when every
    /// task was returned.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a task that finished while nobody waited is returned by
    /// the next call.
    pub async fn next(&mut self) -> Option<Task<T>> {
        poll_fn(|cx| self.poll_next(cx)).await
    }

    fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Task<T>>> {
        if self.tasks.is_empty() {
            return Poll::Ready(None);
        }
        let mut first: Option<(usize, u64)> = None;
        for (i, task) in self.tasks.iter().enumerate() {
            if task.poll_done(cx).is_ready() {
                let seq = task.finished_seq();
                if first.is_none_or(|(_, s)| seq < s) {
                    first = Some((i, seq));
                }
            }
        }
        match first {
            Some((i, _)) => {
                for task in &self.tasks {
                    task.clear_joiner();
                }
                Poll::Ready(Some(self.tasks.remove(i)))
            }
            None => Poll::Pending,
        }
    }

    /// Tasks not handed out yet.
    pub fn len(&self) -> usize {
        self.tasks.len()
    }

    /// Whether every task was handed out.
    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }
}

impl<T> fmt::Debug for AsCompleted<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsCompleted")
            .field("left", &self.tasks.len())
            .finish()
    }
}
