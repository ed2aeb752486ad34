//! How long a failing model takes from start to printed report, weft against
//! the raw checker finding the same bug, in one run; and the size of the
//! trace file.
//!
//! Two bugs, each explored from scratch until the first failure:
//!
//! - `lost_update`: two threads load then store one atomic (an assertion).
//! - `abba`: two threads take two mutexes in opposite orders (a deadlock).
//!
//! For each, `<bug>/raw` runs the raw checker (`loom::model`, or
//! `shuttle::check_random_with_seed` with weft's seed) until it panics with
//! its own message and prints it (loom: the panic message; shuttle: also the
//! task and the schedule); `<bug>/weft` runs `weft::Model::explore`, which
//! returns the failure and writes its trace file, then prints
//! `failure.to_string()`. Both sides share `std::sync::Arc` (raw loom with
//! `loom::sync::Arc` aborts the process on a deadlock) and find the bug
//! after the same number of executions (checked before measuring).
//!
//! `<bug>/report_render` and `<bug>/report_trace_write` time the report
//! alone on one failure: rendering and printing it, and building and
//! writing its trace file.
//!
//! First, while the process is fresh, an interleaved comparison times in
//! each round: raw; weft's explore (with its trace write); rendering and
//! printing the report; one more trace write, alone; raw again. It prints,
//! in wall time and in the thread's CPU time, the median ratio weft / raw
//! from start to printed report, the median share of the report (render +
//! trace write) on top of finding the bug (weft's explore minus its trace
//! write; target: at most 10%), and each part's median time.
//! `-- interleaved` runs only that. (On shuttle, each deadlocked execution
//! leaves its blocked tasks behind, holding a tracing dispatcher that every
//! later `explore` pays for: criterion's thousands of runs make weft's later
//! figures grow.)
//!
//! While measuring, stderr is redirected to `/dev/null`: every print is
//! still formatted and written (a `write` call), and a terminal's speed does
//! not count. Trace files go to `target/weft/bench-traces` (the disk of the
//! target directory, as a user's do), or under `WEFT_TRACE_DIR` when it is
//! set (a tmpfs such as `/dev/shm/...` takes the disk out of the figures).
//!
//! The backend is the build's: `cargo bench --features loom --bench
//! failure_report` or `--features shuttle`. `benches/run_foundation.sh` runs
//! both and prints the ratios.

// criterion's macros generate undocumented items.
#![allow(missing_docs)]

use std::hint::black_box;
use std::io::Write;
use std::os::fd::AsRawFd;
use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use criterion::{criterion_group, Criterion};

mod support;
use support::{quantile, thread_cpu, wanted};

/// The seed of both shuttle sides: the same schedules, the same failing execution.
const SEED: u64 = 7;
/// Executions shuttle may try before giving up (never reached: both bugs are shallow).
const MAX_ITERATIONS: usize = 10_000;
/// Rounds of the interleaved comparison.
const ROUNDS: usize = 21;

/// Executions the raw peers ran (the weft side reports its own).
static RAW_EXECUTIONS: AtomicUsize = AtomicUsize::new(0);

/// The two bugs on weft's primitives.
mod weft_bugs {
    use std::sync::Arc;
    use weft::sync::atomic::{AtomicUsize, Ordering};
    use weft::sync::Mutex;
    use weft::thread;

