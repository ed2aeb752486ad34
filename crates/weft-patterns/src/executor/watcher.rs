//! A waiter on many futures at once: each future it watches reports its
//! index here when it completes. [`wait`](super::wait) and
//! [`as_completed`](super::as_completed) block on one.

use weft_sync::sync::{Condvar, Mutex, PoisonError};

use weft_sync::time::Deadline;

use crate::timed_wait::wait_until;

/// Collects the indices of completed futures and wakes the thread waiting
/// for them.
#[derive(Debug)]
pub(crate) struct Watcher {
    completed: Mutex<Completed>,
    wakeup: Condvar,
}

/// The indices reported and not taken yet, and whether the watching
/// thread sleeps on `wakeup`: a report notifies only then (a notification
/// nobody waits for is still a step a checker orders against every wait).
#[derive(Debug, Default)]
struct Completed {
    indices: Vec<usize>,
    waiting: bool,
}

impl Watcher {
    /// A watcher with nothing completed yet.
    pub(crate) fn new() -> Self {
        Watcher {
            completed: Mutex::new(Completed::default()).named("watcher.completed"),
            wakeup: Condvar::new().named("watcher.wakeup"),
        }
    }

    /// Reports that the future with this `index` completed. Called by the
    /// thread that completes it, holding no other lock.
    pub(crate) fn notify(&self, index: usize) {
        let mut completed = self
            .completed
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        completed.indices.push(index);
        if completed.waiting {
            self.wakeup.notify_one();
        }
    }

    /// Moves every index reported so far into `into`, first waiting (until
    /// `deadline`) for at least one if none is there. Returns `false` when
    /// it timed out with nothing new.
    pub(crate) fn take(&self, into: &mut Vec<usize>, deadline: &Deadline) -> bool {
        let before = into.len();
        let mut completed = self
            .completed
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        loop {
            if !completed.indices.is_empty() {
                into.append(&mut completed.indices);
                return true;
            }
            completed.waiting = true;
            let (guard, timed_out) = wait_until(&self.wakeup, completed, deadline);
            completed = guard;
            completed.waiting = false;
            if timed_out {
                into.append(&mut completed.indices);
                return into.len() > before;
            }
        }
    }
}
