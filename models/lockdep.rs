//! Lock-order checking (lockdep): an AB-BA inversion on a rare path that
//! never deadlocks is reported as a potential deadlock, with both
//! acquisition paths and their lines; correct programs (one order, a
//! try_lock back-off, readers, `lock_all`) are verified; `Warn` prints and
//! passes, `Off` is silent.

use weft::sync::atomic::{AtomicBool, Ordering::SeqCst};
use weft::sync::{Arc, Mutex, RwLock};
use weft::thread;
use weft::Model;
#[cfg(not(all(feature = "lockdep", not(any(feature = "loom", feature = "shuttle")))))]
use weft::Policy;

#[cfg(any(feature = "loom", feature = "shuttle"))]
use weft::FailureKind;

/// The 1-based line of the first line of this file that contains `needle`.
#[cfg(any(feature = "loom", feature = "shuttle"))]
fn line_of(needle: &str) -> u32 {
    let at = include_str!("lockdep.rs")
        .lines()
        .position(|l| l.contains(needle) && !l.contains("line_of"))
        .expect("the needle is in this file");
    at as u32 + 1
}

#[track_caller]
fn spawn_named(name: &str, f: impl FnOnce() + Send + 'static) -> thread::JoinHandle<()> {
    thread::Builder::new()
        .name(name.to_string())
        .spawn(f)
        .expect("spawn a model thread")
}

