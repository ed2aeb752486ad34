//! `loom::sync`: weft's modelled primitives under loom's names.
//!
//! ```
//! use loom::sync::{Arc, Mutex};
//!
//! loom::model(|| {
//!     let m = Arc::new(Mutex::new(0));
//!     let m2 = m.clone();
//!     let t = loom::thread::spawn(move || *m2.lock().unwrap() += 1);
//!     *m.lock().unwrap() += 1;
//!     t.join().unwrap();
//!     assert_eq!(*m.lock().unwrap(), 2);
//! });
//! ```

pub mod atomic;
pub mod mpsc;
mod notify;

pub use notify::Notify;
pub use weft::sync::{
    Arc, Barrier, BarrierWaitResult, Condvar, LockResult, Mutex, MutexGuard, RwLock,
    RwLockReadGuard, RwLockWriteGuard, TryLockResult, WaitTimeoutResult, Weak,
};
