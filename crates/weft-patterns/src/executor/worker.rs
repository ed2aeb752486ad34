//! The state a thread pool shares with its workers: the task queue, the
//! idle and live worker counts, the shutdown and broken flags, the workers'
//! handles; and the loop each worker runs.
//!
//! Workers start on demand, as Python's `ThreadPoolExecutor` starts them: a
//! submit that finds no idle worker to wake starts one more, up to
//! `max_workers`, with its task already queued. A pool that was built and
//! shut down without a task starts no thread. Under a checker this is
//! what makes a first pool model cheap to explore: a worker started
//! before any task looks at the empty queue, sleeps, is woken and looks
//! again, and each of those steps on the queue's lock is one more to
//! order against the submits and the shutdown (README, "What a
//! `ThreadPool` costs to explore").
//!
//! The queue is a `VecDeque` under one weft `Mutex`. A submit holds the lock
//! for one `push_back`; a worker claims one task per lock, as Python's
//! workers do, so a task queued behind a slow one is never held by that
//! worker: an idle worker takes it. (Claiming up to 32 at once made 31 fast
//! tasks wait for a slow one, and two tasks that wait for each other never
//! met when one worker held both; `tests/executor.rs` and
//! `models/executor.rs` keep both fixed.) Workers with nothing to do sleep
//! on `work_ready`; a submit wakes one only when an idle worker has not
//! been woken already (`idle > notified`), so a burst of submits costs one
//! wakeup, not one per task. Before sleeping, a worker on real threads
//! looks again for a few microseconds ([`Backoff`]): without that, 100,000
//! tiny tasks ran 2.5x slower here, the submitter paying a wakeup for
//! almost every task. That look is the cheap fast path that keeps one
//! claim per lock as fast as the batched claims were, within the noise of
//! a loaded 2-core machine (100,000 tiny tasks: 3.3-4.7M tasks/s against
//! 3.3-5.5M, README, Performance).

use std::collections::VecDeque;
use std::mem;
use std::panic::{catch_unwind, AssertUnwindSafe};

use weft_sync::sync::atomic::{AtomicBool, Ordering};
use weft_sync::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use weft_sync::thread::{self, JoinHandle, ThreadId};

use super::backoff::Backoff;
use super::error::{FutureError, SubmitError};
use super::job::{panic_message, JobHandle};

/// A worker's initializer, run once in each worker before any task.
// std's `Arc`: a type-erased handle (`dyn`) needs std's unsizing coercion,
// which a modelled `Arc` cannot have on stable Rust. What it points to is
// published through the pool's locks, which the checker sees.
pub(crate) type Initializer = std::sync::Arc<dyn Fn() + Send + Sync>;

/// Everything behind the queue's lock.
struct QueueState {
    jobs: VecDeque<JobHandle>,
    /// Workers asleep on `work_ready` (or about to be).
    idle: usize,
    /// Wakeups sent to idle workers that have not woken yet.
    notified: usize,
    /// Workers started and not exited.
    live: usize,
    /// Workers started so far (the next one's name is `{prefix}_{started}`).
    started: usize,
    /// The started workers' handles, until a `shutdown` takes them to join.
    handles: Vec<JoinHandle<()>>,
    /// Set by `shutdown`: no new tasks; workers exit once the queue is empty.
    shutdown: bool,
    /// Set when an initializer panicked: why the pool is broken.
    broken: Option<String>,
    /// The workers' thread ids, each added when it is started.
    worker_ids: Vec<ThreadId>,
}

/// The state a pool shares with its workers.
pub(crate) struct PoolShared {
    queue: Mutex<QueueState>,
    /// Idle workers wait here for tasks or shutdown.
    work_ready: Condvar,
    /// `shutdown(wait)` waits here for `live` to reach 0.
    workers_exited: Condvar,
    /// Set by `shutdown(cancel_futures)`: tasks a worker already took from
    /// the queue are cancelled instead of run.
    cancelling: AtomicBool,
    initializer: Option<Initializer>,
    max_workers: usize,
    /// Workers are named `{prefix}_0`, `{prefix}_1`, ...
    thread_name_prefix: String,
}

impl PoolShared {
    /// The shared state of a pool of up to `max_workers` workers, none
    /// started yet.
    pub(crate) fn new(
        max_workers: usize,
        initializer: Option<Initializer>,
        thread_name_prefix: String,
    ) -> Self {
        PoolShared {
            queue: Mutex::new(QueueState {
                jobs: VecDeque::new(),
                idle: 0,
                notified: 0,
                live: 0,
                started: 0,
                handles: Vec::new(),
                shutdown: false,
                broken: None,
                worker_ids: Vec::new(),
            })
            .named("pool.queue"),
            work_ready: Condvar::new().named("pool.work_ready"),
            workers_exited: Condvar::new().named("pool.workers_exited"),
            cancelling: AtomicBool::new(false).named("pool.cancelling"),
            initializer,
            max_workers,
            thread_name_prefix,
        }
    }

