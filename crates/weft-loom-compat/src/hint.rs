//! `loom::hint`.
//!
//! ```
//! loom::model(|| loom::hint::spin_loop());
//! ```

pub use std::hint::unreachable_unchecked;

/// A spin-loop hint: a yield under a checker, so spin loops end.
#[track_caller]
pub fn spin_loop() {
    weft::hint::spin_loop();
}
