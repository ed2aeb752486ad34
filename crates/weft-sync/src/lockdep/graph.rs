//! The lock-order graph: an edge `a → b` says some thread acquired `b`
//! while it held `a`. A cycle is a potential deadlock (Linux lockdep,
//! tracing-mutex): threads that take its locks at once can each hold one
//! and wait for the next.

use std::collections::{HashMap, VecDeque};

/// Lock classes (dense ids given by the caller) and the first site of each
/// edge between them.
#[derive(Debug)]
pub(crate) struct Graph<S> {
    /// By class: the classes acquired while it was held, in the order the
    /// edges were first seen (so that the path a cycle reports is stable).
    out: Vec<Vec<usize>>,
    /// The site that first added each edge.
    sites: HashMap<(usize, usize), S>,
}

/// What adding an edge found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Added {
    /// The edge was already in the graph: nothing new.
    Known,
    /// A new edge that closes no cycle.
    New,
    /// A new edge `from → to` that closes a cycle: the path of edges
    /// already in the graph from `to` back to `from`, in order.
    Cycle(Vec<(usize, usize)>),
}

impl<S> Default for Graph<S> {
    fn default() -> Self {
        Graph {
            out: Vec::new(),
            sites: HashMap::new(),
        }
    }
}

impl<S> Graph<S> {
    /// Adds the edge `from → to`, seen at `site`. A known edge keeps its
    /// site unless `stale` says it is (an earlier execution's: a cycle
    /// reports the latest takers, so that one execution that took every
    /// order of a cycle is the one it names). A self edge (a class
    /// acquired while an object of the same class is held) is never added:
    /// lock classes tell objects apart, so it is the same lock taken twice,
    /// a re-entrant read or a self-deadlock the checker reports itself.
    pub(crate) fn add(
        &mut self,
        from: usize,
        to: usize,
        site: impl FnOnce() -> S,
        stale: impl FnOnce(&S) -> bool,
    ) -> Added {
        if from == to {
            return Added::Known;
        }
        if let Some(known) = self.sites.get_mut(&(from, to)) {
            if stale(known) {
                *known = site();
            }
            return Added::Known;
        }
        let cycle = self.path(to, from);
        let needed = from.max(to) + 1;
        if self.out.len() < needed {
            self.out.resize_with(needed, Vec::new);
        }
        self.out[from].push(to);
        self.sites.insert((from, to), site());
        match cycle {
            Some(path) => Added::Cycle(path),
            None => Added::New,
        }
    }

    /// The site that first added `from → to`.
    pub(crate) fn site(&self, from: usize, to: usize) -> Option<&S> {
        self.sites.get(&(from, to))
    }

    /// How many edges the graph has.
    #[cfg(test)]
    pub(crate) fn edges(&self) -> usize {
        self.sites.len()
    }

    /// A shortest path of edges from `start` to `goal` (breadth first), if
    /// there is one.
    fn path(&self, start: usize, goal: usize) -> Option<Vec<(usize, usize)>> {
        if start >= self.out.len() {
            return None;
        }
        let mut parent: HashMap<usize, usize> = HashMap::new();
        let mut queue = VecDeque::from([start]);
        while let Some(node) = queue.pop_front() {
            for &next in self.out.get(node).map(Vec::as_slice).unwrap_or(&[]) {
                if next == start || parent.contains_key(&next) {
                    continue;
                }
                parent.insert(next, node);
                if next == goal {
                    let mut path = vec![(node, next)];
                    let mut at = node;
                    while at != start {
                        let p = parent[&at];
                        path.push((p, at));
                        at = p;
                    }
                    path.reverse();
                    return Some(path);
                }
                queue.push_back(next);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_order_has_no_cycle() {
        let mut g = Graph::default();
        assert_eq!(g.add(0, 1, || "a→b", |_| false), Added::New);
        assert_eq!(g.add(0, 1, || "again", |_| false), Added::Known);
        assert_eq!(g.site(0, 1), Some(&"a→b"));
        assert_eq!(g.edges(), 1);
    }

    #[test]
    fn the_inverse_order_closes_a_cycle_of_two() {
        let mut g = Graph::default();
        g.add(0, 1, || "a→b", |_| false);
        assert_eq!(g.add(1, 0, || "b→a", |_| false), Added::Cycle(vec![(0, 1)]));
        // Seen once: the second time it is known, not reported again.
        assert_eq!(g.add(1, 0, || "b→a again", |_| false), Added::Known);
        assert_eq!(g.site(1, 0), Some(&"b→a"));
    }

    #[test]
    fn a_longer_cycle_reports_its_whole_path() {
        let mut g = Graph::default();
        g.add(0, 1, || (), |_| false);
        g.add(1, 2, || (), |_| false);
        g.add(5, 6, || (), |_| false);
        assert_eq!(
            g.add(2, 0, || (), |_| false),
            Added::Cycle(vec![(0, 1), (1, 2)])
        );
    }

    #[test]
    fn the_shortest_path_is_reported() {
        let mut g = Graph::default();
        g.add(0, 1, || (), |_| false);
        g.add(1, 2, || (), |_| false);
        g.add(2, 3, || (), |_| false);
        g.add(0, 3, || (), |_| false);
        assert_eq!(g.add(3, 0, || (), |_| false), Added::Cycle(vec![(0, 3)]));
    }

    #[test]
    fn a_stale_site_is_replaced_by_the_latest() {
        let mut g = Graph::default();
        g.add(0, 1, || 1, |_| false);
        assert_eq!(g.add(0, 1, || 2, |_| false), Added::Known);
        assert_eq!(g.site(0, 1), Some(&1));
        assert_eq!(g.add(0, 1, || 3, |&s| s < 3), Added::Known);
        assert_eq!(g.site(0, 1), Some(&3));
    }

    #[test]
    fn self_edges_are_not_edges() {
        let mut g: Graph<()> = Graph::default();
        assert_eq!(g.add(4, 4, || (), |_| false), Added::Known);
        assert_eq!(g.edges(), 0);
    }

    #[test]
    fn a_diamond_is_not_a_cycle() {
        let mut g = Graph::default();
        g.add(0, 1, || (), |_| false);
        g.add(0, 2, || (), |_| false);
        g.add(1, 3, || (), |_| false);
        assert_eq!(g.add(2, 3, || (), |_| false), Added::New);
    }
}
