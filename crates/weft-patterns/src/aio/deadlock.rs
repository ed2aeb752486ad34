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

use super::task_status::WaitsOn;

/// How the panic message of a loop deadlock starts, so that a model
/// runner can tell it from other panics.
pub const DEADLOCK_MESSAGE_PREFIX: &str = "aio deadlock";

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
