//! [`MapResults`]: the results of [`ThreadPool::map`](super::ThreadPool::map)
//! in input order, with one deadline for all.

use std::collections::VecDeque;
use std::fmt;

use weft_sync::time::Deadline;

use super::error::{FutureError, SubmitError};
use super::future::Future;

/// Submits the next item of a buffered `map` and returns its future, or
/// `None` when the input is exhausted.
pub(crate) type Refill<F> = Box<dyn FnMut() -> Option<Result<F, SubmitError>> + Send>;

/// The iterator [`ThreadPool::map`](super::ThreadPool::map) returns: each
/// item's result in input order.
///
/// After a [`FutureError::Timeout`] it cancels the items not started
/// (the one that timed out included) and ends; other errors (a panicking
/// item) are yielded in place and the iteration goes on. Dropping it
/// cancels the items not started. With a
/// [`buffersize`](super::MapOptions::buffersize), each step first submits
/// the next input item, then waits for the oldest, as Python does.
pub struct MapResults<T> {
    futures: VecDeque<Future<T>>,
    deadline: Deadline,
    /// A buffered map's rest of the input.
    refill: Option<Refill<Future<T>>>,
    /// Why a buffered map could not submit the rest of its input.
    refused: Option<SubmitError>,
}

impl<T> MapResults<T> {
    pub(crate) fn new(
        futures: VecDeque<Future<T>>,
        deadline: Deadline,
        refill: Option<Refill<Future<T>>>,
    ) -> Self {
        MapResults {
            futures,
            deadline,
            refill,
            refused: None,
        }
    }

    fn cancel_rest(&mut self) {
        self.refill = None;
        self.refused = None;
        for future in self.futures.drain(..) {
            future.cancel();
        }
    }

    /// Submits the next item of a buffered map, if any.
    fn top_up(&mut self) {
        let Some(refill) = self.refill.as_mut() else {
            return;
        };
        match refill() {
            Some(Ok(future)) => self.futures.push_back(future),
            Some(Err(error)) => {
                self.refill = None;
                self.refused = Some(error);
            }
            None => self.refill = None,
        }
    }
}

impl<T> Iterator for MapResults<T> {
    type Item = Result<T, FutureError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.futures.is_empty() {
            return self.refused.take().map(|error| {
                Err(FutureError::Failed(format!(
                    "map stopped: failed to {error}"
                )))
            });
        }
        self.top_up();
        let future = self.futures.pop_front()?;
        let result = future.result(self.deadline.remaining());
        if matches!(result, Err(FutureError::Timeout)) {
            // As Python: the item that timed out is cancelled too, if it
            // has not started.
            future.cancel();
            self.cancel_rest();
        }
        Some(result)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        if self.refill.is_some() {
            (0, None)
        } else {
            (
                0,
                Some(self.futures.len() + usize::from(self.refused.is_some())),
            )
        }
    }
}

impl<T> Drop for MapResults<T> {
    fn drop(&mut self) {
        self.cancel_rest();
    }
}

impl<T> fmt::Debug for MapResults<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MapResults")
            .field("remaining", &self.futures.len())
            .finish_non_exhaustive()
    }
}
