//! Real-thread tests of `weft_patterns::executor`: `ThreadPool` (submit,
//! map, shutdown with and without cancelling, drop, initializer, names),
//! `Future` (result, exception, cancel, callbacks, states), `wait` and
//! `as_completed`, with timeouts that expire and ones that do not.
//!
//! Tasks that must stay unfinished are held by a [`Gate`], never by a
//! sleep; a timeout that is meant to expire is short, one that is not is
//! [`PATIENCE`] long.
//!
//! Real threads only: under a checker the pool runs inside models
//! (`models/executor.rs`).

#![cfg(not(any(feature = "loom", feature = "shuttle")))]

use std::collections::HashSet;
use std::panic;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, Once};
use std::thread as std_thread;
use std::time::{Duration, Instant};

use weft_patterns::executor::{
    as_completed, wait, AsCompletedTimeout, BuildError, Executor, Future, FutureError, FutureState,
    MapOptions, ReturnWhen, SubmitError, ThreadPool, ThreadPoolBuilder,
};

/// Long enough that a wait which should succeed never times out on a
/// loaded machine.
const PATIENCE: Duration = Duration::from_secs(30);
/// A timeout that is meant to expire.
const SHORT: Duration = Duration::from_millis(20);

/// Panics whose message starts with this are the tests' own; the panic hook
/// keeps them quiet.
const DELIBERATE: &str = "deliberate";

fn quiet_deliberate_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let message = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_default();
            if !message.starts_with(DELIBERATE) {
                default(info);
            }
        }));
    });
}

/// Holds tasks until opened; tells the test when a task has started.
#[derive(Clone)]
struct Gate {
    open: Arc<(Mutex<bool>, std::sync::Condvar)>,
    started: mpsc::Sender<()>,
}

impl Gate {
    fn new() -> (Gate, mpsc::Receiver<()>) {
        let (started, started_rx) = mpsc::channel();
        let gate = Gate {
            open: Arc::new((Mutex::new(false), std::sync::Condvar::new())),
            started,
        };
        (gate, started_rx)
    }

    /// Called by a task: reports that it started, then waits for `open`.
    fn pass(&self) {
        self.started.send(()).unwrap();
        let (lock, cv) = &*self.open;
        let mut open = lock.lock().unwrap();
        while !*open {
            open = cv.wait(open).unwrap();
        }
    }

    fn open(&self) {
        let (lock, cv) = &*self.open;
        *lock.lock().unwrap() = true;
        cv.notify_all();
    }
}

/// Occupies every worker of `pool` with a task held at a new gate, and
/// returns the gate and the blockers' futures once all of them run.
fn occupy(pool: &ThreadPool, workers: usize) -> (Gate, Vec<Future<&'static str>>) {
    let (gate, started) = Gate::new();
    let blockers = (0..workers)
        .map(|_| {
            let gate = gate.clone();
            pool.submit(move || {
                gate.pass();
                "blocker"
            })
            .unwrap()
        })
        .collect();
    for _ in 0..workers {
        started.recv_timeout(PATIENCE).expect("blocker started");
    }
    (gate, blockers)
}

/// A counter shared with callbacks.
fn counter() -> Arc<AtomicUsize> {
    Arc::new(AtomicUsize::new(0))
}

// ----------------------------------------------------------------- submit

#[test]
fn hundred_thousand_tasks_on_two_workers_all_results_correct() {
    let pool = ThreadPool::new(2);
    let futures: Vec<Future<u64>> = (0..100_000u64)
        .map(|i| pool.submit(move || i * i + 1).unwrap())
        .collect();
    for (i, future) in futures.iter().enumerate() {
        let i = i as u64;
        assert_eq!(future.result(Some(PATIENCE)), Ok(i * i + 1), "task {i}");
        assert_eq!(future.state(), FutureState::Succeeded);
    }
}

#[test]
fn panicking_tasks_fail_only_their_own_futures_and_the_pool_keeps_serving() {
    quiet_deliberate_panics();
    let pool = ThreadPool::new(2);
    let futures: Vec<Future<usize>> = (0..2_000)
        .map(|i| {
            pool.submit(move || {
                if i % 7 == 3 {
                    panic!("{DELIBERATE} panic in task {i}");
                }
                i * 2
            })
            .unwrap()
        })
        .collect();
    for (i, future) in futures.iter().enumerate() {
        if i % 7 == 3 {
            assert_eq!(
                future.result(Some(PATIENCE)),
                Err(FutureError::Panicked(format!(
                    "{DELIBERATE} panic in task {i}"
                )))
            );
            assert_eq!(future.state(), FutureState::Failed);
        } else {
            assert_eq!(future.result(Some(PATIENCE)), Ok(i * 2));
        }
    }
    // Both workers are still there.
    let (gate, blockers) = occupy(&pool, 2);
    gate.open();
    for b in blockers {
        assert_eq!(b.result(Some(PATIENCE)), Ok("blocker"));
    }
}

#[test]
fn a_panic_with_a_non_string_payload_is_reported_as_such() {
    quiet_deliberate_panics();
    let pool = ThreadPool::new(1);
    let future = pool
        .submit(|| -> u8 { panic::panic_any(DELIBERATE.len()) })
        .unwrap();
    assert_eq!(
        future.result(Some(PATIENCE)),
        Err(FutureError::Panicked("non-string panic payload".into()))
    );
}

