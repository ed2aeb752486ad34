//! `Arc` is modelled: the count's Release decrement and the Acquire before
//! the value is dropped order every owner's accesses before `Drop` (as std
//! and raw loom do); an allocation never freed is a leak; a deadlock with
//! `Arc`s on the stack is reported, never an aborted test binary. Atomics'
//! non-atomic accessors (`get_mut`, `with_mut`, `unsync_load`,
//! `into_inner`) are checked as non-atomic accesses.

use weft::cell::UnsafeCell;
use weft::sync::atomic::{AtomicUsize, Ordering};
use weft::sync::Arc;
use weft::thread;

/// A one-slot queue whose `Drop` reads the slot without a lock: correct
/// only because the last `Arc` owner acquires what the others released.
struct Slot {
    value: UnsafeCell<Option<u32>>,
    pushed: AtomicUsize,
}

// SAFETY: `push` is called by one thread, and `Drop` runs after every owner
// is gone (the Arc count orders them).
unsafe impl Sync for Slot {}

impl Slot {
    fn new() -> Slot {
        Slot {
            value: UnsafeCell::new(None).named("slot"),
            pushed: AtomicUsize::new(0).named("pushed"),
        }
    }

    fn push(&self, v: u32) {
        // SAFETY: the only writer; readers come after the Arc hand-over.
        self.value.with_mut(|p| unsafe { *p = Some(v) });
        self.pushed.fetch_add(1, Ordering::Relaxed);
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        // loom-style: `&mut self` proves no other access; read the counter
        // without synchronization, as lock-free `Drop` impls do.
        let pushed = *self.pushed.get_mut();
        // SAFETY: the last owner; the Arc count ordered the others before us.
        let value = self.value.with(|p| unsafe { *p });
        assert_eq!(
            value.is_some(),
            pushed == 1,
            "the slot and its counter agree"
        );
    }
}

/// Item 1 of the trust issue: a thread pushes and drops its clone; main
/// drops the other clone (either may be last) and only then joins.
#[test]
fn a_drop_after_the_last_arc_sees_every_owner() {
    weft::model(|| {
        let q = Arc::new(Slot::new());
        let q2 = Arc::clone(&q);
        let t = thread::Builder::new()
            .name("pusher")
            .spawn(move || {
                q2.push(7);
                drop(q2);
            })
            .unwrap();
        drop(q);
        t.join().unwrap();
    });
}

/// `Weak::upgrade` takes a strong reference that counts like a clone.
#[test]
fn a_weak_upgrade_counts_as_an_owner() {
    weft::model(|| {
        let q = Arc::new(Slot::new());
        let weak = Arc::downgrade(&q);
        let t = thread::spawn(move || {
            if let Some(q) = weak.upgrade() {
                q.push(1);
            }
        });
        drop(q);
        t.join().unwrap();
    });
}

/// `Arc::try_unwrap` and `Arc::get_mut` on the last reference acquire,
/// as std's do: the value read afterwards is not racy.
#[test]
fn the_unique_owner_may_read_without_a_lock() {
    weft::model(|| {
        let q = Arc::new(Slot::new());
        let q2 = Arc::clone(&q);
        let t = thread::spawn(move || q2.push(3));
        t.join().unwrap();
        let slot = Arc::try_unwrap(q).unwrap_or_else(|_| panic!("the only reference"));
        // SAFETY: owned.
        assert_eq!(slot.value.with(|p| unsafe { *p }), Some(3));
    });
}

/// An `Arc` cycle never frees its allocations: a leak, named by where the
/// allocation was made.
#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn an_arc_cycle_is_caught_as_a_leak() {
    use weft::sync::Mutex;
    struct Node {
        next: Mutex<Option<Arc<Node>>>,
    }
    let failure = weft::Model::new()
        .name("arc_cycle")
        .expect_failure(weft::FailureKind::Leak)
        .check(|| {
            let a = Arc::new(Node {
                next: Mutex::new(None),
            });
            let b = Arc::new(Node {
                next: Mutex::new(Some(Arc::clone(&a))),
            });
            *a.next.lock().unwrap() = Some(Arc::clone(&b));
        })
        .into_caught()
        .expect("the declared failure");
    assert_eq!(failure.kind(), weft::FailureKind::Leak, "{failure}");
    let at = failure.location().expect("the creation site");
    assert!(at.file.ends_with("models/arc.rs"), "{failure}");
    let report = failure.to_string();
    assert!(report.contains("was never freed"), "{report}");
    assert!(
        report.contains(&format!("models/arc.rs:{}", at.line)),
        "{report}"
    );
}

