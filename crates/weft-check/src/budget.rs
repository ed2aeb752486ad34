//! `WEFT_BUDGET`: the most a model may take, with its search scaled to fit
//! (what `cargo weft check --budget` gives each test), and what a budget
//! made an exploration give up, for its stats line.

use std::time::Duration;

use weft_sync::explore::{self, Bound, ExploreConfig};

/// Bounds the DPOR search of the default search on shuttle: at most
/// [`explore::DPOR_DEFAULT_EXECUTIONS`] executions, within its backstop
/// time limit, or within two thirds of a `WEFT_BUDGET` cap.
pub(crate) fn dpor_first(config: &mut ExploreConfig, cap: Option<Duration>) {
    config.soft_budget = None;
    config.iterations = Some(explore::DPOR_DEFAULT_EXECUTIONS);
    config.time_budget = Some(cap.map_or(explore::DPOR_DEFAULT_TIME_LIMIT, |c| c * 2 / 3));
}

/// Sets the random schedules that follow an unfinished DPOR search: their
/// default (a soft budget with a minimum of executions), or under a cap
/// the time it leaves after `spent`, as a hard budget.
pub(crate) fn random_after_dpor(
    config: &mut ExploreConfig,
    cap: Option<Duration>,
    spent: Duration,
) {
    match cap {
        None => {
            config.soft_budget = Some((
                explore::RANDOM_AFTER_DPOR_BUDGET,
                explore::RANDOM_AFTER_DPOR_MIN_ITERATIONS,
            ));
        }
        Some(cap) => {
            config.soft_budget = None;
            config.time_budget = Some(cap.saturating_sub(spent).max(Duration::from_millis(1)));
        }
    }
}

/// Caps any other search at `cap`: its own time budget if shorter, and
/// no soft budget that could outlast the cap.
pub(crate) fn cap(config: &mut ExploreConfig, cap: Duration) {
    config.time_budget = Some(config.time_budget.map_or(cap, |b| b.min(cap)));
    config.soft_budget = None;
}

/// What a time budget made an exploration give up, if it stopped one:
/// `stopped at 40% of the estimated tree` when the random schedules gave
/// an estimate of the whole tree, `stopped after N executions by the time
/// budget` otherwise.
pub(crate) fn stopped(
    bounds: &[Bound],
    executions: usize,
    estimated_tree: Option<f64>,
) -> Option<String> {
    if !bounds.contains(&Bound::TimeBudget) {
        return None;
    }
    Some(match estimated_tree {
        Some(tree) if tree >= 1.0 => {
            let share = (executions as f64 / tree * 100.0).min(100.0);
            let share = if share >= 1.0 {
                format!("{share:.0}%")
            } else if share >= 0.01 {
                format!("{share:.2}%")
            } else {
                "less than 0.01%".to_string()
            };
            let tree = if tree < 1e6 {
                format!("{tree:.0}")
            } else {
                format!("{tree:.1e}")
            };
            format!("stopped at {share} of the estimated tree (~{tree} executions)")
        }
        _ => format!(
            "stopped after {} by the time budget",
            crate::found::counted(executions, "execution")
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_budget_that_stopped_the_search_says_what_it_gave_up() {
        assert_eq!(stopped(&[Bound::IterationLimit(3)], 3, Some(10.0)), None);
        assert_eq!(
            stopped(&[Bound::TimeBudget], 40, Some(100.0)).as_deref(),
            Some("stopped at 40% of the estimated tree (~100 executions)")
        );
        assert_eq!(
            stopped(&[Bound::TimeBudget], 3, Some(1000.0)).as_deref(),
            Some("stopped at 0.30% of the estimated tree (~1000 executions)")
        );
        assert_eq!(
            stopped(&[Bound::TimeBudget], 22_391, Some(1.01e14)).as_deref(),
            Some("stopped at less than 0.01% of the estimated tree (~1.0e14 executions)")
        );
        assert_eq!(
            stopped(&[Bound::TimeBudget], 7, None).as_deref(),
            Some("stopped after 7 executions by the time budget")
        );
        assert_eq!(
            stopped(&[Bound::TimeBudget], 1, None).as_deref(),
            Some("stopped after 1 execution by the time budget")
        );
    }

    #[test]
    fn a_cap_keeps_the_shorter_budget_and_drops_the_soft_one() {
        let mut c = ExploreConfig::new("m".to_string());
        c.soft_budget = Some((Duration::from_secs(3), 10));
        cap(&mut c, Duration::from_secs(2));
        assert_eq!(c.time_budget, Some(Duration::from_secs(2)));
        assert_eq!(c.soft_budget, None);
        c.time_budget = Some(Duration::from_secs(1));
        cap(&mut c, Duration::from_secs(2));
        assert_eq!(c.time_budget, Some(Duration::from_secs(1)));
    }

    #[test]
    fn the_default_search_bounds_dpor_by_executions_and_a_cap_by_time() {
        let mut c = ExploreConfig::new("m".to_string());
        c.soft_budget = Some((Duration::from_secs(3), 10));
        dpor_first(&mut c, None);
        assert_eq!(c.iterations, Some(explore::DPOR_DEFAULT_EXECUTIONS));
        assert_eq!(c.time_budget, Some(explore::DPOR_DEFAULT_TIME_LIMIT));
        assert_eq!(c.soft_budget, None);
        dpor_first(&mut c, Some(Duration::from_secs(30)));
        assert_eq!(c.iterations, Some(explore::DPOR_DEFAULT_EXECUTIONS));
        assert_eq!(c.time_budget, Some(Duration::from_secs(20)));
    }
}
