//! A recorded history: each operation with its thread, its result, and
//! when it was invoked and when it responded.

use std::fmt;

/// Where an operation of a scenario ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Part {
    /// The initial sequential part, before any thread is spawned.
    Init,
    /// The parallel part, on the scenario's thread of this index.
    Thread(usize),
    /// The final sequential part, after every thread was joined.
    Post,
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Part::Init => f.write_str("init"),
            Part::Thread(i) => write!(f, "{}", thread_name(*i)),
            Part::Post => f.write_str("post"),
        }
    }
}

/// The name the thread of index `i` of a scenario runs under (in reports
/// and in the interleaving's steps).
pub fn thread_name(i: usize) -> String {
    format!("thread-{i}")
}

/// One completed operation: what ran, where, what it returned, and its
/// interval in the execution's logical time (`call < ret`).
#[derive(Clone, Debug, PartialEq)]
pub struct Operation<Op, Ret> {
    /// Where it ran.
    pub part: Part,
    /// The operation.
    pub op: Op,
    /// Its result.
    pub result: Ret,
    /// The logical time of its invocation.
    pub call: u64,
    /// The logical time of its response, after `call`.
    pub ret: u64,
}

/// Which order of a history's operations a linearization must respect.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Order {
    /// Real time: `a` precedes `b` when `a.ret < b.call`; overlapping
    /// operations may be linearized in either order. Right when the
    /// recorded times are a memory order (sequential consistency: shuttle;
    /// or, on real threads, a `SeqCst` clock whose reads synchronize).
    #[default]
    RealTime,
    /// Only the order the scenario itself creates: program order within
    /// each part, the initial part before the parallel one, and that
    /// before the final part; operations of different threads are
    /// concurrent. Right under a weak memory model (loom), where an
    /// operation that finished earlier in the schedule may not have
    /// happened before a later one of another thread.
    Program,
}

/// A history: completed operations with their intervals, and the [`Order`]
/// that a linearization must respect.
#[derive(Clone, Debug, PartialEq)]
pub struct History<Op, Ret> {
    ops: Vec<Operation<Op, Ret>>,
    order: Order,
}

/// A history that cannot be checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryError {
    index: usize,
    call: u64,
    ret: u64,
}

impl fmt::Display for HistoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "operation {} responds at {} before it is invoked at {}",
            self.index, self.ret, self.call
        )
    }
}

impl std::error::Error for HistoryError {}

impl<Op, Ret> History<Op, Ret> {
    /// A history of these operations.
    ///
    /// # Errors
    ///
    /// [`HistoryError`] when an operation does not respond strictly after
    /// its invocation.
    pub fn new(ops: Vec<Operation<Op, Ret>>) -> Result<Self, HistoryError> {
        if let Some((index, o)) = ops.iter().enumerate().find(|(_, o)| o.call >= o.ret) {
            return Err(HistoryError {
                index,
                call: o.call,
                ret: o.ret,
            });
        }
        Ok(History {
            ops,
            order: Order::RealTime,
        })
    }

    /// The same history, to be linearized respecting `order`.
    pub fn with_order(mut self, order: Order) -> Self {
        self.order = order;
        self
    }

    /// The order a linearization must respect.
    pub fn order(&self) -> Order {
        self.order
    }

    /// The operations, in the order given.
    pub fn ops(&self) -> &[Operation<Op, Ret>] {
        &self.ops
    }

    /// How many operations.
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// Whether operation `a` must come before `b` in a linearization.
    pub fn precedes(&self, a: usize, b: usize) -> bool {
        let (a, b) = (&self.ops[a], &self.ops[b]);
        match self.order {
            Order::RealTime => a.ret < b.call,
            Order::Program => match stage(a.part).cmp(&stage(b.part)) {
                std::cmp::Ordering::Less => true,
                std::cmp::Ordering::Greater => false,
                std::cmp::Ordering::Equal => a.part == b.part && a.ret < b.call,
            },
        }
    }
}

/// The scenario's parts in order: initial, parallel, final.
pub(crate) fn stage(part: Part) -> u8 {
    match part {
        Part::Init => 0,
        Part::Thread(_) => 1,
        Part::Post => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(call: u64, ret: u64) -> Operation<(), ()> {
        Operation {
            part: Part::Thread(0),
            op: (),
            result: (),
            call,
            ret,
        }
    }

    #[test]
    fn an_operation_that_responds_before_its_call_is_refused() {
        let err = History::new(vec![op(0, 1), op(3, 3)]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "operation 1 responds at 3 before it is invoked at 3"
        );
    }

    #[test]
    fn precedence_is_strict_real_time_order() {
        let h = History::new(vec![op(0, 2), op(1, 4), op(3, 5)]).unwrap();
        assert!(h.precedes(0, 2));
        assert!(!h.precedes(0, 1));
        assert!(!h.precedes(1, 2));
        assert!(!h.precedes(2, 0));
    }

    #[test]
    fn program_order_keeps_only_the_scenarios_own_order() {
        let at = |part, call, ret| Operation {
            part,
            op: (),
            result: (),
            call,
            ret,
        };
        let h = History::new(vec![
            at(Part::Init, 0, 1),
            at(Part::Thread(0), 2, 3),
            at(Part::Thread(1), 4, 5),
            at(Part::Thread(0), 6, 7),
            at(Part::Post, 8, 9),
        ])
        .unwrap()
        .with_order(Order::Program);
        assert!(h.precedes(0, 2));
        assert!(h.precedes(1, 3));
        assert!(!h.precedes(1, 2), "threads are concurrent");
        assert!(!h.precedes(2, 3), "threads are concurrent");
        assert!(h.precedes(3, 4));
        assert!(!h.precedes(4, 0));
    }
}
