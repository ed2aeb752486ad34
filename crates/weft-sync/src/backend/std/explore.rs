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
pub fn explore(config: &ExploreConfig, body: Arc<dyn Fn() + Send + Sync>) -> ExploreOutcome {
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
            let failure = RawFailure::new(
                FailureKind::Assertion,
                panic_message(payload.as_ref()),
                ScheduleRecord::Std {
                    iteration: executions,
                },
            );
            return ExploreOutcome {
                executions,
                elapsed: start.elapsed(),
                complete: false,
                bounds: vec![Bound::StressRun],
                failure: Some(Box::new(failure)),
            };
        }
    }
    // Real threads explore nothing: a stress run is never exhaustive.
    ExploreOutcome {
        executions,
        elapsed: start.elapsed(),
        complete: false,
        bounds: vec![Bound::StressRun],
        failure: None,
    }
}
