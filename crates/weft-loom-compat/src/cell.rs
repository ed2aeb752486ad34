//! `loom::cell`: weft's race-checked cells (`get`/`get_mut` return the
//! same `ConstPtr`/`MutPtr` guards as loom's).
//!
//! ```
//! loom::model(|| {
//!     let c = loom::cell::UnsafeCell::new(1);
//!     // SAFETY: no other access while the guard is used.
//!     unsafe { *c.get_mut().deref() += 1 };
//!     assert_eq!(c.into_inner(), 2);
//! });
//! ```

pub use weft::cell::{Cell, ConstPtr, MutPtr, UnsafeCell};