#[test]
fn submit_after_shutdown_is_an_error_not_a_hang() {
    let pool = ThreadPool::new(2);
    let before = pool.submit(|| 1).unwrap();
    pool.shutdown(false, false);
    assert_eq!(pool.submit(|| 2).unwrap_err(), SubmitError::Shutdown);
    pool.shutdown(true, false);
    assert_eq!(pool.submit(|| 3).unwrap_err(), SubmitError::Shutdown);
    assert_eq!(
        pool.map(|x: i32| x, [1, 2], None).unwrap_err(),
        SubmitError::Shutdown
    );
    assert_eq!(before.result(Some(PATIENCE)), Ok(1));
    pool.shutdown(true, true); // again: allowed
}

#[test]
fn result_moves_the_value_out_once_and_repeats_errors() {
    quiet_deliberate_panics();
    let pool = ThreadPool::new(1);
    let ok = pool.submit(|| String::from("value")).unwrap();
    let bad = pool
        .submit(|| -> String { panic!("{DELIBERATE} twice") })
        .unwrap();
    assert_eq!(ok.result(Some(PATIENCE)).as_deref(), Ok("value"));
    assert_eq!(ok.result(Some(PATIENCE)), Err(FutureError::AlreadyTaken));
    assert_eq!(ok.exception(None), None, "taking the value is not an error");
    let expected = FutureError::Panicked(format!("{DELIBERATE} twice"));
    assert_eq!(bad.result(Some(PATIENCE)), Err(expected.clone()));
    assert_eq!(bad.result(Some(PATIENCE)), Err(expected.clone()));
    assert_eq!(bad.exception(None), Some(expected));
}

#[test]
fn a_future_is_shared_by_reference_between_threads_and_its_value_taken_once() {
    let pool = ThreadPool::new(1);
    let (gate, blockers) = occupy(&pool, 1);
    let future = pool.submit(|| 99u32).unwrap();
    let taken = std_thread::scope(|s| {
        let takers: Vec<_> = (0..4)
            .map(|_| s.spawn(|| future.result(Some(PATIENCE))))
            .collect();
        gate.open();
        takers
            .into_iter()
            .map(|t| t.join().unwrap())
            .collect::<Vec<_>>()
    });
    assert_eq!(
        taken.iter().filter(|r| **r == Ok(99)).count(),
        1,
        "{taken:?}"
    );
    assert_eq!(
        taken
            .iter()
            .filter(|r| **r == Err(FutureError::AlreadyTaken))
            .count(),
        3,
        "{taken:?}"
    );
    drop(blockers);
}

#[test]
fn states_go_pending_running_succeeded() {
    let pool = ThreadPool::new(1);
    let (gate, blockers) = occupy(&pool, 1);
    assert_eq!(blockers[0].state(), FutureState::Running);
    assert!(blockers[0].running());
    assert!(!blockers[0].done());
    let queued = pool.submit(|| 5).unwrap();
    assert_eq!(queued.state(), FutureState::Pending);
    assert!(!queued.running() && !queued.done() && !queued.cancelled());
    gate.open();
    assert_eq!(queued.result(Some(PATIENCE)), Ok(5));
    assert!(queued.done() && !queued.running() && !queued.cancelled());
    assert_eq!(blockers[0].result(Some(PATIENCE)), Ok("blocker"));
    assert!(FutureState::Succeeded.is_done() && !FutureState::Running.is_done());
}

// ----------------------------------------------------------------- cancel

#[test]
fn cancel_works_only_before_the_task_runs() {
    let pool = ThreadPool::new(1);
    let (gate, blockers) = occupy(&pool, 1);
    let ran = counter();
    let queued = {
        let ran = ran.clone();
        pool.submit(move || ran.fetch_add(1, Ordering::SeqCst))
            .unwrap()
    };
    assert!(!blockers[0].cancel(), "a running task cannot be cancelled");
    assert!(queued.cancel());
    assert!(queued.cancel(), "cancelling again reports cancelled");
    assert!(queued.cancelled() && queued.done());
    assert_eq!(queued.state(), FutureState::Cancelled);
    gate.open();
    assert_eq!(blockers[0].result(Some(PATIENCE)), Ok("blocker"));
    assert_eq!(queued.result(Some(PATIENCE)), Err(FutureError::Cancelled));
    assert_eq!(queued.exception(None), Some(FutureError::Cancelled));
    assert!(!blockers[0].cancel(), "a finished task cannot be cancelled");
    pool.shutdown(true, false);
    assert_eq!(ran.load(Ordering::SeqCst), 0, "a cancelled task never runs");
}

#[test]
fn cancelling_wakes_a_waiter() {
    let pool = ThreadPool::new(1);
    let (gate, blockers) = occupy(&pool, 1);
    let queued = pool.submit(|| 1).unwrap();
    std_thread::scope(|s| {
        let waiter = s.spawn(|| queued.result(None));
        // Give the waiter a chance to block; correct either way.
        std_thread::sleep(Duration::from_millis(5));
        assert!(queued.cancel());
        assert_eq!(waiter.join().unwrap(), Err(FutureError::Cancelled));
    });
    gate.open();
    drop(blockers);
}

// -------------------------------------------------------------- callbacks

