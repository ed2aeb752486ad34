//! The specification a user writes: the object, its operations, and the
//! sequential model their results must agree with.

use std::fmt::Debug;
use std::hash::Hash;

use proptest::strategy::BoxedStrategy;

/// A concurrent object and its sequential specification.
///
/// `Conc` is the object under test, built on weft's primitives
/// (`weft::sync`) so that the checkers see its every step; `Seq` is a plain
/// sequential model of the same behaviour. [`Lincheck`](crate::Lincheck)
/// runs operations drawn from [`ops`](Spec::ops) on `Conc` from several
/// threads, records each one's invocation, response and result, and
/// searches for one sequential order of them, consistent with their
/// real-time order, in which [`step`](Spec::step) on `Seq` returns the same
/// results: linearizability.
///
/// # Examples
///
/// ```
/// use proptest::prelude::*;
/// use std::collections::VecDeque;
/// use weft_lincheck::Spec;
/// use weft_sync::sync::Mutex;
///
/// #[derive(Clone, Debug)]
/// enum Op { Push(u8), Pop }
///
/// struct QueueSpec;
///
/// impl Spec for QueueSpec {
///     type Op = Op;
///     type Ret = Option<u8>;
///     type Conc = Mutex<VecDeque<u8>>;
///     type Seq = VecDeque<u8>;
///     fn new_conc() -> Self::Conc { Mutex::new(VecDeque::new()) }
///     fn new_seq() -> Self::Seq { VecDeque::new() }
///     fn ops() -> BoxedStrategy<Op> {
///         prop_oneof![(0..4u8).prop_map(Op::Push), Just(Op::Pop)].boxed()
///     }
///     fn run(conc: &Self::Conc, op: &Op) -> Option<u8> {
///         Self::step(&mut conc.lock().unwrap(), op)
///     }
///     fn step(seq: &mut VecDeque<u8>, op: &Op) -> Option<u8> {
///         match op {
///             Op::Push(v) => { seq.push_back(*v); None }
///             Op::Pop => seq.pop_front(),
///         }
///     }
/// }
/// ```
pub trait Spec: 'static {
    /// One operation with its arguments, e.g. `enum { Push(u8), Pop, Len }`.
    type Op: Debug + Clone + Send + Sync + 'static;
    /// What an operation returns.
    type Ret: Debug + Clone + PartialEq + Send + 'static;
    /// The object under test, built on weft's primitives.
    type Conc: Send + Sync + 'static;
    /// The sequential model. The search remembers the states it has been
    /// in (with the operations done so far), hence `Hash + Eq`.
    type Seq: Clone + Hash + Eq;

    /// A fresh object under test (one per execution).
    fn new_conc() -> Self::Conc;

    /// The sequential model's initial state.
    fn new_seq() -> Self::Seq;

    /// A proptest strategy for one operation: scenarios are made of these,
    /// and shrunk with its shrinker (smaller arguments).
    fn ops() -> BoxedStrategy<Self::Op>;

    /// Runs `op` on the object under test.
    fn run(conc: &Self::Conc, op: &Self::Op) -> Self::Ret;

    /// Runs `op` on the sequential model: what it must return.
    fn step(seq: &mut Self::Seq, op: &Self::Op) -> Self::Ret;

    /// P-compositionality (optional): the key of the independent part of
    /// the object `op` touches, such as a map's key. When every operation
    /// of a history has a key, the history is checked one key at a time,
    /// each part from [`new_seq`](Spec::new_seq) on its own, which turns
    /// one search over all operations into many small ones. Right only when
    /// operations on different keys never affect each other's results and
    /// `step` on one key's operations behaves the same whatever the other
    /// keys hold (a map's `insert`/`get`/`remove`, not its `len`).
    ///
    /// The default, `None`, checks the history as a whole; so does any
    /// history with one operation that returns `None`, and any history
    /// ordered by program order only ([`Order::Program`](crate::Order),
    /// loom's): splitting by key is sound under real-time order alone.
    fn partition(op: &Self::Op) -> Option<u64> {
        let _ = op;
        None
    }
}
