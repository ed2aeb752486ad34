//! `lazy_static!` and `LazyLock` statics are per execution under a
//! checker (a value initialised in one execution is fresh in the next, as
//! with loom's `lazy_static!`), std's in std mode.

use weft::sync::atomic::{AtomicUsize, Ordering};
use weft::sync::{Arc, LazyLock, Mutex};
use weft::thread;

weft::lazy_static! {
    static ref VISITS: AtomicUsize = AtomicUsize::new(0);
}

static NAMES: LazyLock<Mutex<Vec<&'static str>>> = LazyLock::new(|| Mutex::new(Vec::new()));

/// Every execution starts from a fresh static: the count is exactly the
/// two visits of this execution (std mode runs the model once per process
/// run, so there it only checks it grew by two).
#[test]
fn a_lazy_static_is_fresh_in_every_execution() {
    weft::model(|| {
        let before = VISITS.load(Ordering::SeqCst);
        let t = thread::spawn(|| {
            VISITS.fetch_add(1, Ordering::SeqCst);
        });
        VISITS.fetch_add(1, Ordering::SeqCst);
        t.join().unwrap();
        let after = VISITS.load(Ordering::SeqCst);
        if weft::Backend::current() == weft::Backend::Std {
            assert_eq!(after, before + 2);
        } else {
            assert_eq!((before, after), (0, 2));
        }
    });
}

/// Two threads race to initialise a `LazyLock` holding a modelled lock;
/// the value (and its `Arc`s, no leak) is dropped when the execution ends.
#[test]
fn a_lazy_lock_is_initialised_once_per_execution() {
    static SHARED: LazyLock<Arc<Mutex<u32>>> = LazyLock::new(|| Arc::new(Mutex::new(0)));
    weft::model(|| {
        let t = thread::spawn(|| {
            *SHARED.lock().unwrap() += 1;
            NAMES.lock().unwrap().push("child");
        });
        *SHARED.lock().unwrap() += 1;
        t.join().unwrap();
        let n = *SHARED.lock().unwrap();
        if weft::Backend::current() != weft::Backend::Std {
            assert_eq!(n, 2);
            assert_eq!(*NAMES.lock().unwrap(), ["child"]);
        }
    });
}

/// Each execution sees exactly its own calls, whichever thread goes first:
/// a "first caller" count is right in every execution, not only the first.
#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn each_execution_counts_only_its_own_calls() {
    weft::lazy_static! {
        static ref CALLS: AtomicUsize = AtomicUsize::new(0);
    }
    let stats = weft::Model::new()
        .name("lazy_static_fresh")
        .explore(|| {
            let t = thread::spawn(|| CALLS.fetch_add(1, Ordering::SeqCst));
            let mine = CALLS.fetch_add(1, Ordering::SeqCst);
            let theirs = t.join().unwrap();
            assert_eq!(mine + theirs, 1, "one of the two calls was the first");
        })
        .unwrap();
    assert!(stats.executions() > 1, "{stats:?}");
}

/// A slot in a lazy static written by two threads with nothing ordering
/// them: the static's objects are modelled, so this is a data race.
#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn a_race_inside_a_lazy_static_is_caught() {
    use weft::cell::UnsafeCell;
    struct Slot(UnsafeCell<u32>);
    // SAFETY: deliberately unsound: the model shows the race is caught.
    unsafe impl Sync for Slot {}
    weft::lazy_static! {
        static ref SLOT: Slot = Slot(UnsafeCell::new(0).named("static slot"));
    }
    let failure = weft::Model::new()
        .name("lazy_static_race")
        .expect_failure(weft::FailureKind::DataRace)
        .check(|| {
            let t = thread::Builder::new()
                .name("writer")
                // SAFETY: deliberately wrong: main writes concurrently.
                .spawn(|| SLOT.0.with_mut(|p| unsafe { *p = 1 }))
                .unwrap();
            // SAFETY: deliberately wrong: the writer is running.
            SLOT.0.with_mut(|p| unsafe { *p = 2 });
            t.join().unwrap();
        })
        .into_caught()
        .expect("the declared failure");
    assert_eq!(failure.kind(), weft::FailureKind::DataRace, "{failure}");
    assert!(failure.to_string().contains("static slot"), "{failure}");
}
