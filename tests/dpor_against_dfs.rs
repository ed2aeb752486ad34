//! weft's DPOR search against shuttle's DFS on the primitives
//! `tests/dpor_soundness.rs`'s interpreter does not model: an `RwLock`
//! (read, write and both `try_`s), a `Barrier`, `park` and `unpark`, a
//! `OnceLock`, `JoinHandle::is_finished`, blocking and timed receives, a
//! condvar's timed wait against a notify, the virtual clock read while
//! other threads' timed waits move it, and a bounded `yield_now` wait
//! loop (the shape DPOR's spin-loop bounding must not cut short).
//!
//! shuttle's DFS runs every schedule of the runtime (no reduction), so on
//! a program it finishes it reaches every final state: there DPOR must
//! reach exactly its states, in no more executions. Where DFS stops at its
//! cap, DPOR must still reach every state DFS reached. proptest shrinks a
//! failing program and prints it.
//!
//! The programs cannot deadlock, by construction: a thread parks only as
//! its first operation and `main` unparks it before anything that can
//! block; a barrier is every participant's last operation; only `main`
//! receives, and holds no sender, so a receive waits at most until the
//! other threads end (and `main` then waits at no barrier).
//!
//! CI runs the same 40 programs every time; `WEFT_SOUNDNESS_CASES=<n>`
//! runs more, and `PROPTEST_RNG_SEED=<n>` others.
#![cfg(feature = "shuttle")]

mod soundness_support;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::Mutex as StdMutex;
use std::time::Duration;

use proptest::prelude::*;
use weft::sync::atomic::{AtomicU8, Ordering::SeqCst};
use weft::sync::{mpsc, Barrier, Condvar, Mutex, OnceLock, RwLock};
use weft::thread;
use weft::Scheduler;

/// One operation of a thread.
#[derive(Clone, Copy, Debug)]
enum Instr {
    Store(usize, u8),
    Load(usize),
    FetchAdd(usize, u8),
    /// Observes the `RwLock`'s value under a read guard.
    Read,
    /// Writes the `RwLock`'s value under a write guard.
    Write(u8),
    /// Observes the value, or 255 when a writer holds it.
    TryRead,
    /// Writes the value if no one holds the lock; observes whether it did.
    TryWrite(u8),
    /// Observes whether this `set` was the one that set the `OnceLock`.
    OnceSet(u8),
    /// Observes the `OnceLock`'s value, or 255 while it is unset.
    OnceGet,
    /// Up to two polls of atomic `a` for value `v`, with a `yield_now`
    /// after each miss; observes the turn that saw it, or 9.
    WaitFor(usize, u8),
    /// Under the mutex: a condvar wait of 10 ms; observes whether it timed
    /// out.
    WaitTimeout,
    /// Under the mutex: notifies every waiter of the condvar.
    Notify,
    /// Sends on the channel (the spawned threads only).
    Send(u8),
    /// Receives a message, blocking until one comes or every sender is
    /// gone (`main` only); observes the message, or 254.
    Recv,
    /// Receives with a 10 ms timeout (`main` only); observes the message
    /// or 255.
    RecvTimeout,
    /// Observes whether spawned thread `i` has finished (`main` only).
    IsFinished(usize),
    /// Observes whether the virtual clock has passed `TIMEOUT` since the
    /// model began (another thread's timed wait that gave up moves it).
    Elapsed,
    /// Parks until `main` unparks this thread (a spawned thread's first
    /// operation only; `main` unparks it first thing).
    Park,
    /// Waits at the barrier, as every participant's last operation;
    /// observes whether it was the leader.
    Barrier,
}

/// `main`'s operations (after spawning) and the spawned threads'.
#[derive(Clone, Debug)]
struct Program {
    main: Vec<Instr>,
    threads: Vec<Vec<Instr>>,
}

impl Program {
    fn all(&self) -> impl Iterator<Item = &Instr> {
        self.threads.iter().flatten().chain(&self.main)
    }

    fn uses(&self, f: impl Fn(&Instr) -> bool) -> bool {
        self.all().any(f)
    }
}

