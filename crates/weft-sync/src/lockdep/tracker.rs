//! What each thread holds, and the edges its acquisitions add to the
//! lock-order graph: the rules that keep lockdep free of false positives.
//!
//! - A successful `try_lock` adds no edge: it cannot block, so it cannot
//!   deadlock (Linux lockdep does the same). The lock is held, though: a
//!   blocking acquisition while it is held adds an edge from it.
//! - A shared (read) acquisition while holding only a shared lock of the
//!   other class adds no edge: two readers never wait for each other, so
//!   a cycle needs a writer, whose exclusive acquisition (or the reader's
//!   wait for it) adds the edge.
//! - Locks taken together in one ordered group (`lock_all`, which sorts
//!   them by rank and address) add no edges among themselves: the group
//!   is one acquisition in a global order. Edges from locks held before
//!   the group are kept.
//! - A class acquired while one of the same class is held adds nothing
//!   (see [`Graph::add`]).

use super::graph::{Added, Graph};
use crate::record::Loc;

/// One acquisition of a lock class by a thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Acquisition {
    /// The lock's class (dense ids chosen by the caller).
    pub(crate) class: usize,
    /// Where it was acquired.
    pub(crate) at: Loc,
    /// A shared (read) acquisition.
    pub(crate) shared: bool,
    /// A `try_lock` that succeeded: no edge (it never blocked).
    pub(crate) tried: bool,
}

/// A lock a thread holds, as lockdep sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct HeldLock {
    pub(crate) class: usize,
    pub(crate) at: Loc,
    shared: bool,
    /// The ordered group it was taken in (0: none).
    group: u64,
}

/// An acquisition that closed a cycle: the lock held, the one acquired,
/// and the edges already in the graph from the acquired lock back to the
/// held one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Closed {
    pub(crate) held: HeldLock,
    pub(crate) acquired: Acquisition,
    pub(crate) path: Vec<(usize, usize)>,
}

/// What each thread holds now, and the edges its acquisitions add to a
/// graph kept apart: the graph outlives executions, and the workers of
/// one exploration share it, each with its own threads.
#[derive(Debug)]
pub(crate) struct Tracker<S> {
    _site: std::marker::PhantomData<S>,
    /// By thread.
    held: Vec<Vec<HeldLock>>,
    /// By thread: the ordered group it is in (0: none).
    group: Vec<u64>,
    next_group: u64,
}

impl<S> Default for Tracker<S> {
    fn default() -> Self {
        Tracker {
            _site: std::marker::PhantomData,
            held: Vec::new(),
            group: Vec::new(),
            next_group: 1,
        }
    }
}

impl<S> Tracker<S> {
    /// `thread` acquired a lock; its edges go into `graph`. `site`
    /// describes each edge (from the held lock it is given), kept for a
    /// new edge or one whose site is `stale` (see [`Graph::add`]).
    /// Returns the first cycle the acquisition closed, if any.
    pub(crate) fn acquire(
        &mut self,
        graph: &mut Graph<S>,
        thread: usize,
        acq: Acquisition,
        mut site: impl FnMut(&HeldLock) -> S,
        stale: impl Fn(&S) -> bool,
    ) -> Option<Closed> {
        if self.held.len() <= thread {
            self.held.resize_with(thread + 1, Vec::new);
            self.group.resize(thread + 1, 0);
        }
        let group = self.group[thread];
        let mut closed = None;
        if !acq.tried {
            for held in &self.held[thread] {
                if (held.shared && acq.shared) || (group != 0 && held.group == group) {
                    continue;
                }
                let added = graph.add(held.class, acq.class, || site(held), &stale);
                if let Added::Cycle(path) = added {
                    if closed.is_none() {
                        closed = Some(Closed {
                            held: *held,
                            acquired: acq,
                            path,
                        });
                    }
                }
            }
        }
        self.held[thread].push(HeldLock {
            class: acq.class,
            at: acq.at,
            shared: acq.shared,
            group,
        });
        closed
    }

