//! Executions explored by each exhaustive search on the same models, side
//! by side: weft's DPOR and shuttle's naive DFS (through weft's
//! `Scheduler::Dfs`) under `--features shuttle`, loom's DPOR (through weft)
//! under `--features loom`. The rows are the models of `models/` (each body
//! copied here, named by its file), with the same row keys in both runs so
//! that `benches/run_dpor_table.sh` can join them into one table.
//!
//! A verified model's cell is the executions of its whole search; a buggy
//! model's (ABBA, lost update, ...) is the executions until the search
//! found the bug, or says the search missed it. Each cell stops after
//! `WEFT_BENCH_BUDGET` seconds (default 10): "not finished in N s (M
//! executions)".
//!
//! Not in the table: the `process` models (`models/process_*.rs`) need the
//! test binary's process entry points (`weft::process_entry!`), which a
//! bench binary does not declare; the lincheck, replay, report and runner
//! models test weft's own machinery rather than one program's search.
//!
//! Then, under shuttle, the speed of weft's DPOR against raw shuttle's
//! `check_dfs`.
//!
//! `cargo bench --features shuttle --bench dpor_executions` and
//! `cargo bench --features loom --bench dpor_executions`, or both joined:
//! `benches/run_dpor_table.sh`.

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
    use std::cell::Cell;
    use std::collections::VecDeque;
    use std::rc::Rc;

    use weft::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
    use weft::sync::{Arc, Condvar, Mutex};
    use weft::thread;
    use weft::time::Duration;
    use weft_patterns::aio::{self, Queue};
    use weft_patterns::executor::ThreadPool;

    /// What a model is expected to do: be verified, or fail.
    #[derive(Clone, Copy, PartialEq, Eq)]
    pub(crate) enum Expect {
        Verified,
        Failure,
    }

    /// Two threads add to a mutex-protected counter (`models/counter.rs`).
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

    /// AB-BA lock order: a deadlock (`models/deadlock.rs`).
    pub(crate) fn abba() {
        let a = Arc::new(Mutex::new(()));
        let b = Arc::new(Mutex::new(()));
        let (a2, b2) = (a.clone(), b.clone());
        let t1 = thread::spawn(move || {
            let _ga = a2.lock().unwrap();
            let _gb = b2.lock().unwrap();
        });
        let t2 = thread::spawn(move || {
            let _gb = b.lock().unwrap();
            let _ga = a.lock().unwrap();
        });
        t1.join().unwrap();
        t2.join().unwrap();
    }

    /// Three philosophers, each taking the lower-numbered of its forks
    /// first: no deadlock (`models/philosophers.rs`, in a global order).
    pub(crate) fn philosophers() {
        dinner(true);
    }

    /// Three philosophers, each taking its left fork first: a deadlock.
    pub(crate) fn naive_philosophers() {
        dinner(false);
    }

    fn dinner(ordered: bool) {
        let forks: Arc<Vec<Mutex<usize>>> = Arc::new((0..3).map(|_| Mutex::new(0)).collect());
        let hs: Vec<_> = (0..3)
            .map(|i| {
                let forks = forks.clone();
                thread::spawn(move || {
                    let (left, right) = (i, (i + 1) % 3);
                    let (first, second) = if ordered {
                        (left.min(right), left.max(right))
                    } else {
                        (left, right)
                    };
                    let mut a = forks[first].lock().unwrap();
                    let mut b = forks[second].lock().unwrap();
                    *a += 1;
                    *b += 1;
                })
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
        for fork in forks.iter() {
            assert_eq!(*fork.lock().unwrap(), 2);
        }
    }

    /// Load-then-store on an atomic loses an update (`models/lost_update.rs`).
    pub(crate) fn lost_update() {
        let n = Arc::new(AtomicUsize::new(0));
        let hs: Vec<_> = (0..2)
            .map(|_| {
                let n = n.clone();
                thread::spawn(move || {
                    let v = n.load(SeqCst);
                    n.store(v + 1, SeqCst);
                })
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
        assert_eq!(n.load(SeqCst), 2, "an increment was lost");
    }

    struct CondvarQueue {
        items: Mutex<VecDeque<u32>>,
        ready: Condvar,
    }

    fn condvar_queue() -> Arc<CondvarQueue> {
        Arc::new(CondvarQueue {
            items: Mutex::new(VecDeque::new()),
            ready: Condvar::new(),
        })
    }

    /// A condvar-guarded queue, two items (`models/lost_wakeup.rs`).
    pub(crate) fn condvar_queue_two_items() {
        let q = condvar_queue();
        let producer = {
            let q = q.clone();
            thread::spawn(move || {
                for i in 0..2 {
                    q.items.lock().unwrap().push_back(i);
                    q.ready.notify_one();
                }
            })
        };
        let mut got = Vec::new();
        let mut items = q.items.lock().unwrap();
        while got.len() < 2 {
            match items.pop_front() {
                Some(i) => got.push(i),
                None => items = q.ready.wait(items).unwrap(),
            }
        }
        drop(items);
        producer.join().unwrap();
        assert_eq!(got, [0, 1]);
    }

    /// The consumer checks a flag outside the lock, then waits: a lost
    /// wakeup (`models/lost_wakeup.rs`).
    pub(crate) fn lost_wakeup() {
        let q = condvar_queue();
        let has_work = Arc::new(AtomicBool::new(false));
        let producer = {
            let (q, has_work) = (q.clone(), has_work.clone());
            thread::spawn(move || {
                q.items.lock().unwrap().push_back(7);
                has_work.store(true, SeqCst);
                q.ready.notify_one();
            })
        };
        if !has_work.load(SeqCst) {
            let items = q.items.lock().unwrap();
            let _items = q.ready.wait(items).unwrap();
        }
        producer.join().unwrap();
    }

    /// A single-producer single-consumer ring (`benches/dpor_vs_loom.rs`).
    mod ring {
        spsc_ring!(weft);
    }

    fn step(s: &AtomicUsize, from: usize, to: usize) {
        if s.load(SeqCst) == from {
            s.store(to, SeqCst);
        }
    }

    /// A bug needing three preemptions among three threads
    /// (`models/deep_bug.rs`).
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
        assert_ne!(
            s.load(SeqCst),
            6,
            "reached the state that needs A1 B1 A2 C1 A3 B2"
        );
    }

    /// loom #392: `a` can read 2 under sequential consistency
    /// (`models/verdicts.rs`).
    pub(crate) fn store_then_load() {
        let s = Arc::new(AtomicUsize::new(0));
        let s2 = s.clone();
        let a = thread::spawn(move || {
            s2.store(1, SeqCst);
            assert_ne!(s2.load(SeqCst), 2, "a read 2");
        });
        let b = thread::spawn(move || {
            if s.load(SeqCst) == 1 {
                s.store(2, SeqCst);
            }
        });
        a.join().unwrap();
        b.join().unwrap();
    }

    /// asyncio producer and consumer over a bounded queue (`models/aio.rs`).
    pub(crate) fn aio_producer_consumer() {
        let total = aio::run(async {
            let jobs = Rc::new(Queue::new(2));
            let q = jobs.clone();
            let consumer = aio::create_task(async move {
                let mut total = 0;
                loop {
                    let job: Option<u32> = q.get().await.unwrap();
                    q.task_done();
                    match job {
                        Some(n) => total += n,
                        None => return total,
                    }
                }
            });
            let q = jobs.clone();
            let producer = aio::create_task(async move {
                for n in 1..=4 {
                    q.put(Some(n)).await.unwrap();
                }
                q.put(None).await.unwrap();
            });
            producer.await.unwrap();
            jobs.join().await;
            consumer.await.unwrap()
        });
        assert_eq!(total, 10);
    }

    /// `run_in_executor` while a timer is pending (`models/aio.rs`).
    pub(crate) fn aio_run_in_executor() {
        let (result, ticks) = aio::run(async {
            let ticks = Rc::new(Cell::new(0));
            let t = ticks.clone();
            let ticker = aio::create_task(async move {
                aio::sleep(Duration::from_millis(5)).await;
                t.set(t.get() + 1);
            });
            let result = aio::run_in_executor(|| 6 * 7).await;
            ticker.await.unwrap();
            (result, ticks.get())
        });
        assert_eq!(result, Ok(42));
        assert_eq!(ticks, 1);
    }

    /// Every model of the table: its row key, what it should do, its body.
    pub(crate) const ALL: [(&str, Expect, fn()); 15] = [
        ("counter", Expect::Verified, counter),
        ("ordered locks", Expect::Verified, ordered_locks),
        ("ABBA (deadlock)", Expect::Failure, abba),
        ("3 philosophers, ordered", Expect::Verified, philosophers),
        (
            "3 philosophers, left first (deadlock)",
            Expect::Failure,
            naive_philosophers,
        ),
        ("lost update", Expect::Failure, lost_update),
        (
            "condvar queue, 2 items",
            Expect::Verified,
            condvar_queue_two_items,
        ),
        ("lost wakeup (deadlock)", Expect::Failure, lost_wakeup),
        (
            "SPSC ring, 2 slots, 3 items",
            Expect::Verified,
            ring::spsc_ring::<3>,
        ),
        ("deep bug, 3 preemptions", Expect::Failure, deep_bug),
        (
            "store then load (loom #392)",
            Expect::Failure,
            store_then_load,
        ),
        (
            "ThreadPool, first model",
            Expect::Verified,
            first_pool_model,
        ),
        (
            "aio producer/consumer",
            Expect::Verified,
            aio_producer_consumer,
        ),
        (
            "aio run_in_executor + timer",
            Expect::Verified,
            aio_run_in_executor,
        ),
        (
            "ThreadPool, 2 workers started and shut down",
            Expect::Verified,
            pool_start_stop,
        ),
    ];

    /// Two workers started (each by a submit of a task that does nothing:
    /// workers start on demand) and shut down (`models/thread_pool_cost.rs`).
    pub(crate) fn pool_start_stop() {
        let pool = ThreadPool::new(2);
        let _a = pool.submit(|| ()).unwrap();
        let _b = pool.submit(|| ()).unwrap();
        pool.shutdown(true, false);
    }
}

/// The per-cell time budget: `WEFT_BENCH_BUDGET` seconds, default 10.
#[cfg(any(feature = "loom", feature = "shuttle"))]
fn budget() -> std::time::Duration {
    let secs = std::env::var("WEFT_BENCH_BUDGET")
        .ok()
        .map(|s| s.parse::<u64>().expect("WEFT_BENCH_BUDGET: seconds"))
        .unwrap_or(10);
    std::time::Duration::from_secs(secs)
}

/// One cell: explores `f` with `model` (a time budget set here) and says
/// what happened; with the executions when the search finished or found
/// the bug, for the ratios.
#[cfg(any(feature = "loom", feature = "shuttle"))]
fn cell(model: weft::Model, expect: models::Expect, f: fn()) -> (String, Option<usize>) {
    let budget = budget();
    let model = model.time_budget(budget);
    match (model.explore(f), expect) {
        (Ok(stats), models::Expect::Verified) if stats.is_search_complete() => {
            (stats.executions().to_string(), Some(stats.executions()))
        }
        (Ok(stats), models::Expect::Failure) if stats.is_search_complete() => (
            format!("{} (search complete, bug missed)", stats.executions()),
            None,
        ),
        (Ok(stats), _) => (
            format!(
                "not finished in {} s ({} executions)",
                budget.as_secs(),
                stats.executions()
            ),
            None,
        ),
        (Err(failure), models::Expect::Failure) => (
            format!("{} (bug found)", failure.executions()),
            Some(failure.executions()),
        ),
        // A search that schedules a spinning thread again and again
        // (shuttle's DFS on the SPSC ring) never ends an execution: that
        // is the search's limit, not a bug of the model.
        (Err(failure), models::Expect::Verified)
            if failure.kind() == weft::FailureKind::StepLimit =>
        {
            (
                format!(
                    "cannot: step limit in execution {} (a spin loop run forever)",
                    failure.executions()
                ),
                None,
            )
        }
        (Err(failure), models::Expect::Verified) => panic!("{failure}"),
    }
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
fn expected(expect: models::Expect) -> &'static str {
    match expect {
        models::Expect::Verified => "verified",
        models::Expect::Failure => "bug",
    }
}

#[cfg(feature = "shuttle")]
fn main() {
    use std::time::Instant;

    use weft::Scheduler;

    // DPOR and DFS run to their end: no soft budget (`iterations`), only
    // the time budget. One worker, as loom and shuttle's DFS search: with
    // two, how many executions run before one of them finds a bug depends
    // on how the workers' threads were scheduled, and the column would
    // change from run to run.
    let search = |scheduler: Scheduler| {
        weft::Model::new()
            .scheduler(scheduler)
            .workers(1)
            .iterations(usize::MAX)
    };
    println!("| model | expected | weft DPOR | shuttle DFS (via weft) | DFS / DPOR |");
    println!("| --- | --- | ---: | ---: | ---: |");
    for (name, expect, f) in models::ALL {
        let (dpor, dpor_n) = cell(search(Scheduler::Dpor), expect, f);
        let (dfs, dfs_n) = cell(search(Scheduler::Dfs), expect, f);
        let ratio = match (dpor_n, dfs_n) {
            (Some(p), Some(d)) => format!("{:.1}x", d as f64 / p as f64),
            // DFS stopped by the budget: at least this many more.
            (Some(p), None) if dfs.starts_with("not finished") => {
                format!("> {:.0}x", dfs_executions(&dfs) as f64 / p as f64)
            }
            _ => "-".to_string(),
        };
        println!(
            "| {name} | {} | {dpor} | {dfs} | {ratio} |",
            expected(expect)
        );
    }

    // Executions, and whether the search finished within its limit.
    // One worker: raw shuttle's DFS runs on one thread.
    let search = |scheduler: Scheduler, f: fn(), limit: usize| -> (usize, bool) {
        let stats = weft::Model::new()
            .scheduler(scheduler)
            .workers(1)
            .iterations(limit)
            .explore(f)
            .unwrap_or_else(|failure| panic!("{failure}"));
        (stats.executions(), stats.is_search_complete())
    };

    // Speed: executions per second of weft's DPOR against raw shuttle's
    // `check_dfs` on four threads adding twice to one atomic (raw shuttle
    // primitives for shuttle), same run, median of 5: DPOR runs its whole
    // search, and raw shuttle's DFS as many executions. The model is
    // written once, over either crate's primitives: with the atomic in an
    // `Arc`, as a user writes it (weft's `Arc` drop is a scheduling point,
    // shuttle's is std's: 28 scheduling points an execution against 23),
    // and leaked instead (the same scheduling points on both sides: the
    // bookkeeping alone).
    macro_rules! adders {
        // The model, over `$krate`: `$make` makes the counter the threads
        // share, `$give` a thread's reference to it.
        (@body $krate:ident, $make:expr, $give:expr) => {
            || {
                use $krate::sync::atomic::{AtomicUsize, Ordering::SeqCst};
                let n = $make;
                let hs: Vec<_> = (0..4)
                    .map(|_| {
                        let n = $give(&n);
                        $krate::thread::spawn(move || {
                            n.fetch_add(1, SeqCst);
                            n.fetch_add(1, SeqCst);
                        })
                    })
                    .collect();
                for h in hs {
                    h.join().unwrap();
                }
                assert_eq!(n.load(SeqCst), 8);
            }
        };
        // The counter in an `Arc`, a clone for each thread.
        ($krate:ident) => {
            adders!(
                @body $krate,
                $krate::sync::Arc::new(AtomicUsize::new(0)),
                |n: &$krate::sync::Arc<AtomicUsize>| n.clone()
            )
        };
        // Leaked (8 bytes an execution, never freed): no `Arc` to drop.
        ($krate:ident, leaked) => {
            adders!(
                @body $krate,
                {
                    let n: &'static AtomicUsize = Box::leak(Box::new(AtomicUsize::new(0)));
                    n
                },
                |n: &&'static AtomicUsize| *n
            )
        };
    }
    // A row: its name, the model on raw shuttle, the model on weft.
    type Row = (&'static str, fn(), fn());
    let models: [Row; 2] = [
        ("4 adders", adders!(shuttle), adders!(weft)),
        (
            "4 adders, atomic leaked (no Arc)",
            adders!(shuttle, leaked),
            adders!(weft, leaked),
        ),
    ];
    for (name, raw_adders, weft_adders) in models {
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
            "\n{name}, {runs} executions each: raw shuttle check_dfs {raw:.0} executions/s, weft DPOR {dpor:.0} executions/s: {:.2}x",
            dpor / raw
        );
    }
}

/// The executions in a "not finished in N s (M executions)" cell.
#[cfg(feature = "shuttle")]
fn dfs_executions(cell: &str) -> usize {
    cell.rsplit('(')
        .next()
        .and_then(|s| s.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

#[cfg(all(feature = "loom", not(feature = "shuttle")))]
fn main() {
    println!("| model | expected | loom (via weft) |");
    println!("| --- | --- | ---: |");
    for (name, expect, f) in models::ALL {
        let (loom, _) = cell(weft::Model::new(), expect, f);
        println!("| {name} | {} | {loom} |", expected(expect));
    }
}

#[cfg(not(any(feature = "loom", feature = "shuttle")))]
fn main() {
    println!("dpor_executions: run with --features shuttle or --features loom");
}
