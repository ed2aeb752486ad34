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

/// A history: completed operations with their intervals. Operation `a`
/// precedes `b` in real time when `a.ret < b.call`; overlapping operations
/// may be linearized in either order.
#[derive(Clone, Debug, PartialEq)]
pub struct History<Op, Ret> {
    ops: Vec<Operation<Op, Ret>>,
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
        Ok(History { ops })
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

    /// Whether operation `a` responded before `b` was invoked.
    pub fn precedes(&self, a: usize, b: usize) -> bool {
        self.ops[a].ret < self.ops[b].call
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
}
