//! Exact replay: a failure's trace file reruns exactly the failing schedule
//! (same steps, step for step), and a schedule that no longer fits the
//! program is refused with where it diverged.

#![cfg(any(feature = "loom", feature = "shuttle"))]

use weft::sync::atomic::{AtomicUsize, Ordering};
use weft::sync::{Arc, Mutex};
use weft::thread;

fn lost_update(extra_lock: bool) {
    let n = Arc::new(AtomicUsize::new(0).named("hits"));
    let gate = Arc::new(Mutex::new(()).named("gate"));
    let hs: Vec<_> = (0..2)
        .map(|i| {
            let (n, gate) = (n.clone(), gate.clone());
            thread::Builder::new()
                .name(format!("worker-{i}"))
                .spawn(move || {
                    if extra_lock {
                        drop(gate.lock().unwrap());
                    }
                    let v = n.load(Ordering::SeqCst);
                    n.store(v + 1, Ordering::SeqCst);
                })
                .unwrap()
        })
        .collect();
    for h in hs {
        h.join().unwrap();
    }
    assert_eq!(n.load(Ordering::SeqCst), 2, "an increment was lost");
}

fn step_keys(f: &weft::Failure) -> Vec<String> {
    f.steps()
        .iter()
        .map(|e| {
            format!(
                "{} {} {:?} {} {:?}",
                e.step, e.thread, e.op, e.location, e.object
            )
        })
        .collect()
}

/// Runs `body` as model `name`, which must fail with an assertion: the
/// failure, its trace written.
fn found(name: &str, body: impl Fn() + Send + Sync + 'static) -> weft::Failure {
    weft::Model::new()
        .name(name)
        .expect_failure(weft::FailureKind::Assertion)
        .check(body)
        .into_caught()
        .expect("the declared failure")
}

/// Replays `trace` as model `name` running `body`, which must fail as
/// `kind`: the failure.
fn replayed(
    name: &str,
    trace: &std::path::Path,
    kind: weft::FailureKind,
    body: impl Fn() + Send + Sync + 'static,
) -> weft::Failure {
    weft::Model::new()
        .name(name)
        .replay(trace)
        .expect_failure(kind)
        .check(body)
        .into_caught()
        .expect("the declared failure")
}

#[test]
fn a_replay_reproduces_the_failure_step_for_step() {
    let found = found("replay_round_trip", || lost_update(false));
    let trace = found
        .trace_path()
        .expect("a trace file was written")
        .to_path_buf();
    let file = trace.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        file.starts_with("replay_round_trip-") && file.ends_with(".json"),
        "{}",
        trace.display()
    );
    let report = found.to_string();
    assert!(report.contains("WEFT_REPLAY="), "{report}");

    for _ in 0..3 {
        let again = replayed("replay_round_trip", &trace, found.kind(), || {
            lost_update(false)
        });
        assert_eq!(again.kind(), found.kind());
        assert_eq!(again.message(), found.message());
        assert_eq!(again.thread_name(), found.thread_name());
        assert_eq!(step_keys(&again), step_keys(&found));
    }
}

#[test]
fn a_replay_of_a_changed_program_says_where_it_diverged() {
    let found = found("replay_diverges", || lost_update(false));
    let trace = found.trace_path().expect("a trace file").to_path_buf();
    let diverged = replayed(
        "replay_diverges",
        &trace,
        weft::FailureKind::ReplayDiverged,
        || lost_update(true),
    );
    assert_eq!(
        diverged.kind(),
        weft::FailureKind::ReplayDiverged,
        "{diverged}"
    );
    assert!(
        diverged.message().contains("the schedule diverged at step"),
        "{diverged}"
    );
    // The trace no longer fits: the report offers a new search, not the
    // replay that just diverged.
    let report = diverged.to_string();
    assert!(
        report.contains(&format!(
            "Trace replayed (recorded before the program changed): {}",
            trace.display()
        )),
        "{report}"
    );
    assert!(
        report.contains("Search again, which records a new trace: cargo test --features"),
        "{report}"
    );
    assert!(!report.contains("Replay exactly this schedule"), "{report}");
    assert!(!report.contains("Found in execution"), "{report}");
}

#[test]
#[should_panic(expected = "replay_other_model")]
fn a_trace_of_another_model_is_refused() {
    let found = found("replay_other_model", || lost_update(false));
    let trace = found.trace_path().expect("a trace file").to_path_buf();
    let _ = weft::Model::new()
        .name("not_the_same_model")
        .replay(&trace)
        .explore(|| lost_update(false));
}

/// The replay line names the test exactly (`-- --exact` and its full
/// path), so that replaying runs that test and no other whose name
/// contains it.
#[test]
fn the_replay_line_names_the_test_exactly() {
    let found = found("replay_exact", || lost_update(false));
    let report = found.to_string();
    let feature = weft::Backend::current().feature().unwrap();
    assert!(
        report.contains(&format!(
            " cargo test --features {feature} -- --exact replay::the_replay_line_names_the_test_exactly\n"
        )),
        "{report}"
    );
}