    fn lock_queue(&self) -> MutexGuard<'_, QueueState> {
        // No user code runs under this lock, so a poisoned lock still holds
        // consistent state.
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn wait_on<'a>(
        &self,
        condvar: &Condvar,
        guard: MutexGuard<'a, QueueState>,
    ) -> MutexGuard<'a, QueueState> {
        condvar.wait(guard).unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues one job, and wakes an idle worker for it if one is not
    /// woken yet, or else starts a worker if fewer than `max_workers` run.
    /// An associated function: a worker it starts holds the pool's `Arc`.
    ///
    /// # Errors
    ///
    /// The pool is shut down or broken; or no worker runs and none could
    /// be started. The job is dropped (outside the lock), which fails its
    /// future.
    pub(crate) fn push(this: &Arc<PoolShared>, job: JobHandle) -> Result<(), SubmitError> {
        let mut queue = this.lock_queue();
        match PoolShared::admit(this, &mut queue, 1) {
            Ok(wake) => {
                queue.jobs.push_back(job);
                drop(queue);
                if wake > 0 {
                    this.work_ready.notify_one();
                }
                Ok(())
            }
            Err(error) => {
                drop(queue);
                drop(job);
                Err(error)
            }
        }
    }

    /// Queues every job of `jobs` (leaving it empty) under one lock, as
    /// [`PoolShared::push`] queues one.
    ///
    /// # Errors
    ///
    /// As [`PoolShared::push`]; then none of the jobs was queued.
    pub(crate) fn push_all(
        this: &Arc<PoolShared>,
        jobs: &mut Vec<JobHandle>,
    ) -> Result<(), SubmitError> {
        let mut queue = this.lock_queue();
        match PoolShared::admit(this, &mut queue, jobs.len()) {
            Ok(wake) => {
                queue.jobs.extend(jobs.drain(..));
                drop(queue);
                for _ in 0..wake {
                    this.work_ready.notify_one();
                }
                Ok(())
            }
            Err(error) => {
                drop(queue);
                jobs.clear();
                Err(error)
            }
        }
    }

    /// Makes room for `count` new jobs: counts the idle workers, not woken
    /// yet, that it wakes for them (returned: the caller notifies after
    /// the lock), and starts workers for the jobs left, up to
    /// `max_workers` in all.
    ///
    /// # Errors
    ///
    /// The pool is shut down or broken; or no worker runs and none could
    /// be started, so nobody would ever run the jobs (Python's submit
    /// raises then too).
    fn admit(
        this: &Arc<PoolShared>,
        queue: &mut QueueState,
        count: usize,
    ) -> Result<usize, SubmitError> {
        if let Some(error) = refusal(queue) {
            return Err(error);
        }
        let wake = (queue.idle - queue.notified.min(queue.idle)).min(count);
        queue.notified += wake;
        for _ in 0..(count - wake).min(this.max_workers - queue.started) {
            if let Err(error) = PoolShared::start_worker(this, queue) {
                if queue.live == 0 {
                    queue.notified -= wake;
                    return Err(error);
                }
                break;
            }
        }
        Ok(wake)
    }

    /// Starts the next worker, under the queue's lock: a `shutdown` that
    /// takes the handles to join them then sees every worker started.
    fn start_worker(this: &Arc<PoolShared>, queue: &mut QueueState) -> Result<(), SubmitError> {
        let name = format!("{}_{}", this.thread_name_prefix, queue.started);
        let worker = Arc::clone(this);
        let worker_name = name.clone();
        let handle = thread::Builder::new()
            .name(name.clone())
            .spawn(move || worker.run_worker(&worker_name))
            .map_err(|error| SubmitError::Spawn(format!("worker {name}: {error}")))?;
        queue.started += 1;
        queue.live += 1;
        queue.worker_ids.push(handle.thread().id());
        queue.handles.push(handle);
        Ok(())
    }

    /// Stops taking tasks and tells the workers to exit once the queue is
    /// empty; with `cancel_futures`, first cancels every task not started.
    /// With `wait`, returns the workers' handles for the caller to join
    /// (none when another shutdown took them: then wait with
    /// [`PoolShared::wait_for_exit`]); `None` when it must not wait: a
    /// worker of this pool cannot wait for itself.
    pub(crate) fn shutdown(&self, cancel_futures: bool, wait: bool) -> Option<Vec<JoinHandle<()>>> {
        let me = thread::current().id();
        let mut queue = self.lock_queue();
        queue.shutdown = true;
        let to_join =
            (wait && !queue.worker_ids.contains(&me)).then(|| mem::take(&mut queue.handles));
        let cancelled = if cancel_futures {
            self.cancelling.store(true, Ordering::Relaxed);
            mem::take(&mut queue.jobs)
        } else {
            VecDeque::new()
        };
        // Only idle workers not woken yet need the wakeup: the others see
        // `shutdown` when they next look at the queue. (A notify nobody
        // needs is, under a checker, one more step that conflicts with
        // every wait on the condvar.)
        if queue.idle > queue.notified {
            queue.notified = queue.idle;
            self.work_ready.notify_all();
        }
        if !cancelled.is_empty() {
            // Outside the lock: cancelling runs the futures' callbacks.
            drop(queue);
            for job in cancelled {
                job.cancel();
            }
        }
        to_join
    }

    /// Blocks until every worker has exited its loop: for a `shutdown` that
    /// waits while another one joins the workers.
    pub(crate) fn wait_for_exit(&self) {
        let mut queue = self.lock_queue();
        while queue.live > 0 {
            queue = self.wait_on(&self.workers_exited, queue);
        }
    }

    /// Counts one worker as exited, and wakes the shutdowns waiting in
    /// [`PoolShared::wait_for_exit`] when it was the last: they wait for
    /// `live == 0` only, so an earlier worker's notify would wake nobody
    /// usefully (and, under a checker, be one more step that conflicts
    /// with every other on the condvar).
    fn exited(&self, mut queue: MutexGuard<'_, QueueState>) {
        queue.live -= 1;
        let last = queue.live == 0;
        drop(queue);
        if last {
            self.workers_exited.notify_all();
        }
    }

    /// The most workers the pool runs.
    pub(crate) fn max_workers(&self) -> usize {
        self.max_workers
    }

    /// Marks the pool broken because of `reason`, fails every queued task
    /// with it, and counts the calling worker as exited.
    fn break_pool(&self, reason: String) {
        let mut queue = self.lock_queue();
        if queue.broken.is_none() {
            queue.broken = Some(reason.clone());
        }
        let failed = mem::take(&mut queue.jobs);
        self.exited(queue);
        self.work_ready.notify_all();
        for job in failed {
            job.fail(FutureError::BrokenPool(reason.clone()));
        }
    }

    /// A worker's life: run the initializer, then claim tasks one at a
    /// time and run them until the pool is shut down (or broken) and the queue is
    /// empty.
    pub(crate) fn run_worker(&self, name: &str) {
        if let Some(initializer) = &self.initializer {
            if let Err(payload) = catch_unwind(AssertUnwindSafe(|| initializer())) {
                self.break_pool(format!(
                    "initializer of worker {name} panicked: {}",
                    panic_message(&*payload)
                ));
                return;
            }
        }
        let mut queue = self.lock_queue();
        loop {
            if let Some(job) = queue.jobs.pop_front() {
                drop(queue);
                self.run_job(job);
                queue = self.lock_queue();
                continue;
            }
            if queue.shutdown || queue.broken.is_some() {
                break;
            }
            if Backoff::enabled() {
                // Look again a few times before sleeping (real threads
                // only): a submitter in a burst refills the queue within
                // microseconds, sooner than a sleep and a wakeup take.
                drop(queue);
                let mut backoff = Backoff::new();
                while backoff.snooze() && !self.has_work() {}
                queue = self.lock_queue();
                if !queue.jobs.is_empty() || queue.shutdown || queue.broken.is_some() {
                    continue;
                }
            }
            queue.idle += 1;
            queue = self.wait_on(&self.work_ready, queue);
            queue.idle -= 1;
            queue.notified = queue.notified.saturating_sub(1);
        }
        self.exited(queue);
    }

    /// Whether tasks are queued (or the pool is stopping), without
    /// blocking on the lock.
    fn has_work(&self) -> bool {
        match self.queue.try_lock() {
            Ok(queue) => !queue.jobs.is_empty() || queue.shutdown,
            Err(_) => false,
        }
    }

    /// Runs (or, after `shutdown(cancel_futures)`, cancels) the job a
    /// worker claimed.
    fn run_job(&self, job: JobHandle) {
        if self.cancelling.load(Ordering::Relaxed) {
            job.cancel();
        } else {
            job.run();
        }
    }
}

/// Why a task cannot be queued now, if it cannot.
fn refusal(queue: &QueueState) -> Option<SubmitError> {
    if let Some(reason) = &queue.broken {
        Some(SubmitError::Broken(reason.clone()))
    } else if queue.shutdown {
        Some(SubmitError::Shutdown)
    } else {
        None
    }
}
