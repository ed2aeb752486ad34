//! The flip point and the "minimal / as found" views of a trace, for
//! `show` and `html`: the flip point in words with the steps it names, and
//! the first failing schedule's steps laid out like the minimal one's.
//!
//! ```text
//! flip point: had step 4 (`worker-1`: load `hits`) run after step 8 (`worker-0`: store `hits`), the model passes
//! ~    4                    load `hits` = 0      ...
//! ```

use std::collections::BTreeSet;

use serde::Serialize;
use weft_check::trace::Trace;
use weft_check::Failure;

use crate::timeline::{StepView, Timeline};

/// The flip point of the minimal schedule.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct FlipView {
    /// In words: "had step 4 (`b`: store `state`) run after step 6 ...".
    pub(crate) sentence: String,
    /// The step that ran first.
    pub(crate) first: usize,
    /// The step it should have run after, when it is a recorded step.
    pub(crate) second: Option<usize>,
    /// When it is a deadlocked thread's blocked lock instead: the thread.
    pub(crate) blocked_thread: Option<usize>,
}

impl FlipView {
    /// The recorded steps the flip point names.
    pub(crate) fn steps(&self) -> BTreeSet<usize> {
        std::iter::once(self.first).chain(self.second).collect()
    }
}

/// The flip point of `failure`, if it has one.
pub(crate) fn flip_view(failure: &Failure) -> Option<FlipView> {
    let flip = failure.flip_point()?;
    let recorded = |n: usize| failure.steps().iter().any(|e| e.step == n);
    let blocked_thread = if recorded(flip.second) {
        None
    } else {
        // Numbered after the last step, in the order of the blocked
        // threads (weft-check's `flip::blocked_steps`).
        let last = failure.steps().last().map_or(0, |e| e.step);
        failure
            .threads()
            .iter()
            .filter(|t| {
                t.state == weft_sync::record::ThreadState::Blocked
                    && t.waiting.as_ref().is_some_and(|w| {
                        w.object.is_some()
                            && matches!(
                                w.kind,
                                weft_sync::record::WaitKind::Lock
                                    | weft_sync::record::WaitKind::ReadLock
                                    | weft_sync::record::WaitKind::WriteLock
                            )
                    })
            })
            .nth(flip.second.saturating_sub(last + 1))
            .map(|t| t.id)
    };
    Some(FlipView {
        sentence: failure.flip_sentence()?,
        first: flip.first,
        second: recorded(flip.second).then_some(flip.second),
        blocked_thread,
    })
}

/// The first failing schedule, laid out as the minimal one is.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct AsFoundView {
    /// Its size, in words: "4 preemptions, 13 steps".
    pub(crate) summary: String,
    /// Its steps.
    pub(crate) steps: Vec<StepView>,
    /// Its failing step(s), found as for the minimal schedule.
    pub(crate) failing_steps: BTreeSet<usize>,
    /// The steps that explain the failure.
    pub(crate) related_steps: BTreeSet<usize>,
    /// A data race's two accesses among its steps.
    pub(crate) race_steps: Option<(Option<usize>, Option<usize>)>,
}

/// The as-found view of `trace`, when it keeps the first failing
/// schedule's steps (they differ from the minimal one's).
///
/// The threads' final states are the minimal execution's: both end in the
/// same failure (same kind, same place, the same waits), which is what
/// shrinking keeps.
pub(crate) fn as_found_view(trace: &Trace) -> Option<AsFoundView> {
    let minimized = trace.minimized.as_ref()?;
    if minimized.as_found_steps.is_empty() {
        return None;
    }
    let mut first = trace.clone();
    first.steps = minimized.as_found_steps.clone();
    if let Some(m) = &mut first.minimized {
        m.as_found_steps.clear();
        m.flip_point = None;
    }
    let t = Timeline::new(&first);
    let preemptions = minimized
        .first_preemptions
        .map(|p| format!("{}, ", counted(p, "preemption")))
        .unwrap_or_default();
    Some(AsFoundView {
        summary: format!("{preemptions}{}", counted(t.steps.len(), "step")),
        steps: t.steps,
        failing_steps: t.failing_steps,
        related_steps: t.related_steps,
        race_steps: t.race.map(|r| (r.first.step, r.second.step)),
    })
}

fn counted(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

impl Timeline {
    /// The same timeline showing the first failing schedule instead of the
    /// minimal one (`cargo weft show --as-found`); as it is when the trace
    /// keeps no other schedule.
    pub(crate) fn into_as_found(mut self) -> Timeline {
        let Some(found) = self.as_found.take() else {
            return self;
        };
        self.steps = found.steps;
        self.failing_steps = found.failing_steps;
        self.related_steps = found.related_steps;
        if let (Some(race), Some((first, second))) = (&mut self.race, found.race_steps) {
            race.first.step = first;
            race.second.step = second;
        }
        self.view = View::AsFound {
            summary: found.summary,
        };
        // The flip point's step numbers are the minimal schedule's.
        self.flip = None;
        self
    }
}

/// Which schedule a timeline shows.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum View {
    /// The reported (minimal) schedule.
    #[default]
    Minimal,
    /// The first failing schedule, as the search found it.
    AsFound {
        /// Its size, in words.
        summary: String,
    },
}

/// `show`'s header lines for the view and the flip point: which schedule
/// is shown, and the flip point in words.
pub(crate) fn write_view_lines(out: &mut String, t: &Timeline, palette: crate::output::Palette) {
    use std::fmt::Write as _;
    match &t.view {
        View::AsFound { summary } => {
            let _ = writeln!(
                out,
                "{} the first failing schedule, as found: {summary} (the minimal one without --as-found)",
                palette.bold("shown:")
            );
        }
        View::Minimal if t.as_found.is_some() => {
            let _ = writeln!(
                out,
                "shown: the minimal schedule (the first failing one, as found: --as-found)"
            );
        }
        View::Minimal => {}
    }
    if let Some(flip) = &t.flip {
        let _ = writeln!(out, "{} {}", palette.bold("flip point:"), flip.sentence);
    }
}
