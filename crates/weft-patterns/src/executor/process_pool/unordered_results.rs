//! [`UnorderedMapResults`]: the results of
//! [`ProcessPool::imap_unordered`](super::ProcessPool::imap_unordered) in
//! completion order, a bounded number of chunks in flight.

use std::fmt;
use std::vec;

use crate::executor::error::{FutureError, SubmitError};
use crate::executor::map::Refill;
use crate::executor::wait::{wait, ReturnWhen};

use super::map_results::ChunkFuture;

/// The iterator [`ProcessPool::imap_unordered`](super::ProcessPool::imap_unordered)
/// returns: each item's result as its chunk completes, Python's
/// `Pool.imap_unordered`.
///
/// - The items of one chunk come together, in their input order; chunks
///   come in the order they complete, so a fast item is not held back by
///   a slow one submitted before it.
/// - At most the pool's in-flight bound of chunks is queued and not yet
///   read; each chunk read queues the next one, so the input is read
///   lazily and may be endless.
/// - An item that panicked, or whose argument or result could not be
///   serialised, yields its error and the iteration goes on; a chunk that
///   failed as a whole (a broken pool: a worker died) yields that error
///   once for each of its items, and a refused submit ends the iterator
///   with one `Err(FutureError::Failed(..))` that says so. Nothing hangs.
/// - Dropping it cancels the chunks not started.
///
/// # Examples
///
/// ```no_run
/// use weft_patterns::executor::{ProcessPool, UnorderedMapResults};
/// use weft_patterns::process::{self, Entry};
///
/// fn nap(millis: u64) -> u64 {
///     std::thread::sleep(std::time::Duration::from_millis(millis));
///     millis
/// }
/// static NAP: Entry<u64, u64> = weft_patterns::process_entry!(nap);
///
/// fn main() {
///     process::main(&[&NAP]);
///     let pool = ProcessPool::new(2);
///     let mut naps: UnorderedMapResults<u64> =
///         pool.imap_unordered(&NAP, [500, 1, 2], 1).unwrap();
///     // One worker naps 500 ms; the other finishes a short nap first.
///     assert_ne!(naps.next(), Some(Ok(500)));
///     let mut rest: Vec<u64> = naps.map(Result::unwrap).collect();
///     rest.sort_unstable();
///     assert_eq!(rest.len(), 2);
/// }
/// ```
pub struct UnorderedMapResults<R> {
    /// The chunks queued and not yet read, oldest first.
    chunks: Vec<ChunkFuture<R>>,
    /// How many chunks may be in flight.
    buffersize: usize,
    /// The rest of the input.
    refill: Option<Refill<ChunkFuture<R>>>,
    /// Why the rest of the input could not be queued.
    refused: Option<SubmitError>,
    /// The results of the chunk being read.
    current: vec::IntoIter<Result<R, FutureError>>,
    /// A failed chunk's error, and how many of its items are still to report it.
    failing: Option<(FutureError, usize)>,
}

impl<R> UnorderedMapResults<R> {
    pub(crate) fn new(
        chunks: Vec<ChunkFuture<R>>,
        buffersize: usize,
        refill: Refill<ChunkFuture<R>>,
    ) -> Self {
        UnorderedMapResults {
            chunks,
            buffersize,
            refill: Some(refill),
            refused: None,
            current: Vec::new().into_iter(),
            failing: None,
        }
    }

    /// Queues chunks until `buffersize` are in flight or the input ends.
    fn top_up(&mut self) {
        while self.chunks.len() < self.buffersize {
            let Some(refill) = self.refill.as_mut() else {
                return;
            };
            match refill() {
                Some(Ok(chunk)) => self.chunks.push(chunk),
                Some(Err(error)) => {
                    self.refill = None;
                    self.refused = Some(error);
                }
                None => self.refill = None,
            }
        }
    }

    /// Blocks until a chunk is done and takes the oldest done one.
    fn take_done(&mut self) -> Option<ChunkFuture<R>> {
        if self.chunks.is_empty() {
            return None;
        }
        if !self.chunks.iter().any(|(future, _)| future.done()) {
            // Every future completes: with its results, or failed when its
            // worker dies (the pool breaks) or it is cancelled.
            wait(
                self.chunks.iter().map(|(future, _)| future),
                None,
                ReturnWhen::FirstCompleted,
            );
        }
        let index = self.chunks.iter().position(|(future, _)| future.done())?;
        Some(self.chunks.remove(index))
    }
}

impl<R> Iterator for UnorderedMapResults<R> {
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
            self.top_up();
            let Some((future, len)) = self.take_done() else {
                let error = self.refused.take()?;
                return Some(Err(FutureError::Failed(format!(
                    "imap_unordered stopped: failed to {error}"
                ))));
            };
            match future.result(None) {
                Ok(results) => self.current = results.into_iter(),
                Err(error) => self.failing = Some((error, len)),
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let current = self.current.len() + self.failing.as_ref().map_or(0, |(_, left)| *left);
        if self.refill.is_some() {
            return (current, None);
        }
        let queued: usize = self.chunks.iter().map(|(_, len)| len).sum();
        let refused = usize::from(self.refused.is_some());
        (current, Some(current + queued + refused))
    }
}

impl<R> Drop for UnorderedMapResults<R> {
    fn drop(&mut self) {
        self.refill = None;
        for (future, _) in self.chunks.drain(..) {
            future.cancel();
        }
    }
}

impl<R> fmt::Debug for UnorderedMapResults<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnorderedMapResults")
            .field("in_flight", &self.chunks.len())
            .field("remaining", &self.size_hint().1)
            .finish_non_exhaustive()
    }
}
