//! A bug that needs three preemptions among three threads is found with
//! shuttle's defaults: the random scheduler, up to 50,000 executions within
//! 3 s (this bug takes ~6,000 on average, so it is missed about once in
//! 5,000 runs).
//!
//! loom's DPOR search misses this interleaving: raw `loom::model` on the
//! same program explores 31,062 executions, reports the search complete,
//! and never reaches state 6 (weft on loom: 2,012 executions, since weft's
//! `Arc` is std's). That is why `cargo weft check` runs every model on
//! both checkers.
//!
//! The state machine reaches 6 only in the order A1 B1 A2 C1 A3 B2: A is
//! preempted after its first and second steps, and B after its first.

use weft::sync::atomic::{AtomicUsize, Ordering};
use weft::sync::Arc;
use weft::thread;

/// One step: moves the state from `from` to `to` if it is at `from`
/// (a check-then-act, deliberately not a compare-exchange).
#[cfg_attr(not(feature = "shuttle"), allow(dead_code))]
fn step(s: &AtomicUsize, from: usize, to: usize) {
    if s.load(Ordering::SeqCst) == from {
        s.store(to, Ordering::SeqCst);
    }
}

#[cfg_attr(not(feature = "shuttle"), allow(dead_code))]
fn three_preemptions() {
    let s = Arc::new(AtomicUsize::new(0).named("state"));
    let spawn = |name: &str, steps: Vec<(usize, usize)>| {
        let s = s.clone();
        thread::Builder::new()
            .name(name)
            .spawn(move || {
                for (from, to) in steps {
                    step(&s, from, to);
                }
            })
            .unwrap()
    };
    let a = spawn("a", vec![(0, 1), (2, 3), (4, 5)]);
    let b = spawn("b", vec![(1, 2), (5, 6)]);
    let c = spawn("c", vec![(3, 4)]);
    for h in [a, b, c] {
        h.join().unwrap();
    }
    assert_ne!(
        s.load(Ordering::SeqCst),
        6,
        "reached the state that needs A1 B1 A2 C1 A3 B2"
    );
}

#[cfg(feature = "shuttle")]
#[test]
fn a_bug_needing_three_preemptions_is_found_with_the_defaults() {
    let failure = weft::Model::new()
        .name("three_preemptions")
        .expect_failure(weft::FailureKind::Assertion)
        .check(three_preemptions)
        .into_caught()
        .expect("the declared failure");
    assert_eq!(failure.kind(), weft::FailureKind::Assertion, "{failure}");
    assert!(failure.message().contains("A1 B1 A2 C1 A3 B2"));
    // The schedule is shrunk before it is reported: A after A1 and A2, B after B1.
    let shrunk = failure.shrunk().expect("a searched failure is shrunk");
    assert_eq!(shrunk.preemptions, 3, "{failure}");
    assert!(shrunk.steps <= shrunk.first_steps, "{failure}");
    assert!(
        failure
            .to_string()
            .contains("The schedule shown is minimal: 3 preemptions,"),
        "{failure}"
    );
    let threads = failure.threads_in_steps();
    for t in ["a", "b", "c"] {
        assert!(threads.contains(&t.to_string()), "{threads:?}");
    }
}

/// weft's DPOR search finds it every time, in a few hundred executions:
/// its verdict does not depend on luck.
#[cfg(feature = "shuttle")]
#[test]
fn a_bug_needing_three_preemptions_is_found_by_dpor() {
    let stats = weft::Model::new()
        .name("three_preemptions_dpor")
        .scheduler(weft::Scheduler::Dpor)
        .expect_failure(weft::FailureKind::Assertion)
        .explore(three_preemptions)
        .unwrap_or_else(|f| panic!("{f}"));
    let caught = stats.caught().expect("caught");
    assert!(
        caught
            .to_string()
            .contains("reached the state that needs A1 B1 A2 C1 A3 B2"),
        "{caught}"
    );
    eprintln!("{stats}");
}