/// The final atomics, `RwLock` value and `OnceLock` value, and what each
/// thread observed, in order.
type State = (Vec<u8>, Vec<Vec<u8>>);

struct Shared {
    atomics: [AtomicU8; 2],
    rw: RwLock<u8>,
    once: OnceLock<u8>,
    mutex: Mutex<()>,
    cv: Condvar,
    barrier: Option<Barrier>,
    start: weft::time::Instant,
}

const TIMEOUT: Duration = Duration::from_millis(10);

fn execute(
    instr: Instr,
    shared: &Shared,
    tx: Option<&mpsc::Sender<u8>>,
    rx: Option<&mpsc::Receiver<u8>>,
    handles: &[thread::JoinHandle<Vec<u8>>],
    seen: &mut Vec<u8>,
) {
    match instr {
        Instr::Store(a, v) => shared.atomics[a].store(v, SeqCst),
        Instr::Load(a) => seen.push(shared.atomics[a].load(SeqCst)),
        Instr::FetchAdd(a, v) => seen.push(shared.atomics[a].fetch_add(v, SeqCst)),
        Instr::Read => seen.push(*shared.rw.read().unwrap()),
        Instr::Write(v) => *shared.rw.write().unwrap() = v,
        Instr::TryRead => seen.push(shared.rw.try_read().map_or(255, |g| *g)),
        Instr::TryWrite(v) => match shared.rw.try_write() {
            Ok(mut g) => {
                *g = v;
                seen.push(1);
            }
            Err(_) => seen.push(0),
        },
        Instr::OnceSet(v) => seen.push(u8::from(shared.once.set(v).is_ok())),
        Instr::OnceGet => seen.push(shared.once.get().copied().unwrap_or(255)),
        Instr::WaitFor(a, v) => {
            let mut turn = 9;
            for t in 0..2 {
                if shared.atomics[a].load(SeqCst) == v {
                    turn = t;
                    break;
                }
                thread::yield_now();
            }
            seen.push(turn);
        }
        Instr::WaitTimeout => {
            let g = shared.mutex.lock().unwrap();
            let (_g, r) = shared.cv.wait_timeout(g, TIMEOUT).unwrap();
            seen.push(u8::from(r.timed_out()));
        }
        Instr::Notify => {
            let _g = shared.mutex.lock().unwrap();
            shared.cv.notify_all();
        }
        Instr::Send(v) => tx
            .expect("a program that sends has a channel")
            .send(v)
            .unwrap(),
        // 254: every sender is gone and nothing is left.
        Instr::Recv => seen.push(rx.expect("main receives").recv().unwrap_or(254)),
        Instr::RecvTimeout => seen.push(
            rx.expect("main receives")
                .recv_timeout(TIMEOUT)
                .unwrap_or(255),
        ),
        Instr::IsFinished(i) => seen.push(u8::from(handles[i].is_finished())),
        Instr::Elapsed => seen.push(u8::from(shared.start.elapsed() >= TIMEOUT)),
        Instr::Park => thread::park(),
        Instr::Barrier => seen.push(u8::from(
            shared
                .barrier
                .as_ref()
                .expect("a program that waits has a barrier")
                .wait()
                .is_leader(),
        )),
    }
}

