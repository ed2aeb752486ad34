//! [`ProcessPool`]: worker processes that run submitted tasks and hand back
//! a [`Future`] for each, Python's `ProcessPoolExecutor`.

use std::collections::VecDeque;
use std::fmt;
use std::mem;

use serde::de::DeserializeOwned;
use serde::Serialize;
use weft_sync::sync::{Arc, Mutex, PoisonError};
use weft_sync::thread::JoinHandle;

use super::builder::ProcessPoolBuilder;
use super::job::{Chunk, Job, PoolJob, Single, Sink};
use super::map_results::{ChunkFuture, ProcessMapResults};
use super::shared::Shared;
use super::unordered_results::UnorderedMapResults;
use crate::executor::error::{FutureError, SubmitError};
use crate::executor::future::{promise, Future};
use crate::executor::map::Refill;
use crate::executor::MapOptions;
use crate::process::{Batch, Entry};
use weft_sync::time::Deadline;

/// How many of `map`'s jobs are queued under one lock.
const MAP_BATCH: usize = 64;

/// A pool of worker processes: Python's `ProcessPoolExecutor`, with the
/// interface of [`ThreadPool`](crate::executor::ThreadPool) and the same
/// [`Future`].
///
/// - [`ProcessPool::submit`] sends an [`Entry`] and its argument to a worker
///   and returns the [`Future`] of the result.
/// - [`ProcessPool::map`] runs an entry point over many items, `chunksize`
///   items per message, and yields the results in input order.
/// - [`ProcessPool::imap`] and [`ProcessPool::imap_unordered`] do the same
///   with a bounded number of chunks in flight, reading the input lazily,
///   the second yielding results as they complete (`multiprocessing.Pool`'s
///   `imap` and `imap_unordered`).
/// - [`ProcessPool::shutdown`] stops taking tasks, optionally cancels the
///   queued ones, and optionally waits until every worker has exited and
///   been reaped; dropping the pool is `shutdown(true, false)`.
///
/// Workers are [`Process`](crate::process::Process)-style children: in std
/// mode real OS processes (the current binary re-executed; its `main` must
/// call [`process::main`](crate::process::main) first and list every entry
/// point the pool runs), under a checker isolated threads that exchange the
/// same encoded messages. Arguments and results cross with postcard.
///
/// # Faults
///
/// A task that panics fails its own future with [`FutureError::Panicked`];
/// an argument or result that cannot be serialised (or exceeds
/// [`ProcessPoolBuilder::max_message_size`]) fails it with
/// [`FutureError::Serialization`]. The pool goes on in both cases.
///
/// A worker that dies (a signal, `abort`, `exit`, a crash) **breaks** the
/// pool, as in Python (`BrokenProcessPool`): every task running or queued
/// fails with [`FutureError::BrokenPool`] whose message names the worker,
/// its pid and the signal (`worker `ProcessPool_0` (pid 4242) was killed by
/// signal 9 (SIGKILL)`), the other workers are killed and reaped, and later
/// submits return [`SubmitError::Broken`] with the same message. Nothing
/// hangs. A worker that dies while idle is noticed when it is next given a
/// task.
///
/// # Examples
///
/// ```no_run
/// use weft_patterns::executor::{MapOptions, ProcessPool};
/// use weft_patterns::process::{self, Entry};
///
/// fn collatz_steps(mut n: u64) -> u32 {
///     let mut steps = 0;
///     while n != 1 {
///         n = if n % 2 == 0 { n / 2 } else { 3 * n + 1 };
///         steps += 1;
///     }
///     steps
/// }
/// static COLLATZ: Entry<u64, u32> = weft_patterns::process_entry!(collatz_steps);
///
/// fn main() {
///     process::main(&[&COLLATZ]);
///     let pool = ProcessPool::new(2);
///     assert_eq!(pool.submit(&COLLATZ, 27).unwrap().result(None), Ok(111));
///     let steps: Vec<u32> = pool
///         .map(&COLLATZ, 1..=5, MapOptions::new().chunksize(2))
///         .unwrap()
///         .map(Result::unwrap)
///         .collect();
///     assert_eq!(steps, [0, 1, 7, 2, 5]);
/// }
/// ```
pub struct ProcessPool {
    shared: Arc<Shared>,
    handlers: Mutex<Vec<JoinHandle<()>>>,
}

