//! The `Display` of a [`Failure`]: the report a person reads.

use std::fmt::{self, Write as _};

use weft_sync::explore::{Backend, FailureKind, ScheduleRecord};
use weft_sync::record::{Event, Op, ThreadState};

use crate::failure::Failure;
use crate::found::{counted, seeded};

/// Steps shown before the failure; earlier ones are summarised.
const SHOWN_STEPS: usize = 60;
/// A run of at least this many uneventful steps (atomics, yields) by one
/// thread is folded into one line.
const FOLD_RUN: usize = 4;

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "weft: model `{}` failed on {}: {}",
            self.model,
            self.backend,
            self.headline()
        )?;
        self.write_what(f)?;
        if let Some(weak) = self.weak_memory_explanation() {
            write!(f, "\n{weak}")?;
        }
        self.write_threads(f)?;
        self.write_steps(f)?;
        self.write_replay(f)
    }
}

impl Failure {
    fn headline(&self) -> String {
        match self.kind {
            FailureKind::Deadlock if self.is_partial_deadlock() => {
                "deadlock (partial: some threads wait for each other while others still run)"
                    .to_string()
            }
            FailureKind::Deadlock if self.is_lost_wakeup() => {
                "deadlock (lost wakeup: a thread waits for a notification nobody will send)"
                    .to_string()
            }
            other => other.to_string(),
        }
    }

