//! A search on shuttle runs without the step recorder
//! ([`crate::trace_events`]); the failing execution it finds is replayed
//! once with it, to get the user's `tracing` events back among its steps.
//!
//! Why: shuttle parks a task's scoped default dispatcher whenever the task
//! switches out (`tracing::dispatcher::set_default`, which writes
//! tracing-core's process-wide count of scoped dispatchers, and drops it
//! when the task switches back in). With the recorder installed for the
//! whole search, the workers of a parallel search wrote that one shared
//! cache line at every task switch: 2 workers ran 1.72x faster than 1,
//! against 1.89-1.97x without it (`benches/dpor_workers.rs`, 369,600
//! executions). During the search the default is a dispatcher that
//! records nothing ([`crate::trace_events::quiet`]), for which shuttle
//! parks nothing; it also keeps a global subscriber of the user's from
//! receiving the events of every execution explored, as the recorder did.
//! A user event is a step of no object: it orders nothing, so the search
//! explores the same executions with or without it.

use std::time::{Duration, Instant};

use weft_sync::explore::{Backend, ExploreConfig, ExploreOutcome, RawFailure, ScheduleRecord};

use crate::shrink::{guided, replay_config, shrinkable, signature};

/// Whether `config` is run without the step recorder: a search on shuttle
/// (a replay, which runs one execution, records).
pub(crate) fn quiet_search(config: &ExploreConfig) -> bool {
    Backend::current() == Backend::Shuttle && config.replay.is_none()
}

/// The failure a quiet search found, as a replay with the recorder (run
/// by `run`) records it, and the time that replay took; `found` as it is
/// when there is nothing to replay, or when the replay does not fail the
/// same way (a model that is not deterministic).
pub(crate) fn with_events(
    config: &ExploreConfig,
    found: RawFailure,
    run: &dyn Fn(&ExploreConfig) -> ExploreOutcome,
) -> (RawFailure, Option<Duration>) {
    if !quiet_search(config) || !shrinkable(found.kind) {
        return (found, None);
    }
    let ScheduleRecord::Shuttle { seed, decisions } = &found.schedule else {
        return (found, None);
    };
    let start = Instant::now();
    let again = run(&guided(&replay_config(config, *seed), *seed, decisions));
    let took = Some(start.elapsed());
    match again.failure {
        Some(again) if signature(&again) == signature(&found) => (*again, took),
        _ => (found, took),
    }
}
