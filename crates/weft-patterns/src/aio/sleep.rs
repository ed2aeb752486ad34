//! [`sleep`]: wait on the loop's clock.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use weft_sync::time::{Duration, Instant};

use super::context::NO_RUNNING_LOOP;
use super::core::Core;
use super::task_status::WaitsOn;
use super::timers::TimerKey;
use super::waiter::Waiter;

/// Waits until `duration` has passed on the running loop's clock (Python's
/// `asyncio.sleep`). The deadline is taken when the future is first
/// polled. `sleep(Duration::ZERO)` yields once, like `asyncio.sleep(0)`.
///
/// Under a checker the clock is virtual: when every task waits on a timer,
/// the loop's clock jumps to the earliest one.
///
/// # Panics
///
/// When first polled outside a running loop (a zero duration does not need
/// one).
///
/// # Cancel safety
///
/// Dropping the future cancels its timer.
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use std::time::Duration;
/// use weft_patterns::aio::{self, EventLoop};
///
/// let lp = EventLoop::new();
/// let start = lp.time();
/// lp.run(aio::sleep(Duration::from_millis(5)));
/// assert!(lp.time() - start >= Duration::from_millis(5));
/// # });
/// ```
pub fn sleep(duration: Duration) -> Sleep {
    Sleep {
        state: SleepState::Start(WakeAt::After(duration)),
    }
}

/// Waits until the loop's clock reaches `deadline` (for `call_later`).
pub(crate) fn sleep_until(deadline: Instant) -> Sleep {
    Sleep {
        state: SleepState::Start(WakeAt::At(deadline)),
    }
}

/// When a sleep ends: after a delay, or at an instant of the loop's clock.
enum WakeAt {
    After(Duration),
    At(Instant),
}

enum SleepState {
    Start(WakeAt),
    Yielded,
    Waiting { core: Rc<Core>, timer: TimerKey },
    Done,
}

/// The future returned by [`sleep`].
#[must_use = "futures do nothing unless awaited"]
pub struct Sleep {
    state: SleepState,
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match &self.state {
            SleepState::Start(WakeAt::After(d)) if d.is_zero() => {
                cx.waker().wake_by_ref();
                self.state = SleepState::Yielded;
                Poll::Pending
            }
            SleepState::Start(deadline) => {
                let core = Core::current().expect(NO_RUNNING_LOOP);
                let deadline = match deadline {
                    WakeAt::After(d) => core.now() + *d,
                    WakeAt::At(at) => *at,
                };
                if deadline <= core.now() {
                    // Already due (call_later(0)): still yield once.
                    cx.waker().wake_by_ref();
                    self.state = SleepState::Yielded;
                    return Poll::Pending;
                }
                let waiter = Waiter::current(cx, || WaitsOn::Sleep);
                let timer = core.add_timer(deadline, waiter);
                self.state = SleepState::Waiting { core, timer };
                Poll::Pending
            }
            SleepState::Yielded => {
                self.state = SleepState::Done;
                Poll::Ready(())
            }
            SleepState::Waiting { core, timer } => {
                if core.timer_fired(*timer) {
                    core.remove_timer(*timer);
                    self.state = SleepState::Done;
                    Poll::Ready(())
                } else {
                    core.refresh_timer(*timer, cx);
                    Poll::Pending
                }
            }
            SleepState::Done => Poll::Ready(()),
        }
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let SleepState::Waiting { core, timer } = &self.state {
            core.remove_timer(*timer);
        }
    }
}

impl fmt::Debug for Sleep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            SleepState::Start(_) => "not started",
            SleepState::Yielded => "yielded",
            SleepState::Waiting { .. } => "waiting",
            SleepState::Done => "done",
        };
        f.debug_struct("Sleep").field("state", &state).finish()
    }
}
