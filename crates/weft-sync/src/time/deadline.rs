//! [`Deadline`]: when a timed wait gives up, on weft's clock.

use super::{Duration, Instant};

/// When a timed wait gives up: never, or at an instant of weft's clock
/// (the real clock in std mode, the checker's virtual one under a checker).
///
/// Python's blocking calls take `timeout=None` (wait as long as it
/// takes) or a number of seconds; a wait that loops (a condition variable
/// woken for another reason, say) must count its timeout from the first
/// call, not from each turn. A `Deadline` is made once, from the timeout,
/// and each turn waits for [`Deadline::remaining`].
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use weft_sync::sync::{Condvar, Mutex};
/// use weft_sync::time::{Deadline, Duration};
///
/// let ready = Mutex::new(false);
/// let changed = Condvar::new();
/// let deadline = Deadline::after(Some(Duration::from_millis(5)));
/// let mut guard = ready.lock().unwrap();
/// while !*guard {
///     let Some(left) = deadline.remaining() else {
///         unreachable!("this deadline is finite");
///     };
///     if left.is_zero() {
///         break; // timed out: nobody sets `ready` here
///     }
///     guard = changed.wait_timeout(guard, left).unwrap().0;
/// }
/// assert!(deadline.is_expired());
/// # });
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Deadline(Option<Instant>);

impl Deadline {
    /// A deadline that never comes: wait as long as it takes.
    pub fn never() -> Deadline {
        Deadline(None)
    }

    /// A deadline that has come already: do not wait at all (a
    /// non-blocking try).
    pub fn now() -> Deadline {
        Deadline(Some(Instant::now()))
    }

    /// The deadline at `instant`.
    pub fn at(instant: Instant) -> Deadline {
        Deadline(Some(instant))
    }

    /// The deadline of a wait of at most `timeout` starting now: `None`
    /// never comes, nor does a timeout too long to represent; a zero
    /// timeout has come already.
    pub fn after(timeout: Option<Duration>) -> Deadline {
        Deadline(timeout.and_then(|t| Instant::now().checked_add(t)))
    }

    /// The instant of the deadline, `None` if it never comes.
    pub fn instant(&self) -> Option<Instant> {
        self.0
    }

    /// The time left: `None` when the deadline never comes, and
    /// `Some(Duration::ZERO)` once it has come.
    pub fn remaining(&self) -> Option<Duration> {
        self.0
            .map(|at| at.saturating_duration_since(Instant::now()))
    }

    /// Whether the deadline has come (never, for [`Deadline::never`]).
    pub fn is_expired(&self) -> bool {
        self.remaining().is_some_and(|left| left.is_zero())
    }
}
