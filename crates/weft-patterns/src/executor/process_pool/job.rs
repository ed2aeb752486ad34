//! A job of the process pool: one `submit`, or one chunk of a `map`: the
//! encoded arguments in one [`Batch`] and the promise of each item.

use serde::de::DeserializeOwned;

use crate::executor::error::FutureError;
use crate::executor::future::Promise;
use crate::process::{decode_results, Batch, CallFailure, EntryPoint, Outcome};

/// A queued job, its result type erased.
pub(crate) trait PoolJob: Send {
    /// The entry point its items run.
    fn entry(&self) -> &'static dyn EntryPoint;

    /// The encoded size of its arguments, in bytes.
    fn size(&self) -> u64;

    /// Marks its items running and returns the arguments of those not
    /// cancelled, in order; an empty batch means there is nothing to run.
    fn start(&mut self) -> Batch;

    /// Completes the started items with the worker's reply.
    fn complete(self: Box<Self>, outcomes: Vec<Outcome>, results: &Batch);

    /// Fails every item not yet completed.
    fn fail(self: Box<Self>, error: FutureError);

    /// Cancels the items (the job was never started).
    fn cancel(self: Box<Self>);
}

/// The items of one job.
pub(crate) struct Job<R> {
    entry: &'static dyn EntryPoint,
    /// The arguments of the items not started yet, in order.
    args: Batch,
    /// The promises of the items not started yet, in order.
    queued: Vec<Promise<R>>,
    /// The promises of the items sent to a worker.
    running: Vec<Promise<R>>,
}

impl<R> Job<R> {
    /// A job of `entry` over the arguments in `args`, one promise each.
    pub(crate) fn new(
        entry: &'static dyn EntryPoint,
        args: Batch,
        promises: Vec<Promise<R>>,
    ) -> Self {
        debug_assert_eq!(args.len(), promises.len());
        Job {
            entry,
            args,
            queued: promises,
            running: Vec::new(),
        }
    }
}

impl<R: DeserializeOwned + Send + 'static> PoolJob for Job<R> {
    fn entry(&self) -> &'static dyn EntryPoint {
        self.entry
    }

    fn size(&self) -> u64 {
        self.args.size()
    }

    fn start(&mut self) -> Batch {
        let mut keep = Vec::with_capacity(self.queued.len());
        for promise in self.queued.drain(..) {
            // A cancelled item's promise is dropped unused: its future stays cancelled.
            let started = promise.set_running();
            keep.push(started);
            if started {
                self.running.push(promise);
            }
        }
        let mut args = std::mem::take(&mut self.args);
        args.retain(&keep);
        args
    }

    fn complete(self: Box<Self>, outcomes: Vec<Outcome>, results: &Batch) {
        let Job { running, .. } = *self;
        let decoded = if outcomes.len() == running.len() {
            decode_results::<R>(outcomes, results)
        } else {
            Err(format!(
                "a worker sent {} results for {} tasks",
                outcomes.len(),
                running.len()
            ))
        };
        let decoded = match decoded {
            Ok(decoded) => decoded,
            Err(message) => {
                let error = FutureError::BrokenPool(message);
                for promise in running {
                    promise.set_error(error.clone());
                }
                return;
            }
        };
        for (promise, result) in running.into_iter().zip(decoded) {
            match result {
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
        for promise in running.into_iter().chain(queued) {
            promise.set_error(error.clone());
        }
    }

    fn cancel(self: Box<Self>) {
        let Job {
            queued, running, ..
        } = *self;
        for promise in queued {
            promise.cancel();
        }
        debug_assert!(running.is_empty(), "a started job is never cancelled");
        for promise in running {
            promise.set_error(FutureError::Cancelled);
        }
    }
}
