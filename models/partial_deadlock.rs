//! Partial deadlocks (shuttle issue #67): a wait-for cycle among some
//! threads is reported as a deadlock the moment it forms, while other
//! threads still run, naming the threads of the cycle, what each holds and
//! waits for, and the threads that were still running. Waits that a
//! running thread could still end (a lock whose holder runs, a channel
//! with a live sender) are never reported.

use weft::sync::atomic::{AtomicBool, Ordering};
use weft::sync::{mpsc, Arc, Barrier, Mutex, RwLock};
use weft::thread;

#[cfg(any(feature = "loom", feature = "shuttle"))]
/// The 1-based line of the first line of this file that contains `needle`.
fn line_of(needle: &str) -> u32 {
    let at = include_str!("partial_deadlock.rs")
        .lines()
        .position(|l| l.contains(needle) && !l.contains("line_of"))
        .expect("the needle is in this file");
    at as u32 + 1
}

/// Spawns a thread called `name` (the reports below name threads).
fn named<T: Send + 'static>(
    name: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> thread::JoinHandle<T> {
    thread::Builder::new().name(name).spawn(f).unwrap()
}

/// A thread that yields until `stop` is set: when nobody ever sets it, it
/// runs for as long as the execution does.
fn spinner(stop: Arc<AtomicBool>) -> thread::JoinHandle<()> {
    named("spinner", move || {
        while !stop.load(Ordering::Acquire) {
            thread::yield_now();
        }
    })
}

/// The failure of the model `f` (called `name`, explored with at most
/// `max_steps` steps an execution): a partial deadlock, with `spinner`
/// still running.
#[cfg(any(feature = "loom", feature = "shuttle"))]
fn partial_deadlock(name: &str, max_steps: usize, f: fn()) -> weft::Failure {
    let failure = weft::Model::new()
        .name(name)
        .max_steps(max_steps)
        .explore(f)
        .unwrap_err();
    assert_eq!(failure.kind(), weft::FailureKind::Deadlock, "{failure}");
    assert!(failure.is_partial_deadlock(), "{failure}");
    assert_eq!(
        failure.running_threads(),
        vec!["spinner".to_string()],
        "{failure}"
    );
    let report = failure.to_string();
    assert!(
        report.contains(
            "deadlock (partial: some threads wait for each other while others still run)"
        ),
        "{report}"
    );
    assert!(report.contains("Still running: `spinner`"), "{report}");
    failure
}

/// The failure read back from its trace file (what `cargo weft show`
/// reads), which must say the same.
#[cfg(any(feature = "loom", feature = "shuttle"))]
fn read_back(failure: &weft::Failure) -> weft::Failure {
    let trace = failure.trace_path().expect("a trace file");
    let back = weft_check::trace::read_trace(trace)
        .expect("the trace reads back")
        .to_failure();
    assert!(back.is_partial_deadlock(), "{back}");
    assert_eq!(back.running_threads(), failure.running_threads());
    back
}

