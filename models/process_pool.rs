//! Models of `weft_patterns::executor::ProcessPool` and its dispatch
//! protocol.
//!
//! Verified, on the real pool: task hand-out and result return (`submit`,
//! chunked `map`, `imap` on an endless input, `imap_unordered`), a worker
//! that dies in the middle of its work (the results it sent before dying
//! are kept, the rest fail with `BrokenPool`, later submits are refused,
//! nothing hangs), a failing initializer, and
//! `kill_workers` racing with a task; and a single `Process` killed while it
//! runs (its result, or the signal, never a hang). Under a checker the workers are
//! isolated threads that exchange postcard frames with the pool over
//! channels, so the checker explores the protocol itself; the pools have one
//! worker (a handler thread plus the worker: loom's thread budget).
//!
//! In std mode (`cargo test` with no checker) the same bodies run a few
//! times on real worker processes: this test binary is re-executed as each
//! worker with `--exact <this test>`, the path `weft::process_entry!()`
//! derives, and each test dispatches first (`here.main`), the documented
//! way for libtest binaries.
//!
//! Broken, on a miniature of the protocol built here: a result collector
//! that, once it sees the worker has exited, stops without draining the
//! replies already sent, and so loses the last result when a worker dies.
//! The checker catches it as an assertion failure naming the lost task; the
//! fixed collector (drain, then fail the rest) is verified.

use weft::sync::atomic::{AtomicBool, Ordering};
use weft::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use weft::sync::Arc;
use weft::thread::{self, JoinHandle};
use weft::time::Duration;
use weft::Model;
use weft_patterns::executor::{FutureError, MapOptions, ProcessPool, SubmitError};
use weft_patterns::process::{
    self, Entry, EntryPoint, ExitStatus, Process, ProcessError, TestEntry,
};
use weft_sync::explore::Backend;

#[cfg(any(feature = "loom", feature = "shuttle"))]
use crate::support::Caught;
#[cfg(any(feature = "loom", feature = "shuttle"))]
use weft::FailureKind;

fn square(x: u64) -> u64 {
    x * x
}

/// Ends the worker's process in the middle of a task.
fn die(code: i32) -> u64 {
    process::exit(code)
}

fn init_fails(code: i32) {
    process::exit(code)
}

static SQUARE: Entry<u64, u64> = weft_patterns::process_entry!(square);
static DIE: Entry<i32, u64> = weft_patterns::process_entry!(die);
static INIT_FAILS: Entry<i32, ()> = weft_patterns::process_entry!(init_fails);
static ENTRIES: [&dyn EntryPoint; 3] = [&SQUARE, &DIE, &INIT_FAILS];

/// The model runner: a few real-process runs in std mode, the backend's
/// exploration under a checker (loom with a preemption bound of 2).
fn model(name: &str) -> Model {
    let model = Model::new().name(name);
    match Backend::current() {
        Backend::Std => model.iterations(3),
        Backend::Loom => model.preemption_bound(2),
        Backend::Shuttle => model,
    }
}

/// A one-worker pool whose workers re-execute this test binary into `test`.
fn pool(test: &TestEntry) -> weft_patterns::executor::ProcessPoolBuilder {
    ProcessPool::builder(1).child_args(test.child_args())
}

// ------------------------------------------------ verified: the real pool

#[test]
fn pool_hands_out_tasks_and_returns_results() {
    let here = weft::process_entry!();
    here.main(&ENTRIES);
    model("process_pool_results").check(move || {
        let pool = pool(&here).build().unwrap();
        let a = pool.submit(&SQUARE, 3).unwrap();
        let b = pool.submit(&SQUARE, 4).unwrap();
        assert_eq!(a.result(None), Ok(9));
        assert_eq!(b.result(None), Ok(16));
        pool.shutdown(true, false);
        assert_eq!(pool.submit(&SQUARE, 5).unwrap_err(), SubmitError::Shutdown);
    });
}

#[test]
fn chunked_map_returns_results_in_order() {
    let here = weft::process_entry!();
    here.main(&ENTRIES);
    model("process_pool_map").check(move || {
        let pool = pool(&here).build().unwrap();
        let results: Vec<_> = pool
            .map(&SQUARE, 1..=3, MapOptions::new().chunksize(2))
            .unwrap()
            .collect();
        assert_eq!(results, [Ok(1), Ok(4), Ok(9)]);
    });
}

