//! `loom::alloc`: weft's tracked allocator; a block or `Track` never freed
//! is weft's `Leak` failure, naming where it was made.
//!
//! ```
//! use loom::alloc::{alloc, dealloc, Layout};
//!
//! loom::model(|| {
//!     let layout = Layout::new::<u32>();
//!     // SAFETY: a non-zero size; freed below with the same layout.
//!     unsafe { dealloc(alloc(layout), layout) };
//! });
//! ```

pub use weft::alloc::{alloc, alloc_zeroed, dealloc, Layout, Track};
