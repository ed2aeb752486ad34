//! A trace laid out for a person: a lane per thread, one entry per step,
//! the failing step and the steps related to it, how each thread ended,
//! and the explanation (the wait-for cycle, the racing pair). `show` draws
//! it as text, `html` as a page.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde::Serialize;
use weft_check::trace::{LocationRecord, OpRecord, StepRecord, Trace};
use weft_check::{Failure, FailureKind};
use weft_sync::record::{ThreadState, WaitKind};

/// A trace laid out in lanes.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Timeline {
    /// The model's name.
    pub(crate) model: String,
    /// The test that ran it, if known.
    pub(crate) test: Option<String>,
    /// `loom`, `shuttle` or `std`.
    pub(crate) backend: String,
    /// The search that found it, in words (`random scheduler`, `loom's
    /// DPOR search`).
    pub(crate) scheduler: String,
    /// shuttle's seed, as text (it may not fit a JavaScript number).
    pub(crate) seed: Option<String>,
    /// Executions explored up to the failing one.
    pub(crate) executions: usize,
    /// How it was found: "found in execution 37 of 50,000 (random
    /// scheduler, seed 0x2a)".
    pub(crate) found_in: String,
    /// How much the schedule shown shrank from the one first found, when
    /// it was shrunk: "1 preemption, 9 steps; ...".
    pub(crate) minimized: Option<String>,
    /// The failure kind keyword (`deadlock`, `data_race`, ...).
    pub(crate) kind: String,
    /// The failure in a few words: "deadlock", "data race", "panic", ...
    pub(crate) headline: String,
    /// The failure's message.
    pub(crate) message: String,
    /// Where it failed, if known (`file:line:column`).
    pub(crate) failed_at: Option<String>,
    /// One lane per thread, main first.
    pub(crate) lanes: Vec<Lane>,
    /// Every step, in order.
    pub(crate) steps: Vec<StepView>,
    /// The step numbers where the failure happened.
    pub(crate) failing_steps: BTreeSet<usize>,
    /// Step numbers that explain it: the other access of a race, where the
    /// locks of a deadlock were taken.
    pub(crate) related_steps: BTreeSet<usize>,
    /// The deadlock's wait-for cycle, one edge per thread of it.
    pub(crate) cycle: Vec<CycleView>,
    /// The racing pair of a data race.
    pub(crate) race: Option<RaceView>,
    /// The trace file.
    pub(crate) trace_path: Option<PathBuf>,
    /// A weak-memory failure's stale read and repair hint (loom).
    pub(crate) weak_memory: Option<crate::weak_memory_view::WeakMemoryView>,
    /// The flip point of the minimal schedule, when the trace has one.
    pub(crate) flip: Option<crate::flip_view::FlipView>,
    /// The first failing schedule's steps, when the trace keeps them.
    pub(crate) as_found: Option<crate::flip_view::AsFoundView>,
    /// Which schedule `steps` are.
    pub(crate) view: crate::flip_view::View,
}

/// One thread's lane.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Lane {
    /// The thread id (its index).
    pub(crate) id: usize,
    /// Its name.
    pub(crate) name: String,
    /// `running`, `blocked` or `finished` when the execution stopped.
    pub(crate) state: String,
    /// How the thread ended, in words ("waits to lock `b`", "panicked: ...").
    pub(crate) end: String,
    /// Where it ended (the wait's or the failure's location), if known.
    pub(crate) end_at: Option<String>,
    /// Whether its end is part of the failure (a thread of the deadlock,
    /// the thread that panicked, raced or leaked).
    pub(crate) end_is_failure: bool,
    /// The locks it held when the execution stopped, by name.
    pub(crate) holds: Vec<String>,
    /// Where it was spawned.
    pub(crate) spawned_at: Option<String>,
}

/// One step.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct StepView {
    /// 1-based step number.
    pub(crate) step: usize,
    /// The thread id.
    pub(crate) thread: usize,
    /// The operation's short name (`lock`, `cell-write`).
    pub(crate) op: &'static str,
    /// What happened, in words: "lock `fork[0]`", "load `n` = 3".
    pub(crate) text: String,
    /// The object, if any.
    pub(crate) object: Option<ObjectView>,
    /// Where in the source (`file:line:column`).
    pub(crate) location: String,
    /// `file:line`, for narrow displays.
    pub(crate) short_location: String,
}

