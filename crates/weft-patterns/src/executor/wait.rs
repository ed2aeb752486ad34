//! [`wait`]: block until some or all of several futures are done, Python's
//! `concurrent.futures.wait`.

use weft_sync::sync::Arc;
use weft_sync::time::Duration;

use super::as_future::AsFuture;
use super::future::FutureState;
use super::watcher::Watcher;
use weft_sync::time::Deadline;

/// When [`wait`] returns: Python's `FIRST_COMPLETED`, `FIRST_EXCEPTION`,
/// `ALL_COMPLETED`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReturnWhen {
    /// As soon as any future is done (or cancelled).
    FirstCompleted,
    /// As soon as any future fails ([`FutureState::Failed`]: its task
    /// panicked or its pool broke); cancellation does not count. Without a
    /// failure, the same as `AllCompleted`.
    FirstException,
    /// When every future is done.
    AllCompleted,
}

/// What [`wait`] returns: the futures that were done when it returned, and
/// the others, each in the order they were given. Python's
/// `DoneAndNotDoneFutures`.
#[derive(Debug)]
pub struct DoneAndNotDone<F> {
    /// The futures that are done (succeeded, failed or cancelled).
    pub done: Vec<F>,
    /// The futures that are not done.
    pub not_done: Vec<F>,
}

/// Waits, at most `timeout` (`None`: as long as it takes), until the
/// futures satisfy `return_when`, and returns them split into done and not
/// done. Running out of time is not an error: the not-done list says what
/// did not finish. Python's `concurrent.futures.wait`.
///
/// Futures may be given by value (they come back in the result) or by
/// reference; see [`AsFuture`].
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use weft_patterns::executor::{wait, ReturnWhen, ThreadPool};
///
/// let pool = ThreadPool::new(2);
/// let futures: Vec<_> = (0..4).map(|i| pool.submit(move || i * 10).unwrap()).collect();
/// let outcome = wait(&futures, None, ReturnWhen::AllCompleted);
/// assert_eq!(outcome.done.len(), 4);
/// assert!(outcome.not_done.is_empty());
/// # });
/// ```
pub fn wait<I>(
    futures: I,
    timeout: Option<Duration>,
    return_when: ReturnWhen,
) -> DoneAndNotDone<I::Item>
where
    I: IntoIterator,
    I::Item: AsFuture,
{
    let futures: Vec<I::Item> = futures.into_iter().collect();
    let deadline = Deadline::after(timeout);
    let mut progress = Progress::new(return_when, futures.len());
    for future in &futures {
        // One look at each (a checker orders each look against the
        // completing worker's steps).
        let state = future.as_future().state();
        if state.is_done() {
            progress.completed(state);
        }
    }
    if !progress.satisfied() && timeout != Some(Duration::ZERO) {
        block_until(&futures, return_when, &deadline);
    }
    let mut done = Vec::new();
    let mut not_done = Vec::new();
    for future in futures {
        if future.as_future().done() {
            done.push(future);
        } else {
            not_done.push(future);
        }
    }
    DoneAndNotDone { done, not_done }
}

/// Watches every future and blocks until `return_when` holds or the
/// deadline passes; unregisters the watcher before returning.
fn block_until<F: AsFuture>(futures: &[F], return_when: ReturnWhen, deadline: &Deadline) {
    let watcher = Arc::new(Watcher::new());
    let mut progress = Progress::new(return_when, futures.len());
    let mut watched = Vec::new();
    for (index, future) in futures.iter().enumerate() {
        let future = future.as_future();
        if future.watch(&watcher, index) {
            watched.push(index);
        } else {
            progress.completed(future.state());
        }
    }
    let mut completed = Vec::new();
    while !progress.satisfied() {
        if !watcher.take(&mut completed, deadline) {
            break;
        }
        for index in completed.drain(..) {
            progress.completed(futures[index].as_future().state());
        }
    }
    for index in watched {
        futures[index].as_future().unwatch(&watcher);
    }
}

/// Counts completions against the condition.
struct Progress {
    return_when: ReturnWhen,
    total: usize,
    done: usize,
    failed: bool,
}

impl Progress {
    fn new(return_when: ReturnWhen, total: usize) -> Self {
        Progress {
            return_when,
            total,
            done: 0,
            failed: false,
        }
    }

    fn completed(&mut self, state: FutureState) {
        self.done += 1;
        self.failed |= state == FutureState::Failed;
    }

    fn satisfied(&self) -> bool {
        match self.return_when {
            ReturnWhen::FirstCompleted => self.done > 0 || self.total == 0,
            ReturnWhen::FirstException => self.failed || self.done >= self.total,
            ReturnWhen::AllCompleted => self.done >= self.total,
        }
    }
}