#[test]
fn a_callback_added_before_completion_runs_once_in_the_worker() {
    let pool = ThreadPoolBuilder::new(1)
        .thread_name_prefix("cb")
        .build()
        .unwrap();
    let (gate, blockers) = occupy(&pool, 1);
    let queued = pool.submit(|| 3).unwrap();
    let (tx, rx) = mpsc::channel();
    queued.add_done_callback(move |f| {
        let name = std_thread::current().name().map(str::to_owned);
        tx.send((f.state(), name)).unwrap();
    });
    assert!(rx.try_recv().is_err(), "not run before completion");
    gate.open();
    let (state, name) = rx.recv_timeout(PATIENCE).unwrap();
    assert_eq!(state, FutureState::Succeeded);
    assert_eq!(name.as_deref(), Some("cb_0"));
    drop(pool);
    assert!(rx.recv().is_err(), "ran exactly once (sender dropped)");
    drop(blockers);
}

#[test]
fn a_callback_added_after_completion_runs_once_immediately_in_the_caller() {
    let pool = ThreadPool::new(1);
    let future = pool.submit(|| 3).unwrap();
    assert_eq!(future.result(Some(PATIENCE)), Ok(3));
    let runs = counter();
    let me = std_thread::current().id();
    let seen = Arc::new(Mutex::new(None));
    {
        let (runs, seen) = (runs.clone(), seen.clone());
        future.add_done_callback(move |f| {
            runs.fetch_add(1, Ordering::SeqCst);
            *seen.lock().unwrap() = Some((std_thread::current().id(), f.done()));
        });
    }
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    assert_eq!(*seen.lock().unwrap(), Some((me, true)));
}

#[test]
fn callbacks_run_once_each_in_order_even_when_one_panics() {
    quiet_deliberate_panics();
    let pool = ThreadPool::new(1);
    let (gate, blockers) = occupy(&pool, 1);
    let queued = pool.submit(|| 1).unwrap();
    let order = Arc::new(Mutex::new(Vec::new()));
    for i in 0..5 {
        let order = order.clone();
        queued.add_done_callback(move |_| {
            order.lock().unwrap().push(i);
            if i == 2 {
                panic!("{DELIBERATE} callback panic");
            }
        });
    }
    gate.open();
    assert_eq!(queued.result(Some(PATIENCE)), Ok(1));
    pool.shutdown(true, false);
    assert_eq!(*order.lock().unwrap(), [0, 1, 2, 3, 4]);
    // The worker survived the panicking callback.
    drop(blockers);
}

#[test]
fn callbacks_run_once_on_cancel_in_the_cancelling_thread() {
    let pool = ThreadPool::new(1);
    let (gate, blockers) = occupy(&pool, 1);
    let queued = pool.submit(|| 1).unwrap();
    let runs = counter();
    let me = std_thread::current().id();
    let seen = Arc::new(Mutex::new(None));
    {
        let (runs, seen) = (runs.clone(), seen.clone());
        queued.add_done_callback(move |f| {
            runs.fetch_add(1, Ordering::SeqCst);
            *seen.lock().unwrap() = Some((std_thread::current().id(), f.cancelled()));
        });
    }
    assert!(queued.cancel());
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    assert_eq!(*seen.lock().unwrap(), Some((me, true)));
    gate.open();
    pool.shutdown(true, false);
    assert!(queued.cancel(), "still cancelled");
    assert_eq!(runs.load(Ordering::SeqCst), 1, "exactly once");
    drop(blockers);
}

#[test]
fn many_callbacks_race_with_completion_and_each_runs_exactly_once() {
    let pool = ThreadPool::new(2);
    let runs = counter();
    let futures: Vec<_> = (0..5_000)
        .map(|i| pool.submit(move || i).unwrap())
        .collect();
    for f in &futures {
        let runs = runs.clone();
        f.add_done_callback(move |f| {
            assert!(f.done());
            runs.fetch_add(1, Ordering::SeqCst);
        });
    }
    pool.shutdown(true, false);
    assert_eq!(runs.load(Ordering::SeqCst), 5_000);
}

// --------------------------------------------------------------- shutdown

#[test]
fn shutdown_while_tasks_are_queued_without_cancelling_runs_them_all() {
    let pool = ThreadPool::new(2);
    let (gate, blockers) = occupy(&pool, 2);
    let ran = counter();
    let queued: Vec<_> = (0..100)
        .map(|i| {
            let ran = ran.clone();
            pool.submit(move || {
                ran.fetch_add(1, Ordering::SeqCst);
                i
            })
            .unwrap()
        })
        .collect();
    pool.shutdown(false, false);
    assert_eq!(pool.submit(|| 0).unwrap_err(), SubmitError::Shutdown);
    assert!(queued.iter().all(|f| f.state() == FutureState::Pending));
    gate.open();
    pool.shutdown(true, false);
    assert_eq!(ran.load(Ordering::SeqCst), 100);
    for (i, f) in queued.iter().enumerate() {
        assert_eq!(f.result(None), Ok(i));
    }
    for b in blockers {
        assert_eq!(b.result(None), Ok("blocker"));
    }
}

