//! The linearizability check: Wing and Gong's search, with Lowe's
//! memoization of the configurations already explored, and
//! P-compositionality. Independent of any backend: it reads a
//! [`History`] and a [`Spec`]'s sequential model.
//!
//! The search builds a sequential order one operation at a time. At each
//! point the candidates are the operations not yet placed that were
//! invoked before every unplaced operation's response (placing any other
//! would put it after an operation that responded before it was invoked).
//! A candidate is placed when the sequential model, stepped with it,
//! returns what the operation returned; when no candidate fits, the search
//! backtracks. A configuration is the set of placed operations and the
//! model's state: two paths that reach the same configuration have the
//! same future, so [`Search::Memoized`] explores each one once (Lowe,
//! "Testing for linearizability", 2017), which makes the search
//! polynomial in practice where the plain one ([`Search::Plain`]) is
//! exponential.

use std::collections::{BTreeMap, HashSet};

use crate::history::{stage, History, Order, Part};
use crate::spec::Spec;

/// Which search to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Search {
    /// Remembers every configuration (placed operations, model state)
    /// explored, and never explores one twice. The default.
    #[default]
    Memoized,
    /// Wing and Gong's backtracking search without memory: for comparison.
    Plain,
}

/// The outcome of a check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Some sequential order fits: one order per independent part
    /// ([`Spec::partition`]; a single part otherwise), as indices into the
    /// history's operations.
    Linearizable {
        /// The orders found, one per part.
        witness: Vec<Vec<usize>>,
    },
    /// No sequential order consistent with real time gives these results.
    NotLinearizable(Violation),
}

impl Verdict {
    /// Whether the history is linearizable.
    pub fn is_linearizable(&self) -> bool {
        matches!(self, Verdict::Linearizable { .. })
    }
}

/// Why a history is not linearizable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The operations of the part that failed (all of them when the
    /// history is not partitioned), as indices into the history.
    pub ops: Vec<usize>,
    /// The key of that part, if the history was partitioned.
    pub key: Option<u64>,
    /// The longest sequence of those operations that the sequential model
    /// accepts in a real-time-consistent order, as indices into the
    /// history: no operation left can come next.
    pub longest_prefix: Vec<usize>,
}

/// Checks that `history` is linearizable with respect to `S`'s sequential
/// model.
///
/// # Examples
///
/// ```
/// use weft_lincheck::{check::{linearize, Search}, History, Operation, Part};
/// # use proptest::prelude::*;
/// # struct Register;
/// # impl weft_lincheck::Spec for Register {
/// #     type Op = Option<u8>; type Ret = u8; type Conc = (); type Seq = u8;
/// #     fn new_conc() {} fn new_seq() -> u8 { 0 }
/// #     fn ops() -> BoxedStrategy<Option<u8>> { Just(None).boxed() }
/// #     fn run(_: &(), _: &Option<u8>) -> u8 { 0 }
/// #     fn step(s: &mut u8, op: &Option<u8>) -> u8 { if let Some(v) = op { *s = *v; } *s }
/// # }
/// // `Register`: `Some(v)` writes v and returns it, `None` reads.
/// let op = |part, op, result, call, ret| Operation { part, op, result, call, ret };
/// // thread-0 writes 1 during [0, 3]; thread-1 reads 1 during [1, 2]: fine.
/// let h = History::new(vec![
///     op(Part::Thread(0), Some(1), 1, 0, 3),
///     op(Part::Thread(1), None, 1, 1, 2),
/// ]).unwrap();
/// assert!(linearize::<Register>(&h, Search::Memoized).is_linearizable());
/// // The read ends before the write begins: it cannot see 1.
/// let h = History::new(vec![
///     op(Part::Thread(0), Some(1), 1, 2, 3),
///     op(Part::Thread(1), None, 1, 0, 1),
/// ]).unwrap();
/// assert!(!linearize::<Register>(&h, Search::Memoized).is_linearizable());
/// ```
pub fn linearize<S: Spec>(history: &History<S::Op, S::Ret>, search: Search) -> Verdict {
    linearize_bounded::<S>(history, search, u64::MAX).expect("an unbounded search ends")
}

