//! The lock-order check's cost in std mode: `weft::sync::Mutex` against
//! `std::sync::Mutex`, in one run, interleaved (`std weft std` rounds, the
//! median ratio weft / std, beside std / std: the noise floor).
//!
//! - `uncontended`: lock, increment, unlock on one thread;
//! - `nested`: the same with another lock held (with the `lockdep`
//!   feature, the edge is looked up in the process's graph);
//! - `contended`: two threads each lock, increment and unlock one mutex.
//!
//! Run it twice: `cargo bench --bench lockdep` (without the feature weft's
//! `Mutex` is std's: 1.00x) and `cargo bench --bench lockdep --features
//! lockdep`.

#![allow(missing_docs)]

use std::hint::black_box;
use std::time::{Duration, Instant};

const ROUNDS: usize = 21;
const ITERS: u64 = 200_000;

/// A mutex of either kind, as the benchmark uses it.
trait Lock: Sync {
    fn bump(&self);
}

impl Lock for std::sync::Mutex<u64> {
    #[inline]
    fn bump(&self) {
        *self.lock().unwrap() += 1;
    }
}

impl Lock for weft::sync::Mutex<u64> {
    #[inline]
    fn bump(&self) {
        *self.lock().unwrap() += 1;
    }
}

fn uncontended(m: &impl Lock) -> Duration {
    let t = Instant::now();
    for _ in 0..ITERS {
        black_box(m).bump();
    }
    t.elapsed()
}

fn nested<L: Lock>(
    outer: &std::sync::Mutex<u64>,
    weft_outer: &weft::sync::Mutex<u64>,
    m: &L,
    weft_kind: bool,
) -> Duration {
    // The outer lock is of the measured kind: with lockdep, weft's inner
    // acquisition is an edge from it.
    let t = Instant::now();
    if weft_kind {
        let _g = weft_outer.lock().unwrap();
        for _ in 0..ITERS {
            black_box(m).bump();
        }
    } else {
        let _g = outer.lock().unwrap();
        for _ in 0..ITERS {
            black_box(m).bump();
        }
    }
    t.elapsed()
}

fn contended(m: &impl Lock) -> Duration {
    let start = std::sync::Barrier::new(3);
    std::thread::scope(|s| {
        for _ in 0..2 {
            let (start, m) = (&start, &*m);
            s.spawn(move || {
                start.wait();
                for _ in 0..ITERS {
                    black_box(m).bump();
                }
            });
        }
        start.wait();
        let t = Instant::now();
        // The scope joins both threads before it returns.
        t
    })
    .elapsed()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// `(std ns/op, weft ns/op, weft / std, std / std)`, medians of the rounds.
type Medians = (f64, f64, f64, f64);

fn compare(
    mut std_run: impl FnMut() -> Duration,
    mut weft_run: impl FnMut() -> Duration,
) -> Medians {
    let ns = |d: Duration| d.as_nanos() as f64 / ITERS as f64;
    let (mut s, mut w, mut ratio, mut floor) = (vec![], vec![], vec![], vec![]);
    for _ in 0..ROUNDS {
        let a = ns(std_run());
        let x = ns(weft_run());
        let b = ns(std_run());
        s.push((a + b) / 2.0);
        w.push(x);
        ratio.push(2.0 * x / (a + b));
        floor.push(b / a);
    }
    (median(s), median(w), median(ratio), median(floor))
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        // `cargo test --benches` runs each bench once: nothing to measure.
        return;
    }
    let feature = if cfg!(feature = "lockdep") {
        "with the lockdep feature"
    } else {
        "without the lockdep feature"
    };
    println!("weft::sync::Mutex against std::sync::Mutex, std mode, {feature}, {ROUNDS} interleaved rounds of {ITERS} operations");
    let (sm, wm) = (std::sync::Mutex::new(0), weft::sync::Mutex::new(0));
    let (so, wo) = (std::sync::Mutex::new(0), weft::sync::Mutex::new(0));
    let cases: [(&str, Medians); 3] = [
        (
            "uncontended",
            compare(|| uncontended(&sm), || uncontended(&wm)),
        ),
        (
            "nested (one lock held)",
            compare(
                || nested(&so, &wo, &sm, false),
                || nested(&so, &wo, &wm, true),
            ),
        ),
        (
            "contended, 2 threads",
            compare(|| contended(&sm), || contended(&wm)),
        ),
    ];
    for (name, (s, w, ratio, floor)) in cases {
        println!("{name:24} std {s:7.2} ns/op  weft {w:7.2} ns/op  weft/std {ratio:.2}x  (std/std {floor:.2}x)");
    }
}
