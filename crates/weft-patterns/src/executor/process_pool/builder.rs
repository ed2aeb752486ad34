//! [`ProcessPoolBuilder`]: a [`ProcessPool`] with a worker-name prefix, an
//! initializer, `max_tasks_per_child` and a message-size limit, Python's
//! `ProcessPoolExecutor(max_workers, initializer=..., initargs=...,
//! max_tasks_per_child=...)`.

use std::ffi::OsString;
use std::fmt;

use serde::de::DeserializeOwned;
use serde::Serialize;
use weft_sync::sync::Arc;
use weft_sync::thread;

use super::handler;
use super::pool::ProcessPool;
use super::shared::{Config, Shared};
use crate::executor::error::BuildError;
use crate::process::{self, Batch, Entry, EntryPoint, Spawner, DEFAULT_MAX_MESSAGE_SIZE};

/// The worker-name prefix when none is set: workers are `ProcessPool_0`,
/// `ProcessPool_1`, ... (a replacement worker takes the next number).
pub const DEFAULT_WORKER_NAME_PREFIX: &str = "ProcessPool";

/// Configures and starts a [`ProcessPool`].
///
/// # Examples
///
/// ```no_run
/// use weft_patterns::executor::ProcessPool;
/// use weft_patterns::process::{self, Entry};
///
/// fn warm_up(_: ()) {}
/// fn square(x: u64) -> u64 {
///     x * x
/// }
/// static WARM_UP: Entry<(), ()> = weft_patterns::process_entry!(warm_up);
/// static SQUARE: Entry<u64, u64> = weft_patterns::process_entry!(square);
///
/// fn main() {
///     process::main(&[&WARM_UP, &SQUARE]);
///     let pool = ProcessPool::builder(2)
///         .worker_name_prefix("squarer")
///         .initializer(&WARM_UP, ())
///         .max_tasks_per_child(1000)
///         .build()
///         .unwrap();
///     assert_eq!(pool.submit(&SQUARE, 9).unwrap().result(None), Ok(81));
/// }
/// ```
#[must_use]
pub struct ProcessPoolBuilder {
    max_workers: usize,
    prefix: String,
    initializer: Option<(&'static dyn EntryPoint, Result<Batch, String>)>,
    max_tasks_per_child: Option<usize>,
    child_args: Vec<OsString>,
    max_message_size: u64,
    spawner: Spawner,
}

impl ProcessPoolBuilder {
    /// A pool of `max_workers` worker processes named `ProcessPool_0`,
    /// `ProcessPool_1`, ..., with no initializer and no task limit.
    pub fn new(max_workers: usize) -> Self {
        ProcessPoolBuilder {
            max_workers,
            prefix: DEFAULT_WORKER_NAME_PREFIX.to_owned(),
            initializer: None,
            max_tasks_per_child: None,
            child_args: Vec::new(),
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            spawner: process::spawn,
        }
    }

    /// Names the workers `{prefix}_0`, `{prefix}_1`, ... (in errors, and
    /// under a checker in failure reports).
    pub fn worker_name_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Runs `entry(args)` in each worker process before it takes any task.
    /// If it panics (or its worker dies), the pool is broken: every task
    /// fails with [`FutureError::BrokenPool`](crate::executor::FutureError::BrokenPool)
    /// naming the worker and the panic, and later submits with
    /// [`SubmitError::Broken`](crate::executor::SubmitError::Broken).
    pub fn initializer<A>(mut self, entry: &'static Entry<A, ()>, args: A) -> Self
    where
        A: Serialize + DeserializeOwned + 'static,
    {
        let mut batch = Batch::default();
        let encoded = batch
            .push(&args, "its argument", u64::MAX)
            .map(|()| batch)
            .map_err(|e| e.message());
        self.initializer = Some((entry, encoded));
        self
    }

    /// Replaces a worker by a new process after it has run `tasks` tasks (a
    /// `map` chunk counts as one). Python's `max_tasks_per_child`.
    ///
    /// # Panics
    ///
    /// If `tasks` is 0.
    pub fn max_tasks_per_child(mut self, tasks: usize) -> Self {
        assert!(tasks > 0, "max_tasks_per_child must be at least 1");
        self.max_tasks_per_child = Some(tasks);
        self
    }

    /// Command-line arguments for the re-executed binary (none by default);
    /// see [`process::main`](crate::process::main) for libtest binaries.
    pub fn child_args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.child_args = args.into_iter().map(Into::into).collect();
        self
    }

    /// The largest encoded argument, or result, of one task (or chunk) in
    /// bytes; [`DEFAULT_MAX_MESSAGE_SIZE`] unless set. A larger one fails
    /// its future with
    /// [`FutureError::Serialization`](crate::executor::FutureError::Serialization);
    /// the pool goes on.
    pub fn max_message_size(mut self, bytes: u64) -> Self {
        self.max_message_size = bytes;
        self
    }

    weft_sync::cfg_real_threads! {
        /// Starts children with `spawner` instead of `process::spawn`: the pool's
        /// unit tests run isolated (checker-style) workers on real threads.
        #[cfg(test)]
        pub(crate) fn spawner(mut self, spawner: Spawner) -> Self {
            self.spawner = spawner;
            self
        }
    }

    /// Starts the pool: one handler thread per worker in this process, each
    /// of which starts its worker process.
    ///
    /// # Errors
    ///
    /// [`BuildError::ZeroWorkers`] if `max_workers` is 0;
    /// [`BuildError::Spawn`] if a handler thread cannot be started (those
    /// already started are stopped first). A worker process that cannot be
    /// started breaks the pool instead: its tasks fail with
    /// [`FutureError::BrokenPool`](crate::executor::FutureError::BrokenPool).
    pub fn build(self) -> Result<ProcessPool, BuildError> {
        if self.max_workers == 0 {
            return Err(BuildError::ZeroWorkers);
        }
        let config = Config {
            prefix: self.prefix,
            initializer: self.initializer,
            max_tasks_per_child: self.max_tasks_per_child,
            child_args: self.child_args,
            max_message_size: self.max_message_size,
            spawner: self.spawner,
        };
        let shared = Arc::new(Shared::new(config, self.max_workers));
        let mut handlers = Vec::with_capacity(self.max_workers);
        for index in 0..self.max_workers {
            let name = format!("{}_handler_{index}", shared.config.prefix);
            let for_handler = Arc::clone(&shared);
            match thread::Builder::new()
                .name(name.clone())
                .spawn(move || handler::run(for_handler))
            {
                Ok(handle) => handlers.push(handle),
                Err(source) => {
                    // Dropping the pool stops and joins the handlers started so far.
                    drop(ProcessPool::from_parts(shared, handlers));
                    return Err(BuildError::Spawn { name, source });
                }
            }
        }
        Ok(ProcessPool::from_parts(shared, handlers))
    }
}

impl fmt::Debug for ProcessPoolBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProcessPoolBuilder")
            .field("max_workers", &self.max_workers)
            .field("worker_name_prefix", &self.prefix)
            .field(
                "initializer",
                &self.initializer.as_ref().map(|(e, _)| e.name()),
            )
            .field("max_tasks_per_child", &self.max_tasks_per_child)
            .field("max_message_size", &self.max_message_size)
            .finish()
    }
}
