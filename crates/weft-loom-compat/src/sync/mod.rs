//! `loom::sync`: weft's modelled primitives under loom's names.

pub mod atomic;
pub mod mpsc;
mod notify;

pub use notify::Notify;
pub use weft::sync::{
    Arc, Barrier, BarrierWaitResult, Condvar, LockResult, Mutex, MutexGuard, RwLock,
    RwLockReadGuard, RwLockWriteGuard, TryLockResult, WaitTimeoutResult, Weak,
};
