//! `aio::TaskGroup` against tokio's `JoinSet`, in the same run.
//!
//! `task_group/*`: create 100,000 trivial tasks in a group (each returns
//! its index), wait for the whole group, and sum the results (checked).
//!
//! Implementations: `weft_task_group` (`aio::TaskGroup::create_task`, then
//! `join`, then each `Task::result`), `tokio_join_set_local` (a
//! current-thread runtime with a `LocalSet`, `JoinSet::spawn_local`, then
//! `join_next` until empty: the non-`Send` tasks weft's loop also runs) and
//! `tokio_join_set` (the same runtime, `JoinSet::spawn`). Python's
//! `asyncio.TaskGroup` on the same work is measured by
//! `benches/python/task_group.py`; `benches/run_task_group.sh` runs both
//! and prints rates and ratios.

// criterion's macros generate undocumented items.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use weft_patterns::aio::{EventLoop, TaskGroup};

/// Tasks per iteration.
const TASKS: u64 = 100_000;

fn check_sum(sum: u64) {
    assert_eq!(sum, TASKS * (TASKS - 1) / 2);
}

fn task_group(c: &mut Criterion) {
    let mut group = c.benchmark_group("task_group");
    group.throughput(Throughput::Elements(TASKS));
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(5));

    let lp = EventLoop::new();
    group.bench_function(BenchmarkId::new("weft_task_group", TASKS), |b| {
        b.iter(|| {
            let sum = lp.run(async {
                let tg = TaskGroup::new();
                let tasks: Vec<_> = (0..TASKS)
                    .map(|i| tg.create_task(async move { black_box(i) }))
                    .collect();
                tg.join().await.unwrap();
                tasks.into_iter().map(|t| t.result().unwrap()).sum::<u64>()
            });
            check_sum(sum);
        })
    });

    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a tokio runtime");
    let local = tokio::task::LocalSet::new();
    group.bench_function(BenchmarkId::new("tokio_join_set_local", TASKS), |b| {
        b.iter(|| {
            let sum = local.block_on(&rt, async {
                let mut set = tokio::task::JoinSet::new();
                for i in 0..TASKS {
                    set.spawn_local(async move { black_box(i) });
                }
                let mut sum = 0;
                while let Some(r) = set.join_next().await {
                    sum += r.unwrap();
                }
                sum
            });
            check_sum(sum);
        })
    });

    group.bench_function(BenchmarkId::new("tokio_join_set", TASKS), |b| {
        b.iter(|| {
            let sum = rt.block_on(async {
                let mut set = tokio::task::JoinSet::new();
                for i in 0..TASKS {
                    set.spawn(async move { black_box(i) });
                }
                let mut sum = 0;
                while let Some(r) = set.join_next().await {
                    sum += r.unwrap();
                }
                sum
            });
            check_sum(sum);
        })
    });
    group.finish();
}

criterion_group!(benches, task_group);
criterion_main!(benches);
