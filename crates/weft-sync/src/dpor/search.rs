//! The DPOR search an engine adapter drives: the sequential [`Explorer`],
//! or one [`Worker`] of a parallel search when the workers' driver
//! installed a shared [`Tree`] on this OS thread.
//!
//! ```text
//! // the workers' driver, on each worker thread:
//! search::with_tree(tree.clone(), || crate::backend::explore(&config, body));
//! // the engine adapter, as it sets up a DPOR exploration:
//! let mut search = Search::for_this_thread();
//! ```

use std::cell::RefCell;
use std::sync::Arc;

use super::access::{Effects, Thread};
use super::parallel::{Tree, Worker};
use super::{Explorer, Nondeterminism};

thread_local! {
    /// The parallel search this OS thread works for, if any.
    static TREE: RefCell<Option<Arc<Tree>>> = const { RefCell::new(None) };
}

/// Runs `f` with `tree` as this OS thread's parallel search: every DPOR
/// exploration `f` sets up works on it.
pub(crate) fn with_tree<R>(tree: Arc<Tree>, f: impl FnOnce() -> R) -> R {
    struct Reset(Option<Arc<Tree>>);
    impl Drop for Reset {
        fn drop(&mut self) {
            let outer = self.0.take();
            TREE.with(|t| *t.borrow_mut() = outer);
        }
    }
    let _reset = Reset(TREE.with(|t| t.borrow_mut().replace(tree)));
    f()
}

/// The DPOR search of one exploration on this OS thread. (An enum, not a
/// trait object: the sequential search pays one branch per call.)
#[derive(Debug)]
pub(crate) enum Search {
    Alone(Explorer),
    Worker(Box<Worker>),
}

impl Search {
    /// A worker of the tree installed by [`with_tree`], or else the
    /// sequential search.
    pub(crate) fn for_this_thread() -> Search {
        match TREE.with(|t| t.borrow().clone()) {
            Some(tree) => Search::Worker(Box::new(Worker::new(tree))),
            None => Search::Alone(Explorer::new()),
        }
    }

    /// See [`Explorer::knows_last`].
    pub(crate) fn knows_last(&self) -> bool {
        match self {
            Search::Alone(e) => e.knows_last(),
            Search::Worker(w) => w.knows_last(),
        }
    }

    /// See [`Explorer::start_execution`].
    pub(crate) fn start_execution(&mut self) -> bool {
        match self {
            Search::Alone(e) => e.start_execution(),
            Search::Worker(w) => w.start_execution(),
        }
    }

    /// See [`Explorer::schedule`].
    pub(crate) fn schedule(
        &mut self,
        runnable: &[Thread],
        current: Option<Thread>,
        last: Option<Effects>,
    ) -> Result<Thread, Nondeterminism> {
        match self {
            Search::Alone(e) => e.schedule(runnable, current, last),
            Search::Worker(w) => w.schedule(runnable, current, last),
        }
    }

    /// See [`Explorer::choose`].
    pub(crate) fn choose(
        &mut self,
        values: usize,
        last: Option<Effects>,
    ) -> Result<usize, Nondeterminism> {
        match self {
            Search::Alone(e) => e.choose(values, last),
            Search::Worker(w) => w.choose(values, last),
        }
    }

    /// See [`Explorer::end_execution`].
    pub(crate) fn end_execution(&mut self, last: Effects) {
        match self {
            Search::Alone(e) => e.end_execution(last),
            Search::Worker(w) => w.end_execution(last),
        }
    }

    /// Executions this search (this worker) started.
    pub(crate) fn executions(&self) -> usize {
        match self {
            Search::Alone(e) => e.executions(),
            Search::Worker(w) => w.executions(),
        }
    }

    /// See [`Explorer::spinners_held`] (this worker's).
    pub(crate) fn spinners_held(&self) -> usize {
        match self {
            Search::Alone(e) => e.spinners_held(),
            Search::Worker(w) => w.spinners_held(),
        }
    }

    /// Whether a parallel search's shared execution limit ended it with
    /// branches left (a sequential search's limit is its driver's).
    pub(crate) fn limit_hit(&self) -> bool {
        match self {
            Search::Alone(_) => false,
            Search::Worker(w) => w.limit_hit(),
        }
    }

    /// Whether every trace has been explored (by every worker).
    pub(crate) fn is_finished(&self) -> bool {
        match self {
            Search::Alone(e) => e.is_finished(),
            Search::Worker(w) => w.is_finished(),
        }
    }
}
