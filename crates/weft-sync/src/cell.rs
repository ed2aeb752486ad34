//! `UnsafeCell` accessed through `with`/`with_mut`, so that every access can
//! be checked for data races: by loom itself, or on shuttle by weft's vector
//! clocks.

pub use crate::backend::UnsafeCell;
