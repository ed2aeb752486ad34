//! [`ProcessMapResults`]: the results of
//! [`ProcessPool::map`](super::ProcessPool::map) in input order, one future
//! per chunk as in Python, with one deadline for all.

use std::collections::VecDeque;
use std::fmt;
use std::vec;

use weft_sync::time::Deadline;

use crate::executor::error::{FutureError, SubmitError};
use crate::executor::future::Future;
use crate::executor::map::Refill;

/// The future of one chunk's results, and how many items it has.
pub(crate) type ChunkFuture<R> = (Future<Vec<Result<R, FutureError>>>, usize);

/// The iterator [`ProcessPool::map`](super::ProcessPool::map) returns: each
/// item's result in input order. It behaves as
/// [`MapResults`](crate::executor::MapResults) does for a thread pool:
///
/// - an item that panicked, or whose argument or result could not be
///   serialised, yields its error in place and the iteration goes on;
/// - a chunk that failed as a whole (a broken pool) yields that error once
///   for each of its items;
/// - once the `timeout` given to `map` has passed while an item is not done,
///   it yields `Err(FutureError::Timeout)`, cancels the chunks not started,
///   and ends;
/// - dropping it cancels the chunks not started;
/// - with a [`buffersize`](crate::executor::MapOptions::buffersize), each
///   chunk read first queues the next one.
pub struct ProcessMapResults<R> {
    chunks: VecDeque<ChunkFuture<R>>,
    /// A buffered map's rest of the input.
    refill: Option<Refill<ChunkFuture<R>>>,
    /// Why a buffered map could not queue the rest of its input.
    refused: Option<SubmitError>,
    /// The results of the chunk being read.
    current: vec::IntoIter<Result<R, FutureError>>,
    /// A failed chunk's error, and how many of its items are still to report it.
    failing: Option<(FutureError, usize)>,
    deadline: Deadline,
    /// Set after a timeout.
    ended: bool,
}

impl<R> ProcessMapResults<R> {
    pub(crate) fn new(
        chunks: VecDeque<ChunkFuture<R>>,
        deadline: Deadline,
        refill: Option<Refill<ChunkFuture<R>>>,
    ) -> Self {
        ProcessMapResults {
            chunks,
            refill,
            refused: None,
            current: Vec::new().into_iter(),
            failing: None,
            deadline,
            ended: false,
        }
    }

    fn cancel_rest(&mut self) {
        self.refill = None;
        self.refused = None;
        for (future, _) in self.chunks.drain(..) {
            future.cancel();
        }
    }
}

impl<R> Iterator for ProcessMapResults<R> {
    type Item = Result<R, FutureError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(result) = self.current.next() {
                return Some(result);
            }
            if let Some((error, left)) = &mut self.failing {
                if *left > 0 {
                    *left -= 1;
                    return Some(Err(error.clone()));
                }
                self.failing = None;
            }
            if self.ended {
                return None;
            }
            if self.chunks.is_empty() {
                let error = self.refused.take()?;
                return Some(Err(FutureError::Failed(format!(
                    "map stopped: failed to {error}"
                ))));
            }
            if let Some(refill) = self.refill.as_mut() {
                match refill() {
                    Some(Ok(chunk)) => self.chunks.push_back(chunk),
                    Some(Err(error)) => {
                        self.refill = None;
                        self.refused = Some(error);
                    }
                    None => self.refill = None,
                }
            }
            let (future, len) = self.chunks.pop_front()?;
            match future.result(self.deadline.remaining()) {
                Ok(results) => self.current = results.into_iter(),
                Err(FutureError::Timeout) => {
                    future.cancel();
                    self.cancel_rest();
                    self.ended = true;
                    return Some(Err(FutureError::Timeout));
                }
                Err(error) => self.failing = Some((error, len)),
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let queued: usize = self.chunks.iter().map(|(_, len)| len).sum();
        let failing = self.failing.as_ref().map_or(0, |(_, left)| *left);
        if self.refill.is_some() {
            return (0, None);
        }
        let refused = usize::from(self.refused.is_some());
        (0, Some(self.current.len() + failing + queued + refused))
    }
}

impl<R> Drop for ProcessMapResults<R> {
    fn drop(&mut self) {
        self.cancel_rest();
    }
}

impl<R> fmt::Debug for ProcessMapResults<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProcessMapResults")
            .field("remaining", &self.size_hint().1)
            .finish_non_exhaustive()
    }
}
