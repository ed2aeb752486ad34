//! The std arm's lock-order graph, with the `lockdep` feature: one graph
//! for the process. Each lock is its own class (a process has no
//! executions to match objects across). What a thread holds is a
//! thread-local, so an acquisition with nothing held touches no shared
//! state; one taken while holding locks adds its edges under the graph's
//! lock, and a cycle it closes panics (or warns) with both paths.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering::Relaxed};
use std::sync::Mutex;

use crate::lockdep::{Added, Graph, LockCycle, LockOrderEdge, Policy};
use crate::record::Loc;

/// Where an edge was first seen.
struct Site {
    thread: String,
    held_at: Loc,
    acquired_at: Loc,
}

#[derive(Default)]
struct Global {
    graph: Graph<Site>,
    /// By class: the lock's report name (given with `named`, else
    /// `Mutex@<line that created it>`), for the locks in an edge.
    names: HashMap<usize, String>,
    /// Names given with `named`, by class.
    given: HashMap<usize, String>,
}

static GLOBAL: Mutex<Option<Global>> = Mutex::new(None);
static NEXT_CLASS: AtomicUsize = AtomicUsize::new(0);
/// The [`Policy`] as a byte: 0 fail (the default), 1 warn, 2 off.
static POLICY: AtomicU8 = AtomicU8::new(0);
/// The cycles that panicked under [`Policy::Fail`] and no std
/// runner took yet, for its report (several threads may panic at once).
static REPORTED: Mutex<Vec<LockCycle>> = Mutex::new(Vec::new());

/// One lock a thread holds: its class, where it was created, where taken.
#[derive(Clone, Copy)]
struct Held {
    class: usize,
    created_at: Loc,
    at: Loc,
}

/// Locks held with no guard (`lockdep::hold`), by class: the thread
/// that holds each, so that another thread's release can reach it.
static OWNERS: Mutex<Option<HashMap<usize, std::thread::ThreadId>>> = Mutex::new(None);
/// Releases by another thread than the holder, not yet seen by it: the
/// holder drops them from its thread-local at its next acquisition.
static RELEASED: Mutex<Vec<(std::thread::ThreadId, usize)>> = Mutex::new(Vec::new());
/// How many entries `RELEASED` has: 0 keeps acquisitions off its lock.
static PENDING: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static HELD: RefCell<Vec<Held>> = const { RefCell::new(Vec::new()) };
    /// The edges this thread knows are in the graph (edges are never
    /// removed): taking them again needs no look at the shared graph.
    static KNOWN: RefCell<HashSet<(usize, usize)>> = RefCell::new(HashSet::new());
}

/// A class for a new lock.
#[inline]
pub(super) fn new_class() -> usize {
    NEXT_CLASS.fetch_add(1, Relaxed)
}

/// Names a lock in reports.
pub(super) fn name(class: usize, name: String) {
    let mut global = GLOBAL.lock().unwrap_or_else(|e| e.into_inner());
    global
        .get_or_insert_with(Global::default)
        .given
        .insert(class, name);
}

/// Sets the policy (a std-mode model sets its own for its run); returns
/// the one before. It is the process's: models with different policies
/// running at once on real threads see each other's.
pub(crate) fn set_policy(policy: Policy) -> Policy {
    let byte = match policy {
        Policy::Fail => 0,
        Policy::Warn => 1,
        Policy::Off => 2,
    };
    match POLICY.swap(byte, Relaxed) {
        1 => Policy::Warn,
        2 => Policy::Off,
        _ => Policy::Fail,
    }
}

/// The cycle a panic of this process reported, if the panic was one.
pub(crate) fn take_reported(message: &str) -> Option<LockCycle> {
    let mut reported = REPORTED.lock().unwrap_or_else(|e| e.into_inner());
    let i = reported.iter().position(|c| c.message() == message)?;
    Some(reported.remove(i))
}

