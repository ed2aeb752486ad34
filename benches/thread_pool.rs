//! 100,000 tiny tasks on a 2-worker pool, against peers in the same run.
//!
//! - `submit_wait/weft_thread_pool`: `ThreadPool::submit` (a `Future` per
//!   task), then `result` on every future, every value checked.
//! - `submit_wait/crossbeam_naive_pool`: a naive pool on crossbeam-channel
//!   with one result channel per task (the usual hand-rolled "future").
//! - `submit_wait/threadpool_crate`: `threadpool::ThreadPool::execute`, then
//!   `join` (no result per task).
//! - `submit_wait/rayon_scope_spawn`: `rayon::scope` + `spawn` on a
//!   2-thread pool (no result per task).
//! - `map/weft_thread_pool`: `ThreadPool::map` over 100,000 items.
//!
//! Python's `ThreadPoolExecutor` on the same work is measured by
//! `benches/python/thread_pool.py`; `benches/run_thread_pool.sh` runs both
//! and prints tasks/s and the ratios.

// criterion's macros generate undocumented items.
#![allow(missing_docs)]

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use crossbeam_channel::{bounded, unbounded, Receiver, Sender};
use weft_patterns::executor::ThreadPool;

/// Tasks per iteration.
const TASKS: u64 = 100_000;
/// Workers in every pool.
const WORKERS: usize = 2;

/// The tiny task: a multiply, kept from being optimised away.
fn tiny(i: u64) -> u64 {
    black_box(i).wrapping_mul(3)
}

/// The sum of `tiny(i)` for every task, to check results against.
fn expected_sum() -> u64 {
    (0..TASKS).map(tiny).fold(0, u64::wrapping_add)
}

/// A naive pool: workers pull boxed closures from one crossbeam channel.
struct NaivePool {
    jobs: Option<Sender<Box<dyn FnOnce() + Send>>>,
    workers: Vec<thread::JoinHandle<()>>,
}

impl NaivePool {
    fn new(workers: usize) -> Self {
        let (tx, rx): (Sender<Box<dyn FnOnce() + Send>>, Receiver<_>) = unbounded();
        let workers = (0..workers)
            .map(|_| {
                let rx = rx.clone();
                thread::spawn(move || {
                    for job in rx {
                        job();
                    }
                })
            })
            .collect();
        NaivePool {
            jobs: Some(tx),
            workers,
        }
    }

    /// Submits `f` and returns a receiver for its result: a per-task future.
    fn submit<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> Receiver<T> {
        let (tx, rx) = bounded(1);
        let job = Box::new(move || {
            let _ = tx.send(f());
        });
        self.jobs
            .as_ref()
            .expect("pool is running")
            .send(job)
            .expect("workers are alive");
        rx
    }
}

impl Drop for NaivePool {
    fn drop(&mut self) {
        self.jobs.take();
        for w in self.workers.drain(..) {
            w.join().expect("worker does not panic");
        }
    }
}

fn submit_wait(c: &mut Criterion) {
    let expected = expected_sum();
    let mut group = c.benchmark_group("submit_wait");
    group.throughput(Throughput::Elements(TASKS));
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(5));

    let pool = ThreadPool::new(WORKERS);
    group.bench_function(BenchmarkId::new("weft_thread_pool", TASKS), |b| {
        b.iter(|| {
            let futures: Vec<_> = (0..TASKS)
                .map(|i| pool.submit(move || tiny(i)).expect("pool is running"))
                .collect();
            let sum = futures
                .iter()
                .map(|f| f.result(None).expect("task succeeds"))
                .fold(0, u64::wrapping_add);
            assert_eq!(sum, expected);
        })
    });
    drop(pool);

    let naive = NaivePool::new(WORKERS);
    group.bench_function(BenchmarkId::new("crossbeam_naive_pool", TASKS), |b| {
        b.iter(|| {
            let results: Vec<_> = (0..TASKS).map(|i| naive.submit(move || tiny(i))).collect();
            let sum = results
                .iter()
                .map(|r| r.recv().expect("task succeeds"))
                .fold(0, u64::wrapping_add);
            assert_eq!(sum, expected);
        })
    });
    drop(naive);

    let tp = threadpool::ThreadPool::new(WORKERS);
    group.bench_function(BenchmarkId::new("threadpool_crate", TASKS), |b| {
        b.iter(|| {
            let sum = Arc::new(AtomicU64::new(0));
            for i in 0..TASKS {
                let sum = Arc::clone(&sum);
                tp.execute(move || {
                    sum.fetch_add(tiny(i), Ordering::Relaxed);
                });
            }
            tp.join();
            assert_eq!(sum.load(Ordering::Relaxed), expected);
        })
    });
    drop(tp);

    let rayon_pool = rayon::ThreadPoolBuilder::new()
        .num_threads(WORKERS)
        .build()
        .expect("rayon pool builds");
    group.bench_function(BenchmarkId::new("rayon_scope_spawn", TASKS), |b| {
        b.iter(|| {
            let sum = AtomicU64::new(0);
            rayon_pool.scope(|s| {
                for i in 0..TASKS {
                    let sum = &sum;
                    s.spawn(move |_| {
                        sum.fetch_add(tiny(i), Ordering::Relaxed);
                    });
                }
            });
            assert_eq!(sum.load(Ordering::Relaxed), expected);
        })
    });
    group.finish();
}

fn map(c: &mut Criterion) {
    let expected = expected_sum();
    let mut group = c.benchmark_group("map");
    group.throughput(Throughput::Elements(TASKS));
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(5));
    let pool = ThreadPool::new(WORKERS);
    group.bench_function(BenchmarkId::new("weft_thread_pool", TASKS), |b| {
        b.iter(|| {
            let sum = pool
                .map(tiny, 0..TASKS, None)
                .expect("pool is running")
                .map(|r| r.expect("task succeeds"))
                .fold(0, u64::wrapping_add);
            assert_eq!(sum, expected);
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default();
    targets = submit_wait, map
}
criterion_main!(benches);