fn run(program: &Program, states: &StdMutex<BTreeSet<State>>) {
    let parties = program.uses_count(|i| matches!(i, Instr::Barrier));
    let shared = Arc::new(Shared {
        atomics: [AtomicU8::new(0), AtomicU8::new(0)],
        rw: RwLock::new(0),
        once: OnceLock::new(),
        mutex: Mutex::new(()),
        cv: Condvar::new(),
        barrier: (parties > 0).then(|| Barrier::new(parties)),
        start: weft::time::Instant::now(),
    });
    // A channel only where the program uses one: its operations are
    // scheduling points that the naive enumeration multiplies.
    let (tx, rx) =
        if program.uses(|i| matches!(i, Instr::Send(_) | Instr::Recv | Instr::RecvTimeout)) {
            let (tx, rx) = mpsc::channel();
            (Some(tx), Some(rx))
        } else {
            (None, None)
        };
    let handles: Vec<_> = program
        .threads
        .iter()
        .map(|instrs| {
            let (shared, tx, instrs) = (shared.clone(), tx.clone(), instrs.clone());
            thread::spawn(move || {
                let mut seen = Vec::new();
                for i in instrs {
                    execute(i, &shared, tx.as_ref(), None, &[], &mut seen);
                }
                seen
            })
        })
        .collect();
    // `main` holds no sender: a `recv` that nothing will answer sees the
    // channel close once the other threads have ended.
    drop(tx);
    for (h, instrs) in handles.iter().zip(&program.threads) {
        if matches!(instrs.first(), Some(Instr::Park)) {
            h.thread().unpark();
        }
    }
    let mut seen = Vec::new();
    for &i in &program.main {
        execute(i, &shared, None, rx.as_ref(), &handles, &mut seen);
    }
    let mut all: Vec<Vec<u8>> = vec![seen];
    all.extend(handles.into_iter().map(|h| h.join().unwrap()));
    let mut values: Vec<u8> = shared.atomics.iter().map(|a| a.load(SeqCst)).collect();
    values.push(*shared.rw.read().unwrap());
    values.push(shared.once.get().copied().unwrap_or(255));
    states.lock().unwrap().insert((values, all));
}

impl Program {
    fn uses_count(&self, f: impl Fn(&Instr) -> bool) -> usize {
        self.all().filter(|i| f(i)).count()
    }
}

fn explore(
    program: &Program,
    scheduler: Scheduler,
    iterations: usize,
    workers: usize,
) -> (BTreeSet<State>, usize, bool) {
    soundness_support::final_states(
        "against_dfs",
        program,
        scheduler,
        Some(iterations),
        workers,
        run,
    )
}

fn common() -> impl Strategy<Value = Instr> {
    prop_oneof![
        (0..2usize, 1..3u8).prop_map(|(a, v)| Instr::Store(a, v)),
        (0..2usize).prop_map(Instr::Load),
        (0..2usize, 1..3u8).prop_map(|(a, v)| Instr::FetchAdd(a, v)),
        Just(Instr::Read),
        (1..3u8).prop_map(Instr::Write),
        Just(Instr::TryRead),
        (1..3u8).prop_map(Instr::TryWrite),
        (1..3u8).prop_map(Instr::OnceSet),
        Just(Instr::OnceGet),
        (0..2usize, 1..3u8).prop_map(|(a, v)| Instr::WaitFor(a, v)),
        Just(Instr::WaitTimeout),
        Just(Instr::Notify),
        Just(Instr::Elapsed),
    ]
}

fn spawned() -> impl Strategy<Value = Instr> {
    prop_oneof![5 => common(), 1 => (1..3u8).prop_map(Instr::Send)]
}

fn in_main() -> impl Strategy<Value = Instr> {
    prop_oneof![
        6 => common(),
        1 => Just(Instr::Recv),
        1 => Just(Instr::RecvTimeout),
        1 => (0..2usize).prop_map(Instr::IsFinished),
    ]
}

/// A thread's operations, maybe after a park, maybe before a barrier.
fn with_ends(
    ops: impl Strategy<Value = Vec<Instr>>,
    may_park: bool,
) -> impl Strategy<Value = Vec<Instr>> {
    (ops, any::<bool>(), any::<bool>()).prop_map(move |(mut ops, park, barrier)| {
        if may_park && park {
            ops.insert(0, Instr::Park);
        }
        if barrier {
            ops.push(Instr::Barrier);
        }
        ops
    })
}

