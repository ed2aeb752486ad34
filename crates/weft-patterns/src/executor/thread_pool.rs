//! [`ThreadPool`]: a fixed set of worker threads that run submitted tasks
//! and hand back a [`Future`] for each, Python's `ThreadPoolExecutor`.

use std::collections::VecDeque;
use std::fmt;

use weft_sync::sync::Arc;

use super::error::SubmitError;
use super::future::Future;
use super::job::{task, JobHandle};
use super::map::MapResults;
use super::map_options::MapOptions;
use super::thread_pool_builder::{default_max_workers, ThreadPoolBuilder};
use super::worker::PoolShared;
use weft_sync::time::Deadline;

/// How many of `map`'s tasks are queued under one lock.
const MAP_CHUNK: usize = 64;

/// A pool of worker threads: Python's `ThreadPoolExecutor`.
///
/// - [`ThreadPool::submit`] queues a closure and returns its [`Future`].
/// - [`ThreadPool::map`] runs a function over many items and yields the
///   results in input order.
/// - [`ThreadPool::shutdown`] stops taking tasks, optionally cancels the
///   queued ones, and optionally waits for the workers; dropping the pool
///   is `shutdown(true, false)`.
///
/// A panicking task fails its own future with
/// [`FutureError::Panicked`](super::FutureError::Panicked); its worker
/// lives on. Submitting after shutdown is an error, never a hang.
///
/// The workers start on demand, as Python's do: a submit that finds no idle
/// worker starts one more, up to `max_workers`, so a pool never given a
/// task starts no thread. They are named `ThreadPool_0`, `ThreadPool_1`,
/// ... in the order they start, unless a prefix is set.
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use weft_patterns::executor::ThreadPool;
///
/// let pool = ThreadPool::new(2);
/// let square = pool.submit(|| 7 * 7).unwrap();
/// let lengths: Vec<usize> = pool
///     .map(|s: &str| s.len(), ["a", "bb", "ccc"], None)
///     .unwrap()
///     .map(Result::unwrap)
///     .collect();
/// assert_eq!(square.result(None), Ok(49));
/// assert_eq!(lengths, [1, 2, 3]);
/// # });
/// ```
pub struct ThreadPool {
    shared: Arc<PoolShared>,
}

impl ThreadPool {
    /// A pool of up to `max_workers` worker threads named `ThreadPool_0`,
    /// `ThreadPool_1`, ..., started on demand. Use [`ThreadPool::builder`]
    /// to set a name prefix or an initializer, or to handle errors.
    ///
    /// # Panics
    ///
    /// If `max_workers` is 0.
    pub fn new(max_workers: usize) -> ThreadPool {
        match ThreadPoolBuilder::new(max_workers).build() {
            Ok(pool) => pool,
            Err(error) => panic!("failed to build a thread pool: {error}"),
        }
    }

    /// A pool of Python's default size, `min(32, cpus + 4)` workers
    /// ([`default_max_workers`]): `ThreadPoolExecutor()`.
    pub fn with_default_workers() -> ThreadPool {
        ThreadPool::new(default_max_workers())
    }

    /// A [`ThreadPoolBuilder`] for a pool of `max_workers` workers.
    pub fn builder(max_workers: usize) -> ThreadPoolBuilder {
        ThreadPoolBuilder::new(max_workers)
    }

    pub(crate) fn from_shared(shared: Arc<PoolShared>) -> Self {
        ThreadPool { shared }
    }

