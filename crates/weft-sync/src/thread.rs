//! Threads with std's API: std's own in production, model threads under a
//! checker (named in reports after [`Builder::name`]).
//!
//! # Examples
//!
//! ```
//! # weft_sync::explore::doc_example(|| {
//! use weft_sync::thread;
//!
//! let h = thread::Builder::new()
//!     .name("worker")
//!     .spawn(|| thread::current().name().map(str::to_owned))
//!     .unwrap();
//! assert_eq!(h.join().unwrap().as_deref(), Some("worker"));
//! # });
//! ```
//!
//! Under a checker, `sleep` and `park_timeout` are yield points on a virtual
//! clock: they never block for real, and a timed wait may end by timeout or by
//! wakeup, both explored.
//!
//! [`thread_local!`](crate::thread_local) keys ([`LocalKey`]) hold one value
//! per model thread under a checker (std's per OS thread would be shared by
//! every model thread), and [`available_parallelism`] is a fixed 2 there.

pub use crate::backend::thread::{
    available_parallelism, current, park, park_timeout, scope, sleep, spawn, yield_now,
    AccessError, Builder, JoinHandle, LocalKey, Result, Scope, ScopedJoinHandle, Thread, ThreadId,
};
