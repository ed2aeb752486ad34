//! [`as_completed`]: iterate over futures in the order they finish, Python's
//! `concurrent.futures.as_completed`.

use std::collections::VecDeque;
use std::fmt;

use weft_sync::sync::Arc;
use weft_sync::time::Duration;

use super::as_future::AsFuture;
use super::error::AsCompletedTimeout;
use super::watcher::Watcher;
use weft_sync::time::Deadline;

/// Returns an iterator over `futures` that yields each one as it completes
/// (succeeds, fails or is cancelled): first those already done, in the
/// order given, then the others as they finish. When `timeout` (counted
/// from this call) runs out first, the iterator yields one
/// `Err(AsCompletedTimeout)` and ends; [`AsCompleted::into_remaining`] gives
/// back the futures it did not yield.
///
/// Futures may be given by value or by reference; see [`AsFuture`]. A future
/// given twice is yielded twice.
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use weft_patterns::executor::{as_completed, ThreadPool};
///
/// let pool = ThreadPool::new(2);
/// let futures: Vec<_> = (1..=3).map(|i| pool.submit(move || i).unwrap()).collect();
/// let mut sum = 0;
/// for future in as_completed(futures, None) {
///     sum += future.unwrap().result(None).unwrap();
/// }
/// assert_eq!(sum, 6);
/// # });
/// ```
pub fn as_completed<I>(futures: I, timeout: Option<Duration>) -> AsCompleted<I::Item>
where
    I: IntoIterator,
    I::Item: AsFuture,
{
    let deadline = Deadline::after(timeout);
    let watcher = Arc::new(Watcher::new());
    let mut slots = Vec::new();
    let mut ready = VecDeque::new();
    let mut pending = 0;
    for (index, future) in futures.into_iter().enumerate() {
        if future.as_future().watch(&watcher, index) {
            pending += 1;
        } else {
            ready.push_back(index);
        }
        slots.push(Some(future));
    }
    AsCompleted {
        total: slots.len(),
        slots,
        ready,
        pending,
        watcher,
        deadline,
        timed_out: false,
        completed: Vec::new(),
    }
}

/// The iterator of [`as_completed`].
pub struct AsCompleted<F: AsFuture> {
    /// The futures not yet yielded, at their input positions.
    slots: Vec<Option<F>>,
    /// Positions of completed futures not yet yielded.
    ready: VecDeque<usize>,
    /// Futures still watched (not yet reported complete).
    pending: usize,
    total: usize,
    watcher: Arc<Watcher>,
    deadline: Deadline,
    timed_out: bool,
    /// Scratch space for the watcher's reports.
    completed: Vec<usize>,
}

impl<F: AsFuture> AsCompleted<F> {
    /// Stops iterating and returns the futures not yet yielded, in the order
    /// they were given.
    pub fn into_remaining(mut self) -> Vec<F> {
        self.unwatch_all();
        std::mem::take(&mut self.slots)
            .into_iter()
            .flatten()
            .collect()
    }

    fn unwatch_all(&mut self) {
        if self.pending == 0 {
            return;
        }
        for future in self.slots.iter().flatten() {
            future.as_future().unwatch(&self.watcher);
        }
        self.pending = 0;
    }

    fn yield_ready(&mut self) -> Option<F> {
        while let Some(index) = self.ready.pop_front() {
            if let Some(future) = self.slots[index].take() {
                return Some(future);
            }
        }
        None
    }
}

impl<F: AsFuture> Iterator for AsCompleted<F> {
    type Item = Result<F, AsCompletedTimeout>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(future) = self.yield_ready() {
            return Some(Ok(future));
        }
        if self.pending == 0 || self.timed_out {
            return None;
        }
        if self.watcher.take(&mut self.completed, &self.deadline) {
            self.pending -= self.completed.len();
            self.ready.extend(self.completed.drain(..));
            return self.yield_ready().map(Ok);
        }
        self.timed_out = true;
        let unfinished = self.pending;
        self.unwatch_all();
        Some(Err(AsCompletedTimeout {
            unfinished,
            total: self.total,
        }))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.ready.len() + self.pending;
        (self.ready.len(), Some(left + 1))
    }
}

impl<F: AsFuture> Drop for AsCompleted<F> {
    fn drop(&mut self) {
        self.unwatch_all();
    }
}

impl<F: AsFuture> fmt::Debug for AsCompleted<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsCompleted")
            .field("total", &self.total)
            .field("ready", &self.ready.len())
            .field("pending", &self.pending)
            .field("timed_out", &self.timed_out)
            .finish()
    }
}
