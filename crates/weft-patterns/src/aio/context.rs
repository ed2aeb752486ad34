//! Which loop runs on this thread: the "current loop" that [`sleep`],
//! [`create_task`] and wakers find without being handed a loop.
//!
//! A thread-local stack of running loops, each entry keyed by the model
//! thread that runs it. In std mode a model thread is an OS thread, so the
//! key is always `None` and the lookup is one thread-local read. Under a
//! checker every model thread of an execution runs on one OS thread and
//! shares its thread-locals, so each entry is keyed by
//! `weft_sync::thread::current().id()`: a loop on one model thread is never
//! "current" for another (a `run_in_executor` worker that wakes a task must
//! go through the loop's cross-thread queue, where the checker sees it).
//!
//! Loops are kept as [`LoopRef`]s, so that this module, the wakers and the
//! waiters do not import the core (which imports them); `Core::current`
//! turns the running one back into the core.
//!
//! [`sleep`]: super::sleep
//! [`create_task`]: super::create_task

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use weft_sync::capability;
use weft_sync::thread::ThreadId;

use super::task_status::LoopRef;

struct Entry {
    thread: Option<ThreadId>,
    core: Rc<dyn LoopRef>,
}

/// A loop created on this (model) thread, running or not.
struct Created {
    thread: Option<ThreadId>,
    core: Weak<dyn LoopRef>,
}

thread_local! {
    static RUNNING: RefCell<Vec<Entry>> = const { RefCell::new(Vec::new()) };
    static CREATED: RefCell<Vec<Created>> = const { RefCell::new(Vec::new()) };
}

/// Notes a new loop as created on this (model) thread, for a
/// [`Handle`](super::Handle) to find it by its [`Remote`].
pub(crate) fn register(core: &Rc<dyn LoopRef>) {
    let thread = thread_key();
    let _ = CREATED.try_with(|created| {
        let mut created = created.borrow_mut();
        created.retain(|c| c.core.strong_count() > 0);
        created.push(Created {
            thread,
            core: Rc::downgrade(core),
        });
    });
}

/// The loop created on this (model) thread whose cross-thread queue is
/// `remote_id` ([`LoopRef::remote_id`]), if it still exists.
pub(crate) fn find(remote_id: *const ()) -> Option<Rc<dyn LoopRef>> {
    let thread = thread_key();
    CREATED
        .try_with(|created| {
            created
                .borrow()
                .iter()
                .filter(|c| c.thread == thread)
                .filter_map(|c| c.core.upgrade())
                .find(|core| std::ptr::eq(core.remote_id(), remote_id))
        })
        .ok()
        .flatten()
}

/// The key of the calling model thread (`None` on real threads, whose
/// thread-locals are their own already).
fn thread_key() -> Option<ThreadId> {
    if capability::real_threads() {
        None
    } else {
        Some(weft_sync::thread::current().id())
    }
}

/// Marks `core` as the running loop of this thread until the guard drops.
pub(crate) fn enter(core: &Rc<dyn LoopRef>) -> Entered {
    let thread = thread_key();
    let abandoned = RUNNING.with(|running| {
        let mut running = running.borrow_mut();
        // Entries left behind by an execution that a checker abandoned hold
        // the only reference to their loop: take them out, and drop them
        // after the borrow ends (their tasks' destructors may look here).
        let (kept, abandoned): (Vec<Entry>, Vec<Entry>) = std::mem::take(&mut *running)
            .into_iter()
            .partition(|e| Rc::strong_count(&e.core) > 1);
        *running = kept;
        running.push(Entry {
            thread,
            core: Rc::clone(core),
        });
        abandoned
    });
    drop(abandoned);
    Entered {
        thread,
        core: Rc::clone(core),
    }
}

/// Un-marks the loop when `run` returns or unwinds.
pub(crate) struct Entered {
    thread: Option<ThreadId>,
    core: Rc<dyn LoopRef>,
}

impl Drop for Entered {
    fn drop(&mut self) {
        let _ = RUNNING.try_with(|running| {
            let mut running = running.borrow_mut();
            if let Some(i) = running
                .iter()
                .rposition(|e| e.thread == self.thread && Rc::ptr_eq(&e.core, &self.core))
            {
                running.remove(i);
            }
        });
    }
}

/// Calls `f` with the loop running on this (model) thread, if any.
pub(crate) fn with_current<R>(f: impl FnOnce(&Rc<dyn LoopRef>) -> R) -> Option<R> {
    let thread = thread_key();
    RUNNING
        .try_with(|running| {
            let running = running.borrow();
            running
                .iter()
                .rev()
                .find(|e| e.thread == thread)
                .map(|e| f(&e.core))
        })
        .ok()
        .flatten()
}

/// The loop running on this (model) thread, if any.
pub(crate) fn current() -> Option<Rc<dyn LoopRef>> {
    with_current(Rc::clone)
}

/// The message of the panic when a loop is needed and none runs.
pub(crate) const NO_RUNNING_LOOP: &str =
    "no running event loop: call this inside a task of `EventLoop::run` or `aio::run`";