#[test]
fn imap_returns_results_in_order_reading_lazily() {
    let here = weft::process_entry!();
    here.main(&ENTRIES);
    model("process_pool_imap").check(move || {
        let pool = pool(&here).build().unwrap();
        // An endless input: one worker, two chunks in flight.
        let results: Vec<_> = pool.imap(&SQUARE, 1.., 2).unwrap().take(3).collect();
        assert_eq!(results, [Ok(1), Ok(4), Ok(9)]);
    });
}

#[test]
fn imap_unordered_returns_every_result() {
    let here = weft::process_entry!();
    here.main(&ENTRIES);
    model("process_pool_imap_unordered").check(move || {
        let pool = pool(&here).build().unwrap();
        let mut results: Vec<_> = pool
            .imap_unordered(&SQUARE, 1..=3, 1)
            .unwrap()
            .map(Result::unwrap)
            .collect();
        results.sort_unstable();
        assert_eq!(results, [1, 4, 9]);
    });
}

#[test]
fn a_dying_worker_breaks_the_pool_keeping_the_results_it_sent() {
    let here = weft::process_entry!();
    here.main(&ENTRIES);
    model("process_pool_worker_death").check(move || {
        let pool = pool(&here).build().unwrap();
        let before = pool.submit(&SQUARE, 2).unwrap();
        let dies = pool.submit(&DIE, 3).unwrap();
        // The pool may already be broken by the time this is submitted
        // (loom found that schedule): then the submit itself is refused.
        let after = pool.submit(&SQUARE, 5);
        // The worker answered `before` and then died: that answer is not lost.
        assert_eq!(before.result(None), Ok(4));
        let Err(FutureError::BrokenPool(reason)) = dies.result(None) else {
            panic!("the task that killed its worker must fail with BrokenPool");
        };
        assert!(
            reason.starts_with("worker `ProcessPool_0`") && reason.ends_with("exited with code 3"),
            "{reason}"
        );
        match after {
            Ok(future) => assert_eq!(
                future.result(None),
                Err(FutureError::BrokenPool(reason.clone()))
            ),
            Err(refused) => assert_eq!(refused, SubmitError::Broken(reason.clone())),
        }
        assert_eq!(
            pool.submit(&SQUARE, 6).unwrap_err(),
            SubmitError::Broken(reason)
        );
        pool.shutdown(true, false);
    });
}

#[test]
fn a_failing_initializer_breaks_the_pool() {
    let here = weft::process_entry!();
    here.main(&ENTRIES);
    model("process_pool_initializer").check(move || failing_initializer(&here));
}

/// A pool whose worker's initializer exits with code 2: the task fails
/// with the broken pool's reason.
fn failing_initializer(here: &TestEntry) {
    let pool = pool(here).initializer(&INIT_FAILS, 2).build().unwrap();
    let task = pool.submit(&SQUARE, 2);
    let reason = match task.map(|f| f.result(None)) {
        Ok(Err(FutureError::BrokenPool(reason))) | Err(SubmitError::Broken(reason)) => reason,
        other => panic!("expected a broken pool, got {other:?}"),
    };
    assert!(
        reason.starts_with("initializer of worker `ProcessPool_0`")
            && reason.ends_with("failed: the worker exited with code 2"),
        "{reason}"
    );
    pool.shutdown(true, false);
}

/// What a process pool costs to explore: its handlers waited on one
/// condvar that every submit, shutdown and break notified, whether or not
/// a handler waited there, steps the DPOR search ordered against every
/// wait; and its channels and pipes did the same (`primitive_cost.rs`).
/// Each notifies only a waiter now: the failing initializer took 6,084
/// executions, 3,726 once channels and pipes stopped, 1,518 once they
/// notified only waiters, 888 now that a lock attempt that blocks is no
/// longer tried where the lock is held.
#[cfg(feature = "shuttle")]
#[test]
fn a_failing_initializer_is_proven_in_few_executions() {
    let here = weft::process_entry!();
    here.main(&ENTRIES);
    let executions = crate::support::dpor_executions("process_pool_initializer_cost", move || {
        failing_initializer(&here)
    });
    assert!(executions <= 1_050, "{executions} executions");
}

#[test]
fn kill_workers_racing_with_a_task_never_hangs() {
    let here = weft::process_entry!();
    here.main(&ENTRIES);
    model("process_pool_kill_race").check(move || {
        let pool = pool(&here).build().unwrap();
        let task = pool.submit(&SQUARE, 7).unwrap();
        pool.kill_workers();
        match task.result(None) {
            // Answered before the kill, or cancelled before it was handed out.
            Ok(49) | Err(FutureError::Cancelled) => {}
            // Killed while it was in flight.
            Err(FutureError::BrokenPool(reason)) => {
                assert!(
                    reason.ends_with("was killed by signal 9 (SIGKILL)"),
                    "{reason}"
                )
            }
            other => panic!("unexpected outcome {other:?}"),
        }
        assert!(matches!(
            pool.submit(&SQUARE, 1),
            Err(SubmitError::Shutdown | SubmitError::Broken(_))
        ));
    });
}

