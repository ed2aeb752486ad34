//! The model builder and the one-line `model(f)`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use weft_sync::explore::{self, Backend, Bound, ExploreConfig, FailureKind, SchedulerKind};
use weft_sync::lockdep::Policy;
use weft_sync::reach::Site;

use crate::env::EnvOverrides;
use crate::failure::Failure;
use crate::stats::Stats;
use crate::trace;
use crate::unoptimized_hint;

/// The `sometimes!`/`reachable!` sites a model whose body has the type
/// path `body` expects and no execution satisfied, in source order: those
/// written inside the body (registered at load, run or not) and those any
/// execution evaluated. Checkers only: a stress run explores nothing.
fn never_reached(body: &str, evaluated: &[(&'static Site, bool)]) -> Vec<&'static Site> {
    if Backend::current() == Backend::Std {
        return Vec::new();
    }
    let satisfied = |site: &Site| {
        evaluated
            .iter()
            .any(|(known, ok)| std::ptr::eq(*known, site) && *ok)
    };
    let mut never: Vec<&'static Site> = weft_sync::reach::registered()
        .into_iter()
        .filter(|site| site.is_inside(body))
        .chain(evaluated.iter().map(|(site, _)| *site))
        .filter(|site| !satisfied(site))
        .collect();
    never.sort_by_key(|site| (site.file(), site.line(), site.label()));
    never.dedup_by(|a, b| std::ptr::eq(*a, *b));
    never
}

/// Explores `f` with every default and panics with the report if a bug is
/// found. The one-line form of [`Model::check`].
///
/// # Examples
///
/// ```
/// use weft_check::model;
/// use weft_sync::sync::{Arc, Mutex};
/// use weft_sync::thread;
///
/// model(|| {
///     let n = Arc::new(Mutex::new(0).named("counter"));
///     let n2 = Arc::clone(&n);
///     let h = thread::spawn(move || *n2.lock().unwrap() += 1);
///     *n.lock().unwrap() += 1;
///     h.join().unwrap();
///     assert_eq!(*n.lock().unwrap(), 2);
/// });
/// ```
///
/// # Panics
///
/// With the failure report when the model fails, or with a one-line error
/// when a `WEFT_*` variable is invalid.
#[track_caller]
pub fn model<F>(f: F)
where
    F: Fn() + Send + Sync + 'static,
{
    Model::new().check(f);
}

/// A model-checking run: which backend settings to explore `f` with.
///
/// Every setting has a default that most models never change: on loom
/// loom's DPOR search with no preemption bound; on shuttle weft's DPOR
/// search ([`Scheduler::Dpor`](crate::Scheduler::Dpor)) for up to
/// [`DPOR_DEFAULT_EXECUTIONS`](weft_sync::explore::DPOR_DEFAULT_EXECUTIONS)
/// executions (100,000), a proof when it finishes within them, and when it
/// does not, the random scheduler for the rest of the budget (at least
/// [`RANDOM_AFTER_DPOR_MIN_ITERATIONS`](weft_sync::explore::RANDOM_AFTER_DPOR_MIN_ITERATIONS)
/// executions), the verdict saying so; on every core
/// ([`Model::workers`]); on std 100 runs on real threads. The `WEFT_*`
/// environment variables override the builder's values.
///
/// # Examples
///
/// ```
/// use weft_check::{Model, Scheduler};
///
/// let stats = Model::new()
///     .name("trivial")
///     .iterations(10)
///     .scheduler(Scheduler::Pct { depth: 2 })
///     .explore(|| {})
///     .unwrap();
/// assert!(stats.executions() >= 1);
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct Model {
    name: Option<String>,
    iterations: Option<usize>,
    seed: Option<u64>,
    /// `None`: the default search (see [`Model::scheduler`]).
    scheduler: Option<SchedulerKind>,
    preemption_bound: Option<usize>,
    max_steps: usize,
    time_budget: Option<Duration>,
    std_timeout: Option<Duration>,
    replay: Option<PathBuf>,
    spurious_wakeups: bool,
    lock_order: Policy,
    expected: Option<FailureKind>,
    /// `None`: the machine's available parallelism.
    workers: Option<usize>,
}

impl Default for Model {
    fn default() -> Self {
        Model::new()
    }
}

impl Model {
    /// A model with every default.
    pub fn new() -> Self {
        Model {
            name: None,
            iterations: None,
            seed: None,
            scheduler: None,
            preemption_bound: None,
            max_steps: explore::DEFAULT_MAX_STEPS,
            time_budget: None,
            std_timeout: None,
            replay: None,
            spurious_wakeups: false,
            lock_order: Policy::Fail,
            expected: None,
            workers: None,
        }
    }

    /// Names the model in reports and trace files (default: the test's
    /// name). A test's second model of one name is called `name#2` (then
    /// `#3`...), so that each has a trace file and a replay of its own.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Executions to run on shuttle and std (loom explores until exhausted).
    pub fn iterations(mut self, n: usize) -> Self {
        self.iterations = Some(n.max(1));
        self
    }

    /// The seed of shuttle's random schedulers (default: a fresh one, reported).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// shuttle's scheduler. By default, weft's DPOR search
    /// ([`SchedulerKind::Dpor`]) runs for up to 100,000 executions
    /// ([`DPOR_DEFAULT_EXECUTIONS`](weft_sync::explore::DPOR_DEFAULT_EXECUTIONS),
    /// a count, so that the verdict is the same in a debug and a release
    /// build, on any machine): when it finishes, the verdict is
    /// exhaustive; when it does not, the random scheduler runs for a
    /// second more (at least 2,000 schedules), and the verdict says both
    /// ([`Bound::DporIncomplete`](crate::Bound::DporIncomplete)). With
    /// `iterations` or a `time_budget` set, the default is the random
    /// scheduler alone. Chosen here (or with `WEFT_SCHEDULER=dpor`), the
    /// DPOR search runs to its end, as loom's does, however long that
    /// takes (a progress line says how far it got), unless `iterations`,
    /// a `time_budget` or `WEFT_BUDGET` bounds it. [`SchedulerKind::Portfolio`] runs random and PCT
    /// schedules in turns on the [`workers`](Self::workers), and its
    /// failure names the strategy that found it.
    pub fn scheduler(mut self, scheduler: SchedulerKind) -> Self {
        self.scheduler = Some(scheduler);
        self
    }

    /// Explores on `n` OS threads at once (default: the machine's available
    /// parallelism; `WEFT_WORKERS` overrides it): shuttle's random and PCT
    /// schedulers, and [`SchedulerKind::Portfolio`], run their executions on
    /// `n` workers, each with a seed of its own derived from the model's
    /// ([`worker_seed`](weft_sync::explore::worker_seed): worker 0 takes
    /// the model's seed itself). The iterations are a total over the
    /// workers; the first failure found stops them all, and its report
    /// names the worker's strategy and seed, which rerun its search alone
    /// (`WEFT_SCHEDULER=<it> WEFT_SEED=<it> WEFT_WORKERS=1`); its trace
    /// file replays the failing execution itself. With several workers,
    /// which of them fails first is a race: a model's seed no longer fixes
    /// which failure is reported.
    ///
    /// weft's DPOR search ([`SchedulerKind::Dpor`], also the first part
    /// of the default search) splits its search tree among the `n`
    /// workers instead: each execution runs once, on one of them; the
    /// executions are their sum; the verdict is exhaustive only when the
    /// whole tree was explored, and the first failure stops them all.
    ///
    /// No effect on shuttle's DFS, a replay, loom (whose search is
    /// sequential) or std mode (a stress run already runs on real
    /// threads): [`Stats::workers`] says how many explored.
    ///
    /// # Examples
    ///
    /// ```
    /// use weft_check::{Model, Scheduler};
    ///
    /// let stats = Model::new()
    ///     .name("two_workers")
    ///     .scheduler(Scheduler::Random)
    ///     .iterations(100)
    ///     .workers(2)
    ///     .explore(|| {})
    ///     .unwrap();
    /// assert!(!stats.is_exhaustive());
    /// ```
    pub fn workers(mut self, n: usize) -> Self {
        self.workers = Some(n.max(1));
        self
    }

    /// At most `n` preemptions per execution (loom; default unbounded). A
    /// bound makes loom faster and its search no longer exhaustive.
    pub fn preemption_bound(mut self, n: usize) -> Self {
        self.preemption_bound = Some(n);
        self
    }

    /// Recorded steps one execution may take before it fails as a step limit
    /// (a livelock); default 100,000.
    pub fn max_steps(mut self, n: usize) -> Self {
        self.max_steps = n.max(1);
        self
    }

    /// Declares the failure this model is expected to have: a test of a
    /// deliberately broken program. [`explore`](Self::explore) then
    /// returns `Ok` when that kind of failure is found, with the failure in
    /// [`Stats::caught`] (its report, threads, steps and trace file), and
    /// fails when the model passes ([`FailureKind::NotCaught`]) or fails
    /// another way. `cargo weft check` counts a model as caught from this
    /// declaration (the runner's line says "caught the expected ..."), never
    /// from a test's name.
    ///
    /// In std mode a stress run may miss the bug: gate such tests to the
    /// checkers (`#[cfg(any(feature = "loom", feature = "shuttle"))]`).
    ///
    /// # Examples
    ///
    /// ```
    /// use weft_check::{FailureKind, Model};
    ///
    /// let stats = Model::new()
    ///     .expect_failure(FailureKind::Assertion)
    ///     .explore(|| panic!("broken on purpose"))
    ///     .unwrap();
    /// assert_eq!(stats.caught().unwrap().kind(), FailureKind::Assertion);
    /// ```
    pub fn expect_failure(mut self, kind: FailureKind) -> Self {
        self.expected = Some(kind);
        self
    }

    /// std mode: the longest the stress run on real threads may take
    /// before the model fails as a hang (a deadlock or an endless loop),
    /// instead of hanging the test run; default 60 s (`WEFT_STD_TIMEOUT`
    /// overrides it). Checkers need none: they find those as failures.
    pub fn std_timeout(mut self, limit: Duration) -> Self {
        self.std_timeout = Some(limit);
        self
    }

    /// Stops exploring after this much wall time, between executions; the
    /// result then says "not exhaustive".
    pub fn time_budget(mut self, budget: Duration) -> Self {
        self.time_budget = Some(budget);
        self
    }

    /// Explores spurious wakeups: a `Condvar::wait` may also return without
    /// a notification and `thread::park` without an unpark, as std allows,
    /// so a wait or park that is not in a loop re-checking its condition is
    /// caught (default off: it costs
    /// executions, and waits in a loop or `wait_while` are immune). Each
    /// thread wakes spuriously at most once per execution, so that a
    /// waiting loop still ends. No effect in std mode, where real waits
    /// may wake spuriously anyway.
    ///
    /// # Examples
    ///
    /// ```
    /// use weft_check::Model;
    /// use weft_sync::sync::{Arc, Condvar, Mutex};
    /// use weft_sync::thread;
    ///
    /// Model::new().spurious_wakeups(true).check(|| {
    ///     let pair = Arc::new((Mutex::new(false), Condvar::new()));
    ///     let p2 = Arc::clone(&pair);
    ///     let h = thread::spawn(move || {
    ///         *p2.0.lock().unwrap() = true;
    ///         p2.1.notify_one();
    ///     });
    ///     let ready = pair.0.lock().unwrap();
    ///     let ready = pair.1.wait_while(ready, |ready| !*ready).unwrap();
    ///     assert!(*ready);
    ///     drop(ready);
    ///     h.join().unwrap();
    /// });
    /// ```
    pub fn spurious_wakeups(mut self, explore: bool) -> Self {
        self.spurious_wakeups = explore;
        self
    }

    /// What a cycle in the lock-order graph does (see
    /// [`weft_sync::lockdep`]): every run under a checker records which
    /// lock each thread took while holding which, across the executions
    /// of the search, and an order that closes a cycle is a potential
    /// deadlock even when no execution deadlocked.
    /// [`Policy::Fail`] (the default) fails the model with
    /// [`FailureKind::PotentialDeadlock`], naming both paths, with the
    /// trace of the execution that closed the cycle, when the search
    /// finds no other failure (a deadlock found is the report instead);
    /// [`Policy::Warn`] prints the cycle once and goes
    /// on; [`Policy::Off`] records nothing. In std mode the
    /// graph is kept only with the `lockdep` feature.
    ///
    /// # Examples
    ///
    /// ```
    /// use weft_check::{Policy, Model};
    /// use weft_sync::sync::Mutex;
    ///
    /// // One thread, both orders, on two lines: no execution can
    /// // deadlock, but two threads running them at once could. Warned of.
    /// Model::new().lock_order(Policy::Warn).check(|| {
    ///     let (a, b) = (Mutex::new(()).named("a"), Mutex::new(()).named("b"));
    ///     drop((a.lock().unwrap(), b.lock().unwrap()));
    ///     let gb = b.lock().unwrap();
    ///     drop((a.lock().unwrap(), gb));
    /// });
    /// ```
    pub fn lock_order(mut self, policy: Policy) -> Self {
        self.lock_order = policy;
        self
    }

    /// Replays exactly the failing schedule recorded in a trace file instead
    /// of exploring (what `WEFT_REPLAY=<file>` does). The replay fails with
    /// [`FailureKind::ReplayDiverged`](crate::FailureKind::ReplayDiverged)
    /// when the program no longer follows the recorded steps.
    pub fn replay(mut self, trace: impl Into<PathBuf>) -> Self {
        self.replay = Some(trace.into());
        self
    }

    /// Explores `f`, returning what was explored or the first failure found.
    ///
    /// A failure also writes its trace file (`target/weft/traces/<model>-<hash>.json`,
    /// or under `WEFT_TRACE_DIR`); [`Failure::trace_path`] says where.
    ///
    /// # Errors
    ///
    /// The [`Failure`] found: its kind, threads, objects and steps.
    ///
    /// # Panics
    ///
    /// With a one-line message when a `WEFT_*` variable is invalid, or when
    /// the trace to replay is missing, corrupt, or of another model or backend.
    // The failure is the rare, once-per-exploration path: its size does not matter.
    #[allow(clippy::result_large_err)]
    // A bad variable or trace panics at the user's call, not in here.
    #[track_caller]
    pub fn explore<F>(&self, f: F) -> Result<Stats, Failure>
    where
        F: Fn() + Send + Sync + 'static,
    {
        let env = match EnvOverrides::from_env() {
            Ok(env) => env,
            Err(e) => panic!("weft: {e}"),
        };
        let mut config = self.config(&env);
        let replay = match (&self.replay, &env.replay) {
            (Some(path), _) => Some(path.clone()),
            (None, Some(path)) if env_replay_applies(path, &config.name) => Some(path.clone()),
            _ => None,
        };
        if let Some(path) = &replay {
            let (plan, scheduler) = replay_plan(path, &config.name);
            // The search that recorded the trace, whatever this model's
            // own: a `choose` is recorded as its value by weft's DPOR
            // search and as shuttle's random number by the others, and
            // the replay reads it back the same way. (A default model,
            // whose scheduler is the random one after DPOR, replayed a
            // DPOR trace's choice as a random number, got another value,
            // and said the program had changed.)
            if Backend::current() == Backend::Shuttle {
                config.scheduler = scheduler;
            }
            // loom replays by re-exploring: with the bound it was found at.
            if let explore::ScheduleRecord::Loom {
                preemption_bound, ..
            } = &plan.schedule
            {
                config.preemption_bound = *preemption_bound;
            }
            config.replay = Some(plan);
        }
        let body_path = std::any::type_name::<F>();
        let progress = env
            .progress
            .unwrap_or(Some(crate::progress::DEFAULT_INTERVAL));
        let default_search = self.scheduler.is_none()
            && env.scheduler.is_none()
            && Backend::current() == Backend::Shuttle
            && config.iterations.is_none()
            && config.time_budget.is_none()
            && config.replay.is_none();
        let limit = match (default_search, env.budget) {
            // What a long default search is running toward: its DPOR limit.
            (true, None) => Some(format!(
                "the default search: DPOR up to {} executions, then random schedules",
                explore::DPOR_DEFAULT_EXECUTIONS
            )),
            _ => crate::progress::limit(&config, env.budget),
        };
        let body = crate::progress::with_progress(&config.name, progress, limit, Arc::new(f));
        // The user's `tracing` events become steps, in place (a scoped
        // subscriber: libraries never install a global one). A search on
        // shuttle runs without it, and its failure is replayed with it
        // (crate::rerecord says why).
        let run = |config: &ExploreConfig| {
            let dispatch = if Backend::current() == Backend::Std {
                return explore::explore(config, body.clone());
            } else if crate::rerecord::quiet_search(config) {
                crate::trace_events::quiet()
            } else {
                crate::trace_events::recorder()
            };
            tracing::dispatcher::with_default(dispatch, || explore::explore(config, body.clone()))
        };
        if let (Some(cap), false) = (env.budget, default_search) {
            crate::budget::cap(&mut config, cap);
        }
        // Executions of an unfinished DPOR search run before the random one.
        let mut dpor_first = 0;
        let outcome = if default_search {
            // DPOR first: a proof when it finishes. If it does not within
            // its share of the budget, random schedules for the rest.
            let mut dpor = config.clone();
            dpor.scheduler = SchedulerKind::Dpor;
            crate::budget::dpor_first(&mut dpor, env.budget);
            let first = run(&dpor);
            // A `sometimes!` the unfinished search never saw true may
            // still be seen by the random schedules.
            let never_reached = first
                .failure
                .as_ref()
                .is_some_and(|f| f.kind == FailureKind::NeverReached);
            let ran_out = (first.failure.is_none() || never_reached)
                && !first.complete
                && first
                    .bounds
                    .iter()
                    .any(|b| matches!(b, Bound::TimeBudget | Bound::IterationLimit(_)));
            if ran_out {
                config.scheduler = SchedulerKind::Random;
                crate::budget::random_after_dpor(&mut config, env.budget, first.elapsed);
                let mut second = run(&config);
                if let (Some(c), Some(f)) = (&mut second.coverage, &first.coverage) {
                    c.merge(f);
                }
                dpor_first = first.executions;
                second.executions += first.executions;
                second.elapsed += first.elapsed;
                second
                    .bounds
                    .insert(0, Bound::DporIncomplete(first.executions));
                second
            } else {
                config = dpor;
                first
            }
        } else {
            run(&config)
        };
        let backend = Backend::current();
        let stats = |config: &ExploreConfig, caught: Option<Box<Failure>>| Stats {
            model: config.name.clone(),
            backend,
            scheduler: config.scheduler,
            workers: outcome.workers,
            executions: outcome.executions,
            elapsed: outcome.elapsed,
            complete: outcome.complete,
            bounds: outcome.bounds.clone(),
            // A seed means something to the random schedulers only.
            seed: if backend == Backend::Shuttle
                && !matches!(config.scheduler, SchedulerKind::Dpor | SchedulerKind::Dfs)
            {
                config.seed
            } else {
                None
            },
            caught,
            coverage: outcome.coverage.clone(),
            stopped: crate::budget::stopped(
                &outcome.bounds,
                outcome.executions,
                outcome.estimated_tree,
            ),
            spinners_held: outcome.spinners_held,
        };
        // No vacuous green: a site the model expects that no execution
        // satisfied fails it (a replay runs one execution: not judged).
        let never = if outcome.failure.is_none() && replay.is_none() {
            never_reached(body_path, &outcome.sites)
        } else {
            Vec::new()
        };
        if let Some(first) = never.first() {
            let message = never
                .iter()
                .map(|site| site.never_message(outcome.executions))
                .collect::<Vec<_>>()
                .join("; ");
            let failure = Failure {
                model: config.name.clone(),
                backend,
                kind: FailureKind::NeverReached,
                message,
                thread: None,
                location: Some(first.location()),
                race: None,
                lock_cycle: None,
                log: Default::default(),
                schedule: explore::ScheduleRecord::Std { iteration: 0 },
                scheduler: config.scheduler,
                found_by: None,
                executions: outcome.executions,
                planned: None,
                shrunk: None,
                trace_path: None,
                trace_error: None,
                test_name: current_test_path(),
                stale_read: None,
                repair: None,
                replayed: false,
            };
            return if self.expected == Some(FailureKind::NeverReached) {
                Ok(announce(stats(&config, Some(Box::new(failure)))))
            } else {
                Err(failure)
            };
        }
        match (outcome.failure, self.expected) {
            (None, None) => Ok(announce(stats(&config, None))),
            (None, Some(expected)) => {
                let passed = stats(&config, None);
                Err(Failure {
                    model: config.name.clone(),
                    backend,
                    kind: FailureKind::NotCaught,
                    message: format!(
                        "the model was expected to fail with a {expected} (Model::expect_failure), but every execution explored passed: {} executions, {}",
                        passed.executions,
                        passed.verdict()
                    ),
                    thread: None,
                    location: None,
                    race: None,
                    lock_cycle: None,
                    log: Default::default(),
                    schedule: explore::ScheduleRecord::Std { iteration: 0 },
                    scheduler: config.scheduler,
                    found_by: None,
                    executions: outcome.executions,
                    planned: None,
                    shrunk: None,
                    trace_path: None,
                    trace_error: None,
                    test_name: current_test_path(),
                stale_read: None,
                repair: None,
                replayed: false,
                })
            }
            (Some(raw), expected) => {
                // Shrunk before it is reported: the fewest preemptions,
                // then the fewest steps (crate::shrink).
                let (raw, recorded) = crate::rerecord::with_events(&config, *raw, &run);
                let (raw, mut shrunk) = crate::shrink::shrink(&config, raw, &run);
                if let (Some(shrunk), Some(took)) = (&mut shrunk, recorded) {
                    shrunk.replays += 1;
                    shrunk.elapsed += took;
                }
                let mut failure = Failure {
                    model: config.name.clone(),
                    backend,
                    kind: raw.kind,
                    message: raw.message,
                    thread: raw.thread,
                    location: raw.location,
                    race: raw.race,
                    lock_cycle: raw.lock_cycle,
                    log: raw.log,
                    schedule: raw.schedule,
                    // Under workers or a portfolio: the strategy that found
                    // it; loom runs its own DPOR search whatever the
                    // scheduler says.
                    scheduler: match outcome.found_by {
                        Some(found) => found.scheduler,
                        None if backend == Backend::Loom => SchedulerKind::Dpor,
                        None => config.scheduler,
                    },
                    found_by: outcome.found_by,
                    executions: outcome.executions,
                    planned: planned_executions(backend, &config, dpor_first),
                    shrunk,
                    trace_path: None,
                    trace_error: None,
                    test_name: current_test_path(),
                    stale_read: None,
                    repair: None,
                    replayed: false,
                };
                if backend == Backend::Loom {
                    match &replay {
                        None => crate::weak_memory_hint::explain(&mut failure, &config, &run),
                        Some(path) => crate::weak_memory_hint::explain_replay(&mut failure, path),
                    }
                }
                if replay.is_some() {
                    // A replay reproduces a trace; it does not overwrite it.
                    failure.replayed = true;
                    failure.trace_path = replay;
                } else if backend != Backend::Std {
                    let dir = env
                        .trace_dir
                        .clone()
                        .unwrap_or_else(trace::default_trace_dir);
                    match trace::write_trace(&dir, &trace::Trace::from_failure(&failure)) {
                        Ok(path) => failure.trace_path = Some(path),
                        Err(e) => failure.trace_error = Some(error_chain(&e)),
                    }
                }
                if expected == Some(failure.kind) {
                    Ok(announce(stats(&config, Some(Box::new(failure)))))
                } else {
                    Err(failure)
                }
            }
        }
    }

    /// Explores `f` and panics with the report if a bug is found.
    ///
    /// # Panics
    ///
    /// With the failure report, or with a one-line message when a `WEFT_*`
    /// variable is invalid.
    #[track_caller]
    pub fn check<F>(&self, f: F) -> Stats
    where
        F: Fn() + Send + Sync + 'static,
    {
        match self.explore(f) {
            Ok(stats) => stats,
            Err(failure) => panic!("\n{failure}"),
        }
    }

    fn config(&self, env: &EnvOverrides) -> ExploreConfig {
        let name = self
            .name
            .clone()
            .or_else(|| {
                current_test_path().map(|p| p.rsplit("::").next().unwrap_or(&p).to_string())
            })
            .unwrap_or_else(|| "model".to_string());
        // A model that replays a given trace keeps the name it was given
        // (the trace's); every other model of a test gets a name of its own.
        let name = if self.replay.is_some() {
            name
        } else {
            distinct_in_test(name)
        };
        let mut config = ExploreConfig::new(name);
        config.iterations = env.iterations.or(self.iterations);
        let seed = env.seed.or(self.seed).unwrap_or_else(fresh_seed);
        config.scheduler = env
            .scheduler
            .or(self.scheduler)
            .unwrap_or(SchedulerKind::Random);
        // A shard of the random scheduler runs its share of the unsharded
        // run's executions; PCT's shards explore seeds of their own.
        config.seed = Some(match env.shard {
            Some(shard) if matches!(config.scheduler, SchedulerKind::Pct { .. }) => {
                crate::env::shard_seed(seed, shard)
            }
            _ => seed,
        });
        config.shard = env.shard;
        config.preemption_bound = env.preemptions.unwrap_or(self.preemption_bound);
        config.max_steps = env.max_steps.unwrap_or(self.max_steps);
        config.time_budget = env.time_budget.or(self.time_budget);
        config.std_timeout = env
            .std_timeout
            .or(self.std_timeout)
            .unwrap_or(explore::STD_DEFAULT_TIMEOUT);
        config.max_executions = env.max_executions;
        config.spurious_wakeups = self.spurious_wakeups;
        config.lock_order = self.lock_order;
        config.workers = env
            .workers
            .or(self.workers)
            .unwrap_or_else(crate::workers::default_workers);
        // Chosen by name, weft's DPOR search runs to its end, as loom's
        // does: the user asked for a proof, and its progress line says how
        // far it got. (As the first part of the default search it has its
        // own share of the budget, set in `explore`.)
        if config.iterations.is_none()
            && config.time_budget.is_none()
            && Backend::current() == Backend::Shuttle
            && config.scheduler != SchedulerKind::Dpor
        {
            // Thorough where it is cheap: a bug needing three preemptions
            // among three threads takes ~6,000 random executions on average.
            config.soft_budget = Some((
                explore::SHUTTLE_DEFAULT_BUDGET,
                explore::SHUTTLE_MIN_ITERATIONS,
            ));
        }
        config
    }
}

/// The executions a search would run at most, when that is known: the
/// iterations of a random, PCT or DFS search (after `dpor_first`
/// executions of an unfinished DPOR search), loom's execution limit, or a
/// stress run's iterations.
fn planned_executions(
    backend: Backend,
    config: &ExploreConfig,
    dpor_first: usize,
) -> Option<usize> {
    match backend {
        Backend::Std => Some(config.iterations.unwrap_or(explore::STD_DEFAULT_ITERATIONS)),
        Backend::Loom => config.max_executions,
        Backend::Shuttle => match config.scheduler {
            SchedulerKind::Random | SchedulerKind::Pct { .. } | SchedulerKind::Portfolio => Some(
                dpor_first
                    + config
                        .iterations
                        .unwrap_or(explore::SHUTTLE_DEFAULT_ITERATIONS),
            ),
            SchedulerKind::Dfs => config.iterations,
            SchedulerKind::Dpor => None,
        },
    }
}

/// Prints what a passing exploration did (libtest captures it per test;
/// `cargo weft check` reads it to show the executions explored).
fn announce(stats: Stats) -> Stats {
    println!("{stats}");
    unoptimized_hint::show_once(&stats);
    stats
}

/// Reads the trace to replay, checks it fits this model and backend, and
/// returns its plan with the search that recorded it. (No closures: a
/// panic in one would name this file, not the user's call.)
#[track_caller]
fn replay_plan(path: &std::path::Path, model: &str) -> (explore::ReplayPlan, SchedulerKind) {
    if Backend::current() == Backend::Std {
        panic!(
            "weft: cannot replay {}: replay needs a checker; run with --features shuttle or --features loom",
            path.display()
        );
    }
    let t = match trace::read_trace(path) {
        Ok(t) => t,
        Err(e) => cannot_replay(&e),
    };
    if let Err(e) = t.check_model(model) {
        cannot_replay(&e);
    }
    if let Err(e) = t.check_backend(Backend::current()) {
        cannot_replay(&e);
    }
    (t.replay_plan(), t.scheduler)
}

/// Refuses a trace, with why, at the user's call.
#[track_caller]
fn cannot_replay(e: &dyn std::error::Error) -> ! {
    panic!("weft: cannot replay: {}", error_chain(e))
}

/// An error and its causes, as one line: `a: b: c`.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

/// The libtest thread's name is the test's full path (`module::test`, as
/// `cargo test -- --exact` takes it); its last segment names the model by
/// default.
fn current_test_path() -> Option<String> {
    let current = std::thread::current();
    let name = current.name()?;
    if name == "main" {
        return None;
    }
    Some(name.to_string())
}

thread_local! {
    /// How many models of each name this thread (one test) has run.
    static MODELS_IN_TEST: std::cell::RefCell<std::collections::HashMap<String, usize>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// `name` the first time a test runs a model of that name, then `name#2`,
/// `name#3`...: each model of a test has its own name, trace file and
/// replay. (libtest runs each test on a thread of its own.)
fn distinct_in_test(name: String) -> String {
    MODELS_IN_TEST.with(|models| {
        let mut models = models.borrow_mut();
        let n = models.entry(name.clone()).or_insert(0);
        *n += 1;
        if *n == 1 {
            name
        } else {
            format!("{name}#{n}")
        }
    })
}

/// Whether `WEFT_REPLAY=<trace>` is meant for the model `name`: yes when
/// the trace is of that model; no when it is of another model of the same
/// test (the test's other models explore as usual, so that the one the
/// trace is of is reached); otherwise yes, so that a trace of another
/// test's model is refused with a clear error.
fn env_replay_applies(path: &std::path::Path, name: &str) -> bool {
    let Ok(trace) = trace::read_trace(path) else {
        // Unreadable: replay_plan reports why.
        return true;
    };
    replay_is_for(
        &trace.model,
        trace.test.as_deref(),
        name,
        current_test_path().as_deref(),
    )
}

/// See [`env_replay_applies`].
fn replay_is_for(
    trace_model: &str,
    trace_test: Option<&str>,
    name: &str,
    test: Option<&str>,
) -> bool {
    let base = |m: &str| m.split_once('#').map_or(m, |(b, _)| b).to_string();
    let sibling = (trace_test.is_some() && trace_test == test) || base(trace_model) == base(name);
    trace_model == name || !sibling
}

fn fresh_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_models_of_a_test_get_distinct_names() {
        std::thread::spawn(|| {
            assert_eq!(distinct_in_test("m".into()), "m");
            assert_eq!(distinct_in_test("m".into()), "m#2");
            assert_eq!(distinct_in_test("other".into()), "other");
            assert_eq!(distinct_in_test("m".into()), "m#3");
        })
        .join()
        .unwrap();
    }

    /// Chosen by name, DPOR runs to its end; the other shuttle schedulers
    /// stop at the default budget. (A model whose search outlasts that
    /// budget takes too long for a unit test: the figure is the config.)
    #[test]
    fn a_dpor_search_chosen_by_name_has_no_budget() {
        let env = EnvOverrides::default();
        let config = |scheduler| Model::new().scheduler(scheduler).config(&env);
        let on_shuttle = Backend::current() == Backend::Shuttle;
        let dpor = config(SchedulerKind::Dpor);
        assert_eq!(dpor.soft_budget, None);
        assert_eq!(dpor.time_budget, None);
        assert_eq!(dpor.iterations, None);
        for other in [SchedulerKind::Random, SchedulerKind::Dfs] {
            assert_eq!(config(other).soft_budget.is_some(), on_shuttle, "{other:?}");
        }
        // Bounded on request.
        let bounded = Model::new()
            .scheduler(SchedulerKind::Dpor)
            .iterations(100)
            .config(&env);
        assert_eq!(bounded.iterations, Some(100));
    }

    #[test]
    fn weft_replay_is_for_its_model_and_skips_the_tests_other_models() {
        let test = Some("a::t");
        assert!(replay_is_for("m#2", test, "m#2", test));
        // The test's first model explores as usual.
        assert!(!replay_is_for("m#2", test, "m", test));
        assert!(!replay_is_for("other", test, "m", test));
        // A trace of another test's model is refused (by the replay).
        assert!(replay_is_for("other", Some("b::u"), "m", test));
        assert!(replay_is_for("other", None, "m", None));
    }
}
