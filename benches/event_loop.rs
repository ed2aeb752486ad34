//! The asyncio-style event loop against tokio's current-thread runtime, in
//! the same run.
//!
//! - `tasks/*`: create 100,000 trivial tasks, then await each one (every
//!   value checked).
//! - `yields/*`: 10,000 tasks that each yield 10 times (100,000 yields),
//!   then await each one.
//!
//! Implementations: `weft_event_loop` (`aio::EventLoop::run` +
//! `aio::create_task` + `aio::yield_now`), `tokio_spawn_local` (a
//! current-thread runtime with a `LocalSet`, `spawn_local` +
//! `task::yield_now`: the non-`Send` tasks weft's loop also runs), and
//! `tokio_spawn` (the same runtime, `tokio::spawn`). Python's asyncio on the
//! same work is measured by `benches/python/event_loop.py`;
//! `benches/run_event_loop.sh` runs both and prints rates and ratios.

// criterion's macros generate undocumented items.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use weft_patterns::aio::{self, EventLoop};

/// Tasks per iteration of `tasks/*`.
const TASKS: u64 = 100_000;
/// Tasks per iteration of `yields/*`.
const YIELDING_TASKS: u64 = 10_000;
/// Yields per task in `yields/*`.
const YIELDS: u64 = 10;

fn current_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a tokio runtime")
}

fn check_sum(sum: u64, n: u64) {
    assert_eq!(sum, n * (n - 1) / 2);
}

fn tasks(c: &mut Criterion) {
    let mut group = c.benchmark_group("tasks");
    group.throughput(Throughput::Elements(TASKS));
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(5));

    let lp = EventLoop::new();
    group.bench_function(BenchmarkId::new("weft_event_loop", TASKS), |b| {
        b.iter(|| {
            let sum = lp.run(async {
                let handles: Vec<_> = (0..TASKS)
                    .map(|i| aio::create_task(async move { black_box(i) }))
                    .collect();
                let mut sum = 0;
                for h in handles {
                    sum += h.await.unwrap();
                }
                sum
            });
            check_sum(sum, TASKS);
        })
    });

    let rt = current_thread();
    let local = tokio::task::LocalSet::new();
    group.bench_function(BenchmarkId::new("tokio_spawn_local", TASKS), |b| {
        b.iter(|| {
            let sum = local.block_on(&rt, async {
                let handles: Vec<_> = (0..TASKS)
                    .map(|i| tokio::task::spawn_local(async move { black_box(i) }))
                    .collect();
                let mut sum = 0;
                for h in handles {
                    sum += h.await.unwrap();
                }
                sum
            });
            check_sum(sum, TASKS);
        })
    });

    group.bench_function(BenchmarkId::new("tokio_spawn", TASKS), |b| {
        b.iter(|| {
            let sum = rt.block_on(async {
                let handles: Vec<_> = (0..TASKS)
                    .map(|i| tokio::spawn(async move { black_box(i) }))
                    .collect();
                let mut sum = 0;
                for h in handles {
                    sum += h.await.unwrap();
                }
                sum
            });
            check_sum(sum, TASKS);
        })
    });
    group.finish();
}

fn yields(c: &mut Criterion) {
    let mut group = c.benchmark_group("yields");
    group.throughput(Throughput::Elements(YIELDING_TASKS * YIELDS));
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(5));
    let id = YIELDING_TASKS * YIELDS;

    let lp = EventLoop::new();
    group.bench_function(BenchmarkId::new("weft_event_loop", id), |b| {
        b.iter(|| {
            let sum = lp.run(async {
                let handles: Vec<_> = (0..YIELDING_TASKS)
                    .map(|i| {
                        aio::create_task(async move {
                            for _ in 0..YIELDS {
                                aio::yield_now().await;
                            }
                            i
                        })
                    })
                    .collect();
                let mut sum = 0;
                for h in handles {
                    sum += h.await.unwrap();
                }
                sum
            });
            check_sum(sum, YIELDING_TASKS);
        })
    });

    let rt = current_thread();
    let local = tokio::task::LocalSet::new();
    group.bench_function(BenchmarkId::new("tokio_spawn_local", id), |b| {
        b.iter(|| {
            let sum = local.block_on(&rt, async {
                let handles: Vec<_> = (0..YIELDING_TASKS)
                    .map(|i| {
                        tokio::task::spawn_local(async move {
                            for _ in 0..YIELDS {
                                tokio::task::yield_now().await;
                            }
                            i
                        })
                    })
                    .collect();
                let mut sum = 0;
                for h in handles {
                    sum += h.await.unwrap();
                }
                sum
            });
            check_sum(sum, YIELDING_TASKS);
        })
    });

    group.bench_function(BenchmarkId::new("tokio_spawn", id), |b| {
        b.iter(|| {
            let sum = rt.block_on(async {
                let handles: Vec<_> = (0..YIELDING_TASKS)
                    .map(|i| {
                        tokio::spawn(async move {
                            for _ in 0..YIELDS {
                                tokio::task::yield_now().await;
                            }
                            i
                        })
                    })
                    .collect();
                let mut sum = 0;
                for h in handles {
                    sum += h.await.unwrap();
                }
                sum
            });
            check_sum(sum, YIELDING_TASKS);
        })
    });
    group.finish();
}

criterion_group!(benches, tasks, yields);
criterion_main!(benches);
