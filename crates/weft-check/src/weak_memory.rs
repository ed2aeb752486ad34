//! Stale reads: a load that returned an older value of an atomic than the
//! newest one stored before it, found in a failing execution's steps.
//!
//! loom runs relaxed memory: a load may return any store that coherence
//! and happens-before allow, not only the latest. weft records the steps
//! in the order loom ran them, and loom applies the stores (and
//! read-modify-writes) of one atomic in modification order as they run,
//! so for each load the latest store to its atomic before it is the
//! newest in modification order at that time. A load whose value differs
//! from that store's read an older one: the store it read from is the
//! most recent earlier store of that value, or the atomic's initial value
//! when no recorded store wrote it. When several stores wrote the value,
//! which one the load read is ambiguous ([`StaleRead::ambiguous`]); the
//! most recent is named.
//!
//! shuttle runs every atomic sequentially consistent: a load always reads
//! the latest store, and no stale read is ever found there.
//!
//! ```
//! use std::sync::atomic::Ordering;
//! use weft_check::weak_memory::stale_read;
//! use weft_sync::record::{AtomicAccess, Event, ExecutionLog, Loc, ObjectInfo, ObjectKind, Op, Value};
//!
//! let at = |line| Loc { file: "src/queue.rs", line, column: 5 };
//! let step = |step, thread, op: Op, method, read, written, line| Event {
//!     step, thread, op, object: Some(0), location: at(line),
//!     atomic: Some(AtomicAccess { method, order: Ordering::Relaxed, failure_order: None, read, written, expected: None }),
//! };
//! let log = ExecutionLog {
//!     threads: Vec::new(),
//!     objects: vec![ObjectInfo { id: 0, kind: ObjectKind::Atomic, name: Some("data".into()), created_at: at(3) }],
//!     steps: vec![
//!         step(1, 1, Op::Store(Value::Int(1)), "store", None, Some(Value::Int(1)), 88),
//!         step(2, 0, Op::Load(Value::Int(0)), "load", Some(Value::Int(0)), None, 120),
//!     ],
//! };
//! let stale = stale_read(&log, Some(0)).expect("the load at line 120 read 0 after 1 was stored");
//! assert_eq!((stale.load, stale.newer, stale.read_from), (2, 1, None));
//! ```

use weft_sync::record::{Event, ExecutionLog, ObjectKind, Value};

/// A load that did not see the newest store to its atomic. Steps are
/// 1-based step numbers of the execution ([`Event::step`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaleRead {
    /// The atomic (an object id of the execution).
    pub object: usize,
    /// The stale load's step.
    pub load: usize,
    /// The step of the store the load read from; `None` when it read the
    /// atomic's initial value.
    pub read_from: Option<usize>,
    /// The step of the newest store to the atomic before the load (in
    /// modification order), which the load did not see.
    pub newer: usize,
    /// Whether more than one earlier write (or the initial value) could
    /// have produced the value read; `read_from` is then the most recent.
    pub ambiguous: bool,
}

/// The stale read that best explains a failure of `failing_thread` (the
/// thread that panicked, if one did): the last stale read by that thread,
/// else the last stale read of the execution. `None` when every load read
/// the newest store, as always on a sequentially consistent checker.
pub fn stale_read(log: &ExecutionLog, failing_thread: Option<usize>) -> Option<StaleRead> {
    let all = stale_reads(log);
    let by_thread = |s: &&StaleRead| {
        failing_thread.is_some_and(|t| log.steps.iter().any(|e| e.step == s.load && e.thread == t))
    };
    all.iter()
        .rev()
        .find(by_thread)
        .or_else(|| all.last())
        .cloned()
}

