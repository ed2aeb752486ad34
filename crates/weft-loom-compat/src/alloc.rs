//! `loom::alloc`: weft's tracked allocator; a block or `Track` never freed
//! is weft's `Leak` failure, naming where it was made.

pub use weft::alloc::{alloc, alloc_zeroed, dealloc, Layout, Track};