impl ProcessPool {
    /// Starts a pool of `max_workers` worker processes named
    /// `ProcessPool_0`, `ProcessPool_1`, ... Use [`ProcessPool::builder`]
    /// for an initializer, `max_tasks_per_child` or a name prefix, or to
    /// handle errors.
    ///
    /// # Panics
    ///
    /// If `max_workers` is 0, or if a handler thread cannot be started.
    pub fn new(max_workers: usize) -> ProcessPool {
        match ProcessPoolBuilder::new(max_workers).build() {
            Ok(pool) => pool,
            Err(error) => panic!("failed to build a process pool: {error}"),
        }
    }

    /// A [`ProcessPoolBuilder`] for a pool of `max_workers` workers.
    pub fn builder(max_workers: usize) -> ProcessPoolBuilder {
        ProcessPoolBuilder::new(max_workers)
    }

    pub(crate) fn from_parts(shared: Arc<Shared>, handlers: Vec<JoinHandle<()>>) -> Self {
        ProcessPool {
            shared,
            handlers: Mutex::new(handlers).named("process_pool.handlers"),
        }
    }

    /// Queues `entry(args)` for a worker and returns the [`Future`] of its
    /// result. Python's `submit(fn, *args)`.
    ///
    /// An argument that cannot be serialised (or is over the message limit)
    /// gives a future that has already failed with
    /// [`FutureError::Serialization`].
    ///
    /// # Errors
    ///
    /// [`SubmitError::Shutdown`] after [`ProcessPool::shutdown`];
    /// [`SubmitError::Broken`] once the pool is broken, with the reason its
    /// futures failed with.
    pub fn submit<A, R>(
        &self,
        entry: &'static Entry<A, R>,
        args: A,
    ) -> Result<Future<R>, SubmitError>
    where
        A: Serialize + DeserializeOwned + 'static,
        R: Serialize + DeserializeOwned + Send + 'static,
    {
        self.shared.check_open()?;
        let (future, promise) = promise();
        let mut args_batch = Batch::with_capacity(1, 16);
        match args_batch.push(&args, "the argument", self.shared.config.max_message_size) {
            Ok(()) => {
                let job: Box<dyn PoolJob> = Box::new(Job::new(entry, args_batch, Single(promise)));
                self.shared.push(&mut vec![job])?;
            }
            Err(e) => promise.set_error(FutureError::Serialization(e.message())),
        }
        Ok(future)
    }

    /// Runs `entry` on every item in the workers and returns an iterator of
    /// the results in input order. Python's `map(fn, iterable, timeout=None,
    /// chunksize=1, buffersize=None)`; `options` is a [`MapOptions`], or
    /// just the timeout (`None` or a
    /// [`Duration`](weft_sync::time::Duration)).
    ///
    /// Items travel `chunksize` per message (a larger chunk costs fewer
    /// round trips; each item still has its own result), and a chunk is
    /// started, cancelled or broken as a whole, as in Python. Without a
    /// `buffersize` every item is queued before this returns; with one, at
    /// most that many chunks are queued and not yet read, and the input is
    /// read lazily. The `timeout` counts from this call: when an item is not
    /// done by then, the iterator yields `Err(FutureError::Timeout)`,
    /// cancels the chunks not started, and ends. An item that panics yields
    /// `Err(FutureError::Panicked(..))` in place and the iteration goes on.
    /// Dropping the iterator cancels the chunks not started. See
    /// [`ProcessMapResults`].
    ///
    /// # Errors
    ///
    /// As [`ProcessPool::submit`]; the items already queued are cancelled.
    /// (With a `buffersize`, a submit refused later ends the iterator with
    /// one `Err(FutureError::Failed(..))` that says so.)
    ///
    /// # Panics
    ///
    /// If `chunksize` or `buffersize` is 0.
    #[track_caller]
    pub fn map<A, R, I>(
        &self,
        entry: &'static Entry<A, R>,
        items: I,
        options: impl Into<MapOptions>,
    ) -> Result<ProcessMapResults<R>, SubmitError>
    where
        I: IntoIterator<Item = A>,
        I::IntoIter: Send + 'static,
        A: Serialize + DeserializeOwned + 'static,
        R: Serialize + DeserializeOwned + Send + 'static,
    {
        let options = options.into();
        options.validate();
        let deadline = Deadline::after(options.timeout);
        self.shared.check_open()?;
        let chunksize = options.chunksize;
        let mut items = items.into_iter();
        let Some(buffersize) = options.buffersize else {
            let chunks = self.queue_chunks(entry, &mut items, chunksize, usize::MAX)?;
            return Ok(ProcessMapResults::new(chunks, deadline, None));
        };
        let (chunks, refill) = self.start_buffered(entry, items, chunksize, buffersize)?;
        Ok(ProcessMapResults::new(chunks, deadline, Some(refill)))
    }

