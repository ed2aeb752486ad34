//! The crate's loom suite, unchanged from plain loom. (Run on raw loom,
//! only the two tests that check the report is weft's fail.)
#![cfg(loom)]

use std::panic::{catch_unwind, AssertUnwindSafe};

use loom::sync::Arc;
use loom::thread;
use loom_port_example::Slot;

#[test]
fn put_then_take_across_threads() {
    loom::model(|| {
        let slot = Arc::new(Slot::new());
        let s2 = slot.clone();
        let t = thread::spawn(move || s2.put(7).unwrap());
        let got = slot.take();
        t.join().unwrap();
        assert!(got.is_none() || got == Some(7));
    });
}

#[test]
fn builder_with_a_preemption_bound() {
    let mut b = loom::model::Builder::new();
    b.preemption_bound = Some(2);
    b.check(|| {
        let slot = Arc::new(Slot::new());
        let s2 = slot.clone();
        let t = thread::spawn(move || s2.put(1));
        let second = slot.put(2);
        let first = t.join().unwrap();
        assert!(first.is_ok() != second.is_ok(), "exactly one put wins");
    });
}

/// loom finds the missing Release; so must weft, with weft's report.
#[test]
fn the_missing_release_is_caught_by_weft() {
    let panic = catch_unwind(AssertUnwindSafe(|| {
        loom::model(|| {
            let slot = Arc::new(Slot::broken());
            let s2 = slot.clone();
            let t = thread::spawn(move || s2.put(7).unwrap());
            let _ = slot.take();
            t.join().unwrap();
        })
    }))
    .expect_err("the bug must be found");
    let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(message.contains("weft: model"), "{message}");
    assert!(message.contains("data race"), "{message}");
}
