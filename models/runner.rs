//! The runner itself: bad models get one clear failure and the test binary
//! goes on.

#[cfg(any(feature = "loom", feature = "shuttle"))]
use weft::sync::atomic::{AtomicBool, Ordering};
use weft::sync::{Arc, Mutex};
use weft::thread;
use weft::time::Duration;

#[cfg(any(feature = "loom", feature = "shuttle"))]
fn abba() {
    let a = Arc::new(Mutex::new(()).named("a"));
    let b = Arc::new(Mutex::new(()).named("b"));
    let (a2, b2) = (a.clone(), b.clone());
    let t = thread::spawn(move || {
        let _x = a2.lock().unwrap();
        let _y = b2.lock().unwrap();
    });
    {
        let _y = b.lock().unwrap();
        let _x = a.lock().unwrap();
    }
    t.join().unwrap();
}

/// loom by itself aborts the whole test binary on a deadlock; weft returns
/// the failure and the next model in the same binary still runs.
#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn a_deadlock_does_not_take_the_test_binary_down() {
    for _ in 0..3 {
        let failure = weft::Model::new()
            .name("abba_again")
            .expect_failure(weft::FailureKind::Deadlock)
            .check(abba)
            .into_caught()
            .expect("the declared failure");
        assert_eq!(failure.kind(), weft::FailureKind::Deadlock, "{failure}");
    }
    let stats = weft::Model::new()
        .name("after_the_deadlock")
        .explore(|| {
            let m = Arc::new(Mutex::new(1).named("m"));
            let m2 = m.clone();
            thread::spawn(move || *m2.lock().unwrap() += 1)
                .join()
                .unwrap();
            assert_eq!(*m.lock().unwrap(), 2);
        })
        .expect("a correct model passes after a deadlocking one");
    assert!(stats.executions() >= 1);
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn a_panic_in_a_spawned_thread_is_that_threads_failure() {
    let failure = weft::Model::new()
        .name("worker_panics")
        .expect_failure(weft::FailureKind::Assertion)
        .check(|| {
            let t = thread::Builder::new()
                .name("worker")
                .spawn(|| panic!("worker gave up"))
                .unwrap();
            let _ = t.join();
        })
        .into_caught()
        .expect("the declared failure");
    assert_eq!(failure.kind(), weft::FailureKind::Assertion);
    assert_eq!(failure.thread_name().as_deref(), Some("worker"));
    assert_eq!(failure.message(), "worker gave up");
    assert!(failure
        .location()
        .is_some_and(|l| l.file.ends_with("models/runner.rs")));
}

