//! Explains a loom failure by its stale read and, within a budget, re-runs
//! the model with strengthened orderings to find a repair hint.

use std::path::Path;
use std::time::Instant;

use weft_sync::explore::{Bound, ExploreConfig, ExploreOutcome};
use weft_sync::ordering_override::with_overrides;

use crate::failure::Failure;
use crate::repair::{self, Budget, WEFT_REPAIR};
use crate::weak_memory;

/// Adds the stale read that explains `failure` (if one does) and, unless
/// `WEFT_REPAIR=off`, the smallest ordering change under which the model
/// passes. `run` explores the model with `config` (on the thread that
/// calls this: the override table is per OS thread).
///
/// # Panics
///
/// With a one-line message when `WEFT_REPAIR` is invalid.
pub(crate) fn explain(
    failure: &mut Failure,
    config: &ExploreConfig,
    run: &dyn Fn(&ExploreConfig) -> ExploreOutcome,
) {
    let Some(stale) = weak_memory::stale_read(&failure.log, failure.thread) else {
        return;
    };
    let value = std::env::var(WEFT_REPAIR).ok();
    let budget = match Budget::from_env_value(value.as_deref()) {
        Ok(budget) => budget,
        Err(e) => panic!("weft: {e}"),
    };
    if let Some(budget) = budget {
        let sites = repair::candidate_sites(&failure.log, &stale);
        let start = Instant::now();
        let mut rerun = config.clone();
        rerun.replay = None;
        failure.repair = Some(repair::search(&sites, budget, |table| {
            // No one re-run may take the whole budget.
            rerun.time_budget = Some(budget.time.saturating_sub(start.elapsed()));
            let outcome = with_overrides(table, || run(&rerun));
            // A pass under a time budget that cut the exploration short is
            // not one.
            outcome.failure.is_none() && !outcome.bounds.contains(&Bound::TimeBudget)
        }));
    }
    failure.stale_read = Some(stale);
}

/// For a replay of the trace at `trace`: the stale read of the replayed
/// execution, and the repair hint the trace recorded for that same stale
/// read (a replay re-runs nothing to find one).
pub(crate) fn explain_replay(failure: &mut Failure, trace: &Path) {
    let Some(stale) = weak_memory::stale_read(&failure.log, failure.thread) else {
        return;
    };
    failure.repair = crate::trace::read_trace(trace)
        .ok()
        .and_then(|t| t.weak_memory)
        .filter(|w| w.to_stale_read() == stale)
        .and_then(|w| w.to_repair());
    failure.stale_read = Some(stale);
}