    /// `thread` released a lock of `class` (the latest one it took).
    pub(crate) fn release(&mut self, thread: usize, class: usize) {
        if let Some(held) = self.held.get_mut(thread) {
            if let Some(i) = held.iter().rposition(|h| h.class == class) {
                held.remove(i);
            }
        }
    }

    /// The latest hold of `class` is released: `thread`'s if it holds one,
    /// else any thread's (a lock another thread may release).
    pub(crate) fn release_any(&mut self, thread: usize, class: usize) {
        let mine = self
            .held
            .get(thread)
            .is_some_and(|h| h.iter().any(|l| l.class == class));
        let owner = if mine {
            Some(thread)
        } else {
            self.held
                .iter()
                .position(|h| h.iter().any(|l| l.class == class))
        };
        if let Some(owner) = owner {
            self.release(owner, class);
        }
    }

    /// `thread` starts taking locks as one ordered group (`lock_all`);
    /// returns whether it was not in one already (only the outermost
    /// group ends it).
    pub(crate) fn begin_group(&mut self, thread: usize) -> bool {
        if self.group.len() <= thread {
            self.held.resize_with(thread + 1, Vec::new);
            self.group.resize(thread + 1, 0);
        }
        if self.group[thread] != 0 {
            return false;
        }
        self.group[thread] = self.next_group;
        self.next_group += 1;
        true
    }

    /// `thread`'s ordered group is complete.
    pub(crate) fn end_group(&mut self, thread: usize) {
        if let Some(g) = self.group.get_mut(thread) {
            *g = 0;
        }
    }