/// `posting` takes `accounts` then `journal`. `audit` takes them the
/// other way round, but only on a rare path: when it finds `posting`
/// already done. So the two orders never overlap and no execution
/// deadlocks; two audits and a posting at once could.
#[cfg_attr(
    all(feature = "lockdep", not(any(feature = "loom", feature = "shuttle"))),
    allow(dead_code)
)]
fn rare_inversion() {
    let accounts = Arc::new(Mutex::new(0).named("accounts"));
    let journal = Arc::new(Mutex::new(0).named("journal"));
    let posted = Arc::new(AtomicBool::new(false));
    let (a1, j1, p1) = (accounts.clone(), journal.clone(), posted.clone());
    let posting = spawn_named("posting", move || {
        let mut a = a1.lock().unwrap(); // posting: accounts
        *j1.lock().unwrap() += 1; // posting: journal
        *a += 1;
        drop(a);
        p1.store(true, SeqCst);
    });
    let (a2, j2, p2) = (accounts.clone(), journal.clone(), posted.clone());
    let audit = spawn_named("audit", move || {
        if p2.load(SeqCst) {
            let j = j2.lock().unwrap(); // audit: journal
            let a = a2.lock().unwrap(); // audit: accounts
            assert_eq!(*a, *j);
        }
    });
    posting.join().unwrap();
    audit.join().unwrap();
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn rare_inversion_is_a_potential_deadlock_with_both_paths() {
    let failure = Model::new()
        .name("rare_inversion")
        .expect_failure(FailureKind::PotentialDeadlock)
        .check(rare_inversion)
        .into_caught()
        .expect("the declared failure");
    assert_eq!(failure.kind(), FailureKind::PotentialDeadlock, "{failure}");
    // The execution that closed the cycle: `audit`, taking `accounts`.
    assert_eq!(failure.thread_name().as_deref(), Some("audit"));
    let closing = failure.location().expect("where the cycle closed");
    assert_eq!(closing.line, line_of("// audit: accounts"));
    let cycle = failure.lock_cycle().expect("the lock-order cycle");
    assert_eq!(cycle.locks(), ["accounts", "journal"], "{failure}");
    let [ab, ba] = &cycle.edges[..] else {
        panic!("a cycle of two edges: {cycle:?}");
    };
    assert_eq!(
        (ab.thread.as_str(), ba.thread.as_str()),
        ("posting", "audit")
    );
    assert_eq!(
        (ab.held.as_str(), ab.acquired.as_str()),
        ("accounts", "journal")
    );
    assert_eq!(ab.held_at.line, line_of("// posting: accounts"));
    assert_eq!(ab.acquired_at.line, line_of("// posting: journal"));
    assert!(ab.acquired_at.file.ends_with("models/lockdep.rs"));
    assert_eq!(
        (ba.held.as_str(), ba.acquired.as_str()),
        ("journal", "accounts")
    );
    assert_eq!(ba.held_at.line, line_of("// audit: journal"));
    assert_eq!(ba.acquired_at.line, line_of("// audit: accounts"));
    // One execution took both orders, without deadlocking.
    assert!(cycle.in_one_execution(), "{cycle:?}");
    let report = failure.to_string();
    let (pa, pj, aj, aa) = (
        line_of("// posting: accounts"),
        line_of("// posting: journal"),
        line_of("// audit: journal"),
        line_of("// audit: accounts"),
    );
    for needle in [
        "potential deadlock: `accounts` and `journal` are locked in both orders".to_string(),
        format!("`posting` locked `journal` at models/lockdep.rs:{pj} while holding `accounts` (locked at models/lockdep.rs:{pa})"),
        format!("`audit` locked `accounts` at models/lockdep.rs:{aa} while holding `journal` (locked at models/lockdep.rs:{aj})"),
        "accounts ──▶ journal".to_string(),
        "journal ──▶ accounts".to_string(),
        "◀ closes the cycle".to_string(),
    ] {
        assert!(report.contains(&needle), "`{needle}` not in\n{report}");
    }
}

/// Without the lock-order check the same model passes: no execution
/// explored deadlocks (on loom, none can), which is why only the graph
/// finds the inversion.
// Not in std mode with the `lockdep` feature: there the policy is the
// process's while a model runs, and the suite's other models (all `Fail`)
// run at once (tests/lockdep_std.rs covers the policies, one at a time).
#[cfg(not(all(feature = "lockdep", not(any(feature = "loom", feature = "shuttle")))))]
#[test]
fn rare_inversion_never_deadlocks() {
    Model::new()
        .name("rare_inversion_off")
        .lock_order(Policy::Off)
        .check(rare_inversion);
}

/// One thread, which takes `left` then `right` or `right` then `left`
/// depending on a flag another thread may have set: each execution takes
/// one order, so none can deadlock, but the search saw both.
#[cfg_attr(not(any(feature = "loom", feature = "shuttle")), allow(dead_code))]
fn inversion_across_executions() {
    let left = Arc::new(Mutex::new(()).named("left"));
    let right = Arc::new(Mutex::new(()).named("right"));
    let flag = Arc::new(AtomicBool::new(false));
    let f1 = flag.clone();
    let setter = spawn_named("setter", move || f1.store(true, SeqCst));
    let worker = spawn_named("worker", move || {
        if flag.load(SeqCst) {
            let _l = left.lock().unwrap(); // worker: left first
            let _r = right.lock().unwrap(); // worker: then right
        } else {
            let _r = right.lock().unwrap(); // worker: right first
            let _l = left.lock().unwrap(); // worker: then left
        }
    });
    setter.join().unwrap();
    worker.join().unwrap();
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn an_inversion_across_executions_names_both_executions() {
    let failure = Model::new()
        .name("inversion_across_executions")
        .expect_failure(FailureKind::PotentialDeadlock)
        .check(inversion_across_executions)
        .into_caught()
        .expect("the declared failure");
    let cycle = failure.lock_cycle().expect("the lock-order cycle");
    let [first, closing] = &cycle.edges[..] else {
        panic!("a cycle of two edges: {cycle:?}");
    };
    assert_eq!(first.thread, "worker");
    assert_eq!(closing.thread, "worker");
    let (e1, e2) = (
        first.execution.expect("a search's execution"),
        closing.execution.expect("a search's execution"),
    );
    assert!(e1 < e2, "{cycle:?}");
    assert!(!cycle.in_one_execution());
    // Whichever order came first, the other closed the cycle.
    let lines = [
        (
            line_of("// worker: left first"),
            line_of("// worker: then right"),
        ),
        (
            line_of("// worker: right first"),
            line_of("// worker: then left"),
        ),
    ];
    let taken = |e: &weft::LockOrderEdge| (e.held_at.line, e.acquired_at.line);
    assert!(
        (taken(first), taken(closing)) == (lines[0], lines[1])
            || (taken(first), taken(closing)) == (lines[1], lines[0]),
        "{cycle:?}"
    );
    let report = failure.to_string();
    assert!(
        report.contains("(different executions took the orders of the cycle)")
            && report.contains(&format!(", in execution {e1}"))
            && report.contains(&format!(", in execution {e2}")),
        "{report}"
    );
}

/// Correct programs lockdep must not report: one order everywhere;
/// readers taking two `RwLock`s in both orders; `lock_all` on two locks
/// whose addresses may sort either way from one execution to the next.
fn correct_orders() {
    let a = Arc::new(Mutex::new(0).named("a"));
    let b = Arc::new(Mutex::new(0).named("b"));
    let r1 = Arc::new(RwLock::new(0).named("r1"));
    let r2 = Arc::new(RwLock::new(0).named("r2"));
    let (a1, b1, r1a, r2a) = (a.clone(), b.clone(), r1.clone(), r2.clone());
    let forward = spawn_named("forward", move || {
        let mut ga = a1.lock().unwrap();
        *b1.lock().unwrap() += 1;
        *ga += 1;
        drop(ga);
        let _x = r1a.read().unwrap();
        let _y = r2a.read().unwrap();
    });
    let (b2, r1b, r2b) = (b.clone(), r1.clone(), r2.clone());
    let backward = spawn_named("backward", move || {
        *b2.lock().unwrap() += 1;
        // Readers never wait for readers.
        let _y = r2b.read().unwrap();
        let _x = r1b.read().unwrap();
    });
    // Boxed apart: which address is lower varies between executions.
    let (p, q) = (Arc::new(Mutex::new(0)), Arc::new(Mutex::new(0)));
    let (p1, q1) = (p.clone(), q.clone());
    let lock_all = spawn_named("lock_all", move || {
        let [mut x, mut y] = weft::lock_order::lock_all([&*p1, &*q1]).unwrap();
        (*x, *y) = (*x + 1, *y + 1);
    });
    let [mut x, mut y] = weft::lock_order::lock_all([&*q, &*p]).unwrap();
    (*x, *y) = (*x + 1, *y + 1);
    drop((x, y));
    forward.join().unwrap();
    backward.join().unwrap();
    lock_all.join().unwrap();
    assert_eq!(*p.lock().unwrap(), 2);
}

#[test]
fn correct_lock_orders_are_verified() {
    Model::new().name("correct_orders").check(correct_orders);
}

/// `b` then `a` with `try_lock`, which backs off: it never blocks, so it
/// cannot deadlock and adds no edge against `a` then `b`.
///
/// Not on loom: there, a thread that holds `b` and whose `try_lock` of
/// `a` fails while the other thread holds `a` and waits for `b` is
/// reported as a deadlock by loom itself (its `try_lock` is an opaque
/// branch), whatever lockdep says.
#[cfg(not(feature = "loom"))]
#[test]
fn a_try_lock_in_the_other_order_is_verified() {
    Model::new().name("try_lock_back_off").check(|| {
        let a = Arc::new(Mutex::new(0).named("a"));
        let b = Arc::new(Mutex::new(0).named("b"));
        let (a1, b1) = (a.clone(), b.clone());
        let forward = spawn_named("forward", move || {
            let _ga = a1.lock().unwrap();
            *b1.lock().unwrap() += 1;
        });
        let backward = spawn_named("backward", move || {
            let mut gb = b.lock().unwrap();
            if let Ok(mut ga) = a.try_lock() {
                *ga += 1;
            }
            *gb += 1;
        });
        forward.join().unwrap();
        backward.join().unwrap();
    });
}

/// A model whose cycle only this test's lock names make (the warnings
/// are per process: other tests warn too).
#[cfg_attr(
    all(feature = "lockdep", not(any(feature = "loom", feature = "shuttle"))),
    allow(dead_code)
)]
fn warned_inversion(first: &'static str, second: &'static str) -> impl Fn() + Send + Sync {
    move || {
        let x = Mutex::new(()).named(first);
        let y = Mutex::new(()).named(second);
        drop((x.lock().unwrap(), y.lock().unwrap()));
        let gy = y.lock().unwrap();
        drop((x.lock().unwrap(), gy));
    }
}

