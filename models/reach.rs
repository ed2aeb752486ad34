//! No vacuous green: `weft::reachable!` and `weft::sometimes!` say what
//! the exploration must see at least once, and a model whose exploration
//! never saw it fails as `FailureKind::NeverReached` with "`label` was
//! never reached in N executions" (or "never true").

use weft::sync::atomic::{AtomicUsize, Ordering};
use weft::sync::Arc;
use weft::thread;

/// A worker stores 1; main looks once before joining, then after.
fn early_and_late() {
    let n = Arc::new(AtomicUsize::new(0).named("n"));
    let n2 = Arc::clone(&n);
    let t = thread::spawn(move || n2.store(1, Ordering::SeqCst));
    weft::sometimes!(
        n.load(Ordering::SeqCst) == 1,
        "main sees the store before the join"
    );
    weft::sometimes!(n.load(Ordering::SeqCst) == 0, "main looks before the store");
    t.join().unwrap();
    if n.load(Ordering::SeqCst) == 1 {
        weft::reachable!("the store is seen after the join");
    }
}

/// The increment can never be lost after a join: the label's line is
/// never run, and its model fails though every assertion held.
#[cfg_attr(not(any(feature = "loom", feature = "shuttle")), allow(dead_code))]
fn lost_after_the_join() {
    let n = Arc::new(AtomicUsize::new(0).named("n"));
    let n2 = Arc::clone(&n);
    let t = thread::spawn(move || {
        n2.fetch_add(1, Ordering::SeqCst);
    });
    t.join().unwrap();
    if n.load(Ordering::SeqCst) == 0 {
        weft::reachable!("the increment is lost after the join");
    }
}

/// A condition checked in a helper the body calls: expected once run.
#[cfg_attr(not(any(feature = "loom", feature = "shuttle")), allow(dead_code))]
fn note_total(total: usize) {
    weft::sometimes!(total > 2, "the total exceeds two");
}

#[cfg_attr(not(any(feature = "loom", feature = "shuttle")), allow(dead_code))]
fn never_over_two() {
    let n = Arc::new(AtomicUsize::new(0).named("n"));
    let n2 = Arc::clone(&n);
    let t = thread::spawn(move || {
        n2.fetch_add(1, Ordering::SeqCst);
    });
    n.fetch_add(1, Ordering::SeqCst);
    t.join().unwrap();
    note_total(n.load(Ordering::SeqCst));
}

/// Every label seen: the model passes (a site written in another
/// function of this file is not this model's to expect).
#[test]
fn labels_the_exploration_reaches_pass() {
    let stats = weft::Model::new()
        .name("early_and_late")
        .check(early_and_late);
    assert!(stats.caught().is_none());
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
mod on_a_checker {
    use super::*;
    use weft::FailureKind;

    #[test]
    fn an_unreachable_label_fails_the_model_with_how_many_executions_missed_it() {
        let failure = weft::Model::new()
            .name("lost_after_the_join")
            .explore(lost_after_the_join)
            .unwrap_err();
        assert_eq!(failure.kind(), FailureKind::NeverReached, "{failure}");
        let n = failure.executions();
        assert!(n >= 1, "{failure}");
        assert_eq!(
            failure.message(),
            format!("`the increment is lost after the join` was never reached in {n} executions")
        );
        let at = failure.location().expect("the label's line");
        assert!(at.file.ends_with("models/reach.rs"), "{at}");
        assert_eq!(
            at.line,
            line_of("weft::reachable!(\"the increment is lost after the join\")")
        );
        assert!(
            failure.trace_path().is_none(),
            "no single execution shows it"
        );
        let report = failure.to_string();
        assert!(
            report.contains("failed on ") && report.contains(": never reached"),
            "{report}"
        );
        let feature = weft::Backend::current().feature().unwrap();
        assert!(
            report.contains(&format!(
                "Found across the whole exploration ({n} executions): no single execution shows it, so there is no trace to replay. Rerun it: cargo test --features {feature} -- --exact reach::on_a_checker::an_unreachable_label_fails_the_model_with_how_many_executions_missed_it\n"
            )),
            "{report}"
        );
    }

    #[test]
    fn an_unreachable_label_can_be_the_declared_expectation() {
        let stats = weft::Model::new()
            .name("lost_after_the_join_expected")
            .expect_failure(FailureKind::NeverReached)
            .check(lost_after_the_join);
        let caught = stats.caught().expect("the declared failure");
        assert_eq!(
            caught.message(),
            format!(
                "`the increment is lost after the join` was never reached in {} executions",
                stats.executions()
            )
        );
    }

    #[test]
    fn a_condition_never_true_fails_with_never_true() {
        let stats = weft::Model::new()
            .name("never_over_two")
            .expect_failure(FailureKind::NeverReached)
            .check(never_over_two);
        let caught = stats.caught().expect("the declared failure");
        assert_eq!(
            caught.message(),
            format!(
                "`the total exceeds two` was never true in {} executions",
                stats.executions()
            )
        );
        assert_eq!(
            caught.location().expect("the helper's line").line,
            line_of("weft::sometimes!(total > 2")
        );
    }

    /// The 1-based line of the first line of this file that contains `needle`.
    fn line_of(needle: &str) -> u32 {
        let at = include_str!("reach.rs")
            .lines()
            .position(|l| l.contains(needle) && !l.contains("line_of"))
            .expect("the needle is in this file");
        at as u32 + 1
    }
}

/// In std mode a stress run explores nothing: the macros record nothing
/// and never fail a model.
#[cfg(not(any(feature = "loom", feature = "shuttle")))]
#[test]
fn std_mode_never_judges_reachability() {
    weft::Model::new()
        .name("lost_after_the_join_std")
        .iterations(5)
        .check(lost_after_the_join);
    weft::Model::new()
        .name("never_over_two_std")
        .iterations(5)
        .check(never_over_two);
}
