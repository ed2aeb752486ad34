//! Load-then-store on an atomic loses an update: caught as an assertion.

use weft::sync::atomic::{AtomicUsize, Ordering};
use weft::sync::Arc;
use weft::thread;

#[cfg_attr(not(any(feature = "loom", feature = "shuttle")), allow(dead_code))]
fn lost_update() {
    let n = Arc::new(AtomicUsize::new(0).named("hits"));
    let hs: Vec<_> = (0..2)
        .map(|i| {
            let n = n.clone();
            thread::Builder::new()
                .name(format!("worker-{i}"))
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
    assert_eq!(n.load(Ordering::SeqCst), 2, "an increment was lost");
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn lost_update_is_caught_with_both_workers_in_the_steps() {
    let failure = weft::Model::new()
        .name("lost_update")
        .expect_failure(weft::FailureKind::Assertion)
        .check(lost_update)
        .into_caught()
        .expect("the declared failure");
    assert_eq!(failure.kind(), weft::FailureKind::Assertion);
    // The schedule is shrunk before it is reported: one worker preempted between its load and its store.
    let shrunk = failure.shrunk().expect("a searched failure is shrunk");
    // On loom none: loom runs SeqCst as AcqRel (a documented limitation),
    // so `worker-1` may load 0 after `worker-0`'s store with no preemption.
    let fewest = if cfg!(feature = "loom") { 0 } else { 1 };
    assert_eq!(shrunk.preemptions, fewest, "{failure}");
    assert!(shrunk.steps <= shrunk.first_steps, "{failure}");
    assert!(
        failure.to_string().contains(&format!(
            "The schedule shown is minimal: {fewest} preemption"
        )),
        "{failure}"
    );
    assert!(
        failure.message().contains("an increment was lost"),
        "{failure}"
    );
    assert_eq!(failure.thread_name().as_deref(), Some("main"));
    let in_steps = failure.threads_in_steps();
    assert!(in_steps.contains(&"worker-0".to_string()), "{in_steps:?}");
    assert!(in_steps.contains(&"worker-1".to_string()), "{in_steps:?}");
    // Both workers loaded before either stored.
    let report = failure.to_string();
    assert!(report.contains("`hits`"), "{report}");
    assert!(report.contains("models/lost_update.rs"), "{report}");
}

#[test]
fn fetch_add_does_not_lose_updates() {
    weft::model(|| {
        let n = Arc::new(AtomicUsize::new(0).named("hits"));
        let n2 = n.clone();
        let h = thread::spawn(move || n2.fetch_add(1, Ordering::SeqCst));
        n.fetch_add(1, Ordering::SeqCst);
        h.join().unwrap();
        assert_eq!(n.load(Ordering::SeqCst), 2);
    });
}
