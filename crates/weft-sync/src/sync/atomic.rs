//! Atomic types with std's API; under loom every ordering is modelled
//! (C11, relaxed included), under shuttle every access is sequentially
//! consistent.
//!
//! # Examples
//!
//! ```
//! # weft_sync::explore::doc_example(|| {
//! use weft_sync::sync::atomic::{AtomicUsize, Ordering};
//!
//! let hits = AtomicUsize::new(0).named("hits");
//! hits.fetch_add(1, Ordering::Relaxed);
//! assert_eq!(hits.load(Ordering::Relaxed), 1);
//! # });
//! ```

pub use crate::backend::atomic::{
    compiler_fence, fence, AtomicBool, AtomicI16, AtomicI32, AtomicI64, AtomicI8, AtomicIsize,
    AtomicPtr, AtomicU16, AtomicU32, AtomicU64, AtomicU8, AtomicUsize,
};
pub use std::sync::atomic::Ordering;
