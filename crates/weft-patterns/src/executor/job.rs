//! A queued unit of work: a task and the promise of its future, which a
//! worker runs, or a shutdown cancels, or a broken pool fails.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

use super::error::FutureError;
use super::future::Promise;

/// A type-erased task with its promise, as the pool's queue holds it.
pub(crate) trait Job: Send {
    /// Runs the task (unless its future was cancelled) and completes the
    /// future with its value, or with [`FutureError::Panicked`].
    fn run(self: Box<Self>);
    /// Cancels the future without running the task.
    fn cancel(self: Box<Self>);
    /// Fails the future with `error` without running the task.
    fn fail(self: Box<Self>, error: FutureError);
}

/// A closure and the promise of its future.
pub(crate) struct Task<F, T> {
    work: F,
    promise: Promise<T>,
}

impl<F, T> Task<F, T> {
    /// Pairs `work` with the promise of its future.
    pub(crate) fn new(work: F, promise: Promise<T>) -> Self {
        Task { work, promise }
    }
}

impl<F, T> Job for Task<F, T>
where
    F: FnOnce() -> T + Send,
    T: Send,
{
    fn run(self: Box<Self>) {
        let Task { work, promise } = *self;
        if !promise.set_running() {
            return;
        }
        match catch_unwind(AssertUnwindSafe(work)) {
            Ok(value) => promise.set_result(value),
            Err(payload) => promise.set_error(FutureError::Panicked(panic_message(&*payload))),
        }
    }

    fn cancel(self: Box<Self>) {
        self.promise.cancel();
    }

    fn fail(self: Box<Self>, error: FutureError) {
        self.promise.set_error(error);
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
