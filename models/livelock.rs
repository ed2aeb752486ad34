//! Two polite threads that each wait for the other to go first: both keep
//! running and neither makes progress. Caught as a step limit whose report
//! shows the loop they run.

use weft::sync::atomic::{AtomicBool, Ordering};
use weft::sync::Arc;
use weft::thread;

#[cfg_attr(not(any(feature = "loom", feature = "shuttle")), allow(dead_code))]
fn after_you() {
    let a_done = Arc::new(AtomicBool::new(false).named("alice_done"));
    let b_done = Arc::new(AtomicBool::new(false).named("bob_done"));
    let alice = {
        let (mine, theirs) = (a_done.clone(), b_done.clone());
        thread::Builder::new()
            .name("alice")
            .spawn(move || {
                while !theirs.load(Ordering::SeqCst) {
                    thread::yield_now(); // "after you"
                }
                mine.store(true, Ordering::SeqCst);
            })
            .unwrap()
    };
    let bob = {
        let (mine, theirs) = (b_done.clone(), a_done.clone());
        thread::Builder::new()
            .name("bob")
            .spawn(move || {
                while !theirs.load(Ordering::SeqCst) {
                    thread::yield_now(); // "no, after you"
                }
                mine.store(true, Ordering::SeqCst);
            })
            .unwrap()
    };
    alice.join().unwrap();
    bob.join().unwrap();
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn polite_threads_livelock_and_the_report_shows_their_loop() {
    let failure = weft::Model::new()
        .name("after_you")
        .max_steps(2_000)
        .expect_failure(weft::FailureKind::StepLimit)
        .check(after_you)
        .into_caught()
        .expect("the declared failure");
    assert_eq!(failure.kind(), weft::FailureKind::StepLimit, "{failure}");
    let looping = failure.looping_threads();
    assert!(!looping.is_empty(), "{failure}");
    assert!(
        looping.iter().all(|t| t == "alice" || t == "bob"),
        "{looping:?}"
    );
    let cycle = failure.repeating_steps().expect("a repeating loop");
    assert!(cycle
        .iter()
        .any(|e| matches!(e.op, weft::record::Op::Yield)));
    assert!(cycle
        .iter()
        .any(|e| matches!(e.op, weft::record::Op::Load(_))));
    let report = failure.to_string();
    assert!(report.contains("The loop that kept running"), "{report}");
    assert!(
        report.contains("`alice_done`") || report.contains("`bob_done`"),
        "{report}"
    );
}

/// Two polite threads that each raise their own flag and, while the
/// other's flag is up, lower theirs, yield, and try again. Under loom they
/// can back off in lock step forever.
#[cfg_attr(not(feature = "loom"), allow(dead_code))]
fn polite_pair() {
    let flags = [
        Arc::new(AtomicBool::new(false).named("alice_wants")),
        Arc::new(AtomicBool::new(false).named("bob_wants")),
    ];
    let spawn = |name: &str, mine: Arc<AtomicBool>, theirs: Arc<AtomicBool>| {
        thread::Builder::new()
            .name(name)
            .spawn(move || {
                mine.store(true, Ordering::SeqCst);
                while theirs.load(Ordering::SeqCst) {
                    mine.store(false, Ordering::SeqCst); // "after you"
                    thread::yield_now();
                    mine.store(true, Ordering::SeqCst);
                }
                mine.store(false, Ordering::SeqCst);
            })
            .unwrap()
    };
    let alice = spawn("alice", flags[0].clone(), flags[1].clone());
    let bob = spawn("bob", flags[1].clone(), flags[0].clone());
    alice.join().unwrap();
    bob.join().unwrap();
}

/// With every default, the polite pair's livelock is found as quickly as
/// raw loom's defaults find it (loom's own branch bound, 1,000, ends the
/// looping execution) and is reported as a step limit naming the looping
/// threads. weft once raised loom's bound to twice `WEFT_MAX_STEPS`: this
/// search then had not answered after 4 minutes (16 in the report),
/// where raw loom's defaults answer after 12,543 executions (0.8 s).
#[cfg(feature = "loom")]
#[test]
fn polite_pair_livelock_is_found_as_fast_as_raw_loom_with_defaults() {
    let failure = weft::Model::new()
        .name("polite_pair")
        .expect_failure(weft::FailureKind::StepLimit)
        .check(polite_pair)
        .into_caught()
        .expect("the declared failure");
    assert_eq!(failure.kind(), weft::FailureKind::StepLimit, "{failure}");
    let looping = failure.looping_threads();
    assert!(!looping.is_empty(), "{failure}");
    assert!(
        looping.iter().all(|t| t == "alice" || t == "bob"),
        "{looping:?}"
    );
    let report = failure.to_string();
    assert!(report.contains("The loop that kept running"), "{report}");
    // Raw loom's defaults report it after 12,543 executions (a count, not
    // a wall-clock time, so that a loaded machine cannot fail the test).
    assert!(
        failure.executions() <= 12_543,
        "{} executions before the livelock was reported",
        failure.executions()
    );
}