/// The current thread acquired lock `class` (created at `created_at`) at
/// `at`; a `try_lock` (`tried`) adds no edge.
///
/// # Panics
///
/// With both paths, when this closes a cycle under
/// [`Policy::Fail`].
#[inline]
pub(super) fn acquired(class: usize, created_at: Loc, at: Loc, tried: bool) {
    let policy = POLICY.load(Relaxed);
    if policy == 2 {
        return;
    }
    let cycle = HELD.with(|h| {
        let mut held = h.borrow_mut();
        if PENDING.load(Relaxed) > 0 {
            forget_released_elsewhere(&mut held);
        }
        let new_edge = !tried
            && !held.is_empty()
            && KNOWN.with(|k| {
                let known = k.borrow();
                held.iter()
                    .any(|h| h.class != class && !known.contains(&(h.class, class)))
            });
        let cycle = if new_edge {
            add_edges(&held, class, created_at, at)
        } else {
            None
        };
        held.push(Held {
            class,
            created_at,
            at,
        });
        cycle
    });
    if let Some(cycle) = cycle {
        if policy == 0 {
            let message = cycle.message();
            REPORTED
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(cycle);
            panic!("{message}");
        }
        crate::lockdep::warn(cycle);
    }
}

/// Drops from `held` the locks other threads released for this one.
#[cold]
fn forget_released_elsewhere(held: &mut Vec<Held>) {
    let me = std::thread::current().id();
    let mut released = RELEASED.lock().unwrap_or_else(|e| e.into_inner());
    released.retain(|&(owner, class)| {
        if owner != me {
            return true;
        }
        if let Some(i) = held.iter().rposition(|l| l.class == class) {
            held.remove(i);
        }
        PENDING.fetch_sub(1, Relaxed);
        false
    });
}

/// The current thread holds lock `class` with no guard
/// (`lockdep::hold`).
pub(super) fn held_without_guard(class: usize, created_at: Loc, at: Loc, tried: bool) {
    if POLICY.load(Relaxed) == 2 {
        return;
    }
    OWNERS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get_or_insert_with(HashMap::new)
        .insert(class, std::thread::current().id());
    acquired(class, created_at, at, tried);
}

/// Lock `class`, held with no guard, is released by the current thread or
/// by another one (`lockdep::unhold`).
pub(super) fn released_without_guard(class: usize) {
    let owner = OWNERS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .as_mut()
        .and_then(|o| o.remove(&class));
    match owner {
        Some(owner) if owner != std::thread::current().id() => {
            RELEASED
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((owner, class));
            PENDING.fetch_add(1, Relaxed);
        }
        _ => released(class),
    }
}

/// The current thread released lock `class`.
#[inline]
pub(super) fn released(class: usize) {
    // After the thread-local is gone (a guard dropped by a thread-local's
    // destructor) there is nothing to forget.
    let _ = HELD.try_with(|h| {
        let mut held = h.borrow_mut();
        if let Some(i) = held.iter().rposition(|l| l.class == class) {
            held.remove(i);
        }
    });
}

/// Adds an edge from each held lock to `class`; the first cycle closed.
#[cold]
fn add_edges(held: &[Held], class: usize, created_at: Loc, at: Loc) -> Option<LockCycle> {
    let mut guard = GLOBAL.lock().unwrap_or_else(|e| e.into_inner());
    let global = guard.get_or_insert_with(Global::default);
    let thread = || {
        std::thread::current()
            .name()
            .map(str::to_string)
            .unwrap_or_else(|| format!("{:?}", std::thread::current().id()))
    };
    let mut closed = None;
    for h in held {
        if h.class == class {
            continue;
        }
        KNOWN.with(|k| k.borrow_mut().insert((h.class, class)));
        for (c, created) in [(h.class, h.created_at), (class, created_at)] {
            if !global.names.contains_key(&c) {
                let name = global
                    .given
                    .get(&c)
                    .cloned()
                    .unwrap_or_else(|| format!("Mutex@{created}"));
                global.names.insert(c, name);
            }
        }
        let added = global.graph.add(
            h.class,
            class,
            || Site {
                thread: thread(),
                held_at: h.at,
                acquired_at: at,
            },
            // One process: the first site of an edge stays.
            |_| false,
        );
        if let (Added::Cycle(path), None) = (added, &closed) {
            let mut edges: Vec<LockOrderEdge> = path
                .iter()
                .filter_map(|&(from, to)| edge(global, from, to))
                .collect();
            edges.extend(edge(global, h.class, class));
            closed = Some(LockCycle { edges });
        }
    }
    closed
}

fn edge(global: &Global, from: usize, to: usize) -> Option<LockOrderEdge> {
    let site = global.graph.site(from, to)?;
    Some(LockOrderEdge {
        held: global.names.get(&from).cloned().unwrap_or_default(),
        held_at: site.held_at,
        acquired: global.names.get(&to).cloned().unwrap_or_default(),
        acquired_at: site.acquired_at,
        thread: site.thread.clone(),
        execution: None,
    })
}
