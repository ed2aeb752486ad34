//! The model driver: runs the body once per engine execution with recording
//! on, turns the failing execution into a [`RawFailure`], and replays.

use std::cell::RefCell;
use std::collections::HashSet;
use std::panic;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::sync::{Arc, Mutex as StdMutex, Once};
use std::time::Instant;

use super::engine;
use super::recorder::{self, Execution};
use super::thread::reset_handles;
use crate::explore::{
    Access, Backend, Bound, ExploreConfig, ExploreOutcome, FailureKind, Race, RawFailure,
    ScheduleRecord, SchedulerKind,
};
use crate::reach::Site;
use crate::record::{Loc, Op, ThreadState};

/// The backend of this build.
pub const BACKEND: Backend = engine::BACKEND;

/// Panic locations carry borrowed file names; reports keep `&'static str`,
/// so each distinct file name is leaked once.
fn intern(file: &str) -> &'static str {
    static FILES: StdMutex<Option<HashSet<&'static str>>> = StdMutex::new(None);
    let mut files = FILES.lock().unwrap_or_else(|e| e.into_inner());
    let set = files.get_or_insert_with(HashSet::new);
    if let Some(f) = set.get(file) {
        return f;
    }
    let leaked: &'static str = Box::leak(file.to_owned().into_boxed_str());
    set.insert(leaked);
    leaked
}

/// weft's panic hook: panics inside an exploration are recorded for the
/// report instead of printed (the report prints them, once, in context).
fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The engine may install a hook of its own (shuttle does, on its
        // first run): weft's wraps the hook that was there before it, so
        // that panics outside an exploration print exactly as without weft.
        let previous = panic::take_hook();
        panic::set_hook(Box::new(|_| {}));
        engine::init();
        let _engine_hook = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if engine::is_stop(info.payload()) {
                return;
            }
            if recorder::active() {
                let message = crate::record::panic_message(info.payload());
                let location = info.location().map(|l| Loc {
                    file: intern(l.file()),
                    line: l.line(),
                    column: l.column(),
                });
                let engine_failure = engine::classify_engine_panic(&message).is_some()
                    || message.starts_with("weft: ");
                if recorder::capture_panic(message, location, engine_failure) {
                    return;
                }
            }
            previous(info);
        }));
    });
}

