//! [`LoopReport`]: what the loop tells its exception handler.
//!
//! Like asyncio, the loop reports two kinds of neglect instead of failing:
//! a task destroyed while still pending (its loop was dropped before it
//! finished: "Task was destroyed but it is pending!"), and a task that
//! panicked where nobody looked (its [`Task`](super::Task) handle was
//! dropped without taking the error: "Task exception was never
//! retrieved").
//!
//! The default handler emits a `tracing::warn!` event (target
//! `weft::aio`) in every build, and in debug builds
//! (`debug_assertions`) also prints the report to stderr, since a program
//! without a `tracing` subscriber would otherwise never see it.
//! [`EventLoop::set_exception_handler`](super::EventLoop::set_exception_handler)
//! replaces it.

use std::fmt;
use std::rc::Rc;

/// A handler of [`LoopReport`]s, for
/// [`EventLoop::set_exception_handler`](super::EventLoop::set_exception_handler).
pub type ExceptionHandler = Box<dyn Fn(&LoopReport)>;

/// The handler as the loop keeps it.
pub(crate) type SharedHandler = Rc<dyn Fn(&LoopReport)>;

/// Something the loop reports to its exception handler.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LoopReport {
    /// The loop was dropped while this task was still pending (not
    /// finished, not cancelled).
    PendingTaskDestroyed {
        /// The task's name.
        task: String,
    },
    /// The task panicked and its handle was dropped without taking the
    /// error.
    ExceptionNeverRetrieved {
        /// The task's name.
        task: String,
        /// The panic message.
        message: String,
    },
}

impl fmt::Display for LoopReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoopReport::PendingTaskDestroyed { task } => {
                write!(f, "task '{task}' was destroyed but it is pending")
            }
            LoopReport::ExceptionNeverRetrieved { task, message } => {
                write!(
                    f,
                    "task '{task}' panicked and its error was never retrieved: {message}"
                )
            }
        }
    }
}

/// The handler used when none was set.
pub(crate) fn default_handler(report: &LoopReport) {
    tracing::warn!(target: "weft::aio", %report, "aio: {report}");
    if cfg!(debug_assertions) {
        eprintln!("weft::aio: {report}");
    }
}
