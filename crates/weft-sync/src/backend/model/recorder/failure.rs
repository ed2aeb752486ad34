//! Failures weft detects itself (a step limit, a diverged replay, a data
//! race, a deadlock), as opposed to panics of the user's code.

use super::{active, with};
use crate::explore::{FailureKind, Race};
use crate::record::Loc;

/// A deadlock's message when no thread can run: the engines' detection
/// and weft's own (`partial_deadlock`) word it alike.
pub(crate) const ALL_BLOCKED: &str =
    "no thread can make progress: every thread that has not finished is blocked";

/// A failure weft detected itself (not a panic of the user's code).
#[derive(Clone, Debug)]
pub(crate) struct DetectedFailure {
    pub(crate) kind: FailureKind,
    pub(crate) message: String,
    pub(crate) thread: Option<usize>,
    pub(crate) location: Option<Loc>,
    pub(crate) race: Option<Race>,
}

/// Ends the execution because of a step (the step limit, or a replay
/// whose steps no longer match). A step recorded while the thread unwinds
/// (a guard or an `Arc` dropped after a panic) cannot panic again, which
/// would abort the test binary: the failure is already set, and the
/// unwinding goes on.
pub(super) fn step_failed(message: String) {
    if !std::thread::panicking() {
        panic!("weft: {message}");
    }
}

/// Fails the execution with a failure weft detected.
pub(crate) fn fail(failure: DetectedFailure) -> ! {
    let message = failure.message.clone();
    if !active() {
        // Outside an execution there is nothing to record: a plain panic.
        panic!("{message}");
    }
    with(|e| {
        if e.failure.is_none() {
            e.failure = Some(failure);
        }
        e.torn_down = true;
    });
    panic!("weft: {message}");
}