thread_local! {
    /// The `sometimes!`/`reachable!` sites the exploration running on this
    /// OS thread evaluated, and whether any evaluation satisfied each (model
    /// threads are the engine's coroutines on the exploring thread).
    static SITES: RefCell<Option<Vec<(&'static Site, bool)>>> = const { RefCell::new(None) };
}

/// Records one evaluation of a site, inside a model's execution.
pub fn site_evaluated(site: &'static Site, satisfied: bool) {
    if !recorder::active() {
        return;
    }
    SITES.with(|s| {
        if let Some(sites) = s.borrow_mut().as_mut() {
            match sites
                .iter_mut()
                .find(|(known, _)| std::ptr::eq(*known, site))
            {
                Some((_, seen)) => *seen |= satisfied,
                None => sites.push((site, satisfied)),
            }
        }
    });
}

/// Explores `body` on the engine.
pub fn explore(config: &ExploreConfig, body: Arc<dyn Fn() + Send + Sync>) -> ExploreOutcome {
    install_panic_hook();
    let start = Instant::now();
    let budget = config.time_budget;
    let max_steps = config.max_steps;
    let (replay_decisions, loom_target) = match config.replay.as_ref().map(|r| &r.schedule) {
        Some(ScheduleRecord::Shuttle { decisions, .. }) => (Some(decisions.clone()), None),
        // A captured path starts loom's search at the recorded execution:
        // it is the first one run.
        Some(ScheduleRecord::Loom {
            execution, path, ..
        }) => (None, Some(if path.is_some() { 1 } else { *execution })),
        _ => (None, None),
    };
    let expected = config
        .replay
        .as_ref()
        .filter(|r| !r.guided)
        .map(|r| r.expected.clone());
    let replaying = config.replay.is_some();
    let max_executions = config.max_executions;
    let spurious_wakeups = config.spurious_wakeups;
    let budget_hit = Arc::new(AtomicBool::new(false));
    let limit_hit = Arc::new(AtomicBool::new(false));
    let used_choice = Arc::new(AtomicBool::new(false));
    let stopped = Arc::new(AtomicBool::new(false));
    let (hit, limit, chose) = (budget_hit.clone(), limit_hit.clone(), used_choice.clone());
    let (stop, was_stopped) = (config.stop.clone(), stopped.clone());
    // The first lock-order cycle closed (under `Policy::Fail`),
    // as the failure of the execution that closed it: reported when the
    // search ends with no other failure.
    let pending_potential: Arc<StdMutex<Option<RawFailure>>> = Arc::new(StdMutex::new(None));
    let potential = pending_potential.clone();
    let schedule_config = config.clone();
    let per_execution = move |n: usize| -> bool {
        // Another worker found a failure: start nothing more.
        if !replaying && stop.as_ref().is_some_and(|s| s.load(SeqCst)) {
            was_stopped.store(true, SeqCst);
            return false;
        }
        if !replaying && n > 1 && budget.is_some_and(|b| start.elapsed() >= b) {
            hit.store(true, SeqCst);
            return false;
        }
        if !replaying && max_executions.is_some_and(|max| n > max) {
            limit.store(true, SeqCst);
            return false;
        }
        let is_target = loom_target.is_none_or(|t| t == n);
        recorder::begin(
            max_steps,
            if is_target { expected.clone() } else { None },
            spurious_wakeups,
        );
        reset_handles();
        super::lock_order::execution_began();
        // The checks after the body fail the execution like a panic of
        // main's: inside `run_thread` too.
        recorder::run_thread(|| {
            body();
            check_leaked_threads();
            // Every thread has finished: main's thread-locals and the lazy
            // statics can be dropped (inside the execution, before the leak
            // checks: what they own is no leak).
            super::thread_local::execution_ended();
            super::lazy_lock::execution_ended();
            check_leaked_arcs();
            super::alloc::check_leaks();
        });
        if let Some(closed) = super::lock_order::take_closed() {
            // Reported only if the search finds nothing worse (a deadlock).
            let mut pending = potential.lock().unwrap_or_else(|e| e.into_inner());
            if pending.is_none() {
                *pending = potential_deadlock(&schedule_config, n, closed);
            }
        }
        if recorder::with(|e| e.used_choice) == Some(true) {
            chose.store(true, SeqCst);
        }
        // The DPOR search needs what the last step did before the
        // recording goes.
        engine::execution_ended(recorder::effects_since);
        recorder::with(|e| super::coverage::observe(&e.log));
        recorder::recycle();
        // A loom replay stops after the recorded execution.
        !(replaying && is_target)
    };
    let outer_sites = SITES.with(|s| s.borrow_mut().replace(Vec::new()));
    let outer_coverage = super::coverage::start();
    engine::count_steps_with(recorder::steps_recorded);
    let outer_lock_order = super::lock_order::start(config.lock_order);
    let run = engine::run(
        config,
        replay_decisions,
        per_execution,
        recorder::effects_since,
    );
    let sites = SITES.with(|s| std::mem::replace(&mut *s.borrow_mut(), outer_sites));
    let coverage = super::coverage::finish(outer_coverage);
    let execution = recorder::finish();
    let elapsed = start.elapsed();
    let weft_stopped = budget_hit.load(SeqCst);
    let budget_hit = weft_stopped || run.budget_spent;
    let limit_hit = limit_hit.load(SeqCst);
    // The engine counted the execution that weft stopped before it ran.
    let ran = run.executions.saturating_sub(usize::from(
        weft_stopped || limit_hit || stopped.load(SeqCst),
    ));
    let bounds = bounds_of(
        config,
        budget_hit,
        match (limit_hit, max_executions) {
            (true, Some(max)) => Some(max),
            _ if run.limit_reached => Some(config.iterations.unwrap_or(run.executions)),
            _ => None,
        },
        used_choice.load(SeqCst),
        run.unwinding_serialized,
    );

    // A panic that escaped a model thread, which the engine may never have
    // seen (shuttle is stopped before it does, so that it prints nothing).
    let escaped = execution.as_ref().and_then(recorder::escaped_panic);
    // The recorded one comes first: it may be an earlier panic than the
    // one the engine saw (see `run_thread`).
    let failure = match escaped.or(run.panic) {
        Some(message) => Some(failure_from(config, message, execution, run.executions)),
        None => match pending_potential
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            Some(potential) => Some(potential),
            None if replaying => replay_passed(config, run.executions),
            None => None,
        },
    };
    let failure = failure.map(|mut f| {
        loom_schedule(config, &mut f.schedule, run.loom_path);
        f
    });
    super::lock_order::restore(outer_lock_order);
    ExploreOutcome {
        executions: ran,
        elapsed,
        complete: run.complete && !budget_hit && !limit_hit && failure.is_none(),
        bounds,
        failure: failure.map(Box::new),
        sites: sites.unwrap_or_default(),
        workers: 1,
        found_by: None,
        single_schedule: run.single_schedule,
        coverage,
        estimated_tree: run.estimated_tree,
        spinners_held: run.spinners_held,
    }
}

