//! Task wakers: a `std::task::Wake` on an `Arc`, and the cross-thread
//! wakeup queue they fall back to.
//!
//! A waker woken on the thread that runs its loop puts the task straight on
//! the loop's ready queue (no lock). Woken anywhere else (a
//! `run_in_executor` thread, a foreign future's thread), it pushes the task
//! onto [`Remote`], a weft `Mutex` + `Condvar`, which the loop drains at
//! the start of every batch and sleeps on when it is idle.

use std::sync::Arc;
use std::task::Wake;

use weft_sync::sync::atomic::{AtomicBool, Ordering};
use weft_sync::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use super::context;
use super::core::TaskKey;

/// The waker of one task.
pub(crate) struct TaskWaker {
    key: TaskKey,
    remote: Arc<Remote>,
}

impl TaskWaker {
    pub(crate) fn new(key: TaskKey, remote: Arc<Remote>) -> Self {
        TaskWaker { key, remote }
    }
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        let local = context::with_current(|core| {
            if Arc::ptr_eq(&core.remote, &self.remote) {
                core.schedule(self.key);
                true
            } else {
                false
            }
        });
        if local != Some(true) {
            self.remote.push(self.key);
        }
    }
}

/// Wakeups that arrive from other threads.
pub(crate) struct Remote {
    /// Set (under the lock) when `state.woken` is not empty; read without the
    /// lock at the start of every batch.
    pending: AtomicBool,
    state: Mutex<RemoteState>,
    wakeup: Condvar,
}

/// What [`Remote`]'s mutex protects.
pub(crate) struct RemoteState {
    /// Tasks woken from another thread, not yet scheduled.
    pub(crate) woken: Vec<TaskKey>,
    /// Whether the loop waits on the condition variable.
    pub(crate) sleeping: bool,
}

impl Remote {
    pub(crate) fn new() -> Self {
        Remote {
            pending: AtomicBool::new(false).named("aio remote pending"),
            state: Mutex::new(RemoteState {
                woken: Vec::new(),
                sleeping: false,
            })
            .named("aio remote wakeups"),
            wakeup: Condvar::new().named("aio loop wakeup"),
        }
    }

    /// Schedules `key` from another thread and wakes the loop if it sleeps.
    pub(crate) fn push(&self, key: TaskKey) {
        let mut state = self.lock();
        state.woken.push(key);
        self.pending.store(true, Ordering::Release);
        if state.sleeping {
            self.wakeup.notify_one();
        }
    }

    /// The tasks woken from other threads since the last call (cheap when none).
    pub(crate) fn take(&self) -> Vec<TaskKey> {
        if !self.pending.load(Ordering::Acquire) {
            return Vec::new();
        }
        let mut state = self.lock();
        self.pending.store(false, Ordering::Relaxed);
        std::mem::take(&mut state.woken)
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, RemoteState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn condvar(&self) -> &Condvar {
        &self.wakeup
    }
}
