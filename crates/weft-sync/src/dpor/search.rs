//! The DPOR search an engine adapter drives: the sequential [`Explorer`],
//! or one [`Worker`] of a parallel search when the workers' driver
//! installed a shared [`Tree`] on this OS thread.
//!
//! ```text
//! // the workers' driver, on each worker thread:
//! search::with_tree(tree.clone(), || crate::backend::explore(&config, body));
//! // the engine adapter, as it sets up a DPOR exploration:
//! let mut search = Search::for_this_thread(config.iterations);
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
/// Either kind starts at most its execution limit, if any: the sequential
/// search counts its own, a worker takes them from the tree's shared limit
/// ([`Tree::with_limit`]).
#[derive(Debug)]
pub(crate) enum Search {
    Alone {
        explorer: Explorer,
        /// At most this many executions, if set.
        limit: Option<usize>,
        /// The limit ended the search with branches left.
        limit_hit: bool,
    },
    Worker(Box<Worker>),
}

impl Search {
    /// A worker of the tree installed by [`with_tree`] (whose limit is the
    /// tree's), or else the sequential search of at most `limit`
    /// executions.
    pub(crate) fn for_this_thread(limit: Option<usize>) -> Search {
        match TREE.with(|t| t.borrow().clone()) {
            Some(tree) => Search::Worker(Box::new(Worker::new(tree))),
            None => Search::alone(limit),
        }
    }

    /// The sequential search of at most `limit` executions.
    pub(crate) fn alone(limit: Option<usize>) -> Search {
        Search::Alone {
            explorer: Explorer::new(),
            limit,
            limit_hit: false,
        }
    }

    /// See [`Explorer::last_to_fill`].
    pub(crate) fn last_to_fill(&mut self) -> Option<&mut Effects> {
        match self {
            Search::Alone { explorer: e, .. } => e.last_to_fill(),
            Search::Worker(w) => w.last_to_fill(),
        }
    }

    /// See [`Explorer::start_execution`]; `false` too when the limit is
    /// spent.
    pub(crate) fn start_execution(&mut self) -> bool {
        match self {
            Search::Alone {
                explorer,
                limit,
                limit_hit,
            } => {
                if limit.is_some_and(|max| explorer.executions() >= max) {
                    // Whether the search had more to explore is known only
                    // once the last execution's races are in: one more
                    // start says.
                    *limit_hit = explorer.start_execution();
                    return false;
                }
                explorer.start_execution()
            }
            Search::Worker(w) => w.start_execution(),
        }
    }

    /// See [`Explorer::schedule`].
    pub(crate) fn schedule(
        &mut self,
        runnable: &[Thread],
        current: Option<Thread>,
    ) -> Result<Thread, Nondeterminism> {
        match self {
            Search::Alone { explorer: e, .. } => e.schedule(runnable, current),
            Search::Worker(w) => w.schedule(runnable, current),
        }
    }

    /// See [`Explorer::choose`].
    pub(crate) fn choose(&mut self, values: usize) -> Result<usize, Nondeterminism> {
        match self {
            Search::Alone { explorer: e, .. } => e.choose(values),
            Search::Worker(w) => w.choose(values),
        }
    }

    /// See [`Explorer::end_execution`].
    pub(crate) fn end_execution(&mut self) {
        match self {
            Search::Alone { explorer: e, .. } => e.end_execution(),
            Search::Worker(w) => w.end_execution(),
        }
    }

    /// See [`Explorer::spinners_held`] (this worker's).
    pub(crate) fn spinners_held(&self) -> usize {
        match self {
            Search::Alone { explorer: e, .. } => e.spinners_held(),
            Search::Worker(w) => w.spinners_held(),
        }
    }

    /// Whether the execution limit ended the search with branches left.
    pub(crate) fn limit_hit(&self) -> bool {
        match self {
            Search::Alone { limit_hit, .. } => *limit_hit,
            Search::Worker(w) => w.limit_hit(),
        }
    }

    /// Whether every trace has been explored (by every worker).
    pub(crate) fn is_finished(&self) -> bool {
        match self {
            Search::Alone { explorer: e, .. } => e.is_finished(),
            Search::Worker(w) => w.is_finished(),
        }
    }
}
