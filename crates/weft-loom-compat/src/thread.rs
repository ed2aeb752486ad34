//! `loom::thread`: weft's model threads (named in reports after
//! `Builder::name`), with one `thread_local!` value per model thread.
//!
//! ```
//! use std::cell::Cell;
//!
//! loom::thread_local! {
//!     static MINE: Cell<u32> = Cell::new(0);
//! }
//!
//! loom::model(|| {
//!     let t = loom::thread::spawn(|| MINE.with(|m| m.replace(1)));
//!     assert_eq!(t.join().unwrap(), 0, "the spawned thread has its own value");
//! });
//! ```

pub use weft::thread::{
    current, park, spawn, yield_now, AccessError, Builder, JoinHandle, LocalKey, Thread, ThreadId,
};
