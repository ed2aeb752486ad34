//! Replay matching: each step of a replayed execution must be the one the
//! trace recorded.

use super::failure::DetectedFailure;
use super::Execution;
use crate::explore::FailureKind;
use crate::record::{Loc, Op};

impl Execution {
    /// When replaying a trace, checks step `step` (by `thread`, doing `op`
    /// on `object`) against it: `Some(message)` when they differ, and the
    /// execution fails.
    pub(super) fn replay_diverged(
        &mut self,
        step: usize,
        thread: usize,
        op: &Op,
        object: Option<usize>,
        location: Loc,
    ) -> Option<String> {
        let expected = self.expected.as_ref()?;
        let matches = expected
            .get(step - 1)
            .is_some_and(|(t, name, o)| *t == thread && name == op.name() && *o == object);
        if !matches && self.failure.is_none() {
            let found = format!(
                "`{}` does {} on {} at {location}",
                self.log.thread_name(thread),
                op.name(),
                object
                    .map(|o| format!("`{}`", self.log.object_name(o)))
                    .unwrap_or_else(|| "nothing".into())
            );
            let wanted = match expected.get(step - 1) {
                Some((t, name, o)) => format!(
                    "the trace has thread {t} doing {name}{}",
                    o.map(|o| format!(" on object {o}")).unwrap_or_default()
                ),
                None => "the trace ended there".to_string(),
            };
            let message = format!(
                    "the schedule diverged at step {step}: {found}, but {wanted}; the program changed since the trace was recorded: run the model again to record a new trace"
                );
            self.failure = Some(DetectedFailure {
                kind: FailureKind::ReplayDiverged,
                message: message.clone(),
                thread: Some(thread),
                location: Some(location),
                race: None,
            });
            self.torn_down = true;
            return Some(message);
        }
        None
    }
}
