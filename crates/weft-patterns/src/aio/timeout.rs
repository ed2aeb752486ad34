//! [`wait_for`]: a future with a deadline; [`Timeout`]: a deadline over a
//! scope of work.

use std::cell::Cell;
use std::fmt;
use std::future::{poll_fn, Future, IntoFuture};
use std::pin::pin;
use std::rc::Rc;
use std::task::Poll;

use weft_sync::time::{Duration, Instant};

use super::context::NO_RUNNING_LOOP;
use super::core::Core;
use super::sleep::{sleep, sleep_until, Sleep};

/// A [`wait_for`] or [`Timeout::run`] whose deadline passed before its
/// future finished (Python's `TimeoutError`).
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

/// A deadline over a scope of work (Python's `asyncio.timeout` /
/// `asyncio.timeout_at`, an `async with` block): made by [`timeout`] or
/// [`timeout_at`], it runs futures with [`run`](Timeout::run) and can be
/// moved while they run ([`reschedule`](Timeout::reschedule)). Clones
/// share the deadline, so the work inside may extend it.
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use std::time::Duration;
/// use weft_patterns::aio;
///
/// let ms = Duration::from_millis;
/// let (quick, slow) = aio::run(async move {
///     let scope = aio::timeout(ms(10));
///     let quick = scope.run(aio::sleep(ms(1))).await;
///     let slow = scope.run(aio::sleep(ms(60_000))).await;
///     assert!(scope.expired());
///     (quick, slow)
/// });
/// assert_eq!(quick, Ok(()));
/// assert_eq!(slow.unwrap_err().timeout(), ms(10));
/// # });
/// ```
#[derive(Clone)]
pub struct Timeout {
    state: Rc<TimeoutState>,
}

struct TimeoutState {
    /// A delay not yet turned into a deadline (at the first `run`).
    delay: Cell<Option<Duration>>,
    when: Cell<Option<Instant>>,
    /// When the scope was entered (the first `run`), for the error.
    entered: Cell<Option<Instant>>,
    expired: Cell<bool>,
}

/// A [`Timeout`] scope whose deadline is `delay` after the first
/// [`run`](Timeout::run) starts, on the loop's clock (Python's
/// `asyncio.timeout(delay)`).
pub fn timeout(delay: Duration) -> Timeout {
    Timeout::with(Some(delay), None)
}

/// A [`Timeout`] scope whose deadline is `when` on the loop's clock
/// ([`Handle::time`](super::Handle::time)); `None` never expires until
/// [rescheduled](Timeout::reschedule) (Python's `asyncio.timeout_at`).
pub fn timeout_at(when: Option<Instant>) -> Timeout {
    Timeout::with(None, when)
}

impl Timeout {
    fn with(delay: Option<Duration>, when: Option<Instant>) -> Timeout {
        Timeout {
            state: Rc::new(TimeoutState {
                delay: Cell::new(delay),
                when: Cell::new(when),
                entered: Cell::new(None),
                expired: Cell::new(false),
            }),
        }
    }

    /// The deadline (`None`: none, or a delay not started yet).
    pub fn when(&self) -> Option<Instant> {
        self.state.when.get()
    }

    /// Moves the deadline to `when` (`None`: no deadline), also while a
    /// [`run`](Timeout::run) waits (Python's `Timeout.reschedule`).
    pub fn reschedule(&self, when: Option<Instant>) {
        self.state.delay.set(None);
        self.state.when.set(when);
    }

    /// Whether the deadline passed while a [`run`](Timeout::run) waited.
    pub fn expired(&self) -> bool {
        self.state.expired.get()
    }

    /// Runs `future` until it finishes or the deadline passes.
    ///
    /// As [`wait_for`], the future is polled first at every turn, so it
    /// wins when it finishes in the turn the deadline passes.
    ///
    /// # Errors
    ///
    /// [`TimeoutError`] (with the time from the first `run` to the
    /// deadline) when the deadline passed first: `future` is dropped
    /// (cancelled).
    ///
    /// # Panics
    ///
    /// When polled outside a running loop.
    ///
    /// # Cancel safety
    ///
    /// Dropping the returned future drops `future` and the timer.
    pub async fn run<F: IntoFuture>(&self, future: F) -> Result<F::Output, TimeoutError> {
        let state = &self.state;
        let now = Core::current().expect(NO_RUNNING_LOOP).now();
        let entered = *state.entered.get().get_or_insert(now);
        state.entered.set(Some(entered));
        if let Some(delay) = state.delay.take() {
            state.when.set(Some(entered + delay));
        }
        let mut future = pin!(future.into_future());
        let mut timer: Option<(Instant, Sleep)> = None;
        poll_fn(|cx| {
            if let Poll::Ready(output) = future.as_mut().poll(cx) {
                return Poll::Ready(Ok(output));
            }
            let Some(when) = state.when.get() else {
                timer = None;
                return Poll::Pending;
            };
            let sleep = match &mut timer {
                Some((at, sleep)) if *at == when => sleep,
                _ => &mut timer.insert((when, sleep_until(when))).1,
            };
            if std::pin::Pin::new(sleep).poll(cx).is_ready() {
                state.expired.set(true);
                let timeout = when.saturating_duration_since(entered);
                return Poll::Ready(Err(TimeoutError { timeout }));
            }
            Poll::Pending
        })
        .await
    }
}

impl fmt::Debug for Timeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Timeout")
            .field("when", &self.when())
            .field("expired", &self.expired())
            .finish()
    }
}