/// An object a step touched.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct ObjectView {
    /// Its display name.
    pub(crate) name: String,
    /// Its kind keyword (`mutex`, `unsafe_cell`).
    pub(crate) kind: String,
    /// Where it was created.
    pub(crate) created_at: String,
}

/// One edge of a wait-for cycle.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct CycleView {
    /// The waiting thread's id and name.
    pub(crate) thread: usize,
    /// Its name.
    pub(crate) thread_name: String,
    /// The lock it holds, and where it took it.
    pub(crate) holds: Option<(String, String)>,
    /// What it waits for.
    pub(crate) waits_for: String,
    /// Where it waits.
    pub(crate) waits_at: String,
    /// The thread holding what it waits for (id).
    pub(crate) held_by: usize,
    /// Its name.
    pub(crate) held_by_name: String,
}

/// The two accesses of a data race.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct RaceView {
    /// The cell's name.
    pub(crate) object: String,
    /// The earlier access.
    pub(crate) first: AccessView,
    /// The later access, which found the race.
    pub(crate) second: AccessView,
}

/// One access of a race.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct AccessView {
    /// The thread id.
    pub(crate) thread: usize,
    /// Its name.
    pub(crate) thread_name: String,
    /// `read` or `write`.
    pub(crate) kind: String,
    /// Where.
    pub(crate) at: String,
    /// The step that made it, if the steps show it.
    pub(crate) step: Option<usize>,
}

fn long(l: &LocationRecord) -> String {
    format!("{}:{}:{}", l.file, l.line, l.column)
}

fn short(l: &LocationRecord) -> String {
    format!("{}:{}", l.file, l.line)
}

