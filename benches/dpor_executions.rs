//! How many executions each exhaustive search runs on the same correct
//! models, and how fast: weft's DPOR and shuttle's naive DFS (through
//! weft), with raw shuttle's `check_dfs` as the speed reference, under
//! `--features shuttle`; loom's DPOR (through weft) under `--features loom`.
//!
//! `cargo bench --features shuttle --bench dpor_executions` and
//! `cargo bench --features loom --bench dpor_executions`.

#![allow(missing_docs)]

#[cfg(any(feature = "loom", feature = "shuttle"))]
mod models {
    use weft::sync::{Arc, Mutex};
    use weft::thread;

    /// Two threads add to a mutex-protected counter.
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

    /// Two threads take two locks in the same order (ABBA avoided).
    pub(crate) fn ordered_locks() {
        let locks = Arc::new((Mutex::new(0), Mutex::new(0)));
        let hs: Vec<_> = (0..2)
            .map(|_| {
                let l = locks.clone();
                thread::spawn(move || {
                    let mut a = l.0.lock().unwrap();
                    let mut b = l.1.lock().unwrap();
                    *a += 1;
                    *b += 1;
                })
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
    }

    /// Three philosophers; the last takes its right fork first.
    pub(crate) fn philosophers() {
        let forks: Arc<Vec<Mutex<()>>> = Arc::new((0..3).map(|_| Mutex::new(())).collect());
        let hs: Vec<_> = (0..3)
            .map(|i| {
                let forks = forks.clone();
                thread::spawn(move || {
                    let (first, second) = if i == 2 { (0, 2) } else { (i, i + 1) };
                    let _a = forks[first].lock().unwrap();
                    let _b = forks[second].lock().unwrap();
                })
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
    }

    pub(crate) const ALL: [(&str, fn()); 3] = [
        ("counter", counter),
        ("ordered locks", ordered_locks),
        ("3 philosophers", philosophers),
    ];
}

#[cfg(feature = "shuttle")]
fn main() {
    use std::time::{Duration, Instant};

    use weft::Scheduler;

    // Executions, and whether the search finished within its limit.
    let search = |scheduler: Scheduler, f: fn(), limit: usize| -> (usize, bool) {
        let stats = weft::Model::new()
            .scheduler(scheduler)
            .iterations(limit)
            .explore(f)
            .unwrap_or_else(|failure| panic!("{failure}"));
        (stats.executions(), stats.is_search_complete())
    };
    println!("| model | weft DPOR | shuttle DFS (via weft) | DFS / DPOR |");
    println!("| --- | ---: | ---: | ---: |");
    for (name, f) in models::ALL {
        let (dpor, finished) = search(Scheduler::Dpor, f, 5_000_000);
        assert!(finished, "DPOR did not finish on {name}");
        let (dfs, finished) = search(Scheduler::Dfs, f, 2_000_000);
        if finished {
            println!(
                "| {name} | {dpor} | {dfs} | {:.1}x |",
                dfs as f64 / dpor as f64
            );
        } else {
            println!(
                "| {name} | {dpor} | > {dfs} (not finished) | > {:.0}x |",
                dfs as f64 / dpor as f64
            );
        }
    }

    // Speed: executions per second of weft's DPOR against raw shuttle's
    // `check_dfs` on four threads adding twice to one atomic (raw shuttle
    // primitives for shuttle), same run, median of 5: DPOR runs its whole
    // search, and raw shuttle's DFS as many executions.
    let raw_adders = || {
        use shuttle::sync::atomic::{AtomicUsize, Ordering::SeqCst};
        use shuttle::sync::Arc;
        let n = Arc::new(AtomicUsize::new(0));
        let hs: Vec<_> = (0..4)
            .map(|_| {
                let n = n.clone();
                shuttle::thread::spawn(move || {
                    n.fetch_add(1, SeqCst);
                    n.fetch_add(1, SeqCst);
                })
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
        assert_eq!(n.load(SeqCst), 8);
    };
    let weft_adders = || {
        use weft::sync::atomic::{AtomicUsize, Ordering::SeqCst};
        use weft::sync::Arc;
        let n = Arc::new(AtomicUsize::new(0));
        let hs: Vec<_> = (0..4)
            .map(|_| {
                let n = n.clone();
                weft::thread::spawn(move || {
                    n.fetch_add(1, SeqCst);
                    n.fetch_add(1, SeqCst);
                })
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
        assert_eq!(n.load(SeqCst), 8);
    };
    let mut raw_rate = Vec::new();
    let mut dpor_rate = Vec::new();
    let mut runs = 0;
    for _ in 0..5 {
        let start = Instant::now();
        let (n, finished) = search(Scheduler::Dpor, weft_adders, 5_000_000);
        assert!(finished, "{n}");
        dpor_rate.push(n as f64 / start.elapsed().as_secs_f64());
        runs = n;
        let start = Instant::now();
        shuttle::check_dfs(raw_adders, Some(n));
        raw_rate.push(n as f64 / start.elapsed().as_secs_f64());
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (raw, dpor) = (median(&mut raw_rate), median(&mut dpor_rate));
    println!(
        "\n4 adders, {runs} executions each: raw shuttle check_dfs {raw:.0} executions/s, weft DPOR {dpor:.0} executions/s: {:.2}x",
        dpor / raw
    );
    let _ = Duration::ZERO;
}

#[cfg(all(feature = "loom", not(feature = "shuttle")))]
fn main() {
    println!("| model | loom's DPOR (via weft) |");
    println!("| --- | ---: |");
    for (name, f) in models::ALL {
        let stats = weft::Model::new()
            .explore(f)
            .unwrap_or_else(|failure| panic!("{failure}"));
        println!("| {name} | {} |", stats.executions());
    }
}

#[cfg(not(any(feature = "loom", feature = "shuttle")))]
fn main() {
    println!("dpor_executions: run with --features shuttle or --features loom");
}
