//! `loom::sync::atomic`: weft's atomics (with loom's `get_mut`,
//! `with_mut`, `unsync_load` and `into_inner`).
//!
//! ```
//! use loom::sync::atomic::{AtomicUsize, Ordering};
//!
//! loom::model(|| {
//!     let mut n = AtomicUsize::new(1);
//!     n.fetch_add(1, Ordering::Relaxed);
//!     n.with_mut(|v| *v += 1);
//!     assert_eq!(n.into_inner(), 3);
//! });
//! ```

pub use weft::sync::atomic::{
    compiler_fence, fence, AtomicBool, AtomicI16, AtomicI32, AtomicI64, AtomicI8, AtomicIsize,
    AtomicPtr, AtomicU16, AtomicU32, AtomicU64, AtomicU8, AtomicUsize, Ordering,
};

/// Same as loom's (deprecated in std): a spin-loop hint, a yield under a
/// checker.
#[track_caller]
pub fn spin_loop_hint() {
    weft::hint::spin_loop();
}
