//! Time: the real clock in production, a virtual clock under a checker.
//!
//! # Examples
//!
//! ```
//! # weft_sync::explore::doc_example(|| {
//! use weft_sync::time::{sleep, Duration, Instant};
//!
//! let start = Instant::now();
//! sleep(Duration::from_millis(1));
//! assert!(start.elapsed() >= Duration::from_millis(1));
//! # });
//! ```

mod deadline;

pub use crate::backend::thread::sleep;
pub use crate::backend::Instant;
pub use deadline::Deadline;
pub use std::time::Duration;

/// Whether the clock is virtual: under a checker, [`Instant::now`] is the
/// checker's clock, [`sleep`] is a yield point, and a timed wait may end by
/// timeout before any real time has passed (both outcomes are explored).
/// `false` in std mode, where time is the real clock.
///
/// Code that measures real durations (a benchmark, a wall-clock watchdog)
/// asks here; code that only waits for a deadline needs not.
///
/// # Examples
///
/// ```
/// use weft_sync::time;
///
/// let label = if time::is_virtual() { "virtual" } else { "real" };
/// # let _ = label;
/// ```
#[inline]
pub fn is_virtual() -> bool {
    crate::backend::VIRTUAL_TIME
}
