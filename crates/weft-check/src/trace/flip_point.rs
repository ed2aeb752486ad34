//! The flip point as a trace stores it (`minimized.flip_point`).
//!
//! ```
//! use weft_check::trace::FlipPointRecord;
//!
//! let json = r#"{"first_step":7,"second_step":8,"replays":2,"micros":90}"#;
//! let record: FlipPointRecord = serde_json::from_str(json).unwrap();
//! assert_eq!(record.to_flip_point().second, 8);
//! ```

use serde::{Deserialize, Serialize};

use crate::flip_point::FlipPoint;

/// The swap of two adjacent conflicting steps of the minimal schedule that
/// makes the model pass: step `first_step` ran before `second_step`; run
/// after it, the model passes. Steps are numbered as in `steps`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlipPointRecord {
    /// The step that ran first in the failing schedule (1-based).
    pub first_step: usize,
    /// The step that ran after it.
    pub second_step: usize,
    /// Swapped schedules replayed to find it.
    pub replays: usize,
    /// Time spent finding it, in microseconds.
    pub micros: u64,
}

impl From<&FlipPoint> for FlipPointRecord {
    fn from(f: &FlipPoint) -> Self {
        FlipPointRecord {
            first_step: f.first,
            second_step: f.second,
            replays: f.replays,
            micros: u64::try_from(f.elapsed.as_micros()).unwrap_or(u64::MAX),
        }
    }
}

impl FlipPointRecord {
    /// The flip point this record stores.
    pub fn to_flip_point(&self) -> FlipPoint {
        FlipPoint {
            first: self.first_step,
            second: self.second_step,
            replays: self.replays,
            elapsed: std::time::Duration::from_micros(self.micros),
        }
    }
}
