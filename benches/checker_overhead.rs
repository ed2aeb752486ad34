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
//! Each side uses its checker's `Arc`: weft's modelled one against loom's
//! own (both make a clone and a drop one scheduling point each) and against
//! std's on shuttle (shuttle's `Arc` is std's; weft's adds no scheduling
//! point there, only the count's happens-before edges). Both name their
//! threads. The bench checks that both sides ran the same number of
//! executions before it measures anything.
//!
//! After criterion's measurements, an interleaved comparison times raw,
//! weft and raw again in each round, in wall time and in the thread's CPU
//! time (both checkers run the model on the calling OS thread), and prints
//! the median ratio weft / raw, raw against itself (the noise floor) and
//! each side's time per execution. `-- interleaved` runs only that.
//!
//! The backend is the build's: `cargo bench --features loom --bench
//! checker_overhead` measures loom, `--features shuttle` measures shuttle,
//! and the other peer is skipped. `benches/run_foundation.sh` runs both and
//! prints the ratios weft / raw and executions per second.

// criterion's macros generate undocumented items.
#![allow(missing_docs)]

use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use criterion::{criterion_group, Criterion};

mod support;
use support::{quantile, thread_cpu, wanted};

/// Random executions per shuttle exploration (each side).
const ITERATIONS: usize = 1000;
/// Rounds of the interleaved comparison.
const ROUNDS: usize = 21;

/// Executions the raw peers ran (the weft side reports its own).
static RAW_EXECUTIONS: AtomicUsize = AtomicUsize::new(0);

/// The counter model on weft's primitives: what a weft user writes.
fn weft_counter() {
    use weft::sync::{Arc, Mutex};
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
    use loom::sync::{Arc, Mutex};
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
    use shuttle::sync::{Arc, Mutex};
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

/// Runs `f` once; returns (wall seconds, thread CPU seconds).
fn timed(f: fn() -> usize) -> (f64, f64) {
    let (t0, c0) = (Instant::now(), thread_cpu());
    black_box(f());
    (t0.elapsed().as_secs_f64(), thread_cpu() - c0)
}

/// Compares weft with raw in interleaved rounds (raw, weft, raw), so that a
/// change of machine load between criterion's separate windows cannot pass
/// for overhead. For thread CPU time (the primary measure) and wall time,
/// prints the median ratio weft / raw with its 10th and 90th percentiles,
/// raw against itself (the noise floor), and each side's median time per
/// execution.
fn interleaved(backend: &str, executions: usize, raw: fn() -> usize, weft: fn() -> usize) {
    // [wall, cpu][raw per execution, weft per execution, ratio, noise]
    let mut series: [[Vec<f64>; 4]; 2] = Default::default();
    for _ in 0..ROUNDS {
        let r1 = timed(raw);
        let w = timed(weft);
        let r2 = timed(raw);
        for (m, (r1, w, r2)) in [(r1.0, w.0, r2.0), (r1.1, w.1, r2.1)]
            .into_iter()
            .enumerate()
        {
            let r = (r1 + r2) / 2.0;
            series[m][0].push(r / executions as f64);
            series[m][1].push(w / executions as f64);
            series[m][2].push(w / r);
            series[m][3].push(r2 / r1);
        }
    }
    for (metric, s) in ["wall", "cpu"].iter().zip(series.iter_mut()) {
        for (what, i) in [("weft/raw", 2), ("raw/raw", 3)] {
            let values = &mut s[i];
            let (p10, p50, p90) = (
                quantile(values, 0.1),
                quantile(values, 0.5),
                quantile(values, 0.9),
            );
            println!(
                "weft-bench checker_overhead {backend} {metric} {what} median {p50:.3} p10 {p10:.3} p90 {p90:.3}"
            );
        }
        let raw_ns = quantile(&mut s[0], 0.5) * 1e9;
        let weft_ns = quantile(&mut s[1], 0.5) * 1e9;
        println!(
            "weft-bench checker_overhead {backend} {metric} ns-per-execution raw {raw_ns:.0} weft {weft_ns:.0}"
        );
    }
}

/// Checks that both sides explore the same number of executions and prints
/// it, so that times convert to executions per second.
fn same_executions(backend: &str, raw: fn() -> usize, weft: fn() -> usize) -> usize {
    let (r, w) = (raw(), weft());
    assert_eq!(
        r, w,
        "raw {backend} ran {r} executions and weft {w}: the models differ"
    );
    println!("weft-bench checker_overhead {backend} executions {r}");
    r
}

fn overhead(c: &mut Criterion) {
    let (backend, raw): (&str, fn() -> usize) = match weft::Backend::current() {
        weft::Backend::Loom => ("loom", raw_loom),
        weft::Backend::Shuttle => ("shuttle", raw_shuttle),
        weft::Backend::Std => {
            skip_this_build(
                "checker_overhead: std mode has no checker to compare; run with --features loom or --features shuttle",
            );
        }
    };
    let executions = same_executions(backend, raw, weft);
    let mut g = c.benchmark_group(format!("checker_overhead_{backend}"));
    g.bench_function("raw", |b| b.iter(raw));
    g.bench_function("weft", |b| b.iter(weft));
    g.finish();
    if wanted(&format!("checker_overhead_{backend}")) {
        interleaved(backend, executions, raw, weft);
    }
}

/// Ends the process when this build cannot run the benchmark: with status 2
/// under `cargo bench` (a usage error), with 0 when `cargo test --benches`
/// runs every benchmark target once (nothing to check in this build).
fn skip_this_build(why: &str) -> ! {
    eprintln!("{why}");
    let benchmarking = std::env::args().any(|a| a == "--bench");
    std::process::exit(if benchmarking { 2 } else { 0 });
}

criterion_group!(benches, overhead);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