/// Several models in one test get distinct names (a later one `#2`, ...),
/// so each has its own trace and replaying a later model's trace replays
/// that model, while the test's other models explore as usual.
#[test]
fn a_later_model_of_a_test_has_its_own_name_and_replays() {
    let first = found("twice", || lost_update(false));
    let second = found("twice", || lost_update(false));
    assert_eq!(first.model_name(), "twice");
    assert_eq!(second.model_name(), "twice#2");
    let (a, b) = (first.trace_path().unwrap(), second.trace_path().unwrap());
    assert_ne!(a, b);
    assert!(a.is_file() && b.is_file());
    // The second model's trace replays under the second model's name
    // (with WEFT_REPLAY, the test's first model explores as usual).
    let again = replayed("twice#2", b, weft::FailureKind::Assertion, || {
        lost_update(false)
    });
    assert_eq!(step_keys(&again), step_keys(&second), "{again}");
}

/// Two tests in different modules whose models have one name write two
/// trace files: a file name carries a hash of the test's path.
#[test]
fn models_of_one_name_in_two_tests_do_not_share_a_trace_file() {
    let in_test = |test: &str| {
        std::thread::Builder::new()
            .name(test.to_string())
            .spawn(|| {
                found("same_name", || lost_update(false))
                    .trace_path()
                    .unwrap()
                    .to_path_buf()
            })
            .unwrap()
            .join()
            .unwrap()
    };
    let a = in_test("module_a::a_test");
    let b = in_test("module_b::a_test");
    assert_ne!(a, b);
    assert!(a.is_file() && b.is_file());
    let name = a.file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.starts_with("same_name-"), "{name}");
    // No test of this binary is named like those threads: leave no traces
    // for `cargo weft check` to find unclaimed.
    std::fs::remove_file(a).unwrap();
    std::fs::remove_file(b).unwrap();
}

/// A model whose only thread makes a choice and fails on one value: its
/// trace replays the choice, and the failure, and shows the choice as a
/// step. (The replay once asked for a scheduling decision after the
/// panic that the search had not recorded, and called the program
/// changed.)
#[cfg(feature = "shuttle")]
#[test]
fn a_lone_threads_choice_replays_and_shows_in_the_report() {
    let body = || {
        let v = weft::rand::choose(5);
        assert_ne!(v, 3, "chose 3");
    };
    let found = found("replay_lone_choice", body);
    let report = found.to_string();
    assert!(
        report.contains("choose(5) = 3  at models/replay.rs:"),
        "{report}"
    );
    let trace = found.trace_path().expect("a trace file").to_path_buf();
    let again = replayed(
        "replay_lone_choice",
        &trace,
        weft::FailureKind::Assertion,
        body,
    );
    assert_eq!(again.executions(), 1, "{again}");
    assert!(again.message().contains("chose 3"), "{again}");
    // The report says it replayed, not that a search found it.
    let report = again.to_string();
    assert!(
        report.contains("Reproduced in 1 execution by replaying its trace (weft's DPOR search)."),
        "{report}"
    );
    assert!(!report.contains("Found in execution"), "{report}");
    assert_eq!(step_keys(&again), step_keys(&found));
}

/// Two threads' choices: a trace replays them whatever scheduler found
/// it and whatever the replaying model's own (weft's DPOR records a
/// choice as its value, shuttle's schedulers as a random number; the
/// replay reads it as the trace's search wrote it).
#[cfg(feature = "shuttle")]
#[test]
fn choices_replay_across_schedulers() {
    use weft::Scheduler;
    fn body() {
        let x = Arc::new(AtomicUsize::new(0).named("x"));
        let x2 = x.clone();
        let h = thread::spawn(move || {
            let v = weft::rand::choose(3);
            x2.fetch_add(v, Ordering::SeqCst);
        });
        let w = weft::rand::choose(2);
        x.fetch_add(w * 10, Ordering::SeqCst);
        h.join().unwrap();
        assert_ne!(x.load(Ordering::SeqCst), 12, "12");
    }
    let schedulers = [None, Some(Scheduler::Random), Some(Scheduler::Dpor)];
    for (i, found_by) in schedulers.into_iter().enumerate() {
        for (j, replay_with) in schedulers.into_iter().enumerate() {
            let name = format!("replay_choices_{i}_{j}");
            let mut model = weft::Model::new()
                .name(&name)
                .expect_failure(weft::FailureKind::Assertion);
            if let Some(s) = found_by {
                model = model.scheduler(s);
            }
            let found = model.check(body).into_caught().expect("caught");
            let trace = found.trace_path().expect("a trace file").to_path_buf();
            let mut model = weft::Model::new()
                .name(&name)
                .replay(&trace)
                .expect_failure(weft::FailureKind::Assertion);
            if let Some(s) = replay_with {
                model = model.scheduler(s);
            }
            let again = model
                .check(body)
                .into_caught()
                .unwrap_or_else(|| panic!("{found_by:?} then {replay_with:?}: not reproduced"));
            assert_eq!(again.executions(), 1, "{again}");
            assert_eq!(
                step_keys(&again),
                step_keys(&found),
                "{found_by:?} then {replay_with:?}"
            );
        }
    }
}