    /// Runs `entry` on every item, `chunksize` items per message, and
    /// returns an iterator of the results in input order, reading the input
    /// lazily. Python's `multiprocessing.Pool.imap(func, iterable,
    /// chunksize=1)`.
    ///
    /// At most [`ProcessPool::imap_in_flight`] chunks (twice the number of
    /// workers) are queued and not yet read: each chunk read queues the
    /// next one, so the input may be long or endless. It is
    /// [`ProcessPool::map`] with that
    /// [`buffersize`](MapOptions::buffersize) and no timeout; call `map`
    /// with [`MapOptions`] for another bound or a timeout. Errors come as
    /// [`ProcessMapResults`] yields them: an item that panicked in place; a
    /// worker that dies, as [`FutureError::BrokenPool`] for each item in
    /// flight and then one `Err(FutureError::Failed(..))` for the rest of
    /// the input, which ends the iterator: never a hang.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use weft_patterns::executor::ProcessPool;
    /// use weft_patterns::process::{self, Entry};
    ///
    /// fn cube(x: u64) -> u64 {
    ///     x * x * x
    /// }
    /// static CUBE: Entry<u64, u64> = weft_patterns::process_entry!(cube);
    ///
    /// fn main() {
    ///     process::main(&[&CUBE]);
    ///     let pool = ProcessPool::new(2);
    ///     // An endless input: only a few chunks are ever queued ahead.
    ///     let cubes: Vec<u64> = pool
    ///         .imap(&CUBE, 1.., 4)
    ///         .unwrap()
    ///         .take(5)
    ///         .map(Result::unwrap)
    ///         .collect();
    ///     assert_eq!(cubes, [1, 8, 27, 64, 125]);
    /// }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`ProcessPool::submit`]; the items already queued are cancelled.
    /// A submit refused later ends the iterator with one
    /// `Err(FutureError::Failed(..))` that says so.
    ///
    /// # Panics
    ///
    /// If `chunksize` is 0.
    #[track_caller]
    pub fn imap<A, R, I>(
        &self,
        entry: &'static Entry<A, R>,
        items: I,
        chunksize: usize,
    ) -> Result<ProcessMapResults<R>, SubmitError>
    where
        I: IntoIterator<Item = A>,
        I::IntoIter: Send + 'static,
        A: Serialize + DeserializeOwned + 'static,
        R: Serialize + DeserializeOwned + Send + 'static,
    {
        let options = MapOptions::new()
            .chunksize(chunksize)
            .buffersize(self.imap_in_flight());
        self.map(entry, items, options)
    }

