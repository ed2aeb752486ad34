//! A job of the process pool: one `submit`, or one chunk of a `map`, with
//! the promise of each item.

use serde::de::DeserializeOwned;

use crate::executor::error::FutureError;
use crate::executor::future::Promise;
use crate::process::{Blob, CallFailure, EntryPoint, Outcome};

/// A queued job, its result type erased.
pub(crate) trait PoolJob: Send {
    /// The entry point its items run.
    fn entry(&self) -> &'static dyn EntryPoint;

    /// The encoded size of its arguments, in bytes.
    fn size(&self) -> u64;

    /// Marks its items running and returns the arguments of those not
    /// cancelled, in order; an empty list means there is nothing to run.
    fn start(&mut self) -> Vec<Blob>;

    /// Completes the started items with the worker's outcomes, in order.
    fn complete(self: Box<Self>, outcomes: Vec<Outcome>);

    /// Fails every item not yet completed.
    fn fail(self: Box<Self>, error: FutureError);

    /// Cancels the items (the job was never started).
    fn cancel(self: Box<Self>);
}

/// The items of one job: each one's encoded argument and promise.
pub(crate) struct Job<R> {
    entry: &'static dyn EntryPoint,
    size: u64,
    /// Items not started yet.
    queued: Vec<(Blob, Promise<R>)>,
    /// Items sent to a worker, awaiting their outcome.
    running: Vec<Promise<R>>,
}

impl<R> Job<R> {
    /// A job of `entry` over `items`.
    pub(crate) fn new(entry: &'static dyn EntryPoint, items: Vec<(Blob, Promise<R>)>) -> Self {
        let size = items.iter().map(|(blob, _)| blob.0.len() as u64).sum();
        Job {
            entry,
            size,
            queued: items,
            running: Vec::new(),
        }
    }
}

impl<R: DeserializeOwned + Send + 'static> PoolJob for Job<R> {
    fn entry(&self) -> &'static dyn EntryPoint {
        self.entry
    }

    fn size(&self) -> u64 {
        self.size
    }

    fn start(&mut self) -> Vec<Blob> {
        let mut args = Vec::with_capacity(self.queued.len());
        for (blob, promise) in self.queued.drain(..) {
            // A cancelled item's promise is dropped unused: its future stays cancelled.
            if promise.set_running() {
                args.push(blob);
                self.running.push(promise);
            }
        }
        args
    }

    fn complete(self: Box<Self>, outcomes: Vec<Outcome>) {
        let Job { running, .. } = *self;
        if outcomes.len() != running.len() {
            let error = FutureError::BrokenPool(format!(
                "a worker sent {} results for {} tasks",
                outcomes.len(),
                running.len()
            ));
            for promise in running {
                promise.set_error(error.clone());
            }
            return;
        }
        for (promise, outcome) in running.into_iter().zip(outcomes) {
            match outcome.into_result::<R>() {
                Ok(value) => promise.set_result(value),
                Err(CallFailure::Panicked(message)) => {
                    promise.set_error(FutureError::Panicked(message))
                }
                Err(CallFailure::Serialization(message)) => {
                    promise.set_error(FutureError::Serialization(message))
                }
            }
        }
    }

    fn fail(self: Box<Self>, error: FutureError) {
        let Job {
            queued, running, ..
        } = *self;
        for promise in running
            .into_iter()
            .chain(queued.into_iter().map(|(_, p)| p))
        {
            promise.set_error(error.clone());
        }
    }

    fn cancel(self: Box<Self>) {
        let Job {
            queued, running, ..
        } = *self;
        for (_, promise) in queued {
            promise.cancel();
        }
        debug_assert!(running.is_empty(), "a started job is never cancelled");
        for promise in running {
            promise.set_error(FutureError::Cancelled);
        }
    }
}
