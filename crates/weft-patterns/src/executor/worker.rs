//! The state a thread pool shares with its workers: the task queue, the
//! idle and live worker counts, the shutdown and broken flags; and the loop
//! each worker runs.
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
use weft_sync::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use weft_sync::thread::{self, ThreadId};

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
    /// Workers that have not exited.
    live: usize,
    /// Set by `shutdown`: no new tasks; workers exit once the queue is empty.
    shutdown: bool,
    /// Set when an initializer panicked: why the pool is broken.
    broken: Option<String>,
    /// The workers' thread ids, each added by the worker when it starts.
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
}

impl PoolShared {
    /// The shared state of a pool that is about to start `max_workers`
    /// workers.
    pub(crate) fn new(max_workers: usize, initializer: Option<Initializer>) -> Self {
        PoolShared {
            queue: Mutex::new(QueueState {
                jobs: VecDeque::new(),
                idle: 0,
                notified: 0,
                live: max_workers,
                shutdown: false,
                broken: None,
                worker_ids: Vec::with_capacity(max_workers),
            })
            .named("pool.queue"),
            work_ready: Condvar::new().named("pool.work_ready"),
            workers_exited: Condvar::new().named("pool.workers_exited"),
            cancelling: AtomicBool::new(false).named("pool.cancelling"),
            initializer,
            max_workers,
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

    /// Queues one job and wakes an idle worker if none is awake for it.
    ///
    /// # Errors
    ///
    /// The pool is shut down or broken; the job is dropped (outside the
    /// lock), which fails its future.
    pub(crate) fn push(&self, job: JobHandle) -> Result<(), SubmitError> {
        let mut queue = self.lock_queue();
        if let Some(error) = refusal(&queue) {
            drop(queue);
            drop(job);
            return Err(error);
        }
        queue.jobs.push_back(job);
        let wake = queue.idle > queue.notified;
        if wake {
            queue.notified += 1;
        }
        drop(queue);
        if wake {
            self.work_ready.notify_one();
        }
        Ok(())
    }

    /// Queues every job of `jobs` (leaving it empty) under one lock.
    ///
    /// # Errors
    ///
    /// As [`PoolShared::push`]; then none of the jobs was queued.
    pub(crate) fn push_all(&self, jobs: &mut Vec<JobHandle>) -> Result<(), SubmitError> {
        let mut queue = self.lock_queue();
        if let Some(error) = refusal(&queue) {
            drop(queue);
            jobs.clear();
            return Err(error);
        }
        let count = jobs.len();
        queue.jobs.extend(jobs.drain(..));
        let wake = (queue.idle - queue.notified.min(queue.idle)).min(count);
        queue.notified += wake;
        drop(queue);
        for _ in 0..wake {
            self.work_ready.notify_one();
        }
        Ok(())
    }

    /// Stops taking tasks and tells the workers to exit once the queue is
    /// empty; with `cancel_futures`, first cancels every task not started;
    /// with `wait`, then blocks until every worker has exited its loop.
    /// Returns whether it waited: a worker of this pool cannot wait for
    /// itself, so from a worker it never does.
    pub(crate) fn shutdown(&self, cancel_futures: bool, wait: bool) -> bool {
        let me = thread::current().id();
        let mut queue = self.lock_queue();
        queue.shutdown = true;
        let wait = wait && !queue.worker_ids.contains(&me);
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
        wait
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

    /// The number of workers the pool started with.
    pub(crate) fn max_workers(&self) -> usize {
        self.max_workers
    }

    /// Stops counting `count` workers that never started.
    pub(crate) fn forget_unstarted(&self, count: usize) {
        self.lock_queue().live -= count;
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
        queue.worker_ids.push(thread::current().id());
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
