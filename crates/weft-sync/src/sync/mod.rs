//! Synchronization primitives with std's API: std's own types in production,
//! recorded loom or shuttle versions under a checker.
//!
//! # Examples
//!
//! ```
//! use weft_sync::sync::{Arc, Mutex};
//! use weft_sync::thread;
//!
//! let n = Arc::new(Mutex::new(0).named("counter"));
//! let handles: Vec<_> = (0..2)
//!     .map(|_| {
//!         let n = Arc::clone(&n);
//!         thread::spawn(move || *n.lock().unwrap() += 1)
//!     })
//!     .collect();
//! for h in handles {
//!     h.join().unwrap();
//! }
//! assert_eq!(*n.lock().unwrap(), 2);
//! ```
//!
//! `Arc` and `Weak` are std's own on every backend: loom's `Arc` aborts the
//! test binary when a deadlock unwinds, and shuttle's is std's anyway.

mod results;

pub mod atomic;
pub mod mpsc;

pub use crate::backend::{
    Barrier, Condvar, Mutex, MutexGuard, OnceLock, RwLock, RwLockReadGuard, RwLockWriteGuard,
};
pub use results::{BarrierWaitResult, WaitTimeoutResult};
pub use std::sync::{Arc, LockResult, PoisonError, TryLockError, TryLockResult, Weak};