    pub(crate) fn lost_update() {
        let n = Arc::new(AtomicUsize::new(0).named("hits"));
        let hs: Vec<_> = (0..2)
            .map(|i| {
                let n = n.clone();
                thread::Builder::new()
                    .name(format!("worker-{i}"))
                    .spawn(move || {
                        let v = n.load(Ordering::SeqCst);
                        n.store(v + 1, Ordering::SeqCst);
                    })
                    .unwrap()
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
        assert_eq!(n.load(Ordering::SeqCst), 2, "an increment was lost");
    }

    pub(crate) fn abba() {
        let a = Arc::new(Mutex::new(()).named("lock_a"));
        let b = Arc::new(Mutex::new(()).named("lock_b"));
        let (a2, b2) = (a.clone(), b.clone());
        let t1 = thread::Builder::new()
            .name("ab")
            .spawn(move || {
                let _ga = a2.lock().unwrap();
                let _gb = b2.lock().unwrap();
            })
            .unwrap();
        let (a3, b3) = (a.clone(), b.clone());
        let t2 = thread::Builder::new()
            .name("ba")
            .spawn(move || {
                let _gb = b3.lock().unwrap();
                let _ga = a3.lock().unwrap();
            })
            .unwrap();
        t1.join().unwrap();
        t2.join().unwrap();
    }
}

/// The same two bugs on a raw checker's primitives (`$sync`, `$thread`).
macro_rules! raw_bugs {
    ($module:ident, $sync:path, $thread:path) => {
        mod $module {
            use super::RAW_EXECUTIONS;
            use std::sync::atomic::Ordering as Counter;
            use std::sync::Arc;
            use sync::atomic::{AtomicUsize, Ordering};
            use sync::Mutex;
            use $sync as sync;
            use $thread as thread;

            pub(crate) fn lost_update() {
                RAW_EXECUTIONS.fetch_add(1, Counter::Relaxed);
                let n = Arc::new(AtomicUsize::new(0));
                let hs: Vec<_> = (0..2)
                    .map(|i| {
                        let n = n.clone();
                        thread::Builder::new()
                            .name(format!("worker-{i}"))
                            .spawn(move || {
                                let v = n.load(Ordering::SeqCst);
                                n.store(v + 1, Ordering::SeqCst);
                            })
                            .unwrap()
                    })
                    .collect();
                for h in hs {
                    h.join().unwrap();
                }
                assert_eq!(n.load(Ordering::SeqCst), 2, "an increment was lost");
            }

            pub(crate) fn abba() {
                RAW_EXECUTIONS.fetch_add(1, Counter::Relaxed);
                let a = Arc::new(Mutex::new(()));
                let b = Arc::new(Mutex::new(()));
                let (a2, b2) = (a.clone(), b.clone());
                let t1 = thread::Builder::new()
                    .name("ab".into())
                    .spawn(move || {
                        let _ga = a2.lock().unwrap();
                        let _gb = b2.lock().unwrap();
                    })
                    .unwrap();
                let (a3, b3) = (a.clone(), b.clone());
                let t2 = thread::Builder::new()
                    .name("ba".into())
                    .spawn(move || {
                        let _gb = b3.lock().unwrap();
                        let _ga = a3.lock().unwrap();
                    })
                    .unwrap();
                t1.join().unwrap();
                t2.join().unwrap();
            }
        }
    };
}

raw_bugs!(loom_bugs, loom::sync, loom::thread);
raw_bugs!(shuttle_bugs, shuttle::sync, shuttle::thread);

/// A bug, as each side explores it.
#[derive(Clone, Copy)]
struct Bug {
    name: &'static str,
    weft: fn(),
    raw_loom: fn(),
    raw_shuttle: fn(),
}

const BUGS: [Bug; 2] = [
    Bug {
        name: "lost_update",
        weft: weft_bugs::lost_update,
        raw_loom: loom_bugs::lost_update,
        raw_shuttle: shuttle_bugs::lost_update,
    },
    Bug {
        name: "abba",
        weft: weft_bugs::abba,
        raw_loom: loom_bugs::abba,
        raw_shuttle: shuttle_bugs::abba,
    },
];

/// Runs the raw checker on `bug` until it fails; returns its executions.
/// The checker and the panic hook print the failure as a user sees it.
fn raw(backend: weft::Backend, bug: Bug) -> usize {
    let before = RAW_EXECUTIONS.load(Ordering::Relaxed);
    let result = panic::catch_unwind(AssertUnwindSafe(|| match backend {
        weft::Backend::Loom => loom::model(bug.raw_loom),
        _ => shuttle::check_random_with_seed(bug.raw_shuttle, SEED, MAX_ITERATIONS),
    }));
    assert!(
        result.is_err(),
        "raw {backend} did not find the {}",
        bug.name
    );
    RAW_EXECUTIONS.load(Ordering::Relaxed) - before
}

/// Runs weft on `bug` until it fails (writing the trace file); returns the failure.
fn weft_explore(bug: Bug) -> weft::Failure {
    weft::Model::new()
        .name(format!("bench_{}", bug.name))
        .seed(SEED)
        .iterations(MAX_ITERATIONS)
        .explore(bug.weft)
        .expect_err("weft finds the bug")
}

/// Runs weft on `bug` until it fails and prints the report; returns the failure.
fn weft_failure(bug: Bug) -> weft::Failure {
    let failure = weft_explore(bug);
    render(&failure);
    failure
}

/// Renders and prints the report of `failure`.
fn render(failure: &weft::Failure) {
    let report = failure.to_string();
    let _ = writeln!(std::io::stderr().lock(), "{report}");
}

/// Builds and writes the trace file of `failure`; returns its size in bytes.
fn trace_write(failure: &weft::Failure, dir: &std::path::Path) -> u64 {
    let trace = weft_check::trace::Trace::from_failure(failure);
    let path = weft_check::trace::write_trace(dir, &trace).expect("the trace is written");
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

/// Runs `f` once; returns its result and [wall, thread CPU] seconds.
fn timed<R>(f: impl FnOnce() -> R) -> (R, [f64; 2]) {
    let (t0, c0) = (Instant::now(), thread_cpu());
    let r = black_box(f());
    (r, [t0.elapsed().as_secs_f64(), thread_cpu() - c0])
}

/// Measures one bug in interleaved rounds (raw; weft's explore, which
/// writes the trace file; rendering and printing the report; writing the
/// trace file again, alone, elsewhere; raw), so that a change of machine load between
/// criterion's separate windows cannot pass for a difference. For wall time
/// (what a person waits for) and thread CPU time, prints the median ratio
/// weft / raw from start to printed report, the median share of the report
/// (render + trace write) on top of finding the bug (weft's explore minus
/// its trace write), both with 10th and 90th percentiles, and the median
/// time of each part in microseconds.
fn interleaved(backend: weft::Backend, bug: Bug, traces: &std::path::Path) {
    // [wall, cpu] x [ratio, share, raw, weft, find, render, trace]
    let mut series: [[Vec<f64>; 7]; 2] = Default::default();
    // The trace written alone replaces the one it wrote a round before, as
    // the explore's does (replacing a file just written would wait for it
    // to reach the disk first, on ext4).
    let standalone = traces.join("standalone");
    for _ in 0..ROUNDS {
        let (_, r1) = timed(|| raw(backend, bug));
        let (failure, explore) = timed(|| weft_explore(bug));
        let (_, render_t) = timed(|| render(&failure));
        let (_, trace_t) = timed(|| trace_write(&failure, &standalone));
        let (_, r2) = timed(|| raw(backend, bug));
        for (m, s) in series.iter_mut().enumerate() {
            let raw_t = (r1[m] + r2[m]) / 2.0;
            let weft_t = explore[m] + render_t[m];
            let find = (explore[m] - trace_t[m]).max(f64::EPSILON);
            let values = [
                weft_t / raw_t,
                (render_t[m] + trace_t[m]) / find,
                raw_t,
                weft_t,
                find,
                render_t[m],
                trace_t[m],
            ];
            for (v, value) in s.iter_mut().zip(values) {
                v.push(value);
            }
        }
    }
    for (metric, s) in ["wall", "cpu"].iter().zip(series.iter_mut()) {
        for (what, i) in [("weft/raw", 0), ("report/find", 1)] {
            let values = &mut s[i];
            let (p10, p50, p90) = (
                quantile(values, 0.1),
                quantile(values, 0.5),
                quantile(values, 0.9),
            );
            println!(
                "weft-bench failure_report {backend} {} {metric} {what} median {p50:.3} p10 {p10:.3} p90 {p90:.3}",
                bug.name
            );
        }
        let us: Vec<f64> = (2..7).map(|i| quantile(&mut s[i], 0.5) * 1e6).collect();
        println!(
            "weft-bench failure_report {backend} {} {metric} us raw {:.0} weft {:.0} find {:.0} render {:.0} trace {:.0}",
            bug.name, us[0], us[1], us[2], us[3], us[4]
        );
    }
}

/// stderr, redirected to `/dev/null` while the benchmark prints reports.
struct Redirect {
    saved: libc::c_int,
}

impl Redirect {
    fn to_null() -> Redirect {
        let _ = std::io::stderr().flush();
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/null")
            .expect("/dev/null opens");
        // SAFETY: fd 2 is open for the whole process; `dup` only copies it.
        let saved = unsafe { libc::dup(2) };
        assert!(saved >= 0, "stderr can be duplicated");
        // SAFETY: both descriptors are open; `dup2` atomically makes fd 2 a
        // copy of the file's, and `file` may close its own afterwards.
        let ok = unsafe { libc::dup2(file.as_raw_fd(), 2) };
        assert!(ok >= 0, "stderr can be redirected");
        Redirect { saved }
    }
}

impl Drop for Redirect {
    fn drop(&mut self) {
        let _ = std::io::stderr().flush();
        // SAFETY: `saved` is the original stderr, open since `to`; after
        // `dup2` fd 2 is it again and `saved` is no longer needed.
        unsafe {
            libc::dup2(self.saved, 2);
            libc::close(self.saved);
        }
    }
}

fn failure_report(c: &mut Criterion) {
    let backend = weft::Backend::current();
    if backend == weft::Backend::Std {
        skip_this_build(
            "failure_report: std mode has no checker to compare; run with --features loom or --features shuttle",
        );
    }
    let target =
        PathBuf::from(std::env::var_os("CARGO_TARGET_DIR").unwrap_or_else(|| "target".into()));
    // Where a user's traces go (on the target directory's disk), unless
    // WEFT_TRACE_DIR says otherwise (a tmpfs, to take the disk out).
    let traces = match std::env::var_os(weft::env::WEFT_TRACE_DIR) {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => target.join("weft").join("bench-traces"),
    };
    std::env::set_var(weft::env::WEFT_TRACE_DIR, &traces);
    println!(
        "weft-bench failure_report {backend} trace-dir {}",
        traces.display()
    );

    let redirect = Redirect::to_null();
    let mut facts = Vec::new();
    let mut failures = Vec::new();
    for bug in BUGS {
        let raw_executions = raw(backend, bug);
        let failure = weft_failure(bug);
        assert_eq!(
            raw_executions,
            failure.executions(),
            "raw {backend} found the {} after {raw_executions} executions and weft after {}: the models differ",
            bug.name,
            failure.executions()
        );
        let bytes = failure
            .trace_path()
            .and_then(|p| std::fs::metadata(p).ok())
            .map(|m| m.len())
            .unwrap_or(0);
        let report_lines = failure.to_string().lines().count();
        facts.push(format!(
            "weft-bench failure_report {backend} {} executions {raw_executions} kind {:?} trace-bytes {bytes} report-lines {report_lines}",
            bug.name,
            failure.kind()
        ));
        failures.push((bug.name, failure));
    }
    drop(redirect);
    for fact in &facts {
        println!("{fact}");
    }

    let _redirect = Redirect::to_null();
    // First, while the process is fresh: on shuttle every deadlocked
    // execution leaves its blocked tasks (and the tracing dispatcher they
    // hold) behind, and each later `explore` pays for registering its
    // dispatcher against all of them, so criterion's thousands of runs
    // below slow weft down more and more (see the report).
    for bug in BUGS {
        if wanted(&format!("failure_report_{backend}/{}", bug.name)) {
            interleaved(backend, bug, &traces);
        }
    }
    let mut g = c.benchmark_group(format!("failure_report_{backend}"));
    for bug in BUGS {
        g.bench_function(format!("{}/raw", bug.name), |b| {
            b.iter(|| raw(backend, bug))
        });
        g.bench_function(format!("{}/weft", bug.name), |b| {
            b.iter(|| weft_failure(bug))
        });
    }
    for (name, failure) in &failures {
        g.bench_function(format!("{name}/report_render"), |b| {
            b.iter(|| render(black_box(failure)))
        });
        g.bench_function(format!("{name}/report_trace_write"), |b| {
            b.iter(|| trace_write(black_box(failure), &traces))
        });
    }
    g.finish();
}

/// Ends the process when this build cannot run the benchmark: with status 2
/// under `cargo bench` (a usage error), with 0 when `cargo test --benches`
/// runs every benchmark target once (nothing to check in this build).
fn skip_this_build(why: &str) -> ! {
    eprintln!("{why}");
    let benchmarking = std::env::args().any(|a| a == "--bench");
    std::process::exit(if benchmarking { 2 } else { 0 });
}

criterion_group!(benches, failure_report);

fn main() {
    // Raw checkers print through the default panic hook: without a backtrace,
    // as for most users (std reads the variable once, at the first panic).
    std::env::set_var("RUST_BACKTRACE", "0");
    benches();
    Criterion::default().configure_from_args().final_summary();
}
