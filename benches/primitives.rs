//! weft's primitives in std mode against std's own, in one run.
//!
//! In std mode `weft::sync::Mutex` and `weft::sync::atomic::AtomicUsize` are
//! `#[repr(transparent)]` `#[inline]` newtypes over the std types, so every
//! pair below should measure the same (ratio 1.00 within noise):
//!
//! - `uncontended_mutex/{std,weft}`: `lock`, increment, unlock on one thread.
//! - `uncontended_fetch_add/{std,weft}`: `fetch_add(1, SeqCst)` on one thread.
//! - `contended_mutex/{std,weft}`: two threads each lock, increment and
//!   unlock the same mutex; the time is per operation of one thread (both
//!   run `iters` operations at once).
//! - `contended_fetch_add/{std,weft}`: two threads `fetch_add` one atomic.
//!
//! After criterion's measurements, an interleaved comparison times std and
//! weft batches alternately (`x y x` rounds), in wall time and in CPU time,
//! and prints the median ratio weft / std next to the ratio of the same code
//! timed twice (the noise floor): on a busy machine the load changes
//! between criterion's separate windows, and only ratios taken side by side
//! are comparable. `-- interleaved` runs only that comparison.
//!
//! Run it in std mode (no checker feature): `cargo bench --bench primitives`;
//! `benches/run_foundation.sh` prints the ratios weft / std.

// criterion's macros generate undocumented items.
#![allow(missing_docs)]

use std::hint::black_box;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use criterion::{criterion_group, Criterion};

mod support;
use support::{quantile, wanted};

/// Runs `op` `iters` times on each of two threads started together, and
/// returns the time from their common start until both finished.
fn two_threads(iters: u64, op: impl Fn() + Sync) -> Duration {
    two_threads_timed(iters, op)[0]
}

/// Like [`two_threads`]; returns [wall time, CPU time of the process] from
/// the common start until both threads finished.
fn two_threads_timed(iters: u64, op: impl Fn() + Sync) -> [Duration; 2] {
    let start = std::sync::Barrier::new(3);
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..2)
            .map(|_| {
                let (start, op) = (&start, &op);
                s.spawn(move || {
                    start.wait();
                    for _ in 0..iters {
                        op();
                    }
                })
            })
            .collect();
        start.wait();
        let (t0, c0) = (Instant::now(), cpu_time(libc::CLOCK_PROCESS_CPUTIME_ID));
        for w in workers {
            w.join().expect("a benchmark thread panicked");
        }
        [
            t0.elapsed(),
            cpu_time(libc::CLOCK_PROCESS_CPUTIME_ID).saturating_sub(c0),
        ]
    })
}

fn uncontended(c: &mut Criterion) {
    let mut g = c.benchmark_group("uncontended_mutex");
    let std_mutex = std::sync::Mutex::new(0u64);
    g.bench_function("std", |b| {
        b.iter(|| *black_box(&std_mutex).lock().unwrap() += 1)
    });
    let weft_mutex = weft::sync::Mutex::new(0u64);
    g.bench_function("weft", |b| {
        b.iter(|| *black_box(&weft_mutex).lock().unwrap() += 1)
    });
    g.finish();

    let mut g = c.benchmark_group("uncontended_fetch_add");
    let std_atomic = std::sync::atomic::AtomicUsize::new(0);
    g.bench_function("std", |b| {
        b.iter(|| black_box(&std_atomic).fetch_add(1, Ordering::SeqCst))
    });
    let weft_atomic = weft::sync::atomic::AtomicUsize::new(0);
    g.bench_function("weft", |b| {
        b.iter(|| black_box(&weft_atomic).fetch_add(1, Ordering::SeqCst))
    });
    g.finish();
}

fn contended(c: &mut Criterion) {
    let mut g = c.benchmark_group("contended_mutex");
    let std_mutex = std::sync::Mutex::new(0u64);
    g.bench_function("std", |b| {
        b.iter_custom(|iters| two_threads(iters, || *black_box(&std_mutex).lock().unwrap() += 1))
    });
    let weft_mutex = weft::sync::Mutex::new(0u64);
    g.bench_function("weft", |b| {
        b.iter_custom(|iters| two_threads(iters, || *black_box(&weft_mutex).lock().unwrap() += 1))
    });
    g.finish();

    let mut g = c.benchmark_group("contended_fetch_add");
    let std_atomic = std::sync::atomic::AtomicUsize::new(0);
    g.bench_function("std", |b| {
        b.iter_custom(|iters| {
            two_threads(iters, || {
                black_box(&std_atomic).fetch_add(1, Ordering::SeqCst);
            })
        })
    });
    let weft_atomic = weft::sync::atomic::AtomicUsize::new(0);
    g.bench_function("weft", |b| {
        b.iter_custom(|iters| {
            two_threads(iters, || {
                black_box(&weft_atomic).fetch_add(1, Ordering::SeqCst);
            })
        })
    });
    g.finish();
}

/// Refuses to measure a checker build: there the primitives record every
/// operation on purpose, and `checker_overhead` is the benchmark to run.
fn std_mode_only(_c: &mut Criterion) {
    if weft::Backend::current() != weft::Backend::Std {
        skip_this_build(&format!(
            "primitives: this benchmark compares std mode with std; run it without --features {}",
            weft::Backend::current()
        ));
    }
}

/// Operations per timed batch (per thread) in the interleaved comparison.
const BATCH: u64 = 2_000_000;
/// Rounds of the interleaved comparison.
const ROUNDS: usize = 21;

