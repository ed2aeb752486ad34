//! Helpers shared by the benchmarks' interleaved comparisons (each bench
//! is its own crate and uses a subset of them).

#![allow(dead_code)]

/// Whether the interleaved comparison `name` should run: under `cargo
/// bench` (not `cargo test --benches`, which runs each benchmark once), not
/// when criterion only profiles, and only if `name` matches the filter. The
/// filter `interleaved` matches no criterion benchmark and every
/// interleaved comparison: `cargo bench --bench <name> -- interleaved` runs
/// only those.
pub(crate) fn wanted(name: &str) -> bool {
    // criterion's options that take a value.
    const WITH_VALUE: [&str; 16] = [
        "--warm-up-time",
        "--measurement-time",
        "--sample-size",
        "--nresamples",
        "--noise-threshold",
        "--confidence-level",
        "--significance-level",
        "--profile-time",
        "--save-baseline",
        "--baseline",
        "--baseline-lenient",
        "--load-baseline",
        "--output-format",
        "--color",
        "--plotting-backend",
        "--format",
    ];
    let args: Vec<String> = std::env::args().skip(1).collect();
    if !args.iter().any(|a| a == "--bench") || args.iter().any(|a| a == "--profile-time") {
        return false;
    }
    let mut filter = None;
    let mut i = 0;
    while i < args.len() {
        if WITH_VALUE.contains(&args[i].as_str()) {
            i += 1;
        } else if !args[i].starts_with('-') {
            filter = Some(args[i].clone());
        }
        i += 1;
    }
    filter.is_none_or(|f| {
        let f = f.trim_matches(|c| c == '^' || c == '$');
        f == "interleaved" || name.contains(f) || f.contains(name)
    })
}

/// The `q`-quantile (0..=1) of `values` (sorted here).
pub(crate) fn quantile(values: &mut [f64], q: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    let i = ((values.len() - 1) as f64 * q).round() as usize;
    values[i]
}

/// CPU time consumed by this OS thread so far, user and system, in seconds.
/// Both checkers run every model thread as a coroutine on the calling OS
/// thread, so this is the exploration's whole cost, and time spent
/// preempted by other processes on a busy machine is not in it.
pub(crate) fn thread_cpu() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec for the call's duration,
    // and CLOCK_THREAD_CPUTIME_ID is supported by every Linux kernel.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "the thread CPU clock is readable");
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

/// How much faster two threads finish twice the work of one, for a
/// dependent chain of `work_per_thread` multiplications: the parallelism
/// the machine gives at this moment, the peer of a workers speed-up
/// measured in the same run.
pub(crate) fn compute_scaling(work_per_thread: u64) -> f64 {
    use std::hint::black_box;
    use std::time::Instant;

    fn work(n: u64) -> u64 {
        let mut x = 1u64;
        for i in 0..black_box(n) {
            x = black_box(x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(i));
        }
        x
    }
    let t = Instant::now();
    black_box(work(work_per_thread));
    let one = t.elapsed();
    let t = Instant::now();
    std::thread::scope(|s| {
        let h = s.spawn(|| work(work_per_thread));
        black_box(work(work_per_thread));
        black_box(h.join().unwrap());
    });
    let two = t.elapsed();
    2.0 * one.as_secs_f64() / two.as_secs_f64()
}