/// Completes a failure's loom schedule: with the path loom wrote for it,
/// if the search captured that execution's; or, in a replay that started
/// from a captured path, as the record replayed (the replay's own index,
/// 1, is no index in the search the trace came from).
fn loom_schedule(config: &ExploreConfig, schedule: &mut ScheduleRecord, captured: Option<String>) {
    let ScheduleRecord::Loom {
        execution, path, ..
    } = schedule
    else {
        return;
    };
    match config.replay.as_ref().map(|r| &r.schedule) {
        Some(replayed @ ScheduleRecord::Loom { path: Some(_), .. }) => *schedule = replayed.clone(),
        _ if config.loom_path_at == Some(*execution) => *path = captured,
        _ => {}
    }
}

/// Why a passing exploration of `config` is not a proof that the model
/// has no bug, given how the exploration stopped.
fn bounds_of(
    config: &ExploreConfig,
    budget_hit: bool,
    limit: Option<usize>,
    used_choice: bool,
    unwinding_serialized: bool,
) -> Vec<Bound> {
    let mut bounds = Vec::new();
    // A systematic search: shuttle's DFS or weft's DPOR.
    let dfs = matches!(config.scheduler, SchedulerKind::Dfs | SchedulerKind::Dpor);
    match BACKEND {
        Backend::Loom => {
            if let Some(n) = config.preemption_bound {
                bounds.push(Bound::PreemptionBound(n));
            }
        }
        _ if !dfs => bounds.push(Bound::SampledSchedules(config.scheduler)),
        _ => {}
    }
    if budget_hit {
        bounds.push(Bound::TimeBudget);
    }
    if let Some(n) = limit {
        bounds.push(Bound::IterationLimit(n));
    }
    if used_choice {
        match BACKEND {
            Backend::Loom => bounds.push(Bound::ChoiceNotExplored),
            // A random scheduler's choices are as random as its schedules.
            // DPOR explores every value.
            _ if config.scheduler == SchedulerKind::Dpor => {}
            _ if dfs => bounds.push(Bound::ChoiceRandomOnDfs),
            _ => {}
        }
    }
    if unwinding_serialized && dfs {
        bounds.push(Bound::UnwindingSerialized);
    }
    if BACKEND == Backend::Loom {
        bounds.push(Bound::LoomDpor);
    }
    bounds
}

/// Fails the execution if a spawned thread is still running when the
/// model's main closure returns.
fn check_leaked_threads() {
    let leaked = recorder::with(|e| {
        e.log
            .threads
            .iter()
            .skip(1)
            .find(|t| t.state != ThreadState::Finished)
            .map(|t| (t.id, t.name.clone(), t.spawned_at))
    })
    .flatten();
    if let Some((id, name, spawned_at)) = leaked {
        let at = spawned_at
            .map(|l| format!(" (spawned at {l})"))
            .unwrap_or_default();
        recorder::fail(recorder::DetectedFailure {
            kind: FailureKind::LeakedThread,
            message: format!(
                "thread `{name}`{at} was still running when the model's main closure returned: join it before returning (or spawn it in thread::scope)"
            ),
            thread: Some(id),
            location: spawned_at,
            race: None,
        });
    }
}

/// Fails the execution if an `Arc` allocation made in it is still alive
/// when every thread has finished (loom's leak check).
fn check_leaked_arcs() {
    if let Some((object, created_at)) = recorder::leaked_arc() {
        let name = recorder::object_name(object);
        recorder::fail(recorder::DetectedFailure {
            kind: FailureKind::Leak,
            message: format!(
                "`{name}` (an Arc created at {created_at}) was never freed: a reference to it was still alive when the execution ended (a reference cycle, or a value leaked with mem::forget or a static)"
            ),
            thread: Some(0),
            location: Some(created_at),
            race: None,
        });
    }
}

/// The failure a lock-order cycle is, from the execution `n` that closed
/// it (which ran to its end: it did not deadlock).
fn potential_deadlock(
    config: &ExploreConfig,
    n: usize,
    (cycle, thread, at): (crate::lockdep::LockCycle, usize, Loc),
) -> Option<RawFailure> {
    let log = recorder::with(|e| e.log.clone())?;
    let mut failure = RawFailure::new(
        FailureKind::PotentialDeadlock,
        cycle.message(),
        schedule_of(config, n),
    );
    failure.thread = Some(thread);
    failure.location = Some(at);
    failure.lock_cycle = Some(cycle);
    failure.log = log;
    failure.preemptions = engine::execution_preemptions();
    Some(failure)
}