impl Timeline {
    /// Lays out `trace`.
    pub(crate) fn new(trace: &Trace) -> Timeline {
        let failure = trace.to_failure();
        let log = failure.log();
        let steps: Vec<StepView> = trace
            .steps
            .iter()
            .map(|s| step_view(trace, &failure, s))
            .collect();

        let cycle: Vec<CycleView> = if failure.kind() == FailureKind::Deadlock {
            cycle_views(trace, &failure)
        } else {
            Vec::new()
        };
        let in_cycle: BTreeSet<usize> = cycle.iter().map(|c| c.thread).collect();

        let race = failure.race().map(|r| {
            let second_step = find_access(
                &trace.steps,
                r.second.thread,
                r.second.location.file,
                r.second.location.line,
                usize::MAX,
            );
            let first_step = find_access(
                &trace.steps,
                r.first.thread,
                r.first.location.file,
                r.first.location.line,
                second_step.unwrap_or(usize::MAX),
            );
            RaceView {
                object: log.object_name(r.object),
                first: AccessView {
                    thread: r.first.thread,
                    thread_name: log.thread_name(r.first.thread),
                    kind: r.first.kind.to_string(),
                    at: format!("{:#}", r.first.location),
                    step: first_step,
                },
                second: AccessView {
                    thread: r.second.thread,
                    thread_name: log.thread_name(r.second.thread),
                    kind: r.second.kind.to_string(),
                    at: format!("{:#}", r.second.location),
                    step: second_step,
                },
            }
        });

        let mut failing_steps = BTreeSet::new();
        let mut related_steps = BTreeSet::new();
        match failure.kind() {
            FailureKind::Deadlock => {
                // The failure is the final state; the steps that explain it
                // are where the blocked threads took the locks they hold.
                for t in &trace.threads {
                    if t.state != ThreadState::Blocked
                        || (!cycle.is_empty() && !in_cycle.contains(&t.id))
                    {
                        continue;
                    }
                    for h in &t.holds {
                        if let Some(s) = trace.steps.iter().rev().find(|s| {
                            s.thread == t.id
                                && s.object == Some(h.object)
                                && matches!(
                                    s.op,
                                    OpRecord::Lock
                                        | OpRecord::ReadLock
                                        | OpRecord::WriteLock
                                        | OpRecord::TryLock { acquired: true }
                                )
                        }) {
                            related_steps.insert(s.step);
                        }
                    }
                }
            }
            FailureKind::DataRace => {
                if let Some(r) = &race {
                    failing_steps.extend(r.second.step);
                    related_steps.extend(r.first.step);
                }
            }
            _ => {
                let thread = trace.failure.thread;
                let pick = match thread {
                    Some(t) => trace
                        .steps
                        .iter()
                        .rev()
                        .find(|s| s.thread == t && matches!(s.op, OpRecord::Panic))
                        .or_else(|| trace.steps.iter().rev().find(|s| s.thread == t)),
                    None => trace.steps.last(),
                };
                failing_steps.extend(pick.map(|s| s.step));
            }
        }

        let lanes = trace
            .threads
            .iter()
            .map(|t| {
                let holds = t.holds.iter().map(|h| log.object_name(h.object)).collect();
                let failed_thread = trace.failure.thread == Some(t.id);
                let (end, end_at, end_is_failure) = match (t.state, &t.waiting) {
                    (ThreadState::Blocked, Some(w)) => {
                        let target = match (w.object, w.thread) {
                            (Some(o), _) => format!(" `{}`", log.object_name(o)),
                            (None, Some(th)) => format!(" `{}`", log.thread_name(th)),
                            _ => String::new(),
                        };
                        let in_failure = failure.kind() == FailureKind::Deadlock
                            && (cycle.is_empty() || in_cycle.contains(&t.id));
                        let describe = if w.kind == WaitKind::Park {
                            "is parked, waiting for an unpark".to_string()
                        } else {
                            w.kind.describe().to_string()
                        };
                        (format!("{describe}{target}"), Some(long(&w.at)), in_failure)
                    }
                    _ if failed_thread => {
                        let what = match failure.kind() {
                            FailureKind::Assertion => {
                                format!("panicked: {}", first_line(failure.message()))
                            }
                            FailureKind::DataRace => "raced (see the racing pair)".to_string(),
                            FailureKind::LeakedThread => {
                                "still running when the model returned".to_string()
                            }
                            FailureKind::StepLimit => "hit the step limit".to_string(),
                            other => format!("{other}: {}", first_line(failure.message())),
                        };
                        (what, trace.failure.location.as_ref().map(long), true)
                    }
                    (ThreadState::Blocked, None) => ("blocked".to_string(), None, false),
                    (ThreadState::Finished, _) => ("finished".to_string(), None, false),
                    _ => ("running".to_string(), None, false),
                };
                Lane {
                    id: t.id,
                    name: failure.log().thread_name(t.id),
                    state: state_keyword(t.state).to_string(),
                    end,
                    end_at,
                    end_is_failure,
                    holds,
                    spawned_at: t.spawned_at.as_ref().map(short),
                }
            })
            .collect();

        Timeline {
            model: trace.model.clone(),
            test: trace.test.clone(),
            backend: trace.backend.as_str().to_string(),
            scheduler: failure.search(),
            seed: trace.seed.map(|s| s.to_string()),
            executions: trace.executions,
            found_in: failure.found_in(),
            minimized: failure.shrunk().map(|s| s.sentence()),
            kind: failure.kind().as_str().to_string(),
            headline: headline(&failure),
            message: failure.message().to_string(),
            failed_at: trace.failure.location.as_ref().map(long),
            lanes,
            steps,
            failing_steps,
            related_steps,
            cycle,
            race,
            trace_path: trace.read_from.clone(),
            weak_memory: crate::weak_memory_view::WeakMemoryView::new(&failure),
            flip: crate::flip_view::flip_view(&failure),
            as_found: crate::flip_view::as_found_view(trace),
            view: crate::flip_view::View::Minimal,
        }
    }
}

fn state_keyword(state: ThreadState) -> &'static str {
    match state {
        ThreadState::Running => "running",
        ThreadState::Blocked => "blocked",
        ThreadState::Finished => "finished",
    }
}

fn first_line(text: &str) -> String {
    text.trim().lines().next().unwrap_or_default().to_string()
}

