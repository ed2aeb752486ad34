//! `thread_local!` keeps one value per model thread (std's would be shared
//! by every model thread, which all run on one OS thread), created lazily
//! and dropped when its thread ends.

use std::cell::{Cell, RefCell};

use weft::sync::atomic::{AtomicUsize, Ordering};
use weft::sync::Arc;
use weft::thread;

weft::thread_local! {
    static MINE: Cell<u32> = Cell::new(0);
    static LOG: RefCell<Vec<u32>> = const { RefCell::new(Vec::new()) };
}

/// Counts the drops of thread-local values.
struct DropCounter(Arc<AtomicUsize>);

impl Drop for DropCounter {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

weft::thread_local! {
    static COUNTED: RefCell<Option<DropCounter>> = const { RefCell::new(None) };
}

/// Two threads each see their own value: neither sees the other's writes.
#[test]
fn each_model_thread_sees_its_own_value() {
    weft::model(|| {
        // In std mode main's value survives between the stress runs (one OS
        // thread); under a checker it is fresh in every execution.
        let before = MINE.with(Cell::get);
        LOG.with(|l| l.borrow_mut().clear());
        let t = thread::spawn(|| {
            MINE.with(|m| m.set(m.get() + 10));
            LOG.with(|l| l.borrow_mut().push(1));
            MINE.with(Cell::get)
        });
        MINE.with(|m| m.set(m.get() + 1));
        LOG.with(|l| l.borrow_mut().push(2));
        assert_eq!(t.join().unwrap(), 10);
        assert_eq!(MINE.with(Cell::get), before + 1);
        assert_eq!(LOG.with(|l| l.borrow().clone()), [2]);
        if weft::Backend::current() != weft::Backend::Std {
            assert_eq!(before, 0);
        }
    });
}

/// A thread's value is dropped when the thread ends, so the parent sees
/// the drop after `join`; main's value is fresh in the next execution.
#[test]
fn values_are_dropped_when_their_thread_ends() {
    weft::model(|| {
        // Fresh in every execution under a checker: main's value was
        // dropped at the end of the previous one (std mode reuses main's).
        if weft::Backend::current() != weft::Backend::Std {
            assert!(COUNTED.with(|c| c.borrow().is_none()));
        }
        let drops = Arc::new(AtomicUsize::new(0));
        let d = Arc::clone(&drops);
        let t = thread::spawn(move || {
            COUNTED.with(|c| *c.borrow_mut() = Some(DropCounter(d)));
        });
        t.join().unwrap();
        assert_eq!(drops.load(Ordering::SeqCst), 1);
        COUNTED.with(|c| *c.borrow_mut() = Some(DropCounter(Arc::clone(&drops))));
    });
}

/// Code that assumed one value per process (a thread-local used as a
/// global counter) is caught: each thread counts alone.
#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn a_thread_local_used_as_a_global_is_caught() {
    weft::thread_local! {
        static HITS: Cell<u32> = const { Cell::new(0) };
    }
    let failure = weft::Model::new()
        .name("thread_local_as_global")
        .expect_failure(weft::FailureKind::Assertion)
        .check(|| {
            let t = thread::spawn(|| HITS.with(|h| h.set(h.get() + 1)));
            HITS.with(|h| h.set(h.get() + 1));
            t.join().unwrap();
            assert_eq!(HITS.with(Cell::get), 2, "every thread counted");
        })
        .into_caught()
        .expect("the declared failure");
    assert_eq!(failure.kind(), weft::FailureKind::Assertion, "{failure}");
    assert!(
        failure.to_string().contains("every thread counted"),
        "{failure}"
    );
}

/// Reads `MINE` while being dropped at its thread's end: std allows it
/// (the key is alive or recreated, or reports an `AccessError`).
struct ReadsMineOnDrop;

impl Drop for ReadsMineOnDrop {
    fn drop(&mut self) {
        let _ = MINE.try_with(Cell::get);
    }
}

weft::thread_local! {
    static READER: RefCell<Option<ReadsMineOnDrop>> = const { RefCell::new(None) };
}

/// A destructor that uses another key, on a spawned thread and on main
/// (main's values are dropped when the model's closure returns).
#[test]
fn a_destructor_may_use_another_thread_local() {
    weft::model(|| {
        let t = thread::spawn(|| {
            READER.with(|r| *r.borrow_mut() = Some(ReadsMineOnDrop));
            MINE.with(|m| m.set(1));
        });
        READER.with(|r| *r.borrow_mut() = Some(ReadsMineOnDrop));
        t.join().unwrap();
    });
}

/// std's shortcuts on `Cell` and `RefCell` keys, per model thread.
#[test]
fn cell_and_refcell_key_shortcuts() {
    weft::model(|| {
        let t = thread::spawn(|| {
            MINE.set(5);
            LOG.set(vec![9]);
            (MINE.replace(6), LOG.with_borrow(|l| l.clone()))
        });
        MINE.set(1);
        LOG.with_borrow_mut(|l| *l = vec![1]);
        assert_eq!(t.join().unwrap(), (5, vec![9]));
        assert_eq!(MINE.take(), 1);
        assert_eq!(MINE.get(), 0);
        assert_eq!(LOG.replace(Vec::new()), [1]);
        assert!(LOG.take().is_empty());
    });
}
