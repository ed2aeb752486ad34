//! `executor::ProcessPool` on real OS processes: results, chunked `map`,
//! `imap` and `imap_unordered`,
//! faults (kill -9, abort, exit, panics, unserialisable values, 10 MB
//! payloads), the initializer, `max_tasks_per_child`, shutdown, and that no
//! child is ever left behind.
//!
//! A `harness = false` test binary: it is re-executed as every worker, so
//! its `main` dispatches the child first (`process::main`) and only then
//! runs the tests (see `process_support`).

mod process_support;

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde::ser::{Error as _, Serialize, Serializer};
use serde::Deserialize;
use weft_patterns::executor::{
    Executor, Future, FutureError, FutureState, MapOptions, ProcessPool, SubmitError,
};
use weft_patterns::process::{self, Entry};

use process_support::{live_children, pid_exists, send_signal, Test};

fn square(x: u64) -> u64 {
    x * x
}

fn fail(x: u64) -> u64 {
    panic!("item {x} is cursed")
}

fn sleep_forever(_: ()) -> u64 {
    loop {
        std::thread::sleep(Duration::from_secs(3600));
    }
}

fn nap(millis: u64) -> u64 {
    std::thread::sleep(Duration::from_millis(millis));
    millis
}

fn abort(_: ()) -> u64 {
    process::abort()
}

fn exit_with(code: i32) -> u64 {
    process::exit(code)
}

fn exit_at_3(x: u64) -> u64 {
    if x == 3 {
        process::exit(3)
    }
    x
}

fn worker_pid(_: u64) -> u32 {
    std::process::id()
}

/// Set by the initializer, in the worker process.
static CONFIG: AtomicU64 = AtomicU64::new(0);

fn configure(value: u64) {
    CONFIG.store(value, Ordering::SeqCst);
}

fn configured(_: ()) -> u64 {
    CONFIG.load(Ordering::SeqCst)
}

fn refuse_to_configure(_: u64) {
    panic!("no configuration file")
}

/// A value whose `Serialize` always fails.
#[derive(Debug, Deserialize)]
struct Unserializable;

impl Serialize for Unserializable {
    fn serialize<S: Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        Err(S::Error::custom("this value refuses to be serialised"))
    }
}

fn make_unserializable(_: ()) -> Unserializable {
    Unserializable
}

fn take_unserializable(_: Unserializable) -> u64 {
    0
}

fn reverse(mut bytes: Vec<u8>) -> Vec<u8> {
    bytes.reverse();
    bytes
}

fn zeros(len: usize) -> Vec<u8> {
    vec![0; len]
}

static SQUARE: Entry<u64, u64> = weft_patterns::process_entry!(square);
static FAIL: Entry<u64, u64> = weft_patterns::process_entry!(fail);
static SLEEP_FOREVER: Entry<(), u64> = weft_patterns::process_entry!(sleep_forever);
static NAP: Entry<u64, u64> = weft_patterns::process_entry!(nap);
static ABORT: Entry<(), u64> = weft_patterns::process_entry!(abort);
static EXIT_WITH: Entry<i32, u64> = weft_patterns::process_entry!(exit_with);
static WORKER_PID: Entry<u64, u32> = weft_patterns::process_entry!(worker_pid);
static EXIT_AT_3: Entry<u64, u64> = weft_patterns::process_entry!(exit_at_3);
static CONFIGURE: Entry<u64, ()> = weft_patterns::process_entry!(configure);
static CONFIGURED: Entry<(), u64> = weft_patterns::process_entry!(configured);
static REFUSE_TO_CONFIGURE: Entry<u64, ()> = weft_patterns::process_entry!(refuse_to_configure);
static MAKE_UNSERIALIZABLE: Entry<(), Unserializable> =
    weft_patterns::process_entry!(make_unserializable);
static TAKE_UNSERIALIZABLE: Entry<Unserializable, u64> =
    weft_patterns::process_entry!(take_unserializable);
