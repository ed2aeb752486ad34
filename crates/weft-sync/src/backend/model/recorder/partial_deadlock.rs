//! Deadlocks found the moment they form, while other threads still run
//! (shuttle issue #67): each time a thread starts to wait for a lock or a
//! join, the recorder asks [`crate::knot`] whether the blocked threads now
//! form a cycle no running thread can break, and fails the execution as a
//! deadlock if they do. The engines' own detection (every thread blocked)
//! still reports the deadlocks this one leaves to it: those through
//! condvars, channels and barriers, whose wakers weft cannot name.

use super::failure::DetectedFailure;
use super::Execution;
use crate::explore::FailureKind;
use crate::knot;
use crate::record::{ThreadInfo, ThreadState, WaitKind};

impl Execution {
    /// The deadlock the current thread's new wait closes, if it closes one.
    pub(super) fn partial_deadlock(&self) -> Option<DetectedFailure> {
        if self.torn_down || self.failure.is_some() {
            return None;
        }
        let me = self.current;
        let w = self.log.threads.get(me)?.waiting.as_ref()?;
        // Before this wait nothing was stuck (or the execution would have
        // failed then), so a new cycle goes through this thread: a wait
        // for threads that all run cannot close one. That is the common
        // case (an uncontended lock has no holder at all), checked here
        // in one pass over the threads without allocating, since every
        // lock call comes through here. (This thread is blocked already.)
        let blocked = |u: &ThreadInfo| u.state == ThreadState::Blocked && u.waiting.is_some();
        let waits_on_blocked = match (w.kind, w.object, w.thread) {
            (WaitKind::Lock | WaitKind::ReadLock | WaitKind::WriteLock, Some(object), _) => self
                .log
                .threads
                .iter()
                .any(|u| blocked(u) && knot::holds_against(u, object, w.kind)),
            (WaitKind::Join, _, Some(joined)) => self.log.threads.get(joined).is_some_and(blocked),
            // Waits whose wakers weft cannot name are never edges.
            _ => false,
        };
        if !waits_on_blocked {
            return None;
        }
        let stuck = knot::stuck_threads(&self.log);
        if !stuck.contains(&me) {
            return None;
        }
        let name = |id: &usize| format!("`{}`", self.log.thread_name(*id));
        // Threads blocked elsewhere (a condvar, a channel) are neither:
        // the report lists them with what they wait for.
        let running: Vec<String> = self
            .log
            .threads
            .iter()
            .filter(|u| u.state == ThreadState::Running)
            .map(|u| name(&u.id))
            .collect();
        if running.is_empty() {
            // Every thread is blocked: left to the engine, which reports
            // it as it always has, at its own scheduling point (failing
            // here, one engine operation earlier, would cut the schedule
            // short of the decision that blocks: a replay guided by it,
            // the flip point's, no longer meets the same schedule).
            return None;
        }
        let stuck_names: Vec<String> = stuck.iter().map(name).collect();
        let message = format!(
            "{} can never run again (a cycle of lock and join waits), while {} still {}: a partial deadlock",
            stuck_names.join(", "),
            running.join(", "),
            if running.len() == 1 { "runs" } else { "run" }
        );
        Some(DetectedFailure {
            kind: FailureKind::Deadlock,
            message,
            thread: Some(me),
            location: Some(w.at),
            race: None,
        })
    }
}
