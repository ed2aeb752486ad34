//! Three models a new user writes first, explored to the end by weft's DPOR
//! (`--features shuttle`) and by loom (`--features loom`), with the time
//! and the executions each took, or what stopped it: a `ThreadPool` with
//! 2 workers and 2 submits (both results checked, then shutdown), and a
//! two-slot SPSC ring buffer pushing and popping 3 items, then 5 items,
//! spinning with `yield_now` when full or empty.
//!
//! With `--features loom` the ring also runs on raw loom (`loom::model`'s
//! `Builder` with loom's defaults and loom's own primitives, no preemption
//! bound: loom's default), the peer weft is compared with. With 5 items
//! raw loom does not finish in 10 minutes (about 24M executions done; its
//! search grows about 120x per item: 174, 25,424 and 3,018,128 executions
//! for 2, 3 and 4 items), nor does loom through weft, where weft's DPOR
//! finishes it in about 2 seconds (110,592 executions). The figures, and
//! the machine: README, "Performance".
//!
//! `cargo bench --features shuttle --bench dpor_vs_loom` and
//! `cargo bench --features loom --bench dpor_vs_loom`. Each search stops
//! after `WEFT_BENCH_BUDGET` seconds (default 600, loom's 10 minutes); raw
//! loom's through `Builder::max_duration`, which loom compares with the
//! clock every `checkpoint_interval` (20,000) executions.

#![allow(missing_docs)]

#[cfg(any(feature = "loom", feature = "shuttle"))]
#[macro_use]
#[path = "support/spsc_ring.rs"]
mod spsc_ring_model;

#[cfg(any(feature = "loom", feature = "shuttle"))]
#[path = "../models/first_pool.rs"]
mod first_pool;

#[cfg(any(feature = "loom", feature = "shuttle"))]
mod models {
    use super::first_pool::first_pool_model;

    /// The ring on weft's primitives.
    mod ring {
        spsc_ring!(weft);
    }

    pub(crate) const ALL: [(&str, fn()); 3] = [
        ("ThreadPool: 2 workers, 2 submits", first_pool_model),
        ("SPSC ring: 2 slots, 3 items", ring::spsc_ring::<3>),
        ("SPSC ring: 2 slots, 5 items", ring::spsc_ring::<5>),
    ];
}

/// The same ring on raw loom's primitives.
#[cfg(feature = "loom")]
mod raw_loom {
    mod ring {
        spsc_ring!(loom);
    }

    pub(crate) const ALL: [(&str, fn()); 2] = [
        ("SPSC ring: 2 slots, 3 items", ring::spsc_ring::<3>),
        ("SPSC ring: 2 slots, 5 items", ring::spsc_ring::<5>),
    ];
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
fn main() {
    use std::time::Duration;

    let budget = std::env::var("WEFT_BENCH_BUDGET")
        .ok()
        .map(|s| s.parse::<u64>().expect("WEFT_BENCH_BUDGET: seconds"))
        .unwrap_or(600);
    let budget = Duration::from_secs(budget);
    let checker = if cfg!(feature = "shuttle") {
        "weft DPOR"
    } else {
        "loom (through weft)"
    };
    println!("| model | {checker}: executions | time | finished |");
    println!("| --- | ---: | ---: | --- |");
    for (name, f) in models::ALL {
        let model = weft::Model::new().name(name).time_budget(budget);
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
    #[cfg(feature = "loom")]
    raw_loom_rows(budget);
}

/// The ring on raw loom, `loom::model::Builder` with loom's defaults and no
/// preemption bound (loom's default: the claim is about the whole search,
/// so a `LOOM_MAX_PREEMPTIONS` in the environment is not applied), stopped
/// by `max_duration`. loom counts no executions for its caller: the model
/// counts its own runs.
#[cfg(feature = "loom")]
fn raw_loom_rows(budget: std::time::Duration) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Instant;

    static RUNS: AtomicUsize = AtomicUsize::new(0);
    println!();
    println!("| model | raw loom: executions | time | finished |");
    println!("| --- | ---: | ---: | --- |");
    for (name, f) in raw_loom::ALL {
        let mut builder = loom::model::Builder::new();
        builder.preemption_bound = None;
        builder.max_duration = Some(budget);
        RUNS.store(0, Ordering::Relaxed);
        let start = Instant::now();
        builder.check(move || {
            RUNS.fetch_add(1, Ordering::Relaxed);
            f()
        });
        let elapsed = start.elapsed();
        let executions = RUNS.load(Ordering::Relaxed);
        // loom stops for `max_duration` only when it looks at the clock,
        // before execution number k * checkpoint_interval.
        let stopped = elapsed >= budget && (executions + 1) % builder.checkpoint_interval == 0;
        println!(
            "| {name} | {executions} | {elapsed:.2?} | {} |",
            if stopped {
                "no: stopped by the time budget"
            } else {
                "yes"
            }
        );
    }
}

#[cfg(not(any(feature = "loom", feature = "shuttle")))]
fn main() {
    println!("dpor_vs_loom: run with --features shuttle or --features loom");
}