/// `ab` and `ba` take two locks in opposite orders while `spinner` runs
/// until main has joined both: when the two deadlock, `spinner` never stops,
/// so no moment comes when every thread is blocked.
#[cfg_attr(not(any(feature = "loom", feature = "shuttle")), allow(dead_code))]
fn abba_beside_a_spinner() {
    let a = Arc::new(Mutex::new(()).named("lock_a"));
    let b = Arc::new(Mutex::new(()).named("lock_b"));
    let stop = Arc::new(AtomicBool::new(false));
    let spin = spinner(stop.clone());
    let (a2, b2) = (a.clone(), b.clone());
    let ab = named("ab", move || {
        let _ga = a2.lock().unwrap(); // ab takes lock_a
        let _gb = b2.lock().unwrap(); // ab wants lock_b
    });
    let ba = named("ba", move || {
        let _gb = b.lock().unwrap(); // ba takes lock_b
        let _ga = a.lock().unwrap(); // ba wants lock_a
    });
    ab.join().unwrap();
    ba.join().unwrap();
    stop.store(true, Ordering::Release);
    spin.join().unwrap();
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn abba_beside_a_running_thread_is_a_partial_deadlock() {
    let failure = partial_deadlock("abba_beside_a_spinner", 5_000, abba_beside_a_spinner);
    let cycle = failure
        .deadlock_cycle()
        .unwrap_or_else(|| panic!("no lock cycle in {failure}"));
    assert_eq!(cycle.len(), 2, "{failure}");
    let edge = |name: &str| {
        cycle
            .iter()
            .find(|e| e.thread == name)
            .unwrap_or_else(|| panic!("`{name}` in the cycle of {failure}"))
    };
    let (ab, ba) = (edge("ab"), edge("ba"));
    let (held, at) = ab.holds.clone().expect("`ab` holds a lock");
    assert_eq!(held, "lock_a");
    assert_eq!(at.line, line_of("// ab takes lock_a"));
    assert!(
        at.file.ends_with("models/partial_deadlock.rs"),
        "{}",
        at.file
    );
    assert_eq!(ab.waits_for, "lock_b");
    assert_eq!(ab.waits_at.line, line_of("// ab wants lock_b"));
    assert_eq!(ab.held_by, "ba");
    let (held, at) = ba.holds.clone().expect("`ba` holds a lock");
    assert_eq!(held, "lock_b");
    assert_eq!(at.line, line_of("// ba takes lock_b"));
    assert_eq!(ba.waits_for, "lock_a");
    assert_eq!(ba.waits_at.line, line_of("// ba wants lock_a"));
    assert_eq!(ba.held_by, "ab");
    // Found the moment the cycle closed: at the second thread's lock call.
    let closed_at = failure.location().expect("where the cycle closed").line;
    assert!(
        closed_at == line_of("// ab wants lock_b") || closed_at == line_of("// ba wants lock_a"),
        "{failure}"
    );
    let back = read_back(&failure);
    assert!(
        back.to_string().contains("Still running: `spinner`"),
        "{back}"
    );
}

/// The threads and lines of a deadlock's cycle, sorted: what every
/// scheduler and a replay must agree on.
#[cfg(any(feature = "loom", feature = "shuttle"))]
fn cycle_of(failure: &weft::Failure) -> Vec<(String, String, u32)> {
    let mut edges: Vec<(String, String, u32)> = failure
        .deadlock_cycle()
        .unwrap_or_else(|| panic!("no cycle in {failure}"))
        .iter()
        .map(|e| (e.thread.clone(), e.waits_for.clone(), e.waits_at.line))
        .collect();
    edges.sort();
    edges
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn every_scheduler_reports_the_partial_deadlock_and_a_replay_reproduces_it() {
    let expected = vec![
        (
            "ab".to_string(),
            "lock_b".to_string(),
            line_of("// ab wants lock_b"),
        ),
        (
            "ba".to_string(),
            "lock_a".to_string(),
            line_of("// ba wants lock_a"),
        ),
    ];
    // On loom, loom's exhaustive search runs whatever the scheduler says.
    // Not shuttle's DFS: it never switches away from a thread that only
    // yields, so its first execution is `spinner` spinning to the step
    // limit before `ab` or `ba` ran (the model counts on fairness).
    for (name, scheduler) in [
        ("abba_beside_a_spinner_dpor", weft::SchedulerKind::Dpor),
        ("abba_beside_a_spinner_random", weft::SchedulerKind::Random),
        (
            "abba_beside_a_spinner_pct",
            weft::SchedulerKind::Pct { depth: 2 },
        ),
    ] {
        let found = weft::Model::new()
            .name(name)
            .scheduler(scheduler)
            .seed(7)
            .iterations(2_000)
            .max_steps(5_000)
            .expect_failure(weft::FailureKind::Deadlock)
            .check(abba_beside_a_spinner)
            .into_caught()
            .unwrap_or_else(|| panic!("{scheduler:?} found no deadlock"));
        assert_eq!(found.kind(), weft::FailureKind::Deadlock, "{found}");
        assert!(found.is_partial_deadlock(), "{scheduler:?}: {found}");
        assert_eq!(cycle_of(&found), expected, "{scheduler:?}: {found}");
        assert!(
            found.running_threads().contains(&"spinner".to_string()),
            "{scheduler:?}: {found}"
        );
        let trace = found.trace_path().expect("a trace file").to_path_buf();
        let again = weft::Model::new()
            .name(name)
            .replay(&trace)
            .max_steps(5_000)
            .expect_failure(weft::FailureKind::Deadlock)
            .check(abba_beside_a_spinner)
            .into_caught()
            .unwrap_or_else(|| panic!("the replay of {} passed", trace.display()));
        assert!(again.is_partial_deadlock(), "{again}");
        assert_eq!(again.message(), found.message());
        assert_eq!(cycle_of(&again), expected, "{again}");
        assert_eq!(again.steps().len(), found.steps().len(), "{again}");
    }
}

/// `first` joins `second`, which joins `first`: the handles meet through a
/// mutex, while `bystander` spins and main waits for it.
#[cfg_attr(not(any(feature = "loom", feature = "shuttle")), allow(dead_code))]
fn join_cycle_beside_a_spinner() {
    let slot: Arc<Mutex<Option<thread::JoinHandle<()>>>> = Arc::new(Mutex::new(None));
    let spin = spinner(Arc::new(AtomicBool::new(false)));
    let (tx, rx) = mpsc::channel::<()>();
    let s = slot.clone();
    let first = named("first", move || {
        rx.recv().unwrap();
        let second = s.lock().unwrap().take().expect("main put it there");
        second.join().unwrap(); // first joins second
    });
    let second = named("second", move || {
        first.join().unwrap(); // second joins first
    });
    *slot.lock().unwrap() = Some(second);
    tx.send(()).unwrap();
    spin.join().unwrap();
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn a_join_cycle_beside_a_running_thread_is_a_partial_deadlock() {
    let failure = partial_deadlock(
        "join_cycle_beside_a_spinner",
        5_000,
        join_cycle_beside_a_spinner,
    );
    let cycle = failure
        .deadlock_cycle()
        .unwrap_or_else(|| panic!("no join cycle in {failure}"));
    let mut pairs: Vec<(String, String, u32)> = cycle
        .iter()
        .map(|e| (e.thread.clone(), e.waits_for.clone(), e.waits_at.line))
        .collect();
    pairs.sort();
    assert_eq!(
        pairs,
        vec![
            (
                "first".to_string(),
                "second".to_string(),
                line_of("// first joins second")
            ),
            (
                "second".to_string(),
                "first".to_string(),
                line_of("// second joins first")
            ),
        ],
        "{failure}"
    );
    assert!(cycle.iter().all(|e| e.holds.is_none()), "{failure}");
}

/// A writer waits for a reader that waits for the writer's other lock,
/// while `spinner` runs until main has joined both: an `RwLock` edge goes
/// to every holder the waiter must wait out.
#[cfg_attr(not(any(feature = "loom", feature = "shuttle")), allow(dead_code))]
fn rwlock_cycle_beside_a_spinner() {
    let table = Arc::new(RwLock::new(0).named("table"));
    let index = Arc::new(Mutex::new(0).named("index"));
    let stop = Arc::new(AtomicBool::new(false));
    let spin = spinner(stop.clone());
    let (t2, i2) = (table.clone(), index.clone());
    let reader = named("reader", move || {
        let _r = t2.read().unwrap(); // reader reads table
        let _i = i2.lock().unwrap(); // reader wants index
    });
    let writer = named("writer", move || {
        let _i = index.lock().unwrap(); // writer takes index
        let _w = table.write().unwrap(); // writer wants table
    });
    reader.join().unwrap();
    writer.join().unwrap();
    stop.store(true, Ordering::Release);
    spin.join().unwrap();
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn an_rwlock_cycle_beside_a_running_thread_is_a_partial_deadlock() {
    let failure = partial_deadlock(
        "rwlock_cycle_beside_a_spinner",
        5_000,
        rwlock_cycle_beside_a_spinner,
    );
    let cycle = failure
        .deadlock_cycle()
        .unwrap_or_else(|| panic!("no lock cycle in {failure}"));
    // Thread, the lock it holds with its line, the lock it waits for.
    type Edge = (String, Option<(String, u32)>, String);
    let mut edges: Vec<Edge> = cycle
        .iter()
        .map(|e| {
            (
                e.thread.clone(),
                e.holds.clone().map(|(name, at)| (name, at.line)),
                e.waits_for.clone(),
            )
        })
        .collect();
    edges.sort();
    assert_eq!(
        edges,
        vec![
            (
                "reader".to_string(),
                Some(("table".to_string(), line_of("// reader reads table"))),
                "index".to_string()
            ),
            (
                "writer".to_string(),
                Some(("index".to_string(), line_of("// writer takes index"))),
                "table".to_string()
            ),
        ],
        "{failure}"
    );
}

/// `holder` keeps `lock` over many yields while `waiter` waits for it, and
/// `waiter` holds `other` meanwhile: a waiter whose holder still runs is
/// no deadlock, however long the holder takes.
#[test]
fn a_waiter_whose_holder_runs_is_no_deadlock() {
    weft::model(|| {
        let lock = Arc::new(Mutex::new(0).named("lock"));
        let other = Arc::new(Mutex::new(0).named("other"));
        let (l2, o2) = (lock.clone(), other.clone());
        let waiter = named("waiter", move || {
            let _o = o2.lock().unwrap();
            *l2.lock().unwrap() += 1;
        });
        {
            let mut g = lock.lock().unwrap();
            for _ in 0..3 {
                thread::yield_now();
            }
            *g += 1;
        }
        waiter.join().unwrap();
        *other.lock().unwrap() += 1;
        assert_eq!(*lock.lock().unwrap(), 2);
    });
}

/// `a` and `b` each receive from the other's channel, but main keeps a
/// sender of each and sends on both: a receive with a live, running sender
/// is no deadlock.
#[test]
fn a_receive_whose_other_sender_runs_is_no_deadlock() {
    weft::model(|| {
        let (to_a, from_b) = mpsc::channel::<u32>();
        let (to_b, from_a) = mpsc::channel::<u32>();
        let (main_to_a, main_to_b) = (to_a.clone(), to_b.clone());
        let a = named("a", move || {
            let got = from_b.recv().unwrap();
            drop(to_b);
            got
        });
        let b = named("b", move || {
            let got = from_a.recv().unwrap();
            drop(to_a);
            got
        });
        main_to_a.send(1).unwrap();
        main_to_b.send(2).unwrap();
        assert_eq!(a.join().unwrap() + b.join().unwrap(), 3);
    });
}

/// `a` and `b` each receive from a channel whose only sender the other
/// thread holds: a knot, while `spinner` runs. weft cannot name it when it
/// forms (a `Sender` can move to any thread without weft seeing it, so a
/// running thread might still send), but at the step limit nothing has
/// woken either: that is the partial deadlock, not the spinner's steps.
#[cfg_attr(not(any(feature = "loom", feature = "shuttle")), allow(dead_code))]
fn channel_knot_beside_a_spinner() {
    let spin = spinner(Arc::new(AtomicBool::new(false)));
    let (to_a, from_b) = mpsc::channel::<u32>(); // knot
    let (to_b, from_a) = mpsc::channel::<u32>(); // knot
    let _a = named("a", move || {
        let _ = from_b.recv(); // a waits for b
        to_b.send(1).unwrap();
    });
    let _b = named("b", move || {
        let _ = from_a.recv(); // b waits for a
        to_a.send(2).unwrap();
    });
    spin.join().unwrap();
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn a_channel_knot_is_a_partial_deadlock_at_the_step_limit() {
    let failure = partial_deadlock(
        "channel_knot_beside_a_spinner",
        300,
        channel_knot_beside_a_spinner,
    );
    assert_eq!(
        failure.stuck_threads(),
        vec!["a".to_string(), "b".to_string()],
        "{failure}"
    );
    // The failure is the wait that closed the knot: one of the receives.
    let at = failure.location().expect("where the knot closed").line;
    assert!(
        at == line_of("// a waits for b") || at == line_of("// b waits for a"),
        "{failure}"
    );
    assert!(
        failure
            .message()
            .contains("at the step limit (300 steps) nothing had woken them"),
        "{failure}"
    );
    let report = failure.to_string();
    assert!(report.contains("Nothing woke these threads:"), "{report}");
    for (thread, line) in [("a", "// a waits for b"), ("b", "// b waits for a")] {
        let expected = format!(
            "`{thread}` waits to receive from `Channel@models/partial_deadlock.rs:{}` (at models/partial_deadlock.rs:{})",
            line_of(if thread == "a" {
                "let (to_a, from_b) = mpsc::channel::<u32>(); // knot"
            } else {
                "let (to_b, from_a) = mpsc::channel::<u32>(); // knot"
            }),
            line_of(line)
        );
        assert!(report.contains(&expected), "{expected}\n{report}");
    }
    // A trace read back says the same.
    assert_eq!(read_back(&failure).stuck_threads(), failure.stuck_threads());
}

/// `a` takes `ledger`, then waits at a three-party barrier with `b`; the
/// third party never comes, `c` waits for `ledger`, main joins `a`, and
/// `spinner` runs on: all but `spinner` are stuck, `c` and main through
/// the lock and the join.
#[cfg_attr(not(any(feature = "loom", feature = "shuttle")), allow(dead_code))]
fn barrier_short_of_a_party_beside_a_spinner() {
    let spin = spinner(Arc::new(AtomicBool::new(false)));
    let barrier = Arc::new(Barrier::new(3).named("rendezvous"));
    let ledger = Arc::new(Mutex::new(0).named("ledger"));
    let (b1, l1) = (barrier.clone(), ledger.clone());
    let a = named("a", move || {
        let mut g = l1.lock().unwrap();
        b1.wait(); // a waits at the barrier
        *g += 1;
    });
    let b2 = barrier.clone();
    let _b = named("b", move || {
        b2.wait(); // b waits at the barrier
    });
    let _c = named("c", move || {
        *ledger.lock().unwrap() += 1; // c wants ledger
    });
    a.join().unwrap();
    spin.join().unwrap();
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn a_barrier_short_of_a_party_is_a_partial_deadlock_at_the_step_limit() {
    let failure = partial_deadlock(
        "barrier_short_of_a_party_beside_a_spinner",
        300,
        barrier_short_of_a_party_beside_a_spinner,
    );
    let mut stuck = failure.stuck_threads();
    stuck.sort();
    assert_eq!(stuck, ["a", "b", "c", "main"], "{failure}");
    let blocked: Vec<(String, String, u32)> = failure
        .blocked_threads()
        .iter()
        .map(|b| (b.thread.clone(), b.waits_for.clone(), b.at.line))
        .filter(|(t, _, _)| t != "main")
        .collect();
    let mut blocked = blocked;
    blocked.sort();
    assert_eq!(
        blocked,
        vec![
            (
                "a".to_string(),
                "rendezvous".to_string(),
                line_of("// a waits at the barrier")
            ),
            (
                "b".to_string(),
                "rendezvous".to_string(),
                line_of("// b waits at the barrier")
            ),
            (
                "c".to_string(),
                "ledger".to_string(),
                line_of("// c wants ledger")
            ),
        ],
        "{failure}"
    );
}

/// `consumer` receives three messages, `producer` sends them one by one
/// after many yields while `spinner` runs: a long wait that ends before the
/// step limit is no deadlock.
#[test]
fn a_receive_that_a_slow_sender_ends_is_no_deadlock() {
    weft::Model::new().max_steps(5_000).check(|| {
        let (tx, rx) = mpsc::channel::<u32>();
        let stop = Arc::new(AtomicBool::new(false));
        let spin = spinner(stop.clone());
        let consumer = named("consumer", move || {
            (0..3).map(|_| rx.recv().unwrap()).sum::<u32>()
        });
        for i in 1..=3 {
            for _ in 0..5 {
                thread::yield_now();
            }
            tx.send(i).unwrap();
        }
        assert_eq!(consumer.join().unwrap(), 6);
        stop.store(true, Ordering::Release);
        spin.join().unwrap();
    });
}
