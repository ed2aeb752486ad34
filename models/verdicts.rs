//! What a passing model's verdict claims: "exhaustive" only for a complete
//! search of every source of nondeterminism the model used, and otherwise
//! what bounded the search and why (`Stats::bounds`).

#[cfg(any(feature = "loom", feature = "shuttle"))]
use weft::sync::atomic::{AtomicUsize, Ordering::SeqCst};
#[cfg(any(feature = "loom", feature = "shuttle"))]
use weft::sync::Arc;
#[cfg(any(feature = "loom", feature = "shuttle"))]
use weft::thread;
#[cfg(any(feature = "loom", feature = "shuttle"))]
use weft::Bound;

/// loom issues #392 and #166: thread `a` stores 1 and loads; thread `b`
/// stores 2 if it loaded 1. Under sequential consistency `a` can read 2
/// (a: store 1; b: load 1, store 2; a: load 2), so the assertion fails in
/// one interleaving. loom 0.7.3's DPOR never runs it.
#[cfg(any(feature = "loom", feature = "shuttle"))]
pub(crate) fn a_never_reads_2() {
    let s = Arc::new(AtomicUsize::new(0).named("s"));
    let s2 = s.clone();
    let a = thread::Builder::new()
        .name("a")
        .spawn(move || {
            s2.store(1, SeqCst);
            assert_ne!(s2.load(SeqCst), 2, "a read 2");
        })
        .unwrap();
    let b = thread::Builder::new()
        .name("b")
        .spawn(move || {
            if s.load(SeqCst) == 1 {
                s.store(2, SeqCst);
            }
        })
        .unwrap();
    a.join().unwrap();
    b.join().unwrap();
}

/// loom calls its search complete without reaching "a reads 2", so weft on
/// loom must not claim the model was explored exhaustively: the verdict
/// says what loom's DPOR does not guarantee.
#[cfg(feature = "loom")]
#[test]
fn loom_misses_a_reads_2_and_the_verdict_says_loom_may_skip_interleavings() {
    let stats = weft::Model::new()
        .name("a_never_reads_2")
        .explore(a_never_reads_2)
        .expect("loom 0.7.3 never runs the interleaving where `a` reads 2");
    assert!(!stats.is_exhaustive(), "{stats}");
    assert!(stats.is_search_complete(), "{stats}");
    assert_eq!(stats.bounds(), [Bound::LoomDpor], "{stats}");
    let line = stats.to_string();
    assert!(
        line.contains("loom search complete, but loom's DPOR may skip some SC interleavings"),
        "{line}"
    );
    assert!(!line.contains("exhaustive"), "{line}");
}

/// shuttle's random and DFS schedulers both run the interleaving loom skips.
#[cfg(feature = "shuttle")]
#[test]
fn shuttle_reaches_a_reads_2_with_random_and_dfs() {
    for scheduler in [weft::Scheduler::Random, weft::Scheduler::Dfs] {
        let failure = weft::Model::new()
            .name("a_never_reads_2")
            .scheduler(scheduler)
            .expect_failure(weft::FailureKind::Assertion)
            .check(a_never_reads_2)
            .into_caught()
            .expect("the declared failure");
        assert_eq!(failure.kind(), weft::FailureKind::Assertion, "{failure}");
        assert_eq!(failure.thread_name().as_deref(), Some("a"), "{failure}");
        assert!(failure.message().contains("a read 2"), "{failure}");
    }
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
fn two_increments() {
    let n = Arc::new(AtomicUsize::new(0).named("n"));
    let n2 = n.clone();
    let t = thread::spawn(move || n2.fetch_add(1, SeqCst));
    n.fetch_add(1, SeqCst);
    t.join().unwrap();
    assert_eq!(n.load(SeqCst), 2);
}

/// A model that asks for `choose(2)`: loom always answers 0, and shuttle's
/// DFS answers randomly, so neither may call the search exhaustive.
#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn a_model_that_chooses_is_not_exhaustive_where_choices_are_not_enumerated() {
    let stats = weft::Model::new()
        .name("chooses")
        .scheduler(weft::Scheduler::Dfs)
        .explore(|| {
            let _ = weft::rand::choose(2);
            two_increments();
        })
        .unwrap();
    assert!(!stats.is_exhaustive(), "{stats}");
    let expected = match stats.backend() {
        weft::Backend::Loom => Bound::ChoiceNotExplored,
        _ => Bound::ChoiceRandomOnDfs,
    };
    assert!(stats.bounds().contains(&expected), "{stats}");
    assert!(stats.to_string().contains(&expected.to_string()), "{stats}");
    // choose(1) has one answer: nothing left unexplored.
    let stats = weft::Model::new()
        .name("chooses_one")
        .scheduler(weft::Scheduler::Dfs)
        .explore(|| {
            assert_eq!(weft::rand::choose(1), 0);
            two_increments();
        })
        .unwrap();
    assert!(!stats.bounds().contains(&expected), "{stats}");
}

/// shuttle's DFS run to its end on a model with no `choose` is the one
/// search weft calls exhaustive.
#[cfg(feature = "shuttle")]
#[test]
fn a_complete_dfs_without_choices_is_exhaustive() {
    let stats = weft::Model::new()
        .name("dfs_all")
        .scheduler(weft::Scheduler::Dfs)
        .explore(two_increments)
        .unwrap();
    assert!(stats.is_exhaustive(), "{stats}");
    assert!(stats.bounds().is_empty(), "{stats}");
    assert_eq!(stats.verdict(), "exhaustive", "{stats}");
    assert!(stats.to_string().contains(", exhaustive"), "{stats}");
    let stats = weft::Model::new()
        .name("dfs_cut")
        .scheduler(weft::Scheduler::Dfs)
        .iterations(1)
        .explore(two_increments)
        .unwrap();
    assert_eq!(stats.bounds(), [Bound::IterationLimit(1)], "{stats}");
}

/// A preemption bound, as `WEFT_PREEMPTIONS=2` or `LOOM_MAX_PREEMPTIONS=2`
/// set it, is named in the verdict.
#[cfg(feature = "loom")]
#[test]
fn a_preemption_bound_is_named_in_the_verdict() {
    let stats = weft::Model::new()
        .name("bounded")
        .preemption_bound(2)
        .explore(two_increments)
        .unwrap();
    assert_eq!(
        stats.bounds(),
        [Bound::PreemptionBound(2), Bound::LoomDpor],
        "{stats}"
    );
    assert!(
        stats
            .to_string()
            .contains("not exhaustive: preemption bound 2; "),
        "{stats}"
    );
}

/// The random scheduler samples schedules: never exhaustive.
#[cfg(feature = "shuttle")]
#[test]
fn the_random_scheduler_is_never_exhaustive() {
    let stats = weft::Model::new()
        .name("sampled")
        .iterations(50)
        .explore(two_increments)
        .unwrap();
    assert_eq!(
        stats.bounds(),
        [Bound::SampledSchedules(weft::Scheduler::Random)],
        "{stats}"
    );
    assert!(
        stats
            .to_string()
            .contains("not exhaustive: random scheduler"),
        "{stats}"
    );
}
