//! Exploring on several OS threads (`Model::workers`) and the portfolio
//! of strategies (`Scheduler::Portfolio`): the workers find a model's bug
//! with its exact kind, the first failure stops them all, a failure's
//! seed reruns its worker's search alone, and a portfolio's verdict names
//! the strategy that found the bug.

use weft::sync::atomic::{AtomicUsize, Ordering};
use weft::sync::{Arc, Mutex};
use weft::thread;

/// Load, then store: two increments can lose one.
#[cfg_attr(not(feature = "shuttle"), allow(dead_code))]
fn lost_update() {
    let n = Arc::new(AtomicUsize::new(0).named("hits"));
    let n2 = n.clone();
    let h = thread::Builder::new()
        .name("other")
        .spawn(move || {
            let v = n2.load(Ordering::SeqCst);
            n2.store(v + 1, Ordering::SeqCst);
        })
        .unwrap();
    let v = n.load(Ordering::SeqCst);
    n.store(v + 1, Ordering::SeqCst);
    h.join().unwrap();
    assert_eq!(n.load(Ordering::SeqCst), 2, "an increment was lost");
}

/// Two locks taken in opposite orders.
#[cfg_attr(not(feature = "shuttle"), allow(dead_code))]
fn abba() {
    let a = Arc::new(Mutex::new(()).named("a"));
    let b = Arc::new(Mutex::new(()).named("b"));
    let (a2, b2) = (a.clone(), b.clone());
    let h = thread::Builder::new()
        .name("ba")
        .spawn(move || {
            let _b = b2.lock().unwrap();
            let _a = a2.lock().unwrap();
        })
        .unwrap();
    {
        let _a = a.lock().unwrap();
        let _b = b.lock().unwrap();
    }
    h.join().unwrap();
}

/// Two workers find each bug with its exact kind, and say so.
#[cfg(feature = "shuttle")]
#[test]
fn two_workers_find_each_bug_with_its_exact_kind() {
    for (name, body, kind) in [
        (
            "workers_lost_update",
            lost_update as fn(),
            weft::FailureKind::Assertion,
        ),
        ("workers_abba", abba as fn(), weft::FailureKind::Deadlock),
    ] {
        let stats = weft::Model::new()
            .name(name)
            .scheduler(weft::Scheduler::Random)
            .iterations(20_000)
            .workers(2)
            .expect_failure(kind)
            .explore(body)
            .unwrap_or_else(|f| panic!("{f}"));
        assert_eq!(stats.workers(), 2, "{stats}");
        let caught = stats.caught().expect("caught");
        assert_eq!(caught.kind(), kind, "{caught}");
        let found = caught.found_by().expect("a worker found it");
        assert_eq!(found.workers, 2);
        assert!(found.worker < 2);
        assert_eq!(found.scheduler, weft::Scheduler::Random);
        let line = stats.to_string();
        assert!(line.contains("random scheduler, 2 workers"), "{line}");
        assert!(line.contains("found by random on worker"), "{line}");
        let report = caught.to_string();
        assert!(
            report.contains(&format!(
                "WEFT_SCHEDULER=random WEFT_SEED={} WEFT_WORKERS=1",
                found.seed
            )),
            "{report}"
        );
    }
}

/// A body that fails in exactly one execution, the 300th that any worker
/// starts: the other worker stops as soon as the panic escapes, so far
/// fewer than the 100,000 asked for run.
#[cfg(feature = "shuttle")]
#[test]
fn the_first_failure_stops_every_worker() {
    let started = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = started.clone();
    let stats = weft::Model::new()
        .name("workers_stop")
        .scheduler(weft::Scheduler::Random)
        .iterations(100_000)
        .workers(2)
        .expect_failure(weft::FailureKind::Assertion)
        .explore(move || {
            let n = count.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            let h = thread::spawn(|| {});
            h.join().unwrap();
            assert_ne!(n, 300, "the 300th execution fails");
        })
        .unwrap_or_else(|f| panic!("{f}"));
    let ran = started.load(std::sync::atomic::Ordering::SeqCst);
    // Without the stop, the other worker would run its 50,000. With it,
    // that worker ends within microseconds of the panic: a few dozen
    // executions of this size (2-3 µs each), more on a loaded machine.
    // The body also runs in each replay that shrinks the failing schedule.
    // So does each replay that looks for the flip point.
    let replays = stats
        .caught()
        .and_then(|f| f.shrunk())
        .map_or(0, |s| s.replays + s.flip_replays);
    let explored = ran - replays;
    assert!(
        (300..5_000).contains(&explored),
        "{explored} executions started"
    );
    assert_eq!(stats.executions(), explored, "{stats}");
    assert_eq!(stats.workers(), 2);
}

