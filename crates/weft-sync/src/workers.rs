//! Exploring on several OS threads at once ([`ExploreConfig::workers`]),
//! and the portfolio of strategies ([`SchedulerKind::Portfolio`]).
//!
//! shuttle's runtime, weft's recorder and the engine adapter keep all
//! their state in thread-locals, so each OS thread runs an exploration of
//! its own: worker 0 on the calling thread, the others on scoped threads
//! that inherit the caller's `tracing` dispatcher (the user's events
//! become steps there too). The workers share only a stop flag, checked
//! between executions, and the first failure found: the first worker to
//! fail sets the flag, and the others end after the execution under way.
//! (A potential deadlock is the exception: it stops no one, and any other
//! failure a worker reports takes its place.)
//!
//! weft's DPOR search on several workers splits one search tree among
//! them instead ([`crate::dpor::parallel`]): each worker runs its own
//! engine, and they share the tree's published nodes and queue of
//! branches, so that no execution is explored twice. Its executions are
//! the sum of the workers'; it is exhaustive only when the shared search
//! finished; the first failure abandons it. The portfolio's DPOR search
//! (worker 0's first turn) stays on one worker: the other workers sample
//! meanwhile, which is the portfolio's point.
//!
//! Determinism: worker `i` explores with [`worker_seed`]`(seed, i)`; a
//! portfolio worker's round `r` with [`round_seed`] of that, and strategy
//! [`PORTFOLIO`]`[(i + r·n) mod 10]`. So every execution a worker runs is
//! a function of the model's seed, the worker count and its index, and
//! the seed a failure names reruns the search that found it on one
//! thread. Which worker fails first is a race: with several workers, a
//! model's seed no longer fixes which failure is reported.

use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::dpor::parallel::Tree;
use crate::dpor::search;
use crate::explore::{
    round_seed, worker_seed, Backend, Bound, ExploreConfig, ExploreOutcome, FailureKind, FoundBy,
    RawFailure, SchedulerKind, PORTFOLIO, PORTFOLIO_DPOR_BUDGET, PORTFOLIO_ROUND,
    SHUTTLE_DEFAULT_ITERATIONS,
};
use crate::reach::Site;

/// Whether `config` explores on the workers' driver: shuttle's sampling
/// schedulers and weft's DPOR search with more than one worker, and every
/// portfolio (one worker takes turns at every strategy). shuttle's DFS,
/// replays, loom and std mode run as before, on the calling thread.
pub(crate) fn applies(config: &ExploreConfig) -> bool {
    Backend::current() == Backend::Shuttle
        && config.replay.is_none()
        && match config.scheduler {
            SchedulerKind::Portfolio => true,
            SchedulerKind::Random | SchedulerKind::Pct { .. } | SchedulerKind::Dpor => {
                config.workers > 1
            }
            SchedulerKind::Dfs => false,
        }
}

/// Worker `i`'s share of `total` among `n`.
fn share(total: usize, n: usize, i: usize) -> usize {
    total / n + usize::from(i < total % n)
}

/// What one worker did.
struct WorkerRuns {
    /// What each engine run (one strategy, one seed) explored.
    runs: Vec<ExploreOutcome>,
    /// The budget ended the worker between two portfolio rounds.
    budget_hit: bool,
}

/// The first failure, and who found it.
struct Found {
    found_by: FoundBy,
    failure: Box<RawFailure>,
}

/// What every worker reads.
struct Plan<'a> {
    config: &'a ExploreConfig,
    body: &'a Arc<dyn Fn() + Send + Sync>,
    workers: usize,
    total: usize,
    seed: u64,
    start: Instant,
    stop: Arc<AtomicBool>,
    found: Mutex<Option<Found>>,
    /// A portfolio's DPOR search finished without a failure: the bounds
    /// of that proof (the other workers' sampling adds nothing to it).
    proof: Mutex<Option<Vec<Bound>>>,
    /// A DPOR search split among the workers: the tree they share.
    tree: Option<Arc<Tree>>,
}