/// A deadlock while `Arc`s are held: the report, not an aborted binary
/// (the unwinding drops must not touch the engine any more).
#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn a_deadlock_with_arcs_held_is_reported() {
    use weft::sync::Mutex;
    let failure = weft::Model::new()
        .name("arc_deadlock")
        .expect_failure(weft::FailureKind::Deadlock)
        .check(|| {
            let locks = Arc::new((Mutex::new(()).named("a"), Mutex::new(()).named("b")));
            let l2 = Arc::clone(&locks);
            let t = thread::Builder::new()
                .name("ba")
                .spawn(move || {
                    let _b = l2.1.lock().unwrap();
                    let _a = l2.0.lock().unwrap();
                })
                .unwrap();
            {
                let _a = locks.0.lock().unwrap();
                let _b = locks.1.lock().unwrap();
            }
            t.join().unwrap();
        })
        .into_caught()
        .expect("the declared failure");
    assert_eq!(failure.kind(), weft::FailureKind::Deadlock, "{failure}");
    assert!(failure.deadlock_cycle().is_some(), "{failure}");
}

/// `with_mut`, `unsync_load` and `into_inner` on a value no other thread
/// can see any more.
#[test]
fn unsynchronized_atomic_accessors_after_a_join() {
    weft::model(|| {
        let n = Arc::new(AtomicUsize::new(0).named("n"));
        let n2 = Arc::clone(&n);
        let t = thread::spawn(move || {
            n2.fetch_add(1, Ordering::Relaxed);
        });
        t.join().unwrap();
        // SAFETY: the writer was joined.
        assert_eq!(unsafe { n.unsync_load() }, 1);
        let mut n = Arc::try_unwrap(n).unwrap_or_else(|_| panic!("the only reference"));
        n.with_mut(|v| *v += 1);
        *n.get_mut() += 1;
        assert_eq!(n.load(Ordering::SeqCst), 3);
        assert_eq!(n.into_inner(), 3);
    });
}

/// `unsync_load` while another thread may still write: a data race.
#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn an_unsync_load_racing_with_a_store_is_a_data_race() {
    let failure = weft::Model::new()
        .name("unsync_load_race")
        .expect_failure(weft::FailureKind::DataRace)
        .check(|| {
            let n = Arc::new(AtomicUsize::new(0).named("n"));
            let n2 = Arc::clone(&n);
            let t = thread::Builder::new()
                .name("writer")
                .spawn(move || n2.store(1, Ordering::Relaxed))
                .unwrap();
            // SAFETY: deliberately wrong: the writer is still running.
            let _ = unsafe { n.unsync_load() };
            t.join().unwrap();
        })
        .into_caught()
        .expect("the declared failure");
    assert_eq!(failure.kind(), weft::FailureKind::DataRace, "{failure}");
    let report = failure.to_string();
    assert!(report.contains("`n`"), "{report}");
}

/// What a thread reads of an `Arc`'s count depends on when the other
/// owners clone and drop theirs: `strong_count`, `get_mut`, `try_unwrap`
/// and `Weak::upgrade` are steps that weft's DPOR search orders against
/// those clones and drops, so that it explores every answer. (They read
/// std's count unseen, and the search called each of these models
/// verified after one or two executions, having seen one answer.)
#[cfg(feature = "shuttle")]
mod count_reads {
    use weft::sync::{Arc, Weak};
    use weft::thread;
    use weft::FailureKind;

    /// How main asks whether its reference is the only one.
    type Ask = fn(&mut Arc<u32>) -> bool;

