//! Linearizability checking (`weft::lincheck`): how fast the memoizing
//! Wing–Gong/Lowe search checks histories, against the plain backtracking
//! search in the same run (any backend: the check is pure); and, under a
//! checker, how many queue scenarios a second `Lincheck` explores and how
//! long each caught model of `models/lincheck.rs` takes from the start to
//! its shrunk report.
//!
//! `cargo bench --bench lincheck` (the search),
//! `cargo bench --features shuttle --bench lincheck` and
//! `cargo bench --features loom --bench lincheck` (also the scenarios).

#![allow(missing_docs)]

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use weft::lincheck::{linearize_bounded, History, Operation, Part, Search, Spec};

// The caught models, as the model suite defines them.
#[allow(dead_code, unused_imports)]
#[path = "../models/lincheck.rs"]
mod lincheck_models;

/// A FIFO queue of values below 4, as `weft-lincheck`'s unit tests
/// specify it (`Some(v)` pushes, `None` pops).
#[allow(dead_code)]
#[path = "../crates/weft-lincheck/src/queue_spec.rs"]
mod queue_spec;
type Queue = queue_spec::Queue<4>;

/// A map of `KEYS` keys, partitioned by key: `(k, Some(v))` inserts and
/// returns the old value, `(k, None)` reads.
struct Map;

const KEYS: u16 = 100;

impl Spec for Map {
    type Op = (u16, Option<u8>);
    type Ret = Option<u8>;
    type Conc = ();
    type Seq = BTreeMap<u16, u8>;
    fn new_conc() {}
    fn new_seq() -> BTreeMap<u16, u8> {
        BTreeMap::new()
    }
    fn ops() -> BoxedStrategy<(u16, Option<u8>)> {
        (0..KEYS, proptest::option::of(0..4u8)).boxed()
    }
    fn run(_: &(), _: &(u16, Option<u8>)) -> Option<u8> {
        unreachable!("only the sequential model is benchmarked")
    }
    fn step(seq: &mut BTreeMap<u16, u8>, (k, v): &(u16, Option<u8>)) -> Option<u8> {
        match v {
            Some(v) => seq.insert(*k, *v),
            None => seq.get(k).copied(),
        }
    }
    fn partition((k, _): &(u16, Option<u8>)) -> Option<u64> {
        Some(u64::from(*k))
    }
}

/// A small deterministic generator (xorshift), so that every run checks
/// the same histories.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// A linearizable history of `threads` × `per_thread` operations drawn by
/// `draw`: operations take effect one at a time at linearization points
/// 10 apart, in a random order of the threads; each one's interval spans
/// its point and reaches up to `spread` points to either side (within its
/// own thread's order), so that operations of different threads overlap.
fn history<S: Spec>(
    rng: &mut Rng,
    threads: usize,
    per_thread: usize,
    spread: u64,
    mut draw: impl FnMut(&mut Rng) -> S::Op,
) -> History<S::Op, S::Ret> {
    let mut left = vec![per_thread; threads];
    let mut seq = S::new_seq();
    // (thread, op, result, point) in point order.
    let mut done: Vec<(usize, S::Op, S::Ret, u64)> = Vec::new();
    let mut point = 0u64;
    while left.iter().any(|&l| l > 0) {
        let live: Vec<usize> = (0..threads).filter(|&t| left[t] > 0).collect();
        let t = live[rng.below(live.len() as u64) as usize];
        left[t] -= 1;
        point += 10;
        let op = draw(rng);
        let result = S::step(&mut seq, &op);
        done.push((t, op, result, point));
    }
    let mut ops = Vec::with_capacity(done.len());
    for t in 0..threads {
        let points: Vec<u64> = done.iter().filter(|d| d.0 == t).map(|d| d.3).collect();
        // A split between each two consecutive points of the thread: one
        // operation responds before it, the next is invoked after it.
        let splits: Vec<u64> = points
            .windows(2)
            .map(|w| w[0] + 1 + rng.below(w[1] - w[0] - 2))
            .collect();
        for (j, d) in done.iter().filter(|d| d.0 == t).enumerate() {
            let p = d.3;
            let lo = if j == 0 { 0 } else { splits[j - 1] + 1 };
            let hi = splits.get(j).copied().unwrap_or(u64::MAX);
            let call = p.saturating_sub(1 + rng.below(spread * 10)).max(lo);
            let ret = (p + 1 + rng.below(spread * 10)).min(hi);
            ops.push(Operation {
                part: Part::Thread(t),
                op: d.1.clone(),
                result: d.2.clone(),
                call,
                ret,
            });
        }
    }
    History::new(ops).expect("valid intervals")
}

/// Steps after which one history's search is given up.
const MAX_STEPS: u64 = 200_000_000;