    /// Runs `entry` on every item, `chunksize` items per message, and
    /// returns an iterator of the results in the order their chunks
    /// complete, reading the input lazily. Python's
    /// `multiprocessing.Pool.imap_unordered(func, iterable, chunksize=1)`.
    ///
    /// A chunk's items come together, in input order; a chunk that
    /// finishes early is read before a slow one queued before it. At most
    /// [`ProcessPool::imap_in_flight`] chunks are queued and not yet read,
    /// as for [`ProcessPool::imap`]. A worker that dies fails the chunks in
    /// flight with [`FutureError::BrokenPool`], once per item, then one
    /// `Err(FutureError::Failed(..))` says the rest of the input was
    /// refused, and the iterator ends: it never hangs. See
    /// [`UnorderedMapResults`].
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use std::collections::BTreeSet;
    ///
    /// use weft_patterns::executor::ProcessPool;
    /// use weft_patterns::process::{self, Entry};
    ///
    /// fn double(x: u64) -> u64 {
    ///     2 * x
    /// }
    /// static DOUBLE: Entry<u64, u64> = weft_patterns::process_entry!(double);
    ///
    /// fn main() {
    ///     process::main(&[&DOUBLE]);
    ///     let pool = ProcessPool::new(2);
    ///     let doubled: BTreeSet<u64> = pool
    ///         .imap_unordered(&DOUBLE, 1..=4, 1)
    ///         .unwrap()
    ///         .map(Result::unwrap)
    ///         .collect();
    ///     assert_eq!(doubled, BTreeSet::from([2, 4, 6, 8]));
    /// }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`ProcessPool::imap`].
    ///
    /// # Panics
    ///
    /// If `chunksize` is 0.
    #[track_caller]
    pub fn imap_unordered<A, R, I>(
        &self,
        entry: &'static Entry<A, R>,
        items: I,
        chunksize: usize,
    ) -> Result<UnorderedMapResults<R>, SubmitError>
    where
        I: IntoIterator<Item = A>,
        I::IntoIter: Send + 'static,
        A: Serialize + DeserializeOwned + 'static,
        R: Serialize + DeserializeOwned + Send + 'static,
    {
        MapOptions::new().chunksize(chunksize).validate();
        self.shared.check_open()?;
        let buffersize = self.imap_in_flight();
        let items = items.into_iter();
        let (chunks, refill) = self.start_buffered(entry, items, chunksize, buffersize)?;
        Ok(UnorderedMapResults::new(chunks.into(), buffersize, refill))
    }

    /// How many chunks [`ProcessPool::imap`] and
    /// [`ProcessPool::imap_unordered`] keep queued and not yet read: twice
    /// the number of workers, so each worker has one chunk running and one
    /// waiting.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use weft_patterns::executor::ProcessPool;
    ///
    /// // In a binary whose `main` calls `process::main` first.
    /// assert_eq!(ProcessPool::new(3).imap_in_flight(), 6);
    /// ```
    pub fn imap_in_flight(&self) -> usize {
        self.shared.max_workers.saturating_mul(2)
    }

    /// Queues the first `buffersize` chunks and returns their futures with
    /// the [`Refill`] that queues each next chunk: the lazy half of a
    /// buffered `map`, `imap` and `imap_unordered`.
    fn start_buffered<A, R, I>(
        &self,
        entry: &'static Entry<A, R>,
        items: I,
        chunksize: usize,
        buffersize: usize,
    ) -> Result<Buffered<R>, SubmitError>
    where
        I: Iterator<Item = A> + Send + 'static,
        A: Serialize + DeserializeOwned + 'static,
        R: Serialize + DeserializeOwned + Send + 'static,
    {
        let mut items = items;
        let chunks = self.queue_chunks(entry, &mut items, chunksize, buffersize)?;
        let shared = Arc::clone(&self.shared);
        let refill: Refill<ChunkFuture<R>> = Box::new(move || {
            let (future, job) = chunk(entry, &mut items, chunksize, &shared)?;
            let pushed = match job {
                Some(job) => shared.push(&mut vec![job]),
                None => Ok(()),
            };
            Some(pushed.map(|()| future))
        });
        Ok((chunks, refill))
    }

    /// Queues up to `max_chunks` chunks of `chunksize` items, [`MAP_BATCH`]
    /// jobs per lock, and returns their futures; on a refusal, cancels
    /// those already queued.
    fn queue_chunks<A, R>(
        &self,
        entry: &'static Entry<A, R>,
        items: &mut impl Iterator<Item = A>,
        chunksize: usize,
        max_chunks: usize,
    ) -> Result<VecDeque<ChunkFuture<R>>, SubmitError>
    where
        A: Serialize + DeserializeOwned + 'static,
        R: Serialize + DeserializeOwned + Send + 'static,
    {
        let mut chunks = VecDeque::new();
        let mut jobs: Vec<Box<dyn PoolJob>> = Vec::new();
        let mut items = items.peekable();
        while chunks.len() < max_chunks {
            let Some((future, job)) = chunk(entry, &mut items, chunksize, &self.shared) else {
                break;
            };
            jobs.extend(job);
            chunks.push_back(future);
            let last = chunks.len() == max_chunks || items.peek().is_none();
            if jobs.len() == MAP_BATCH || (last && !jobs.is_empty()) {
                if let Err(error) = self.shared.push(&mut jobs) {
                    for (future, _) in &chunks {
                        future.cancel();
                    }
                    return Err(error);
                }
            }
        }
        Ok(chunks)
    }