#[cfg_attr(
    all(feature = "lockdep", not(any(feature = "loom", feature = "shuttle"))),
    allow(dead_code)
)]
fn warned_of(lock: &str) -> bool {
    weft::lockdep::warned()
        .iter()
        .any(|c| c.locks().contains(&lock))
}

// Not in std mode with the `lockdep` feature: there the policy is the
// process's while a model runs, and the suite's other models (all `Fail`)
// run at once (tests/lockdep_std.rs covers the policies, one at a time).
#[cfg(not(all(feature = "lockdep", not(any(feature = "loom", feature = "shuttle")))))]
#[test]
fn warn_prints_the_cycle_and_passes() {
    let stats = Model::new()
        .name("warned_inversion")
        .lock_order(Policy::Warn)
        .check(warned_inversion("warn_x", "warn_y"));
    assert!(stats.executions() >= 1);
    // Under a checker the cycle was found, and warned of once; on real
    // threads without the `lockdep` feature nothing is recorded.
    let checked = weft::Backend::current() != weft::Backend::Std;
    assert_eq!(warned_of("warn_x"), checked || cfg!(feature = "lockdep"));
    let warned = weft::lockdep::warned();
    assert!(
        warned
            .iter()
            .filter(|c| c.locks().contains(&"warn_x"))
            .count()
            <= 1
    );
}

