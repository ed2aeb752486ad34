//! A scenario: an initial sequential part, a parallel part (one list of
//! operations per thread) and a final sequential part, drawn from a
//! [`Spec`]'s operation strategy and shrunk by proptest.

use proptest::collection::vec;
use proptest::strategy::{BoxedStrategy, Strategy};

use crate::spec::Spec;

/// The operations of one scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario<Op> {
    /// Run on the model's main thread before any thread is spawned.
    pub init: Vec<Op>,
    /// One list per thread, run at once.
    pub parallel: Vec<Vec<Op>>,
    /// Run on the main thread after every thread was joined.
    pub post: Vec<Op>,
}

impl<Op> Scenario<Op> {
    /// Threads of the parallel part.
    pub fn threads(&self) -> usize {
        self.parallel.len()
    }

    /// Operations in the parallel part, per thread.
    pub fn parallel_ops(&self) -> Vec<usize> {
        self.parallel.iter().map(Vec::len).collect()
    }

    /// Operations in all three parts.
    pub fn ops(&self) -> usize {
        self.init.len() + self.parallel.iter().map(Vec::len).sum::<usize>() + self.post.len()
    }
}

/// The largest scenario to draw; proptest draws smaller ones too, and
/// shrinks towards fewer threads, fewer operations and smaller arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Shape {
    pub(crate) threads: usize,
    pub(crate) ops_per_thread: usize,
    pub(crate) init_ops: usize,
    pub(crate) post_ops: usize,
}

/// Scenarios of at most `shape`: at least one thread with at least one
/// operation. Sizes are drawn in their whole range and shrink towards
/// their minimum, as proptest's collections do.
pub(crate) fn strategy<S: Spec>(shape: Shape) -> BoxedStrategy<Scenario<S::Op>> {
    let op = S::ops();
    (
        vec(op.clone(), 0..=shape.init_ops),
        vec(vec(op.clone(), 1..=shape.ops_per_thread), 1..=shape.threads),
        vec(op, 0..=shape.post_ops),
    )
        .prop_map(|(init, parallel, post)| Scenario {
            init,
            parallel,
            post,
        })
        .boxed()
}