    fn write_what(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f)?;
        match self.kind {
            FailureKind::Deadlock => {
                if let Some(cycle) = self.deadlock_cycle() {
                    writeln!(f, "The wait-for cycle:")?;
                    for e in &cycle {
                        let holds = match &e.holds {
                            Some((name, at)) => format!("holds `{name}` (acquired at {at}) and "),
                            None => String::new(),
                        };
                        writeln!(
                            f,
                            "  `{}` {}waits for `{}` (at {}), held by `{}`",
                            e.thread, holds, e.waits_for, e.waits_at, e.held_by
                        )?;
                    }
                } else if self.is_partial_deadlock() {
                    // A knot through channels, barriers or condvars, named
                    // at the step limit: the message says when and why.
                    writeln!(f, "{}", self.message)?;
                    writeln!(f, "Nothing woke these threads:")?;
                    let stuck = self.stuck_threads();
                    for b in self
                        .blocked_threads()
                        .into_iter()
                        .filter(|b| stuck.contains(&b.thread))
                    {
                        writeln!(
                            f,
                            "  `{}` {} `{}` (at {})",
                            b.thread,
                            b.kind.describe(),
                            b.waits_for,
                            b.at
                        )?;
                    }
                } else {
                    writeln!(f, "No thread can run, and no lock cycle explains it:")?;
                    for b in self.blocked_threads() {
                        writeln!(
                            f,
                            "  `{}` {} `{}` (at {}){}",
                            b.thread,
                            b.kind.describe(),
                            b.waits_for,
                            b.at,
                            if matches!(b.kind, weft_sync::record::WaitKind::Condvar) {
                                ", and no thread that could notify it is left"
                            } else {
                                ""
                            }
                        )?;
                    }
                }
                self.write_still_running(f)?;
            }
            FailureKind::DataRace => {
                if let Some(race) = &self.race {
                    writeln!(
                        f,
                        "Two accesses to `{}`, and no happens-before orders them:",
                        self.log.object_name(race.object)
                    )?;
                    for a in [&race.first, &race.second] {
                        writeln!(
                            f,
                            "  {} by `{}` at {}",
                            a.kind,
                            self.log.thread_name(a.thread),
                            a.location
                        )?;
                    }
                } else {
                    writeln!(f, "{}", self.message)?;
                }
            }
            FailureKind::StepLimit => {
                writeln!(f, "{}", self.message)?;
                if let Some(cycle) = self.repeating_steps() {
                    writeln!(
                        f,
                        "\nThe loop that kept running (one turn of each of {}):",
                        self.looping_threads()
                            .iter()
                            .map(|t| format!("`{t}`"))
                            .collect::<Vec<_>>()
                            .join(" and ")
                    )?;
                    for e in cycle {
                        writeln!(f, "  {}", self.step_line(e))?;
                    }
                }
            }
            FailureKind::NotLinearizable | FailureKind::PotentialDeadlock => {
                // The message is the table of operations and the statement,
                // or the lock-order cycle: both paths and the graph drawn.
                for line in self.message.lines() {
                    writeln!(f, "{line}")?;
                }
            }
            _ => {
                let who = self
                    .thread_name()
                    .map(|t| format!("in thread `{t}`"))
                    .unwrap_or_default();
                let at = self
                    .location
                    .map(|l| format!(" at {l}"))
                    .unwrap_or_default();
                writeln!(f, "{} {who}{at}:", capitalised(self.kind.as_str()))?;
                for line in self.message.lines() {
                    writeln!(f, "  {line}")?;
                }
            }
        }
        Ok(())
    }

    fn write_threads(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.log.threads.is_empty() {
            return Ok(());
        }
        writeln!(f, "\nThreads:")?;
        for t in &self.log.threads {
            let state = match t.state {
                ThreadState::Finished => "finished".to_string(),
                ThreadState::Running => "running".to_string(),
                ThreadState::Blocked => match &t.waiting {
                    Some(w) => {
                        let target = match (w.object, w.thread) {
                            (Some(o), _) => format!(" `{}`", self.log.object_name(o)),
                            (None, Some(th)) => format!(" `{}`", self.log.thread_name(th)),
                            _ => String::new(),
                        };
                        format!("blocked: {}{target} at {}", w.kind.describe(), w.at)
                    }
                    None => "blocked".to_string(),
                },
            };
            let mut line = format!("  [{}] `{}`: {state}", t.id, self.log.thread_name(t.id));
            if !t.holds.is_empty() {
                let held: Vec<String> = t
                    .holds
                    .iter()
                    .map(|h| format!("`{}` (since {})", self.log.object_name(h.object), h.at))
                    .collect();
                let _ = write!(line, "; holds {}", held.join(", "));
            }
            writeln!(f, "{line}")?;
        }
        Ok(())
    }

    fn write_steps(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let steps = &self.log.steps;
        if steps.is_empty() {
            return Ok(());
        }
        writeln!(f, "\nThe interleaving ({}):", counted(steps.len(), "step"))?;
        let start = steps.len().saturating_sub(SHOWN_STEPS);
        if start > 0 {
            writeln!(
                f,
                "  ... {} not shown (the trace file has them all)",
                counted(start, "earlier step")
            )?;
        }
        let mut prev_thread = if start > 0 {
            Some(steps[start - 1].thread)
        } else {
            None
        };
        let mut i = start;
        while i < steps.len() {
            let e = &steps[i];
            if prev_thread.is_some_and(|p| p != e.thread) {
                writeln!(
                    f,
                    "  ---- switch to `{}` ----",
                    self.log.thread_name(e.thread)
                )?;
            }
            prev_thread = Some(e.thread);
            let run = fold_run(&steps[i..]);
            if run >= FOLD_RUN {
                let last = &steps[i + run - 1];
                writeln!(
                    f,
                    "  {:>5}-{:<5} {:<14} {} uneventful steps ({} ...) at {}",
                    e.step,
                    last.step,
                    self.log.thread_name(e.thread),
                    run,
                    e.op.name(),
                    e.location
                )?;
                i += run;
                continue;
            }
            writeln!(f, "  {}", self.step_line(e))?;
            i += 1;
        }
        Ok(())
    }

    pub(crate) fn step_line(&self, e: &Event) -> String {
        let object = e
            .object
            .map(|o| format!(" `{}`", self.log.object_name(o)))
            .unwrap_or_default();
        let op = match &e.op {
            Op::Spawn { child } => format!("spawn `{}`", self.log.thread_name(*child)),
            Op::Join { child } => format!("join `{}`", self.log.thread_name(*child)),
            Op::IsFinished { child, finished } => {
                format!(
                    "is_finished `{}` = {finished}",
                    self.log.thread_name(*child)
                )
            }
            Op::Unpark { target } => format!("unpark `{}`", self.log.thread_name(*target)),
            _ => e.op_text(),
        };
        format!(
            "{:>5}  {:<14} {op}{object}  at {}",
            e.step,
            self.log.thread_name(e.thread),
            e.location
        )
    }

    /// The lines that say how to replay the failure.
    ///
    /// The test is named exactly: `cargo test --features <f> -- --exact
    /// <module::test>` runs that one test, not every test whose name
    /// contains it (outside libtest, where the test is unknown, the model's
    /// name is the filter).
    ///
    /// The feature printed is weft's own backend feature (`loom` or
    /// `shuttle`), which the README tells a user's crate to forward under
    /// the same name (`loom = ["weft/loom"]`). Which feature of the user's
    /// crate enabled it cannot be known from inside the test binary: cargo
    /// passes a test binary no record of the features it was built with,
    /// and features unify across the dependency graph. A crate whose own
    /// `loom` feature means raw loom (its tests then compile out and report
    /// "0 passed") must forward weft's under another name and use that name
    /// when it replays; `cargo weft replay <trace>` has the same limit.
    fn write_replay(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f)?;
        let test = match &self.test_name {
            Some(path) => format!("-- --exact {path}"),
            None => self.model.clone(),
        };
        let feature = self
            .backend
            .feature()
            .map(|b| format!(" --features {b}"))
            .unwrap_or_default();
        if matches!(
            self.kind,
            FailureKind::NeverReached | FailureKind::NotCaught
        ) {
            // A verdict on the whole exploration: no one execution shows it.
            return writeln!(
                f,
                "Found across the whole exploration ({} executions): no single execution shows it, \
                 so there is no trace to replay. Rerun it: cargo test{feature} {test}",
                self.executions
            );
        }
        if self.kind == FailureKind::ReplayDiverged {
            // The trace no longer fits the program: replaying it again
            // diverges again, so the way on is a new search.
            if let Some(path) = &self.trace_path {
                writeln!(
                    f,
                    "Trace replayed (recorded before the program changed): {}",
                    path.display()
                )?;
            }
            return writeln!(
                f,
                "Search again, which records a new trace: cargo test{feature} {test}"
            );
        }
        if let Some(found) = self.found_by {
            // Only a random or PCT worker's schedules follow from a seed:
            // a DPOR worker's share of the tree depends on the others'.
            let (seed, seed_var) = if seeded(found.scheduler) {
                (
                    format!(" (seed {})", found.seed),
                    format!(" WEFT_SEED={}", found.seed),
                )
            } else {
                Default::default()
            };
            writeln!(
                f,
                "Found by {} on worker {} of {}{seed}; its search alone: WEFT_SCHEDULER={}{seed_var} WEFT_WORKERS=1 cargo test{feature} {test}",
                found.scheduler,
                found.worker + 1,
                found.workers,
                found.scheduler,
            )?;
        }
        writeln!(f, "{}.", capitalised(&self.found_in()))?;
        if let Some(shrunk) = &self.shrunk {
            writeln!(f, "The schedule shown is minimal: {}.", shrunk.sentence())?;
            if let Some(flip) = self.flip_sentence() {
                writeln!(f, "Flip point: {flip}.")?;
            }
        }
        match (&self.trace_path, &self.schedule) {
            (_, ScheduleRecord::Std { iteration }) => writeln!(
                f,
                "Found on real threads (iteration {iteration}); a stress run cannot be replayed. \
                 Run it under a checker to explore and replay: cargo test --features shuttle {test}"
            ),
            (Some(path), _) => {
                writeln!(f, "Trace: {}", path.display())?;
                writeln!(
                    f,
                    "Replay exactly this schedule: WEFT_REPLAY={} cargo test{feature} {test}",
                    path.display()
                )?;
                writeln!(f, "Study it: cargo weft show {}", path.display())?;
                writeln!(f, "Or rerun it: cargo weft replay {}", path.display())
            }
            (None, ScheduleRecord::Shuttle { seed, .. }) => writeln!(
                f,
                "Reproduce: WEFT_SEED={seed} cargo test{feature} {test} (no trace file: {})",
                self.trace_error.as_deref().unwrap_or("none was written")
            ),
            (None, ScheduleRecord::Loom { execution, .. }) => writeln!(
                f,
                "Found in loom execution {execution}; reproduce: cargo test{feature} {test}"
            ),
        }?;
        if self.backend == Backend::Std {
            return Ok(());
        }
        Ok(())
    }
}

/// The length of the run of uneventful steps by one thread at the start of `steps`.
fn fold_run(steps: &[Event]) -> usize {
    let Some(first) = steps.first() else { return 0 };
    steps
        .iter()
        .take_while(|e| e.thread == first.thread && is_uneventful(&e.op))
        .count()
}

fn is_uneventful(op: &Op) -> bool {
    matches!(
        op,
        Op::Load(_) | Op::Yield | Op::Sleep | Op::Fence | Op::CompareExchange { ok: false }
    )
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