// Not in std mode with the `lockdep` feature: there the policy is the
// process's while a model runs, and the suite's other models (all `Fail`)
// run at once (tests/lockdep_std.rs covers the policies, one at a time).
#[cfg(not(all(feature = "lockdep", not(any(feature = "loom", feature = "shuttle")))))]
#[test]
fn off_is_silent_and_passes() {
    Model::new()
        .name("silent_inversion")
        .lock_order(Policy::Off)
        .check(warned_inversion("off_x", "off_y"));
    assert!(!warned_of("off_x"));
}

/// Python-style locks (`weft::threading`), held with no guard, feed the
/// graph too: the rare inversion with a `Lock` and an `RLock`.
#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn threading_locks_feed_the_lock_order_graph() {
    use weft::threading::{Lock, RLock};
    let failure = Model::new()
        .name("threading_inversion")
        .expect_failure(FailureKind::PotentialDeadlock)
        .check(|| {
            let table = Arc::new(Lock::new().named("table"));
            let index = Arc::new(RLock::new().named("index"));
            let done = Arc::new(AtomicBool::new(false));
            let (t1, i1, d1) = (table.clone(), index.clone(), done.clone());
            let writer = spawn_named("writer", move || {
                assert!(t1.acquire(true, None)); // writer: table
                assert!(i1.acquire(true, None)); // writer: index
                i1.release().unwrap();
                t1.release().unwrap();
                d1.store(true, SeqCst);
            });
            let reader = spawn_named("reader", move || {
                if done.load(SeqCst) {
                    let _i = index.lock(); // reader: index
                    let _t = table.lock(); // reader: table
                }
            });
            writer.join().unwrap();
            reader.join().unwrap();
        })
        .into_caught()
        .expect("the declared failure");
    let cycle = failure.lock_cycle().expect("the lock-order cycle");
    assert_eq!(cycle.locks(), ["table", "index"], "{failure}");
    let [wr, rd] = &cycle.edges[..] else {
        panic!("a cycle of two edges: {cycle:?}");
    };
    assert_eq!(
        (wr.thread.as_str(), rd.thread.as_str()),
        ("writer", "reader")
    );
    assert_eq!(wr.held_at.line, line_of("// writer: table"));
    assert_eq!(wr.acquired_at.line, line_of("// writer: index"));
    assert_eq!(rd.held_at.line, line_of("// reader: index"));
    assert_eq!(rd.acquired_at.line, line_of("// reader: table"));
}

/// A `threading::Lock` acquired by one thread and released by another (a
/// signal, as Python allows) is no longer held by the first: no edge from
/// it to what that thread locks next.
#[test]
fn a_lock_released_by_another_thread_orders_nothing_after() {
    use weft::threading::Lock;
    Model::new().name("lock_as_signal").check(|| {
        let signal = Arc::new(Lock::new().named("signal"));
        let other = Arc::new(Mutex::new(0).named("other"));
        assert!(signal.acquire(true, None));
        let (s1, o1) = (signal.clone(), other.clone());
        let releaser = spawn_named("releaser", move || {
            // Takes `other` then `signal`: an edge other → signal.
            let _o = o1.lock().unwrap();
            s1.release().unwrap();
            assert!(s1.acquire(true, None));
            s1.release().unwrap();
        });
        releaser.join().unwrap();
        // main no longer holds `signal`: locking `other` is no edge
        // signal → other, so no cycle.
        *other.lock().unwrap() += 1;
    });
}
