//! The model arm's feed of the lock-order graph (`crate::lockdep`): lock
//! classes for this search's objects, the graph kept across the
//! executions of one exploration, and the failure a cycle is.
//!
//! Model threads are coroutines of the exploring OS thread, so the state
//! is a thread-local of it, like the recorder's; an exploration saves the
//! one around it and puts it back (a model run inside a model's test).

use std::cell::RefCell;
use std::sync::Arc;

use crate::lockdep::{
    Acquisition, EdgeSite, GraphState, LockCycle, LockOrderEdge, Policy, SharedGraph, Tracker,
};
use crate::record::{ExecutionLog, Loc, ObjectKind};

/// One exploration's lock-order state on this OS thread.
pub(super) struct Run {
    policy: Policy,
    /// What this worker's threads hold.
    tracker: Tracker<EdgeSite>,
    /// The graph, the lock classes and the execution count: the
    /// exploration's own, or the one its workers share
    /// (`crate::lockdep::with_shared`).
    graph: Arc<SharedGraph>,
    /// 1-based, across the workers: the execution under way.
    execution: usize,
    /// By object id of this execution: its class (`None`: not a lock, or
    /// not seen yet).
    object_class: Vec<Option<Option<usize>>>,
    /// The first cycle closed under [`Policy::Fail`], with the
    /// thread and line that closed it, until the execution ends.
    closed: Option<(LockCycle, usize, Loc)>,
    /// Whether a cycle was closed already: only the first is reported.
    closed_any: bool,
}

thread_local! {
    static RUN: RefCell<Option<Run>> = const { RefCell::new(None) };
}

/// Starts the lock-order graph of an exploration (the workers' shared
/// one when they installed it); returns the state of the one around it,
/// for [`restore`].
pub(super) fn start(policy: Policy) -> Option<Run> {
    let run = (policy != Policy::Off).then(|| Run {
        policy,
        tracker: Tracker::default(),
        graph: crate::lockdep::shared_graph().unwrap_or_default(),
        execution: 0,
        object_class: Vec::new(),
        closed: None,
        closed_any: false,
    });
    RUN.with(|r| std::mem::replace(&mut *r.borrow_mut(), run))
}

/// Ends the exploration's graph and puts back the one around it.
pub(super) fn restore(outer: Option<Run>) {
    RUN.with(|r| *r.borrow_mut() = outer);
}

/// A new execution begins: nobody holds anything; the graph stays.
pub(super) fn execution_began() {
    with(|run| {
        run.execution = {
            let mut shared = run.graph.lock();
            shared.executions += 1;
            shared.executions
        };
        run.tracker.new_execution();
        run.object_class.clear();
    });
}

/// The cycle the execution that just ended closed, under
/// [`Policy::Fail`], with the thread and line that closed it:
/// the first of the exploration only.
pub(super) fn take_closed() -> Option<(LockCycle, usize, Loc)> {
    with(|run| run.closed.take()).flatten()
}

fn with<R>(f: impl FnOnce(&mut Run) -> R) -> Option<R> {
    RUN.with(|r| r.try_borrow_mut().ok()?.as_mut().map(f))
}

impl Run {
    /// The class of `object`, if it is a lock lockdep orders.
    fn class(&mut self, log: &ExecutionLog, object: usize) -> Option<usize> {
        if let Some(Some(known)) = self.object_class.get(object) {
            return *known;
        }
        let class = log.objects.get(object).and_then(|o| {
            if !matches!(o.kind, ObjectKind::Mutex | ObjectKind::RwLock) {
                return None;
            }
            let rank = log.objects[..object]
                .iter()
                .filter(|p| p.kind == o.kind && p.created_at == o.created_at && p.name == o.name)
                .count();
            let key = (o.kind, o.created_at, o.name.clone(), rank);
            let mut shared = self.graph.lock();
            let next = shared.names.len();
            let class = *shared.classes.entry(key).or_insert(next);
            if class == next {
                let name = o.display_name();
                shared.names.push(if rank == 0 {
                    name
                } else {
                    format!("{name}#{}", rank + 1)
                });
            }
            Some(class)
        });
        if self.object_class.len() <= object {
            self.object_class.resize(object + 1, None);
        }
        self.object_class[object] = Some(class);
        class
    }
}

/// The edge `from` → `to` of `state`'s graph, as reports show it.
fn edge(state: &GraphState, from: usize, to: usize) -> Option<LockOrderEdge> {
    let site = state.graph.site(from, to)?;
    Some(LockOrderEdge {
        held: state.names[from].clone(),
        held_at: site.held_at,
        acquired: state.names[to].clone(),
        acquired_at: site.acquired_at,
        thread: site.thread.clone(),
        execution: Some(site.execution),
    })
}