#[test]
fn a_process_returns_its_result_or_reports_the_kill() {
    let here = weft::process_entry!();
    here.main(&ENTRIES);
    model("process_kill_race").check(move || {
        let mut p = Process::new(&SQUARE, 3)
            .with_name("squarer")
            .child_args(here.child_args());
        p.start().unwrap();
        p.kill().unwrap();
        match p.join() {
            // It answered (and exited) before the signal arrived.
            Ok(9) => {}
            Err(ProcessError::Died { name, status, .. }) => {
                assert_eq!(
                    (name.as_str(), status),
                    ("squarer", ExitStatus::Signaled(9))
                )
            }
            other => panic!("unexpected outcome {other:?}"),
        }
    });
}

// ------------------------------------ a miniature of the protocol, and its bug

/// A worker process in miniature: an isolated thread that shares nothing
/// with its parent, reads tasks as bytes, answers each with bytes, and dies
/// at the task `u64::MAX`. Its exit is published the way a kernel does, by
/// a flag set after its pipe closed (`waitpid`'s view).
fn spawn_worker(
    requests: Receiver<Vec<u8>>,
    replies: Sender<Vec<u8>>,
    exited: Arc<AtomicBool>,
) -> JoinHandle<()> {
    thread::Builder::new()
        .name("worker-0")
        .spawn(move || {
            for frame in requests.iter() {
                let x = u64::from_le_bytes(frame.try_into().expect("an 8-byte task"));
                if x == u64::MAX {
                    break; // dies in the middle of the task
                }
                replies
                    .send((x * x).to_le_bytes().to_vec())
                    .expect("the parent listens");
            }
            drop(replies);
            exited.store(true, Ordering::SeqCst);
        })
        .expect("spawn the worker")
}

/// Hands out three tasks (the last kills the worker) and collects results
/// until the worker has died; returns what it collected. With `drain`, the
/// collector reads what the worker sent before it died, as the real pool
/// does (it reads its pipe to the end); without, it gives up as soon as it
/// sees the worker exited: the bug.
fn collect_until_death(drain: bool) -> Vec<u64> {
    let (request_tx, request_rx) = channel::<Vec<u8>>();
    let (reply_tx, reply_rx) = channel::<Vec<u8>>();
    let exited = Arc::new(AtomicBool::new(false).named("worker-0.exited"));
    let worker = spawn_worker(request_rx, reply_tx, Arc::clone(&exited));
    for task in [2u64, 3, u64::MAX] {
        request_tx
            .send(task.to_le_bytes().to_vec())
            .expect("the worker is alive");
    }
    let decode = |frame: Vec<u8>| u64::from_le_bytes(frame.try_into().expect("an 8-byte reply"));
    let mut results = Vec::new();
    loop {
        match reply_rx.recv_timeout(Duration::from_millis(1)) {
            Ok(frame) => results.push(decode(frame)),
            Err(RecvTimeoutError::Timeout) => {
                if exited.load(Ordering::SeqCst) {
                    if drain {
                        results.extend(reply_rx.try_iter().map(decode));
                    }
                    break;
                }
            }
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    worker.join().expect("the worker thread ends");
    results
}

#[test]
fn draining_collector_keeps_every_result_sent_before_death() {
    model("process_pool_draining_collector").check(|| {
        assert_eq!(collect_until_death(true), [4, 9]);
    });
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn collector_that_stops_at_death_loses_the_last_result() {
    let failure = Model::new()
        .name("process_pool_lossy_collector")
        .caught(FailureKind::Assertion, || {
            let results = collect_until_death(false);
            assert!(
                results == [4, 9],
                "the collector lost the result of a task that worker-0 answered before dying: got {results:?}"
            );
        });
    assert!(
        failure
            .message()
            .contains("lost the result of a task that worker-0 answered"),
        "{failure}"
    );
    assert_eq!(failure.thread_name().as_deref(), Some("main"), "{failure}");
    let threads = failure.threads_in_steps();
    assert!(threads.iter().any(|t| t == "worker-0"), "{threads:?}");
    let report = failure.to_string();
    assert!(report.contains("worker-0.exited"), "{report}");
}
