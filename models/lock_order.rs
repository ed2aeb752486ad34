//! Models of `weft_patterns::lock_order`: locks taken in one global order
//! never deadlock, and the checked mode reports a broken order as an
//! assertion naming both locks, in every execution that breaks it, also
//! those that did not deadlock.

use weft::sync::Arc;
use weft::thread;
use weft::Model;
use weft_patterns::lock_order::{self, LockOrder, OrderedMutex};

#[cfg(any(feature = "loom", feature = "shuttle"))]
use weft::FailureKind;

/// A ledger: `accounts` (rank 1) before `journal` (rank 2).
struct Ledger {
    accounts: OrderedMutex<u32>,
    journal: OrderedMutex<u32>,
}

fn ledger() -> Arc<Ledger> {
    let order = LockOrder::new();
    Arc::new(Ledger {
        accounts: OrderedMutex::new(&order, 1, 0).named("accounts"),
        journal: OrderedMutex::new(&order, 2, 0).named("journal"),
    })
}

#[track_caller]
fn spawn_named(name: &str, f: impl FnOnce() + Send + 'static) -> thread::JoinHandle<()> {
    thread::Builder::new()
        .name(name.to_string())
        .spawn(f)
        .expect("spawn a model thread")
}

#[test]
fn lock_all_in_either_order_never_deadlocks() {
    Model::new().name("lock_all_either_order").check(|| {
        let l = ledger();
        let l1 = l.clone();
        let posting = spawn_named("posting", move || {
            let [mut a, mut j] = lock_order::lock_all([&l1.accounts, &l1.journal]).unwrap();
            *a += 1;
            *j += 1;
        });
        let l2 = l.clone();
        let audit = spawn_named("audit", move || {
            // Named the other way round: still locked accounts first.
            let [mut j, mut a] = lock_order::lock_all([&l2.journal, &l2.accounts]).unwrap();
            *a += 1;
            *j += 1;
        });
        posting.join().unwrap();
        audit.join().unwrap();
        assert_eq!(*l.accounts.lock().unwrap(), 2);
        assert_eq!(*l.journal.lock().unwrap(), 2);
    });
}

#[test]
fn ranked_locks_taken_by_increasing_rank_are_verified() {
    Model::new().name("increasing_rank").check(|| {
        let l = ledger();
        let workers: Vec<_> = (0..2)
            .map(|i| {
                let l = l.clone();
                spawn_named(&format!("worker-{i}"), move || {
                    let mut a = l.accounts.lock().unwrap();
                    let mut j = l.journal.lock().unwrap();
                    *a += 1;
                    *j += 1;
                })
            })
            .collect();
        for w in workers {
            w.join().unwrap();
        }
        assert_eq!(*l.journal.lock().unwrap(), 2);
    });
}

const AUDIT_JOURNAL_LINE: u32 = line!() + 14;
const AUDIT_ACCOUNTS_LINE: u32 = line!() + 14;
/// `posting` respects the order; `audit` takes `journal` then `accounts`.
#[cfg_attr(not(any(feature = "loom", feature = "shuttle")), allow(dead_code))]
fn inverted_audit_model() {
    let l = ledger();
    let l1 = l.clone();
    let posting = spawn_named("posting", move || {
        let _a = l1.accounts.lock().unwrap();
        let _j = l1.journal.lock().unwrap();
    });
    let l2 = l.clone();
    let audit = spawn_named("audit", move || {
        // BUG: journal (rank 2) first, then accounts (rank 1).
        let _j = l2.journal.lock().unwrap();
        let _a = l2.accounts.lock().unwrap();
    });
    posting.join().unwrap();
    audit.join().unwrap();
}

