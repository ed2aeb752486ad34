//! Two threads writing one `UnsafeCell` with nothing ordering them: a data
//! race, found by loom itself and on shuttle by weft's vector clocks.

use weft::cell::UnsafeCell;
use weft::sync::{Arc, Mutex};
use weft::thread;

struct Shared(UnsafeCell<u32>);
// SAFETY: the racy model below is the point of the test; the verified one
// orders every access with a mutex.
unsafe impl Sync for Shared {}

#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn unsynchronised_writes_are_caught_as_a_data_race() {
    let failure = weft::Model::new()
        .name("cell_race")
        .expect_failure(weft::FailureKind::DataRace)
        .check(|| {
            let s = Arc::new(Shared(UnsafeCell::new(0).named("slot")));
            let s2 = s.clone();
            let t = thread::Builder::new()
                .name("writer")
                .spawn(move || s2.0.with_mut(|p| unsafe { *p = 1 }))
                .unwrap();
            s.0.with_mut(|p| unsafe { *p = 2 });
            t.join().unwrap();
        })
        .into_caught()
        .expect("the declared failure");
    assert_eq!(failure.kind(), weft::FailureKind::DataRace, "{failure}");
    // The schedule is shrunk before it is reported: no preemption: the race is there in the plainest order.
    let shrunk = failure.shrunk().expect("a searched failure is shrunk");
    assert_eq!(shrunk.preemptions, 0, "{failure}");
    assert!(shrunk.steps <= shrunk.first_steps, "{failure}");
    assert!(
        failure
            .to_string()
            .contains("The schedule shown is minimal: 0 preemptions,"),
        "{failure}"
    );
    let race = failure.race().expect("the two accesses");
    let mut threads = [
        failure.log().thread_name(race.first.thread),
        failure.log().thread_name(race.second.thread),
    ];
    threads.sort();
    assert_eq!(threads, ["main".to_string(), "writer".to_string()]);
    assert_eq!(race.first.kind, weft::AccessKind::Write);
    assert_eq!(race.second.kind, weft::AccessKind::Write);
    assert!(race.first.location.file.ends_with("models/data_race.rs"));
    let report = failure.to_string();
    assert!(report.contains("`slot`"), "{report}");
    assert!(report.contains("no happens-before orders them"), "{report}");
}

#[test]
fn writes_ordered_by_a_mutex_are_verified() {
    weft::model(|| {
        let s = Arc::new((
            Mutex::new(()).named("guard"),
            Shared(UnsafeCell::new(0).named("slot")),
        ));
        let s2 = s.clone();
        let t = thread::spawn(move || {
            let _g = s2.0.lock().unwrap();
            // SAFETY: the mutex orders every access to the cell.
            s2.1 .0.with_mut(|p| unsafe { *p += 1 });
        });
        {
            let _g = s.0.lock().unwrap();
            // SAFETY: as above.
            s.1 .0.with_mut(|p| unsafe { *p += 1 });
        }
        t.join().unwrap();
        let _g = s.0.lock().unwrap();
        // SAFETY: as above.
        assert_eq!(s.1 .0.with(|p| unsafe { *p }), 2);
    });
}

#[test]
fn a_join_orders_the_child_before_the_parent() {
    weft::model(|| {
        let s = Arc::new(Shared(UnsafeCell::new(0).named("slot")));
        let s2 = s.clone();
        // SAFETY: the join orders the child's write before the parent's read.
        let t = thread::spawn(move || s2.0.with_mut(|p| unsafe { *p = 5 }));
        t.join().unwrap();
        // SAFETY: as above.
        assert_eq!(s.0.with(|p| unsafe { *p }), 5);
    });
}