#[cfg(feature = "loom")]
#[test]
fn too_many_threads_for_loom_says_so_and_suggests_shuttle() {
    let failure = weft::Model::new()
        .name("five_workers")
        .expect_failure(weft::FailureKind::Unsupported)
        .check(|| {
            let hs: Vec<_> = (0..5).map(|_| thread::spawn(|| {})).collect();
            for h in hs {
                h.join().unwrap();
            }
        })
        .into_caught()
        .expect("the declared failure");
    assert_eq!(failure.kind(), weft::FailureKind::Unsupported);
    assert!(
        failure.message().contains("at most 4 threads besides main"),
        "{failure}"
    );
    assert!(
        failure.message().contains("--features shuttle"),
        "{failure}"
    );
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn a_spinning_livelock_hits_the_step_limit() {
    let failure = weft::Model::new()
        .name("spin_forever")
        .max_steps(500)
        .expect_failure(weft::FailureKind::StepLimit)
        .check(|| {
            let flag = Arc::new(AtomicBool::new(false).named("never_set"));
            let f2 = flag.clone();
            let t = thread::Builder::new()
                .name("spinner")
                .spawn(move || {
                    while !f2.load(Ordering::SeqCst) {
                        thread::yield_now();
                    }
                })
                .unwrap();
            t.join().unwrap();
        })
        .into_caught()
        .expect("the declared failure");
    assert_eq!(failure.kind(), weft::FailureKind::StepLimit, "{failure}");
    assert_eq!(failure.thread_name().as_deref(), Some("spinner"));
    assert!(
        failure.message().contains("more than 500 steps"),
        "{failure}"
    );
}

/// With every default, an endless spin loop is a step limit naming the
/// spinner on every checker. On loom, loom's own bound (1,000 branches)
/// ends it at once; weft once raised that bound to 200,000, which made
/// this test take a second in a debug build, and was reported to overflow
/// loom's version vector ("attempt to add with overflow" in loom's
/// `rt/vv.rs`) on longer loops.
#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn an_endless_spin_with_default_settings_is_a_step_limit() {
    let failure = weft::Model::new()
        .name("spin_forever_defaults")
        .expect_failure(weft::FailureKind::StepLimit)
        .check(|| {
            let flag = Arc::new(AtomicBool::new(false).named("never_set"));
            let f2 = flag.clone();
            let t = thread::Builder::new()
                .name("spinner")
                .spawn(move || {
                    while !f2.load(Ordering::SeqCst) {
                        weft::hint::spin_loop();
                    }
                })
                .unwrap();
            t.join().unwrap();
        })
        .into_caught()
        .expect("the declared failure");
    assert_eq!(failure.kind(), weft::FailureKind::StepLimit, "{failure}");
    assert_eq!(
        failure.thread_name().as_deref(),
        Some("spinner"),
        "{failure}"
    );
    assert_eq!(failure.looping_threads(), ["spinner"], "{failure}");
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn a_thread_still_running_when_main_returns_is_leaked() {
    let failure = weft::Model::new()
        .name("forgot_to_join")
        .expect_failure(weft::FailureKind::LeakedThread)
        .check(|| {
            let m = Arc::new(Mutex::new(0).named("m"));
            thread::Builder::new()
                .name("detached")
                .spawn(move || *m.lock().unwrap() += 1)
                .unwrap();
        })
        .into_caught()
        .expect("the declared failure");
    assert_eq!(failure.kind(), weft::FailureKind::LeakedThread, "{failure}");
    assert_eq!(failure.thread_name().as_deref(), Some("detached"));
    assert!(failure.message().contains("was still running"), "{failure}");
}

#[test]
fn the_time_budget_stops_the_exploration_promptly_and_says_not_exhaustive() {
    let started = std::time::Instant::now();
    let stats = weft::Model::new()
        .name("budgeted")
        .iterations(100_000_000)
        .time_budget(std::time::Duration::from_millis(300))
        .explore(|| {
            let n = Arc::new(Mutex::new(0u32).named("n"));
            let hs: Vec<_> = (0..3)
                .map(|_| {
                    let n = n.clone();
                    thread::spawn(move || {
                        for _ in 0..3 {
                            *n.lock().unwrap() += 1;
                        }
                    })
                })
                .collect();
            for h in hs {
                h.join().unwrap();
            }
        })
        .unwrap();
    assert!(!stats.is_exhaustive(), "{stats}");
    assert!(stats.to_string().contains("not exhaustive"), "{stats}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "the budget was not honoured: {:?}",
        started.elapsed()
    );
    let _ = Duration::from_millis(1);
}

/// The user's own `tracing` events appear among the steps, in place, under
/// the thread that logged them.
#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn tracing_events_appear_in_the_steps_under_their_thread() {
    let failure = weft::Model::new()
        .name("traced")
        .expect_failure(weft::FailureKind::Assertion)
        .check(|| {
            let m = Arc::new(Mutex::new(0).named("m"));
            let m2 = m.clone();
            let t = thread::Builder::new()
                .name("logger")
                .spawn(move || {
                    tracing::info!(value = 7, "about to lock");
                    *m2.lock().unwrap() += 1;
                })
                .unwrap();
            t.join().unwrap();
            panic!("stop here");
        })
        .into_caught()
        .expect("the declared failure");
    let log = failure.log();
    let (i, event) = failure
        .steps()
        .iter()
        .enumerate()
        .find(|(_, e)| matches!(&e.op, weft::record::Op::Trace(m) if m.contains("about to lock")))
        .expect("the tracing event is a step");
    assert_eq!(log.thread_name(event.thread), "logger");
    assert!(matches!(&event.op, weft::record::Op::Trace(m) if m == "INFO about to lock value=7"));
    let next = &failure.steps()[i + 1];
    assert!(
        matches!(next.op, weft::record::Op::Lock),
        "the lock follows the event"
    );
    assert!(failure
        .to_string()
        .contains("trace: INFO about to lock value=7"));
}

/// One callsite, logged first in a search that passes and then in a
/// failing execution: `tracing` caches whether a callsite is enabled the
/// first time it is hit, for every thread, and the search runs without
/// weft's recorder; the event must still be recorded in the failure.
#[cfg(feature = "shuttle")]
fn log_a_step(step: usize) {
    tracing::info!(step, "logged");
}

