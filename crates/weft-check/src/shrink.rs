//! Shrinking a failure found by a schedule search before it is reported:
//! the glue between [`crate::minimize`] (engine-agnostic) and the
//! exploration driver. On shuttle, edited schedules are replayed as guided
//! replays; on loom, the search is rerun with the preemption bound raised
//! from 0 until the failure appears.

use std::time::{Duration, Instant};

use weft_sync::explore::{
    Backend, ExploreConfig, ExploreOutcome, FailureKind, RawFailure, ReplayPlan, ScheduleRecord,
};
use weft_sync::record::{Loc, ThreadState};

use crate::found::Shrunk;
use crate::minimize::{self, Run};

/// What must stay equal for a replay to be "the same failure": the kind,
/// where it failed, and where the threads of a deadlock wait (or where a
/// race's first access was).
type Signature = (FailureKind, Option<Loc>, Vec<Loc>);

pub(crate) fn signature(f: &RawFailure) -> Signature {
    let mut also: Vec<Loc> = match f.kind {
        FailureKind::Deadlock => f
            .log
            .threads
            .iter()
            .filter(|t| t.state != ThreadState::Finished)
            .filter_map(|t| t.waiting.as_ref().map(|w| w.at))
            .collect(),
        FailureKind::DataRace => f.race.iter().map(|r| r.first.location).collect(),
        _ => Vec::new(),
    };
    also.sort_by_key(|l| (l.file, l.line, l.column));
    (f.kind, f.location, also)
}

/// Whether a failure of this kind comes from one execution a schedule
/// search found (and so can be shrunk).
pub(crate) fn shrinkable(kind: FailureKind) -> bool {
    !matches!(
        kind,
        FailureKind::NeverReached
            | FailureKind::NotCaught
            | FailureKind::ReplayDiverged
            | FailureKind::Unsupported
    )
}

/// Shrinks `raw`, found by exploring with `config`, by running `run` on
/// edited configurations. Returns the failure to report (the minimal one)
/// and how it shrank; `raw` as it is, and `None`, when there is nothing to
/// shrink.
pub(crate) fn shrink(
    config: &ExploreConfig,
    raw: RawFailure,
    run: &dyn Fn(&ExploreConfig) -> ExploreOutcome,
) -> (RawFailure, Option<Shrunk>) {
    if !shrinkable(raw.kind) || config.replay.is_some() {
        return (raw, None);
    }
    match (Backend::current(), &raw.schedule) {
        (Backend::Shuttle, ScheduleRecord::Shuttle { .. }) => shrink_shuttle(config, raw, run),
        (Backend::Loom, ScheduleRecord::Loom { .. }) => {
            let (failure, mut shrunk) = shrink_loom(config, raw, run);
            let (failure, ran) = capture_loom_path(config, failure, run);
            if let Some(shrunk) = &mut shrunk {
                shrunk.replays += ran;
            }
            (failure, shrunk)
        }
        _ => (raw, None),
    }
}

fn shrink_shuttle(
    config: &ExploreConfig,
    raw: RawFailure,
    run: &dyn Fn(&ExploreConfig) -> ExploreOutcome,
) -> (RawFailure, Option<Shrunk>) {
    let ScheduleRecord::Shuttle { seed, decisions } = raw.schedule.clone() else {
        return (raw, None);
    };
    let Some(first_preemptions) = raw.preemptions else {
        return (raw, None);
    };
    let want = signature(&raw);
    let first_steps = raw.log.steps.len();
    let first_schedule = raw.schedule.clone();
    let first_log = raw.log.steps.clone();
    let replay_config = replay_config(config, seed);
    let replay = |guide: &[weft_sync::explore::Decision]| -> Option<Run<RawFailure>> {
        let failure = *run(&guided(&replay_config, seed, guide)).failure?;
        if signature(&failure) != want {
            return None;
        }
        let ScheduleRecord::Shuttle { decisions, .. } = &failure.schedule else {
            return None;
        };
        Some(Run {
            decisions: decisions.clone(),
            preemptions: failure.preemptions?,
            steps: failure.log.steps.len(),
            payload: failure,
        })
    };
    let first = Run {
        decisions,
        preemptions: first_preemptions,
        steps: first_steps,
        payload: raw,
    };
    let done = minimize::shrink(first, minimize::DEFAULT_BUDGET, replay);
    // A livelock has no single swap that ends it, and a potential deadlock
    // is an order taken across the run, not one step too soon: no flip
    // point is looked for.
    let flip = match done.best.payload.kind {
        FailureKind::StepLimit | FailureKind::PotentialDeadlock => crate::flip::Search::none(),
        _ => flip_search(&replay_config, seed, &done.best, run),
    };
    let flip_steps = flip_steps(&done.best.payload);
    let flip_point = flip.flip.map(|pair| crate::flip_point::FlipPoint {
        first: flip_steps[pair.first].step,
        second: flip_steps[pair.second].step,
        replays: flip.replays,
        elapsed: flip.elapsed,
    });
    let as_found = if first_log == done.best.payload.log.steps {
        Vec::new()
    } else {
        first_log
    };
    let shrunk = Shrunk {
        first_schedule,
        first_preemptions: Some(first_preemptions),
        first_steps,
        preemptions: done.best.preemptions,
        steps: done.best.steps,
        replays: done.replays,
        elapsed: done.elapsed,
        budget_spent: done.budget_spent,
        flip_point,
        as_found,
        flip_replays: flip.replays,
    };
    (done.best.payload, Some(shrunk))
}