/// `thread` acquired `object` (inside the recorder's access to `log`).
/// A cycle it closes is kept for the end of the execution
/// ([`take_closed`]) under [`Policy::Fail`]: the execution goes
/// on, and the search too, since an execution that really deadlocks is
/// the better report.
pub(super) fn acquired(
    log: &ExecutionLog,
    thread: usize,
    object: usize,
    at: Loc,
    shared: bool,
    tried: bool,
) {
    with(|run| {
        let class = run.class(log, object)?;
        let execution = run.execution;
        let thread_name = log.thread_name(thread);
        let acq = Acquisition {
            class,
            at,
            shared,
            tried,
        };
        let graph = run.graph.clone();
        let mut shared = graph.lock();
        let closed = run.tracker.acquire(
            &mut shared.graph,
            thread,
            acq,
            |held| EdgeSite {
                thread: thread_name.clone(),
                held_at: held.at,
                acquired_at: at,
                execution,
            },
            |known| known.execution != execution,
        )?;
        let mut edges: Vec<LockOrderEdge> = closed
            .path
            .iter()
            .filter_map(|&(from, to)| edge(&shared, from, to))
            .collect();
        edges.extend(edge(&shared, closed.held.class, class));
        drop(shared);
        let cycle = LockCycle { edges };
        match run.policy {
            Policy::Fail if !run.closed_any => {
                run.closed_any = true;
                run.closed = Some((cycle, thread, at));
            }
            Policy::Fail => {}
            _ => crate::lockdep::warn(cycle),
        }
        Some(())
    });
}

/// `thread` released `object`.
pub(super) fn released(thread: usize, object: usize) {
    with(|run| {
        if let Some(Some(Some(class))) = run.object_class.get(object) {
            run.tracker.release(thread, *class);
        }
    });
}

/// `weft_sync::lockdep::unhold`: `object` is released by `thread` or
/// by whichever thread holds it.
pub(super) fn released_any(thread: usize, object: usize) {
    with(|run| {
        if let Some(Some(Some(class))) = run.object_class.get(object) {
            run.tracker.release_any(thread, *class);
        }
    });
}

/// `weft_sync::lockdep::ordered`: `thread`'s ordered group begins
/// (`true`; returns whether it was not in one) or ends.
pub(super) fn group(thread: usize, begin: bool) -> bool {
    with(|run| {
        if begin {
            run.tracker.begin_group(thread)
        } else {
            run.tracker.end_group(thread);
            false
        }
    })
    .unwrap_or(false)
}

#[cfg(all(test, feature = "shuttle"))]
mod tests {
    use std::sync::Arc;

    use crate::explore::{explore, ExploreConfig, FailureKind, SchedulerKind};
    use crate::lockdep::{with_shared, SharedGraph};
    use crate::sync::Mutex;

    /// Two locks, created on the same lines by every model below: the same
    /// two lock classes.
    fn locks() -> (Mutex<()>, Mutex<()>) {
        (Mutex::new(()).named("a"), Mutex::new(()).named("b"))
    }

    /// One exploration, on its own OS thread as a worker's, of a model that
    /// takes `a` then `b` (or `b` then `a`), with `graph` installed.
    fn explore_order(a_first: bool, graph: Option<Arc<SharedGraph>>) -> Option<FailureKind> {
        std::thread::spawn(move || {
            let mut config = ExploreConfig::new("one_order");
            config.scheduler = SchedulerKind::Dpor;
            config.workers = 1;
            let body = Arc::new(move || {
                let (a, b) = locks();
                let (first, second) = if a_first { (&a, &b) } else { (&b, &a) };
                let _g1 = first.lock().unwrap();
                let _g2 = second.lock().unwrap();
            });
            let run = || explore(&config, body.clone()).failure.map(|f| f.kind);
            match graph {
                Some(graph) => with_shared(graph, run),
                None => run(),
            }
        })
        .join()
        .unwrap()
    }

    #[test]
    fn workers_sharing_a_graph_see_an_inversion_split_between_them() {
        let graph = Arc::new(SharedGraph::default());
        assert_eq!(explore_order(true, Some(graph.clone())), None);
        assert_eq!(
            explore_order(false, Some(graph)),
            Some(FailureKind::PotentialDeadlock)
        );
        // Apart, neither sees the other's order.
        assert_eq!(explore_order(true, None), None);
        assert_eq!(explore_order(false, None), None);
    }
}