#[test]
fn shutdown_while_tasks_are_queued_with_cancel_futures_cancels_every_one_not_started() {
    let pool = ThreadPool::new(2);
    let (gate, blockers) = occupy(&pool, 2);
    let ran = counter();
    let callbacks = counter();
    let queued: Vec<_> = (0..100)
        .map(|_| {
            let ran = ran.clone();
            let f = pool
                .submit(move || ran.fetch_add(1, Ordering::SeqCst))
                .unwrap();
            let callbacks = callbacks.clone();
            f.add_done_callback(move |f| {
                assert!(f.cancelled());
                callbacks.fetch_add(1, Ordering::SeqCst);
            });
            f
        })
        .collect();
    pool.shutdown(false, true);
    gate.open();
    pool.shutdown(true, false);
    assert_eq!(ran.load(Ordering::SeqCst), 0, "no queued task ran");
    for f in &queued {
        assert_eq!(f.result(None), Err(FutureError::Cancelled));
    }
    assert_eq!(callbacks.load(Ordering::SeqCst), 100);
    for b in blockers {
        assert_eq!(b.result(None), Ok("blocker"), "started tasks finish");
    }
}

#[test]
fn dropping_the_pool_waits_for_every_queued_task() {
    let ran = counter();
    let futures: Vec<_> = {
        let pool = ThreadPool::new(2);
        (0..1_000)
            .map(|_| {
                let ran = ran.clone();
                pool.submit(move || ran.fetch_add(1, Ordering::SeqCst))
                    .unwrap()
            })
            .collect()
    };
    assert_eq!(ran.load(Ordering::SeqCst), 1_000);
    assert!(futures.iter().all(|f| f.state() == FutureState::Succeeded));
}

#[test]
fn shutdown_with_wait_from_inside_a_task_does_not_deadlock() {
    let pool = Arc::new(ThreadPool::new(2));
    let inner = pool.clone();
    let future = pool
        .submit(move || {
            inner.shutdown(true, false);
            "returned"
        })
        .unwrap();
    assert_eq!(future.result(Some(PATIENCE)), Ok("returned"));
    assert_eq!(pool.submit(|| "late").unwrap_err(), SubmitError::Shutdown);
}

#[test]
fn a_task_can_submit_to_its_own_pool() {
    let pool = Arc::new(ThreadPool::new(1));
    let inner = pool.clone();
    let outer = pool.submit(move || inner.submit(|| 21).unwrap()).unwrap();
    let nested = outer.result(Some(PATIENCE)).unwrap();
    assert_eq!(nested.result(Some(PATIENCE)), Ok(21));
}

// ---------------------------------------------------------------- builder

#[test]
fn workers_are_named_after_the_prefix_and_run_the_initializer_once_each() {
    let inits = counter();
    let pool = {
        let inits = inits.clone();
        ThreadPoolBuilder::new(3)
            .thread_name_prefix("resizer")
            .initializer(move || {
                inits.fetch_add(1, Ordering::SeqCst);
            })
            .build()
            .unwrap()
    };
    assert_eq!(pool.max_workers(), 3);
    let (gate, started) = Gate::new();
    let names: Vec<_> = (0..3)
        .map(|_| {
            let gate = gate.clone();
            pool.submit(move || {
                gate.pass();
                std_thread::current().name().unwrap().to_owned()
            })
            .unwrap()
        })
        .collect();
    for _ in 0..3 {
        started.recv_timeout(PATIENCE).unwrap();
    }
    gate.open();
    let names: HashSet<String> = names.iter().map(|f| f.result(None).unwrap()).collect();
    let expected: HashSet<String> = (0..3).map(|i| format!("resizer_{i}")).collect();
    assert_eq!(names, expected);
    drop(pool);
    assert_eq!(inits.load(Ordering::SeqCst), 3);
}

#[test]
fn workers_start_on_demand_and_a_pool_given_no_task_starts_none() {
    let pool_with_inits = |inits: &Arc<AtomicUsize>| {
        let inits = inits.clone();
        ThreadPoolBuilder::new(3)
            .initializer(move || {
                inits.fetch_add(1, Ordering::SeqCst);
            })
            .build()
            .unwrap()
    };
    // Built and shut down without a task: no worker ever started, as with
    // Python's ThreadPoolExecutor.
    let inits = counter();
    let idle = pool_with_inits(&inits);
    idle.shutdown(true, false);
    assert_eq!(inits.load(Ordering::SeqCst), 0);
    // One task: the submit finds no idle worker and starts one, not three.
    let inits = counter();
    let pool = pool_with_inits(&inits);
    assert_eq!(pool.submit(|| 6 * 7).unwrap().result(None), Ok(42));
    pool.shutdown(true, false);
    assert_eq!(inits.load(Ordering::SeqCst), 1);
}

#[test]
fn the_default_names_are_threadpool_n() {
    let pool = ThreadPool::new(1);
    let name = pool
        .submit(|| std_thread::current().name().map(str::to_owned))
        .unwrap();
    assert_eq!(name.result(None), Ok(Some("ThreadPool_0".to_owned())));
}

