//! [`gather`]: wait for several futures, keep every output.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Waits for every future and returns their outputs in input order
/// (Python's `asyncio.gather(..., return_exceptions=True)`: given
/// [`Task`](super::Task)s, each output is the task's `Result`, so one
/// failure does not hide the others).
///
/// The futures must be `Unpin`: pass `Task`s (Python's `gather` wraps
/// coroutines into tasks too, so that they run as separate tasks), or
/// `Box::pin` plain futures, which then run inside the gathering task.
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use weft_patterns::aio;
///
/// let results = aio::run(async {
///     let tasks: Vec<_> = (0..3).map(|i| aio::create_task(async move { i * 10 })).collect();
///     aio::gather(tasks).await
/// });
/// assert_eq!(results, [Ok(0), Ok(10), Ok(20)]);
/// # });
/// ```
pub fn gather<I>(futures: I) -> Gather<I::Item>
where
    I: IntoIterator,
    I::Item: Future + Unpin,
{
    let futures: Vec<Option<I::Item>> = futures.into_iter().map(Some).collect();
    let mut outputs = Vec::with_capacity(futures.len());
    outputs.resize_with(futures.len(), || None);
    Gather {
        remaining: futures.len(),
        first_pending: 0,
        futures,
        outputs,
    }
}

/// The future returned by [`gather`].
#[must_use = "futures do nothing unless awaited"]
pub struct Gather<F: Future> {
    futures: Vec<Option<F>>,
    outputs: Vec<Option<F::Output>>,
    remaining: usize,
    /// Every future before this index has finished.
    first_pending: usize,
}

// The futures are polled through `Pin::new` (they are `Unpin`) and never
// pinned in place, so moving a `Gather` is fine whatever its outputs are.
impl<F: Future> Unpin for Gather<F> {}

impl<F: Future + Unpin> Future for Gather<F> {
    type Output = Vec<F::Output>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        for i in this.first_pending..this.futures.len() {
            if let Some(future) = &mut this.futures[i] {
                if let Poll::Ready(output) = Pin::new(future).poll(cx) {
                    this.outputs[i] = Some(output);
                    this.futures[i] = None;
                    this.remaining -= 1;
                }
            }
            if this.futures[i].is_none() && i == this.first_pending {
                this.first_pending += 1;
            }
        }
        if this.remaining > 0 {
            return Poll::Pending;
        }
        let outputs = std::mem::take(&mut this.outputs)
            .into_iter()
            .map(|o| o.expect("every future finished"))
            .collect();
        Poll::Ready(outputs)
    }
}

impl<F: Future> fmt::Debug for Gather<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Gather")
            .field("len", &self.futures.len())
            .field("remaining", &self.remaining)
            .finish()
    }
}