/// Every stale read of the execution, in step order.
pub fn stale_reads(log: &ExecutionLog) -> Vec<StaleRead> {
    let is_atomic = |e: &Event| {
        e.object
            .and_then(|o| log.objects.get(o))
            .is_some_and(|o| o.kind == ObjectKind::Atomic)
    };
    let mut found = Vec::new();
    for (i, e) in log.steps.iter().enumerate() {
        let (Some(object), Some(a)) = (e.object, &e.atomic) else {
            continue;
        };
        // Read-modify-writes always read the newest value: only loads can
        // be stale.
        let (true, Some(value)) = (a.method == "load" && is_atomic(e), a.read) else {
            continue;
        };
        let writes: Vec<(usize, Value)> = log.steps[..i]
            .iter()
            .filter(|w| w.object == Some(object))
            .filter_map(|w| Some((w.step, w.atomic.as_ref()?.written?)))
            .collect();
        let Some(&(newer, newest)) = writes.last() else {
            continue;
        };
        if newest == value {
            continue;
        }
        let mut same = writes.iter().rev().filter(|(_, v)| *v == value);
        let read_from = same.next().map(|(s, _)| *s);
        let ambiguous = read_from.is_some() && same.next().is_some();
        found.push(StaleRead {
            object,
            load: e.step,
            read_from,
            newer,
            ambiguous,
        });
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::Ordering;
    use weft_sync::record::{AtomicAccess, Loc, ObjectInfo, Op};

    fn at(line: u32) -> Loc {
        Loc {
            file: "src/lib.rs",
            line,
            column: 1,
        }
    }

    fn atomic(
        step: usize,
        thread: usize,
        object: usize,
        method: &'static str,
        read: Option<i128>,
        written: Option<i128>,
    ) -> Event {
        let op = match (read, written) {
            (Some(r), None) => Op::Load(Value::Int(r)),
            (None, Some(w)) => Op::Store(Value::Int(w)),
            (Some(r), Some(_)) => Op::Rmw(Value::Int(r)),
            (None, None) => Op::Fence,
        };
        Event {
            step,
            thread,
            op,
            object: Some(object),
            location: at(step as u32),
            atomic: Some(AtomicAccess {
                method,
                order: Ordering::Relaxed,
                failure_order: None,
                read: read.map(Value::Int),
                written: written.map(Value::Int),
                expected: None,
            }),
        }
    }

    fn log(steps: Vec<Event>) -> ExecutionLog {
        let object = |id, kind| ObjectInfo {
            id,
            kind,
            name: None,
            created_at: at(1),
        };
        ExecutionLog {
            threads: Vec::new(),
            objects: vec![
                object(0, ObjectKind::Atomic),
                object(1, ObjectKind::Atomic),
                object(2, ObjectKind::Arc),
            ],
            steps,
        }
    }

    #[test]
    fn a_load_of_the_newest_store_is_not_stale() {
        let l = log(vec![
            atomic(1, 1, 0, "store", None, Some(1)),
            atomic(2, 0, 0, "load", Some(1), None),
            atomic(3, 0, 1, "load", Some(0), None),
        ]);
        assert_eq!(stale_reads(&l), []);
        assert_eq!(stale_read(&l, Some(0)), None);
    }

    #[test]
    fn a_load_of_an_older_store_names_it_and_the_newer_one() {
        let l = log(vec![
            atomic(1, 1, 0, "store", None, Some(1)),
            atomic(2, 1, 0, "fetch_add", Some(1), Some(2)),
            atomic(3, 0, 0, "load", Some(1), None),
        ]);
        let s = stale_read(&l, Some(0)).expect("stale");
        assert_eq!(
            s,
            StaleRead {
                object: 0,
                load: 3,
                read_from: Some(1),
                newer: 2,
                ambiguous: false
            }
        );
    }

    #[test]
    fn a_value_stored_twice_is_ambiguous_and_names_the_latest() {
        let l = log(vec![
            atomic(1, 1, 0, "store", None, Some(1)),
            atomic(2, 1, 0, "store", None, Some(1)),
            atomic(3, 1, 0, "store", None, Some(2)),
            atomic(4, 0, 0, "load", Some(1), None),
        ]);
        let s = stale_read(&l, None).expect("stale");
        assert_eq!((s.read_from, s.newer, s.ambiguous), (Some(2), 3, true));
    }

    #[test]
    fn the_failing_threads_last_stale_read_is_chosen() {
        let l = log(vec![
            atomic(1, 1, 0, "store", None, Some(1)),
            atomic(2, 0, 0, "load", Some(0), None),
            atomic(3, 1, 1, "store", None, Some(5)),
            atomic(4, 2, 1, "load", Some(0), None),
        ]);
        assert_eq!(stale_reads(&l).len(), 2);
        assert_eq!(stale_read(&l, Some(0)).map(|s| s.load), Some(2));
        assert_eq!(stale_read(&l, Some(2)).map(|s| s.load), Some(4));
        // No failing thread, or one without a stale read: the last one.
        assert_eq!(stale_read(&l, None).map(|s| s.load), Some(4));
        assert_eq!(stale_read(&l, Some(1)).map(|s| s.load), Some(4));
    }

    #[test]
    fn read_modify_writes_and_non_atomic_objects_are_never_stale() {
        let l = log(vec![
            atomic(1, 1, 0, "store", None, Some(1)),
            atomic(2, 0, 0, "swap", Some(0), Some(3)),
            atomic(3, 1, 2, "store", None, Some(2)),
            atomic(4, 0, 2, "load", Some(1), None),
        ]);
        assert_eq!(stale_reads(&l), []);
    }
}