#[test]
fn a_panicking_initializer_breaks_the_pool_with_a_message_naming_the_worker() {
    quiet_deliberate_panics();
    let pool = ThreadPoolBuilder::new(1)
        .thread_name_prefix("init")
        .initializer(|| panic!("{DELIBERATE} no database"))
        .build()
        .unwrap();
    let expected = format!("initializer of worker init_0 panicked: {DELIBERATE} no database");
    // A task submitted before the worker broke the pool fails with it; one
    // submitted after is refused.
    match pool.submit(|| 1) {
        Ok(future) => {
            assert_eq!(
                future.result(Some(PATIENCE)),
                Err(FutureError::BrokenPool(expected.clone()))
            );
        }
        Err(error) => assert_eq!(error, SubmitError::Broken(expected.clone())),
    }
    let start = Instant::now();
    loop {
        match pool.submit(|| 1) {
            Err(error) => {
                assert_eq!(error, SubmitError::Broken(expected.clone()));
                assert_eq!(
                    error.to_string(),
                    format!("schedule a task on a broken pool: {expected}")
                );
                break;
            }
            Ok(future) => assert_eq!(
                future.result(Some(PATIENCE)),
                Err(FutureError::BrokenPool(expected.clone()))
            ),
        }
        assert!(start.elapsed() < PATIENCE);
    }
    pool.shutdown(true, false);
}

#[test]
fn a_pool_needs_a_worker() {
    assert!(matches!(
        ThreadPoolBuilder::new(0).build(),
        Err(BuildError::ZeroWorkers)
    ));
    let payload = panic::catch_unwind(|| ThreadPool::new(0)).unwrap_err();
    let message = payload.downcast_ref::<String>().unwrap();
    assert!(
        message.contains("max_workers must be at least 1"),
        "{message}"
    );
}

// --------------------------------------------------------------- timeouts

#[test]
fn result_times_out_while_the_task_is_held_and_succeeds_later() {
    let pool = ThreadPool::new(1);
    let (gate, blockers) = occupy(&pool, 1);
    let queued = pool.submit(|| 8).unwrap();
    let start = Instant::now();
    assert_eq!(queued.result(Some(SHORT)), Err(FutureError::Timeout));
    assert!(start.elapsed() >= SHORT);
    assert_eq!(
        queued.result(Some(Duration::ZERO)),
        Err(FutureError::Timeout)
    );
    assert_eq!(queued.exception(Some(SHORT)), Some(FutureError::Timeout));
    assert_eq!(blockers[0].result(Some(SHORT)), Err(FutureError::Timeout));
    assert_eq!(
        queued.state(),
        FutureState::Pending,
        "a timeout changes nothing"
    );
    gate.open();
    assert_eq!(queued.result(Some(PATIENCE)), Ok(8));
    assert_eq!(blockers[0].result(Some(PATIENCE)), Ok("blocker"));
}

#[test]
fn a_zero_timeout_on_a_done_future_returns_its_value() {
    let pool = ThreadPool::new(1);
    let future = pool.submit(|| 4).unwrap();
    wait([&future], None, ReturnWhen::AllCompleted);
    assert_eq!(future.result(Some(Duration::ZERO)), Ok(4));
}

#[test]
fn map_yields_in_input_order_with_panics_in_place() {
    quiet_deliberate_panics();
    let pool = ThreadPool::new(2);
    let results: Vec<Result<u32, FutureError>> = pool
        .map(
            |x: u32| {
                if x == 3 {
                    panic!("{DELIBERATE} three");
                }
                x * 10
            },
            0..6,
            Some(PATIENCE),
        )
        .unwrap()
        .collect();
    assert_eq!(
        results,
        [
            Ok(0),
            Ok(10),
            Ok(20),
            Err(FutureError::Panicked(format!("{DELIBERATE} three"))),
            Ok(40),
            Ok(50)
        ]
    );
}

#[test]
fn map_over_a_hundred_thousand_items_keeps_order() {
    let pool = ThreadPool::new(2);
    let mut expected = 0u64;
    for (i, r) in pool
        .map(|x: u64| x + 1, 0..100_000, None)
        .unwrap()
        .enumerate()
    {
        expected += 1;
        assert_eq!(r, Ok(i as u64 + 1));
    }
    assert_eq!(expected, 100_000);
}

#[test]
fn map_times_out_then_cancels_the_rest_and_ends() {
    let pool = ThreadPool::new(1);
    let (gate, blockers) = occupy(&pool, 1);
    let ran = counter();
    let mut results = {
        let ran = ran.clone();
        pool.map(
            move |x: u32| {
                ran.fetch_add(1, Ordering::SeqCst);
                x
            },
            0..10,
            Some(SHORT),
        )
        .unwrap()
    };
    assert_eq!(results.next(), Some(Err(FutureError::Timeout)));
    assert_eq!(results.next(), None);
    gate.open();
    pool.shutdown(true, false);
    assert_eq!(ran.load(Ordering::SeqCst), 0, "the rest was cancelled");
    drop(blockers);
}

#[test]
fn dropping_map_results_cancels_the_items_not_started() {
    let pool = ThreadPool::new(1);
    let (gate, blockers) = occupy(&pool, 1);
    let ran = counter();
    let results = {
        let ran = ran.clone();
        pool.map(
            move |_: u32| ran.fetch_add(1, Ordering::SeqCst),
            0..10,
            None,
        )
        .unwrap()
    };
    drop(results);
    gate.open();
    pool.shutdown(true, false);
    assert_eq!(ran.load(Ordering::SeqCst), 0);
    drop(blockers);
}

// -------------------------------------------------------------------- wait

#[test]
fn wait_all_completed_returns_every_future_done_in_input_order() {
    let pool = ThreadPool::new(2);
    let futures: Vec<_> = (0..50).map(|i| pool.submit(move || i).unwrap()).collect();
    let outcome = wait(futures, Some(PATIENCE), ReturnWhen::AllCompleted);
    assert!(outcome.not_done.is_empty());
    let values: Vec<i32> = outcome
        .done
        .iter()
        .map(|f| f.result(None).unwrap())
        .collect();
    assert_eq!(values, (0..50).collect::<Vec<_>>());
}

