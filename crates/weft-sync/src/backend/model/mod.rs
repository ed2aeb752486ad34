//! The model arm: weft's recorded primitives, written once over the
//! engine arm (loom or shuttle) that `super` selected as `engine`.

use super::engine;

mod arc;
mod barrier;
mod cell;
mod clock;
mod condvar;
mod coverage;
mod explore;
mod lazy_lock;
mod lock_order;
mod mutex;
mod once_lock;
mod poison;
mod recorder;
mod rwlock;
mod thread_local;
mod time;

pub mod alloc;
pub mod atomic;
pub mod mpsc;
pub mod thread;

pub use arc::{Arc, Weak};
pub use barrier::Barrier;
pub use cell::{ConstPtr, MutPtr, UnsafeCell};
pub use condvar::Condvar;
pub use explore::{explore, site_evaluated, BACKEND};
pub use lazy_lock::LazyLock;
pub use mutex::{Mutex, MutexGuard};
pub use once_lock::OnceLock;
pub use rwlock::{RwLock, RwLockReadGuard, RwLockWriteGuard};
pub use time::Instant;

/// Threads are the checker's (see `capability::real_threads`).
pub const REAL_THREADS: bool = false;

/// The clock is the checker's virtual one (see `time::is_virtual`).
pub const VIRTUAL_TIME: bool = true;

/// One model thread runs at a time: spinning only adds steps to explore
/// (see `hint::spin_before_block`).
pub const SPIN_BEFORE_BLOCK: bool = false;
/// A "process" is an isolated thread the checker schedules (see
/// `process::real_processes`).
pub const REAL_PROCESSES: bool = false;

/// Signals a spin-wait iteration: under a checker, a yield.
#[track_caller]
pub fn spin_loop() {
    thread::yield_now_at(crate::record::Loc::caller());
}

/// A nondeterministic choice in `0..n` that the checker explores (shuttle);
/// always 0 on loom, which explores interleavings only. A choice among two
/// or more values is a step of the interleaving (`choose(4) = 2`), so that
/// a report shows which value led to the failure.
#[track_caller]
pub fn choose(n: usize) -> usize {
    if n <= 1 {
        return engine::choose(n);
    }
    let at = crate::record::Loc::caller();
    recorder::with(|e| e.used_choice = true);
    let chosen = engine::choose(n);
    recorder::event(
        crate::record::Op::Choose { values: n, chosen },
        recorder::NO_OBJECT,
        at,
    );
    chosen
}

/// Fails the execution as a deadlock declared by a scheduler built on weft.
pub fn declare_deadlock(message: String, at: crate::record::Loc) -> ! {
    recorder::fail(recorder::DetectedFailure {
        kind: crate::explore::FailureKind::Deadlock,
        thread: Some(recorder::current()),
        location: Some(at),
        message,
        race: None,
    })
}

/// Records a user's log line as a step.
pub fn user_event(message: String, at: crate::record::Loc) {
    if recorder::active() {
        recorder::event(crate::record::Op::Trace(message), recorder::NO_OBJECT, at);
    }
}

/// Knuth's estimate of the interleaving tree of the exploration running on
/// this OS thread, so far (shuttle's random scheduler only).
pub fn estimated_tree_so_far() -> Option<f64> {
    engine::estimated_tree_so_far()
}

/// For each decision of the execution that ran last on this OS thread,
/// the steps recorded before it (shuttle; empty on loom).
pub fn decision_marks() -> Vec<usize> {
    engine::decision_marks()
}

/// Whether the current execution failed and is being torn down.
pub fn tearing_down() -> bool {
    recorder::torn_down()
}

/// `weft_sync::lockdep::ordered`: the current thread's ordered group of
/// lock acquisitions begins (`true`; returns whether it was not in one
/// already) or ends.
pub fn lock_order_group(begin: bool) -> bool {
    lock_order::group(recorder::current(), begin)
}

/// `weft_sync::lockdep::hold`: the current thread holds the primitive
/// built on `lock`.
pub fn lock_order_hold<T>(lock: &Mutex<T>, at: crate::record::Loc, tried: bool) {
    let thread = recorder::current();
    recorder::with(|e| lock_order::acquired(&e.log, thread, lock.id, at, false, tried));
}

/// `weft_sync::lockdep::unhold`.
pub fn lock_order_unhold<T>(lock: &Mutex<T>) {
    lock_order::released_any(recorder::current(), lock.id);
}
