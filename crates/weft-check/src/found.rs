//! How a failure was found: which execution of how many, by which search,
//! and how much its schedule shrank before it was reported.

use std::time::Duration;

use weft_sync::explore::{Backend, ScheduleRecord, SchedulerKind};

use crate::failure::Failure;

/// The schedule as first found and as reported, once shrunk to the fewest
/// preemptions and then the fewest steps (see [`Failure::shrunk`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shrunk {
    /// The schedule of the first failing execution the search found.
    pub first_schedule: ScheduleRecord,
    /// Its preemptions (switches away from a thread that could go on),
    /// where the engine counts them (not on loom).
    pub first_preemptions: Option<usize>,
    /// Its recorded steps.
    pub first_steps: usize,
    /// The reported (minimal) schedule's preemptions.
    pub preemptions: usize,
    /// The reported schedule's steps.
    pub steps: usize,
    /// Executions replayed to shrink it (on shuttle, the first replays the
    /// schedule as found, to record the user's `tracing` events, which the
    /// search does not).
    pub replays: usize,
    /// Time spent shrinking.
    pub elapsed: Duration,
    /// Whether the shrinking budget ran out before no edit helped any more:
    /// the schedule is then smaller, but maybe not the smallest.
    pub budget_spent: bool,
    /// The single swap of two adjacent conflicting steps that makes the
    /// minimal schedule pass, when one was found (shuttle only).
    pub flip_point: Option<crate::flip_point::FlipPoint>,
    /// The steps of the first failing schedule (the "as found" view); empty
    /// when it was already minimal, or when it was not recorded (older
    /// traces, loom).
    pub as_found: Vec<weft_sync::record::Event>,
    /// Executions replayed looking for the flip point, found or not (the
    /// model's body ran once more for each).
    pub flip_replays: usize,
}

impl Shrunk {
    /// The sentence a report prints: "3 preemptions, 11 steps; found at 2
    /// preemptions and 9 steps fewer than the first failing schedule".
    pub fn sentence(&self) -> String {
        let mut s = format!(
            "{}, {}",
            counted(self.preemptions, "preemption"),
            counted(self.steps, "step")
        );
        let fewer_p = self
            .first_preemptions
            .map_or(0, |p| p.saturating_sub(self.preemptions));
        let fewer_s = self.first_steps.saturating_sub(self.steps);
        let fewer = match (fewer_p, fewer_s) {
            _ if self.first_preemptions.is_none() => format!(
                "no execution fails with fewer preemptions; the first failing schedule had {}",
                counted(self.first_steps, "step")
            ),
            (0, 0) => "the first failing schedule was already minimal".to_string(),
            (0, s) => format!(
                "{} fewer than the first failing schedule",
                counted(s, "step")
            ),
            (p, 0) => format!(
                "{} fewer than the first failing schedule",
                counted(p, "preemption")
            ),
            (p, s) => format!(
                "{} and {} fewer than the first failing schedule",
                counted(p, "preemption"),
                counted(s, "step")
            ),
        };
        s.push_str("; ");
        s.push_str(&fewer);
        s.push_str(&format!(
            " ({} replayed in {:.0?}{})",
            counted(self.replays, "schedule"),
            self.elapsed,
            if self.budget_spent {
                ", budget spent: maybe not the smallest"
            } else {
                ""
            }
        ));
        s
    }
}

/// `1 step`, `2 steps`.
pub(crate) fn counted(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{} {noun}s", thousands(n))
    }
}

/// `50000` as `50,000`.
pub(crate) fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Whether a search's schedules follow from its seed (random and PCT);
/// DPOR's and DFS's use none, so a report names no seed for them.
pub(crate) fn seeded(scheduler: SchedulerKind) -> bool {
    matches!(scheduler, SchedulerKind::Random | SchedulerKind::Pct { .. })
}

/// The search that found a failure, in words: `random scheduler`,
/// `loom's DPOR search`, ...
pub(crate) fn describe_search(backend: Backend, scheduler: SchedulerKind) -> String {
    match (backend, scheduler) {
        (Backend::Loom, _) => "loom's DPOR search".to_string(),
        (Backend::Std, _) => "stress run on real threads".to_string(),
        (Backend::Shuttle, SchedulerKind::Random) => "random scheduler".to_string(),
        (Backend::Shuttle, SchedulerKind::Pct { depth }) => format!("PCT scheduler, depth {depth}"),
        (Backend::Shuttle, SchedulerKind::Dfs) => "shuttle's DFS".to_string(),
        (Backend::Shuttle, SchedulerKind::Dpor) => "weft's DPOR search".to_string(),
        (Backend::Shuttle, SchedulerKind::Portfolio) => "portfolio of random and PCT".to_string(),
    }
}

impl Failure {
    /// The search that found the failure, in words: `random scheduler`,
    /// `PCT scheduler, depth 3`, `weft's DPOR search`, `loom's DPOR search`.
    pub fn search(&self) -> String {
        describe_search(self.backend, self.scheduler)
    }

    /// How the failure was found, as the report says it: "found in
    /// execution 37 of 50,000 (random scheduler, seed 0x2a)"; for a replay,
    /// "reproduced in 1 execution by replaying its trace (weft's DPOR
    /// search)".
    pub fn found_in(&self) -> String {
        if self.replayed {
            // One execution, on the trace's schedule: not the search's
            // count, which the trace keeps.
            return format!(
                "reproduced in {} by replaying its trace ({})",
                counted(self.executions, "execution"),
                self.search()
            );
        }
        let of = self
            .planned
            .filter(|&p| p >= self.executions)
            .map(|p| format!(" of {}", thousands(p)))
            .unwrap_or_default();
        let mut how = self.search();
        // How it was found: the first failing schedule, not the shrunk one.
        let found = self
            .shrunk
            .as_ref()
            .map_or(&self.schedule, |s| &s.first_schedule);
        match found {
            ScheduleRecord::Shuttle { seed, .. } if seeded(self.scheduler) => {
                how.push_str(&format!(", seed {seed:#x}"));
            }
            ScheduleRecord::Loom {
                preemption_bound: Some(b),
                ..
            } => how.push_str(&format!(", preemption bound {b}")),
            _ => {}
        }
        let unit = if self.backend == Backend::Std {
            "iteration"
        } else {
            "execution"
        };
        format!("found in {unit} {}{of} ({how})", thousands(self.executions))
    }

    /// For a failure found by a schedule search: the schedule as first
    /// found and how much it shrank before it was reported. `None` for a
    /// failure that was not shrunk (std mode, a replay, a verdict on the
    /// whole exploration).
    pub fn shrunk(&self) -> Option<&Shrunk> {
        self.shrunk.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_as_english() {
        assert_eq!(counted(1, "step"), "1 step");
        assert_eq!(counted(0, "step"), "0 steps");
        assert_eq!(counted(50_000, "execution"), "50,000 executions");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn a_shrunk_schedule_says_how_much_it_shrank() {
        let s = Shrunk {
            first_schedule: ScheduleRecord::Std { iteration: 1 },
            first_preemptions: Some(5),
            first_steps: 20,
            preemptions: 3,
            steps: 11,
            replays: 40,
            elapsed: Duration::from_millis(12),
            budget_spent: false,
            flip_point: None,
            as_found: Vec::new(),
            flip_replays: 0,
        };
        assert_eq!(
            s.sentence(),
            "3 preemptions, 11 steps; 2 preemptions and 9 steps fewer than the first failing schedule (40 schedules replayed in 12ms)"
        );
    }
}
