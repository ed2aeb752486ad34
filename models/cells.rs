//! loom's cell API: `UnsafeCell::get`/`get_mut` guards and `Cell`, whose
//! accesses are race-checked on both checkers.

use weft::cell::{Cell, UnsafeCell};
use weft::sync::atomic::{AtomicBool, Ordering};
use weft::sync::{Arc, Mutex};
use weft::thread;

/// Shares a `Cell` across threads, as only broken code does: the checker
/// must see through it.
struct Shared<T>(T);

// SAFETY: deliberately unsound for `Cell`; the models below use it either
// behind a lock (sound) or to show that the race is caught.
unsafe impl<T> Sync for Shared<T> {}

/// Guards taken under a lock are ordered by it: verified.
#[test]
fn guard_pointers_ordered_by_a_mutex_are_verified() {
    weft::model(|| {
        let cell = Arc::new(Shared((
            Mutex::new(()),
            UnsafeCell::new(0u32).named("slot"),
        )));
        let c2 = Arc::clone(&cell);
        let t = thread::spawn(move || {
            let _g = c2.0 .0.lock().unwrap();
            let w = c2.0 .1.get_mut();
            // SAFETY: the mutex is held: no other access.
            unsafe { *w.deref() += 1 };
        });
        {
            let _g = cell.0 .0.lock().unwrap();
            // SAFETY: the mutex is held: no write in progress.
            let v = cell.0 .1.get().with(|p| unsafe { *p });
            assert!(v <= 1);
        }
        t.join().unwrap();
        // SAFETY: joined: no other access.
        assert_eq!(unsafe { *cell.0 .1.get().deref() }, 1);
    });
}

/// A `get_mut` guard in one thread and a `get` in another, unordered: a
/// data race that names both sites.
#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn unordered_guard_pointers_are_a_data_race() {
    let failure = weft::Model::new()
        .name("guard_race")
        .expect_failure(weft::FailureKind::DataRace)
        .check(|| {
            let cell = Arc::new(Shared(UnsafeCell::new(0u32).named("slot")));
            let c2 = Arc::clone(&cell);
            let t = thread::Builder::new()
                .name("writer")
                .spawn(move || {
                    // SAFETY: deliberately wrong: main reads concurrently.
                    unsafe { *c2.0.get_mut().deref() = 1 };
                })
                .unwrap();
            // SAFETY: deliberately wrong: the writer is running.
            let _ = unsafe { *cell.0.get().deref() };
            t.join().unwrap();
        })
        .into_caught()
        .expect("the declared failure");
    assert_eq!(failure.kind(), weft::FailureKind::DataRace, "{failure}");
    assert!(failure.to_string().contains("slot"), "{failure}");
}

/// A `Cell` published with Release/Acquire: verified on both checkers.
#[test]
fn a_cell_published_by_release_acquire_is_verified() {
    weft::model(|| {
        let s = Arc::new(Shared((Cell::new(0u32), AtomicBool::new(false))));
        let s2 = Arc::clone(&s);
        let t = thread::spawn(move || {
            s2.0 .0.set(7);
            s2.0 .1.store(true, Ordering::Release);
        });
        if s.0 .1.load(Ordering::Acquire) {
            assert_eq!(s.0 .0.get(), 7);
        }
        t.join().unwrap();
        assert_eq!(s.0 .0.replace(8), 7);
        assert_eq!(s.0 .0.take(), 8);
    });
}

/// Two threads `set` one `Cell` with nothing ordering them: a data race.
#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn a_cell_shared_without_synchronization_is_a_data_race() {
    let failure = weft::Model::new()
        .name("cell_race")
        .expect_failure(weft::FailureKind::DataRace)
        .check(|| {
            let s = Arc::new(Shared(Cell::new(0u32).named("counter")));
            let s2 = Arc::clone(&s);
            let t = thread::Builder::new()
                .name("setter")
                .spawn(move || s2.0.set(1))
                .unwrap();
            s.0.set(2);
            t.join().unwrap();
        })
        .into_caught()
        .expect("the declared failure");
    assert_eq!(failure.kind(), weft::FailureKind::DataRace, "{failure}");
    assert!(failure.to_string().contains("counter"), "{failure}");
}

/// `available_parallelism` is the facade's: a fixed 2 under a checker,
/// the machine's in std mode.
#[test]
fn available_parallelism_goes_through_the_facade() {
    weft::model(|| {
        let n = thread::available_parallelism().unwrap().get();
        if weft::Backend::current() == weft::Backend::Std {
            assert!(n >= 1);
        } else {
            assert_eq!(n, 2);
        }
    });
}
