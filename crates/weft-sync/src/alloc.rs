//! Memory allocation with leak tracking under a checker (loom's `alloc`).
//!
//! In std mode these are std's allocator functions and a transparent
//! [`Track`]. Under a checker every block from [`alloc`] is tracked until
//! [`dealloc`], and every [`Track`] until it is dropped: one still live
//! when the execution ends is a [`Leak`](crate::explore::FailureKind::Leak)
//! that names where it was allocated.
//!
//! ```
//! use weft_sync::alloc::{alloc, dealloc, Layout};
//!
//! let layout = Layout::new::<u64>();
//! // SAFETY: `layout` has a non-zero size.
//! let p = unsafe { alloc(layout) };
//! assert!(!p.is_null());
//! // SAFETY: `p` was allocated above with `layout`.
//! unsafe { dealloc(p, layout) };
//! ```

pub use crate::backend::alloc::{alloc, alloc_zeroed, dealloc, Layout, Track};
