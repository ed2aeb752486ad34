//! The flip point: the one swap of two adjacent conflicting steps of the
//! minimal failing schedule that makes the model pass, asserted word for
//! word on small known bugs. Found on shuttle only (loom cannot be made to
//! run a given schedule; docs/minimal-schedules.md).

use weft::sync::atomic::{AtomicUsize, Ordering};
use weft::sync::{Arc, Mutex};
use weft::thread;

/// Two workers each load `hits` and store what they read plus one.
#[cfg_attr(not(feature = "shuttle"), allow(dead_code))]
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

/// `b` sets `state`; `a` assumes it still reads the initial value.
#[cfg_attr(not(feature = "shuttle"), allow(dead_code))]
fn flag_race() {
    let state = Arc::new(AtomicUsize::new(0).named("state"));
    let s = state.clone();
    let a = thread::Builder::new()
        .name("a")
        .spawn(move || assert_eq!(s.load(Ordering::SeqCst), 0, "`a` saw `b`'s state"))
        .unwrap();
    let s = state.clone();
    let b = thread::Builder::new()
        .name("b")
        .spawn(move || s.store(1, Ordering::SeqCst))
        .unwrap();
    a.join().unwrap();
    b.join().unwrap();
}

/// `ab` takes `lock_a` then `lock_b`; `ba` the other way round.
#[cfg_attr(not(feature = "shuttle"), allow(dead_code))]
fn abba() {
    let a = Arc::new(Mutex::new(()).named("lock_a"));
    let b = Arc::new(Mutex::new(()).named("lock_b"));
    let (a2, b2) = (a.clone(), b.clone());
    let t1 = thread::Builder::new().name("ab").spawn(move || {
        let _ga = a2.lock().unwrap();
        let _gb = b2.lock().unwrap();
    });
    let t2 = thread::Builder::new().name("ba").spawn(move || {
        let _gb = b.lock().unwrap();
        let _ga = a.lock().unwrap();
    });
    t1.unwrap().join().unwrap();
    t2.unwrap().join().unwrap();
}

#[cfg(feature = "shuttle")]
fn caught(name: &str, kind: weft::FailureKind, f: fn()) -> weft::Failure {
    weft::Model::new()
        .name(name)
        .expect_failure(kind)
        .check(f)
        .into_caught()
        .expect("the declared failure")
}

/// Fails whatever the order: no swap makes it pass.
#[cfg_attr(not(any(feature = "loom", feature = "shuttle")), allow(dead_code))]
fn fails_in_every_order() {
    let n = Arc::new(AtomicUsize::new(0).named("n"));
    let n2 = n.clone();
    let h = thread::spawn(move || n2.store(1, Ordering::SeqCst));
    n.store(2, Ordering::SeqCst);
    h.join().unwrap();
    panic!("always");
}

/// The flip point's steps, as (thread, operation, object) of the report.
#[cfg(feature = "shuttle")]
fn flip_steps(failure: &weft::Failure) -> Vec<(String, String, Option<String>)> {
    let flip = failure.flip_point().expect("a flip point");
    [flip.first, flip.second]
        .into_iter()
        .filter_map(|n| failure.steps().iter().find(|e| e.step == n))
        .map(|e| {
            (
                failure.log().thread_name(e.thread),
                e.op.name().to_string(),
                e.object.map(|o| failure.log().object_name(o)),
            )
        })
        .collect()
}

