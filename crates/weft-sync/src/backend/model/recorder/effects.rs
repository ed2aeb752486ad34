//! What the recorded steps did, for the DPOR search (`crate::dpor`).

use super::{with, NO_OBJECT};
use crate::dpor::access::{id, Access, Effects, Key, LockSide};
use crate::record::{ObjectKind, Op, Value, WaitKind};

/// Writes to `out` what the steps recorded since `*mark` did, for the
/// DPOR search (see `crate::dpor`); moves `mark` past them. `thread` is
/// the thread that ran them, where the engine says. Written empty when no
/// execution is being recorded (before its first step). With no `out`
/// (the search knows them already, a step it replays: see
/// `Explorer::knows_last`) the steps are only passed over, which is most
/// of the cost of a replayed step saved.
pub(crate) fn effects_since(mark: &mut usize, thread: Option<usize>, out: Option<&mut Effects>) {
    let Some(effects) = out else {
        with(|e| {
            *mark = e.log.steps.len();
            e.touched.clear();
            e.arcs_cloned.clear();
            e.tried.clear();
            e.woke.clear();
            e.clock_read = false;
            e.clock_passed = false;
            e.clock_moved = false;
        });
        return;
    };
    // The search's slot for a new step is empty; emptied here all the
    // same, so that what is written is this step's alone.
    *effects = Effects::default();
    with(|e| {
        let steps = &e.log.steps;
        for ev in steps.iter().skip(*mark) {
            let arc = ev
                .object
                .and_then(|o| e.log.objects.get(o))
                .is_some_and(|o| o.kind == ObjectKind::Arc);
            effects.note_first(&ev.op, ev.object);
            match &ev.op {
                // An `Arc` drop that is not the last one commutes with the
                // others: only which one is last (and drops the value)
                // matters, so the last is a write and the others reads.
                Op::Rmw(Value::Int(count)) if arc && *count <= 1 => {
                    effects.add_access(ev.object, true);
                }
                Op::Rmw(Value::Int(_)) if arc => effects.add_moving_read(ev.object),
                // A read of the count (`strong_count`, `get_mut`,
                // `try_unwrap`, `upgrade`): every clone and drop changes
                // what it sees, so it conflicts with them all (as a write
                // would), but it changes nothing a spinner waits for.
                Op::Load(_) if arc => effects.add_idle_write(ev.object),
                op => effects.add(ev.thread, op, ev.object),
            }
        }
        *mark = steps.len();
        // A queue change: a conflict, but progress only when the step's
        // own operation says so (a notify, a send).
        for o in e.touched.drain(..) {
            effects.add_idle_write(Some(o));
        }
        // A clone: an increment, which commutes with the other clones and
        // with drops that are not the last, as a read does.
        for o in e.arcs_cloned.drain(..) {
            effects.add_moving_read(Some(o));
        }
        for o in e.tried.drain(..) {
            effects.tried(o);
        }
        // A wake hands the woken thread on, as a thread's end hands on
        // its joiner: the steps it runs until it is done waiting come
        // after this one (they are engine steps inside the wait that
        // record nothing: unordered, a race between the notify and what
        // the thread did after its wait was reversed through them, at
        // nodes where it was still waiting, and that run repeated an
        // explored trace).
        // The virtual clock, shared by every thread: a read of it and a
        // deadline passed are ordered, so that both orders are explored
        // (the read before the timeout sees the time before it). A read
        // conflicts as a write but is no change, as an `Arc`'s count read
        // is; deadlines passed commute (the clock becomes the latest of
        // them), as reads do, and are no change either: a `wait_timeout`
        // loop whose waits time out still polls. A clock-reading yield
        // moves the clock by a step of its own: a write, and a change.
        let read = std::mem::take(&mut e.clock_read);
        let passed = std::mem::take(&mut e.clock_passed);
        if std::mem::take(&mut e.clock_moved) {
            effects.accesses.push(Access {
                key: Key::Clock,
                write: true,
                lock: None,
            });
        } else if read {
            effects.add_idle_write_key(Key::Clock);
        } else if passed {
            effects.accesses.push(Access {
                key: Key::Clock,
                write: false,
                lock: None,
            });
        }
        for t in e.woke.drain(..) {
            effects.accesses.push(Access {
                key: Key::Wake(id(t)),
                write: true,
                lock: Some(LockSide::Release),
            });
        }
        if let Some(t) = thread.filter(|&t| {
            e.log
                .threads
                .get(t)
                .and_then(|t| t.waiting.as_ref())
                .is_some_and(|w| w.woken)
        }) {
            let a = Access {
                key: Key::Wake(id(t)),
                write: false,
                lock: Some(LockSide::Await),
            };
            if !effects.accesses.contains(&a) {
                effects.accesses.push(a);
            }
        }
        // What the thread is about to wait for, if the step blocks there
        // (the search tells: see `Effects::waits_for`).
        effects.waits_for = thread
            .and_then(|t| e.log.threads.get(t))
            .and_then(|t| t.waiting.as_ref())
            .filter(|w| !w.woken)
            .and_then(|w| match (w.kind, w.object, w.thread) {
                (WaitKind::Lock | WaitKind::ReadLock | WaitKind::WriteLock, Some(o), _) => {
                    Some(Key::Lock(id(o)))
                }
                (WaitKind::Join, _, Some(child)) => Some(Key::Finished(id(child))),
                _ => None,
            });
    });
}

/// Notes that `object` changed here, where the engine may have switched
/// threads since the step that names the operation was recorded (a
/// condvar's queue changes after the scheduling point inside `wait` and
/// `notify`): the DPOR search must see the change in the step where it
/// takes effect.
pub(crate) fn touch(object: usize) {
    if object != NO_OBJECT {
        with(|e| e.touched.push(object));
    }
}
