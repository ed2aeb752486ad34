//! A point in time to stop waiting at, and one bounded condition-variable
//! wait towards it.

use weft_sync::sync::{Condvar, MutexGuard, PoisonError};
use weft_sync::time::{Duration, Instant};

/// When a timed wait gives up: never, or at an instant (virtual under a
/// checker).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Deadline(Option<Instant>);

impl Deadline {
    /// The deadline `timeout` from now; `None` (or a timeout too large to
    /// represent) waits forever.
    pub(crate) fn after(timeout: Option<Duration>) -> Self {
        Deadline(timeout.and_then(|t| Instant::now().checked_add(t)))
    }

    /// Time left: `None` for no deadline, `Some(ZERO)` once it has passed.
    pub(crate) fn remaining(&self) -> Option<Duration> {
        self.0
            .map(|at| at.saturating_duration_since(Instant::now()))
    }
}

/// Waits once on `condvar`, at most until `deadline`, and returns the guard
/// and whether the wait ended by timeout. A wait that timed out must not be
/// retried: under a checker a timeout may fire before the (virtual) clock
/// has moved, so only the caller's last look at its condition decides.
/// A poisoned mutex is used as is: the callers' state stays consistent
/// because no user code runs while they hold the lock.
pub(crate) fn wait_once<'a, G>(
    condvar: &Condvar,
    guard: MutexGuard<'a, G>,
    deadline: &Deadline,
) -> (MutexGuard<'a, G>, bool) {
    match deadline.remaining() {
        None => (
            condvar.wait(guard).unwrap_or_else(PoisonError::into_inner),
            false,
        ),
        Some(left) if left.is_zero() => (guard, true),
        Some(left) => {
            let (guard, result) = condvar
                .wait_timeout(guard, left)
                .unwrap_or_else(PoisonError::into_inner);
            (guard, result.timed_out())
        }
    }
}