    /// Stops the pool: later submits fail with [`SubmitError::Shutdown`];
    /// with `cancel_futures`, every task not yet sent to a worker is
    /// cancelled; the others still run. With `wait`, blocks until every
    /// worker process has finished, exited and been reaped. Python's
    /// `shutdown(wait, cancel_futures=...)`. Calling it again is allowed.
    ///
    /// Called from a future's callback (which runs on one of the pool's
    /// handler threads), it cannot wait for itself: it returns without
    /// waiting.
    pub fn shutdown(&self, wait: bool, cancel_futures: bool) {
        self.shared.shutdown(cancel_futures);
        if !wait || self.shared.is_handler_thread() {
            return;
        }
        let handlers =
            mem::take(&mut *self.handlers.lock().unwrap_or_else(PoisonError::into_inner));
        for handler in handlers {
            // A handler runs no user code but callbacks, which catch their panics.
            let _ = handler.join();
        }
    }

    /// Sends `SIGTERM` to every worker, cancels the queued tasks and shuts
    /// down, then waits until every worker has been reaped. Tasks that were
    /// running fail with [`FutureError::BrokenPool`]. Python's
    /// `terminate_workers()`.
    pub fn terminate_workers(&self) {
        self.force_shutdown(libc::SIGTERM);
    }

    /// As [`ProcessPool::terminate_workers`], with `SIGKILL`. Python's
    /// `kill_workers()`.
    pub fn kill_workers(&self) {
        self.force_shutdown(libc::SIGKILL);
    }

    fn force_shutdown(&self, signal: i32) {
        self.shared.shutdown(true);
        self.shared.signal_workers(signal);
        self.shutdown(true, true);
    }

    /// The number of worker processes.
    pub fn max_workers(&self) -> usize {
        self.shared.max_workers
    }

    /// The OS process ids of the live workers, for diagnostics and tests
    /// (empty under a checker, where workers are threads).
    pub fn worker_pids(&self) -> Vec<u32> {
        self.shared.worker_pids()
    }
}

impl Drop for ProcessPool {
    /// Shuts the pool down and waits for the queued tasks and the workers:
    /// `shutdown(true, false)`.
    fn drop(&mut self) {
        self.shutdown(true, false);
    }
}

impl fmt::Debug for ProcessPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProcessPool")
            .field("max_workers", &self.max_workers())
            .field("worker_pids", &self.worker_pids())
            .finish_non_exhaustive()
    }
}

