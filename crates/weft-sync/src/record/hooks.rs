//! Hooks for schedulers and loggers built on weft: they feed the recorder
//! under a checker and do nothing (or only what std would do) in production.

use super::Loc;

/// Declares that no task of a scheduler built on weft can make progress
/// (an event loop whose tasks all wait, say), and panics with `message`.
/// Under a checker the failure is reported as
/// [`FailureKind::Deadlock`](crate::explore::FailureKind::Deadlock) with
/// this message; in production it is a plain panic.
///
/// # Panics
///
/// Always.
#[track_caller]
pub fn deadlock(message: String) -> ! {
    crate::backend::declare_deadlock(message, Loc::caller())
}

/// Records a user's log line (a `tracing` event, say) as a step of the
/// current execution, in place between the operations around it. A no-op
/// outside a checker run.
pub fn user_event(message: String, location: Loc) {
    crate::backend::user_event(message, location)
}

/// Whether the current execution failed and the checker is tearing it down
/// (unwinding its threads). Destructors of primitives built on weft check
/// this and leave their state alone: a model operation there could panic
/// again and abort the test binary, and would record steps that never
/// happened. Always `false` in production and outside a failed execution;
/// a panic a model catches and recovers from does not tear it down.
pub fn tearing_down() -> bool {
    crate::backend::tearing_down()
}