    /// Queues `work` and returns the [`Future`] of its result. Python's
    /// `submit(fn)`.
    ///
    /// # Errors
    ///
    /// [`SubmitError::Shutdown`] after [`ThreadPool::shutdown`];
    /// [`SubmitError::Broken`] when an initializer panicked;
    /// [`SubmitError::Spawn`] when no worker runs and none can be started.
    ///
    /// # Examples
    ///
    /// ```
    /// # weft_sync::explore::doc_example(|| {
    /// use weft_patterns::executor::ThreadPool;
    ///
    /// let pool = ThreadPool::new(1);
    /// let future = pool.submit(|| "hello".to_uppercase()).unwrap();
    /// assert_eq!(future.result(None).unwrap(), "HELLO");
    /// # });
    /// ```
    pub fn submit<F, T>(&self, work: F) -> Result<Future<T>, SubmitError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let (future, job) = task(work);
        PoolShared::push(&self.shared, job)?;
        Ok(future)
    }

    /// Runs `function` on every item on the pool and returns an iterator of
    /// the results in input order. Python's `map(fn, iterable, timeout=None,
    /// chunksize=1, buffersize=None)`; `options` is a [`MapOptions`], or
    /// just the timeout (`None` or a
    /// [`Duration`](weft_sync::time::Duration)).
    ///
    /// Without a `buffersize`, every item is submitted before this returns;
    /// with one, at most that many items are submitted and not yet read,
    /// and the input is read lazily (it may be endless). The `timeout`
    /// counts from this call: when an item is not done by then, the
    /// iterator yields `Err(FutureError::Timeout)`, cancels the items not
    /// started (that one included), and ends. A panic in `function` yields
    /// `Err(FutureError::Panicked(..))` at that item; the iteration goes
    /// on. Dropping the iterator cancels the items not started. As in
    /// Python, a thread pool ignores `chunksize`.
    ///
    /// # Errors
    ///
    /// As [`ThreadPool::submit`]; the items already submitted are
    /// cancelled. (With a `buffersize`, a submit refused later, after a
    /// shutdown, ends the iterator with one `Err(FutureError::Failed(..))`
    /// that says so, once the items submitted before are read.)
    ///
    /// # Panics
    ///
    /// If `chunksize` or `buffersize` is 0, as Python raises `ValueError`.
    ///
    /// # Examples
    ///
    /// ```
    /// # weft_sync::explore::doc_example(|| {
    /// use weft_patterns::executor::ThreadPool;
    ///
    /// let pool = ThreadPool::new(2);
    /// let doubled: Result<Vec<u64>, _> = pool.map(|x: u64| x * 2, 0..5, None).unwrap().collect();
    /// assert_eq!(doubled.unwrap(), [0, 2, 4, 6, 8]);
    /// # });
    /// ```
    #[track_caller]
    pub fn map<I, F, T>(
        &self,
        function: F,
        items: I,
        options: impl Into<MapOptions>,
    ) -> Result<MapResults<T>, SubmitError>
    where
        I: IntoIterator,
        I::IntoIter: Send + 'static,
        I::Item: Send + 'static,
        F: Fn(I::Item) -> T + Send + Sync + 'static,
        T: Send + 'static,
    {
        let options = options.into();
        options.validate();
        let deadline = Deadline::after(options.timeout);
        let function = Arc::new(function);
        let mut items = items.into_iter();
        let Some(buffersize) = options.buffersize else {
            let futures = self.submit_all(&function, items)?;
            return Ok(MapResults::new(futures, deadline, None));
        };
        let futures = self.submit_all(&function, items.by_ref().take(buffersize))?;
        let shared = Arc::clone(&self.shared);
        let refill = Box::new(move || {
            let item = items.next()?;
            let function = Arc::clone(&function);
            let (future, job) = task(move || function(item));
            Some(PoolShared::push(&shared, job).map(|()| future))
        });
        Ok(MapResults::new(futures, deadline, Some(refill)))
    }

    /// Submits `function` over `items`, [`MAP_CHUNK`] tasks per lock, and
    /// returns their futures; on a refusal, cancels those already queued.
    fn submit_all<A, F, T>(
        &self,
        function: &Arc<F>,
        items: impl Iterator<Item = A>,
    ) -> Result<VecDeque<Future<T>>, SubmitError>
    where
        A: Send + 'static,
        F: Fn(A) -> T + Send + Sync + 'static,
        T: Send + 'static,
    {
        let mut futures = VecDeque::new();
        let mut jobs: Vec<JobHandle> = Vec::with_capacity(MAP_CHUNK);
        let mut items = items.peekable();
        while let Some(item) = items.next() {
            let function = Arc::clone(function);
            let (future, job) = task(move || function(item));
            jobs.push(job);
            futures.push_back(future);
            if jobs.len() == MAP_CHUNK || items.peek().is_none() {
                if let Err(error) = PoolShared::push_all(&self.shared, &mut jobs) {
                    for future in &futures {
                        future.cancel();
                    }
                    return Err(error);
                }
            }
        }
        Ok(futures)
    }

    /// Stops the pool: later submits fail with [`SubmitError::Shutdown`];
    /// with `cancel_futures`, every task not yet started is cancelled (its
    /// future ends [`Cancelled`](super::FutureState::Cancelled)); the others
    /// still run. With `wait`, blocks until every worker has finished and
    /// exited. Python's `shutdown(wait, cancel_futures=...)`. Calling it
    /// again is allowed.
    ///
    /// Called from one of the pool's own workers (from a task or a
    /// callback), it cannot wait for itself: it returns without waiting.
    ///
    /// # Examples
    ///
    /// ```
    /// # weft_sync::explore::doc_example(|| {
    /// use weft_patterns::executor::{SubmitError, ThreadPool};
    ///
    /// let pool = ThreadPool::new(2);
    /// let future = pool.submit(|| 1).unwrap();
    /// pool.shutdown(true, false);
    /// assert_eq!(future.result(None), Ok(1));
    /// assert_eq!(pool.submit(|| 2).unwrap_err(), SubmitError::Shutdown);
    /// # });
    /// ```
    pub fn shutdown(&self, wait: bool, cancel_futures: bool) {
        let Some(handles) = self.shared.shutdown(cancel_futures, wait) else {
            return;
        };
        if handles.is_empty() {
            // Another shutdown is joining the workers (or has), or none
            // was started: wait until they have all left their loops.
            self.shared.wait_for_exit();
            return;
        }
        // Joining is the wait: once every worker has finished, none is
        // left in its loop. (No condvar wait for the count of live
        // workers: under a checker that wait and its wakeups would be
        // steps to interleave, which the joins already cover.)
        for handle in handles {
            // Workers catch every panic of their tasks; a worker that still
            // panicked has nothing left to report here.
            let _ = handle.join();
        }
    }

    /// The most worker threads the pool runs at once.
    pub fn max_workers(&self) -> usize {
        self.shared.max_workers()
    }
}

impl Drop for ThreadPool {
    /// Shuts the pool down and waits for the queued tasks and the workers:
    /// `shutdown(true, false)`.
    fn drop(&mut self) {
        self.shutdown(true, false);
    }
}

impl fmt::Debug for ThreadPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThreadPool")
            .field("max_workers", &self.max_workers())
            .finish_non_exhaustive()
    }
}
