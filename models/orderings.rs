//! Data races follow the Rust (C11) memory model on every checker: a value
//! published through a `Relaxed` flag is a data race, on shuttle too
//! (which runs every atomic sequentially consistent, so only weft's
//! ordering-aware clocks can see it); Release/Acquire pairs, fences and
//! release sequences through read-modify-writes order it; a condvar
//! notification orders nothing by itself.

use weft::cell::UnsafeCell;
use weft::sync::atomic::{fence, AtomicUsize, Ordering};
use weft::sync::Arc;
use weft::thread;

/// A value and the stamp that publishes it (a lock-free queue's slot).
struct Slot {
    value: UnsafeCell<u32>,
    stamp: AtomicUsize,
}

// SAFETY: the stamp publishes the value; the racy models are the point.
unsafe impl Sync for Slot {}

fn slot() -> Arc<Slot> {
    Arc::new(Slot {
        value: UnsafeCell::new(0).named("slot.value"),
        stamp: AtomicUsize::new(0).named("slot.stamp"),
    })
}

/// The writer publishes with `publish`, the reader waits with `observe`.
fn publish_and_read(publish: Ordering, observe: Ordering) {
    let s = slot();
    let s2 = Arc::clone(&s);
    let writer = thread::Builder::new()
        .name("writer")
        .spawn(move || {
            // SAFETY: published by the stamp (or racy, when the stamp is Relaxed).
            s2.value.with_mut(|p| unsafe { *p = 42 });
            s2.stamp.store(1, publish);
        })
        .unwrap();
    if s.stamp.load(observe) == 1 {
        // SAFETY: as above.
        assert_eq!(s.value.with(|p| unsafe { *p }), 42);
    }
    writer.join().unwrap();
}

#[test]
fn a_release_store_read_by_an_acquire_load_publishes() {
    weft::model(|| publish_and_read(Ordering::Release, Ordering::Acquire));
}

/// The classic missing-Release bug: a data race on the slot, on every checker.
#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn a_relaxed_publication_is_a_data_race() {
    let failure = weft::Model::new()
        .name("relaxed_publication")
        .expect_failure(weft::FailureKind::DataRace)
        .check(|| publish_and_read(Ordering::Relaxed, Ordering::Acquire))
        .into_caught()
        .expect("the declared failure");
    assert_eq!(failure.kind(), weft::FailureKind::DataRace, "{failure}");
    let race = failure.race().expect("the two accesses");
    let mut threads = [
        failure.log().thread_name(race.first.thread),
        failure.log().thread_name(race.second.thread),
    ];
    threads.sort();
    assert_eq!(threads, ["main".to_string(), "writer".to_string()]);
    let report = failure.to_string();
    assert!(report.contains("`slot.value`"), "{report}");
    assert!(report.contains("models/orderings.rs"), "{report}");
}

/// A Relaxed load of a Release store does not acquire either.
#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn a_relaxed_load_does_not_acquire() {
    let failure = weft::Model::new()
        .name("relaxed_observe")
        .expect_failure(weft::FailureKind::DataRace)
        .check(|| publish_and_read(Ordering::Release, Ordering::Relaxed))
        .into_caught()
        .expect("the declared failure");
    assert_eq!(failure.kind(), weft::FailureKind::DataRace, "{failure}");
}

/// A Relaxed load followed by an Acquire fence acquires (fence-to-atomic
/// and atomic-to-fence synchronization).
#[test]
fn fences_pair_with_relaxed_accesses() {
    weft::model(|| {
        let s = slot();
        let s2 = Arc::clone(&s);
        let writer = thread::spawn(move || {
            // SAFETY: published by the fence and the stamp.
            s2.value.with_mut(|p| unsafe { *p = 42 });
            fence(Ordering::Release);
            s2.stamp.store(1, Ordering::Relaxed);
        });
        if s.stamp.load(Ordering::Relaxed) == 1 {
            fence(Ordering::Acquire);
            // SAFETY: as above.
            assert_eq!(s.value.with(|p| unsafe { *p }), 42);
        }
        writer.join().unwrap();
    });
}

/// A Relaxed read-modify-write by a third thread continues the release
/// sequence: the reader of its value still synchronizes with the writer.
#[test]
fn a_release_sequence_continues_through_a_relaxed_rmw() {
    weft::model(|| {
        let s = slot();
        let (s2, s3) = (Arc::clone(&s), Arc::clone(&s));
        let writer = thread::spawn(move || {
            // SAFETY: published by the stamp's release sequence.
            s2.value.with_mut(|p| unsafe { *p = 42 });
            s2.stamp.store(1, Ordering::Release);
        });
        let bumper = thread::spawn(move || {
            let _ = s3
                .stamp
                .compare_exchange(1, 2, Ordering::Relaxed, Ordering::Relaxed);
        });
        if s.stamp.load(Ordering::Acquire) == 2 {
            // SAFETY: as above.
            assert_eq!(s.value.with(|p| unsafe { *p }), 42);
        }
        writer.join().unwrap();
        bumper.join().unwrap();
    });
}
