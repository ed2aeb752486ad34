//! What a `ThreadPool` costs to explore: executions weft's DPOR search
//! (shuttle) needs to prove small pool models, kept under bounds that the
//! pool's former internals broke. Each step a thread takes on shared state
//! is one more to interleave, and a checker explores every order of the
//! conflicting ones; so a pool's internals decide whether a first pool
//! model finishes (issue 12).
//!
//! Before the pool was made cheap to explore (same models, same search):
//! starting and shutting down 2 workers took 1,456 executions (every
//! exiting worker notified the condvar `shutdown` waited on, in either
//! order against the other worker's steps); one worker with two submits
//! and both results, 5,844 (each waiter loaded the future's state before
//! locking, and completion loaded it before its compare-exchange: reads
//! whose every position against the worker's writes is another
//! interleaving). `benches/dpor_vs_loom.rs` measures the full first model.
//!
//! DPOR is shuttle's search, so the execution counts are checked under
//! `--features shuttle`. `shutdown(wait)` now joins the workers; a second
//! `shutdown` at the same time waits on a condvar that only the last
//! worker out notifies: that path is verified on every backend.

use weft::sync::atomic::{AtomicBool, Ordering};
use weft::sync::Arc;
use weft::thread;
use weft::Model;
#[cfg(feature = "shuttle")]
use weft::Scheduler;
use weft_patterns::executor::ThreadPool;

#[test]
fn two_shutdowns_at_once_both_wait_for_the_queued_task() {
    Model::new()
        .name("pool_two_shutdowns")
        // Three threads: exhaustive on loom up to two preemptions.
        .preemption_bound(2)
        .check(|| {
            let pool = Arc::new(ThreadPool::new(1));
            let ran = Arc::new(AtomicBool::new(false).named("ran"));
            let flag = ran.clone();
            let _task = pool
                .submit(move || flag.store(true, Ordering::SeqCst))
                .unwrap();
            let other = {
                let (pool, ran) = (pool.clone(), ran.clone());
                thread::spawn(move || {
                    pool.shutdown(true, false);
                    assert!(
                        ran.load(Ordering::SeqCst),
                        "the other shutdown returned early"
                    );
                })
            };
            pool.shutdown(true, false);
            assert!(
                ran.load(Ordering::SeqCst),
                "shutdown returned before the task ran"
            );
            other.join().unwrap();
        });
}

/// Runs weft's DPOR search on `body` to its end and returns how many
/// executions it took.
#[cfg(feature = "shuttle")]
fn dpor_executions(name: &str, body: fn()) -> usize {
    let stats = Model::new()
        .name(name)
        .scheduler(Scheduler::Dpor)
        .explore(body)
        .unwrap_or_else(|failure| panic!("{failure}"));
    assert!(stats.is_exhaustive(), "{stats}");
    stats.executions()
}

#[cfg(feature = "shuttle")]
#[test]
fn starting_and_shutting_down_two_workers_is_proven_in_few_executions() {
    let executions = dpor_executions("pool_start_stop", || {
        let pool = ThreadPool::new(2);
        pool.shutdown(true, false);
    });
    // 30 now (45 while a join raced with the end of the thread it
    // joins); 1,456 when each worker's exit notified shutdown's condvar.
    assert!(executions <= 40, "{executions} executions");
}

#[cfg(feature = "shuttle")]
#[test]
fn one_worker_with_two_results_is_proven_in_few_executions() {
    let executions = dpor_executions("pool_one_worker_two_results", || {
        let pool = ThreadPool::new(1);
        let a = pool.submit(|| 1).unwrap();
        let b = pool.submit(|| 2).unwrap();
        assert_eq!(a.result(None), Ok(1));
        assert_eq!(b.result(None), Ok(2));
        pool.shutdown(true, false);
    });
    // 336 now; 5,844 with a load before each compare-exchange and before
    // each waiter's lock.
    assert!(executions <= 400, "{executions} executions");
}