#[cfg(feature = "shuttle")]
#[test]
fn an_event_first_logged_in_a_passing_search_is_in_a_later_failure() {
    // A failure first, whose replay brings weft's recorder into being
    // (the state every later model of a test binary runs in).
    weft::Model::new()
        .name("fails_first")
        .scheduler(weft::Scheduler::Dpor)
        .explore(|| panic!("first"))
        .expect_err("the panic is caught");
    weft::Model::new()
        .name("logs_and_passes")
        .scheduler(weft::Scheduler::Dpor)
        .check(|| {
            let h = thread::spawn(|| log_a_step(1));
            log_a_step(0);
            h.join().unwrap();
        });
    let failure = weft::Model::new()
        .name("logs_and_fails")
        .scheduler(weft::Scheduler::Dpor)
        .explore(|| {
            log_a_step(2);
            panic!("after the event");
        })
        .expect_err("the panic is caught");
    assert!(
        failure
            .steps()
            .iter()
            .any(|e| matches!(&e.op, weft::record::Op::Trace(m) if m == "INFO logged step=2")),
        "{failure}"
    );
}

/// No lock is held by two threads at the end of a report, by the steps or
/// by the thread states.
#[cfg(any(feature = "loom", feature = "shuttle"))]
fn assert_no_lock_held_twice(failure: &weft::Failure) {
    let mut held: Vec<usize> = failure
        .threads()
        .iter()
        .flat_map(|t| t.holds.iter().map(|h| h.object))
        .collect();
    let n = held.len();
    held.sort_unstable();
    held.dedup();
    assert_eq!(held.len(), n, "a lock held twice:\n{failure}");
}

/// A report's interleaving ends at the failing step: nothing the engine
/// did while tearing the execution down (unwinding, dropping guards) is
/// shown, and the thread states are those at the failure.
#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn a_deadlock_report_ends_at_the_last_step_before_the_deadlock() {
    let failure = weft::Model::new()
        .name("abba_ends")
        .expect_failure(weft::FailureKind::Deadlock)
        .check(abba)
        .into_caught()
        .expect("the declared failure");
    assert_eq!(failure.kind(), weft::FailureKind::Deadlock, "{failure}");
    let last = failure.steps().last().expect("steps");
    assert!(
        matches!(last.op, weft::record::Op::Lock),
        "the last step is the last lock taken before the cycle closed, not {:?}:\n{failure}",
        last.op
    );
    assert!(
        !failure
            .steps()
            .iter()
            .any(|e| matches!(e.op, weft::record::Op::Unlock)),
        "no lock was released before the deadlock:\n{failure}"
    );
    assert_no_lock_held_twice(&failure);
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn an_assertion_report_ends_at_the_failing_threads_last_step() {
    let failure = weft::Model::new()
        .name("panics_holding_a_lock")
        .expect_failure(weft::FailureKind::Assertion)
        .check(|| {
            let m = Arc::new(Mutex::new(0).named("m"));
            let m2 = m.clone();
            let t = thread::Builder::new()
                .name("worker")
                .spawn(move || {
                    let mut g = m2.lock().unwrap();
                    *g += 1;
                    assert_eq!(*g, 2, "worker checks the count");
                })
                .unwrap();
            *m.lock().unwrap() += 1;
            t.join().unwrap();
        })
        .into_caught()
        .expect("the declared failure");
    assert_eq!(failure.kind(), weft::FailureKind::Assertion, "{failure}");
    assert_eq!(
        failure.thread_name().as_deref(),
        Some("worker"),
        "{failure}"
    );
    let last = failure.steps().last().expect("steps");
    assert_eq!(
        failure.log().thread_name(last.thread),
        "worker",
        "{failure}"
    );
    assert!(
        matches!(last.op, weft::record::Op::Lock),
        "the last step is the worker's lock, not its unwinding: {:?}\n{failure}",
        last.op
    );
    let worker = failure
        .threads()
        .iter()
        .find(|t| t.name == "worker")
        .expect("worker");
    assert_eq!(
        worker.holds.len(),
        1,
        "worker held `m` when it failed:\n{failure}"
    );
    assert_no_lock_held_twice(&failure);
}

/// PCT varies the choices between runnable threads: a model that never
/// has two has one schedule, explored once (shuttle's PCT asserted that
/// the model "did not exercise any concurrency" on its second execution).
#[cfg(feature = "shuttle")]
#[test]
fn pct_on_a_model_without_concurrency_explores_its_one_schedule() {
    let stats = weft::Model::new()
        .name("no_concurrency")
        .scheduler(weft::Scheduler::Pct { depth: 2 })
        .iterations(10)
        .check(|| {
            let n = Arc::new(Mutex::new(1).named("alone"));
            *n.lock().unwrap() += 1;
        });
    assert_eq!(stats.executions(), 1, "{stats}");
}
