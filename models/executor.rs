//! Models of `weft_patterns::executor`: the real `ThreadPool` and `Future`
//! verified (two tasks on two workers, cancel racing with the worker,
//! shutdown racing with queued tasks, callbacks, timeouts, `wait` and
//! `as_completed`, a rendezvous of two tasks on two workers, a buffered
//! `map`, a `Future::pending` completed or abandoned by another thread);
//! and broken variants, built here on the weft primitives, caught with the
//! exact failure kind and report content:
//!
//! - a `Future::pending` whose promise is forgotten (neither completed nor
//!   dropped): its waiter is blocked forever (a deadlock on
//!   `future.completed`);
//! - a pool whose worker claims two queued tasks at once, holding both
//!   halves of a rendezvous: the first waits on its channel forever (a
//!   deadlock; the head-of-line blocking `ThreadPool` had before);
//! - a pool whose worker checks for shutdown before draining its queue, so
//!   that shutdown can drop a queued task (an assertion in `main`);
//! - a future whose `result` checks "done" outside the lock and then waits:
//!   a lost wakeup (a deadlock on the condvar);
//! - a future that publishes its value with a relaxed store: on loom the
//!   reader's access to the value is a data race.
//!
//! The bug-catching tests run under a checker only; in std mode a broken
//! variant is just a flaky program.

use std::collections::VecDeque;

use weft::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use weft::sync::{mpsc, Arc, Condvar, Mutex};
use weft::thread::{self, JoinHandle};
use weft::time::Duration;
use weft::Model;
use weft_patterns::executor::{
    as_completed, wait, Future, FutureError, FutureState, MapOptions, ReturnWhen, SubmitError,
    ThreadPool,
};

#[cfg(any(feature = "loom", feature = "shuttle"))]
use weft::{record::WaitKind, FailureKind};

#[track_caller]
fn spawn_named<T: Send + 'static>(
    name: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> JoinHandle<T> {
    thread::Builder::new()
        .name(name.to_string())
        .spawn(f)
        .expect("spawn a model thread")
}

fn pool(workers: usize) -> ThreadPool {
    ThreadPool::builder(workers)
        .thread_name_prefix("worker")
        .build()
        .expect("build the pool")
}

// ------------------------------------------------ verified: the real pool

#[test]
fn pool_runs_two_tasks_on_two_workers_and_shuts_down() {
    Model::new()
        .name("pool_two_tasks")
        // Three threads: exhaustive on loom up to two preemptions (raise it
        // with WEFT_PREEMPTIONS); shuttle ignores the bound.
        .preemption_bound(2)
        .check(|| {
            let pool = pool(2);
            let a = pool.submit(|| 1).unwrap();
            let b = pool.submit(|| 2).unwrap();
            assert_eq!(a.result(None), Ok(1));
            assert_eq!(b.result(None), Ok(2));
            pool.shutdown(true, false);
            assert_eq!(pool.submit(|| 3).unwrap_err(), SubmitError::Shutdown);
            assert_eq!(a.state(), FutureState::Succeeded);
        });
}

/// The first pool model a new user writes (issue 12), with `weft::model`'s
/// defaults. On shuttle the default search starts with weft's DPOR, which
/// proves it in 571 executions (`models/thread_pool_cost.rs` keeps the
/// pool's cost down and checks the count; `benches/dpor_executions.rs`
/// measures it), in any build.
// Not on loom: loom's search of this program, unbounded by default, does
// not finish within minutes (`benches/dpor_executions.rs`);
// `pool_runs_two_tasks_on_two_workers_and_shuts_down` runs it on loom with
// a preemption bound.
#[cfg(not(feature = "loom"))]
#[test]
fn a_first_pool_model_as_a_new_user_writes_it_is_verified() {
    weft::model(super::first_pool::first_pool_model);
}

