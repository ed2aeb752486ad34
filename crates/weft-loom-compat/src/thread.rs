//! `loom::thread`: weft's model threads (named in reports after
//! `Builder::name`), with one `thread_local!` value per model thread.

pub use weft::thread::{
    current, park, spawn, yield_now, AccessError, Builder, JoinHandle, LocalKey, Thread, ThreadId,
};
