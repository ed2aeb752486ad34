//! The flip point of a minimal failing schedule, as a report says it.
//!
//! ```
//! use std::time::Duration;
//! use weft_check::FlipPoint;
//! use weft_sync::record::{
//!     Event, ExecutionLog, Loc, ObjectInfo, ObjectKind, Op, ThreadInfo, ThreadState, Value,
//! };
//!
//! let at = Loc { file: "src/lib.rs", line: 3, column: 5 };
//! let step = |step, thread, op| Event { step, thread, op, object: Some(0), location: at, atomic: None };
//! let mut log = ExecutionLog::default();
//! for (id, name) in ["a", "b"].into_iter().enumerate() {
//!     log.threads.push(ThreadInfo {
//!         id,
//!         name: name.to_string(),
//!         state: ThreadState::Finished,
//!         holds: Vec::new(),
//!         waiting: None,
//!         spawned_at: None,
//!         joined: true,
//!     });
//! }
//! log.objects.push(ObjectInfo { id: 0, kind: ObjectKind::Atomic, name: Some("state".into()), created_at: at });
//! log.steps = vec![step(7, 1, Op::Store(Value::Int(1))), step(8, 0, Op::Load(Value::Int(1)))];
//! let flip = FlipPoint { first: 7, second: 8, replays: 2, elapsed: Duration::from_micros(90) };
//! assert_eq!(
//!     flip.sentence(&log),
//!     "had step 7 (`b`: store `state`) run after step 8 (`a`: load `state`), the model passes"
//! );
//! ```

use std::time::Duration;

use weft_sync::record::{Event, ExecutionLog, WaitKind};

use crate::failure::Failure;

/// The single swap of two adjacent conflicting steps of the minimal failing
/// schedule that makes the model pass: step `first` ran before step
/// `second` (two threads, one object, at least one of them changes it, no
/// other access to it between them); a replay that ran `second` first
/// passed. Of every such pair, it is the one nearest the failure.
///
/// Found on shuttle only: loom cannot be made to run a given schedule, so
/// a swap cannot be checked there (see docs/minimal-schedules.md).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlipPoint {
    /// The step (its 1-based number, [`Event::step`]) that ran first in the
    /// failing schedule.
    pub first: usize,
    /// The step that ran after it; run before it, the model passes.
    pub second: usize,
    /// Schedules replayed to find it: the failing one once more (to match
    /// its steps with its decisions), then the swapped ones.
    pub replays: usize,
    /// Time spent finding it.
    pub elapsed: Duration,
}

impl FlipPoint {
    /// The sentence a report prints: "had step 7 (`b`: store `state`) run
    /// after step 8 (`a`: load `state`), the model passes". `log` is the
    /// failing execution whose steps the numbers name.
    pub fn sentence(&self, log: &ExecutionLog) -> String {
        format!(
            "had {} run after {}, the model passes",
            describe(log, self.first),
            describe(log, self.second)
        )
    }
}

/// `step 7 (`b`: store `state`)`; a deadlocked thread's blocked lock
/// (numbered after the last step, see [`crate::flip::blocked_steps`]) as
/// `` `ab`'s blocked lock `lock_b` (at src/lib.rs:9)``.
fn describe(log: &ExecutionLog, number: usize) -> String {
    let object = |e: &Event| {
        e.object
            .map(|o| format!(" `{}`", log.object_name(o)))
            .unwrap_or_default()
    };
    if let Some(e) = log.steps.iter().find(|e| e.step == number) {
        return format!(
            "step {number} (`{}`: {}{})",
            log.thread_name(e.thread),
            op_word(e),
            object(e)
        );
    }
    let blocked = crate::flip::blocked_steps(log);
    match blocked.iter().find(|e| e.step == number) {
        Some(e) => {
            let kind = log
                .threads
                .get(e.thread)
                .and_then(|t| t.waiting.as_ref())
                .map(|w| w.kind);
            let word = match kind {
                Some(WaitKind::ReadLock) => "read-lock",
                Some(WaitKind::WriteLock) => "write-lock",
                _ => "lock",
            };
            format!(
                "`{}`'s blocked {word}{} (at {})",
                log.thread_name(e.thread),
                object(e),
                e.location
            )
        }
        None => format!("step {number}"),
    }
}

/// The operation as one word: the atomic method as the code called it
/// (`fetch_add`), else the operation's name (`store`, `lock`).
fn op_word(e: &Event) -> &'static str {
    e.atomic.map_or_else(|| e.op.name(), |a| a.method)
}

impl Failure {
    /// The flip point of the reported (minimal) schedule, when one was
    /// found (shuttle): the swap of two adjacent conflicting steps that
    /// makes the model pass.
    pub fn flip_point(&self) -> Option<&FlipPoint> {
        self.shrunk.as_ref()?.flip_point.as_ref()
    }

    /// The flip point in words, as the report prints it (see
    /// [`FlipPoint::sentence`]).
    pub fn flip_sentence(&self) -> Option<String> {
        self.flip_point().map(|f| f.sentence(&self.log))
    }

    /// The steps of the first failing schedule the search found, before it
    /// was shrunk (the "as found" view); the reported steps when it was not
    /// shrunk or was already minimal.
    pub fn steps_as_found(&self) -> &[Event] {
        match &self.shrunk {
            Some(s) if !s.as_found.is_empty() => &s.as_found,
            _ => &self.log.steps,
        }
    }
}