#[test]
fn cancel_racing_with_the_worker_has_one_winner_and_one_callback() {
    Model::new().name("cancel_race").check(|| {
        let pool = pool(1);
        let ran = Arc::new(AtomicUsize::new(0).named("ran"));
        let callbacks = Arc::new(AtomicUsize::new(0).named("callbacks"));
        let r = ran.clone();
        let future = pool
            .submit(move || {
                r.fetch_add(1, Ordering::SeqCst);
                7
            })
            .unwrap();
        let c = callbacks.clone();
        future.add_done_callback(move |f| {
            assert!(f.done(), "a callback runs once the future is done");
            c.fetch_add(1, Ordering::SeqCst);
        });
        let cancelled = future.cancel();
        pool.shutdown(true, false);
        if cancelled {
            assert_eq!(future.result(None), Err(FutureError::Cancelled));
            assert_eq!(ran.load(Ordering::SeqCst), 0, "a cancelled task ran");
        } else {
            assert_eq!(future.result(None), Ok(7));
            assert_eq!(ran.load(Ordering::SeqCst), 1);
        }
        assert_eq!(callbacks.load(Ordering::SeqCst), 1, "callback runs");
    });
}

#[test]
fn shutdown_with_cancel_futures_racing_with_the_worker_loses_no_future() {
    Model::new().name("shutdown_cancel_race").check(|| {
        let pool = pool(1);
        let ran = Arc::new(AtomicUsize::new(0).named("ran"));
        let futures: Vec<_> = (0..2)
            .map(|i| {
                let ran = ran.clone();
                pool.submit(move || {
                    ran.fetch_add(1, Ordering::SeqCst);
                    i
                })
                .unwrap()
            })
            .collect();
        pool.shutdown(true, true);
        let mut succeeded = 0;
        for (i, f) in futures.iter().enumerate() {
            match f.result(None) {
                Ok(v) => {
                    assert_eq!(v, i);
                    succeeded += 1;
                }
                Err(e) => assert_eq!(e, FutureError::Cancelled),
            }
        }
        assert_eq!(ran.load(Ordering::SeqCst), succeeded);
    });
}

#[test]
fn a_result_waiter_in_another_thread_is_woken_by_completion() {
    Model::new()
        .name("result_waiter")
        // Three threads: exhaustive on loom up to two preemptions (raise it
        // with WEFT_PREEMPTIONS); shuttle ignores the bound.
        .preemption_bound(2)
        .check(|| {
            let pool = pool(1);
            let future = Arc::new(pool.submit(|| 5).unwrap());
            let f = future.clone();
            let waiter = spawn_named("waiter", move || f.result(None));
            let mine = future.result(None);
            let theirs = waiter.join().unwrap();
            // Exactly one of the two takes the value.
            let mut outcomes = [mine, theirs];
            outcomes.sort_by_key(|r| r.is_err());
            assert_eq!(outcomes, [Ok(5), Err(FutureError::AlreadyTaken)]);
            drop(pool);
        });
}

#[test]
fn a_timed_result_either_times_out_or_returns_the_value() {
    Model::new().name("result_timeout").check(|| {
        let pool = pool(1);
        let future = pool.submit(|| 9).unwrap();
        match future.result(Some(Duration::from_millis(1))) {
            Ok(v) => assert_eq!(v, 9),
            Err(e) => {
                assert_eq!(e, FutureError::Timeout);
                assert_eq!(future.result(None), Ok(9));
            }
        }
    });
}

#[test]
fn wait_and_as_completed_see_every_completion() {
    Model::new()
        .name("wait_as_completed")
        // Three threads: exhaustive on loom up to two preemptions (raise it
        // with WEFT_PREEMPTIONS); shuttle ignores the bound.
        .preemption_bound(2)
        .check(|| {
            let pool = pool(2);
            let futures: Vec<_> = (0..2).map(|i| pool.submit(move || i).unwrap()).collect();
            let first = wait(&futures, None, ReturnWhen::FirstCompleted);
            assert!(!first.done.is_empty());
            let mut seen: Vec<usize> = as_completed(&futures, None)
                .map(|f| f.unwrap().result(None).unwrap())
                .collect();
            seen.sort_unstable();
            assert_eq!(seen, [0, 1]);
        });
}

