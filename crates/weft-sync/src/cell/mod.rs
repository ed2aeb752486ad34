//! Shareable mutable containers whose accesses a checker sees.
//!
//! [`UnsafeCell`] is accessed through `with`/`with_mut` closures or the
//! [`ConstPtr`]/[`MutPtr`] guards of `get`/`get_mut` (loom's API), so that
//! every access is checked for data races: by loom itself, or on shuttle by
//! weft's vector clocks. [`Cell`] is std's `Cell` with the same checks.
//! In std mode all of them are the standard library's cells at zero cost.
//!
//! ```
//! # weft_sync::explore::doc_example(|| {
//! use weft_sync::cell::{Cell, UnsafeCell};
//!
//! let slot = UnsafeCell::new(1).named("slot");
//! let w = slot.get_mut();
//! // SAFETY: no other access to the cell while `w` is used.
//! unsafe { *w.deref() += 1 };
//! drop(w);
//! // SAFETY: no write while the reference lives.
//! assert_eq!(unsafe { *slot.get().deref() }, 2);
//!
//! let c = Cell::new(5);
//! assert_eq!(c.replace(6), 5);
//! assert_eq!(c.get(), 6);
//! # });
//! ```

mod value_cell;

pub use crate::backend::{ConstPtr, MutPtr, UnsafeCell};
pub use value_cell::Cell;
