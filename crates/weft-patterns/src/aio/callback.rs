//! `call_soon` / `call_later`: plain callbacks on the loop, and their
//! [`CallbackHandle`].

use std::fmt;
use std::rc::Rc;

use weft_sync::time::Duration;

use super::core::Core;
use super::sleep::sleep_until;
use super::task::{self, Task};

/// A callback scheduled with `call_soon` or `call_later` (Python's
/// `asyncio.Handle` / `TimerHandle`; [`Handle`](super::Handle) is the
/// loop's handle). Dropping it does not cancel the
/// callback.
///
/// A callback runs as a small task named `call_soon` or `call_later`, so
/// under a checker its turn is explored like any task's. A panicking
/// callback is reported to the loop's exception handler.
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use std::cell::Cell;
/// use std::rc::Rc;
/// use std::time::Duration;
/// use weft_patterns::aio::{self, EventLoop};
///
/// let lp = EventLoop::new();
/// let hits = Rc::new(Cell::new(0));
/// let h = hits.clone();
/// lp.call_soon(move || h.set(h.get() + 1));
/// let h = hits.clone();
/// let later = lp.call_later(Duration::from_secs(3600), move || h.set(h.get() + 100));
/// later.cancel();
/// lp.run(aio::sleep(Duration::from_millis(1)));
/// assert_eq!(hits.get(), 1);
/// # });
/// ```
pub struct CallbackHandle {
    task: Task<()>,
}

impl CallbackHandle {
    /// Cancels the callback if it has not run yet.
    pub fn cancel(&self) {
        self.task.cancel();
    }

    /// Whether the callback was cancelled (once the loop processed it).
    pub fn cancelled(&self) -> bool {
        self.task.cancelled()
    }
}

impl fmt::Debug for CallbackHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallbackHandle")
            .field("task", &self.task)
            .finish()
    }
}

pub(crate) fn call_soon(core: &Rc<Core>, callback: impl FnOnce() + 'static) -> CallbackHandle {
    call_soon_named(core, "call_soon", callback)
}

/// `call_soon` with the task named `name`.
pub(crate) fn call_soon_named(
    core: &Rc<Core>,
    name: &str,
    callback: impl FnOnce() + 'static,
) -> CallbackHandle {
    let name: Rc<str> = Rc::from(name);
    let task = task::spawn(core, Some(name), false, async move { callback() });
    CallbackHandle { task }
}

pub(crate) fn call_later(
    core: &Rc<Core>,
    delay: Duration,
    callback: impl FnOnce() + 'static,
) -> CallbackHandle {
    let deadline = core.now() + delay;
    let name: Rc<str> = Rc::from("call_later");
    let task = task::spawn(core, Some(name), false, async move {
        sleep_until(deadline).await;
        callback()
    });
    CallbackHandle { task }
}