static REVERSE: Entry<Vec<u8>, Vec<u8>> = weft_patterns::process_entry!(reverse);
static ZEROS: Entry<usize, Vec<u8>> = weft_patterns::process_entry!(zeros);
/// Deliberately missing from `process::main`'s list.
static UNREGISTERED: Entry<u64, u64> = weft_patterns::process_entry!("unregistered", square);

fn main() {
    process::main(&[
        &SQUARE,
        &FAIL,
        &SLEEP_FOREVER,
        &NAP,
        &ABORT,
        &EXIT_WITH,
        &WORKER_PID,
        &EXIT_AT_3,
        &CONFIGURE,
        &CONFIGURED,
        &REFUSE_TO_CONFIGURE,
        &MAKE_UNSERIALIZABLE,
        &TAKE_UNSERIALIZABLE,
        &REVERSE,
        &ZEROS,
    ]);
    let tests: &[Test] = &[
        ("submit_returns_each_result", submit_returns_each_result),
        (
            "map_returns_results_in_order_at_every_chunk_size",
            map_returns_results_in_order_at_every_chunk_size,
        ),
        (
            "a_buffered_map_reads_its_input_lazily",
            a_buffered_map_reads_its_input_lazily,
        ),
        (
            "imap_returns_results_in_input_order",
            imap_returns_results_in_input_order,
        ),
        (
            "imap_unordered_returns_every_result_fast_ones_first",
            imap_unordered_returns_every_result_fast_ones_first,
        ),
        (
            "imap_and_imap_unordered_read_their_input_lazily",
            imap_and_imap_unordered_read_their_input_lazily,
        ),
        (
            "a_worker_dying_in_imap_ends_it_with_errors",
            a_worker_dying_in_imap_ends_it_with_errors,
        ),
        (
            "code_generic_over_executor_runs_on_a_process_pool",
            code_generic_over_executor_runs_on_a_process_pool,
        ),
        (
            "workers_are_separate_processes",
            workers_are_separate_processes,
        ),
        ("map_times_out_and_ends", map_times_out_and_ends),
        (
            "a_worker_dying_in_map_fails_every_later_item",
            a_worker_dying_in_map_fails_every_later_item,
        ),
        (
            "a_panicking_task_fails_its_own_future_only",
            a_panicking_task_fails_its_own_future_only,
        ),
        (
            "an_unserializable_result_fails_its_own_future_only",
            an_unserializable_result_fails_its_own_future_only,
        ),
        (
            "an_unserializable_argument_fails_its_own_future_only",
            an_unserializable_argument_fails_its_own_future_only,
        ),
        (
            "an_unregistered_entry_fails_its_own_future_only",
            an_unregistered_entry_fails_its_own_future_only,
        ),
        (
            "ten_megabyte_payloads_round_trip",
            ten_megabyte_payloads_round_trip,
        ),
        (
            "payloads_over_the_limit_fail_their_own_future_only",
            payloads_over_the_limit_fail_their_own_future_only,
        ),
        (
            "kill_9_breaks_the_pool_naming_the_worker_and_the_signal",
            kill_9_breaks_the_pool_naming_the_worker_and_the_signal,
        ),
        (
            "killing_one_of_two_workers_fails_both_running_tasks",
            killing_one_of_two_workers_fails_both_running_tasks,
        ),
        (
            "an_aborting_worker_breaks_the_pool_with_sigabrt",
            an_aborting_worker_breaks_the_pool_with_sigabrt,
        ),
        (
            "an_exiting_worker_breaks_the_pool_with_its_exit_code",
            an_exiting_worker_breaks_the_pool_with_its_exit_code,
        ),
        (
            "a_worker_killed_while_idle_breaks_the_next_task",
            a_worker_killed_while_idle_breaks_the_next_task,
        ),
        (
            "the_initializer_runs_in_every_worker",
            the_initializer_runs_in_every_worker,
        ),
        (
            "a_failing_initializer_breaks_the_pool",
            a_failing_initializer_breaks_the_pool,
        ),
        (
            "max_tasks_per_child_replaces_worker_processes",
            max_tasks_per_child_replaces_worker_processes,
        ),
        (
            "shutdown_with_cancel_futures_cancels_the_queued_tasks",
            shutdown_with_cancel_futures_cancels_the_queued_tasks,
        ),
        (
            "shutdown_without_cancel_runs_the_queued_tasks",
            shutdown_without_cancel_runs_the_queued_tasks,
        ),
        (
            "kill_workers_fails_running_tasks_and_reaps",
            kill_workers_fails_running_tasks_and_reaps,
        ),
        ("shutdown_reaps_every_worker", shutdown_reaps_every_worker),
        ("no_child_is_left_behind", no_child_is_left_behind),
    ];
    process_support::run(tests)
}