#[test]
fn wait_first_completed_returns_when_one_is_done() {
    let pool = ThreadPool::new(2);
    let (gate, blockers) = occupy(&pool, 1);
    let quick = pool.submit(|| "quick").unwrap();
    let mut all: Vec<&Future<&str>> = blockers.iter().collect();
    all.push(&quick);
    let outcome = wait(all, Some(PATIENCE), ReturnWhen::FirstCompleted);
    assert_eq!(outcome.done.len(), 1);
    assert!(std::ptr::eq(outcome.done[0], &quick));
    assert_eq!(outcome.not_done.len(), 1);
    gate.open();
}

#[test]
fn wait_first_exception_returns_on_a_failure_not_on_a_cancel() {
    quiet_deliberate_panics();
    let pool = ThreadPool::new(2);
    let (gate, blockers) = occupy(&pool, 1);
    let cancelled = pool.submit(|| 0).unwrap();
    // The second worker is free: the queued task would run unless cancelled
    // first. Cancel it only if it has not started (correct either way).
    cancelled.cancel();
    let failing = pool
        .submit(|| -> &str { panic!("{DELIBERATE} fail fast") })
        .unwrap();
    let outcome = wait(
        [&blockers[0], &failing],
        Some(PATIENCE),
        ReturnWhen::FirstException,
    );
    assert_eq!(outcome.done.len(), 1);
    assert!(std::ptr::eq(outcome.done[0], &failing));
    assert!(std::ptr::eq(outcome.not_done[0], &blockers[0]));
    // With no failure it waits for all.
    let outcome = wait([&cancelled], Some(PATIENCE), ReturnWhen::FirstException);
    assert_eq!(outcome.done.len(), 1);
    gate.open();
}

#[test]
fn wait_times_out_and_reports_what_is_not_done() {
    let pool = ThreadPool::new(1);
    let (gate, blockers) = occupy(&pool, 1);
    let queued = pool.submit(|| 1).unwrap();
    let done = ThreadPool::new(1).submit(|| 2).unwrap();
    assert_eq!(done.result(Some(PATIENCE)), Ok(2));
    let start = Instant::now();
    let outcome = wait([&queued, &done], Some(SHORT), ReturnWhen::AllCompleted);
    assert!(start.elapsed() >= SHORT);
    assert_eq!(outcome.done.len(), 1);
    assert!(std::ptr::eq(outcome.done[0], &done));
    assert!(std::ptr::eq(outcome.not_done[0], &queued));
    // An empty list and a zero timeout return at once.
    let empty: Vec<Future<u8>> = Vec::new();
    let outcome = wait(empty, None, ReturnWhen::FirstCompleted);
    assert!(outcome.done.is_empty() && outcome.not_done.is_empty());
    let outcome = wait([&queued], Some(Duration::ZERO), ReturnWhen::AllCompleted);
    assert_eq!(outcome.not_done.len(), 1);
    gate.open();
    let outcome = wait([&queued], Some(PATIENCE), ReturnWhen::AllCompleted);
    assert_eq!(outcome.done.len(), 1);
    drop(blockers);
}

// ------------------------------------------------------------ as_completed

#[test]
fn as_completed_yields_done_ones_first_then_in_completion_order() {
    let pool = ThreadPool::new(1);
    let already = pool.submit(|| "already").unwrap();
    assert_eq!(already.exception(Some(PATIENCE)), None);
    let (gate, blockers) = occupy(&pool, 1);
    let later = pool.submit(|| "later").unwrap();
    let mut all = vec![later];
    all.extend(blockers);
    all.push(already);
    let mut order = Vec::new();
    let mut iter = as_completed(all, Some(PATIENCE));
    let first = iter.next().unwrap().unwrap();
    order.push(first.result(None).unwrap());
    gate.open();
    for f in iter {
        order.push(f.unwrap().result(None).unwrap());
    }
    // One worker: the blocker finishes before the task queued behind it.
    assert_eq!(order, ["already", "blocker", "later"]);
}

#[test]
fn as_completed_times_out_with_the_count_and_gives_back_the_rest() {
    let pool = ThreadPool::new(1);
    let (gate, blockers) = occupy(&pool, 1);
    let queued: Vec<_> = (0..3).map(|i| pool.submit(move || i).unwrap()).collect();
    let done = ThreadPool::new(1).submit(|| 9).unwrap();
    assert_eq!(done.result(Some(PATIENCE)), Ok(9));
    let mut all = queued;
    all.push(done);
    let mut iter = as_completed(all, Some(SHORT));
    let first = iter.next().unwrap().unwrap();
    assert!(first.done());
    assert_eq!(
        iter.next().map(|r| r.err()),
        Some(Some(AsCompletedTimeout {
            unfinished: 3,
            total: 4
        }))
    );
    assert!(iter.next().is_none());
    let rest = iter.into_remaining();
    assert_eq!(rest.len(), 3);
    assert_eq!(
        AsCompletedTimeout {
            unfinished: 3,
            total: 4
        }
        .to_string(),
        "3 (of 4) futures unfinished"
    );
    gate.open();
    let values: Vec<i32> = rest
        .iter()
        .map(|f| f.result(Some(PATIENCE)).unwrap())
        .collect();
    assert_eq!(values, [0, 1, 2]);
    drop(blockers);
}

