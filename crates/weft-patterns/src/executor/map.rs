//! [`MapResults`]: the results of [`ThreadPool::map`](super::ThreadPool::map)
//! in input order, with one deadline for all.

use std::collections::VecDeque;
use std::fmt;

use super::error::FutureError;
use super::future::Future;
use weft_sync::time::Deadline;

/// The iterator [`ThreadPool::map`](super::ThreadPool::map) returns: each
/// item's result in input order.
///
/// After a [`FutureError::Timeout`] it cancels the items not started
/// (the one that timed out included) and ends; other errors (a panicking item) are yielded in place and the
/// iteration goes on. Dropping it cancels the items not started.
pub struct MapResults<T> {
    futures: VecDeque<Future<T>>,
    deadline: Deadline,
}

impl<T> MapResults<T> {
    pub(crate) fn new(futures: VecDeque<Future<T>>, deadline: Deadline) -> Self {
        MapResults { futures, deadline }
    }

    fn cancel_rest(&mut self) {
        for future in self.futures.drain(..) {
            future.cancel();
        }
    }
}

impl<T> Iterator for MapResults<T> {
    type Item = Result<T, FutureError>;

    fn next(&mut self) -> Option<Self::Item> {
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
        (0, Some(self.futures.len()))
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
