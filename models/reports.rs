//! Reports that read like the code: each atomic step shows its ordering
//! and values, elements of arrays are named apart, threads of one name
//! are told apart, a thread's `finish` points at the user's code, the kind
//! has one word, counts are English, and the report says which execution
//! of how many found the failure, with which search.

use weft::sync::atomic::{AtomicUsize, Ordering};
use weft::sync::Arc;
use weft::thread;

/// Two workers of one name; one publishes with Release into `slot[1]`,
/// the other takes a ticket with a compare-exchange; then main asserts
/// something false, so that every execution fails with the same steps.
#[cfg_attr(not(any(feature = "loom", feature = "shuttle")), allow(dead_code))]
fn two_workers_then_a_false_assertion() {
    let slots: Arc<Vec<AtomicUsize>> = Arc::new(
        (0..2)
            .map(|i| AtomicUsize::new(0).named_indexed("slot", i))
            .collect(),
    );
    let ticket = Arc::new(AtomicUsize::new(3).named("ticket"));
    let a = {
        let slots = slots.clone();
        thread::Builder::new()
            .name("worker")
            .spawn(move || slots[1].store(1, Ordering::Release))
            .unwrap()
    };
    a.join().unwrap();
    let b = {
        let ticket = ticket.clone();
        thread::Builder::new()
            .name("worker")
            .spawn(move || {
                let _ = ticket.compare_exchange(3, 4, Ordering::AcqRel, Ordering::Acquire);
                let _ = ticket.compare_exchange(3, 5, Ordering::AcqRel, Ordering::Relaxed);
                ticket.fetch_add(2, Ordering::Relaxed);
            })
            .unwrap()
    };
    b.join().unwrap();
    assert_eq!(slots[1].load(Ordering::Acquire), 2, "the slot holds 1");
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
fn caught() -> weft::Failure {
    weft::Model::new()
        .name("reports")
        .expect_failure(weft::FailureKind::Assertion)
        .check(two_workers_then_a_false_assertion)
        .into_caught()
        .expect("the declared failure")
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn atomic_steps_show_their_ordering_and_values() {
    let report = caught().to_string();
    for line in [
        "store(Release) 1 `slot[1]`",
        "compare_exchange(AcqRel, Acquire) 3 → 4 ok `ticket`",
        "compare_exchange(AcqRel, Relaxed) 4 (expected 3) failed `ticket`",
        "fetch_add(Relaxed) 4 → 6 `ticket`",
        "load(Acquire) = 1 `slot[1]`",
    ] {
        assert!(report.contains(line), "no `{line}` in:\n{report}");
    }
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn threads_of_one_name_are_told_apart() {
    let failure = caught();
    let report = failure.to_string();
    assert!(report.contains("spawn `worker#1`"), "{report}");
    assert!(report.contains("spawn `worker#2`"), "{report}");
    assert!(report.contains("  [1] `worker#1`: finished"), "{report}");
    assert!(report.contains("  [2] `worker#2`: finished"), "{report}");
    assert!(
        report.contains("---- switch to `worker#2` ----"),
        "{report}"
    );
    assert!(!report.contains("`worker`"), "{report}");
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn a_finish_step_points_at_the_spawn_in_the_users_code() {
    let failure = caught();
    let finishes: Vec<_> = failure
        .steps()
        .iter()
        .filter(|e| e.op == weft::record::Op::Finish)
        .collect();
    assert_eq!(finishes.len(), 2, "{failure}");
    for e in finishes {
        assert_eq!(e.location.file, "models/reports.rs", "{failure}");
        let spawned_at = failure.threads()[e.thread].spawned_at.expect("spawned");
        assert_eq!(e.location, spawned_at, "{failure}");
    }
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn the_kind_has_one_word_and_the_report_says_how_it_was_found() {
    let failure = caught();
    let report = failure.to_string();
    let backend = weft::Backend::current();
    assert!(
        report.starts_with(&format!(
            "weft: model `reports` failed on {backend}: panic\n"
        )),
        "{report}"
    );
    assert!(
        report.contains("\nPanic in thread `main` at models/reports.rs:"),
        "{report}"
    );
    assert!(!report.contains("ssertion in"), "{report}");
    assert_eq!(weft::FailureKind::Assertion.to_string(), "panic");
    // Every execution fails: the first one found it.
    let found = match backend {
        weft::Backend::Loom => "Found in execution 1 (loom's DPOR search).".to_string(),
        _ => format!("Found in execution 1 ({}).", failure.search()),
    };
    assert!(report.contains(&found), "no `{found}` in:\n{report}");
}

#[cfg(feature = "shuttle")]
#[test]
fn a_random_search_names_its_execution_of_how_many_and_its_seed() {
    let failure = weft::Model::new()
        .name("reports_random")
        .scheduler(weft::SchedulerKind::Random)
        .seed(0x2a)
        .iterations(50_000)
        // One worker: with several, which finds the failure first is a
        // race, and the report names the winner's share and seed instead
        // (`models/workers.rs` checks that wording).
        .workers(1)
        .expect_failure(weft::FailureKind::Assertion)
        .check(two_workers_then_a_false_assertion)
        .into_caught()
        .expect("the declared failure");
    assert!(
        failure
            .to_string()
            .contains("Found in execution 1 of 50,000 (random scheduler, seed 0x2a)."),
        "{failure}"
    );
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn one_step_is_one_step() {
    let failure = weft::Model::new()
        .name("one_step")
        .expect_failure(weft::FailureKind::Assertion)
        .check(|| {
            let n = AtomicUsize::new(0).named("n");
            assert_eq!(n.load(Ordering::Relaxed), 1, "n is 0");
        })
        .into_caught()
        .expect("the declared failure");
    let report = failure.to_string();
    assert!(report.contains("The interleaving (1 step):"), "{report}");
    assert!(report.contains("load(Relaxed) = 0 `n`"), "{report}");
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
#[ignore = "prints a report for a person to read"]
fn print_the_report() {
    println!("{}", caught());
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
#[ignore = "prints a report for a person to read"]
fn print_a_shrunk_report() {
    let f = weft::Model::new()
        .name("lost_update_print")
        .scheduler(weft::SchedulerKind::Random)
        .expect_failure(weft::FailureKind::Assertion)
        .check(|| {
            let n = Arc::new(AtomicUsize::new(0).named("hits"));
            let hs: Vec<_> = (0..3)
                .map(|_| {
                    let n = n.clone();
                    thread::Builder::new()
                        .name("worker")
                        .spawn(move || {
                            let v = n.load(Ordering::SeqCst);
                            n.store(v + 1, Ordering::SeqCst);
                        })
                        .unwrap()
                })
                .collect();
            for h in hs {
                h.join().unwrap();
            }
            assert_eq!(n.load(Ordering::SeqCst), 3, "an increment was lost");
        })
        .into_caught()
        .expect("caught");
    println!("{f}");
}

/// Two unnamed workers lose an update.
#[cfg(feature = "shuttle")]
fn lose_an_update() {
    let n = Arc::new(AtomicUsize::new(0).named("hits"));
    let hs: Vec<_> = (0..2)
        .map(|_| {
            let n = n.clone();
            thread::spawn(move || {
                let v = n.load(Ordering::SeqCst);
                n.store(v + 1, Ordering::SeqCst);
            })
        })
        .collect();
    for h in hs {
        h.join().unwrap();
    }
    assert_eq!(n.load(Ordering::SeqCst), 2, "an increment was lost");
}

/// The trace keeps the first failing schedule and the minimal one; a replay
/// runs the minimal one, step for step.
#[cfg(feature = "shuttle")]
#[test]
fn a_replay_runs_the_minimal_schedule() {
    let failure = weft::Model::new()
        .name("minimal_replay")
        .scheduler(weft::SchedulerKind::Random)
        .seed(1)
        .expect_failure(weft::FailureKind::Assertion)
        .check(lose_an_update)
        .into_caught()
        .expect("caught");
    let shrunk = failure.shrunk().expect("shrunk").clone();
    assert_eq!(shrunk.preemptions, 1, "{failure}");
    assert!(
        shrunk.first_preemptions.expect("counted on shuttle") > 1,
        "{failure}"
    );
    let path = failure.trace_path().expect("a trace").to_path_buf();
    let trace = weft_check::trace::read_trace(&path).expect("readable");
    let minimized = trace.minimized.as_ref().expect("both schedules kept");
    assert_eq!(minimized.first_schedule, shrunk.first_schedule);
    assert_ne!(&minimized.first_schedule, failure.schedule());
    assert_eq!(&trace.schedule, failure.schedule());
    assert_eq!(minimized.preemptions, 1);
    let replayed = weft::Model::new()
        .name("minimal_replay")
        .replay(&path)
        .explore(lose_an_update)
        .expect_err("the replay fails again");
    assert_eq!(replayed.kind(), weft::FailureKind::Assertion, "{replayed}");
    assert_eq!(replayed.steps(), failure.steps(), "{replayed}");
}