/// The seed a failure names reruns its worker's search on one thread,
/// and reaches the same failing execution, decision for decision; its
/// trace file replays that execution.
#[cfg(feature = "shuttle")]
#[test]
fn a_failure_found_by_workers_replays_alone() {
    for scheduler in [weft::Scheduler::Random, weft::Scheduler::Portfolio] {
        let name = format!("workers_replay_{scheduler}");
        let caught = weft::Model::new()
            .name(&name)
            .scheduler(scheduler)
            .seed(7)
            .iterations(20_000)
            .workers(2)
            .expect_failure(weft::FailureKind::Assertion)
            .explore(lost_update)
            .unwrap_or_else(|f| panic!("{f}"))
            .into_caught()
            .expect("caught");
        let found = caught.found_by().expect("a worker found it");
        let alone = weft::Model::new()
            .name(format!("{name}_alone"))
            .scheduler(found.scheduler)
            .seed(found.seed)
            .iterations(20_000)
            .workers(1)
            .expect_failure(weft::FailureKind::Assertion)
            .explore(lost_update)
            .unwrap_or_else(|f| panic!("{f}"))
            .into_caught()
            .expect("caught alone");
        assert_eq!(alone.found_by(), None, "one worker: {alone}");
        assert_eq!(alone.schedule(), caught.schedule(), "{alone}\n{caught}");
        assert_eq!(alone.message(), caught.message());
        let trace = caught.trace_path().expect("a trace file");
        let replayed = weft::Model::new()
            .name(&name)
            .replay(trace)
            .expect_failure(weft::FailureKind::Assertion)
            .explore(lost_update)
            .unwrap_or_else(|f| panic!("{f}"))
            .into_caught()
            .expect("replayed");
        // A replay follows the decisions (its own seed is not used).
        assert_eq!(decisions(replayed.schedule()), decisions(caught.schedule()));
        assert_eq!(replayed.executions(), 1);
    }
}

#[cfg(feature = "shuttle")]
fn decisions(schedule: &weft_sync::explore::ScheduleRecord) -> Vec<weft_sync::explore::Decision> {
    match schedule {
        weft_sync::explore::ScheduleRecord::Shuttle { decisions, .. } => decisions.clone(),
        other => panic!("not a shuttle schedule: {other:?}"),
    }
}

/// A portfolio's failure names the strategy of the worker that found it,
/// one of the portfolio's; its stats line says so.
#[cfg(feature = "shuttle")]
#[test]
fn the_portfolio_names_the_strategy_that_found_the_bug() {
    let stats = weft::Model::new()
        .name("portfolio_abba")
        .scheduler(weft::Scheduler::Portfolio)
        .iterations(20_000)
        .workers(2)
        .expect_failure(weft::FailureKind::Deadlock)
        .explore(abba)
        .unwrap_or_else(|f| panic!("{f}"));
    let caught = stats.caught().expect("caught");
    let found = caught.found_by().expect("a portfolio worker found it");
    assert_eq!(caught.scheduler(), found.scheduler);
    assert!(
        weft_sync::explore::PORTFOLIO.contains(&found.scheduler)
            || found.scheduler == weft::Scheduler::Dpor,
        "{found:?}"
    );
    let line = stats.to_string();
    assert!(line.contains("(portfolio scheduler, 2 workers)"), "{line}");
    assert!(
        line.contains(&format!("found by {} on worker", found.scheduler)),
        "{line}"
    );
}

/// Two atomic increments: correct, with three interleavings.
fn two_increments() {
    let n = Arc::new(AtomicUsize::new(0));
    let n2 = n.clone();
    let h = thread::spawn(move || n2.fetch_add(1, Ordering::SeqCst));
    n.fetch_add(1, Ordering::SeqCst);
    h.join().unwrap();
}

/// Several workers sample schedules: never exhaustive, and the
/// executions are those of every worker. On loom and std, `workers` has
/// no effect, and the stats say one worker explored.
#[test]
fn several_random_workers_are_never_exhaustive_and_count_every_execution() {
    let stats = weft::Model::new()
        .name("workers_verdict")
        .scheduler(weft::Scheduler::Random)
        .iterations(2_500)
        .workers(2)
        .check(two_increments);
    assert!(!stats.is_exhaustive(), "{stats}");
    match stats.backend() {
        weft::Backend::Shuttle => {
            assert_eq!(stats.workers(), 2, "{stats}");
            assert_eq!(stats.executions(), 2_500, "{stats}");
            assert_eq!(
                stats.bounds(),
                [weft::Bound::SampledSchedules(weft::Scheduler::Random)],
                "{stats}"
            );
        }
        _ => assert_eq!(stats.workers(), 1, "{stats}"),
    }
}

/// A portfolio's worker 0 runs weft's DPOR search first: on a small model
/// it finishes, the verdict is a proof, and the sampling workers stop.
#[cfg(feature = "shuttle")]
#[test]
fn the_portfolios_dpor_worker_proves_a_small_model() {
    let stats = weft::Model::new()
        .name("portfolio_proof")
        .scheduler(weft::Scheduler::Portfolio)
        .iterations(100_000)
        .workers(2)
        .check(two_increments);
    assert!(stats.is_exhaustive(), "{stats}");
    assert!(stats.is_search_complete(), "{stats}");
    assert!(stats.executions() < 100_000, "{stats}");
    assert!(stats.to_string().contains(", exhaustive"), "{stats}");
}