/// `config` made to run one execution: the failing run's own seed, which a
/// worker other than the first derived from the model's (a replay records
/// the seed it runs with, and the minimal schedule must name the seed of
/// the search that found it: `models/workers.rs` reruns that search
/// alone), and no budget.
pub(crate) fn replay_config(config: &ExploreConfig, seed: u64) -> ExploreConfig {
    let mut c = config.clone();
    c.seed = Some(seed);
    c.time_budget = None;
    c.soft_budget = None;
    c.iterations = None;
    c.max_executions = None;
    c
}

/// `replay_config` guided by `decisions` (see [`ReplayPlan::guided`]).
pub(crate) fn guided(
    replay_config: &ExploreConfig,
    seed: u64,
    decisions: &[weft_sync::explore::Decision],
) -> ExploreConfig {
    let mut c = replay_config.clone();
    c.replay = Some(ReplayPlan {
        schedule: ScheduleRecord::Shuttle {
            seed,
            decisions: decisions.to_vec(),
        },
        expected: Vec::new(),
        guided: true,
    });
    c
}

/// The steps a flip point may swap: the recorded ones, and a deadlock's
/// blocked lock waits after them (the swap that matters is often with one).
fn flip_steps(failure: &RawFailure) -> Vec<weft_sync::record::Event> {
    let mut steps = failure.log.steps.clone();
    if failure.kind == FailureKind::Deadlock {
        steps.extend(crate::flip::blocked_steps(&failure.log));
    }
    steps
}

/// The flip point of the minimal run (`crate::flip`): its steps are matched
/// with its decisions by replaying it once more and reading the marks the
/// engine kept; each swapped guide is then replayed the same way, and one
/// that ends with no failure passes.
fn flip_search(
    replay_config: &ExploreConfig,
    seed: u64,
    best: &Run<RawFailure>,
    run: &dyn Fn(&ExploreConfig) -> ExploreOutcome,
) -> crate::flip::Search {
    let guided = |guide: &[weft_sync::explore::Decision]| {
        let mut c = guided(replay_config, seed, guide);
        // The swap is asked whether *this* failure goes away. The
        // lock-order check would fail the passing order of an ABBA
        // deadlock too (both orders are taken in it), which is the
        // potential deadlock's own report, not this one's.
        c.lock_order = weft_sync::lockdep::Policy::Off;
        run(&c)
    };
    let steps = flip_steps(&best.payload);
    if crate::flip::candidates(&steps, 1).is_empty() {
        return crate::flip::Search::none();
    }
    // The same decisions again, to read their marks: the replay must fail
    // the same way with exactly these decisions, or nothing is claimed.
    let again = guided(&best.decisions);
    let marks = weft_sync::explore::decision_marks();
    let same = again.failure.as_deref().is_some_and(|f| {
        f.log.steps == best.payload.log.steps
            && matches!(&f.schedule, ScheduleRecord::Shuttle { decisions, .. } if *decisions == best.decisions)
    });
    let marks = if same { marks } else { Vec::new() };
    let mut found = crate::flip::search(
        &best.decisions,
        &marks,
        &steps,
        best.payload.log.steps.len(),
        crate::flip::BUDGET,
        |guide| {
            // A guided replay that passes is reported as diverged (it
            // does not reproduce the failure), with the decisions it ran.
            let outcome = guided(guide);
            let ran = match outcome.failure.as_deref() {
                None => Vec::new(),
                Some(f) if f.kind == FailureKind::ReplayDiverged => match &f.schedule {
                    ScheduleRecord::Shuttle { decisions, .. } => decisions.clone(),
                    _ => return None,
                },
                Some(_) => return None,
            };
            Some((ran, weft_sync::explore::decision_marks()))
        },
    );
    // The replay that read the marks counts too.
    found.replays += 1;
    found
}

