//! Partial deadlocks in a [`Failure`]: a wait-for cycle that formed while
//! other threads still ran (shuttle issue #67). The checker fails the
//! execution the moment the cycle forms, so the recorded threads say which
//! threads were stuck and which still ran; a trace read back says the same.
//!
//! ```no_run
//! # fn body() {}
//! let failure = weft_check::Model::new().explore(body).unwrap_err();
//! if failure.is_partial_deadlock() {
//!     println!("still running: {:?}", failure.running_threads());
//! }
//! ```

use std::fmt;

use weft_sync::explore::FailureKind;
use weft_sync::knot;
use weft_sync::record::ThreadState;

use crate::failure::Failure;

impl Failure {
    /// Whether this is a deadlock that formed while other threads still
    /// ran: some threads can never run again (a cycle of lock or join
    /// waits, and the threads waiting on them), and at least one thread
    /// was running. A deadlock found when every thread was blocked is not
    /// partial.
    ///
    /// A cycle of lock or join waits is found the moment it forms; one
    /// through channels, barriers or condvars at the step limit, when
    /// nothing had woken its threads (see [`weft_sync::knot`]).
    pub fn is_partial_deadlock(&self) -> bool {
        self.kind == FailureKind::Deadlock
            && !self.running_threads().is_empty()
            && !knot::stuck_at_end(&self.log).is_empty()
    }

    /// For a partial deadlock, the threads that could never run again, by
    /// name, in spawn order: the cycle and the threads waiting on it.
    /// Empty for any other failure.
    pub fn stuck_threads(&self) -> Vec<String> {
        if !self.is_partial_deadlock() {
            return Vec::new();
        }
        knot::stuck_at_end(&self.log)
            .into_iter()
            .map(|t| self.log.thread_name(t))
            .collect()
    }

    /// The threads that were running (neither blocked nor finished) when
    /// the execution stopped, by name, in spawn order.
    pub fn running_threads(&self) -> Vec<String> {
        self.log
            .threads
            .iter()
            .filter(|t| t.state == ThreadState::Running)
            .map(|t| self.log.thread_name(t.id))
            .collect()
    }

    /// For a partial deadlock, the report's line naming the threads that
    /// still ran; nothing for any other failure.
    pub(crate) fn write_still_running(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.is_partial_deadlock() {
            return Ok(());
        }
        let names: Vec<String> = self
            .running_threads()
            .iter()
            .map(|t| format!("`{t}`"))
            .collect();
        let they = if names.len() == 1 { "it" } else { "they" };
        if knot::stuck_threads(&self.log).is_empty() {
            // Channel, barrier or condvar waits: named at the step limit.
            writeln!(
                f,
                "Still running: {} ({they} ran on to the step limit; weft names a cycle through channels, barriers or condvars there, since a running thread might still have sent the message until then)",
                names.join(", ")
            )
        } else {
            writeln!(
                f,
                "Still running: {} (the cycle formed while {they} ran; weft reports it at once)",
                names.join(", ")
            )
        }
    }
}