#[test]
fn two_tasks_that_wait_for_each_other_meet_on_a_two_worker_pool() {
    // A rendezvous over two channels, queued ahead of two more tasks: a
    // worker that claimed several queued tasks at once could hold both
    // halves of the rendezvous and wait forever (a deadlock); claiming one
    // at a time, the other worker always takes the second half.
    Model::new()
        .name("pool_rendezvous")
        // Three threads: exhaustive on loom up to two preemptions (raise it
        // with WEFT_PREEMPTIONS); shuttle ignores the bound.
        .preemption_bound(2)
        .check(|| {
            let pool = pool(2);
            let (to_b, from_a) = mpsc::channel::<&str>();
            let (to_a, from_b) = mpsc::channel::<&str>();
            let a = pool
                .submit(move || {
                    to_b.send("from a").unwrap();
                    from_b.recv().unwrap()
                })
                .unwrap();
            let b = pool
                .submit(move || {
                    to_a.send("from b").unwrap();
                    from_a.recv().unwrap()
                })
                .unwrap();
            let others: Vec<_> = (0..2).map(|i| pool.submit(move || i).unwrap()).collect();
            assert_eq!(a.result(None), Ok("from b"));
            assert_eq!(b.result(None), Ok("from a"));
            for (i, f) in others.iter().enumerate() {
                assert_eq!(f.result(None), Ok(i));
            }
        });
}

#[test]
fn a_pending_future_is_completed_by_a_callback_thread() {
    Model::new()
        .name("future_pending")
        .preemption_bound(2)
        .check(|| {
            let (future, promise) = Future::<u32>::pending();
            let calls = Arc::new(AtomicUsize::new(0).named("calls"));
            let c = calls.clone();
            future.add_done_callback(move |f| {
                assert!(f.done());
                c.fetch_add(1, Ordering::SeqCst);
            });
            // A callback API delivering its answer on its own thread.
            let callback = spawn_named("callback", move || {
                if promise.set_running() {
                    promise.set_result(42);
                }
            });
            let cancelled = future.cancel();
            let result = future.result(None);
            callback.join().unwrap();
            if cancelled {
                assert_eq!(result, Err(FutureError::Cancelled));
            } else {
                assert_eq!(result, Ok(42));
            }
            assert_eq!(calls.load(Ordering::SeqCst), 1, "the callback runs once");
        });
}

#[test]
fn a_dropped_promise_fails_its_waiter_instead_of_hanging_it() {
    Model::new().name("promise_dropped").check(|| {
        let (future, promise) = Future::<u32>::pending();
        let dropper = spawn_named("dropper", move || drop(promise));
        assert_eq!(future.result(None), Err(FutureError::Abandoned));
        dropper.join().unwrap();
    });
}

#[test]
fn a_buffered_map_yields_every_item_in_order() {
    Model::new()
        .name("buffered_map")
        .preemption_bound(2)
        .check(|| {
            let pool = pool(1);
            let results: Vec<_> = pool
                .map(|x: u32| x * 10, 0..3, MapOptions::new().buffersize(1))
                .unwrap()
                .collect();
            assert_eq!(results, [Ok(0), Ok(10), Ok(20)]);
        });
}

// ----------------- broken: a worker that claims two queued tasks at once

