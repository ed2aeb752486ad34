//! The `Lincheck` builder: draws scenarios, explores each with the model
//! runner, checks every execution's history, and shrinks a failing
//! scenario.

use std::cell::RefCell;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use weft_check::{Failure, FailureKind, Model, Stats};

use crate::check::{linearize, Search, Verdict, Violation};
use crate::execution;
use crate::history::History;
use crate::report::{explain, Shrunk};
use crate::scenario::{strategy, Scenario, Shape};
use crate::spec::Spec;
use crate::stats::{Caught, LincheckStats};

/// Executions per scenario on shuttle and std when no model is given.
pub const DEFAULT_ITERATIONS: usize = 200;
/// The preemption bound of loom's search per scenario when no model is
/// given (loom's full search of every scenario would take minutes).
pub const DEFAULT_LOOM_PREEMPTIONS: usize = 2;
/// Shrinking stops after this many simplification steps.
pub const MAX_SHRINK_STEPS: u32 = 1000;

/// The panic message a model body raises on a non-linearizable history;
/// the runner turns that failure into [`FailureKind::NotLinearizable`].
const NOT_LINEARIZABLE: &str = "weft-lincheck: this execution's history is not linearizable";

/// A linearizability check: how many scenarios of what size, explored by
/// which model.
///
/// Each scenario is explored by a [`Model`] on the selected backend: loom
/// (with a preemption bound of 2 by default), shuttle (random schedules by
/// default; any scheduler, weft's DPOR among them, through
/// [`Lincheck::model`]), or std, as a stress run on real threads.
/// Every execution's history is checked; the first one that no sequential
/// order explains fails the scenario, which proptest then shrinks (fewer
/// threads, fewer operations, smaller arguments) while it still fails the
/// same way.
///
/// # Examples
///
/// ```
/// # use proptest::prelude::*;
/// # use std::collections::VecDeque;
/// # use weft_sync::sync::Mutex;
/// # #[derive(Clone, Debug)] enum Op { Push(u8), Pop }
/// # struct QueueSpec;
/// # impl weft_lincheck::Spec for QueueSpec {
/// #     type Op = Op; type Ret = Option<u8>; type Conc = Mutex<VecDeque<u8>>; type Seq = VecDeque<u8>;
/// #     fn new_conc() -> Self::Conc { Mutex::new(VecDeque::new()) }
/// #     fn new_seq() -> Self::Seq { VecDeque::new() }
/// #     fn ops() -> BoxedStrategy<Op> { prop_oneof![(0..4u8).prop_map(Op::Push), Just(Op::Pop)].boxed() }
/// #     fn run(conc: &Self::Conc, op: &Op) -> Option<u8> { Self::step(&mut conc.lock().unwrap(), op) }
/// #     fn step(seq: &mut VecDeque<u8>, op: &Op) -> Option<u8> {
/// #         match op { Op::Push(v) => { seq.push_back(*v); None } Op::Pop => seq.pop_front() }
/// #     }
/// # }
/// use weft_lincheck::Lincheck;
///
/// let stats = Lincheck::new()
///     .threads(2)
///     .ops_per_thread(2)
///     .scenarios(5)
///     .iterations(20)
///     .check::<QueueSpec>(); // panics with the report if not linearizable
/// assert_eq!(stats.scenarios(), 5);
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct Lincheck {
    name: Option<String>,
    shape: Shape,
    scenarios: usize,
    seed: u64,
    iterations: usize,
    model: Option<Model>,
    search: Search,
    shrink: bool,
    expected: Option<FailureKind>,
}

impl Default for Lincheck {
    fn default() -> Self {
        Lincheck::new()
    }
}

/// A scenario's failing model run, with the history that failed it when it
/// was a linearizability failure.
struct Found<S: Spec> {
    failure: Failure,
    violation: Option<Failing<S>>,
}

impl<S: Spec> Found<S> {
    fn kind(&self) -> FailureKind {
        if self.violation.is_some() {
            FailureKind::NotLinearizable
        } else {
            self.failure.kind()
        }
    }
}

/// What the scenarios of one exploration found so far.
struct Progress<S: Spec> {
    scenarios: usize,
    executions: usize,
    /// The kind of the first failure: shrinking keeps to it.
    kind: Option<FailureKind>,
    /// Threads and operations of the first failing scenario.
    first: Option<Shrunk>,
    /// The last failing scenario: proptest's minimal one, at the end.
    last: Option<(Scenario<S::Op>, Found<S>)>,
}

/// A history no sequential order explains, and why.
type Failing<S> = (History<<S as Spec>::Op, <S as Spec>::Ret>, Violation);

/// Where a model body leaves the history that failed its execution.
type Slot<S> = Arc<Mutex<Option<Failing<S>>>>;

impl Lincheck {
    /// A check with every default: scenarios of up to 2 threads with up to
    /// 3 operations each, up to 1 operation before and 1 after, 50
    /// scenarios, seed 0.
    pub fn new() -> Self {
        Lincheck {
            name: None,
            shape: Shape {
                threads: 2,
                ops_per_thread: 3,
                init_ops: 1,
                post_ops: 1,
            },
            scenarios: 50,
            seed: 0,
            iterations: DEFAULT_ITERATIONS,
            model: None,
            search: Search::Memoized,
            shrink: true,
            expected: None,
        }
    }

