//! The execution's virtual clock, which only timed operations move.

use std::time::Duration;

use super::with;

/// The virtual clock of the execution.
pub(crate) fn now() -> Duration {
    with(|e| e.now).unwrap_or_default()
}

/// The least time a timed operation takes: it returns strictly after its
/// deadline, as on a real clock. A timeout that left the clock exactly at
/// the deadline made `deadline.checked_duration_since(now)` `Some(0)`, and
/// a loop waiting for the rest of the time waited for zero forever.
const TICK: Duration = Duration::from_nanos(1);

/// A timed operation (a timed-out wait, a sleep) reached `deadline`: the
/// clock moves strictly past it, and never backwards (the clock is shared,
/// and another thread may have slept further already).
pub(crate) fn pass_deadline(deadline: Duration) {
    with(|e| e.now = e.now.max(deadline.saturating_add(TICK)));
}