/// Explores `config` on [`ExploreConfig::workers`] threads.
pub(crate) fn explore(config: &ExploreConfig, body: Arc<dyn Fn() + Send + Sync>) -> ExploreOutcome {
    let total = match config.scheduler {
        // Unlimited unless set: the search ends when it has explored all.
        SchedulerKind::Dpor => config.iterations.unwrap_or(usize::MAX),
        _ => config.iterations.unwrap_or(SHUTTLE_DEFAULT_ITERATIONS),
    };
    let plan = Plan {
        config,
        body: &body,
        workers: config.workers.clamp(1, total.max(1)),
        total,
        seed: config.seed.unwrap_or(0),
        start: Instant::now(),
        stop: config.stop.clone().unwrap_or_default(),
        found: Mutex::new(None),
        proof: Mutex::new(None),
        tree: (config.scheduler == SchedulerKind::Dpor)
            .then(|| Arc::new(Tree::with_limit(config.iterations))),
    };
    let dispatch = tracing::dispatcher::get_default(|d| d.clone());
    // One lock-order graph for all the workers: an inversion whose two
    // orders two workers' executions took is still a cycle.
    let lock_graph = Arc::new(crate::lockdep::SharedGraph::default());
    let worker = |plan: &Plan<'_>, i: usize| {
        crate::lockdep::with_shared(lock_graph.clone(), || worker(plan, i))
    };
    let all: Vec<WorkerRuns> = std::thread::scope(|scope| {
        let plan = &plan;
        let worker = &worker;
        let handles: Vec<_> = (1..plan.workers)
            .map(|i| {
                let dispatch = dispatch.clone();
                let spawned = std::thread::Builder::new()
                    .name(format!("weft-worker-{i}"))
                    .spawn_scoped(scope, move || {
                        tracing::dispatcher::with_default(&dispatch, || worker(plan, i))
                    });
                (i, spawned)
            })
            .collect();
        let mut all = vec![worker(plan, 0)];
        for (i, spawned) in handles {
            match spawned {
                Ok(handle) => match handle.join() {
                    Ok(runs) => all.push(runs),
                    Err(payload) => std::panic::resume_unwind(payload),
                },
                // No thread for it (the process is out of threads): the
                // worker explores its share here, after worker 0, with
                // the same seeds.
                Err(_) => all.push(worker(plan, i)),
            }
        }
        all
    });
    merge(&plan, all)
}

/// Worker `i`: its share of the executions, as one run (a single
/// strategy) or as portfolio rounds.
fn worker(plan: &Plan<'_>, i: usize) -> WorkerRuns {
    if let Some(tree) = &plan.tree {
        return dpor_worker(plan, i, tree);
    }
    let config = plan.config;
    let n = plan.workers;
    let mine = share(plan.total, n, i);
    let min = config.soft_budget.map(|(b, min)| (b, share(min, n, i)));
    let seed = worker_seed(plan.seed, i);
    let portfolio = config.scheduler == SchedulerKind::Portfolio;
    let mut out = WorkerRuns {
        runs: Vec::new(),
        budget_hit: false,
    };
    let mut done = 0;
    if portfolio && i == 0 {
        done = dpor_first(plan, mine, &mut out);
    }
    let mut round = 0;
    while done < mine && !plan.stop.load(SeqCst) {
        let elapsed = plan.start.elapsed();
        let hard_spent = config.time_budget.is_some_and(|b| elapsed >= b);
        let soft_spent = min.is_some_and(|(b, min)| done >= min && elapsed >= b);
        if round > 0 && (hard_spent || soft_spent) {
            out.budget_hit = true;
            break;
        }
        let (scheduler, seed, iterations) = if portfolio {
            (
                PORTFOLIO[(i + round * n) % PORTFOLIO.len()],
                round_seed(seed, round),
                PORTFOLIO_ROUND.min(mine - done),
            )
        } else {
            (config.scheduler, seed, mine)
        };
        let mut c = config.clone();
        c.scheduler = scheduler;
        c.seed = Some(seed);
        c.iterations = Some(iterations);
        c.workers = 1;
        c.stop = Some(plan.stop.clone());
        c.time_budget = config.time_budget.map(|b| left(b, elapsed));
        c.soft_budget = min.map(|(b, min)| (left(b, elapsed), min.saturating_sub(done)));
        let mut outcome = crate::backend::explore(&c, plan.body.clone());
        done += outcome.executions;
        let ended = outcome.failure.is_some()
            || outcome.single_schedule
            || outcome.executions < iterations
            || outcome.bounds.contains(&Bound::TimeBudget);
        if let Some(failure) = outcome.failure.take() {
            plan.claim(
                FoundBy {
                    worker: i,
                    workers: n,
                    scheduler,
                    seed,
                },
                failure,
            );
        }
        out.runs.push(outcome);
        if ended {
            break;
        }
        round += 1;
    }
    out
}