/// [`linearize`], giving up (`None`) after `max_steps` steps of the search
/// (a step places or takes back one operation): for the plain search,
/// whose time can explode.
pub fn linearize_bounded<S: Spec>(
    history: &History<S::Op, S::Ret>,
    search: Search,
    max_steps: u64,
) -> Option<Verdict> {
    let mut steps = 0u64;
    // P-compositionality (checking each key's part alone) rests on
    // locality, which holds for real-time order only: under program order
    // alone, every part can have its own order while no single order
    // serves all of them (two threads each reading one key the other
    // writes later), so such a history is checked whole.
    let keys: Option<Vec<u64>> = match history.order() {
        Order::RealTime => history.ops().iter().map(|o| S::partition(&o.op)).collect(),
        Order::Program => None,
    };
    let parts: Vec<(Option<u64>, Vec<usize>)> = match keys {
        Some(keys) => {
            let mut by_key: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
            for (i, k) in keys.into_iter().enumerate() {
                by_key.entry(k).or_default().push(i);
            }
            by_key.into_iter().map(|(k, ops)| (Some(k), ops)).collect()
        }
        None => vec![(None, (0..history.len()).collect())],
    };
    let mut witness = Vec::with_capacity(parts.len());
    for (key, ops) in parts {
        match search_part::<S>(history, &ops, search, &mut steps, max_steps)? {
            Ok(order) => witness.push(order),
            Err(longest_prefix) => {
                return Some(Verdict::NotLinearizable(Violation {
                    ops,
                    key,
                    longest_prefix,
                }))
            }
        }
    }
    Some(Verdict::Linearizable { witness })
}

/// A set of positions, as bits: part of a configuration's key.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Bits(Box<[u64]>);

impl Bits {
    fn new(n: usize) -> Self {
        Bits(vec![0; n.div_ceil(64)].into_boxed_slice())
    }
    fn get(&self, i: usize) -> bool {
        self.0[i / 64] & (1 << (i % 64)) != 0
    }
    fn set(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }
    fn clear(&mut self, i: usize) {
        self.0[i / 64] &= !(1 << (i % 64));
    }
}