#[test]
#[cfg(any(feature = "loom", feature = "shuttle"))]
fn inverted_order_is_an_assertion_naming_both_locks() {
    let failure = Model::new()
        .name("inverted_audit")
        .expect_failure(FailureKind::Assertion)
        .check(inverted_audit_model)
        .into_caught()
        .expect("the declared failure");
    // The check runs before blocking: never a deadlock, always this.
    assert_eq!(failure.kind(), FailureKind::Assertion);
    assert_eq!(failure.thread_name().as_deref(), Some("audit"));
    let file = file!();
    assert_eq!(
        failure.message(),
        format!(
            "lock order violated: thread `audit` locks `accounts` (rank 1) at \
             {file}:{AUDIT_ACCOUNTS_LINE} while holding `journal` (rank 2), locked at \
             {file}:{AUDIT_JOURNAL_LINE}; take locks by increasing rank"
        )
    );
    let report = failure.to_string();
    assert!(
        report.contains("accounts") && report.contains("journal"),
        "{report}"
    );
}

/// Even one thread alone, with nothing to deadlock against, is caught.
#[test]
#[cfg(any(feature = "loom", feature = "shuttle"))]
fn inverted_order_is_caught_without_any_contention() {
    let failure = Model::new()
        .name("inverted_alone")
        .expect_failure(FailureKind::Assertion)
        .check(|| {
            let l = ledger();
            let l2 = l.clone();
            spawn_named("audit", move || {
                let _j = l2.journal.lock().unwrap();
                let _a = l2.accounts.lock().unwrap();
            })
            .join()
            .unwrap();
        })
        .into_caught()
        .expect("the declared failure");
    assert_eq!(failure.kind(), FailureKind::Assertion);
    assert!(
        failure
            .message()
            .starts_with("lock order violated: thread `audit` locks `accounts` (rank 1)"),
        "{failure}"
    );
}

/// Three philosophers with ranked forks, the last one reaching across the
/// table (fork[2], then fork[0]): the checked order catches it as an
/// assertion, whether or not this execution deadlocks.
#[cfg_attr(not(any(feature = "loom", feature = "shuttle")), allow(dead_code))]
fn ranked_naive_philosophers_model() {
    let order = LockOrder::new();
    let forks: Arc<Vec<OrderedMutex<()>>> = Arc::new(
        (0..3)
            .map(|i| OrderedMutex::new(&order, i, ()).named(format!("fork[{i}]")))
            .collect(),
    );
    let philosophers: Vec<_> = (0..3)
        .map(|seat| {
            let forks = forks.clone();
            spawn_named(&format!("philosopher-{seat}"), move || {
                let _left = forks[seat].lock().unwrap();
                let _right = forks[(seat + 1) % 3].lock().unwrap();
            })
        })
        .collect();
    for p in philosophers {
        p.join().unwrap();
    }
}

#[test]
#[cfg(any(feature = "loom", feature = "shuttle"))]
fn ranked_naive_philosophers_are_caught_as_an_order_violation() {
    let failure = Model::new()
        .name("ranked_naive_philosophers")
        .expect_failure(FailureKind::Assertion)
        .check(ranked_naive_philosophers_model)
        .into_caught()
        .expect("the declared failure");
    assert_eq!(failure.kind(), FailureKind::Assertion);
    assert_eq!(failure.thread_name().as_deref(), Some("philosopher-2"));
    assert!(
        failure
            .message()
            .starts_with("lock order violated: thread `philosopher-2` locks `fork[0]` (rank 0)")
            && failure
                .message()
                .contains("while holding `fork[2]` (rank 2)"),
        "{failure}"
    );
}

/// The line constants point at the lock statements the messages name.
#[test]
fn line_constants_point_at_the_locks() {
    let source: Vec<&str> = include_str!("lock_order.rs").lines().collect();
    let line = |n: u32| source[n as usize - 1].trim();
    assert_eq!(
        line(AUDIT_JOURNAL_LINE),
        "let _j = l2.journal.lock().unwrap();"
    );
    assert_eq!(
        line(AUDIT_ACCOUNTS_LINE),
        "let _a = l2.accounts.lock().unwrap();"
    );
}
