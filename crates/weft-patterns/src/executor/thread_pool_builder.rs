//! [`ThreadPoolBuilder`]: a [`ThreadPool`] with a thread-name prefix and an
//! initializer, Python's `ThreadPoolExecutor(max_workers,
//! thread_name_prefix, initializer)`.

use std::fmt;

use weft_sync::sync::Arc;
use weft_sync::thread;

use super::error::BuildError;
use super::thread_pool::ThreadPool;
use super::worker::{Initializer, PoolShared};

/// The thread-name prefix when none is set: workers are `ThreadPool_0`,
/// `ThreadPool_1`, ...
pub const DEFAULT_THREAD_NAME_PREFIX: &str = "ThreadPool";

/// Configures a [`ThreadPool`] (whose workers start on demand).
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use weft_patterns::executor::ThreadPoolBuilder;
/// use weft_sync::thread;
///
/// let pool = ThreadPoolBuilder::new(2)
///     .thread_name_prefix("fetcher")
///     .initializer(|| println!("worker up"))
///     .build()
///     .unwrap();
/// let name = pool.submit(|| thread::current().name().map(str::to_owned)).unwrap();
/// assert!(name.result(None).unwrap().unwrap().starts_with("fetcher_"));
/// # });
/// ```
#[must_use]
pub struct ThreadPoolBuilder {
    max_workers: usize,
    thread_name_prefix: String,
    initializer: Option<Initializer>,
}

/// Python's default `max_workers`: `min(32, cpus + 4)`, the CPU count
/// from [`available_parallelism`](thread::available_parallelism) (1 if it
/// is unknown). Under a checker the CPU count is a fixed 2, so this is 6:
/// more threads than loom models (4 besides main); give a model's pool an
/// explicit, small count.
pub fn default_max_workers() -> usize {
    let cpus = thread::available_parallelism().map_or(1, |n| n.get());
    (cpus + 4).min(32)
}

impl ThreadPoolBuilder {
    /// A pool of `max_workers` worker threads, named
    /// `ThreadPool_0`, `ThreadPool_1`, ..., with no initializer.
    pub fn new(max_workers: usize) -> ThreadPoolBuilder {
        ThreadPoolBuilder {
            max_workers,
            thread_name_prefix: DEFAULT_THREAD_NAME_PREFIX.to_owned(),
            initializer: None,
        }
    }

    /// Names the workers `{prefix}_0`, `{prefix}_1`, ... (in failure reports
    /// too).
    pub fn thread_name_prefix(mut self, prefix: impl Into<String>) -> ThreadPoolBuilder {
        self.thread_name_prefix = prefix.into();
        self
    }

    /// Runs `initializer` once in each worker before it takes any task. If
    /// it panics, the pool is broken: queued tasks fail with
    /// [`FutureError::BrokenPool`](super::FutureError::BrokenPool), and
    /// later submits with [`SubmitError::Broken`](super::SubmitError::Broken).
    pub fn initializer<F>(mut self, initializer: F) -> ThreadPoolBuilder
    where
        F: Fn() + Send + Sync + 'static,
    {
        self.initializer = Some(std::sync::Arc::new(initializer));
        self
    }

    /// Returns the pool. Its workers start on demand, as Python's do: a
    /// submit that finds no idle worker starts one more, up to
    /// `max_workers`.
    ///
    /// # Errors
    ///
    /// [`BuildError::ZeroWorkers`] if `max_workers` is 0.
    pub fn build(self) -> Result<ThreadPool, BuildError> {
        if self.max_workers == 0 {
            return Err(BuildError::ZeroWorkers);
        }
        Ok(ThreadPool::from_shared(Arc::new(PoolShared::new(
            self.max_workers,
            self.initializer,
            self.thread_name_prefix,
        ))))
    }
}

impl Default for ThreadPoolBuilder {
    /// A builder for [`default_max_workers`] workers.
    fn default() -> ThreadPoolBuilder {
        ThreadPoolBuilder::new(default_max_workers())
    }
}

impl fmt::Debug for ThreadPoolBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThreadPoolBuilder")
            .field("max_workers", &self.max_workers)
            .field("thread_name_prefix", &self.thread_name_prefix)
            .field("initializer", &self.initializer.is_some())
            .finish()
    }
}
