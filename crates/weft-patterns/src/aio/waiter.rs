//! Who to wake: a task of a loop, or any `Waker`.
//!
//! When a future of this module is polled by one of the loop's own tasks
//! with that task's own waker (the usual case: `.await` passes the task's
//! context down unchanged), it records the task itself ([`Waiter::Task`]):
//! waking it is a push on the ready queue, no waker is cloned, and the loop
//! knows what the task waits on for its deadlock report. Any other context
//! (a foreign executor, a combinator that wraps wakers) gets its `Waker`
//! cloned ([`Waiter::Waker`]) and woken as the `Future` contract says.

use std::rc::Rc;
use std::task::{Context, Waker};

use super::context;
use super::task_status::{LoopRef, TaskKey, WaitsOn};

/// Who to wake.
pub(crate) enum Waiter {
    /// A task of a loop, woken through the loop.
    Task {
        /// The task's loop.
        core: Rc<dyn LoopRef>,
        /// The task.
        key: TaskKey,
    },
    /// Anything else.
    Waker(Waker),
}

impl Waiter {
    /// The waiter for the task that polls with `cx`, noting what it waits on.
    pub(crate) fn current(cx: &Context<'_>, waits_on: impl FnOnce() -> WaitsOn) -> Waiter {
        let found = context::with_current(|core| {
            core.current_task_for(cx.waker())
                .map(|key| (Rc::clone(core), key))
        })
        .flatten();
        match found {
            Some((core, key)) => {
                core.set_waits_on(key, waits_on());
                Waiter::Task { core, key }
            }
            None => Waiter::Waker(cx.waker().clone()),
        }
    }

    /// Makes sure the waiter still wakes whoever polls with `cx` now (a
    /// future may move between tasks), and notes again what it waits on.
    pub(crate) fn refresh(&mut self, cx: &Context<'_>, waits_on: impl FnOnce() -> WaitsOn) {
        match self {
            Waiter::Task { core, key } if core.current_task_for(cx.waker()) == Some(*key) => {
                core.set_waits_on(*key, waits_on());
            }
            Waiter::Waker(w) if w.will_wake(cx.waker()) => {}
            _ => *self = Waiter::current(cx, waits_on),
        }
    }

    /// Wakes it.
    pub(crate) fn wake(self) {
        match self {
            Waiter::Task { core, key } => core.schedule(key),
            Waiter::Waker(w) => w.wake(),
        }
    }
}

/// Refreshes an optional waiter slot, or fills it.
pub(crate) fn refresh_slot(
    slot: &mut Option<Waiter>,
    cx: &Context<'_>,
    waits_on: impl FnOnce() -> WaitsOn,
) {
    match slot {
        Some(w) => w.refresh(cx, waits_on),
        None => *slot = Some(Waiter::current(cx, waits_on)),
    }
}