/// A portfolio's worker 0 first runs weft's DPOR search, for up to
/// [`PORTFOLIO_DPOR_BUDGET`] (and at most its share of the executions):
/// when it finishes without a failure, the exploration is a proof and
/// every worker stops; when it does not, the
/// verdict says so ([`Bound::DporIncomplete`]) and the worker goes on with
/// its rounds. Returns the executions it ran.
fn dpor_first(plan: &Plan<'_>, mine: usize, out: &mut WorkerRuns) -> usize {
    let config = plan.config;
    let elapsed = plan.start.elapsed();
    let mut c = config.clone();
    c.scheduler = SchedulerKind::Dpor;
    c.iterations = Some(mine);
    c.workers = 1;
    c.stop = Some(plan.stop.clone());
    c.soft_budget = None;
    c.time_budget = Some(match config.time_budget {
        Some(b) => left(b, elapsed).min(PORTFOLIO_DPOR_BUDGET),
        None => PORTFOLIO_DPOR_BUDGET,
    });
    let mut outcome = crate::backend::explore(&c, plan.body.clone());
    if let Some(failure) = outcome.failure.take() {
        plan.claim(
            FoundBy {
                worker: 0,
                workers: plan.workers,
                scheduler: SchedulerKind::Dpor,
                seed: plan.seed,
            },
            failure,
        );
    } else if outcome.complete {
        *plan.proof.lock().unwrap_or_else(|e| e.into_inner()) = Some(outcome.bounds.clone());
        plan.stop.store(true, SeqCst);
    } else {
        // Its time or execution limit was its slice's, not the
        // exploration's: the verdict names the unfinished search instead.
        outcome.bounds = vec![Bound::DporIncomplete(outcome.executions)];
    }
    let ran = outcome.executions;
    out.runs.push(outcome);
    ran
}

/// Worker `i` of a DPOR search split among the workers: one engine run
/// that works on the shared tree until the search ends. A run that ends
/// before (a failure, the time budget, the tree's execution limit)
/// abandons the search: the others end after their execution under way.
fn dpor_worker(plan: &Plan<'_>, i: usize, tree: &Arc<Tree>) -> WorkerRuns {
    let config = plan.config;
    let mut c = config.clone();
    c.workers = 1;
    c.stop = Some(plan.stop.clone());
    // The search's execution limit, if any, is the tree's: a worker
    // whose part ended early leaves the rest of it to the others.
    let mut outcome = search::with_tree(tree.clone(), || {
        crate::backend::explore(&c, plan.body.clone())
    });
    if !outcome.complete {
        tree.abandon();
    }
    if let Some(failure) = outcome.failure.take() {
        plan.claim(
            FoundBy {
                worker: i,
                workers: plan.workers,
                scheduler: SchedulerKind::Dpor,
                seed: plan.seed,
            },
            failure,
        );
    }
    WorkerRuns {
        runs: vec![outcome],
        budget_hit: false,
    }
}

impl Plan<'_> {
    /// Keeps `failure` if it is the first, and stops every worker; but
    /// see [`takes_over`] for a potential deadlock.
    fn claim(&self, found_by: FoundBy, failure: Box<RawFailure>) {
        let mut found = self.found.lock().unwrap_or_else(|e| e.into_inner());
        if takes_over(found.as_ref().map(|f| f.failure.kind), failure.kind) {
            if failure.kind != FailureKind::PotentialDeadlock {
                self.stop.store(true, SeqCst);
            }
            *found = Some(Found { found_by, failure });
        }
    }
}

/// Whether a worker's failure of kind `new` is the exploration's, where
/// `held` is the kind of the one kept so far. The first failure is, but a
/// potential deadlock gives way to any other failure and stops no
/// worker: a search reports a lock-order cycle only when it ends having
/// found nothing worse, and a worker's search ends as soon as another
/// worker fails. That worker sets the stop flag before it claims its own
/// failure, so the cycle was often claimed first, and a model whose
/// every worker could reach the deadlock itself was reported as a
/// potential deadlock one run in three (`models/partial_deadlock.rs`).
fn takes_over(held: Option<FailureKind>, new: FailureKind) -> bool {
    match held {
        None => true,
        Some(held) => {
            held == FailureKind::PotentialDeadlock && new != FailureKind::PotentialDeadlock
        }
    }
}

/// What is left of `budget` after `elapsed`: at least a nanosecond, so
/// that the engine still sees a budget that is spent.
fn left(budget: Duration, elapsed: Duration) -> Duration {
    budget.saturating_sub(elapsed).max(Duration::from_nanos(1))
}