/// A two-worker pool whose workers claim up to `batch` queued tasks at a
/// time and run them in order: with a batch of 2, one worker can hold both
/// halves of a rendezvous, and the first waits forever for the second (the
/// head-of-line blocking `ThreadPool` had before it claimed one at a time).
#[cfg_attr(not(any(feature = "loom", feature = "shuttle")), allow(dead_code))]
fn batch_pool_rendezvous_model(batch: usize) {
    let queue: Arc<Mutex<(VecDeque<Job>, bool)>> =
        Arc::new(Mutex::new((VecDeque::new(), false)).named("batch_pool.queue"));
    let ready = Arc::new(Condvar::new().named("batch_pool.ready"));
    let workers: Vec<_> = (0..2)
        .map(|i| {
            let (queue, ready) = (queue.clone(), ready.clone());
            spawn_named(&format!("worker-{i}"), move || loop {
                let mut claimed = Vec::new();
                {
                    let mut q = queue.lock().unwrap();
                    while q.0.is_empty() && !q.1 {
                        q = ready.wait(q).unwrap();
                    }
                    if q.0.is_empty() {
                        return;
                    }
                    let n = batch.min(q.0.len());
                    claimed.extend(q.0.drain(..n));
                }
                for job in claimed {
                    job();
                }
            })
        })
        .collect();
    let (to_b, from_a) = mpsc::channel::<u8>();
    let (to_a, from_b) = mpsc::channel::<u8>();
    {
        let mut q = queue.lock().unwrap();
        q.0.push_back(Box::new(move || {
            to_b.send(1).unwrap();
            from_b.recv().unwrap();
        }));
        q.0.push_back(Box::new(move || {
            to_a.send(2).unwrap();
            from_a.recv().unwrap();
        }));
        q.1 = true; // shut down once the queue is empty
    }
    ready.notify_all();
    for w in workers {
        w.join().unwrap();
    }
}