/// The failure in a few words.
fn headline(failure: &Failure) -> String {
    match failure.kind() {
        FailureKind::Deadlock if failure.is_partial_deadlock() => {
            "deadlock (partial: a wait-for cycle while other threads ran)".to_string()
        }
        FailureKind::Deadlock if failure.is_lost_wakeup() => "deadlock (lost wakeup)".to_string(),
        FailureKind::Deadlock if failure.deadlock_cycle().is_some() => {
            "deadlock (a wait-for cycle)".to_string()
        }
        FailureKind::DataRace => "data race".to_string(),
        FailureKind::StepLimit => "step limit (a livelock, or a loop that never ends)".to_string(),
        FailureKind::LeakedThread => "leaked thread".to_string(),
        FailureKind::ReplayDiverged => "replay diverged".to_string(),
        other => other.as_str().replace('_', " "),
    }
}

/// The last cell access by `thread` at `file:line` before step `before`.
fn find_access(
    steps: &[StepRecord],
    thread: usize,
    file: &str,
    line: u32,
    before: usize,
) -> Option<usize> {
    steps
        .iter()
        .rev()
        .filter(|s| s.step < before)
        .find(|s| {
            s.thread == thread
                && matches!(s.op, OpRecord::CellRead | OpRecord::CellWrite)
                && s.location.file == file
                && s.location.line == line
        })
        .or_else(|| {
            // The recorded location may be the caller's: any access by the thread.
            steps.iter().rev().filter(|s| s.step < before).find(|s| {
                s.thread == thread && matches!(s.op, OpRecord::CellRead | OpRecord::CellWrite)
            })
        })
        .map(|s| s.step)
}

fn cycle_views(trace: &Trace, failure: &Failure) -> Vec<CycleView> {
    let Some(edges) = failure.deadlock_cycle() else {
        return Vec::new();
    };
    let log = failure.log();
    let id_of = |name: &str| {
        (0..trace.threads.len())
            .find(|&t| log.thread_name(t) == name)
            .unwrap_or(0)
    };
    edges
        .iter()
        .map(|e| CycleView {
            thread: id_of(&e.thread),
            thread_name: e.thread.clone(),
            holds: e
                .holds
                .as_ref()
                .map(|(name, at)| (name.clone(), at.to_string())),
            waits_for: e.waits_for.clone(),
            waits_at: e.waits_at.to_string(),
            held_by: id_of(&e.held_by),
            held_by_name: e.held_by.clone(),
        })
        .collect()
}

fn step_view(trace: &Trace, failure: &Failure, s: &StepRecord) -> StepView {
    let log = failure.log();
    let object = s.object.map(|o| ObjectView {
        name: log.object_name(o),
        kind: trace
            .objects
            .get(o)
            .map(|obj| obj.kind.to_string())
            .unwrap_or_else(|| "object".to_string()),
        created_at: trace
            .objects
            .get(o)
            .map(|obj| short(&obj.created_at))
            .unwrap_or_default(),
    });
    let name = object
        .as_ref()
        .map(|o| format!(" `{}`", o.name))
        .unwrap_or_default();
    let atomic = s.atomic.as_ref().and_then(|a| a.to_access());
    let text = match &s.op {
        _ if atomic.is_some() => format!("{}{name}", atomic.expect("checked")),
        OpRecord::Spawn { child } => format!("spawn `{}`", log.thread_name(*child)),
        OpRecord::Join { child } => format!("join `{}`", log.thread_name(*child)),
        OpRecord::Unpark { target } => format!("unpark `{}`", log.thread_name(*target)),
        OpRecord::Load { value } => format!("load{name} = {value}"),
        OpRecord::Store { value } => format!("store{name} := {value}"),
        OpRecord::Rmw { value } => format!("rmw{name} (was {value})"),
        OpRecord::CompareExchange { ok } => {
            format!(
                "compare-exchange{name} ({})",
                if *ok { "ok" } else { "failed" }
            )
        }
        OpRecord::TryLock { acquired } => {
            format!(
                "try-lock{name} ({})",
                if *acquired { "acquired" } else { "busy" }
            )
        }
        OpRecord::Woken { timed_out } => {
            format!(
                "woken{name} ({})",
                if *timed_out { "timed out" } else { "notified" }
            )
        }
        OpRecord::Trace { message } => format!("» {message}"),
        OpRecord::Choose { .. } => s.op.to_op().to_string(),
        other => format!("{}{name}", other.name()),
    };
    StepView {
        step: s.step,
        thread: s.thread,
        op: s.op.name(),
        text,
        object,
        location: long(&s.location),
        short_location: short(&s.location),
    }
}
