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

use weft_sync::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use weft_sync::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use super::context;
use super::task_status::TaskKey;

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
            if std::ptr::eq(core.remote_id(), Arc::as_ptr(&self.remote).cast()) {
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

/// A callback sent from another thread (`call_soon_threadsafe`).
pub(crate) type RemoteCallback = Box<dyn FnOnce() + Send>;

/// Wakeups and callbacks that arrive from other threads.
pub(crate) struct Remote {
    /// Live [`Handle`](super::Handle)s: while one exists, another thread
    /// may send a callback, so an idle loop waits instead of declaring a
    /// deadlock.
    handles: AtomicUsize,
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
    /// Callbacks sent from other threads, not yet scheduled.
    pub(crate) callbacks: Vec<RemoteCallback>,
    /// The loop was shut down: callbacks are refused.
    pub(crate) closed: bool,
}

impl RemoteState {
    /// Whether a wakeup or a callback waits to be collected.
    pub(crate) fn has_work(&self) -> bool {
        !self.woken.is_empty() || !self.callbacks.is_empty()
    }
}

impl Remote {
    pub(crate) fn new() -> Self {
        Remote {
            handles: AtomicUsize::new(0).named("aio loop handles"),
            pending: AtomicBool::new(false).named("aio remote pending"),
            state: Mutex::new(RemoteState {
                woken: Vec::new(),
                sleeping: false,
                callbacks: Vec::new(),
                closed: false,
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

    /// Queues `callback` from any thread and wakes the loop if it sleeps;
    /// gives it back when the loop was shut down.
    pub(crate) fn push_callback(&self, callback: RemoteCallback) -> Result<(), RemoteCallback> {
        let mut state = self.lock();
        if state.closed {
            return Err(callback);
        }
        state.callbacks.push(callback);
        self.pending.store(true, Ordering::Release);
        if state.sleeping {
            self.wakeup.notify_one();
        }
        Ok(())
    }

    /// The tasks woken and the callbacks sent from other threads since the
    /// last call (cheap when none).
    pub(crate) fn take(&self) -> (Vec<TaskKey>, Vec<RemoteCallback>) {
        if !self.pending.load(Ordering::Acquire) {
            return (Vec::new(), Vec::new());
        }
        let mut state = self.lock();
        self.pending.store(false, Ordering::Relaxed);
        (
            std::mem::take(&mut state.woken),
            std::mem::take(&mut state.callbacks),
        )
    }

    /// Refuses callbacks from now on and returns the ones not run.
    pub(crate) fn close(&self) -> Vec<RemoteCallback> {
        let mut state = self.lock();
        state.closed = true;
        std::mem::take(&mut state.callbacks)
    }

    /// Counts a new [`Handle`](super::Handle).
    pub(crate) fn handle_created(&self) {
        self.handles.fetch_add(1, Ordering::SeqCst);
    }

    /// Counts a dropped [`Handle`](super::Handle).
    pub(crate) fn handle_dropped(&self) {
        self.handles.fetch_sub(1, Ordering::SeqCst);
    }

    /// Whether a [`Handle`](super::Handle) exists, which another thread may
    /// use to send a callback.
    pub(crate) fn has_handles(&self) -> bool {
        self.handles.load(Ordering::SeqCst) > 0
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, RemoteState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn condvar(&self) -> &Condvar {
        &self.wakeup
    }
}
