//! The `Arc` allocations of an execution: their release sequences, and
//! the ones still live at its end (leaks).

use std::sync::atomic::Ordering;

use super::super::engine;
use super::failure::step_failed;
use super::{with, NO_OBJECT};
use crate::record::{AtomicAccess, Loc, Op, Value};

/// A new `Arc` allocation of this execution, created at `at`.
pub(crate) fn arc_created(object: usize, at: Loc) {
    if object == NO_OBJECT {
        return;
    }
    with(|e| e.live_arcs.push((object, at)));
}

/// `thread` dropped a reference to the `Arc` allocation `object` of
/// execution `generation` (nothing, if that execution is over or failed):
/// a Release decrement (`count` before it), and when it was the `last`
/// one, the Acquire before the value is dropped. `at` defaults to the
/// allocation's creation site (drop glue has no caller location).
pub(crate) fn arc_released(
    thread: usize,
    object: usize,
    generation: u64,
    at: Option<Loc>,
    count: usize,
    last: bool,
) {
    let problem = with(|e| {
        if e.generation != generation || e.torn_down {
            return None;
        }
        e.current = thread;
        let at = at.or_else(|| e.log.objects.get(object).map(|o| o.created_at))?;
        if engine::WEFT_DETECTS_RACES {
            // std's `fetch_sub(1, Release)`: an atomic read-modify-write,
            // which continues the count's release sequence. Nothing reads
            // the count unsynchronized, so it never reports a race.
            let _ = e.atomic_clocks(object, at, Some(Ordering::Relaxed), Some(Ordering::Release));
            if last {
                // Acquire: every earlier owner's decrement is now ordered
                // before the value's drop.
                e.acquire_clock(object);
            }
        }
        if last {
            if let Some(i) = e.live_arcs.iter().rposition(|(o, _)| *o == object) {
                e.live_arcs.swap_remove(i);
            }
        }
        let before = Value::Int(count as i128);
        let detail = AtomicAccess {
            method: "fetch_sub",
            order: Ordering::Release,
            failure_order: None,
            read: Some(before),
            written: Some(Value::Int(count as i128 - 1)),
            expected: None,
        };
        e.push_step(Op::Rmw(before), object, at, Some(detail))
    })
    .flatten();
    if let Some(message) = problem {
        step_failed(message);
    }
}

/// This thread read the strong count of the `Arc` allocation `object` at
/// `at`, and saw `count`: a step of its own (after a scheduling point).
pub(crate) fn arc_observed(object: usize, at: Loc, count: usize) {
    if object == NO_OBJECT {
        return;
    }
    super::log::event(Op::Load(Value::Int(count as i128)), object, at);
}

/// This thread cloned a reference to the `Arc` allocation `object`: no
/// step of its own (a clone is frequent and orders nothing), but the DPOR
/// search sees the increment in the step that made it.
pub(crate) fn arc_cloned(object: usize) {
    if object != NO_OBJECT {
        with(|e| e.arcs_cloned.push(object));
    }
}

/// The first `Arc` allocation still live, with where it was created.
pub(crate) fn leaked_arc() -> Option<(usize, Loc)> {
    with(|e| e.live_arcs.iter().min_by_key(|(o, _)| *o).copied()).flatten()
}
