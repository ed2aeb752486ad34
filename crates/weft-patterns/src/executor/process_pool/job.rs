//! A job of the process pool: one `submit` (one item, one promise) or one
//! chunk of a `map` (many items, one promise for the chunk's results, as in
//! Python): the encoded arguments in one [`Batch`], and where the results go.

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

    /// Marks the job running and returns its arguments; `None` when it was
    /// cancelled (it must not run).
    fn start(&mut self) -> Option<Batch>;

    /// Completes the job with the worker's reply.
    fn complete(self: Box<Self>, outcomes: Vec<Outcome>, results: &Batch);

    /// Fails the job.
    fn fail(self: Box<Self>, error: FutureError);

    /// Cancels the job (it was never started).
    fn cancel(self: Box<Self>);
}

/// Where a job's results go.
pub(crate) trait Sink: Send + 'static {
    /// The type of each item's result.
    type Item: DeserializeOwned;

    /// Marks the results' future running; `false` if it was cancelled.
    fn set_running(&self) -> bool;

    /// Delivers the decoded result of every item sent, in order.
    fn complete(self, results: Vec<Result<Self::Item, FutureError>>);

    /// Fails the whole job.
    fn fail(self, error: FutureError);

    /// Cancels the whole job.
    fn cancel(self);
}

/// The result of one `submit`.
pub(crate) struct Single<R>(pub(crate) Promise<R>);

impl<R: DeserializeOwned + Send + 'static> Sink for Single<R> {
    type Item = R;

    fn set_running(&self) -> bool {
        self.0.set_running()
    }

    fn complete(self, results: Vec<Result<R, FutureError>>) {
        match results.into_iter().next() {
            Some(Ok(value)) => self.0.set_result(value),
            Some(Err(error)) => self.0.set_error(error),
            None => self
                .0
                .set_error(FutureError::BrokenPool("a worker sent no result".into())),
        }
    }

    fn fail(self, error: FutureError) {
        self.0.set_error(error);
    }

    fn cancel(self) {
        self.0.cancel();
    }
}

/// The results of one chunk of a `map`: one per item, in order, including
/// the items whose argument could not be encoded (they never left).
pub(crate) struct Chunk<R> {
    pub(crate) promise: Promise<Vec<Result<R, FutureError>>>,
    /// Items that failed before sending: their index in the chunk, and why.
    pub(crate) failed: Vec<(usize, FutureError)>,
}

impl<R: DeserializeOwned + Send + 'static> Sink for Chunk<R> {
    type Item = R;

    fn set_running(&self) -> bool {
        self.promise.set_running()
    }

    fn complete(self, sent: Vec<Result<R, FutureError>>) {
        let Chunk { promise, failed } = self;
        if failed.is_empty() {
            return promise.set_result(sent);
        }
        let mut all = Vec::with_capacity(sent.len() + failed.len());
        let mut sent = sent.into_iter();
        let mut failed = failed.into_iter().peekable();
        while failed.peek().is_some() || sent.len() > 0 {
            match failed.next_if(|(index, _)| *index == all.len()) {
                Some((_, error)) => all.push(Err(error)),
                None => match sent.next() {
                    Some(result) => all.push(result),
                    None => break,
                },
            }
        }
        promise.set_result(all);
    }

    fn fail(self, error: FutureError) {
        self.promise.set_error(error);
    }

    fn cancel(self) {
        self.promise.cancel();
    }
}

/// A job: an entry point, its arguments, and where the results go.
pub(crate) struct Job<S> {
    entry: &'static dyn EntryPoint,
    args: Batch,
    /// How many arguments `start` sent.
    sent: usize,
    sink: S,
}

impl<S: Sink> Job<S> {
    /// A job of `entry` over the arguments in `args`.
    pub(crate) fn new(entry: &'static dyn EntryPoint, args: Batch, sink: S) -> Self {
        Job {
            entry,
            args,
            sent: 0,
            sink,
        }
    }
}

impl<S: Sink> PoolJob for Job<S> {
    fn entry(&self) -> &'static dyn EntryPoint {
        self.entry
    }

    fn size(&self) -> u64 {
        self.args.size()
    }

    fn start(&mut self) -> Option<Batch> {
        if !self.sink.set_running() {
            return None;
        }
        self.sent = self.args.len();
        Some(std::mem::take(&mut self.args))
    }

    fn complete(self: Box<Self>, outcomes: Vec<Outcome>, results: &Batch) {
        let answered = outcomes.len() == self.sent;
        match decode_results::<S::Item>(outcomes, results) {
            Ok(decoded) if answered => self.sink.complete(
                decoded
                    .into_iter()
                    .map(|result| {
                        result.map_err(|failure| match failure {
                            CallFailure::Panicked(message) => FutureError::Panicked(message),
                            CallFailure::Serialization(message) => {
                                FutureError::Serialization(message)
                            }
                        })
                    })
                    .collect(),
            ),
            Ok(_) => self.sink.fail(FutureError::BrokenPool(
                "a worker answered the wrong number of tasks".into(),
            )),
            Err(message) => self.sink.fail(FutureError::BrokenPool(message)),
        }
    }

    fn fail(self: Box<Self>, error: FutureError) {
        self.sink.fail(error);
    }

    fn cancel(self: Box<Self>) {
        self.sink.cancel();
    }
}

weft_sync::real_threads_tests! {
    "futures are model objects under a checker, usable only inside a model";
    mod tests {
            use super::*;
            use crate::executor::future::promise;

            #[test]
            fn a_chunk_puts_the_items_that_never_left_back_in_their_place() {
                let (future, promise) = promise::<Vec<Result<u32, FutureError>>>();
                let early = FutureError::Serialization("item 1 refused".into());
                let late = FutureError::Serialization("item 3 refused".into());
                let chunk = Chunk {
                    promise,
                    failed: vec![(1, early.clone()), (3, late.clone())],
                };
                chunk.complete(vec![Ok(10), Ok(12)]);
                assert_eq!(
                    future.result(None),
                    Ok(vec![Ok(10), Err(early), Ok(12), Err(late)])
                );
            }
    }
}
