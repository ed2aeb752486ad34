//! Two models a new user writes first, explored to the end by weft's DPOR
//! (`--features shuttle`) and by loom (`--features loom`), with the time
//! and the executions each took, or what stopped it: a `ThreadPool` with
//! 2 workers and 2 submits (both results checked, then shutdown), and a
//! two-slot SPSC ring buffer pushing and popping 3 items, spinning with
//! `yield_now` when full or empty.
//!
//! `cargo bench --features shuttle --bench dpor_vs_loom` and
//! `cargo bench --features loom --bench dpor_vs_loom`. Each search stops
//! after `WEFT_BENCH_BUDGET` seconds (default 600, loom's 10 minutes).

#![allow(missing_docs)]

#[cfg(any(feature = "loom", feature = "shuttle"))]
mod models {
    use weft::cell::UnsafeCell;
    use weft::sync::atomic::{AtomicUsize, Ordering};
    use weft::sync::Arc;
    use weft::thread;
    use weft_patterns::executor::ThreadPool;

    /// The first pool model: two workers, two submits, both results.
    pub(crate) fn thread_pool() {
        let pool = ThreadPool::new(2);
        let a = pool.submit(|| 1).unwrap();
        let b = pool.submit(|| 2).unwrap();
        assert_eq!(a.result(None).unwrap() + b.result(None).unwrap(), 3);
        pool.shutdown(true, false);
    }

    const SLOTS: usize = 2;
    const ITEMS: usize = 3;

    /// A single-producer single-consumer ring: the producer owns `tail`,
    /// the consumer `head`; a slot is written before `tail` publishes it
    /// (Release) and read after `head` moves past it.
    struct Ring {
        slots: [UnsafeCell<usize>; SLOTS],
        head: AtomicUsize,
        tail: AtomicUsize,
    }

    // SAFETY: a slot is accessed by one side at a time, as the indices
    // hand it over (the model checks exactly that).
    unsafe impl Sync for Ring {}

    pub(crate) fn spsc_ring() {
        let ring = Arc::new(Ring {
            slots: [UnsafeCell::new(0), UnsafeCell::new(0)],
            head: AtomicUsize::new(0),
            tail: AtomicUsize::new(0),
        });
        let producer = {
            let ring = ring.clone();
            thread::spawn(move || {
                for item in 0..ITEMS {
                    let tail = ring.tail.load(Ordering::Relaxed);
                    while tail - ring.head.load(Ordering::Acquire) == SLOTS {
                        thread::yield_now();
                    }
                    ring.slots[tail % SLOTS].with_mut(|p| unsafe { *p = item + 1 });
                    ring.tail.store(tail + 1, Ordering::Release);
                }
            })
        };
        let mut got = Vec::new();
        for _ in 0..ITEMS {
            let head = ring.head.load(Ordering::Relaxed);
            while ring.tail.load(Ordering::Acquire) == head {
                thread::yield_now();
            }
            got.push(ring.slots[head % SLOTS].with(|p| unsafe { *p }));
            ring.head.store(head + 1, Ordering::Release);
        }
        producer.join().unwrap();
        assert_eq!(got, [1, 2, 3]);
    }

    pub(crate) const ALL: [(&str, fn()); 2] = [
        ("ThreadPool: 2 workers, 2 submits", thread_pool),
        ("SPSC ring: 2 slots, 3 items", spsc_ring),
    ];
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
fn main() {
    use std::time::Duration;

    let budget = std::env::var("WEFT_BENCH_BUDGET")
        .ok()
        .map(|s| s.parse::<u64>().expect("WEFT_BENCH_BUDGET: seconds"))
        .unwrap_or(600);
    let checker = if cfg!(feature = "shuttle") {
        "weft DPOR"
    } else {
        "loom (through weft)"
    };
    println!("| model | {checker}: executions | time | finished |");
    println!("| --- | ---: | ---: | --- |");
    for (name, f) in models::ALL {
        let model = weft::Model::new()
            .name(name)
            .time_budget(Duration::from_secs(budget));
        #[cfg(feature = "shuttle")]
        let model = model
            .scheduler(weft::Scheduler::Dpor)
            .iterations(usize::MAX);
        let stats = model
            .explore(f)
            .unwrap_or_else(|failure| panic!("{failure}"));
        println!(
            "| {name} | {} | {:.2?} | {} |",
            stats.executions(),
            stats.elapsed(),
            if stats.is_search_complete() {
                "yes"
            } else {
                "no: stopped by the time budget"
            }
        );
    }
}

#[cfg(not(any(feature = "loom", feature = "shuttle")))]
fn main() {
    println!("dpor_vs_loom: run with --features shuttle or --features loom");
}