/// The search over the operations `ops` (indices into `history`): an order
/// of all of them, or the longest prefix found.
fn search_part<S: Spec>(
    history: &History<S::Op, S::Ret>,
    ops: &[usize],
    search: Search,
    steps: &mut u64,
    max_steps: u64,
) -> Option<Result<Vec<usize>, Vec<usize>>> {
    let all = history.ops();
    // Positions in invocation order: candidates are a prefix of the
    // unplaced ones.
    let mut by_call: Vec<usize> = ops.to_vec();
    by_call.sort_by_key(|&i| (all[i].call, i));
    let n = by_call.len();
    let program = history.order() == Order::Program;
    // Program order: each position's predecessor in its own part, and how
    // many operations of each stage are still unplaced.
    let mut prev: Vec<Option<usize>> = vec![None; n];
    let mut left = [0usize; 3];
    if program {
        let mut last: BTreeMap<Part, usize> = BTreeMap::new();
        for (p, &i) in by_call.iter().enumerate() {
            prev[p] = last.insert(all[i].part, p);
            left[usize::from(stage(all[i].part))] += 1;
        }
    }
    let mut placed = Bits::new(n);
    let mut seq = S::new_seq();
    // The positions placed so far, each with the model's state before it.
    let mut stack: Vec<(usize, S::Seq)> = Vec::with_capacity(n);
    let mut seen: HashSet<(Bits, S::Seq)> = HashSet::new();
    let mut longest: Vec<usize> = Vec::new();
    let mut from = 0;
    // The first unplaced position.
    let mut lowest = 0;
    loop {
        if stack.len() == n {
            return Some(Ok(stack.iter().map(|&(p, _)| by_call[p]).collect()));
        }
        *steps += 1;
        if *steps > max_steps {
            return None;
        }
        // The earliest response among unplaced operations. Scanning in
        // invocation order, an operation invoked after the earliest
        // response seen so far responds later still: stop there.
        let mut first_ret = u64::MAX;
        for p in lowest..n {
            let o = &all[by_call[p]];
            if o.call > first_ret {
                break;
            }
            if !placed.get(p) {
                first_ret = first_ret.min(o.ret);
            }
        }
        let mut next = None;
        for p in from.max(lowest)..n {
            if placed.get(p) {
                continue;
            }
            let o = &all[by_call[p]];
            if program {
                let st = usize::from(stage(o.part));
                let ready =
                    prev[p].is_none_or(|q| placed.get(q)) && left[..st].iter().all(|&l| l == 0);
                if !ready {
                    continue;
                }
            } else if o.call > first_ret {
                break;
            }
            let mut after = seq.clone();
            if S::step(&mut after, &o.op) != o.result {
                continue;
            }
            if search == Search::Memoized {
                placed.set(p);
                let fresh = seen.insert((placed.clone(), after.clone()));
                placed.clear(p);
                if !fresh {
                    continue;
                }
            }
            next = Some((p, after));
            break;
        }
        match next {
            Some((p, after)) => {
                placed.set(p);
                if program {
                    left[usize::from(stage(all[by_call[p]].part))] -= 1;
                }
                while lowest < n && placed.get(lowest) {
                    lowest += 1;
                }
                stack.push((p, std::mem::replace(&mut seq, after)));
                from = 0;
            }
            None => {
                // A dead end: the deepest one yet is the longest prefix.
                if stack.len() > longest.len() {
                    longest = stack.iter().map(|&(p, _)| by_call[p]).collect();
                }
                match stack.pop() {
                    Some((p, before)) => {
                        placed.clear(p);
                        if program {
                            left[usize::from(stage(all[by_call[p]].part))] += 1;
                        }
                        lowest = lowest.min(p);
                        seq = before;
                        from = p + 1;
                    }
                    None => return Some(Err(longest)),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {

    use proptest::prelude::*;
    use proptest::strategy::ValueTree;

    use super::*;
    use crate::history::Operation;

    /// The queue the agreement tests draw histories of: 3 values.
    type Queue = crate::queue_spec::Queue<3>;

    /// Registers by key: `(key, Some(v))` writes and returns the old
    /// value; `(key, None)` reads.
    struct Registers;

    impl Spec for Registers {
        type Op = (u8, Option<u8>);
        type Ret = u8;
        type Conc = ();
        type Seq = BTreeMap<u8, u8>;
        fn new_conc() {}
        fn new_seq() -> BTreeMap<u8, u8> {
            BTreeMap::new()
        }
        fn ops() -> BoxedStrategy<(u8, Option<u8>)> {
            (0..3u8, proptest::option::of(0..3u8)).boxed()
        }
        fn run(_: &(), _: &(u8, Option<u8>)) -> u8 {
            unreachable!("only the sequential model is used here")
        }
        fn step(seq: &mut BTreeMap<u8, u8>, (k, w): &(u8, Option<u8>)) -> u8 {
            let old = seq.get(k).copied().unwrap_or(0);
            if let Some(v) = w {
                seq.insert(*k, *v);
            }
            old
        }
        fn partition((k, _): &(u8, Option<u8>)) -> Option<u64> {
            Some(u64::from(*k))
        }
    }

    /// The same registers, checked as one object (no partition).
    struct WholeRegisters;

    impl Spec for WholeRegisters {
        type Op = (u8, Option<u8>);
        type Ret = u8;
        type Conc = ();
        type Seq = BTreeMap<u8, u8>;
        fn new_conc() {}
        fn new_seq() -> BTreeMap<u8, u8> {
            BTreeMap::new()
        }
        fn ops() -> BoxedStrategy<(u8, Option<u8>)> {
            Registers::ops()
        }
        fn run(_: &(), _: &(u8, Option<u8>)) -> u8 {
            unreachable!("only the sequential model is used here")
        }
        fn step(seq: &mut BTreeMap<u8, u8>, op: &(u8, Option<u8>)) -> u8 {
            Registers::step(seq, op)
        }
    }

    fn op<O, R>(thread: usize, op: O, result: R, call: u64, ret: u64) -> Operation<O, R> {
        Operation {
            part: Part::Thread(thread),
            op,
            result,
            call,
            ret,
        }
    }

    /// The reference: tries every permutation, keeps those that respect
    /// real-time order and whose results the model reproduces.
    fn brute_force<S: Spec>(h: &History<S::Op, S::Ret>) -> bool {
        fn go<S: Spec>(
            h: &History<S::Op, S::Ret>,
            order: &mut Vec<usize>,
            used: &mut Vec<bool>,
        ) -> bool {
            let n = h.len();
            if order.len() == n {
                // Replay the whole order from scratch.
                let mut seq = S::new_seq();
                let results_fit = order
                    .iter()
                    .all(|&i| S::step(&mut seq, &h.ops()[i].op) == h.ops()[i].result);
                let real_time = (0..n).all(|a| (a + 1..n).all(|b| !h.precedes(order[b], order[a])));
                return results_fit && real_time;
            }
            for i in 0..n {
                if !used[i] {
                    used[i] = true;
                    order.push(i);
                    let found = go::<S>(h, order, used);
                    order.pop();
                    used[i] = false;
                    if found {
                        return true;
                    }
                }
            }
            false
        }
        go::<S>(h, &mut Vec::new(), &mut vec![false; h.len()])
    }

    /// Whether `order` is a real-time-consistent order of `ops` whose
    /// results the model reproduces, from a fresh model.
    fn fits<S: Spec>(h: &History<S::Op, S::Ret>, ops: &[usize], order: &[usize]) -> bool {
        let mut sorted_ops = ops.to_vec();
        sorted_ops.sort_unstable();
        let mut sorted_order = order.to_vec();
        sorted_order.sort_unstable();
        let mut seq = S::new_seq();
        sorted_ops == sorted_order
            && order
                .iter()
                .all(|&i| S::step(&mut seq, &h.ops()[i].op) == h.ops()[i].result)
            && (0..order.len())
                .all(|a| (a + 1..order.len()).all(|b| !h.precedes(order[b], order[a])))
    }

    /// Random small histories: up to 7 operations with random results, so
    /// that both verdicts occur; in real-time order with random intervals,
    /// or in program order with random parts (initial, one of three
    /// threads, final).
    fn histories<S: Spec<Ret = R>, R: std::fmt::Debug + Clone + 'static>(
        results: BoxedStrategy<R>,
    ) -> impl Strategy<Value = History<S::Op, S::Ret>> {
        let raw = (0..5usize, S::ops(), results, 0..14u64, 1..6u64);
        (proptest::bool::ANY, proptest::collection::vec(raw, 0..7)).prop_map(|(program, raw)| {
            let ops = raw
                .into_iter()
                .enumerate()
                .map(|(i, (part, o, r, call, len))| {
                    let part = match part {
                        0 => Part::Init,
                        4 => Part::Post,
                        t => Part::Thread(t - 1),
                    };
                    let (call, ret) = if program {
                        (2 * i as u64, 2 * i as u64 + 1)
                    } else {
                        (call, call + len)
                    };
                    Operation {
                        part,
                        op: o,
                        result: r,
                        call,
                        ret,
                    }
                })
                .collect();
            let order = if program {
                Order::Program
            } else {
                Order::RealTime
            };
            History::new(ops).unwrap().with_order(order)
        })
    }

    fn check_against_brute_force<S: Spec>(h: &History<S::Op, S::Ret>) {
        let expected = brute_force::<S>(h);
        for search in [Search::Memoized, Search::Plain] {
            let verdict = linearize::<S>(h, search);
            assert_eq!(verdict.is_linearizable(), expected, "{search:?} on {h:?}");
            match verdict {
                Verdict::Linearizable { witness } => {
                    let total: usize = witness.iter().map(Vec::len).sum();
                    assert_eq!(total, h.len());
                    for order in &witness {
                        assert!(fits::<S>(h, order, order), "bad witness {order:?}");
                    }
                }
                Verdict::NotLinearizable(v) => {
                    let mut seq = S::new_seq();
                    assert!(v
                        .longest_prefix
                        .iter()
                        .all(|&i| S::step(&mut seq, &h.ops()[i].op) == h.ops()[i].result));
                    assert!(v.longest_prefix.len() < v.ops.len());
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 2000,
            failure_persistence: None,
            // The same histories on every CI run (a red run is then a
            // change, never luck); `PROPTEST_RNG_SEED` picks others.
            rng_seed: std::env::var("PROPTEST_RNG_SEED")
                .ok()
                .and_then(|v| v.parse().ok())
                .map_or(proptest::test_runner::RngSeed::Fixed(0x11c4), proptest::test_runner::RngSeed::Fixed),
            ..ProptestConfig::default()
        })]

        #[test]
        fn queue_verdicts_agree_with_brute_force(h in histories::<Queue, _>(proptest::option::of(0..3u8).boxed())) {
            check_against_brute_force::<Queue>(&h);
        }

        #[test]
        fn partitioned_verdicts_agree_with_brute_force(h in histories::<Registers, _>((0..3u8).boxed())) {
            check_against_brute_force::<Registers>(&h);
            // Partitioning changes the search, never the verdict.
            let whole = History::new(h.ops().to_vec()).unwrap().with_order(h.order());
            prop_assert_eq!(
                linearize::<Registers>(&h, Search::Memoized).is_linearizable(),
                brute_force::<WholeRegisters>(&whole)
            );
        }
    }

    #[test]
    fn random_histories_give_both_verdicts() {
        // The agreement tests above mean something only if both verdicts
        // are common among the histories they draw.
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let strategy = histories::<Queue, _>(proptest::option::of(0..3u8).boxed());
        let mut linearizable = 0;
        for _ in 0..1000 {
            let h = strategy.new_tree(&mut runner).unwrap().current();
            if linearize::<Queue>(&h, Search::Memoized).is_linearizable() {
                linearizable += 1;
            }
        }
        assert!((100..900).contains(&linearizable), "{linearizable} of 1000");
    }

    #[test]
    fn a_pop_that_sees_a_push_that_had_not_started_is_caught() {
        // thread-1 pops 7 and returns before thread-0 pushes 7.
        let h = History::new(vec![op(0, Some(7), None, 2, 3), op(1, None, Some(7), 0, 1)]).unwrap();
        let Verdict::NotLinearizable(v) = linearize::<Queue>(&h, Search::Memoized) else {
            panic!("linearizable");
        };
        assert_eq!(v.ops, vec![0, 1]);
        assert_eq!(v.key, None);
        assert!(v.longest_prefix.is_empty());
    }

    #[test]
    fn the_longest_prefix_is_reported() {
        // Two pushes in sequence, then two overlapping pops that both
        // return the first value.
        let h = History::new(vec![
            op(0, Some(1), None, 0, 1),
            op(0, Some(2), None, 2, 3),
            op(0, None, Some(1), 4, 7),
            op(1, None, Some(1), 5, 6),
        ])
        .unwrap();
        let Verdict::NotLinearizable(v) = linearize::<Queue>(&h, Search::Memoized) else {
            panic!("linearizable");
        };
        assert_eq!(v.longest_prefix.len(), 3);
        assert_eq!(&v.longest_prefix[..2], &[0, 1]);
    }

    #[test]
    fn a_partitioned_violation_names_its_key() {
        let h = History::new(vec![
            op(0, (0, Some(1)), 0, 0, 1),
            op(1, (2, None), 5, 0, 1),
            op(0, (0, None), 1, 2, 3),
        ])
        .unwrap();
        let Verdict::NotLinearizable(v) = linearize::<Registers>(&h, Search::Memoized) else {
            panic!("linearizable");
        };
        assert_eq!(v.key, Some(2));
        assert_eq!(v.ops, vec![1]);
    }

    /// Found by `partitioned_verdicts_agree_with_brute_force`: each key's
    /// part is linearizable on its own, but under program order the parts
    /// need contrary orders (thread 1 reads key 1 before writing key 2,
    /// thread 0 reads key 2 before writing key 1, and each read sees the
    /// other thread's write).
    #[test]
    fn program_order_histories_are_not_split_by_key() {
        let h = History::new(vec![
            op(1, (1, None), 1, 0, 1),
            op(1, (2, Some(1)), 0, 2, 3),
            op(0, (2, None), 1, 4, 5),
            op(0, (1, Some(1)), 0, 6, 7),
            op(2, (2, Some(0)), 1, 8, 9),
        ])
        .unwrap()
        .with_order(Order::Program);
        assert!(!linearize::<Registers>(&h, Search::Memoized).is_linearizable());
        assert!(!linearize::<Registers>(&h, Search::Plain).is_linearizable());
        assert!(!linearize::<WholeRegisters>(&h, Search::Memoized).is_linearizable());
    }

    #[test]
    fn a_long_sequential_history_is_checked_without_deep_recursion() {
        let n = 20_000u64;
        let ops = (0..n)
            .map(|i| {
                let (o, r) = if i % 2 == 0 {
                    (Some((i / 2 % 3) as u8), None)
                } else {
                    (None, Some((i / 2 % 3) as u8))
                };
                op(0, o, r, 2 * i, 2 * i + 1)
            })
            .collect();
        let h = History::new(ops).unwrap();
        assert!(linearize::<Queue>(&h, Search::Memoized).is_linearizable());
    }
}