weft_sync::real_threads_tests! {
    "isolated workers on real threads; under a checker models/process_pool.rs runs the same protocol inside models";
    mod tests {
            //! The pool's protocol with isolated (checker-style) workers, on real
            //! threads; `tests/process_pool.rs` runs it on real processes.

            use super::*;
            use crate::process::{spawn_isolated, Entry};
            use weft_sync::time::Instant;

            fn square(x: u64) -> u64 {
                x * x
            }
            fn fail(x: u64) -> u64 {
                panic!("bad item {x}")
            }
            fn nap(millis: u64) -> u64 {
                std::thread::sleep(std::time::Duration::from_millis(millis));
                millis
            }
            static SQUARE: Entry<u64, u64> = crate::process_entry!(square);
            static FAIL: Entry<u64, u64> = crate::process_entry!(fail);
            static NAP: Entry<u64, u64> = crate::process_entry!(nap);

            fn pool(workers: usize) -> ProcessPool {
                ProcessPool::builder(workers)
                    .spawner(spawn_isolated)
                    .build()
                    .unwrap()
            }

            #[test]
            fn submit_and_map_return_every_result_in_order() {
                let pool = pool(2);
                let future = pool.submit(&SQUARE, 12).unwrap();
                for chunksize in [1, 3, 100] {
                    let results: Vec<u64> = pool
                        .map(&SQUARE, 0..50, crate::executor::MapOptions::new().chunksize(chunksize))
                        .unwrap()
                        .map(Result::unwrap)
                        .collect();
                    assert_eq!(results, (0..50).map(|x| x * x).collect::<Vec<_>>());
                }
                assert_eq!(future.result(None), Ok(144));
                pool.shutdown(true, false);
                assert_eq!(pool.submit(&SQUARE, 1).unwrap_err(), SubmitError::Shutdown);
            }

            #[test]
            fn a_panicking_task_fails_its_own_future_only() {
                let pool = pool(1);
                let bad = pool.submit(&FAIL, 7).unwrap();
                let good = pool.submit(&SQUARE, 3).unwrap();
                assert_eq!(
                    bad.result(None),
                    Err(FutureError::Panicked("bad item 7".into()))
                );
                assert_eq!(good.result(None), Ok(9));
            }

            #[test]
            fn max_tasks_per_child_replaces_workers_and_keeps_results() {
                let pool = ProcessPool::builder(1)
                    .spawner(spawn_isolated)
                    .max_tasks_per_child(2)
                    .build()
                    .unwrap();
                let results: Vec<u64> = pool
                    .map(&SQUARE, 0..7, None)
                    .unwrap()
                    .map(Result::unwrap)
                    .collect();
                assert_eq!(results, [0, 1, 4, 9, 16, 25, 36]);
                // 7 tasks, 2 per worker: ProcessPool_0 .. ProcessPool_3.
                assert_eq!(pool.shared.next_worker_name(), "ProcessPool_4");
            }

            #[test]
            fn killing_the_workers_breaks_the_running_task_and_later_submits() {
                let pool = pool(1);
                let running = pool.submit(&NAP, 100).unwrap();
                let start = Instant::now();
                while !running.running() {
                    assert!(start.elapsed() < std::time::Duration::from_secs(10));
                    weft_sync::thread::yield_now();
                }
                pool.kill_workers();
                let expected = "worker `ProcessPool_0` was killed by signal 9 (SIGKILL)";
                assert_eq!(
                    running.result(None),
                    Err(FutureError::BrokenPool(expected.into()))
                );
                assert_eq!(
                    pool.submit(&SQUARE, 1).unwrap_err(),
                    SubmitError::Broken(expected.into())
                );
            }
    }
}

/// A queued job of the pool.
type JobBox = Box<dyn PoolJob>;

/// A buffered map's first chunks, and what queues the rest.
type Buffered<R> = (VecDeque<ChunkFuture<R>>, Refill<ChunkFuture<R>>);

/// The next chunk of up to `chunksize` items: its future and the job that
/// runs it (`None` when every item failed to encode: the chunk is complete
/// already). `None` when `items` is exhausted.
fn chunk<A, R>(
    entry: &'static Entry<A, R>,
    items: &mut impl Iterator<Item = A>,
    chunksize: usize,
    shared: &Shared,
) -> Option<(ChunkFuture<R>, Option<JobBox>)>
where
    A: Serialize + DeserializeOwned + 'static,
    R: Serialize + DeserializeOwned + Send + 'static,
{
    let limit = shared.config.max_message_size;
    let mut args = Batch::with_capacity(chunksize, 16);
    let mut failed = Vec::new();
    let mut len = 0;
    for item in items.by_ref().take(chunksize) {
        if let Err(e) = args.push(&item, "the argument", limit) {
            failed.push((len, FutureError::Serialization(e.message())));
        }
        len += 1;
    }
    if len == 0 {
        return None;
    }
    let (future, promise) = promise();
    let chunk = Chunk { promise, failed };
    let job: Option<JobBox> = if args.is_empty() {
        // Every item failed to encode: nothing to send.
        chunk.complete(Vec::new());
        None
    } else {
        Some(Box::new(Job::new(entry, args, chunk)))
    };
    Some(((future, len), job))
}
