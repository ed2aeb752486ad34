//! When a timed wait gives up, on weft's clock (virtual under a checker).

use std::sync::PoisonError;

use weft_sync::sync::{Condvar, MutexGuard};
use weft_sync::time::{Duration, Instant};

/// The end of a wait: never, already past, or an instant.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Deadline {
    /// Wait as long as it takes.
    Never,
    /// Do not wait at all (a non-blocking call, or a zero timeout).
    Now,
    /// Wait until this instant.
    At(Instant),
}

impl Deadline {
    /// The deadline of a wait of at most `timeout` (`None`: no limit)
    /// starting now. A timeout too long to represent never expires.
    pub(crate) fn after(timeout: Option<Duration>) -> Deadline {
        match timeout {
            None => Deadline::Never,
            Some(t) if t.is_zero() => Deadline::Now,
            Some(t) => Instant::now()
                .checked_add(t)
                .map_or(Deadline::Never, Deadline::At),
        }
    }

    /// The deadline of Python's `acquire(blocking, timeout)`.
    ///
    /// # Panics
    ///
    /// When `blocking` is false and a timeout is given, as Python raises
    /// `ValueError` for it.
    #[track_caller]
    pub(crate) fn for_acquire(blocking: bool, timeout: Option<Duration>) -> Deadline {
        assert!(
            blocking || timeout.is_none(),
            "can't specify a timeout for a non-blocking call"
        );
        if blocking {
            Deadline::after(timeout)
        } else {
            Deadline::Now
        }
    }

    /// The time left, or `None` when the deadline has passed.
    pub(crate) fn remaining(self) -> Option<Option<Duration>> {
        match self {
            Deadline::Never => Some(None),
            Deadline::Now => None,
            Deadline::At(at) => {
                let now = Instant::now();
                (now < at).then(|| Some(at - now))
            }
        }
    }

    /// Whether the deadline has passed.
    pub(crate) fn expired(self) -> bool {
        self.remaining().is_none()
    }
}

/// Waits once on `cond` until notified or until `deadline`. Returns the
/// guard and whether the wait ended because the deadline passed (then the
/// caller re-checks its condition once and gives up). May return early
/// without either (a spurious wakeup in std mode): callers wait in a loop.
///
/// A poisoned mutex is used anyway: the callers' state is consistent at
/// every unlock.
#[track_caller]
pub(crate) fn wait_until<'a, T>(
    cond: &Condvar,
    guard: MutexGuard<'a, T>,
    deadline: Deadline,
) -> (MutexGuard<'a, T>, bool) {
    match deadline.remaining() {
        None => (guard, true),
        Some(None) => (
            cond.wait(guard).unwrap_or_else(PoisonError::into_inner),
            false,
        ),
        Some(Some(left)) => {
            let (guard, result) = cond
                .wait_timeout(guard, left)
                .unwrap_or_else(PoisonError::into_inner);
            (guard, result.timed_out())
        }
    }
}
