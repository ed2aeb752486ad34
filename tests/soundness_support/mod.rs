//! What the two soundness property tests (`dpor_soundness.rs`,
//! `dpor_against_dfs.rs`) share: their proptest configuration, and the
//! exploration of one random program that collects its final states.

use std::collections::BTreeSet;
use std::fmt::Debug;
use std::sync::{Arc, Mutex as StdMutex};
use std::time::Duration;

use proptest::test_runner::{Config, RngSeed};
use weft::Scheduler;

/// `default_cases` programs (`WEFT_SOUNDNESS_CASES` for another number),
/// drawn from `default_seed` (`PROPTEST_RNG_SEED` for another): the same
/// programs on every CI run, so a red run is a change, never luck.
pub(crate) fn config(default_cases: u32, default_seed: u64) -> Config {
    let env = |name: &str| std::env::var(name).ok();
    Config {
        cases: env("WEFT_SOUNDNESS_CASES")
            .and_then(|v| v.parse().ok())
            .unwrap_or(default_cases),
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(
            env("PROPTEST_RNG_SEED")
                .and_then(|v| v.parse().ok())
                .unwrap_or(default_seed),
        ),
        ..Config::default()
    }
}

/// Explores `program` (run by `run`, which inserts each execution's final
/// state) with `scheduler` on `workers`, at most `iterations` executions
/// when given; returns the final states, the executions and whether the
/// search finished. A failure panics with the program.
pub(crate) fn final_states<P, S>(
    name: &str,
    program: &P,
    scheduler: Scheduler,
    iterations: Option<usize>,
    workers: usize,
    run: fn(&P, &StdMutex<BTreeSet<S>>),
) -> (BTreeSet<S>, usize, bool)
where
    P: Clone + Debug + Send + Sync + 'static,
    S: Ord + Send + 'static,
{
    let states = Arc::new(StdMutex::new(BTreeSet::new()));
    let (p, s) = (program.clone(), states.clone());
    let mut model = weft::Model::new()
        .name(format!("{name}_{scheduler}"))
        .scheduler(scheduler)
        .workers(workers)
        .time_budget(Duration::from_secs(600));
    if let Some(n) = iterations {
        model = model.iterations(n);
    }
    let stats = model
        .explore(move || run(&p, &s))
        .unwrap_or_else(|f| panic!("{program:?}: {f}"));
    let found = std::mem::take(&mut *states.lock().unwrap());
    (found, stats.executions(), stats.is_search_complete())
}
