//! Ending the current process in a way a checker can simulate.

use std::panic;

use super::child::real_processes;
use super::error::ExitStatus;

/// The unwinding payload that ends an isolated process under a checker.
#[derive(Debug)]
pub(crate) struct ExitRequest(pub(crate) ExitStatus);

/// Ends the current process with `code`.
///
/// In std mode this is [`std::process::exit`]. Under a checker, where a
/// process is an isolated thread, it ends that thread as if its process had
/// exited: the parent sees [`ExitStatus::Exited`]`(code)`. Use it (rather
/// than `std::process::exit`) in entry points that models run, for instance
/// to make a pool worker die in the middle of a task. Called outside any
/// child under a checker, it fails the model.
pub fn exit(code: i32) -> ! {
    if real_processes() {
        std::process::exit(code)
    }
    panic::resume_unwind(Box::new(ExitRequest(ExitStatus::Exited(code))))
}

/// Aborts the current process (`SIGABRT`).
///
/// In std mode this is [`std::process::abort`]. Under a checker it ends the
/// isolated thread as if its process had been killed by `SIGABRT`, as
/// [`exit`] does for an exit code.
pub fn abort() -> ! {
    if real_processes() {
        std::process::abort()
    }
    panic::resume_unwind(Box::new(ExitRequest(ExitStatus::Signaled(libc::SIGABRT))))
}
