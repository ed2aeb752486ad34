//! weft's `ProcessPool` against procspawn's process pool, on the same work:
//!
//! - `map` over 10,000 small CPU tasks with 2 workers, at chunk sizes 1 and
//!   100 (procspawn has no `map`: one `spawn` per item, or one per 100
//!   items, each returning its results, with at most 1,000 handles
//!   outstanding since each holds file descriptors until joined);
//! - start-up: create a 2-worker pool, run 2 trivial tasks, shut it down.
//!
//! A plain `harness = false` benchmark, because the binary is re-executed as
//! every worker and so needs `process::main` (and `procspawn::init`) first
//! in its own `main`. It prints one line per figure, the median of `--runs`
//! runs (start-up: of 10 times as many); words on the command line select
//! measurements by substring (`weft`, `procspawn map`, `startup`):
//!
//! ```text
//! weft map_chunk1 <tasks/s>
//! weft map_chunk100 <tasks/s>
//! weft startup_ms <milliseconds>
//! procspawn map_chunk1 <tasks/s>
//! ...
//! ```
//!
//! `benches/run_process_pool.sh` runs it with Python's `ProcessPoolExecutor`
//! (`benches/python/process_pool.py`) and prints the comparison.

use std::collections::VecDeque;
use std::time::Instant;

use weft_patterns::executor::{MapOptions, ProcessPool};
use weft_patterns::process::{self, Entry};

const TASKS: u64 = 10_000;
const WORKERS: usize = 2;

/// The small CPU task: 20 rounds of a 64-bit mix (about 20 ns).
fn small(x: u64) -> u64 {
    let mut h = x;
    for _ in 0..20 {
        h = (h ^ (h >> 33)).wrapping_mul(0xff51_afd7_ed55_8ccd);
    }
    h
}

fn small_chunk(xs: Vec<u64>) -> Vec<u64> {
    xs.into_iter().map(small).collect()
}

fn trivial(x: u64) -> u64 {
    x + 1
}

static SMALL: Entry<u64, u64> = weft_patterns::process_entry!(small);
static TRIVIAL: Entry<u64, u64> = weft_patterns::process_entry!(trivial);

fn expected() -> u64 {
    (0..TASKS).map(small).fold(0, u64::wrapping_add)
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn weft_map(pool: &ProcessPool, chunksize: usize) -> u64 {
    pool.map(&SMALL, 0..TASKS, MapOptions::new().chunksize(chunksize))
        .expect("the pool takes the tasks")
        .map(|r| r.expect("a task result"))
        .fold(0, u64::wrapping_add)
}

fn weft_startup() {
    let pool = ProcessPool::new(WORKERS);
    let a = pool.submit(&TRIVIAL, 1).expect("submit");
    let b = pool.submit(&TRIVIAL, 2).expect("submit");
    assert_eq!((a.result(None), b.result(None)), (Ok(2), Ok(3)));
    pool.shutdown(true, false);
}

/// Most procspawn handles outstanding at once: each holds IPC descriptors
/// until joined, and 10,000 at once exceed the descriptor limit here.
const PROCSPAWN_WINDOW: usize = 1000;

/// An outstanding procspawn call: one item, or a chunk of items.
enum Pending {
    One(procspawn::JoinHandle<u64>),
    Chunk(procspawn::JoinHandle<Vec<u64>>),
}

fn procspawn_map(pool: &procspawn::Pool, chunksize: u64) -> u64 {
    let mut total = 0u64;
    let mut window = VecDeque::new();
    let mut start = 0;
    while start < TASKS || !window.is_empty() {
        if start < TASKS && window.len() < PROCSPAWN_WINDOW {
            let end = (start + chunksize).min(TASKS);
            window.push_back(if chunksize == 1 {
                Pending::One(pool.spawn(start, small))
            } else {
                Pending::Chunk(pool.spawn((start..end).collect::<Vec<u64>>(), small_chunk))
            });
            start = end;
            continue;
        }
        match window.pop_front().expect("a handle is outstanding") {
            Pending::One(handle) => {
                total = total.wrapping_add(handle.join().expect("a task result"));
            }
            Pending::Chunk(handle) => {
                let results = handle.join().expect("a chunk result");
                total = results.into_iter().fold(total, u64::wrapping_add);
            }
        }
    }
    total
}

fn procspawn_startup() {
    let pool = procspawn::Pool::new(WORKERS).expect("a procspawn pool");
    let a = pool.spawn(1u64, trivial);
    let b = pool.spawn(2u64, trivial);
    assert_eq!((a.join().unwrap(), b.join().unwrap()), (2, 3));
    pool.shutdown();
}

/// Runs `work` `runs` times and prints the median rate in tasks/s.
fn rate(peer: &str, name: &str, runs: usize, mut work: impl FnMut() -> u64) {
    let expected = expected();
    let rates = (0..runs)
        .map(|_| {
            let start = Instant::now();
            let total = work();
            let elapsed = start.elapsed().as_secs_f64();
            assert_eq!(total, expected, "{peer} {name}: wrong checksum");
            TASKS as f64 / elapsed
        })
        .collect();
    println!("{peer} {name} {:.0}", median(rates));
}

/// Runs `work` `runs` times and prints the median time in milliseconds.
fn millis(peer: &str, name: &str, runs: usize, mut work: impl FnMut()) {
    let times = (0..runs)
        .map(|_| {
            let start = Instant::now();
            work();
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    println!("{peer} {name} {:.2}", median(times));
}

fn main() {
    // A re-executed worker of either pool runs here and exits.
    process::main(&[&SMALL, &TRIVIAL]);
    procspawn::init();

    let mut runs = 5;
    let mut filters = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--runs" {
            runs = args.next().and_then(|n| n.parse().ok()).expect("--runs N");
        } else if !arg.starts_with('-') {
            filters.push(arg);
        }
    }
    let wanted =
        |what: &str| filters.is_empty() || filters.iter().any(|f| what.contains(f.as_str()));

    let chunk_sizes = [1usize, 100];
    let wanted_map = |peer: &str| {
        chunk_sizes
            .iter()
            .any(|c| wanted(&format!("{peer} map_chunk{c}")))
    };
    if wanted_map("weft") {
        let pool = ProcessPool::new(WORKERS);
        weft_map(&pool, 1); // warm up: both workers started and busy once
        for chunksize in chunk_sizes {
            let name = format!("map_chunk{chunksize}");
            if wanted(&format!("weft {name}")) {
                rate("weft", &name, runs, || weft_map(&pool, chunksize));
            }
        }
    }
    if wanted_map("procspawn") {
        let pool = procspawn::Pool::new(WORKERS).expect("a procspawn pool");
        procspawn_map(&pool, 1);
        for chunksize in chunk_sizes {
            let name = format!("map_chunk{chunksize}");
            if wanted(&format!("procspawn {name}")) {
                rate("procspawn", &name, runs, || {
                    procspawn_map(&pool, chunksize as u64)
                });
            }
        }
        pool.shutdown();
    }
    if wanted("weft startup_ms") {
        weft_startup();
        millis("weft", "startup_ms", runs * 10, weft_startup);
    }
    if wanted("procspawn startup_ms") {
        procspawn_startup();
        millis("procspawn", "startup_ms", runs * 10, procspawn_startup);
    }
}