/// Compares `weft` with `std` in interleaved rounds, so that a change of
/// machine load between criterion's separate measurement windows cannot
/// pass for a difference. Each round times three batches, `x y x`, where
/// `(x, y)` alternates between `(std, weft)` and `(weft, std)`; its ratio is
/// weft / std (the mean of the two `x` batches on its side) and its noise
/// is the second `x` against the first (the same code timed twice). Prints
/// the median, 10th and 90th percentile of both, one line each, for wall
/// time and for CPU time (of the thread for one thread, of the process for
/// two: time other processes took the cores away is in neither), and the
/// median time per operation of each side.
fn interleaved(name: &str, std: impl Fn() -> [Duration; 2], weft: impl Fn() -> [Duration; 2]) {
    if !wanted(name) {
        return;
    }
    // [wall, cpu] x [ratio, noise, std per op, weft per op]
    let mut series: [[Vec<f64>; 4]; 2] = Default::default();
    // Warm caches and the thread spawner up.
    std();
    weft();
    for round in 0..ROUNDS {
        let (x, y): (&dyn Fn() -> [Duration; 2], &dyn Fn() -> [Duration; 2]) = if round % 2 == 0 {
            (&std, &weft)
        } else {
            (&weft, &std)
        };
        let (x1, y1, x2) = (x(), y(), x());
        for (m, s) in series.iter_mut().enumerate() {
            let (x1, y1, x2) = (
                x1[m].as_secs_f64(),
                y1[m].as_secs_f64(),
                x2[m].as_secs_f64(),
            );
            let x_mean = (x1 + x2) / 2.0;
            let (std_t, weft_t) = if round % 2 == 0 {
                (x_mean, y1)
            } else {
                (y1, x_mean)
            };
            s[0].push(weft_t / std_t);
            s[1].push(x2 / x1);
            s[2].push(std_t / BATCH as f64);
            s[3].push(weft_t / BATCH as f64);
        }
    }
    for (metric, s) in ["wall", "cpu"].iter().zip(series.iter_mut()) {
        for (what, i) in [("weft/std", 0), ("same/same", 1)] {
            let values = &mut s[i];
            let (p10, p50, p90) = (
                quantile(values, 0.1),
                quantile(values, 0.5),
                quantile(values, 0.9),
            );
            println!(
                "weft-bench primitives {name} {metric} {what} median {p50:.3} p10 {p10:.3} p90 {p90:.3}"
            );
        }
        let std_ns = quantile(&mut s[2], 0.5) * 1e9;
        let weft_ns = quantile(&mut s[3], 0.5) * 1e9;
        println!(
            "weft-bench primitives {name} {metric} ns-per-op std {std_ns:.2} weft {weft_ns:.2}"
        );
    }
}

/// Times `BATCH` calls of `op` on this thread: [wall, thread CPU].
fn one_thread(op: impl Fn()) -> [Duration; 2] {
    let (t0, c0) = (Instant::now(), cpu_time(libc::CLOCK_THREAD_CPUTIME_ID));
    for _ in 0..BATCH {
        op();
    }
    [
        t0.elapsed(),
        cpu_time(libc::CLOCK_THREAD_CPUTIME_ID).saturating_sub(c0),
    ]
}

/// CPU time (user and system) of this thread or process so far, by `clock`:
/// unlike wall time, it does not count the time other processes on a busy
/// machine took the cores away.
fn cpu_time(clock: libc::clockid_t) -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec for the call's duration,
    // and both CPU-time clocks used here exist on every Linux kernel.
    let rc = unsafe { libc::clock_gettime(clock, &mut ts) };
    assert_eq!(rc, 0, "the CPU-time clock is readable");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// The interleaved comparisons, after criterion's.
fn interleaved_all() {
    let std_mutex = std::sync::Mutex::new(0u64);
    let weft_mutex = weft::sync::Mutex::new(0u64);
    let std_atomic = std::sync::atomic::AtomicUsize::new(0);
    let weft_atomic = weft::sync::atomic::AtomicUsize::new(0);
    let std_lock = || *black_box(&std_mutex).lock().unwrap() += 1;
    let weft_lock = || *black_box(&weft_mutex).lock().unwrap() += 1;
    let std_add = || {
        black_box(&std_atomic).fetch_add(1, Ordering::SeqCst);
    };
    let weft_add = || {
        black_box(&weft_atomic).fetch_add(1, Ordering::SeqCst);
    };
    interleaved(
        "uncontended_mutex",
        || one_thread(std_lock),
        || one_thread(weft_lock),
    );
    interleaved(
        "uncontended_fetch_add",
        || one_thread(std_add),
        || one_thread(weft_add),
    );
    interleaved(
        "contended_mutex",
        || two_threads_timed(BATCH, std_lock),
        || two_threads_timed(BATCH, weft_lock),
    );
    interleaved(
        "contended_fetch_add",
        || two_threads_timed(BATCH, std_add),
        || two_threads_timed(BATCH, weft_add),
    );
}

/// Ends the process when this build cannot run the benchmark: with status 2
/// under `cargo bench` (a usage error), with 0 when `cargo test --benches`
/// runs every benchmark target once (nothing to check in this build).
fn skip_this_build(why: &str) -> ! {
    eprintln!("{why}");
    let benchmarking = std::env::args().any(|a| a == "--bench");
    std::process::exit(if benchmarking { 2 } else { 0 });
}

criterion_group!(benches, std_mode_only, uncontended, contended);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    interleaved_all();
}