fn schedule_of(config: &ExploreConfig, executions: usize) -> ScheduleRecord {
    match BACKEND {
        Backend::Loom => ScheduleRecord::Loom {
            execution: executions,
            preemption_bound: config.preemption_bound,
            path: None,
        },
        _ => ScheduleRecord::Shuttle {
            seed: config.seed.unwrap_or(0),
            decisions: engine::current_decisions(),
        },
    }
}

/// A replay whose execution passed: the program no longer fails there.
fn replay_passed(config: &ExploreConfig, executions: usize) -> Option<RawFailure> {
    let message = match engine::replay_divergence() {
        Some(why) => format!(
            "the schedule diverged at {why}; the program changed since the trace was recorded: run the model again to record a new trace"
        ),
        None => "the schedule diverged: the replayed execution ran to the end without failing; the program changed since the trace was recorded: run the model again to record a new trace".to_string(),
    };
    Some(RawFailure::new(
        FailureKind::ReplayDiverged,
        message,
        schedule_of(config, executions),
    ))
}

fn failure_from(
    config: &ExploreConfig,
    message: String,
    execution: Option<Execution>,
    executions: usize,
) -> RawFailure {
    let schedule = schedule_of(config, executions);
    let Some(mut exec) = execution else {
        return RawFailure::new(FailureKind::Assertion, message, schedule);
    };
    let mut failure = if let Some(detected) = exec.failure.take() {
        RawFailure {
            kind: detected.kind,
            message: detected.message,
            thread: detected.thread,
            location: detected.location,
            race: detected.race,
            lock_cycle: None,
            log: ExecutionLog::default(),
            schedule,
            preemptions: None,
        }
    } else if let Some(kind) = engine::classify_engine_panic(&message) {
        let mut f = RawFailure::new(kind, engine_message(kind, &message), schedule);
        if kind == FailureKind::DataRace {
            f.race = loom_race(&exec);
            if let Some(r) = &f.race {
                f.thread = Some(r.second.thread);
                f.location = Some(r.second.location);
                f.message = recorder::race_message(&exec.log, r);
            }
        }
        f
    } else {
        // A panic of the model: prefer the recorded panic that escaped.
        let captured = recorder::escaped_capture(&exec)
            .or_else(|| exec.panics.iter().rev().find(|p| p.message == message))
            .or(exec.panics.last())
            .cloned();
        let mut f = RawFailure::new(FailureKind::Assertion, message, schedule);
        if let Some(p) = captured {
            f.message = p.message;
            f.thread = Some(p.thread);
            f.location = p.location;
            // The interleaving ends at the panic: the unwinding after it
            // (guards dropped, locks released) is not part of the failure.
            exec.log.steps.truncate(p.steps);
            exec.log.threads = p.threads;
        }
        f
    };
    if failure.kind == FailureKind::StepLimit && failure.thread.is_none() {
        failure.thread = exec.log.steps.last().map(|e| e.thread);
    }
    // Threads still waiting are the blocked ones; the rest were runnable.
    for t in &mut exec.log.threads {
        if t.state != ThreadState::Finished {
            // (A woken waiter that has not run yet was runnable.)
            t.state = if t.waiting.as_ref().is_some_and(|w| !w.woken) {
                ThreadState::Blocked
            } else {
                ThreadState::Running
            };
        }
    }
    failure.log = exec.log;
    failure.preemptions = engine::execution_preemptions();
    failure
}

use crate::record::ExecutionLog;

fn engine_message(kind: FailureKind, raw: &str) -> String {
    match kind {
        FailureKind::Deadlock => recorder::ALL_BLOCKED.to_string(),
        FailureKind::StepLimit => format!(
            "the execution did not finish within the engine's step bound ({}): a livelock, or a loop that never yields",
            raw.lines().next().unwrap_or(raw)
        ),
        _ => raw.lines().next().unwrap_or(raw).to_string(),
    }
}

/// loom detected a race on the last cell access: the other side is the
/// latest conflicting access to that cell by another thread.
fn loom_race(exec: &Execution) -> Option<Race> {
    let (object, second) = exec.last_cell_access.clone()?;
    let first = exec.log.steps.iter().rev().find(|e| {
        e.object == Some(object)
            && e.thread != second.thread
            && (matches!(e.op, Op::CellWrite)
                || (matches!(e.op, Op::CellRead)
                    && second.kind == crate::explore::AccessKind::Write))
    })?;
    Some(Race {
        object,
        first: Access {
            thread: first.thread,
            kind: if matches!(first.op, Op::CellWrite) {
                crate::explore::AccessKind::Write
            } else {
                crate::explore::AccessKind::Read
            },
            location: first.location,
        },
        second,
    })
}