#[cfg(feature = "shuttle")]
#[test]
fn the_flip_point_of_a_lost_update_is_the_load_that_read_too_early() {
    let failure = caught(
        "flip_lost_update",
        weft::FailureKind::Assertion,
        lost_update,
    );
    let flip = failure.flip_point().unwrap_or_else(|| panic!("{failure}"));
    // One worker's load, run after the other worker's store: it reads 1.
    let steps = flip_steps(&failure);
    assert_eq!(steps.len(), 2, "{failure}");
    let (loader, storer) = (steps[0].0.clone(), steps[1].0.clone());
    assert_ne!(loader, storer, "{failure}");
    assert_eq!(
        steps,
        vec![
            (loader.clone(), "load".into(), Some("hits".into())),
            (storer.clone(), "store".into(), Some("hits".into())),
        ]
    );
    let sentence = format!(
        "had step {} (`{loader}`: load `hits`) run after step {} (`{storer}`: store `hits`), the model passes",
        flip.first, flip.second
    );
    assert_eq!(failure.flip_sentence(), Some(sentence.clone()));
    assert!(
        failure
            .to_string()
            .contains(&format!("\nFlip point: {sentence}.\n")),
        "{failure}"
    );
    assert!(flip.replays >= 1, "{flip:?}");
    // With the default search (DPOR), the minimal schedule is `worker-0`
    // loads (3), `worker-1` loads, stores and ends (4-7), `worker-0` stores
    // (8): had `worker-1` loaded after that store, it would have read 1.
    // (Another scheduler, through WEFT_SCHEDULER, may find the mirror image.)
    if std::env::var_os("WEFT_SCHEDULER").is_none() {
        assert_eq!(
            sentence,
            "had step 4 (`worker-1`: load `hits`) run after step 8 (`worker-0`: store `hits`), the model passes"
        );
    }
}

#[cfg(feature = "shuttle")]
#[test]
fn the_flip_point_of_a_flag_race_is_the_store_before_the_load() {
    let failure = caught("flip_flag_race", weft::FailureKind::Assertion, flag_race);
    assert_eq!(failure.thread_name().as_deref(), Some("a"), "{failure}");
    assert_eq!(
        flip_steps(&failure),
        vec![
            ("b".into(), "store".into(), Some("state".into())),
            ("a".into(), "load".into(), Some("state".into())),
        ]
    );
    assert_eq!(
        failure.flip_sentence().as_deref(),
        Some("had step 3 (`b`: store `state`) run after step 6 (`a`: load `state`), the model passes"),
        "{failure}"
    );
}

#[cfg(feature = "shuttle")]
#[test]
fn the_flip_point_of_abba_is_the_second_lock_taken_too_soon() {
    let failure = caught("flip_abba", weft::FailureKind::Deadlock, abba);
    // `ab` took `lock_a` (3), `ba` took `lock_b` (4); `ab` blocks on
    // `lock_b`. Had `ba` taken `lock_b` after `ab` did, no cycle.
    let flip = failure.flip_point().unwrap_or_else(|| panic!("{failure}"));
    assert_eq!(flip.first, 4, "{failure}");
    assert_eq!(
        failure.steps().len(),
        4,
        "the blocked lock is numbered after the last step: {failure}"
    );
    assert_eq!(flip.second, 5, "{failure}");
    let lock_b_line = include_str!("flip_point.rs")
        .lines()
        .position(|l| l.contains("let _gb = b2.lock()"))
        .expect("the line is in this file")
        + 1;
    assert_eq!(
        failure.flip_sentence(),
        Some(format!(
            "had step 4 (`ba`: lock `lock_b`) run after `ab`'s blocked lock `lock_b` (at models/flip_point.rs:{lock_b_line}), the model passes"
        )),
        "{failure}"
    );
}

#[cfg(feature = "shuttle")]
#[test]
fn a_failure_no_swap_fixes_has_no_flip_point() {
    let failure = caught(
        "flip_none",
        weft::FailureKind::Assertion,
        fails_in_every_order,
    );
    assert!(failure.flip_point().is_none(), "{failure}");
    assert!(!failure.to_string().contains("Flip point"), "{failure}");
}

/// loom cannot be made to run a swapped schedule: no flip point is
/// claimed there (docs/minimal-schedules.md).
#[cfg(feature = "loom")]
#[test]
fn loom_claims_no_flip_point() {
    let failure = weft::Model::new()
        .name("flip_loom")
        .expect_failure(weft::FailureKind::Assertion)
        .check(fails_in_every_order)
        .into_caught()
        .expect("the declared failure");
    assert!(failure.flip_point().is_none(), "{failure}");
    assert!(!failure.to_string().contains("Flip point"), "{failure}");
}