/// Keeps a thread's first `WaitFor` only, and the first two polls of the
/// program (a `WaitFor` or a timed wait).
///
/// Two `WaitFor`s in a row poll the same atomic four times: past the
/// second poll DPOR takes the thread for a spinner and runs it again only
/// after another thread writes that atomic (README, Limitations: the
/// documented bound, which the verdict names), so the second loop never
/// gives up before the write comes, where DFS runs it to the end.
///
/// Polls are kept to two in all, a matter of cost: a timed wait takes its
/// lock three times and touches its condvar's queue twice, every step of
/// it ordered against the other waits, and three threads each with one
/// `wait_timeout` of one condvar take 52,820 executions (64 for two);
/// three polls in three threads (`main`'s timed receive, a thread's wait
/// loop and then timed wait, a store) took 134,659, half of them repeats
/// of explored traces (README, Limitations).
fn one_wait_loop(ops: &mut Vec<Instr>, polls: &mut usize) {
    let mut loops = 0;
    ops.retain(|i| match i {
        Instr::WaitFor(..) => {
            loops += 1;
            let keep = loops == 1 && *polls < 2;
            *polls += usize::from(keep);
            keep
        }
        Instr::WaitTimeout | Instr::RecvTimeout => {
            let keep = *polls < 2;
            *polls += usize::from(keep);
            keep
        }
        _ => true,
    });
}

fn program() -> impl Strategy<Value = Program> {
    (
        with_ends(proptest::collection::vec(in_main(), 0..3), false),
        proptest::collection::vec(
            with_ends(proptest::collection::vec(spawned(), 1..4), true),
            1..3,
        ),
    )
        .prop_map(|(mut main, threads)| {
            // A thread asked about exists. A `recv` may wait for the other
            // threads to end, so `main` does not also wait for them at the
            // barrier.
            let mut threads = threads;
            if main.iter().any(|i| matches!(i, Instr::Recv)) {
                main.retain(|i| !matches!(i, Instr::Barrier));
            }
            let mut polls = 0;
            for ops in threads.iter_mut().chain([&mut main]) {
                one_wait_loop(ops, &mut polls);
            }
            main.retain(|i| !matches!(i, Instr::IsFinished(t) if *t >= threads.len()));
            Program { main, threads }
        })
}

proptest! {
    // The same programs on every CI run (a red run is then a change, never
    // luck); `PROPTEST_RNG_SEED` picks others.
    #![proptest_config(soundness_support::config(40, 0xdf5))]

    #[test]
    fn dpor_reaches_every_state_shuttles_dfs_reaches(program in program()) {
        let (dfs, dfs_runs, dfs_complete) = explore(&program, Scheduler::Dfs, 20_000, 1);
        // A few programs need six figures: a timed receive beside a
        // bounded wait loop and two parked threads took 119,849.
        let (dpor, dpor_runs, dpor_complete) = explore(&program, Scheduler::Dpor, 300_000, 1);
        prop_assert!(dpor_complete, "DPOR did not finish in 300,000 executions");
        let missed: Vec<_> = dfs.difference(&dpor).collect();
        prop_assert!(missed.is_empty(), "DPOR missed states DFS reached: {:?}", missed);
        if dfs_complete {
            prop_assert_eq!(&dpor, &dfs, "DPOR reached states no schedule reaches");
            prop_assert!(dpor_runs <= dfs_runs, "DPOR ran {} executions, DFS {}", dpor_runs, dfs_runs);
        }
    }
}

/// Every final state DFS reaches, with one worker and with two.
fn reaches_every_state(program: &Program) {
    let (dfs, _, dfs_complete) = explore(program, Scheduler::Dfs, 20_000, 1);
    assert!(dfs_complete, "DFS did not finish");
    for workers in [1, 2] {
        let (dpor, _, complete) = explore(program, Scheduler::Dpor, 300_000, workers);
        assert!(complete, "{workers} workers");
        assert_eq!(dpor, dfs, "{workers} workers");
    }
}

/// Found by the property test above with `PROPTEST_RNG_SEED=24`: `t1`'s
/// bounded wait for `a0` gives up after two polls, then it reads the
/// `RwLock` with a `try_read` and writes it; the search never ran its
/// write before main's read (main reading 1), though it said
/// "exhaustive".
#[test]
fn a_bounded_wait_that_gives_up_then_writes_reaches_every_state() {
    use Instr::*;
    reaches_every_state(&Program {
        main: vec![Read],
        threads: vec![vec![WaitFor(0, 1), TryRead, Write(1)]],
    });
}