#[test]
fn as_completed_over_many_futures_yields_each_exactly_once() {
    let pool = ThreadPool::new(2);
    let futures: Vec<_> = (0..10_000)
        .map(|i| pool.submit(move || i).unwrap())
        .collect();
    let mut seen: Vec<u32> = as_completed(&futures, None)
        .map(|f| f.unwrap().result(None).unwrap())
        .collect();
    seen.sort_unstable();
    assert_eq!(seen, (0..10_000).collect::<Vec<_>>());
}

// ------------------------------------------------------------------ bounds

#[test]
fn futures_and_pools_are_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Future<String>>();
    send_sync::<Future<Vec<u8>>>();
    send_sync::<ThreadPool>();
    send_sync::<FutureError>();
    send_sync::<SubmitError>();
}

#[test]
fn errors_read_as_fragments() {
    assert_eq!(FutureError::Cancelled.to_string(), "cancelled");
    assert_eq!(FutureError::Timeout.to_string(), "timed out");
    assert_eq!(
        FutureError::Panicked("x".into()).to_string(),
        "task panicked: x"
    );
    assert_eq!(
        FutureError::BrokenPool("worker w died".into()).to_string(),
        "pool broken: worker w died"
    );
    assert_eq!(
        SubmitError::Shutdown.to_string(),
        "schedule a task after shutdown"
    );
}

// ------------------------------------------------- no head-of-line blocking

#[test]
fn fast_tasks_queued_behind_a_slow_one_run_on_the_other_worker() {
    let pool = ThreadPool::new(2);
    // Both workers busy, so the whole queue is there when they look.
    let (blockers_gate, blockers) = occupy(&pool, 2);
    let (slow_gate, slow_started) = Gate::new();
    let slow = {
        let gate = slow_gate.clone();
        pool.submit(move || {
            gate.pass();
            "slow"
        })
        .unwrap()
    };
    let fast: Vec<_> = (0..200u64)
        .map(|i| pool.submit(move || i).unwrap())
        .collect();
    blockers_gate.open();
    slow_started
        .recv_timeout(PATIENCE)
        .expect("the slow task started");
    // The slow task holds one worker until the gate opens; the other
    // worker must run every fast task meanwhile.
    let outcome = wait(
        &fast,
        Some(Duration::from_secs(10)),
        ReturnWhen::AllCompleted,
    );
    let stuck = outcome.not_done.len();
    slow_gate.open();
    assert_eq!(stuck, 0, "{stuck} fast tasks waited for the slow one");
    let sum: u64 = fast.iter().map(|f| f.result(None).unwrap()).sum();
    assert_eq!(sum, (0..200).sum());
    assert_eq!(slow.result(Some(PATIENCE)), Ok("slow"));
    for b in blockers {
        assert_eq!(b.result(Some(PATIENCE)), Ok("blocker"));
    }
}

#[test]
fn two_tasks_that_wait_for_each_other_meet_on_a_two_worker_pool() {
    // Each pair of tasks is a rendezvous over two channels: each sends,
    // then waits for the other's message. Python's one-task-at-a-time
    // workers run a pair side by side. The waits end at one deadline, so a
    // pair that can never meet fails the test instead of hanging it.
    let pool = ThreadPool::new(2);
    let (blockers_gate, blockers) = occupy(&pool, 2);
    let give_up = Instant::now() + Duration::from_secs(5);
    let mut futures = Vec::new();
    for pair in 0..8 {
        let (to_b, from_a) = mpsc::channel::<usize>();
        let (to_a, from_b) = mpsc::channel::<usize>();
        for (tx, rx) in [(to_b, from_b), (to_a, from_a)] {
            futures.push(
                pool.submit(move || {
                    let _ = tx.send(pair); // the partner may have given up
                    let left = give_up.saturating_duration_since(Instant::now());
                    rx.recv_timeout(left).is_ok()
                })
                .unwrap(),
            );
        }
    }
    blockers_gate.open();
    let met = futures
        .iter()
        .filter(|f| f.result(Some(PATIENCE)) == Ok(true))
        .count();
    assert_eq!(met, 16, "only {met} of 16 tasks met their partner");
    for b in blockers {
        assert_eq!(b.result(Some(PATIENCE)), Ok("blocker"));
    }
}

// ------------------------------------------------------ map options, trait

#[test]
fn a_buffered_map_reads_its_input_lazily_and_keeps_at_most_buffersize_ahead() {
    let pool = ThreadPool::new(2);
    let pulled = counter();
    let p = Arc::clone(&pulled);
    let endless = (0u64..).inspect(move |_| {
        p.fetch_add(1, Ordering::SeqCst);
    });
    let mut results = pool
        .map(|x: u64| x * 2, endless, MapOptions::new().buffersize(3))
        .unwrap();
    assert_eq!(pulled.load(Ordering::SeqCst), 3, "three submitted up front");
    for i in 0..10u64 {
        assert_eq!(results.next(), Some(Ok(i * 2)));
        // Each step submits one more item, then waits for the oldest.
        assert_eq!(pulled.load(Ordering::SeqCst), 3 + i as usize + 1);
    }
    drop(results);
    assert_eq!(
        pulled.load(Ordering::SeqCst),
        13,
        "nothing read after the drop"
    );
}