/// Histories checked per second by `search`, over `hs`, for about
/// `budget` (None when a history's search gave up after [`MAX_STEPS`]).
fn rate<S: Spec>(hs: &[History<S::Op, S::Ret>], search: Search, budget: Duration) -> Option<f64> {
    let start = Instant::now();
    let mut n = 0usize;
    while start.elapsed() < budget || n < hs.len().min(3) {
        let h = &hs[n % hs.len()];
        let verdict = linearize_bounded::<S>(h, search, MAX_STEPS)?;
        assert!(verdict.is_linearizable(), "a drawn history is linearizable");
        n += 1;
    }
    Some(n as f64 / start.elapsed().as_secs_f64())
}

fn show(rate: Option<f64>) -> String {
    match rate {
        Some(r) if r >= 1000.0 => format!("{:.1}k/s", r / 1000.0),
        Some(r) => format!("{r:.2}/s"),
        None => format!("gave up after {}M steps", MAX_STEPS / 1_000_000),
    }
}

fn searches() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let queue_op = |r: &mut Rng| {
        if r.below(2) == 0 {
            Some(r.below(4) as u8)
        } else {
            None
        }
    };
    let small: Vec<_> = (0..100)
        .map(|_| history::<Queue>(&mut rng, 3, 5, 3, queue_op))
        .collect();
    let large: Vec<_> = (0..10)
        .map(|_| history::<Queue>(&mut rng, 3, 100, 3, queue_op))
        .collect();
    let map_op = |r: &mut Rng| {
        let k = r.below(u64::from(KEYS)) as u16;
        let v = if r.below(2) == 0 {
            Some(r.below(4) as u8)
        } else {
            None
        };
        (k, v)
    };
    let map: Vec<_> = (0..3)
        .map(|_| history::<Map>(&mut rng, 4, 2500, 6, map_op))
        .collect();
    let budget = Duration::from_secs(2);
    eprintln!("lincheck bench: histories drawn");
    println!("| history | memoized | plain | memoized / plain |");
    println!("| --- | ---: | ---: | ---: |");
    let row = |name: &str, m: Option<f64>, p: Option<f64>| {
        let ratio = match (m, p) {
            (Some(m), Some(p)) => format!("{:.1}x", m / p),
            (Some(_), None) => "plain gave up".to_string(),
            _ => "-".to_string(),
        };
        println!("| {name} | {} | {} | {ratio} |", show(m), show(p));
    };
    row(
        "queue, 3 threads × 5 ops",
        rate::<Queue>(&small, Search::Memoized, budget),
        rate::<Queue>(&small, Search::Plain, budget),
    );
    row(
        "queue, 3 threads × 100 ops",
        rate::<Queue>(&large, Search::Memoized, budget),
        rate::<Queue>(&large, Search::Plain, budget),
    );
    row(
        "map (100 keys, partitioned), 4 threads × 2,500 ops",
        rate::<Map>(&map, Search::Memoized, budget),
        rate::<Map>(&map, Search::Plain, budget),
    );
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
fn scenarios() {
    use lincheck_models::caught::{RacyMap, StaleStack, TwoCounterQueue};
    use lincheck_models::LockedQueue;
    use weft::lincheck::Lincheck;
    use weft::FailureKind;

    let start = Instant::now();
    let stats = Lincheck::new()
        .threads(2)
        .ops_per_thread(3)
        .scenarios(100)
        .explore::<LockedQueue>()
        .expect("the locked queue is linearizable");
    let secs = start.elapsed().as_secs_f64();
    println!(
        "\n{}: `Mutex<VecDeque>` queue, 2 threads × up to 3 ops, default model per scenario: {} scenarios ({} executions) in {secs:.2} s = {:.1} scenarios/s",
        weft::Backend::current(),
        stats.scenarios(),
        stats.executions(),
        stats.scenarios() as f64 / secs
    );
    println!(
        "\n| caught model | start to shrunk report | scenarios (with shrinking) | shrunk to |"
    );
    println!("| --- | ---: | ---: | --- |");
    fn caught<S: Spec>(name: &str) {
        let start = Instant::now();
        let stats = Lincheck::new()
            .name(name)
            .expect_failure(FailureKind::NotLinearizable)
            .explore::<S>()
            .expect("caught");
        let c = stats.caught().expect("caught");
        println!(
            "| {name} | {:.0} ms | {} | {} threads, {} ops |",
            start.elapsed().as_secs_f64() * 1000.0,
            stats.scenarios(),
            c.threads(),
            c.ops()
        );
    }
    caught::<TwoCounterQueue>("two_counter_len");
    caught::<StaleStack>("stale_pop");
    caught::<RacyMap>("racy_get_or_insert");
}

fn main() {
    searches();
    #[cfg(any(feature = "loom", feature = "shuttle"))]
    scenarios();
}
