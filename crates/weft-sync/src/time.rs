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

pub use crate::backend::thread::sleep;
pub use crate::backend::Instant;
pub use std::time::Duration;
