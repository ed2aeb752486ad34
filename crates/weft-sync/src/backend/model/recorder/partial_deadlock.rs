//! Deadlocks found while other threads still run (shuttle issue #67).
//!
//! - **Locks and joins, the moment they form:** each time a thread starts
//!   to wait for a lock or a join, the recorder asks [`crate::knot`]
//!   whether the blocked threads now form a cycle no running thread can
//!   break, and fails the execution as a deadlock if they do.
//! - **Channels, barriers and condvars, at the step limit:** their wakers
//!   cannot be named while the execution runs (a `Sender` moves to any
//!   thread unseen), so a cycle through them beside a thread that runs on
//!   forever is named when the execution hits its step limit: the waits
//!   nothing woke by then, and the threads waiting on them, are the
//!   partial deadlock, reported as one instead of as the step limit.
//!
//! The engines' own detection (every thread blocked) still reports the
//! deadlocks that stop every thread.

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

    /// At the step limit: the threads no thread woke while others ran on
    /// (a cycle of channel, barrier or condvar waits, and the threads
    /// waiting on them), reported as the partial deadlock that kept the
    /// running threads going, if there is one. The failure is the wait
    /// that began last among them: where the knot closed.
    pub(super) fn knot_at_step_limit(&self) -> Option<DetectedFailure> {
        let needs = knot::needs_at_end(&self.log);
        let stuck = knot::stuck(&needs);
        // The threads that could run: not waiting, woken, or waiting for
        // a lock nobody holds any more.
        let running: Vec<&ThreadInfo> = self
            .log
            .threads
            .iter()
            .filter(|u| {
                u.state != ThreadState::Finished
                    && match &needs[u.id] {
                        None => true,
                        Some(knot::Need::EachOf(holders)) => holders.is_empty(),
                        Some(_) => false,
                    }
            })
            .collect();
        if stuck.is_empty() || running.is_empty() {
            return None;
        }
        // Each thread's last step (a stuck thread's is the start of its wait).
        let mut last_step = vec![0; self.log.threads.len()];
        for e in &self.log.steps {
            if let Some(slot) = last_step.get_mut(e.thread) {
                *slot = e.step;
            }
        }
        // A running thread the schedule starved (it has not run for the
        // last tenth of the execution) might have woken them had it run:
        // the step limit is then the schedule's, not a deadlock's.
        let now = self.log.steps.last().map_or(0, |e| e.step);
        let window = (self.max_steps / 10).max(50);
        if running.iter().any(|u| last_step[u.id] + window < now) {
            return None;
        }
        let closer = *stuck.iter().max_by_key(|&&t| last_step[t])?;
        let w = self.log.threads[closer].waiting.as_ref()?;
        let name = |id: usize| format!("`{}`", self.log.thread_name(id));
        let stuck_names: Vec<String> = stuck.iter().map(|&t| name(t)).collect();
        let running_names: Vec<String> = running.iter().map(|u| name(u.id)).collect();
        let message = format!(
            "{} never ran again after step {}: at the step limit ({} steps) nothing had woken {} (channel, barrier or condvar waits no other thread met, and the threads waiting on those), while {} still ran: a partial deadlock, found at the step limit (if a running thread legitimately takes longer to wake them, raise the limit with WEFT_MAX_STEPS)",
            stuck_names.join(", "),
            last_step[closer],
            self.max_steps,
            if stuck.len() == 1 { "it" } else { "them" },
            running_names.join(", "),
        );
        Some(DetectedFailure {
            kind: FailureKind::Deadlock,
            message,
            thread: Some(closer),
            location: Some(w.at),
            race: None,
        })
    }
}
