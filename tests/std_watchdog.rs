//! std mode: a model is a stress run on real threads, and a deadlock there
//! would hang `cargo test` forever. The runner's watchdog fails the model
//! instead, after `Model::std_timeout` (default 60 s, `WEFT_STD_TIMEOUT`),
//! and the test binary goes on. (Under a checker the same deadlock is a
//! `Deadlock` failure with its wait-for cycle: `models/deadlock.rs`.)

#![cfg(not(any(feature = "loom", feature = "shuttle")))]

use std::time::Duration;

use weft::sync::{Arc, Condvar, Mutex};
use weft::thread;

/// A condvar wait with no loop and nobody to notify it: on real threads it
/// never returns (the hang a new user met).
fn waits_forever() {
    let pair = Arc::new((Mutex::new(false), Condvar::new()));
    let p2 = Arc::clone(&pair);
    let t = thread::spawn(move || {
        let g = p2.0.lock().unwrap();
        let _g = p2.1.wait(g).unwrap();
    });
    t.join().unwrap();
}

#[test]
fn a_hanging_std_model_fails_after_its_timeout_instead_of_hanging() {
    let failure = weft::Model::new()
        .name("waits_forever")
        .std_timeout(Duration::from_millis(300))
        .expect_failure(weft::FailureKind::StepLimit)
        .check(waits_forever)
        .into_caught()
        .expect("the declared failure");
    assert_eq!(failure.kind(), weft::FailureKind::StepLimit, "{failure}");
    let report = failure.to_string();
    assert!(report.contains("did not finish within 300ms"), "{report}");
    assert!(report.contains("WEFT_STD_TIMEOUT"), "{report}");
}

#[test]
fn a_model_that_finishes_is_not_touched_by_the_watchdog() {
    let stats = weft::Model::new()
        .iterations(20)
        .std_timeout(Duration::from_secs(60))
        .explore(|| {
            let n = Arc::new(Mutex::new(0));
            let n2 = Arc::clone(&n);
            thread::spawn(move || *n2.lock().unwrap() += 1)
                .join()
                .unwrap();
            assert_eq!(*n.lock().unwrap(), 1);
        })
        .unwrap();
    assert_eq!(stats.executions(), 20);
}
