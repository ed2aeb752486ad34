//! `process::Queue` throughput between two processes: a child puts
//! 200,000 small messages (`u64`s), the parent gets them until the queue
//! is closed. `benches/run_process_queue.sh` runs it with Python's
//! `multiprocessing.Queue` on the same work (`benches/python/process_queue.py`)
//! and prints the ratio.
//!
//! A plain `harness = false` benchmark, because the binary is re-executed
//! as the child and so needs `process::main` first in its own `main`. It
//! prints `weft queue_msgs_per_s <messages/s>`, the median of `--runs N`
//! runs (default 5), each timed from the child's start to the last message.

use std::time::Instant;

use weft_patterns::process::{self, Entry, Process, Queue, RecvError};

const MESSAGES: u64 = 200_000;

fn produce((queue, n): (Queue<u64>, u64)) -> u64 {
    for i in 0..n {
        queue.put(i).expect("the parent reads");
    }
    n
}

static PRODUCE: Entry<(Queue<u64>, u64), u64> = weft_patterns::process_entry!(produce);

fn one_run() -> f64 {
    let queue = Queue::new().expect("a pipe");
    let start = Instant::now();
    let mut p = Process::new(&PRODUCE, (queue.clone(), MESSAGES));
    p.start().expect("the producer starts");
    queue.close();
    let mut sum = 0u64;
    let mut count = 0u64;
    loop {
        match queue.get() {
            Ok(i) => {
                sum = sum.wrapping_add(i);
                count += 1;
            }
            Err(RecvError::Closed) => break,
            Err(e) => panic!("{e}"),
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    assert_eq!(count, MESSAGES);
    assert_eq!(sum, MESSAGES * (MESSAGES - 1) / 2);
    assert_eq!(p.join().expect("the producer ran"), MESSAGES);
    MESSAGES as f64 / elapsed
}

fn main() {
    process::main(&[&PRODUCE]);
    let args: Vec<String> = std::env::args().collect();
    let runs = args
        .iter()
        .position(|a| a == "--runs")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(5usize);
    // `cargo bench` passes `--bench`; nothing else is read.
    let mut rates: Vec<f64> = (0..runs.max(1)).map(|_| one_run()).collect();
    rates.sort_by(f64::total_cmp);
    println!("weft queue_msgs_per_s {:.0}", rates[rates.len() / 2]);
}
