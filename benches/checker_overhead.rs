//! What weft's recording costs on a checker: the same two-thread mutex
//! counter explored by weft (every operation recorded) and by the raw
//! checker, in one run.
//!
//! - `loom/{raw,weft}`: one exhaustive exploration; raw is `loom::model`
//!   over `loom::sync::Mutex` and `loom::thread`, weft is `weft::Model`
//!   over `weft::sync::Mutex` (which drives `loom::model::Builder`).
//! - `shuttle/{raw,weft}`: `ITERATIONS` random executions; raw is
//!   `shuttle::check_random`, weft is `weft::Model::iterations`.
//!
//! Both sides share `std::sync::Arc` (weft's `Arc` is std's on every
//! backend; loom's own `Arc` adds scheduling points and would explore more
//! executions) and name their threads. The bench checks that both sides ran
//! the same number of executions before it measures anything.
//!
//! The backend is the build's: `cargo bench --features loom --bench
//! checker_overhead` measures loom, `--features shuttle` measures shuttle,
//! and the other peer is skipped. `benches/run_foundation.sh` runs both and
//! prints the ratios weft / raw and executions per second.

// criterion's macros generate undocumented items.
#![allow(missing_docs)]

use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, Criterion};

/// Random executions per shuttle exploration (each side).
const ITERATIONS: usize = 1000;
/// Rounds of the interleaved comparison.
const ROUNDS: usize = 15;

/// Executions the raw peers ran (the weft side reports its own).
static RAW_EXECUTIONS: AtomicUsize = AtomicUsize::new(0);

/// The counter model on weft's primitives: what a weft user writes.
fn weft_counter() {
    use weft::sync::Mutex;
    use weft::thread;
    let n = Arc::new(Mutex::new(0).named("counter"));
    let hs: Vec<_> = (0..2)
        .map(|i| {
            let n = n.clone();
            thread::Builder::new()
                .name(format!("worker-{i}"))
                .spawn(move || *n.lock().unwrap() += 1)
                .unwrap()
        })
        .collect();
    for h in hs {
        h.join().unwrap();
    }
    assert_eq!(*n.lock().unwrap(), 2);
}

/// The same model on raw loom.
fn raw_loom_counter() {
    use loom::sync::Mutex;
    use loom::thread;
    RAW_EXECUTIONS.fetch_add(1, Ordering::Relaxed);
    let n = Arc::new(Mutex::new(0));
    let hs: Vec<_> = (0..2)
        .map(|i| {
            let n = n.clone();
            thread::Builder::new()
                .name(format!("worker-{i}"))
                .spawn(move || *n.lock().unwrap() += 1)
                .unwrap()
        })
        .collect();
    for h in hs {
        h.join().unwrap();
    }
    assert_eq!(*n.lock().unwrap(), 2);
}

/// The same model on raw shuttle.
fn raw_shuttle_counter() {
    use shuttle::sync::Mutex;
    use shuttle::thread;
    RAW_EXECUTIONS.fetch_add(1, Ordering::Relaxed);
    let n = Arc::new(Mutex::new(0));
    let hs: Vec<_> = (0..2)
        .map(|i| {
            let n = n.clone();
            thread::Builder::new()
                .name(format!("worker-{i}"))
                .spawn(move || *n.lock().unwrap() += 1)
                .unwrap()
        })
        .collect();
    for h in hs {
        h.join().unwrap();
    }
    assert_eq!(*n.lock().unwrap(), 2);
}

/// One raw loom exploration; returns its executions.
fn raw_loom() -> usize {
    let before = RAW_EXECUTIONS.load(Ordering::Relaxed);
    loom::model(raw_loom_counter);
    RAW_EXECUTIONS.load(Ordering::Relaxed) - before
}

/// One raw shuttle exploration of `ITERATIONS` executions; returns them.
fn raw_shuttle() -> usize {
    let before = RAW_EXECUTIONS.load(Ordering::Relaxed);
    shuttle::check_random(raw_shuttle_counter, ITERATIONS);
    RAW_EXECUTIONS.load(Ordering::Relaxed) - before
}

/// One weft exploration on the build's checker; returns its executions.
fn weft() -> usize {
    weft::Model::new()
        .name("checker_overhead")
        .iterations(ITERATIONS)
        .seed(1)
        .explore(weft_counter)
        .expect("the counter is correct")
        .executions()
}

/// The `q`-quantile (0..=1) of `values` (sorted here).
fn quantile(values: &mut [f64], q: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    let i = ((values.len() - 1) as f64 * q).round() as usize;
    values[i]
}

fn timed(f: fn() -> usize) -> Duration {
    let t0 = Instant::now();
    black_box(f());
    t0.elapsed()
}

/// Compares weft with raw in interleaved rounds (raw, weft, raw), so that a
/// change of machine load between criterion's separate windows cannot pass
/// for overhead; prints the median ratio weft / raw with its 10th and 90th
/// percentiles, and raw against itself (the noise floor).
fn interleaved(backend: &str, raw: fn() -> usize, weft: fn() -> usize) {
    let (mut ratios, mut noise) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let r1 = timed(raw).as_secs_f64();
        let w = timed(weft).as_secs_f64();
        let r2 = timed(raw).as_secs_f64();
        ratios.push(w / ((r1 + r2) / 2.0));
        noise.push(r2 / r1);
    }
    for (what, values) in [("weft/raw", &mut ratios), ("raw/raw", &mut noise)] {
        let (p10, p50, p90) = (
            quantile(values, 0.1),
            quantile(values, 0.5),
            quantile(values, 0.9),
        );
        println!(
            "weft-bench checker_overhead {backend} {what} median {p50:.3} p10 {p10:.3} p90 {p90:.3}"
        );
    }
}

/// Checks that both sides explore the same number of executions and prints
/// it, so that times convert to executions per second.
fn same_executions(backend: &str, raw: fn() -> usize, weft: fn() -> usize) {
    let (r, w) = (raw(), weft());
    assert_eq!(
        r, w,
        "raw {backend} ran {r} executions and weft {w}: the models differ"
    );
    println!("weft-bench checker_overhead {backend} executions {r}");
}

fn overhead(c: &mut Criterion) {
    let (backend, raw): (&str, fn() -> usize) = match weft::Backend::current() {
        weft::Backend::Loom => ("loom", raw_loom),
        weft::Backend::Shuttle => ("shuttle", raw_shuttle),
        weft::Backend::Std => {
            eprintln!(
                "checker_overhead: std mode has no checker to compare; run with --features loom or --features shuttle"
            );
            std::process::exit(2);
        }
    };
    same_executions(backend, raw, weft);
    let mut g = c.benchmark_group(format!("checker_overhead_{backend}"));
    g.bench_function("raw", |b| b.iter(raw));
    g.bench_function("weft", |b| b.iter(weft));
    g.finish();
    // Under `cargo bench` only: `cargo test --benches` runs each benchmark once.
    if std::env::args().any(|a| a == "--bench") {
        interleaved(backend, raw, weft);
    }
}

criterion_group!(benches, overhead);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
