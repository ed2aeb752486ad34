//! Head-of-line blocking on a 2-worker `ThreadPool`: one slow task (800 ms)
//! submitted first, then 10,000 fast ones. Prints, over 5 runs, when the
//! last fast task completed (from the first submit) and how many fast
//! tasks completed after the slow one: with workers that each claimed up
//! to 32 queued tasks, the fast tasks claimed with the slow one waited for
//! it; claiming one at a time, the other worker runs them all meanwhile.
//!
//! `cargo bench --bench thread_pool_head_of_line`

// A harness-less bench: its `main` is the documentation.
#![allow(missing_docs)]

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use weft_patterns::executor::ThreadPool;

const FAST: usize = 10_000;
const SLOW: Duration = Duration::from_millis(800);
const RUNS: usize = 5;

fn one_run() -> (Duration, usize) {
    let pool = ThreadPool::new(2);
    let slow_done = Arc::new(AtomicBool::new(false));
    let after_slow = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let s = Arc::clone(&slow_done);
    let slow = pool
        .submit(move || {
            std::thread::sleep(SLOW);
            s.store(true, Ordering::SeqCst);
        })
        .unwrap();
    let fast: Vec<_> = (0..FAST)
        .map(|i| {
            let (s, a) = (Arc::clone(&slow_done), Arc::clone(&after_slow));
            pool.submit(move || {
                if s.load(Ordering::SeqCst) {
                    a.fetch_add(1, Ordering::SeqCst);
                }
                std::hint::black_box(i)
            })
            .unwrap()
        })
        .collect();
    for f in &fast {
        f.result(None).unwrap();
    }
    let last_fast = start.elapsed();
    slow.result(None).unwrap();
    (last_fast, after_slow.load(Ordering::SeqCst))
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo bench -- --list` and `cargo test --benches`
    }
    let mut times = Vec::new();
    for run in 1..=RUNS {
        let (last_fast, after_slow) = one_run();
        println!(
            "run {run}: last of {FAST} fast tasks done after {:.1} ms; {after_slow} of them finished after the {} ms task",
            last_fast.as_secs_f64() * 1e3,
            SLOW.as_millis()
        );
        times.push(last_fast);
    }
    times.sort();
    println!(
        "median: {:.1} ms (min {:.1}, max {:.1})",
        times[RUNS / 2].as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
        times[RUNS - 1].as_secs_f64() * 1e3
    );
}
