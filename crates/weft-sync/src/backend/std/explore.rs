//! The std "exploration": a stress run of the body on real threads.

use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;
use std::time::Instant;

use crate::explore::{
    Backend, Bound, ExploreConfig, ExploreOutcome, FailureKind, RawFailure, ScheduleRecord,
};
use crate::record::panic_message;

/// The backend this build uses.
pub const BACKEND: Backend = Backend::Std;

/// Runs `body` `iterations` times (default [`crate::explore::STD_DEFAULT_ITERATIONS`])
/// or until the time budget is spent, stopping at the first panic.
///
/// The runs happen on a thread of their own, watched: a model still running
/// after `config.std_timeout` (a deadlock, an endless loop) fails as a step
/// limit instead of hanging the test run. Its threads cannot be stopped on
/// real threads: they are left behind, blocked, and the test binary goes on.
pub fn explore(config: &ExploreConfig, body: Arc<dyn Fn() + Send + Sync>) -> ExploreOutcome {
    #[cfg(feature = "lockdep")]
    let outer_policy = super::lockdep::set_policy(config.lock_order);
    let outcome = watched(config, body);
    #[cfg(feature = "lockdep")]
    super::lockdep::set_policy(outer_policy);
    outcome
}

fn watched(config: &ExploreConfig, body: Arc<dyn Fn() + Send + Sync>) -> ExploreOutcome {
    let start = Instant::now();
    let limit = config.std_timeout;
    let (tx, rx) = std::sync::mpsc::channel();
    let runs = config.clone();
    // Named as the test's thread, so that a panic's message reads the same.
    let name = std::thread::current()
        .name()
        .unwrap_or("weft-std-model")
        .to_string();
    let spawned = std::thread::Builder::new().name(name).spawn(move || {
        let _ = tx.send(stress(&runs, body));
    });
    if let Err(e) = spawned {
        return outcome(
            0,
            start,
            Some(RawFailure::new(
                FailureKind::Unsupported,
                format!("weft: could not start the std-mode run's thread: {e}"),
                ScheduleRecord::Std { iteration: 0 },
            )),
        );
    }
    match rx.recv_timeout(limit) {
        Ok(outcome) => outcome,
        Err(_) => outcome(
            0,
            start,
            Some(RawFailure::new(
                FailureKind::StepLimit,
                format!(
                    "the model did not finish within {limit:?} on real threads (WEFT_STD_TIMEOUT): a deadlock, or a loop that never ends; its threads are left running. Run it under a checker (--features loom or --features shuttle) to see the interleaving"
                ),
                ScheduleRecord::Std { iteration: 0 },
            )),
        ),
    }
}

fn outcome(executions: usize, start: Instant, failure: Option<RawFailure>) -> ExploreOutcome {
    // Real threads explore nothing: a stress run is never exhaustive.
    ExploreOutcome {
        executions,
        elapsed: start.elapsed(),
        complete: false,
        bounds: vec![Bound::StressRun],
        failure: failure.map(Box::new),
        sites: Vec::new(),
        workers: 1,
        found_by: None,
        single_schedule: false,
        coverage: None,
        estimated_tree: None,
        spinners_held: 0,
    }
}

/// The stress run itself.
fn stress(config: &ExploreConfig, body: Arc<dyn Fn() + Send + Sync>) -> ExploreOutcome {
    let start = Instant::now();
    let iterations = config
        .iterations
        .unwrap_or(crate::explore::STD_DEFAULT_ITERATIONS);
    let mut executions = 0;
    while executions < iterations {
        if config
            .time_budget
            .is_some_and(|budget| start.elapsed() >= budget)
        {
            break;
        }
        executions += 1;
        if let Err(payload) = panic::catch_unwind(AssertUnwindSafe(|| body())) {
            let message = panic_message(payload.as_ref());
            #[allow(unused_mut)]
            let mut failure = RawFailure::new(
                FailureKind::Assertion,
                message,
                ScheduleRecord::Std {
                    iteration: executions,
                },
            );
            // With the `lockdep` feature: a lock-order cycle's panic.
            #[cfg(feature = "lockdep")]
            if let Some(cycle) = super::lockdep::take_reported(&failure.message) {
                failure.kind = FailureKind::PotentialDeadlock;
                failure.lock_cycle = Some(cycle);
            }
            return outcome(executions, start, Some(failure));
        }
    }
    outcome(executions, start, None)
}