/// The longest the search for loom's path of a failing execution may run
/// (it runs the search again up to that execution).
const LOOM_PATH_BUDGET: Duration = Duration::from_secs(10);

/// loom: runs the search again up to the failing execution, with loom
/// writing its path (its record of the execution's branches) just before
/// it, and keeps that path in the schedule, so that a replay runs the one
/// execution instead of the search up to it. Returns the failure, with
/// the path if the search reached the execution within
/// [`LOOM_PATH_BUDGET`] and failed there the same way, and the executions
/// it ran. The first execution needs no path: a search runs it first.
fn capture_loom_path(
    config: &ExploreConfig,
    mut failure: RawFailure,
    run: &dyn Fn(&ExploreConfig) -> ExploreOutcome,
) -> (RawFailure, usize) {
    let ScheduleRecord::Loom {
        execution,
        preemption_bound,
        path: None,
    } = failure.schedule
    else {
        return (failure, 0);
    };
    if execution <= 1 {
        return (failure, 0);
    }
    let mut c = config.clone();
    c.preemption_bound = preemption_bound;
    c.loom_path_at = Some(execution);
    c.time_budget = Some(LOOM_PATH_BUDGET);
    c.max_executions = Some(execution);
    let outcome = run(&c);
    // The same failure at the same execution, with its path: the schedule
    // it was found with, the path added.
    match outcome
        .failure
        .map(|again| (signature(&again), again.schedule))
    {
        Some((
            again,
            captured @ ScheduleRecord::Loom {
                execution: e,
                path: Some(_),
                ..
            },
        )) if again == signature(&failure) && e == execution => failure.schedule = captured,
        _ => {}
    }
    (failure, outcome.executions)
}

/// loom: the failing execution with the fewest preemptions is the first
/// one found with the bound raised from 0; each bound's search runs until
/// its first failure.
fn shrink_loom(
    config: &ExploreConfig,
    raw: RawFailure,
    run: &dyn Fn(&ExploreConfig) -> ExploreOutcome,
) -> (RawFailure, Option<Shrunk>) {
    let want = signature(&raw);
    let start = Instant::now();
    let budget = minimize::DEFAULT_BUDGET.time;
    let found_bound = match raw.schedule {
        ScheduleRecord::Loom {
            preemption_bound, ..
        } => preemption_bound,
        _ => None,
    };
    let mut replays = 0;
    let mut bound = 0;
    let mut budget_spent = false;
    let best = loop {
        if found_bound.is_some_and(|b| bound >= b) {
            break None;
        }
        let left = budget.saturating_sub(start.elapsed());
        if left == Duration::ZERO {
            budget_spent = true;
            break None;
        }
        let mut c = config.clone();
        c.preemption_bound = Some(bound);
        c.time_budget = Some(left);
        let outcome = run(&c);
        replays += outcome.executions;
        match outcome.failure {
            Some(f) if signature(&f) == want => break Some((*f, bound)),
            // A search at this bound that ran out of time may have missed
            // it: no smaller bound is claimed.
            _ if outcome
                .bounds
                .contains(&weft_sync::explore::Bound::TimeBudget) =>
            {
                budget_spent = true;
                break None;
            }
            _ => bound += 1,
        }
    };
    let first_steps = raw.log.steps.len();
    let first_schedule = raw.schedule.clone();
    let (failure, preemptions) = match best {
        Some(found) => found,
        // The failure needs the bound it was found at (or the budget ran
        // out): it is its own minimum as far as is known.
        None => match found_bound {
            Some(b) if !budget_spent => (raw, b),
            _ => return (raw, None),
        },
    };
    let steps = failure.log.steps.len();
    (
        failure,
        Some(Shrunk {
            first_schedule,
            first_preemptions: None,
            first_steps,
            preemptions,
            steps,
            replays,
            elapsed: start.elapsed(),
            budget_spent,
            // loom cannot be made to run a swapped schedule: no flip point.
            flip_point: None,
            as_found: Vec::new(),
            flip_replays: 0,
        }),
    )
}