#[test]
fn a_pool_whose_workers_claim_one_task_at_a_time_is_verified() {
    Model::new()
        .name("batch_pool_one")
        .preemption_bound(2)
        .check(|| batch_pool_rendezvous_model(1));
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn a_pool_whose_worker_claims_both_halves_of_a_rendezvous_is_caught() {
    let failure = Model::new()
        .name("batch_pool_two")
        .preemption_bound(2)
        .expect_failure(FailureKind::Deadlock)
        .check(|| batch_pool_rendezvous_model(2))
        .into_caught()
        .expect("the declared failure");
    assert_eq!(failure.kind(), FailureKind::Deadlock, "{failure}");
    let blocked = failure.blocked_threads();
    let stuck = blocked
        .iter()
        .find(|b| b.kind == WaitKind::Recv)
        .unwrap_or_else(|| panic!("a worker waits on the rendezvous channel: {failure}"));
    assert!(stuck.thread.starts_with("worker-"), "{failure}");
    let main = blocked
        .iter()
        .find(|b| b.thread == "main")
        .unwrap_or_else(|| panic!("main is blocked: {failure}"));
    assert_eq!(main.kind, WaitKind::Join);
}

// ------------------------- broken: a promise forgotten, never completed

/// A bridge whose callback is lost: its promise is forgotten, so neither
/// completed nor dropped, and the waiter waits forever.
#[cfg_attr(not(any(feature = "loom", feature = "shuttle")), allow(dead_code))]
fn forgotten_promise_model() {
    let (future, promise) = Future::<u32>::pending();
    let lost = spawn_named("callback", move || std::mem::forget(promise));
    lost.join().unwrap();
    let _ = future.result(None);
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn a_forgotten_promise_is_caught_as_a_waiter_nobody_will_wake() {
    let failure = Model::new()
        .name("forgotten_promise")
        .expect_failure(FailureKind::Deadlock)
        .check(forgotten_promise_model)
        .into_caught()
        .expect("the declared failure");
    assert_eq!(failure.kind(), FailureKind::Deadlock, "{failure}");
    let blocked = failure.blocked_threads();
    let main = blocked
        .iter()
        .find(|b| b.thread == "main")
        .unwrap_or_else(|| panic!("main is blocked: {failure}"));
    assert_eq!(main.kind, WaitKind::Condvar);
    assert_eq!(main.waits_for, "future.completed");
    let report = failure.to_string();
    assert!(report.contains("future.completed"), "{report}");
}

// ------------------------------------- broken: shutdown drops a queued task

type Job = Box<dyn FnOnce() + Send>;

/// A minimal pool: one worker, a queue under a mutex, a condvar.
struct MiniPool {
    queue: Mutex<(VecDeque<Job>, bool)>,
    work_ready: Condvar,
}

/// The worker's loop. With `drain_first` it runs every queued task before
/// it honours shutdown (correct); without, it looks at the shutdown flag
/// first and can exit with a task still queued (the bug).
fn mini_worker(pool: &MiniPool, drain_first: bool) {
    let mut queue = pool.queue.lock().unwrap();
    loop {
        if !drain_first && queue.1 {
            return; // BUG: leaves queued tasks behind
        }
        if let Some(job) = queue.0.pop_front() {
            drop(queue);
            job();
            queue = pool.queue.lock().unwrap();
            continue;
        }
        if queue.1 {
            return;
        }
        queue = pool.work_ready.wait(queue).unwrap();
    }
}

fn mini_pool_submit_then_shutdown(drain_first: bool) {
    let pool = Arc::new(MiniPool {
        queue: Mutex::new((VecDeque::new(), false)).named("queue"),
        work_ready: Condvar::new().named("work_ready"),
    });
    let worker = {
        let pool = pool.clone();
        spawn_named("worker", move || mini_worker(&pool, drain_first))
    };
    let ran = Arc::new(AtomicBool::new(false).named("ran"));
    {
        let ran = ran.clone();
        pool.queue
            .lock()
            .unwrap()
            .0
            .push_back(Box::new(move || ran.store(true, Ordering::SeqCst)));
        pool.work_ready.notify_one();
    }
    pool.queue.lock().unwrap().1 = true;
    pool.work_ready.notify_all();
    worker.join().unwrap();
    assert!(
        ran.load(Ordering::SeqCst),
        "a task queued before shutdown never ran: shutdown dropped it"
    );
}

#[test]
fn a_pool_that_drains_its_queue_before_exiting_is_verified() {
    Model::new()
        .name("mini_pool_drains")
        .check(|| mini_pool_submit_then_shutdown(true));
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn a_pool_whose_shutdown_drops_a_queued_task_is_caught() {
    let failure = Model::new()
        .name("mini_pool_drops_task")
        .expect_failure(FailureKind::Assertion)
        .check(|| mini_pool_submit_then_shutdown(false))
        .into_caught()
        .expect("the declared failure");
    assert_eq!(failure.kind(), FailureKind::Assertion, "{failure}");
    assert_eq!(failure.thread_name().as_deref(), Some("main"));
    assert!(
        failure
            .message()
            .contains("a task queued before shutdown never ran: shutdown dropped it"),
        "{failure}"
    );
    assert!(
        failure.threads_in_steps().contains(&"worker".to_string()),
        "{failure}"
    );
    let report = failure.to_string();
    assert!(report.contains("`queue`"), "{report}");
    assert!(report.contains("models/executor.rs"), "{report}");
}

// ----------------------------------- broken: result misses its completion

/// A minimal future: a flag, the value under a mutex, a condvar.
struct MiniFuture {
    done: AtomicBool,
    value: Mutex<Option<u32>>,
    completed: Condvar,
}

impl MiniFuture {
    fn new() -> Self {
        MiniFuture {
            done: AtomicBool::new(false).named("done"),
            value: Mutex::new(None).named("value"),
            completed: Condvar::new().named("future.completed"),
        }
    }

    fn complete(&self, v: u32) {
        *self.value.lock().unwrap() = Some(v);
        self.done.store(true, Ordering::SeqCst);
        self.completed.notify_all();
    }

    /// Correct: checks for the value under the lock, in a loop.
    fn result(&self) -> u32 {
        let mut value = self.value.lock().unwrap();
        loop {
            if let Some(v) = *value {
                return v;
            }
            value = self.completed.wait(value).unwrap();
        }
    }

    /// Broken: looks at `done` without the lock, then waits: completion can
    /// fall between the look and the wait, and its notification is lost.
    fn result_checking_outside_the_lock(&self) -> u32 {
        if !self.done.load(Ordering::SeqCst) {
            let value = self.value.lock().unwrap();
            let value = self.completed.wait(value).unwrap();
            return value.expect("woken after completion");
        }
        self.value.lock().unwrap().expect("done means set")
    }
}

fn mini_future_model(correct: bool) {
    let future = Arc::new(MiniFuture::new());
    let worker = {
        let future = future.clone();
        spawn_named("worker", move || future.complete(42))
    };
    let v = if correct {
        future.result()
    } else {
        future.result_checking_outside_the_lock()
    };
    assert_eq!(v, 42);
    worker.join().unwrap();
}

#[test]
fn a_future_whose_result_checks_under_the_lock_is_verified() {
    Model::new()
        .name("mini_future")
        .check(|| mini_future_model(true));
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn a_future_whose_result_can_miss_its_completion_is_caught_as_a_lost_wakeup() {
    let failure = Model::new()
        .name("mini_future_lost_wakeup")
        .expect_failure(FailureKind::Deadlock)
        .check(|| mini_future_model(false))
        .into_caught()
        .expect("the declared failure");
    assert_eq!(failure.kind(), FailureKind::Deadlock, "{failure}");
    assert!(failure.is_lost_wakeup(), "{failure}");
    let blocked = failure.blocked_threads();
    let main = blocked
        .iter()
        .find(|b| b.thread == "main")
        .expect("main is blocked");
    assert_eq!(main.kind, WaitKind::Condvar);
    assert_eq!(main.waits_for, "future.completed");
    let report = failure.to_string();
    assert!(report.contains("lost wakeup"), "{report}");
    assert!(
        report.contains("`main` waits for a notification on `future.completed`"),
        "{report}"
    );
}

// ------------------------- broken on loom: a value published too weakly

/// A future that publishes its value with a flag: `Release`/`Acquire` in the
/// correct version, `Relaxed` in the broken one.
struct FlagFuture {
    ready: AtomicBool,
    value: weft::cell::UnsafeCell<u32>,
}

// SAFETY: the correct model orders the write before the read with
// release/acquire on `ready`; the broken one is the point of its test.
unsafe impl Sync for FlagFuture {}

fn flag_future_model(publish: Ordering, observe: Ordering) {
    let future = Arc::new(FlagFuture {
        ready: AtomicBool::new(false).named("ready"),
        value: weft::cell::UnsafeCell::new(0).named("future.value"),
    });
    let worker = {
        let future = future.clone();
        spawn_named("worker", move || {
            // SAFETY: the only write, before `ready` is set.
            future.value.with_mut(|p| unsafe { *p = 42 });
            future.ready.store(true, publish);
        })
    };
    while !future.ready.load(observe) {
        thread::yield_now();
    }
    // SAFETY: `ready` was seen set; with acquire/release this orders the
    // worker's write before this read.
    let v = future.value.with(|p| unsafe { *p });
    assert_eq!(v, 42);
    worker.join().unwrap();
}

#[test]
fn a_future_published_with_release_and_acquire_is_verified() {
    Model::new()
        .name("flag_future")
        .check(|| flag_future_model(Ordering::Release, Ordering::Acquire));
}

#[cfg(feature = "loom")]
#[test]
fn a_future_published_with_a_relaxed_store_is_caught_as_a_data_race_on_loom() {
    let failure = Model::new()
        .name("flag_future_relaxed")
        .expect_failure(FailureKind::DataRace)
        .check(|| flag_future_model(Ordering::Relaxed, Ordering::Relaxed))
        .into_caught()
        .expect("the declared failure");
    assert_eq!(failure.kind(), FailureKind::DataRace, "{failure}");
    let race = failure.race().expect("the two accesses");
    let mut threads = [
        failure.log().thread_name(race.first.thread),
        failure.log().thread_name(race.second.thread),
    ];
    threads.sort();
    assert_eq!(threads, ["main".to_string(), "worker".to_string()]);
    let report = failure.to_string();
    assert!(report.contains("`future.value`"), "{report}");
}
