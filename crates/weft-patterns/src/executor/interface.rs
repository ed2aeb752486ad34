//! [`Executor`]: what [`ThreadPool`] and [`ProcessPool`] share, so that
//! code can be generic over the kind of pool. Python's abstract
//! `concurrent.futures.Executor`.

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::error::{FutureError, SubmitError};
use super::future::Future;
use super::map::MapResults;
use super::map_options::MapOptions;
use super::process_pool::{ProcessMapResults, ProcessPool};
use super::thread_pool::ThreadPool;
use crate::process::Entry;

/// A pool that runs a function `F` on arguments `A`: Python's
/// `Executor` (`submit`, `map`, `shutdown`).
///
/// - [`ThreadPool`] runs any closure `F: Fn(A) -> R` (`Send + Sync +
///   'static`).
/// - [`ProcessPool`] runs a registered entry point, `F = &'static
///   Entry<A, R>`, whose argument and result cross to a worker process.
///
/// The function type is a parameter of the trait, so generic code names
/// it and clones it (a closure whose captures are `Clone`, an entry's
/// reference) to submit it more than once.
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use weft_patterns::executor::{Executor, MapOptions, ThreadPool};
///
/// /// Works on any executor: a thread pool with a closure, a process
/// /// pool with an `Entry`.
/// fn sum_of_squares<E, F>(pool: &E, square: F) -> u64
/// where
///     E: Executor<F, u64, Output = u64>,
///     F: Clone,
/// {
///     let first = pool.submit(square.clone(), 10).unwrap();
///     let rest: u64 = pool
///         .map(square, 1..=3, MapOptions::new().chunksize(2))
///         .unwrap()
///         .map(Result::unwrap)
///         .sum();
///     first.result(None).unwrap() + rest
/// }
///
/// let pool = ThreadPool::new(2);
/// assert_eq!(sum_of_squares(&pool, |x: u64| x * x), 114);
/// pool.shutdown(true, false);
/// # });
/// ```
pub trait Executor<F, A> {
    /// What the function returns for one argument.
    type Output;
    /// The iterator [`Executor::map`] returns.
    type MapResults: Iterator<Item = Result<Self::Output, FutureError>>;

    /// Runs `function(arg)` on the pool and returns the [`Future`] of its
    /// result. Python's `submit(fn, *args)`.
    ///
    /// # Errors
    ///
    /// [`SubmitError::Shutdown`] after a shutdown,
    /// [`SubmitError::Broken`] once the pool is broken.
    fn submit(&self, function: F, arg: A) -> Result<Future<Self::Output>, SubmitError>;

    /// Runs `function` on every item and returns the results in input
    /// order. Python's `map(fn, iterable, timeout, chunksize, buffersize)`;
    /// see [`MapOptions`].
    ///
    /// # Errors
    ///
    /// As [`Executor::submit`]; the items already submitted are cancelled.
    ///
    /// # Panics
    ///
    /// If `chunksize` or `buffersize` is 0.
    fn map<I>(
        &self,
        function: F,
        items: I,
        options: MapOptions,
    ) -> Result<Self::MapResults, SubmitError>
    where
        I: IntoIterator<Item = A>,
        I::IntoIter: Send + 'static;

    /// Stops taking tasks; with `cancel_futures` cancels the ones not
    /// started; with `wait` waits for the workers. Python's
    /// `shutdown(wait, cancel_futures)`.
    fn shutdown(&self, wait: bool, cancel_futures: bool);
}

impl<F, A, R> Executor<F, A> for ThreadPool
where
    F: Fn(A) -> R + Send + Sync + 'static,
    A: Send + 'static,
    R: Send + 'static,
{
    type Output = R;
    type MapResults = MapResults<R>;

    fn submit(&self, function: F, arg: A) -> Result<Future<R>, SubmitError> {
        ThreadPool::submit(self, move || function(arg))
    }

    #[track_caller]
    fn map<I>(
        &self,
        function: F,
        items: I,
        options: MapOptions,
    ) -> Result<MapResults<R>, SubmitError>
    where
        I: IntoIterator<Item = A>,
        I::IntoIter: Send + 'static,
    {
        ThreadPool::map(self, function, items, options)
    }

    fn shutdown(&self, wait: bool, cancel_futures: bool) {
        ThreadPool::shutdown(self, wait, cancel_futures);
    }
}

impl<A, R> Executor<&'static Entry<A, R>, A> for ProcessPool
where
    A: Serialize + DeserializeOwned + 'static,
    R: Serialize + DeserializeOwned + Send + 'static,
{
    type Output = R;
    type MapResults = ProcessMapResults<R>;

    fn submit(&self, entry: &'static Entry<A, R>, arg: A) -> Result<Future<R>, SubmitError> {
        ProcessPool::submit(self, entry, arg)
    }

    #[track_caller]
    fn map<I>(
        &self,
        entry: &'static Entry<A, R>,
        items: I,
        options: MapOptions,
    ) -> Result<ProcessMapResults<R>, SubmitError>
    where
        I: IntoIterator<Item = A>,
        I::IntoIter: Send + 'static,
    {
        ProcessPool::map(self, entry, items, options)
    }

    fn shutdown(&self, wait: bool, cancel_futures: bool) {
        ProcessPool::shutdown(self, wait, cancel_futures);
    }
}