/// Waits (bounded) until the pool has handed `future`'s task to a worker.
fn wait_until_running<T>(future: &Future<T>) {
    let start = Instant::now();
    while future.state() == FutureState::Pending {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "task never started"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Asserts that no process this test started is left, not even a zombie.
fn assert_reaped(pids: &[u32]) {
    for &pid in pids {
        assert!(!pid_exists(pid), "worker {pid} was not reaped");
    }
    assert_eq!(live_children(), Vec::<u32>::new(), "children left behind");
}

fn submit_returns_each_result() {
    let pool = ProcessPool::new(2);
    assert_eq!(pool.max_workers(), 2);
    let futures: Vec<_> = (0..20).map(|i| pool.submit(&SQUARE, i).unwrap()).collect();
    let results: Vec<u64> = futures.iter().map(|f| f.result(None).unwrap()).collect();
    assert_eq!(results, (0..20).map(|i| i * i).collect::<Vec<_>>());
    pool.shutdown(true, false);
    assert_eq!(pool.submit(&SQUARE, 1).unwrap_err(), SubmitError::Shutdown);
}

fn map_returns_results_in_order_at_every_chunk_size() {
    let pool = ProcessPool::new(2);
    let expected: Vec<u64> = (0..1000).map(|i| i * i).collect();
    for chunksize in [1, 7, 100, 5000] {
        let results: Vec<u64> = pool
            .map(&SQUARE, 0..1000, MapOptions::new().chunksize(chunksize))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(results, expected, "chunksize {chunksize}");
    }
}

fn a_buffered_map_reads_its_input_lazily() {
    let pool = ProcessPool::new(2);
    let pulled = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let p = std::sync::Arc::clone(&pulled);
    let endless = (0u64..).inspect(move |_| {
        p.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    });
    let options = MapOptions::new().chunksize(3).buffersize(2);
    let mut results = pool.map(&SQUARE, endless, options).unwrap();
    // Two chunks of three queued up front.
    assert_eq!(pulled.load(std::sync::atomic::Ordering::SeqCst), 6);
    let first: Vec<u64> = results.by_ref().take(7).map(Result::unwrap).collect();
    assert_eq!(first, [0, 1, 4, 9, 16, 25, 36]);
    // Each chunk taken up queued one more: three taken, five queued.
    assert_eq!(pulled.load(std::sync::atomic::Ordering::SeqCst), 15);
    drop(results);
    pool.shutdown(true, false);
}

fn imap_returns_results_in_input_order() {
    let pool = ProcessPool::new(2);
    let expected: Vec<u64> = (0..300).map(|i| i * i).collect();
    for chunksize in [1, 7, 1000] {
        let results: Vec<u64> = pool
            .imap(&SQUARE, 0..300, chunksize)
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(results, expected, "chunksize {chunksize}");
    }
    // A slow first item holds the fast ones back: input order.
    let naps: Vec<u64> = pool
        .imap(&NAP, [200, 1, 1, 1], 1)
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(naps, [200, 1, 1, 1]);
    let failing: Vec<_> = pool.imap(&FAIL, [7], 1).unwrap().collect();
    assert_eq!(
        failing,
        [Err(FutureError::Panicked("item 7 is cursed".into()))]
    );
}

/// Waits (bounded) until the pool's `n` workers have started.
fn wait_for_workers(pool: &ProcessPool, n: usize) {
    let start = Instant::now();
    while pool.worker_pids().len() < n {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "workers never started"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn imap_unordered_returns_every_result_fast_ones_first() {
    let pool = ProcessPool::new(2);
    let squares: BTreeSet<u64> = pool
        .imap_unordered(&SQUARE, 0..300, 7)
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(squares, (0..300).map(|i| i * i).collect());
    // One worker naps 1 s on the first item while the other runs the
    // fast ones: one of them comes first.
    wait_for_workers(&pool, 2);
    let naps: Vec<u64> = pool
        .imap_unordered(&NAP, [1000, 1, 2, 3], 1)
        .unwrap()
        .map(Result::unwrap)
        .collect();
    // (Not necessarily all of them: a worker may have been handed a fast
    // item queued behind its slow one.)
    assert_ne!(naps[0], 1000, "a fast item comes first: {naps:?}");
    assert_eq!(
        naps.iter().copied().collect::<BTreeSet<_>>(),
        BTreeSet::from([1, 2, 3, 1000])
    );
}

fn imap_and_imap_unordered_read_their_input_lazily() {
    let pool = ProcessPool::new(2);
    assert_eq!(pool.imap_in_flight(), 4);
    let counted = |pulled: &std::sync::Arc<std::sync::atomic::AtomicUsize>| {
        let p = std::sync::Arc::clone(pulled);
        (0u64..).inspect(move |_| {
            p.fetch_add(1, Ordering::SeqCst);
        })
    };

    let pulled = std::sync::Arc::default();
    let mut results = pool.imap(&SQUARE, counted(&pulled), 3).unwrap();
    // Four chunks of three queued up front, not the endless input.
    assert_eq!(pulled.load(Ordering::SeqCst), 12);
    let first: Vec<u64> = results.by_ref().take(7).map(Result::unwrap).collect();
    assert_eq!(first, [0, 1, 4, 9, 16, 25, 36]);
    // Each of the three chunks taken up queued one more.
    assert_eq!(pulled.load(Ordering::SeqCst), 21);
    drop(results);

    let pulled = std::sync::Arc::default();
    let mut results = pool.imap_unordered(&SQUARE, counted(&pulled), 3).unwrap();
    assert_eq!(pulled.load(Ordering::SeqCst), 12);
    let first: Vec<u64> = results.by_ref().take(7).map(Result::unwrap).collect();
    assert_eq!(first.len(), 7);
    // Never more than four chunks queued and not read: the first chunk
    // taken up found four in flight, the next two queued one each.
    assert_eq!(pulled.load(Ordering::SeqCst), 18);
    drop(results);
    pool.shutdown(true, false);
}

fn a_worker_dying_in_imap_ends_it_with_errors() {
    // An endless input: once the pool is broken, the iterator yields the
    // error for the items in flight, then one for the refused rest, and
    // ends.
    for unordered in [false, true] {
        let pool = ProcessPool::new(1);
        let results: Vec<_> = if unordered {
            pool.imap_unordered(&EXIT_AT_3, 0.., 2).unwrap().collect()
        } else {
            pool.imap(&EXIT_AT_3, 0.., 2).unwrap().collect()
        };
        // One worker: the chunk [0, 1] is done before [2, 3] kills it.
        assert_eq!(results[..2], [Ok(0), Ok(1)], "unordered: {unordered}");
        let Err(FutureError::BrokenPool(reason)) = &results[2] else {
            panic!("the chunk that killed its worker must fail: {results:?}");
        };
        assert!(reason.ends_with(") exited with code 3"), "{reason}");
        // At most the chunks in flight (one more while `imap` reads one)
        // fail, and one error says the rest was refused.
        let most = 2 + 2 * (pool.imap_in_flight() + 1) + 1;
        assert!(results.len() <= most, "{results:?}");
        let Some(Err(FutureError::Failed(last))) = results.last() else {
            panic!("a refused submit must end the iterator: {results:?}");
        };
        assert!(last.contains("stopped: failed to"), "{last}");
        for result in &results[2..results.len() - 1] {
            assert_eq!(result, &Err(FutureError::BrokenPool(reason.clone())));
        }
    }
}

fn code_generic_over_executor_runs_on_a_process_pool() {
    fn sum_of_squares<E, F>(pool: &E, square: F) -> u64
    where
        E: Executor<F, u64, Output = u64>,
        F: Clone,
    {
        let first = pool.submit(square.clone(), 10).unwrap();
        let rest: u64 = pool
            .map(square, 1..=3, MapOptions::new().chunksize(2))
            .unwrap()
            .map(Result::unwrap)
            .sum();
        pool.shutdown(true, false);
        first.result(None).unwrap() + rest
    }
    assert_eq!(sum_of_squares(&ProcessPool::new(2), &SQUARE), 114);
}

fn workers_are_separate_processes() {
    let pool = ProcessPool::new(2);
    let pids: BTreeSet<u32> = pool
        .map(&WORKER_PID, 0..200, None)
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(!pids.contains(&std::process::id()));
    // Each handler thread starts its worker on its own: the second may
    // still be starting when the first has run every item (seen under
    // load), but it does start.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let mut workers: BTreeSet<u32> = pool.worker_pids().into_iter().collect();
    while workers.len() < 2 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
        workers = pool.worker_pids().into_iter().collect();
    }
    assert_eq!(workers.len(), 2);
    assert!(pids.is_subset(&workers), "{pids:?} ran outside {workers:?}");
}

fn map_times_out_and_ends() {
    let pool = ProcessPool::new(1);
    let results: Vec<_> = pool
        .map(&NAP, [300, 1, 1], Duration::from_millis(50))
        .unwrap()
        .collect();
    assert_eq!(results, [Err(FutureError::Timeout)]);
}

fn a_worker_dying_in_map_fails_every_later_item() {
    let pool = ProcessPool::new(1);
    let results: Vec<_> = pool
        .map(&EXIT_AT_3, 0..10, MapOptions::new().chunksize(2))
        .unwrap()
        .collect();
    assert_eq!(results.len(), 10);
    assert_eq!(results[..2], [Ok(0), Ok(1)]);
    let Err(FutureError::BrokenPool(reason)) = &results[2] else {
        panic!("the chunk that killed its worker must fail: {results:?}");
    };
    assert!(reason.ends_with(") exited with code 3"), "{reason}");
    for result in &results[2..] {
        assert_eq!(result, &Err(FutureError::BrokenPool(reason.clone())));
    }
}

fn a_panicking_task_fails_its_own_future_only() {
    let pool = ProcessPool::new(2);
    let bad = pool.submit(&FAIL, 13).unwrap();
    let good = pool.submit(&SQUARE, 4).unwrap();
    assert_eq!(
        bad.result(None),
        Err(FutureError::Panicked("item 13 is cursed".into()))
    );
    assert_eq!(good.result(None), Ok(16));
    let mixed: Vec<_> = pool
        .map(&FAIL, 0..3, MapOptions::new().chunksize(2))
        .unwrap()
        .collect();
    assert_eq!(
        mixed,
        (0..3)
            .map(|i| Err(FutureError::Panicked(format!("item {i} is cursed"))))
            .collect::<Vec<Result<u64, _>>>()
    );
    assert_eq!(pool.submit(&SQUARE, 5).unwrap().result(None), Ok(25));
}

fn an_unserializable_result_fails_its_own_future_only() {
    let pool = ProcessPool::new(1);
    let future = pool.submit(&MAKE_UNSERIALIZABLE, ()).unwrap();
    match future.result(None) {
        Err(FutureError::Serialization(message)) => assert_eq!(
            message,
            "the result could not be serialised: Serde Serialization Error"
        ),
        other => panic!("expected a serialization error, got {other:?}"),
    }
    assert_eq!(pool.submit(&SQUARE, 6).unwrap().result(None), Ok(36));
}

fn an_unserializable_argument_fails_its_own_future_only() {
    let pool = ProcessPool::new(1);
    let future = pool.submit(&TAKE_UNSERIALIZABLE, Unserializable).unwrap();
    assert!(future.done(), "fails at once, in the caller");
    match future.result(None) {
        Err(FutureError::Serialization(message)) => {
            assert!(
                message.starts_with("the argument could not be serialised"),
                "{message}"
            )
        }
        other => panic!("expected a serialization error, got {other:?}"),
    }
    assert_eq!(pool.submit(&SQUARE, 7).unwrap().result(None), Ok(49));
}

fn an_unregistered_entry_fails_its_own_future_only() {
    let pool = ProcessPool::new(1);
    let future = pool.submit(&UNREGISTERED, 3).unwrap();
    assert_eq!(
        future.result(None),
        Err(FutureError::Serialization(
            "entry point `unregistered` is not registered in the worker \
             (list it in `weft_patterns::process::main`)"
                .into()
        ))
    );
    assert_eq!(pool.submit(&SQUARE, 8).unwrap().result(None), Ok(64));
}

fn ten_megabyte_payloads_round_trip() {
    let pool = ProcessPool::new(1);
    let payload: Vec<u8> = (0..10 * 1024 * 1024).map(|i| (i % 253) as u8).collect();
    let mut expected = payload.clone();
    expected.reverse();
    // Two at once on one worker: the second must not be written while the
    // worker is blocked writing the first's 10 MB reply.
    let first = pool.submit(&REVERSE, payload.clone()).unwrap();
    let second = pool.submit(&REVERSE, payload).unwrap();
    let small = pool.submit(&SQUARE, 9).unwrap();
    assert!(first.result(None).unwrap() == expected);
    assert!(second.result(None).unwrap() == expected);
    assert_eq!(small.result(None), Ok(81));
}

fn payloads_over_the_limit_fail_their_own_future_only() {
    let pool = ProcessPool::builder(1)
        .max_message_size(1 << 20)
        .build()
        .unwrap();
    let big_argument = pool.submit(&REVERSE, vec![1u8; 10 << 20]).unwrap();
    match big_argument.result(None) {
        Err(FutureError::Serialization(message)) => assert!(
            message.starts_with("the argument of")
                && message.ends_with("exceeds the message limit of 1048576 bytes"),
            "{message}"
        ),
        other => panic!("expected a size error, got {other:?}"),
    }
    let big_result = pool.submit(&ZEROS, 10 << 20).unwrap();
    match big_result.result(None) {
        Err(FutureError::Serialization(message)) => assert!(
            message.starts_with("the result of")
                && message.ends_with("exceeds the message limit of 1048576 bytes"),
            "{message}"
        ),
        other => panic!("expected a size error, got {other:?}"),
    }
    assert_eq!(
        pool.submit(&ZEROS, 1000).unwrap().result(None),
        Ok(vec![0; 1000])
    );
}

fn kill_9_breaks_the_pool_naming_the_worker_and_the_signal() {
    let pool = ProcessPool::new(1);
    let running = pool.submit(&SLEEP_FOREVER, ()).unwrap();
    let queued = pool.submit(&SQUARE, 2).unwrap();
    wait_until_running(&running);
    let pids = pool.worker_pids();
    assert_eq!(pids.len(), 1);
    send_signal(pids[0], libc::SIGKILL);
    let reason = format!(
        "worker `ProcessPool_0` (pid {}) was killed by signal 9 (SIGKILL)",
        pids[0]
    );
    assert_eq!(
        running.result(None),
        Err(FutureError::BrokenPool(reason.clone()))
    );
    assert_eq!(
        queued.result(None),
        Err(FutureError::BrokenPool(reason.clone()))
    );
    assert_eq!(
        pool.submit(&SQUARE, 3).unwrap_err(),
        SubmitError::Broken(reason.clone())
    );
    assert_eq!(
        pool.map(&SQUARE, 0..3, None).unwrap_err(),
        SubmitError::Broken(reason.clone())
    );
    assert_eq!(
        FutureError::BrokenPool(reason).to_string(),
        format!(
            "pool broken: worker `ProcessPool_0` (pid {}) was killed by signal 9 (SIGKILL)",
            pids[0]
        )
    );
    drop(pool);
    assert_reaped(&pids);
}

fn killing_one_of_two_workers_fails_both_running_tasks() {
    let pool = ProcessPool::new(2);
    let first = pool.submit(&SLEEP_FOREVER, ()).unwrap();
    wait_until_running(&first);
    let second = pool.submit(&SLEEP_FOREVER, ()).unwrap();
    wait_until_running(&second);
    let pids = pool.worker_pids();
    assert_eq!(pids.len(), 2);
    send_signal(pids[1], libc::SIGKILL);
    let expected = format!("(pid {}) was killed by signal 9 (SIGKILL)", pids[1]);
    let Err(FutureError::BrokenPool(reason)) = first.result(None) else {
        panic!("the first task must fail with the broken pool");
    };
    assert!(
        reason.starts_with("worker `ProcessPool_") && reason.ends_with(&expected),
        "{reason}"
    );
    assert_eq!(
        second.result(None),
        Err(FutureError::BrokenPool(reason.clone()))
    );
    assert_eq!(
        pool.submit(&SQUARE, 1).unwrap_err(),
        SubmitError::Broken(reason)
    );
    drop(pool);
    assert_reaped(&pids);
}

fn an_aborting_worker_breaks_the_pool_with_sigabrt() {
    let pool = ProcessPool::new(1);
    let future = pool.submit(&ABORT, ()).unwrap();
    let Err(FutureError::BrokenPool(reason)) = future.result(None) else {
        panic!("an abort must break the pool");
    };
    assert!(
        reason.starts_with("worker `ProcessPool_0` (pid ")
            && reason.ends_with("was killed by signal 6 (SIGABRT)"),
        "{reason}"
    );
    assert_eq!(
        pool.submit(&SQUARE, 1).unwrap_err(),
        SubmitError::Broken(reason)
    );
}

fn an_exiting_worker_breaks_the_pool_with_its_exit_code() {
    let pool = ProcessPool::new(1);
    let future = pool.submit(&EXIT_WITH, 3).unwrap();
    let Err(FutureError::BrokenPool(reason)) = future.result(None) else {
        panic!("an exit must break the pool");
    };
    assert!(reason.ends_with(") exited with code 3"), "{reason}");
}

fn a_worker_killed_while_idle_breaks_the_next_task() {
    let pool = ProcessPool::new(1);
    assert_eq!(pool.submit(&SQUARE, 2).unwrap().result(None), Ok(4));
    let pids = pool.worker_pids();
    send_signal(pids[0], libc::SIGKILL);
    let future = pool.submit(&SQUARE, 3).unwrap();
    let reason = format!(
        "worker `ProcessPool_0` (pid {}) was killed by signal 9 (SIGKILL)",
        pids[0]
    );
    assert_eq!(
        future.result(None),
        Err(FutureError::BrokenPool(reason.clone()))
    );
    assert_eq!(
        pool.submit(&SQUARE, 4).unwrap_err(),
        SubmitError::Broken(reason)
    );
    drop(pool);
    assert_reaped(&pids);
}

fn the_initializer_runs_in_every_worker() {
    let pool = ProcessPool::builder(2)
        .initializer(&CONFIGURE, 42)
        .max_tasks_per_child(1)
        .build()
        .unwrap();
    let futures: Vec<_> = (0..6)
        .map(|_| pool.submit(&CONFIGURED, ()).unwrap())
        .collect();
    for future in futures {
        assert_eq!(future.result(None), Ok(42));
    }
    assert_eq!(
        CONFIG.load(Ordering::SeqCst),
        0,
        "the parent is not initialised"
    );
}

fn a_failing_initializer_breaks_the_pool() {
    let pool = ProcessPool::builder(1)
        .initializer(&REFUSE_TO_CONFIGURE, 0)
        .build()
        .unwrap();
    let future = pool.submit(&SQUARE, 2).unwrap();
    let Err(FutureError::BrokenPool(reason)) = future.result(None) else {
        panic!("a failing initializer must break the pool");
    };
    assert!(
        reason.starts_with("initializer of worker `ProcessPool_0` (pid ")
            && reason.ends_with(") failed: panicked: no configuration file"),
        "{reason}"
    );
    assert_eq!(
        pool.submit(&SQUARE, 1).unwrap_err(),
        SubmitError::Broken(reason)
    );
}

fn max_tasks_per_child_replaces_worker_processes() {
    let pool = ProcessPool::builder(1)
        .max_tasks_per_child(2)
        .build()
        .unwrap();
    let pids: Vec<u32> = pool
        .map(&WORKER_PID, 0..6, None)
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(pids[0], pids[1]);
    assert_eq!(pids[2], pids[3]);
    assert_eq!(pids[4], pids[5]);
    let distinct: BTreeSet<u32> = pids.iter().copied().collect();
    assert_eq!(distinct.len(), 3, "{pids:?}");
    drop(pool);
    assert_reaped(&pids);
}

fn shutdown_with_cancel_futures_cancels_the_queued_tasks() {
    let pool = ProcessPool::new(1);
    let running = pool.submit(&NAP, 300).unwrap();
    wait_until_running(&running);
    // The worker's handler is waiting for the nap's reply: these stay queued.
    let queued: Vec<_> = (0..5).map(|i| pool.submit(&SQUARE, i).unwrap()).collect();
    pool.shutdown(true, true);
    assert_eq!(running.result(None), Ok(300));
    for future in &queued {
        assert_eq!(future.state(), FutureState::Cancelled);
        assert_eq!(future.result(None), Err(FutureError::Cancelled));
    }
}

fn shutdown_without_cancel_runs_the_queued_tasks() {
    let pool = ProcessPool::new(2);
    let futures: Vec<_> = (0..50).map(|i| pool.submit(&SQUARE, i).unwrap()).collect();
    pool.shutdown(true, false);
    for (i, future) in futures.iter().enumerate() {
        assert_eq!(future.result(None), Ok((i * i) as u64));
    }
    assert_eq!(pool.worker_pids(), Vec::<u32>::new());
}

fn kill_workers_fails_running_tasks_and_reaps() {
    let pool = ProcessPool::new(2);
    let running = pool.submit(&SLEEP_FOREVER, ()).unwrap();
    wait_until_running(&running);
    let pids = pool.worker_pids();
    pool.kill_workers();
    let Err(FutureError::BrokenPool(reason)) = running.result(None) else {
        panic!("a killed task must fail with the broken pool");
    };
    assert!(
        reason.ends_with("was killed by signal 9 (SIGKILL)"),
        "{reason}"
    );
    assert_reaped(&pids);
}

fn shutdown_reaps_every_worker() {
    let pool = ProcessPool::new(2);
    let results: Vec<u64> = pool
        .map(&SQUARE, 0..100, MapOptions::new().chunksize(10))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(results.len(), 100);
    // Each handler starts its worker by itself: wait until both are up.
    let start = Instant::now();
    while pool.worker_pids().len() < 2 {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the second worker never started"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    let pids = pool.worker_pids();
    for &pid in &pids {
        assert!(pid_exists(pid));
    }
    pool.shutdown(true, false);
    assert_reaped(&pids);
}

fn no_child_is_left_behind() {
    // After every test above (broken pools, killed workers, replaced
    // workers included), this process has no child at all.
    assert_eq!(live_children(), Vec::<u32>::new());
}