#[test]
fn a_buffered_map_over_a_finite_input_yields_every_item_in_order() {
    let pool = ThreadPool::new(2);
    let all: Vec<u64> = pool
        .map(
            |x: u64| x + 1,
            0..1000,
            MapOptions::new().buffersize(7).chunksize(5),
        )
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(all, (1..=1000).collect::<Vec<_>>());
}

#[test]
fn a_buffered_map_whose_pool_shuts_down_ends_with_an_error_that_says_so() {
    let pool = ThreadPool::new(1);
    let mut results = pool
        .map(|x: u64| x, 0..10, MapOptions::new().buffersize(2))
        .unwrap();
    pool.shutdown(true, false);
    assert_eq!(results.next(), Some(Ok(0)));
    assert_eq!(results.next(), Some(Ok(1)));
    match results.next() {
        Some(Err(FutureError::Failed(message))) => {
            assert_eq!(
                message,
                "map stopped: failed to schedule a task after shutdown"
            )
        }
        other => panic!("expected the refused submit, got {other:?}"),
    }
    assert_eq!(results.next(), None);
}

#[test]
#[should_panic(expected = "buffersize must be at least 1")]
fn a_zero_buffersize_is_refused() {
    let pool = ThreadPool::new(1);
    let _ = pool.map(|x: u64| x, 0..3, MapOptions::new().buffersize(0));
}

#[test]
fn code_generic_over_executor_runs_on_a_thread_pool() {
    fn sum_of_squares<E, F>(pool: &E, square: F) -> u64
    where
        E: Executor<F, u64, Output = u64>,
        F: Clone,
    {
        let first = pool.submit(square.clone(), 10).unwrap();
        let rest: u64 = pool
            .map(square, 1..=3, MapOptions::new())
            .unwrap()
            .map(Result::unwrap)
            .sum();
        pool.shutdown(true, false);
        first.result(None).unwrap() + rest
    }
    assert_eq!(sum_of_squares(&ThreadPool::new(2), |x: u64| x * x), 114);
}

// ------------------------------------------------------- Future::pending

#[test]
fn a_pending_future_is_completed_by_its_promise_from_another_thread() {
    let (future, promise) = Future::<String>::pending();
    let calls = counter();
    let c = Arc::clone(&calls);
    future.add_done_callback(move |f| {
        assert!(f.done());
        c.fetch_add(1, Ordering::SeqCst);
    });
    assert_eq!(future.state(), FutureState::Pending);
    assert_eq!(future.result(Some(SHORT)), Err(FutureError::Timeout));
    let t = std_thread::spawn(move || {
        assert!(promise.set_running());
        promise.set_result("bridged".to_string());
    });
    assert_eq!(future.result(Some(PATIENCE)).as_deref(), Ok("bridged"));
    t.join().unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[test]
fn a_dropped_promise_fails_its_waiter_with_abandoned_never_a_hang() {
    let (future, promise) = Future::<u32>::pending();
    let future = Arc::new(future);
    let f = Arc::clone(&future);
    let waiter = std_thread::spawn(move || f.result(Some(PATIENCE)));
    std_thread::sleep(SHORT);
    drop(promise);
    let got = waiter.join().unwrap();
    assert_eq!(got, Err(FutureError::Abandoned));
    assert_eq!(
        FutureError::Abandoned.to_string(),
        "promise dropped before it completed the future"
    );
    assert_eq!(future.state(), FutureState::Failed);
}

#[test]
fn a_pending_future_cancelled_before_set_running_tells_the_promise() {
    let (future, promise) = Future::<u32>::pending();
    assert!(future.cancel());
    assert!(!promise.set_running(), "the work must not start");
    promise.set_result(1); // ignored: the future is cancelled
    assert_eq!(future.result(None), Err(FutureError::Cancelled));

    let (future, promise) = Future::<u32>::pending();
    promise.set_error(FutureError::Failed("no route to host".into()));
    assert_eq!(
        future.result(None),
        Err(FutureError::Failed("no route to host".into()))
    );
}

#[test]
fn pending_futures_work_with_wait_and_as_completed() {
    let (a, pa) = Future::<u32>::pending();
    let (b, pb) = Future::<u32>::pending();
    let futures = [a, b];
    let first = wait(&futures, Some(SHORT), ReturnWhen::FirstCompleted);
    assert_eq!(first.done.len(), 0);
    pb.set_result(2);
    let order: Vec<u32> = {
        let t = std_thread::spawn(move || {
            std_thread::sleep(SHORT);
            pa.set_result(1);
        });
        let order = as_completed(&futures, Some(PATIENCE))
            .map(|f| f.unwrap().result(None).unwrap())
            .collect();
        t.join().unwrap();
        order
    };
    assert_eq!(order, [2, 1]);
}

#[test]
fn the_default_pool_size_is_pythons_min_32_cpus_plus_4() {
    let cpus = std_thread::available_parallelism().map_or(1, |n| n.get());
    let expected = (cpus + 4).min(32);
    assert_eq!(weft_patterns::executor::default_max_workers(), expected);
    let pool = ThreadPool::with_default_workers();
    assert_eq!(pool.max_workers(), expected);
    assert_eq!(pool.submit(|| 5).unwrap().result(Some(PATIENCE)), Ok(5));
}
