use std::fmt;
use std::ops::{Add, AddAssign, Sub, SubAssign};
use std::time::Duration;

use super::recorder;

/// Where the virtual clock's zero (the start of each execution) sits on
/// the instants' scale. A real `Instant` counts from boot, far from any
/// origin, so code subtracts durations from `now()` freely (an instant
/// that has already expired, say); an execution that started at the
/// origin made `now.checked_sub(d)` `None` and `now - d` saturate.
const EPOCH: Duration = Duration::from_secs(1 << 32);

/// A point on the execution's virtual clock. Same API as
/// [`std::time::Instant`]; under a checker time passes only through
/// `sleep` and timeouts, so a model's timing is deterministic.
///
/// # Differences from std under a checker
///
/// None in arithmetic: instants before the start of the execution exist
/// (about 136 years of them), and `+`/`-` panic on overflow as std's do.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant(Duration);

impl Instant {
    /// The current virtual time.
    pub fn now() -> Instant {
        Instant(EPOCH + recorder::read_clock())
    }

    /// Virtual time since `self`.
    pub fn elapsed(&self) -> Duration {
        Instant::now().saturating_duration_since(*self)
    }

    /// Time from `earlier` to `self`, zero if `earlier` is later.
    pub fn duration_since(&self, earlier: Instant) -> Duration {
        self.saturating_duration_since(earlier)
    }

    /// Time from `earlier` to `self`, if `earlier` is not later.
    pub fn checked_duration_since(&self, earlier: Instant) -> Option<Duration> {
        self.0.checked_sub(earlier.0)
    }

    /// Time from `earlier` to `self`, zero if `earlier` is later.
    pub fn saturating_duration_since(&self, earlier: Instant) -> Duration {
        self.0.saturating_sub(earlier.0)
    }

    /// `self + d`, if representable.
    pub fn checked_add(&self, d: Duration) -> Option<Instant> {
        self.0.checked_add(d).map(Instant)
    }

    /// `self - d`, if representable.
    pub fn checked_sub(&self, d: Duration) -> Option<Instant> {
        self.0.checked_sub(d).map(Instant)
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;
    fn add(self, d: Duration) -> Instant {
        self.checked_add(d)
            .expect("overflow when adding duration to instant")
    }
}

impl AddAssign<Duration> for Instant {
    fn add_assign(&mut self, d: Duration) {
        *self = *self + d;
    }
}

impl Sub<Duration> for Instant {
    type Output = Instant;
    fn sub(self, d: Duration) -> Instant {
        self.checked_sub(d)
            .expect("overflow when subtracting duration from instant")
    }
}

impl SubAssign<Duration> for Instant {
    fn sub_assign(&mut self, d: Duration) {
        *self = *self - d;
    }
}

impl Sub<Instant> for Instant {
    type Output = Duration;
    fn sub(self, other: Instant) -> Duration {
        self.saturating_duration_since(other)
    }
}

impl fmt::Debug for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Relative to the start of the execution, which is what a reader
        // of a report can relate to.
        match self.0.checked_sub(EPOCH) {
            Some(since) => write!(f, "Instant(virtual {since:?})"),
            None => write!(f, "Instant(virtual -{:?})", EPOCH - self.0),
        }
    }
}
