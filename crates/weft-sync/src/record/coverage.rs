//! How much of a model's ordering space an exploration covered: the
//! conflicting pairs of operations it saw in both orders.

use std::collections::BTreeMap;
use std::fmt;

use super::Loc;

/// One class of operation: what was done (`lock`, `store`, ...), to which
/// object (by its report name), at which source location. Two threads
/// running the same line on the same object do operations of one class.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OpClass {
    /// The operation's name, as a report's step prints it.
    pub op: &'static str,
    /// The object's report name (its `.named(..)` name, else
    /// `Kind@file:line` of its creation).
    pub object: String,
    /// Where the operation was done.
    pub location: Loc,
}

impl fmt::Display for OpClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} `{}` at {}", self.op, self.object, self.location)
    }
}

/// The pair was seen with its first class first.
const FORWARD: u8 = 1;
/// The pair was seen with its second class first.
const BACKWARD: u8 = 2;

/// The coverage figure of an exploration: of the pairs of conflicting
/// operations it saw in either order, how many it saw in both.
///
/// Two operations conflict when different threads do them to one object
/// and at least one of them changes it (a store and a load, two
/// `fetch_add`s, a send and a receive), or when they are two acquisitions
/// of one lock (two read locks of an `RwLock` do not conflict; a release
/// only orders the next acquisition and is not counted). An operation is
/// known by its [`OpClass`]: the same line run by two threads is one
/// class, and the two orders of such a pair are told apart by which
/// thread (in spawn order) went first.
///
/// Each execution contributes the conflicting pairs that are adjacent on
/// their object: an access and the last write before it, or a write and
/// the reads since the last write (the pairs whose order the execution
/// decided directly; any other conflicting order follows from a chain of
/// them). A pair that a spawn or a join orders (main's load after it joins
/// the thread that stored) can never come the other way round and is not
/// counted; a pair ordered through other objects (a flag, a channel) is,
/// and may be impossible to reverse. A figure below 100% names orders of
/// the program that the exploration never ran, or cannot:
/// [`Coverage::one_order_only`] lists them.
///
/// `Display`: `coverage 12/15 conflicting pairs in both orders`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Coverage {
    pairs: BTreeMap<(OpClass, OpClass), u8>,
}

impl Coverage {
    /// No pair seen.
    pub fn new() -> Coverage {
        Coverage::default()
    }

    /// Records that an operation of class `first` (done by thread
    /// `first_thread`) came before a conflicting one of class `second`
    /// (by another thread, `second_thread`).
    pub fn saw(
        &mut self,
        first: OpClass,
        first_thread: usize,
        second: OpClass,
        second_thread: usize,
    ) {
        let (key, order) = match first.cmp(&second) {
            std::cmp::Ordering::Less => ((first, second), FORWARD),
            std::cmp::Ordering::Greater => ((second, first), BACKWARD),
            std::cmp::Ordering::Equal if first_thread < second_thread => ((first, second), FORWARD),
            std::cmp::Ordering::Equal => ((first, second), BACKWARD),
        };
        *self.pairs.entry(key).or_default() |= order;
    }

    /// Adds what `other` saw (two explorations of one model: the default
    /// search's DPOR and then random schedules, say).
    pub fn merge(&mut self, other: &Coverage) {
        for (pair, order) in &other.pairs {
            *self.pairs.entry(pair.clone()).or_default() |= order;
        }
    }

    /// The conflicting pairs seen in both orders.
    pub fn both_orders(&self) -> usize {
        self.pairs
            .values()
            .filter(|o| **o == FORWARD | BACKWARD)
            .count()
    }

    /// The conflicting pairs seen in at least one order.
    pub fn either_order(&self) -> usize {
        self.pairs.len()
    }

    /// The pairs seen in one order only, that order first: what the
    /// exploration never reversed.
    pub fn one_order_only(&self) -> impl Iterator<Item = (&OpClass, &OpClass)> {
        self.pairs
            .iter()
            .filter_map(|((a, b), order)| match *order {
                FORWARD => Some((a, b)),
                BACKWARD => Some((b, a)),
                _ => None,
            })
    }
}

impl fmt::Display for Coverage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "coverage {}/{} conflicting pairs in both orders",
            self.both_orders(),
            self.either_order()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(op: &'static str, line: u32) -> OpClass {
        OpClass {
            op,
            object: "n".to_string(),
            location: Loc {
                file: "m.rs",
                line,
                column: 1,
            },
        }
    }

    #[test]
    fn a_pair_counts_in_both_orders_only_once_each_order_is_seen() {
        let mut c = Coverage::new();
        c.saw(class("store", 1), 1, class("load", 2), 0);
        c.saw(class("store", 1), 1, class("load", 2), 0);
        assert_eq!((c.both_orders(), c.either_order()), (0, 1));
        assert_eq!(
            c.one_order_only().next(),
            Some((&class("store", 1), &class("load", 2)))
        );
        c.saw(class("load", 2), 0, class("store", 1), 1);
        assert_eq!((c.both_orders(), c.either_order()), (1, 1));
        assert_eq!(
            c.to_string(),
            "coverage 1/1 conflicting pairs in both orders"
        );
    }

    #[test]
    fn one_line_run_by_two_threads_is_told_apart_by_thread_order() {
        let mut c = Coverage::new();
        c.saw(class("fetch-add", 3), 1, class("fetch-add", 3), 2);
        assert_eq!((c.both_orders(), c.either_order()), (0, 1));
        let mut d = Coverage::new();
        d.saw(class("fetch-add", 3), 2, class("fetch-add", 3), 1);
        c.merge(&d);
        assert_eq!((c.both_orders(), c.either_order()), (1, 1));
    }
}
