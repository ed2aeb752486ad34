//! Random search on several workers, and PCT against a deep bug.
//!
//! `cargo bench --features shuttle --bench workers -- throughput`:
//! executions per second of the random scheduler on 1 and on 2 workers
//! (`Model::workers`), interleaved in one run, on a small correct model.
//!
//! `cargo bench --features shuttle --bench workers -- pct`: how many
//! executions the random scheduler, PCT at depths 1 to 6 and the
//! portfolio need to find `models/deep_bug.rs`'s bug (A1 B1 A2 C1 A3 B2),
//! over 20 seeds each (`-- pct portfolio`: the portfolio alone).

#![allow(missing_docs)]

#[cfg(feature = "shuttle")]
mod support;

#[cfg(feature = "shuttle")]
mod models {
    use weft::sync::atomic::{AtomicUsize, Ordering};
    use weft::sync::{Arc, Mutex};
    use weft::thread;

    /// Two threads add to a mutex-protected counter: ~20 steps.
    pub(crate) fn counter() {
        let n = Arc::new(Mutex::new(0));
        let hs: Vec<_> = (0..2)
            .map(|_| {
                let n = n.clone();
                thread::spawn(move || *n.lock().unwrap() += 1)
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
        assert_eq!(*n.lock().unwrap(), 2);
    }

    fn step(s: &AtomicUsize, from: usize, to: usize) {
        if s.load(Ordering::SeqCst) == from {
            s.store(to, Ordering::SeqCst);
        }
    }

    /// `models/deep_bug.rs`: state 6 only in the order A1 B1 A2 C1 A3 B2.
    pub(crate) fn deep_bug() {
        let s = Arc::new(AtomicUsize::new(0));
        let spawn = |steps: Vec<(usize, usize)>| {
            let s = s.clone();
            thread::spawn(move || {
                for (from, to) in steps {
                    step(&s, from, to);
                }
            })
        };
        let a = spawn(vec![(0, 1), (2, 3), (4, 5)]);
        let b = spawn(vec![(1, 2), (5, 6)]);
        let c = spawn(vec![(3, 4)]);
        for h in [a, b, c] {
            h.join().unwrap();
        }
        assert_ne!(s.load(Ordering::SeqCst), 6, "deep bug");
    }
}

#[cfg(feature = "shuttle")]
fn throughput() {
    use std::time::Duration;

    use weft::Scheduler;

    const EXECUTIONS: usize = 60_000;
    const ROUNDS: usize = 5;
    let run = |workers: usize| -> f64 {
        let stats = weft::Model::new()
            .name("throughput")
            .scheduler(Scheduler::Random)
            .seed(1)
            .iterations(EXECUTIONS)
            .workers(workers)
            .check(models::counter);
        assert_eq!(stats.executions(), EXECUTIONS);
        assert_eq!(stats.workers(), workers);
        stats.executions() as f64 / stats.elapsed().as_secs_f64()
    };
    // Warm up both (allocations, the panic hook, shuttle's first run).
    run(1);
    run(2);
    let mut one = Vec::new();
    let mut two = Vec::new();
    let mut ratios = Vec::new();
    let mut machine = Vec::new();
    for _ in 0..ROUNDS {
        let a = run(1);
        let b = run(2);
        // The peer: what two threads of pure computation gain on this
        // machine at this moment (other builds may hold the cores).
        let m = support::compute_scaling(50_000_000);
        println!(
            "  1 worker {a:>9.0} executions/s   2 workers {b:>9.0} executions/s   ratio {:.2}   (pure computation on 2 threads: {m:.2}x)",
            b / a
        );
        one.push(a);
        two.push(b);
        ratios.push(b / a);
        machine.push(m);
        std::thread::sleep(Duration::from_millis(50));
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!(
        "random scheduler, counter model, {EXECUTIONS} executions a run, {ROUNDS} interleaved runs: 1 worker {:.0}/s, 2 workers {:.0}/s (medians); ratio median {:.2} (min {:.2}, max {:.2}); pure computation on 2 threads, same run: {:.2}x (median); {} CPUs",
        median(&mut one),
        median(&mut two),
        median(&mut ratios.clone()),
        ratios.iter().copied().fold(f64::INFINITY, f64::min),
        ratios.iter().copied().fold(0.0, f64::max),
        median(&mut machine),
        std::thread::available_parallelism().map_or(1, |n| n.get()),
    );
}

#[cfg(feature = "shuttle")]
fn pct() {
    use weft::{FailureKind, Scheduler};

    const SEEDS: u64 = 20;
    const CAP: usize = 100_000;
    // `-- pct portfolio`: the portfolio's row alone.
    let only_portfolio = std::env::args().any(|a| a == "portfolio");
    let mut schedulers = vec![Scheduler::Random];
    schedulers.extend((1..=6).map(|depth| Scheduler::Pct { depth }));
    if only_portfolio {
        schedulers.clear();
    }
    schedulers.push(Scheduler::Portfolio);
    for scheduler in schedulers {
        let mut found = Vec::new();
        let mut by = std::collections::BTreeMap::<String, usize>::new();
        let start = std::time::Instant::now();
        for seed in 0..SEEDS {
            let result = weft::Model::new()
                .name("deep_bug")
                .scheduler(scheduler)
                .seed(seed)
                .iterations(CAP)
                .workers(1)
                .expect_failure(FailureKind::Assertion)
                .explore(models::deep_bug);
            match result {
                Ok(stats) => {
                    found.push(stats.executions());
                    let strategy = stats.caught().map_or(scheduler, |f| f.scheduler());
                    *by.entry(strategy.to_string()).or_default() += 1;
                }
                Err(f) if f.kind() == FailureKind::NotCaught => {}
                Err(f) => panic!("{f}"),
            }
        }
        found.sort_unstable();
        let median = found.get(found.len() / 2).copied();
        let mean = if found.is_empty() {
            0.0
        } else {
            found.iter().sum::<usize>() as f64 / found.len() as f64
        };
        println!(
            "{:<10} found in {:>2}/{SEEDS} seeds (cap {CAP} executions): median {:>7}, mean {:>9.0} executions; {:.1?}; found by {by:?}",
            scheduler.to_string(),
            found.len(),
            median.map_or("-".to_string(), |m| m.to_string()),
            mean,
            start.elapsed(),
        );
    }
}

#[cfg(feature = "shuttle")]
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let wants = |what: &str| {
        !args.iter().skip(1).any(|a| !a.starts_with('-')) || args.iter().any(|a| a == what)
    };
    if wants("throughput") {
        throughput();
    }
    if wants("pct") {
        pct();
    }
}

#[cfg(not(feature = "shuttle"))]
fn main() {
    println!(
        "the workers benchmark runs on shuttle: cargo bench --features shuttle --bench workers"
    );
}