    /// `worker` drops its reference while main asks `unique`: a model
    /// that fails when the answer is "unique", which only some orders
    /// give.
    fn fails_when_unique(unique: Ask) -> weft::Failure {
        weft::Model::new()
            .scheduler(weft::Scheduler::Dpor)
            .explore(move || {
                let mut a = Arc::new(5);
                let a2 = a.clone();
                let worker = thread::Builder::new()
                    .name("worker")
                    .spawn(move || drop(a2))
                    .unwrap();
                let seen = unique(&mut a);
                worker.join().unwrap();
                assert!(!seen, "main saw the only reference");
            })
            .expect_err("some order lets main see the only reference")
    }

    #[test]
    fn every_answer_of_a_count_read_is_explored() {
        let reads: [(&str, Ask); 4] = [
            ("strong_count", |a| Arc::strong_count(a) == 1),
            ("get_mut", |a| Arc::get_mut(a).is_some()),
            ("strong_count of a second reference", |a| {
                let mine = a.clone();
                // `mine` and `a`: the worker's is gone.
                let unique = Arc::strong_count(&mine) == 2;
                drop(mine);
                unique
            }),
            ("make_mut", |a| {
                let before: *const u32 = &**a;
                let after: *const u32 = Arc::make_mut(a);
                std::ptr::eq(before, after)
            }),
        ];
        for (name, read) in reads {
            let failure = fails_when_unique(read);
            assert_eq!(failure.kind(), FailureKind::Assertion, "{name}: {failure}");
            assert!(
                failure.message().contains("main saw the only reference"),
                "{name}: {failure}"
            );
        }
    }

    #[test]
    fn try_unwrap_and_upgrade_see_both_answers() {
        // `try_unwrap` succeeds only after the worker dropped its clone.
        let failure = weft::Model::new()
            .scheduler(weft::Scheduler::Dpor)
            .explore(|| {
                let a = Arc::new(5);
                let a2 = a.clone();
                let worker = thread::spawn(move || drop(a2));
                let took = Arc::try_unwrap(a).is_ok();
                worker.join().unwrap();
                assert!(!took, "try_unwrap took the value");
            })
            .expect_err("try_unwrap succeeds in some order");
        assert!(
            failure.message().contains("try_unwrap took the value"),
            "{failure}"
        );
        // `upgrade` fails only after the worker dropped the last owner.
        let failure = weft::Model::new()
            .scheduler(weft::Scheduler::Dpor)
            .explore(|| {
                let a = Arc::new(5);
                let w: Weak<u32> = Arc::downgrade(&a);
                let worker = thread::spawn(move || drop(a));
                let gone = w.upgrade().is_none();
                worker.join().unwrap();
                assert!(!gone, "the value was gone");
            })
            .expect_err("upgrade fails in some order");
        assert!(
            failure.message().contains("the value was gone"),
            "{failure}"
        );
    }

    /// A clone also changes what a count read sees: `worker` clones its
    /// reference while main reads the count.
    #[test]
    fn a_clone_is_ordered_against_a_count_read() {
        let failure = weft::Model::new()
            .scheduler(weft::Scheduler::Dpor)
            .explore(|| {
                let a = Arc::new(5);
                let a2 = a.clone();
                let worker = thread::spawn(move || {
                    let extra = a2.clone();
                    drop(extra);
                    drop(a2);
                });
                let count = Arc::strong_count(&a);
                worker.join().unwrap();
                assert_ne!(count, 3, "main saw the worker's clone");
            })
            .expect_err("some order lets main see the clone");
        assert!(
            failure.message().contains("main saw the worker's clone"),
            "{failure}"
        );
    }

    /// Waiting for the other owners to go with a count loop ends.
    #[test]
    fn a_strong_count_loop_is_verified() {
        let stats = weft::Model::new()
            .scheduler(weft::Scheduler::Dpor)
            .max_steps(5_000)
            .explore(|| {
                let a = Arc::new(5);
                let a2 = a.clone();
                let worker = thread::spawn(move || drop(a2));
                while Arc::strong_count(&a) > 1 {
                    thread::yield_now();
                }
                assert_eq!(Arc::try_unwrap(a).ok(), Some(5));
                worker.join().unwrap();
            })
            .unwrap_or_else(|f| panic!("{f}"));
        assert!(stats.is_search_complete(), "{stats}");
    }
}
