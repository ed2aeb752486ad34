//! What a task waits on, and the report of a loop where every task waits.
//!
//! The loop declares a deadlock when no task is ready, no timer is set, no
//! wakeup from another thread is queued, and no task's waker is held
//! anywhere but by the loop itself (so no other thread can wake one). It
//! then panics with [`DEADLOCK_MESSAGE_PREFIX`] and one line per task:
//!
//! ```text
//! aio deadlock: every task waits and nothing can wake one (no task is ready,
//! no timer is set, no other thread holds a waker); waiting tasks:
//!   task 'main' waits on task 'consumer'
//!   task 'consumer' waits on Event.wait 'item-ready'
//! ```

use std::fmt;
use std::rc::Rc;

use super::task::TaskStatus;

/// How the panic message of a loop deadlock starts, so that a model
/// runner can tell it from other panics.
pub const DEADLOCK_MESSAGE_PREFIX: &str = "aio deadlock";

/// What a task waits on, as the deadlock report names it.
#[derive(Clone)]
pub(crate) enum WaitsOn {
    /// Another task's completion.
    Task(Rc<dyn TaskStatus>),
    /// A timer.
    Sleep,
    /// A primitive of this module (`Event.wait`, `Queue.get`, ...), named
    /// when the user named it.
    Object {
        /// The primitive and operation, e.g. `Queue.get`.
        what: &'static str,
        /// The primitive's name.
        name: Option<Rc<str>>,
    },
}

impl WaitsOn {
    /// A primitive's wait.
    pub(crate) fn object(what: &'static str, name: Option<&Rc<str>>) -> WaitsOn {
        WaitsOn::Object {
            what,
            name: name.cloned(),
        }
    }
}

impl fmt::Display for WaitsOn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaitsOn::Task(status) => write!(f, "task '{}'", status.name()),
            WaitsOn::Sleep => f.write_str("a timer"),
            WaitsOn::Object {
                what,
                name: Some(name),
            } => write!(f, "{what} '{name}'"),
            WaitsOn::Object { what, name: None } => f.write_str(what),
        }
    }
}

/// The panic message for tasks `(name, what it waits on)`.
pub(crate) fn message(tasks: &[(String, Option<WaitsOn>)]) -> String {
    let mut out = format!(
        "{DEADLOCK_MESSAGE_PREFIX}: every task waits and nothing can wake one \
         (no task is ready, no timer is set, no other thread holds a waker); waiting tasks:"
    );
    for (name, waits_on) in tasks {
        match waits_on {
            Some(w) => out.push_str(&format!("\n  task '{name}' waits on {w}")),
            None => out.push_str(&format!("\n  task '{name}' waits on a future outside aio")),
        }
    }
    out
}