    /// Names the models in reports and trace files (default: the test's name).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The most threads of a scenario's parallel part (default 2).
    ///
    /// # Panics
    ///
    /// When `n` is 0.
    pub fn threads(mut self, n: usize) -> Self {
        assert!(
            n >= 1,
            "weft-lincheck: a scenario needs at least 1 thread, got threads(0)"
        );
        self.shape.threads = n;
        self
    }

    /// The most operations per thread (default 3).
    ///
    /// # Panics
    ///
    /// When `n` is 0.
    pub fn ops_per_thread(mut self, n: usize) -> Self {
        assert!(
            n >= 1,
            "weft-lincheck: a thread needs at least 1 operation, got ops_per_thread(0)"
        );
        self.shape.ops_per_thread = n;
        self
    }

    /// The most operations of the initial sequential part (default 1).
    pub fn init_ops(mut self, n: usize) -> Self {
        self.shape.init_ops = n;
        self
    }

    /// The most operations of the final sequential part (default 1).
    pub fn post_ops(mut self, n: usize) -> Self {
        self.shape.post_ops = n;
        self
    }

    /// Scenarios to draw (default 50).
    ///
    /// # Panics
    ///
    /// When `n` is 0 or more than `u32::MAX`.
    pub fn scenarios(mut self, n: usize) -> Self {
        assert!(
            (1..=u32::MAX as usize).contains(&n),
            "weft-lincheck: scenarios must be between 1 and {}, got {n}",
            u32::MAX
        );
        self.scenarios = n;
        self
    }

    /// The seed scenarios are drawn from (default 0): the same seed draws
    /// the same scenarios. It is also the seed of the default model's
    /// random schedules.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Executions per scenario on shuttle and std with the default model
    /// (default [`DEFAULT_ITERATIONS`]).
    pub fn iterations(mut self, n: usize) -> Self {
        self.iterations = n.max(1);
        self
    }

    /// The model that explores each scenario, with its scheduler,
    /// iterations, bounds (default: `iterations` executions, seeded with
    /// [`seed`](Self::seed), a preemption bound of 2 on loom). The
    /// `WEFT_*` variables override it as they override any model.
    ///
    /// # Examples
    ///
    /// ```
    /// use weft_check::{Model, Scheduler};
    /// use weft_lincheck::Lincheck;
    ///
    /// // weft's DPOR search of each scenario, for up to 1,000 executions.
    /// let check = Lincheck::new().model(Model::new().scheduler(Scheduler::Dpor).iterations(1000));
    /// # let _ = check;
    /// ```
    pub fn model(mut self, model: Model) -> Self {
        self.model = Some(model);
        self
    }

    /// Which linearizability search checks each history (default
    /// [`Search::Memoized`]).
    pub fn search(mut self, search: Search) -> Self {
        self.search = search;
        self
    }

    /// Whether a failing scenario is shrunk (default yes).
    pub fn shrink(mut self, shrink: bool) -> Self {
        self.shrink = shrink;
        self
    }

    /// Declares the failure the object under test is expected to have
    /// (usually [`FailureKind::NotLinearizable`]), as
    /// [`Model::expect_failure`] does: [`explore`](Self::explore) then
    /// returns `Ok` when it is found, with the shrunk scenario and its
    /// report in [`LincheckStats::caught`], and fails as
    /// [`FailureKind::NotCaught`] when every scenario passes.
    pub fn expect_failure(mut self, kind: FailureKind) -> Self {
        self.expected = Some(kind);
        self
    }

