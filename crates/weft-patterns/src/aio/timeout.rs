//! [`wait_for`]: a future with a deadline.

use std::future::{poll_fn, Future, IntoFuture};
use std::pin::pin;
use std::task::Poll;

use weft_sync::time::Duration;

use super::sleep::sleep;

/// A [`wait_for`] whose timeout passed before its future finished.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("timed out after {timeout:?}")]
pub struct TimeoutError {
    timeout: Duration,
}

impl TimeoutError {
    /// The timeout that passed.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }
}

/// Waits for `future` at most `timeout` on the loop's clock (Python's
/// `asyncio.wait_for`).
///
/// The future is polled first at every turn, so when it finishes in the
/// same turn as the timeout passes it wins. Under a checker, when the
/// future's completion depends on another task, whether that task or the
/// timeout comes first is explored.
///
/// # Errors
///
/// [`TimeoutError`] when `timeout` passed first. The future is then
/// dropped: cancelled, as Python's `wait_for` cancels it. A [`Task`]
/// passed in is only detached by that drop (it keeps running): call
/// [`Task::cancel`] to stop it.
///
/// # Panics
///
/// When polled outside a running loop.
///
/// # Cancel safety
///
/// Dropping the returned future drops `future` and the timer.
///
/// [`Task`]: super::Task
/// [`Task::cancel`]: super::Task::cancel
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use std::time::Duration;
/// use weft_patterns::aio;
///
/// let ms = Duration::from_millis;
/// let (fast, slow) = aio::run(async move {
///     let fast = aio::wait_for(async { 1 }, ms(50)).await;
///     let slow = aio::wait_for(aio::sleep(ms(50)), ms(1)).await;
///     (fast, slow)
/// });
/// assert_eq!(fast, Ok(1));
/// assert_eq!(slow.unwrap_err().timeout(), ms(1));
/// # });
/// ```
pub async fn wait_for<F: IntoFuture>(
    future: F,
    timeout: Duration,
) -> Result<F::Output, TimeoutError> {
    let mut future = pin!(future.into_future());
    let mut deadline = sleep(timeout);
    poll_fn(|cx| {
        if let Poll::Ready(output) = future.as_mut().poll(cx) {
            return Poll::Ready(Ok(output));
        }
        if std::pin::Pin::new(&mut deadline).poll(cx).is_ready() {
            return Poll::Ready(Err(TimeoutError { timeout }));
        }
        Poll::Pending
    })
    .await
}
