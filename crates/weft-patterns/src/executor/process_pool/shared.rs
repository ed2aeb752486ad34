//! The state a process pool shares with its worker handlers: the job queue,
//! the shutdown flag, why the pool is broken, and the live workers.
//!
//! Each worker process has a handler thread in the parent (see
//! [`handler`](super::handler)). Handlers take jobs from one queue under one
//! weft `Mutex` and sleep on one `Condvar` when there is nothing to do. The
//! first failure that breaks the pool (a worker that died, an initializer
//! that failed) records its reason here; every job still queued or running
//! then fails with that same reason, every live worker is killed, and later
//! submits are refused with it.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::mem;

use weft_sync::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use weft_sync::thread::{self, ThreadId};
use weft_sync::time::Deadline;

use super::job::PoolJob;
use crate::executor::error::{FutureError, SubmitError};
use crate::process::{Batch, ChildControl, EntryPoint, Spawner};
use crate::timed_wait::{notify_counted, wait_until_counted, Wake};

/// How the pool's workers are made.
pub(crate) struct Config {
    /// Workers are `{prefix}_0`, `{prefix}_1`, ...
    pub(crate) prefix: String,
    /// The initializer's entry point and encoded argument (or why it could not be encoded).
    pub(crate) initializer: Option<(&'static dyn EntryPoint, Result<Batch, String>)>,
    /// A worker is replaced after this many jobs.
    pub(crate) max_tasks_per_child: Option<usize>,
    /// Arguments for the re-executed binary.
    pub(crate) child_args: Vec<OsString>,
    /// The largest message, in bytes.
    pub(crate) max_message_size: u64,
    /// Starts a child (`process::spawn`, except in unit tests).
    pub(crate) spawner: Spawner,
}

/// A live worker process, as the pool sees it.
pub(crate) struct Worker {
    pub(crate) name: String,
    pub(crate) control: std::sync::Arc<dyn ChildControl>,
}

/// Everything behind the lock.
struct State {
    queue: VecDeque<Box<dyn PoolJob>>,
    /// Set by `shutdown`: no new jobs; handlers stop their workers once the
    /// queue is empty.
    shutdown: bool,
    /// Why the pool is broken, once it is.
    broken: Option<String>,
    /// Live workers.
    workers: Vec<Worker>,
    /// Numbers the next worker.
    next_worker: usize,
    /// The handler threads, each added by the handler when it starts.
    handlers: Vec<ThreadId>,
    /// Handlers waiting on `Shared::work`: the pool notifies it only when
    /// one waits (a notification nobody waits for is still a step a
    /// checker orders against every wait).
    idle: usize,
}

/// What a handler should do next.
pub(crate) enum Next {
    /// Send these jobs to the worker.
    Jobs(Vec<Box<dyn PoolJob>>),
    /// Nothing to send now: read the worker's next reply.
    Read,
    /// Shut down and the queue is empty: stop the worker and exit.
    Exit,
    /// The pool is broken, for this reason.
    Broken(String),
}

/// The state a pool shares with its handlers.
pub(crate) struct Shared {
    state: Mutex<State>,
    /// Handlers with nothing to do wait here for jobs, shutdown or breakage.
    work: Condvar,
    pub(crate) config: Config,
    pub(crate) max_workers: usize,
}

impl Shared {
    pub(crate) fn new(config: Config, max_workers: usize) -> Self {
        Shared {
            state: Mutex::new(State {
                queue: VecDeque::new(),
                shutdown: false,
                broken: None,
                workers: Vec::new(),
                next_worker: 0,
                handlers: Vec::new(),
                idle: 0,
            })
            .named("process_pool.state"),
            work: Condvar::new().named("process_pool.work"),
            config,
            max_workers,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // No user code runs under this lock, so its state stays consistent.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records the calling thread as one of the pool's handlers.
    pub(crate) fn register_handler(&self) {
        self.lock().handlers.push(thread::current().id());
    }

    /// Whether the calling thread is one of the pool's handlers (a future's
    /// callback runs there), which must not wait for the handlers to exit.
    pub(crate) fn is_handler_thread(&self) -> bool {
        let me = thread::current().id();
        self.lock().handlers.contains(&me)
    }

    /// `Ok` while the pool takes jobs.
    ///
    /// # Errors
    ///
    /// As [`Shared::push`].
    pub(crate) fn check_open(&self) -> Result<(), SubmitError> {
        let state = self.lock();
        if let Some(reason) = &state.broken {
            return Err(SubmitError::Broken(reason.clone()));
        }
        if state.shutdown {
            return Err(SubmitError::Shutdown);
        }
        Ok(())
    }

    /// Queues jobs, all or none.
    ///
    /// # Errors
    ///
    /// `Broken` once the pool is broken, `Shutdown` after shutdown; the jobs
    /// are then handed back in `jobs`, untouched.
    pub(crate) fn push(&self, jobs: &mut Vec<Box<dyn PoolJob>>) -> Result<(), SubmitError> {
        let mut state = self.lock();
        if let Some(reason) = &state.broken {
            return Err(SubmitError::Broken(reason.clone()));
        }
        if state.shutdown {
            return Err(SubmitError::Shutdown);
        }
        let wake = if jobs.len() > 1 { Wake::All } else { Wake::One };
        state.queue.extend(jobs.drain(..));
        notify_counted(&self.work, state.idle, state, wake);
        Ok(())
    }

    /// Takes up to `room` jobs for a handler whose worker has `in_flight`
    /// jobs (of `in_flight_bytes` bytes) unanswered. A job is pipelined
    /// behind others only while everything unanswered fits in
    /// `pipeline_bytes`, so that writing it can never block on a worker that
    /// is itself blocked writing a large reply. Blocks only when the worker
    /// has nothing in flight and there is nothing to take.
    pub(crate) fn next(
        &self,
        room: usize,
        in_flight: usize,
        in_flight_bytes: u64,
        pipeline_bytes: u64,
    ) -> Next {
        let mut state = self.lock();
        loop {
            if let Some(reason) = &state.broken {
                return Next::Broken(reason.clone());
            }
            let mut taken = Vec::new();
            let mut bytes = in_flight_bytes;
            while taken.len() < room {
                let Some(job) = state.queue.front() else {
                    break;
                };
                let alone = in_flight == 0 && taken.is_empty();
                if !alone && bytes + job.size() > pipeline_bytes {
                    break;
                }
                bytes += job.size();
                taken.extend(state.queue.pop_front());
            }
            if !taken.is_empty() {
                return Next::Jobs(taken);
            }
            if in_flight > 0 {
                return Next::Read;
            }
            if state.shutdown && state.queue.is_empty() {
                return Next::Exit;
            }
            (state, _) = wait_until_counted(&self.work, state, &Deadline::never(), |s| &mut s.idle);
        }
    }

    /// Whether a handler should start a (replacement) worker: not once the
    /// pool is broken, nor after shutdown with nothing left to run.
    pub(crate) fn wants_worker(&self) -> Result<(), Option<String>> {
        let state = self.lock();
        match &state.broken {
            Some(reason) => Err(Some(reason.clone())),
            None if state.shutdown && state.queue.is_empty() => Err(None),
            None => Ok(()),
        }
    }

    /// The next worker's name.
    pub(crate) fn next_worker_name(&self) -> String {
        let mut state = self.lock();
        let n = state.next_worker;
        state.next_worker += 1;
        format!("{}_{n}", self.config.prefix)
    }

    /// Records a live worker. If the pool broke meanwhile, the worker is
    /// killed at once (the caller's next look at the queue sees the reason).
    pub(crate) fn add_worker(&self, worker: Worker) {
        let mut state = self.lock();
        if state.broken.is_some() {
            let _ = worker.control.signal(libc::SIGKILL);
        }
        state.workers.push(worker);
    }

    /// Forgets a worker that has been reaped.
    pub(crate) fn remove_worker(&self, name: &str) {
        self.lock().workers.retain(|w| w.name != name);
    }

    /// The live workers' OS process ids.
    pub(crate) fn worker_pids(&self) -> Vec<u32> {
        self.lock()
            .workers
            .iter()
            .filter_map(|w| w.control.pid())
            .collect()
    }

    /// Breaks the pool for `reason` unless it is broken already, and returns
    /// the reason that stands (the first one). Queued jobs fail with it,
    /// every live worker is killed so that its handler stops too, and
    /// waiting handlers wake up.
    pub(crate) fn break_pool(&self, reason: String) -> String {
        let mut state = self.lock();
        let reason = state.broken.get_or_insert(reason).clone();
        let queued = mem::take(&mut state.queue);
        for worker in &state.workers {
            let _ = worker.control.signal(libc::SIGKILL);
        }
        self.wake_idle(state);
        for job in queued {
            job.fail(FutureError::BrokenPool(reason.clone()));
        }
        reason
    }

    /// Stops taking jobs; with `cancel_futures`, cancels the queued ones.
    pub(crate) fn shutdown(&self, cancel_futures: bool) {
        let mut state = self.lock();
        state.shutdown = true;
        let cancelled = if cancel_futures {
            mem::take(&mut state.queue)
        } else {
            VecDeque::new()
        };
        self.wake_idle(state);
        for job in cancelled {
            job.cancel();
        }
    }

    /// Lets go of the state and wakes every idle handler, if any.
    fn wake_idle(&self, state: MutexGuard<'_, State>) {
        notify_counted(&self.work, state.idle, state, Wake::All);
    }

    /// Sends `signal` to every live worker.
    pub(crate) fn signal_workers(&self, signal: i32) {
        for worker in &self.lock().workers {
            let _ = worker.control.signal(signal);
        }
    }
}
