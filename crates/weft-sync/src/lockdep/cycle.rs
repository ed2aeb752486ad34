use std::fmt::Write as _;

use crate::record::Loc;

/// One edge of the lock-order graph: a thread locked `acquired` while it
/// held `held`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockOrderEdge {
    /// The lock that was held (its name in reports).
    pub held: String,
    /// Where the held lock had been acquired.
    pub held_at: Loc,
    /// The lock acquired while `held` was held.
    pub acquired: String,
    /// Where it was acquired.
    pub acquired_at: Loc,
    /// The thread that took this order.
    pub thread: String,
    /// The 1-based execution of the search that first took this order
    /// (`None` on real threads, where there is one process).
    pub execution: Option<usize>,
}

/// A cycle of the lock-order graph: a potential deadlock. Each edge is an
/// order some thread took; the last one closed the cycle.
///
/// # Examples
///
/// ```
/// use weft_sync::lockdep::{LockCycle, LockOrderEdge};
/// use weft_sync::record::Loc;
///
/// let at = |line| Loc { file: "src/bank.rs", line, column: 9 };
/// let cycle = LockCycle {
///     edges: vec![
///         LockOrderEdge {
///             held: "a".into(), held_at: at(1), acquired: "b".into(), acquired_at: at(2),
///             thread: "t1".into(), execution: Some(3),
///         },
///         LockOrderEdge {
///             held: "b".into(), held_at: at(7), acquired: "a".into(), acquired_at: at(8),
///             thread: "t2".into(), execution: Some(9),
///         },
///     ],
/// };
/// assert_eq!(cycle.locks(), ["a", "b"]);
/// assert!(cycle.message().starts_with("potential deadlock: `a` and `b` are locked in both orders"));
/// assert!(cycle.graph().contains("b ──▶ a"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockCycle {
    /// The edges, around the cycle; the last one closed it.
    pub edges: Vec<LockOrderEdge>,
}

impl LockCycle {
    /// The locks of the cycle, in its order.
    pub fn locks(&self) -> Vec<&str> {
        self.edges.iter().map(|e| e.held.as_str()).collect()
    }

    /// The edge that closed the cycle.
    pub fn closing(&self) -> Option<&LockOrderEdge> {
        self.edges.last()
    }

    /// Whether every order of the cycle was taken in one execution.
    pub fn in_one_execution(&self) -> bool {
        self.edges
            .windows(2)
            .all(|w| w[0].execution == w[1].execution)
    }

    /// The report's message: the locks, each acquisition path with its
    /// lines, and the graph drawn.
    pub fn message(&self) -> String {
        let names: Vec<String> = self.locks().iter().map(|l| format!("`{l}`")).collect();
        let mut m = if names.len() == 2 {
            format!(
                "potential deadlock: {} and {} are locked in both orders, so threads that take them at once can each hold one and wait for the other",
                names[0], names[1]
            )
        } else {
            format!(
                "potential deadlock: the locks {} are locked in a cycle, so threads that take them at once can each hold one and wait for the next",
                names.join(", ")
            )
        };
        m.push_str(if self.edges.iter().all(|e| e.execution.is_none()) {
            " (this process took every order of the cycle without deadlocking)"
        } else if self.in_one_execution() {
            " (one execution took every order of the cycle without deadlocking)"
        } else {
            " (different executions took the orders of the cycle)"
        });
        m.push(':');
        for e in &self.edges {
            let _ = write!(
                m,
                "\n  `{}` locked `{}` at {} while holding `{}` (locked at {})",
                e.thread, e.acquired, e.acquired_at, e.held, e.held_at
            );
            if let Some(n) = e.execution {
                let _ = write!(m, ", in execution {n}");
            }
        }
        m.push_str("\nlock-order graph:\n");
        m.push_str(&self.graph());
        m.push_str("take the locks in one order everywhere (weft::lock_order ranks them)");
        m
    }

    /// The cycle drawn as text, one edge a line, the closing one marked.
    pub fn graph(&self) -> String {
        let width = self
            .edges
            .iter()
            .map(|e| e.held.chars().count() + e.acquired.chars().count())
            .max()
            .unwrap_or(0);
        let mut g = String::new();
        for (i, e) in self.edges.iter().enumerate() {
            let pad = width - e.held.chars().count() - e.acquired.chars().count();
            let _ = write!(
                g,
                "  {} ──▶ {}{}   `{}` at {}",
                e.held,
                e.acquired,
                " ".repeat(pad),
                e.thread,
                e.acquired_at
            );
            if i + 1 == self.edges.len() {
                g.push_str("   ◀ closes the cycle");
            }
            g.push('\n');
        }
        g
    }
}
