//! weft's DPOR search on 1 and on 2 workers (`Model::workers`), one after
//! the other in one run, on a correct model whose exhaustive search runs
//! over 100,000 executions: four threads each adding three times to one
//! counter (12! / 3!^4 = 369,600 orders of the adds, a few seconds on one
//! worker: long enough that starting and ending the split weigh little).
//!
//! `cargo bench --features shuttle --bench dpor_workers` prints each
//! search's executions and time, and the speed-up of 2 workers over 1
//! (`-- 4` adds a run on 4 workers, and so on), and the CPU time the
//! process spent on each: on a machine whose cores are busy with other
//! work, the wall-clock speed-up says little, while equal CPU times say
//! that the split costs nothing and the speed-up on idle cores is the
//! CPU time over the wall-clock time. The peer, measured right after:
//! how much faster two threads of pure computation finish twice the work
//! of one (what the machine gives two threads at that moment).

#![allow(missing_docs)]

#[cfg(feature = "shuttle")]
mod support;

#[cfg(feature = "shuttle")]
fn main() {
    use std::time::{Duration, Instant};

    use weft::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    use weft::sync::Arc;
    use weft::thread;
    use weft::{Model, Scheduler};

    fn adders() {
        let n = Arc::new(AtomicUsize::new(0));
        let hs: Vec<_> = (0..4)
            .map(|_| {
                let n = n.clone();
                thread::spawn(move || {
                    for _ in 0..3 {
                        n.fetch_add(1, SeqCst);
                    }
                })
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
        assert_eq!(n.load(SeqCst), 12);
    }

    let mut counts: Vec<usize> = vec![1, 2];
    counts.extend(
        std::env::args()
            .skip(1)
            .filter_map(|a| a.parse::<usize>().ok()),
    );
    /// User and system CPU time of the whole process so far.
    fn cpu() -> f64 {
        // SAFETY: `getrusage` writes the struct it is given, which lives
        // on this stack for the call; an all-zero `rusage` is valid.
        let usage = unsafe {
            let mut usage: libc::rusage = std::mem::zeroed();
            libc::getrusage(libc::RUSAGE_SELF, &mut usage);
            usage
        };
        let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
        secs(usage.ru_utime) + secs(usage.ru_stime)
    }

    let mut base = None;
    for workers in counts {
        let start = Instant::now();
        let cpu_start = cpu();
        let stats = Model::new()
            .name(format!("adders_on_{workers}"))
            .scheduler(Scheduler::Dpor)
            .workers(workers)
            .time_budget(Duration::from_secs(3600))
            .explore(adders)
            .unwrap_or_else(|f| panic!("{f}"));
        let elapsed = start.elapsed();
        let cpu_secs = cpu() - cpu_start;
        assert!(stats.is_search_complete(), "{stats}");
        assert!(stats.executions() >= 100_000, "{stats}");
        let secs = elapsed.as_secs_f64();
        let base_secs = *base.get_or_insert(secs);
        println!(
            "dpor on {workers} worker(s): {} executions in {secs:.2} s ({:.0}/s), speed-up {:.2}x; CPU {cpu_secs:.2} s ({:.2} cores busy)",
            stats.executions(),
            stats.executions() as f64 / secs,
            base_secs / secs,
            cpu_secs / secs,
        );
    }
    println!(
        "pure computation on 2 threads, same run: {:.2}x",
        support::compute_scaling(200_000_000)
    );
}

#[cfg(not(feature = "shuttle"))]
fn main() {
    eprintln!("run with --features shuttle");
}
