//! The model arm's feed of the lock-order graph (`crate::lockdep`): lock
//! classes for this search's objects, the graph kept across the
//! executions of one exploration, and the failure a cycle is.
//!
//! Model threads are coroutines of the exploring OS thread, so the state
//! is a thread-local of it, like the recorder's; an exploration saves the
//! one around it and puts it back (a model run inside a model's test).

use std::cell::RefCell;
use std::collections::HashMap;

use crate::lockdep::{Acquisition, LockCycle, LockOrderEdge, Policy, Tracker};
use crate::record::{ExecutionLog, Loc, ObjectKind};

/// Where an edge was first seen.
#[derive(Clone, Debug)]
struct EdgeSite {
    thread: String,
    held_at: Loc,
    acquired_at: Loc,
    execution: usize,
}

/// What tells a lock apart across executions: its kind, creation line,
/// name, and rank among the locks of that line and name.
type ClassKey = (ObjectKind, Loc, Option<String>, usize);

/// One exploration's lock-order state.
pub(super) struct Run {
    policy: Policy,
    tracker: Tracker<EdgeSite>,
    /// 1-based: the execution under way.
    execution: usize,
    classes: HashMap<ClassKey, usize>,
    /// By class: the name reports use.
    names: Vec<String>,
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

/// Starts the lock-order graph of an exploration; returns the state of
/// the one around it, for [`restore`].
pub(super) fn start(policy: Policy) -> Option<Run> {
    let run = (policy != Policy::Off).then(|| Run {
        policy,
        tracker: Tracker::default(),
        execution: 0,
        classes: HashMap::new(),
        names: Vec::new(),
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
        run.execution += 1;
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
            let next = self.names.len();
            let class = *self.classes.entry(key).or_insert(next);
            if class == next {
                let name = o.display_name();
                self.names.push(if rank == 0 {
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

    fn edge(&self, from: usize, to: usize) -> Option<LockOrderEdge> {
        let site = self.tracker.graph.site(from, to)?;
        Some(LockOrderEdge {
            held: self.names[from].clone(),
            held_at: site.held_at,
            acquired: self.names[to].clone(),
            acquired_at: site.acquired_at,
            thread: site.thread.clone(),
            execution: Some(site.execution),
        })
    }
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
        let closed = run.tracker.acquire(
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
            .filter_map(|&(from, to)| run.edge(from, to))
            .collect();
        edges.extend(run.edge(closed.held.class, class));
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