/// One outcome for the whole exploration: executions summed, the bounds
/// of every run (under a portfolio, its sampling named once as the
/// portfolio's), the sites any worker evaluated, the first failure.
fn merge(plan: &Plan<'_>, all: Vec<WorkerRuns>) -> ExploreOutcome {
    let portfolio = plan.config.scheduler == SchedulerKind::Portfolio;
    let mut executions = 0;
    let mut bounds: Vec<Bound> = Vec::new();
    let mut sites: Vec<(&'static Site, bool)> = Vec::new();
    let mut single_schedule = false;
    let mut spinners_held = 0;
    let mut coverage: Option<crate::record::Coverage> = None;
    // Knuth's estimate from each run's random paths, weighed by its
    // executions: every path is an independent sample of the one tree.
    let (mut estimate_sum, mut estimate_weight) = (0.0, 0usize);
    let add = |bound: Bound, bounds: &mut Vec<Bound>| {
        if !bounds.contains(&bound) {
            bounds.push(bound);
        }
    };
    let mut budget_hit = false;
    for worker in &all {
        budget_hit |= worker.budget_hit;
        for run in &worker.runs {
            executions += run.executions;
            single_schedule |= run.single_schedule;
            spinners_held += run.spinners_held;
            if let Some(seen) = &run.coverage {
                coverage.get_or_insert_with(Default::default).merge(seen);
            }
            if let Some(tree) = run.estimated_tree {
                estimate_sum += tree * run.executions as f64;
                estimate_weight += run.executions;
            }
            for &bound in &run.bounds {
                let bound = match bound {
                    Bound::SampledSchedules(_) if portfolio => {
                        Bound::SampledSchedules(SchedulerKind::Portfolio)
                    }
                    other => other,
                };
                add(bound, &mut bounds);
            }
            for &(site, seen) in &run.sites {
                match sites
                    .iter_mut()
                    .find(|(known, _)| std::ptr::eq(*known, site))
                {
                    Some((_, satisfied)) => *satisfied |= seen,
                    None => sites.push((site, seen)),
                }
            }
        }
    }
    if budget_hit {
        add(Bound::TimeBudget, &mut bounds);
    }
    if single_schedule {
        // Each worker ran the model's one schedule: it is counted once.
        executions = executions.min(1);
    }
    let found = plan.found.lock().unwrap_or_else(|e| e.into_inner()).take();
    let (failure, found_by) = match found {
        Some(found) => (Some(found.failure), Some(found.found_by)),
        None => (None, None),
    };
    let proof = plan.proof.lock().unwrap_or_else(|e| e.into_inner()).take();
    let split = plan.tree.as_ref().map(|tree| {
        // Exhaustive when the shared search finished and every worker's
        // run ended with it.
        failure.is_none()
            && tree.is_finished()
            && all.iter().flat_map(|w| &w.runs).all(|r| r.complete)
    });
    let (complete, bounds) = match proof {
        _ if split.is_some() => (split == Some(true), bounds),
        // The DPOR search covered every interleaving: what the sampling
        // workers did adds nothing to the verdict.
        Some(proof) if failure.is_none() => (true, proof),
        _ => (false, bounds),
    };
    ExploreOutcome {
        executions,
        elapsed: plan.start.elapsed(),
        complete,
        bounds,
        failure,
        sites,
        workers: plan.workers,
        found_by,
        single_schedule,
        coverage,
        estimated_tree: (estimate_weight > 0).then(|| estimate_sum / estimate_weight as f64),
        spinners_held,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_potential_deadlock_gives_way_to_any_other_failure() {
        use FailureKind::{Assertion, Deadlock, PotentialDeadlock};
        assert!(takes_over(None, PotentialDeadlock));
        assert!(takes_over(None, Deadlock));
        assert!(takes_over(Some(PotentialDeadlock), Deadlock));
        assert!(takes_over(Some(PotentialDeadlock), Assertion));
        // The first of two of a kind, or a real failure against a cycle.
        assert!(!takes_over(Some(PotentialDeadlock), PotentialDeadlock));
        assert!(!takes_over(Some(Deadlock), PotentialDeadlock));
        assert!(!takes_over(Some(Deadlock), Assertion));
    }

    #[test]
    fn shares_add_up_to_the_total() {
        for total in [0, 1, 7, 50_000] {
            for n in 1..=5 {
                let sum: usize = (0..n).map(|i| share(total, n, i)).sum();
                assert_eq!(sum, total, "{total} among {n}");
            }
        }
    }

    #[test]
    fn worker_and_round_seeds_are_distinct_and_deterministic() {
        let seeds: Vec<u64> = (0..8).map(|i| worker_seed(7, i)).collect();
        assert_eq!(seeds[0], 7);
        let mut distinct = seeds.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(distinct.len(), 8, "{seeds:?}");
        // Neighbouring shards' seeds do not share a worker's seed.
        assert_ne!(worker_seed(7, 1), 8);
        assert_ne!(worker_seed(8, 0), worker_seed(7, 1));
        assert_eq!(round_seed(9, 0), 9);
        assert_ne!(round_seed(9, 1), round_seed(9, 2));
        assert_eq!(worker_seed(7, 3), seeds[3]);
    }
}