    /// A new execution: no thread holds anything; the graph stays.
    pub(crate) fn new_execution(&mut self) {
        self.held.iter_mut().for_each(Vec::clear);
        self.group.iter_mut().for_each(|g| *g = 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: u32) -> Loc {
        Loc {
            file: "t.rs",
            line,
            column: 1,
        }
    }

    fn lock(class: usize, line: u32) -> Acquisition {
        Acquisition {
            class,
            at: at(line),
            shared: false,
            tried: false,
        }
    }

    fn read(class: usize, line: u32) -> Acquisition {
        Acquisition {
            shared: true,
            ..lock(class, line)
        }
    }

    fn tried(class: usize, line: u32) -> Acquisition {
        Acquisition {
            tried: true,
            ..lock(class, line)
        }
    }

    /// The site of an edge: the line its held lock was taken at.
    fn site(h: &HeldLock) -> u32 {
        h.at.line
    }

    /// No site is stale.
    fn never(_: &u32) -> bool {
        false
    }

    /// A tracker with its graph, as one exploration's worker has them.
    #[derive(Default)]
    struct Both {
        tracker: Tracker<u32>,
        graph: Graph<u32>,
    }

    impl Both {
        fn acquire(
            &mut self,
            thread: usize,
            acq: Acquisition,
            site: fn(&HeldLock) -> u32,
            stale: fn(&u32) -> bool,
        ) -> Option<Closed> {
            self.tracker
                .acquire(&mut self.graph, thread, acq, site, stale)
        }

        fn release(&mut self, thread: usize, class: usize) {
            self.tracker.release(thread, class);
        }

        fn release_any(&mut self, thread: usize, class: usize) {
            self.tracker.release_any(thread, class);
        }

        fn new_execution(&mut self) {
            self.tracker.new_execution();
        }

        fn begin_group(&mut self, thread: usize) -> bool {
            self.tracker.begin_group(thread)
        }

        fn end_group(&mut self, thread: usize) {
            self.tracker.end_group(thread);
        }
    }

    #[test]
    fn ab_then_ba_closes_a_cycle_naming_both_sites() {
        let mut t = Both::default();
        assert_eq!(t.acquire(0, lock(0, 10), site, never), None);
        assert_eq!(t.acquire(0, lock(1, 11), site, never), None);
        t.release(0, 1);
        t.release(0, 0);
        // Another thread, later: B then A.
        assert_eq!(t.acquire(1, lock(1, 20), site, never), None);
        let closed = t.acquire(1, lock(0, 21), site, never).expect("a cycle");
        assert_eq!(closed.held.class, 1);
        assert_eq!(closed.held.at, at(20));
        assert_eq!(closed.acquired, lock(0, 21));
        assert_eq!(closed.path, vec![(0, 1)]);
        assert_eq!(t.graph.site(0, 1), Some(&10));
    }

    #[test]
    fn the_graph_outlives_an_execution() {
        let mut t = Both::default();
        t.acquire(0, lock(0, 10), site, never);
        t.acquire(0, lock(1, 11), site, never);
        t.new_execution();
        t.acquire(0, lock(1, 20), site, never);
        assert!(t.acquire(0, lock(0, 21), site, never).is_some());
    }

    #[test]
    fn one_order_everywhere_has_no_cycle() {
        let mut t = Both::default();
        for thread in 0..3 {
            assert_eq!(t.acquire(thread, lock(0, 10), site, never), None);
            assert_eq!(t.acquire(thread, lock(1, 11), site, never), None);
            t.release(thread, 1);
            t.release(thread, 0);
        }
        assert_eq!(t.graph.edges(), 1);
    }

    #[test]
    fn a_successful_try_lock_adds_no_edge() {
        let mut t = Both::default();
        t.acquire(0, lock(0, 10), site, never);
        t.acquire(0, lock(1, 11), site, never);
        t.new_execution();
        t.acquire(1, lock(1, 20), site, never);
        assert_eq!(t.acquire(1, tried(0, 21), site, never), None);
        // ...but a lock taken with try_lock is held: a blocking
        // acquisition under it is an edge.
        t.new_execution();
        t.acquire(2, tried(2, 30), site, never);
        t.acquire(2, lock(0, 31), site, never);
        assert_eq!(t.graph.site(2, 0), Some(&30));
    }

    #[test]
    fn read_under_read_adds_no_edge_but_write_does() {
        let mut t = Both::default();
        t.acquire(0, read(0, 10), site, never);
        t.acquire(0, read(1, 11), site, never);
        t.new_execution();
        t.acquire(1, read(1, 20), site, never);
        assert_eq!(t.acquire(1, read(0, 21), site, never), None);
        assert_eq!(t.graph.edges(), 0);
        t.new_execution();
        t.acquire(1, read(1, 20), site, never);
        t.acquire(1, lock(0, 21), site, never);
        t.new_execution();
        t.acquire(0, lock(0, 30), site, never);
        assert!(t.acquire(0, read(1, 31), site, never).is_some());
    }

    #[test]
    fn an_ordered_group_adds_no_edges_among_its_locks() {
        let mut t = Both::default();
        assert!(t.begin_group(0));
        t.acquire(0, lock(0, 10), site, never);
        t.acquire(0, lock(1, 10), site, never);
        t.end_group(0);
        t.new_execution();
        // The addresses sorted the other way in another execution.
        assert!(t.begin_group(0));
        assert!(!t.begin_group(0), "nested groups are one group");
        t.acquire(0, lock(1, 10), site, never);
        assert_eq!(t.acquire(0, lock(0, 10), site, never), None);
        t.end_group(0);
        assert_eq!(t.graph.edges(), 0);
    }

    #[test]
    fn a_lock_held_before_a_group_orders_before_its_locks() {
        let mut t = Both::default();
        t.acquire(0, lock(5, 1), site, never);
        t.begin_group(0);
        t.acquire(0, lock(0, 10), site, never);
        t.end_group(0);
        assert_eq!(t.graph.site(5, 0), Some(&1));
    }

    #[test]
    fn a_lock_released_by_another_thread_is_no_longer_held() {
        let mut t = Both::default();
        t.acquire(0, lock(0, 10), site, never);
        t.release_any(1, 0);
        t.acquire(0, lock(1, 11), site, never);
        assert_eq!(t.graph.edges(), 0);
    }

    #[test]
    fn release_forgets_the_latest_hold_of_a_class() {
        let mut t = Both::default();
        t.acquire(0, lock(0, 10), site, never);
        t.release(0, 0);
        t.acquire(0, lock(1, 11), site, never);
        assert_eq!(t.graph.edges(), 0);
    }
}
