//! Synchronization primitives with std's API: std's own types in production,
//! recorded loom or shuttle versions under a checker.
//!
//! # Examples
//!
//! ```
//! # weft_sync::explore::doc_example(|| {
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
//! # });
//! ```
//!
//! `Arc` and `Weak` are std's own in production. Under a checker they are
//! weft's: the count's Release decrement and Acquire before the value is
//! dropped are modelled (a `Drop` impl sees what every owner did, as with
//! std), an allocation still alive when an execution ends is a
//! [`Leak`](crate::explore::FailureKind::Leak), and a failure's teardown
//! never touches the engine (a deadlock never aborts the test binary).
//! Unsized values are made with `Arc::from_std` under a checker, as with
//! loom (std's unsizing coercion is unstable).

mod results;

pub mod atomic;
pub mod mpsc;

pub use crate::backend::{
    Arc, Barrier, Condvar, LazyLock, Mutex, MutexGuard, OnceLock, RwLock, RwLockReadGuard,
    RwLockWriteGuard, Weak,
};
pub use results::{BarrierWaitResult, WaitTimeoutResult};
pub use std::sync::{LockResult, PoisonError, TryLockError, TryLockResult};
