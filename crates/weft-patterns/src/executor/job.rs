//! A queued unit of work: a task closure living in its future's own
//! allocation, which a worker runs, or a shutdown cancels, or a broken pool
//! fails. One allocation per task: the future's shared state carries the
//! closure, and the queue holds a second reference to it.

use std::any::Any;
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};

use weft_sync::cell::UnsafeCell;
// std's `Arc`: a type-erased handle (`dyn`) needs std's unsizing coercion,
// which a modelled `Arc` cannot have on stable Rust. What it points to is
// published through the pool's locks, which the checker sees.
use std::sync::Arc;

use super::error::FutureError;
use super::future::{future_with_work, Future, Inner, Promise};

/// What a queued task can have done to it; implemented by the shared state
/// of a future that carries its closure.
pub(crate) trait Job: Send + Sync {
    /// Runs the task (unless its future was cancelled) and completes the
    /// future with its value, or with [`FutureError::Panicked`].
    fn run(self: Arc<Self>);
    /// Cancels the future (if it has not started) and drops the closure.
    fn cancel(self: Arc<Self>);
    /// Fails the future with `error` and drops the closure.
    fn fail(self: Arc<Self>, error: FutureError);
}

/// The queue's handle on one task: run, cancel or fail it exactly once.
/// Dropped unused, it fails the future with [`FutureError::BrokenPool`],
/// so a future never waits for a task nobody holds.
pub(crate) struct JobHandle(Option<Arc<dyn Job>>);

impl JobHandle {
    /// Runs the task; see [`Job::run`].
    pub(crate) fn run(mut self) {
        if let Some(job) = self.0.take() {
            job.run();
        }
    }

    /// Cancels the task; see [`Job::cancel`].
    pub(crate) fn cancel(mut self) {
        if let Some(job) = self.0.take() {
            job.cancel();
        }
    }

    /// Fails the task; see [`Job::fail`].
    pub(crate) fn fail(mut self, error: FutureError) {
        if let Some(job) = self.0.take() {
            job.fail(error);
        }
    }
}

impl Drop for JobHandle {
    fn drop(&mut self) {
        if let Some(job) = self.0.take() {
            job.fail(FutureError::BrokenPool("task dropped before it ran".into()));
        }
    }
}

impl fmt::Debug for JobHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JobHandle").finish_non_exhaustive()
    }
}

/// A task closure, kept in its future's allocation until a worker takes it.
pub(crate) struct TaskWork<F> {
    closure: UnsafeCell<Option<F>>,
}

// SAFETY: the closure is reached only through `TaskWork::take`, whose
// contract makes every access exclusive (one `JobHandle`, consumed once);
// the closure only moves to the thread that takes it, so `F: Send` suffices.
unsafe impl<F: Send> Sync for TaskWork<F> {}

impl<F> TaskWork<F> {
    /// Moves the closure out (`None` if it was taken already).
    ///
    /// # Safety
    ///
    /// Only the holder of the task's [`JobHandle`] may call this: there is
    /// one handle per task, it is consumed by its first use, and it reached
    /// its holder through the pool's queue mutex, which orders the closure's
    /// initialization before this access. So no two calls overlap.
    unsafe fn take(&self) -> Option<F> {
        // SAFETY: exclusive by this function's contract.
        self.closure
            .with_mut(|closure| unsafe { (*closure).take() })
    }
}

/// A new task: the future of `closure`'s result and the queue's handle on
/// it, sharing one allocation.
pub(crate) fn task<F, T>(closure: F) -> (Future<T>, JobHandle)
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let work = TaskWork {
        closure: UnsafeCell::new(Some(closure)).named("task.closure"),
    };
    let (future, shared) = future_with_work::<T, TaskWork<F>>(work);
    let job: Arc<dyn Job> = shared;
    (future, JobHandle(Some(job)))
}

impl<F, T> Job for Inner<T, TaskWork<F>>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    fn run(self: Arc<Self>) {
        // SAFETY: called through the task's one `JobHandle`, consumed here.
        let closure = unsafe { self.work().take() };
        let promise = Promise::from_shared(self);
        let Some(closure) = closure else {
            return;
        };
        if !promise.set_running() {
            return; // cancelled: the closure is dropped unrun
        }
        match catch_unwind(AssertUnwindSafe(closure)) {
            Ok(value) => promise.set_result_after_running(value),
            Err(payload) => {
                promise.set_error_after_running(FutureError::Panicked(panic_message(&*payload)))
            }
        }
    }

    fn cancel(self: Arc<Self>) {
        // SAFETY: called through the task's one `JobHandle`, consumed here.
        drop(unsafe { self.work().take() });
        Promise::from_shared(self).cancel();
    }

    fn fail(self: Arc<Self>, error: FutureError) {
        // SAFETY: called through the task's one `JobHandle`, consumed here.
        drop(unsafe { self.work().take() });
        Promise::from_shared(self).set_error(error);
    }
}

/// The message of a panic payload: the `&str` or `String` given to
/// `panic!`, or a placeholder for any other payload.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(message) = payload.downcast_ref::<&str>() {
        (*message).to_owned()
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else {
        "non-string panic payload".to_owned()
    }
}