/// Set in the child process of
/// [`shuttles_failing_seed_banner_is_never_printed`].
#[cfg(feature = "shuttle")]
const CHILD: &str = "WEFT_MODELS_CHILD_BANNER";

/// shuttle prints "failing seed ... SHUTTLE_RANDOM_SEED" when its random
/// scheduler is dropped mid-exploration: after a failure, and after a
/// passing exploration that weft's time budget stopped. That advice does
/// not apply under weft (its seed is not weft's replay): weft's report is
/// the only failure text. Nor does shuttle's "test panicked in task" line
/// appear when a model thread panics (weft ends the execution before
/// shuttle sees the panic). Run in a child process, whose output is read.
#[cfg(feature = "shuttle")]
#[test]
fn shuttles_failing_seed_banner_is_never_printed() {
    if std::env::var_os(CHILD).is_some() {
        let _ = found("banner_fails", || lost_update(false));
        let spawned = weft::Model::new()
            .name("banner_thread_panics")
            .expect_failure(weft::FailureKind::Assertion)
            .check(|| {
                let t = thread::Builder::new()
                    .name("doomed")
                    .spawn(|| panic!("the spawned thread fails"))
                    .unwrap();
                let _ = t.join();
            })
            .into_caught()
            .expect("the declared failure");
        assert_eq!(spawned.kind(), weft::FailureKind::Assertion, "{spawned}");
        assert_eq!(
            spawned.thread_name().as_deref(),
            Some("doomed"),
            "{spawned}"
        );
        assert!(
            spawned.message().contains("the spawned thread fails"),
            "{spawned}"
        );
        let _ = weft::Model::new()
            .name("banner_budget")
            .iterations(100_000_000)
            .time_budget(std::time::Duration::from_millis(50))
            .explore(|| {
                let m = Arc::new(Mutex::new(0).named("m"));
                let m2 = m.clone();
                let t = thread::spawn(move || *m2.lock().unwrap() += 1);
                *m.lock().unwrap() += 1;
                t.join().unwrap();
            })
            .unwrap();
        return;
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "replay::shuttles_failing_seed_banner_is_never_printed",
            "--nocapture",
        ])
        .env(CHILD, "1")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    assert!(text.contains("1 passed"), "the child ran the test: {text}");
    assert!(!text.contains("failing seed"), "{text}");
    assert!(!text.contains("SHUTTLE_RANDOM_SEED"), "{text}");
    assert!(!text.contains("test panicked in task"), "{text}");
}

/// loom: the trace keeps loom's own record of the failing execution's
/// branches (its checkpoint path), and a replay starts loom's search
/// there: it runs that one execution, where it once ran the search again
/// up to it (issue 12, "exact replay in O(1) ... same for loom").
#[cfg(feature = "loom")]
#[test]
fn a_loom_replay_runs_the_failing_execution_alone() {
    let found = found("loom_replay_one_execution", || second_first(false));
    let weft_sync::explore::ScheduleRecord::Loom {
        execution, path, ..
    } = found.schedule().clone()
    else {
        panic!("a loom schedule: {:?}", found.schedule());
    };
    // Not loom's first execution (there the first thread pushes first):
    // without the path, a replay would run the search up to it.
    assert!(execution > 1, "{execution}");
    assert!(path.is_some(), "{:?}", found.schedule());
    let trace = found.trace_path().expect("a trace file").to_path_buf();
    for _ in 0..2 {
        let again = replayed("loom_replay_one_execution", &trace, found.kind(), || {
            second_first(false)
        });
        assert_eq!(again.executions(), 1, "{again}");
        assert_eq!(step_keys(&again), step_keys(&found));
        assert_eq!(again.schedule(), found.schedule());
    }
    // A changed program still says where it diverged.
    let diverged = replayed(
        "loom_replay_one_execution",
        &trace,
        weft::FailureKind::ReplayDiverged,
        || second_first(true),
    );
    assert!(
        diverged.message().contains("the schedule diverged at step"),
        "{diverged}"
    );
}

/// Two threads each push their number under a lock; the model fails when
/// the second pushed first, which loom's search reaches only after the
/// order in which the first goes first. With `extra_lock`, each thread
/// takes the lock once more before: another program.
#[cfg(feature = "loom")]
fn second_first(extra_lock: bool) {
    let order = Arc::new(Mutex::new(Vec::new()).named("order"));
    let hs: Vec<_> = (1..=2)
        .map(|i| {
            let order = order.clone();
            thread::spawn(move || {
                if extra_lock {
                    drop(order.lock().unwrap());
                }
                order.lock().unwrap().push(i);
            })
        })
        .collect();
    for h in hs {
        h.join().unwrap();
    }
    assert_ne!(*order.lock().unwrap(), [2, 1], "the second went first");
}
