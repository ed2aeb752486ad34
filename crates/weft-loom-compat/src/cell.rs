//! `loom::cell`: weft's race-checked cells (`get`/`get_mut` return the
//! same `ConstPtr`/`MutPtr` guards as loom's).

pub use weft::cell::{Cell, ConstPtr, MutPtr, UnsafeCell};