    /// Explores the scenarios, returning what was explored or the (shrunk)
    /// failure.
    ///
    /// # Errors
    ///
    /// The [`Failure`] of the shrunk scenario: a
    /// [`FailureKind::NotLinearizable`] whose report shows the operations
    /// per thread with their results, that no sequential order of them
    /// gives these results, the longest prefix that can be linearized, and
    /// the interleaving; or any other failure of the object (a panic, a
    /// deadlock...) with its usual report.
    ///
    /// # Panics
    ///
    /// As [`Model::explore`] does, on an invalid `WEFT_*` variable.
    // The failure is the rare, once-per-exploration path: its size does not matter.
    #[allow(clippy::result_large_err)]
    pub fn explore<S: Spec>(&self) -> Result<LincheckStats, Failure> {
        let start = Instant::now();
        let config = Config {
            cases: self.scenarios as u32,
            failure_persistence: None,
            max_shrink_iters: if self.shrink { MAX_SHRINK_STEPS } else { 0 },
            max_shrink_time: 0,
            ..Config::default()
        };
        let mut seed = [0u8; 32];
        seed[..8].copy_from_slice(&self.seed.to_le_bytes());
        let mut runner =
            TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed));
        let progress = RefCell::new(Progress::<S> {
            scenarios: 0,
            executions: 0,
            kind: None,
            first: None,
            last: None,
        });
        let result = runner.run(&strategy::<S>(self.shape), |scenario| {
            let outcome = self.explore_scenario::<S>(&scenario);
            let mut p = progress.borrow_mut();
            p.scenarios += 1;
            match outcome {
                Ok(stats) => {
                    p.executions += stats.executions();
                    Ok(())
                }
                Err(found) => {
                    p.executions += found.failure.executions();
                    let kind = found.kind();
                    if *p.kind.get_or_insert(kind) != kind {
                        // Another bug: not the one being shrunk.
                        return Ok(());
                    }
                    p.first.get_or_insert(Shrunk {
                        threads: scenario.threads(),
                        ops: scenario.ops(),
                    });
                    p.last = Some((scenario, found));
                    Err(TestCaseError::fail(kind.as_str()))
                }
            }
        });
        let p = progress.into_inner();
        let mut stats = LincheckStats {
            scenarios: p.scenarios,
            executions: p.executions,
            elapsed: start.elapsed(),
            caught: None,
        };
        match (result, p.last) {
            (Ok(()), _) => match self.expected {
                None => Ok(stats),
                Some(kind) => Err(self.not_caught(kind, &stats)),
            },
            (Err(TestError::Fail(..)), Some((scenario, found))) => {
                let failure = match found.violation {
                    Some((history, violation)) => {
                        let shrunk = p
                            .first
                            .filter(|f| f.threads != scenario.threads() || f.ops != scenario.ops());
                        let message = explain(&history, &violation, shrunk);
                        found
                            .failure
                            .explained_as(FailureKind::NotLinearizable, message)
                    }
                    None => found.failure,
                };
                stats.elapsed = start.elapsed();
                if self.expected == Some(failure.kind()) {
                    let debug = |ops: &[S::Op]| ops.iter().map(|o| format!("{o:?}")).collect();
                    stats.caught = Some(Box::new(Caught {
                        failure,
                        init: debug(&scenario.init),
                        parallel: scenario.parallel.iter().map(|t| debug(t)).collect(),
                        post: debug(&scenario.post),
                    }));
                    Ok(stats)
                } else {
                    Err(failure)
                }
            }
            (Err(e), _) => panic!("weft-lincheck: proptest stopped: {e}"),
        }
    }

    /// Explores the scenarios and panics with the report if one fails.
    ///
    /// # Panics
    ///
    /// With the failure's report; as [`Model::explore`] does on an invalid
    /// `WEFT_*` variable.
    #[track_caller]
    pub fn check<S: Spec>(&self) -> LincheckStats {
        match self.explore::<S>() {
            Ok(stats) => {
                println!("{stats}");
                stats
            }
            Err(failure) => panic!("\n{failure}"),
        }
    }

    fn model_for_scenario(&self) -> Model {
        let model = self.model.clone().unwrap_or_else(|| {
            Model::new()
                .iterations(self.iterations)
                .seed(self.seed)
                .preemption_bound(DEFAULT_LOOM_PREEMPTIONS)
        });
        match &self.name {
            Some(name) => model.name(name.clone()),
            None => model,
        }
    }

    /// Explores one scenario: every execution runs it and checks its history.
    // The failure is the rare, once-per-scenario path: its size does not matter.
    #[allow(clippy::result_large_err)]
    fn explore_scenario<S: Spec>(&self, scenario: &Scenario<S::Op>) -> Result<Stats, Found<S>> {
        let slot: Slot<S> = Arc::new(Mutex::new(None));
        let body = {
            let (slot, scenario, search) = (slot.clone(), scenario.clone(), self.search);
            move || {
                let history = execution::run::<S>(&scenario);
                if let Verdict::NotLinearizable(violation) = linearize::<S>(&history, search) {
                    *slot.lock().unwrap_or_else(PoisonError::into_inner) =
                        Some((history, violation));
                    panic!("{NOT_LINEARIZABLE}");
                }
            }
        };
        self.model_for_scenario().explore(body).map_err(|failure| {
            let recorded = slot.lock().unwrap_or_else(PoisonError::into_inner).take();
            let ours =
                failure.kind() == FailureKind::Assertion && failure.message() == NOT_LINEARIZABLE;
            Found {
                violation: recorded.filter(|_| ours),
                failure,
            }
        })
    }

    fn not_caught(&self, kind: FailureKind, stats: &LincheckStats) -> Failure {
        let message = format!(
            "the object was expected to fail with a {kind} (Lincheck::expect_failure), but all {} scenarios passed ({} executions)",
            stats.scenarios, stats.executions
        );
        // A failure value of the runner's own, explained as this one.
        Model::new()
            .name(self.name.clone().unwrap_or_else(|| "lincheck".to_string()))
            .iterations(1)
            .expect_failure(kind)
            .explore(|| {})
            .map(|_| unreachable!("an empty model cannot fail with {kind}"))
            .unwrap_or_else(|f| f)
            .explained_as(FailureKind::NotCaught, message)
    }
}
