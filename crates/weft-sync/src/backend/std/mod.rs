//! The std arm: weft's primitives as thin `#[inline]` newtypes over the
//! standard library (and crossbeam-channel for `mpsc`), with no recording.
//! Each type has the size of the std type it wraps.

mod barrier;
mod cell;
mod condvar;
mod explore;
#[cfg(feature = "lockdep")]
mod lockdep;
#[cfg_attr(feature = "lockdep", path = "mutex_lockdep.rs")]
mod mutex;
mod once_lock;
mod rwlock;
mod thread_local;

pub mod alloc;
pub mod atomic;
pub mod mpsc;
pub mod thread;

pub use barrier::Barrier;
pub use cell::{ConstPtr, MutPtr, UnsafeCell};
pub use condvar::Condvar;
pub use explore::{explore, BACKEND};
pub use mutex::{Mutex, MutexGuard};
pub use once_lock::OnceLock;
pub use rwlock::{RwLock, RwLockReadGuard, RwLockWriteGuard};
/// std's own `LazyLock`: in production the value is per process.
pub use std::sync::LazyLock;
/// std's own `Arc` and `Weak`: in production there is nothing to model.
pub use std::sync::{Arc, Weak};

/// `sometimes!`/`reachable!`: a stress run explores nothing, so nothing
/// is recorded.
#[inline(always)]
pub fn site_evaluated(_site: &'static crate::reach::Site, _satisfied: bool) {}

/// No tree is estimated on real threads.
pub fn estimated_tree_so_far() -> Option<f64> {
    None
}

/// Real threads make no scheduling decisions weft sees.
pub fn decision_marks() -> Vec<usize> {
    Vec::new()
}

/// Threads are the operating system's (see `capability::real_threads`).
pub const REAL_THREADS: bool = true;

/// The clock is the real one (see `time::is_virtual`).
pub const VIRTUAL_TIME: bool = false;

/// Another thread may run in parallel while one spins, so a short spin
/// before blocking can save a sleep and a wakeup (see
/// `hint::spin_before_block`).
pub const SPIN_BEFORE_BLOCK: bool = true;
/// Processes are the operating system's (see `process::real_processes`).
pub const REAL_PROCESSES: bool = true;

/// The clock: real time in production.
pub type Instant = std::time::Instant;

/// Same as [`std::hint::spin_loop`].
#[inline]
pub fn spin_loop() {
    std::hint::spin_loop()
}

/// A choice the checker explores; in production always the first option.
#[inline]
pub fn choose(_n: usize) -> usize {
    0
}

/// In production a declared deadlock is a plain panic.
pub fn declare_deadlock(message: String, _at: crate::record::Loc) -> ! {
    panic!("{message}")
}

/// Nothing is recorded in production.
#[inline]
pub fn user_event(_message: String, _at: crate::record::Loc) {}

/// Production executions are never torn down by a checker.
#[inline]
pub fn tearing_down() -> bool {
    false
}

/// `lockdep::ordered`: std mode keeps no ordered groups (each lock is
/// its own class: `lock_all`'s address order is one order for the
/// process's whole life).
#[inline]
pub fn lock_order_group(_begin: bool) -> bool {
    false
}

/// `lockdep::hold`: nothing is kept in std mode without the `lockdep`
/// feature; with it, the lock is held for the process's graph.
#[inline]
pub fn lock_order_hold<T>(_lock: &Mutex<T>, _at: crate::record::Loc, _tried: bool) {
    #[cfg(feature = "lockdep")]
    _lock.lockdep_hold(_at, _tried);
}

/// `lockdep::unhold` (with the `lockdep` feature, by any thread).
#[inline]
pub fn lock_order_unhold<T>(_lock: &Mutex<T>) {
    #[cfg(feature = "lockdep")]
    _lock.lockdep_unhold();
}
