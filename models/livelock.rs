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
        .explore(after_you)
        .unwrap_err();
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
