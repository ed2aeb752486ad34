//! One lock-order graph for every worker of an exploration.
//!
//! The graph outlives executions so that an inversion split across two of
//! them is found; when workers split the executions of one exploration
//! (`Model::workers`), the two may run on different workers, so they
//! share the graph: the workers' driver installs one [`SharedGraph`] on
//! each worker's OS thread ([`with_shared`]), and the model arm's
//! lock-order feed uses it ([`current`]) instead of a graph of its own.
//! Each worker keeps what its threads hold (a [`super::Tracker`]); only
//! the graph, the lock classes and the execution count are shared.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::graph::Graph;
use crate::record::{Loc, ObjectKind};

/// Where an edge was first seen.
#[derive(Clone, Debug)]
pub(crate) struct EdgeSite {
    pub(crate) thread: String,
    pub(crate) held_at: Loc,
    pub(crate) acquired_at: Loc,
    /// The execution, numbered across the workers.
    pub(crate) execution: usize,
}

/// What tells a lock apart across executions: its kind, creation line,
/// name, and rank among the locks of that line and name.
pub(crate) type ClassKey = (ObjectKind, Loc, Option<String>, usize);

/// The shared part of an exploration's lock-order state.
#[derive(Debug, Default)]
pub(crate) struct GraphState {
    pub(crate) graph: Graph<EdgeSite>,
    pub(crate) classes: HashMap<ClassKey, usize>,
    /// By class: the name reports use.
    pub(crate) names: Vec<String>,
    /// Executions begun, by every worker.
    pub(crate) executions: usize,
}

/// An exploration's lock-order graph, shared by its workers.
#[derive(Debug, Default)]
pub(crate) struct SharedGraph(Mutex<GraphState>);

impl SharedGraph {
    /// The graph, for one update (never held across an engine operation).
    pub(crate) fn lock(&self) -> MutexGuard<'_, GraphState> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

thread_local! {
    /// The graph the explorations on this OS thread share, if any.
    static SHARED: RefCell<Option<Arc<SharedGraph>>> = const { RefCell::new(None) };
}

/// Runs `f` with `graph` as the lock-order graph of every exploration it
/// sets up on this OS thread.
pub(crate) fn with_shared<R>(graph: Arc<SharedGraph>, f: impl FnOnce() -> R) -> R {
    struct Reset(Option<Arc<SharedGraph>>);
    impl Drop for Reset {
        fn drop(&mut self) {
            let outer = self.0.take();
            SHARED.with(|s| *s.borrow_mut() = outer);
        }
    }
    let _reset = Reset(SHARED.with(|s| s.borrow_mut().replace(graph)));
    f()
}

/// The graph installed on this OS thread, if any.
#[cfg_attr(not(any(feature = "loom", feature = "shuttle")), allow(dead_code))]
pub(crate) fn current() -> Option<Arc<SharedGraph>> {
    SHARED.with(|s| s.borrow().clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_installed_graph_is_current_inside_only() {
        assert!(current().is_none());
        let graph = Arc::new(SharedGraph::default());
        with_shared(graph.clone(), || {
            let inside = current().expect("installed");
            assert!(Arc::ptr_eq(&inside, &graph));
            inside.lock().executions += 1;
        });
        assert!(current().is_none());
        assert_eq!(graph.lock().executions, 1);
    }
}
