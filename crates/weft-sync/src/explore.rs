//! The exploration driver interface that weft-check builds on.
//!
//! Each backend arm implements [`explore`]: a loom `Builder`, a shuttle
//! `Runner`, or a stress loop on real threads. Users reach it through
//! `weft::Model`; this module is public so that weft-check (another crate)
//! can drive it without naming a backend.

use std::fmt;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use crate::record::{ExecutionLog, Loc};

/// How long a std-mode model may run before it fails as a hang.
pub const STD_DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Iterations of the body in std mode when none are set.
pub const STD_DEFAULT_ITERATIONS: usize = 100;
/// Executions on shuttle when none are set: up to this many, within
/// [`SHUTTLE_DEFAULT_BUDGET`], and never fewer than [`SHUTTLE_MIN_ITERATIONS`].
pub const SHUTTLE_DEFAULT_ITERATIONS: usize = 50_000;
/// The soft time budget of a shuttle exploration with default settings.
pub const SHUTTLE_DEFAULT_BUDGET: Duration = Duration::from_secs(3);
/// Executions a default shuttle exploration runs whatever the time.
pub const SHUTTLE_MIN_ITERATIONS: usize = 10_000;
/// The most executions the default search on shuttle gives weft's DPOR
/// search: one that finishes within them is a proof; one that does not
/// hands over to the random scheduler, and the verdict says so. A count,
/// not a time, so that a model's verdict does not depend on the build
/// profile or on the machine: an unoptimized build explores the same
/// executions, only slower (a debug build once said "not complete" of 8
/// threads adding to an atomic, 40,320 executions, that `--release`
/// verified within the 2 s the search was given then).
pub const DPOR_DEFAULT_EXECUTIONS: usize = 100_000;
/// A backstop for the default search's DPOR, whose limit is
/// [`DPOR_DEFAULT_EXECUTIONS`]: the longest it may run when each execution
/// is slow (a debug build of a large model), so that `cargo test` never
/// seems to hang. Past it the random scheduler runs, as past the limit.
pub const DPOR_DEFAULT_TIME_LIMIT: Duration = Duration::from_secs(60);
/// How long a portfolio's worker 0 runs weft's DPOR search before it
/// takes its turns at the sampling strategies
/// ([`SchedulerKind::Portfolio`]).
pub const PORTFOLIO_DPOR_BUDGET: Duration = Duration::from_secs(2);
/// The random scheduler's share of the default budget after a DPOR search
/// that did not finish.
pub const RANDOM_AFTER_DPOR_BUDGET: Duration = Duration::from_secs(1);
/// Random executions after an unfinished DPOR search, at least.
pub const RANDOM_AFTER_DPOR_MIN_ITERATIONS: usize = 2_000;
/// Recorded steps one execution may take before it is a step-limit failure.
pub const DEFAULT_MAX_STEPS: usize = 100_000;

/// Which backend this build explores with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Backend {
    /// Real threads: a stress run, no exploration.
    Std,
    /// loom: exhaustive (DPOR), C11 relaxed atomics.
    Loom,
    /// shuttle: randomized, PCT or DFS schedulers.
    Shuttle,
}

impl Backend {
    /// The backend of this build.
    pub fn current() -> Backend {
        crate::backend::BACKEND
    }

    /// `std`, `loom` or `shuttle`.
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Std => "std",
            Backend::Loom => "loom",
            Backend::Shuttle => "shuttle",
        }
    }

    /// The cargo feature that selects this backend (`None` for std).
    pub fn feature(self) -> Option<&'static str> {
        match self {
            Backend::Std => None,
            Backend::Loom => Some("loom"),
            Backend::Shuttle => Some("shuttle"),
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How shuttle picks the next thread. loom is always exhaustive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SchedulerKind {
    /// Uniformly random choices at each step.
    Random,
    /// Probabilistic concurrency testing, finding bugs of the given depth.
    Pct {
        /// The bug depth (number of ordering constraints) PCT aims at.
        depth: usize,
    },
    /// Depth-first enumeration of every schedule.
    Dfs,
    /// weft's own dynamic partial-order reduction (source-DPOR with sleep
    /// sets, on shuttle): every interleaving under sequential consistency,
    /// each class of equivalent interleavings explored once or a few
    /// times instead of all of its members. On loom, loom's own DPOR runs
    /// whatever the scheduler says.
    Dpor,
    /// Several strategies at once, as Coyote's default portfolio: worker
    /// 0 first runs weft's DPOR search for up to [`PORTFOLIO_DPOR_BUDGET`]
    /// (when it finishes, the verdict is a proof and every worker stops);
    /// the workers ([`ExploreConfig::workers`]) take turns at the random
    /// scheduler and PCT at depths 1 to 5 ([`PORTFOLIO`]: half of the
    /// turns random), in rounds of [`PORTFOLIO_ROUND`] executions, each
    /// round with a seed of its own. A failure names the strategy and seed
    /// that found it ([`FoundBy`]).
    Portfolio,
}

/// The strategies a [`SchedulerKind::Portfolio`] takes turns at: worker
/// `i` of `n` runs, in its round `r`, strategy `(i + r·n) mod 10`. Half
/// of the turns are the random scheduler's: PCT cannot find some bugs at
/// any depth (`models/deep_bug.rs`: README, Schedulers), which random
/// schedules find. With two workers, worker 0 runs random schedules and
/// worker 1 PCT at depths 1 to 5 in turn.
pub const PORTFOLIO: [SchedulerKind; 10] = [
    SchedulerKind::Random,
    SchedulerKind::Pct { depth: 1 },
    SchedulerKind::Random,
    SchedulerKind::Pct { depth: 2 },
    SchedulerKind::Random,
    SchedulerKind::Pct { depth: 3 },
    SchedulerKind::Random,
    SchedulerKind::Pct { depth: 4 },
    SchedulerKind::Random,
    SchedulerKind::Pct { depth: 5 },
];

/// Executions of one portfolio round: one strategy, one seed.
pub const PORTFOLIO_ROUND: usize = 1_000;

impl fmt::Display for SchedulerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SchedulerKind::Random => f.write_str("random"),
            SchedulerKind::Pct { depth } => write!(f, "pct:{depth}"),
            SchedulerKind::Dfs => f.write_str("dfs"),
            SchedulerKind::Dpor => f.write_str("dpor"),
            SchedulerKind::Portfolio => f.write_str("portfolio"),
        }
    }
}

/// One decision of a recorded shuttle schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Decision {
    /// Run the task with this id next.
    Task(usize),
    /// A random value handed to the program.
    Random(u64),
}

/// Enough to replay one execution exactly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScheduleRecord {
    /// Real threads cannot be replayed; the failing iteration is kept for the record.
    Std {
        /// 1-based iteration that failed.
        iteration: usize,
    },
    /// loom explores deterministically: the 1-based index of the failing execution
    /// (with the preemption bound it was found under) is the schedule.
    Loom {
        /// 1-based index of the execution in loom's exploration order.
        execution: usize,
        /// The preemption bound of that exploration.
        preemption_bound: Option<usize>,
        /// loom's own record of that execution's branches (its checkpoint
        /// path, JSON), when weft captured it
        /// ([`ExploreConfig::loom_path_at`]): a replay starts loom's search
        /// there and runs that one execution, where without it the search
        /// runs again up to `execution`.
        path: Option<String>,
    },
    /// Every decision shuttle's scheduler made.
    Shuttle {
        /// The scheduler's seed (for the record; replay needs only the decisions).
        seed: u64,
        /// The decisions, in order.
        decisions: Vec<Decision>,
    },
}

/// A request to replay one recorded execution instead of exploring.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplayPlan {
    /// The recorded schedule.
    pub schedule: ScheduleRecord,
    /// The recorded steps as `(thread, operation name, object)`; a replay whose
    /// steps differ stops with [`FailureKind::ReplayDiverged`].
    pub expected: Vec<(usize, String, Option<usize>)>,
    /// A guided replay (shuttle), as schedule minimization runs them: the
    /// decisions are followed where they fit the program and, where they do
    /// not or run out, the running thread goes on (no preemption), else the
    /// next thread in id order. It never diverges, `expected` is not
    /// compared, and the execution's own decisions are its exact schedule.
    pub guided: bool,
}

/// What the runner asks of a backend.
#[derive(Clone, Debug)]
pub struct ExploreConfig {
    /// The model's name.
    pub name: String,
    /// Executions to run (shuttle, std); `None` is the backend's default.
    pub iterations: Option<usize>,
    /// The random seed (shuttle); `None` picks one and reports it.
    pub seed: Option<u64>,
    /// shuttle's scheduler.
    pub scheduler: SchedulerKind,
    /// At most this many preemptions per execution (loom's preemption bound;
    /// shuttle's PCT depth when unset elsewhere). `None` is unbounded.
    pub preemption_bound: Option<usize>,
    /// Recorded steps one execution may take.
    pub max_steps: usize,
    /// Wall-clock budget for the whole exploration, honoured between executions.
    pub time_budget: Option<Duration>,
    /// A budget that stops the exploration only once `min_iterations`
    /// executions have run (shuttle's defaults: thorough on fast models,
    /// bounded on slow ones).
    pub soft_budget: Option<(Duration, usize)>,
    /// Replay one execution instead of exploring.
    pub replay: Option<ReplayPlan>,
    /// loom: stop after this many executions (`LOOM_MAX_PERMUTATIONS`);
    /// `None` runs loom's search to its end. shuttle and std use
    /// [`ExploreConfig::iterations`].
    pub max_executions: Option<usize>,
    /// Whether a `Condvar::wait` may return without a notification (and
    /// `thread::park` without an unpark), as std allows; off by default, since most code waits in a loop and
    /// exploring the extra outcome costs executions. Each thread wakes
    /// spuriously at most once per execution, so a waiting loop still ends.
    pub spurious_wakeups: bool,
    /// What a cycle of the lock-order graph does ([`crate::lockdep`]):
    /// fail the execution that closes it (the default), warn, or nothing.
    pub lock_order: crate::lockdep::Policy,
    /// std mode: the longest one model's stress run may take before it
    /// fails as a hang (a deadlock or an endless loop on real threads),
    /// instead of hanging the test run. Default [`STD_DEFAULT_TIMEOUT`].
    pub std_timeout: Duration,
    /// OS threads that explore at once (shuttle's random, PCT and
    /// portfolio schedulers, and weft's DPOR search; default 1). Each
    /// sampling worker runs its own seeds (see [`worker_seed`]); the DPOR
    /// workers split one search tree. [`ExploreConfig::iterations`] and
    /// the soft budget's minimum are totals over the workers; the first
    /// failure stops them all. loom, shuttle's DFS, replays and std mode
    /// explore on one thread whatever it says.
    pub workers: usize,
    /// Set by another worker (or the caller) to start no further
    /// execution: the exploration ends after the one under way.
    pub stop: Option<Arc<AtomicBool>>,
    /// `(K, N)`: shuttle's random scheduler runs shard K (1-based) of N of
    /// the executions: of the executions the unsharded run would make
    /// (each from a seed of its own, the i-th drawn from the exploration's
    /// seed), those whose index i ≡ K−1 (mod N). N shards of one seed and
    /// one iteration count together run exactly the unsharded run's
    /// executions, each shard a quarter of them when N is 4. Other
    /// searches ignore it.
    pub shard: Option<(u64, u64)>,
    /// loom: the execution (1-based) whose branches to capture from loom's
    /// search (its checkpoint path) into the failure's
    /// [`ScheduleRecord::Loom::path`], so that a replay runs that one
    /// execution. loom writes the path before the execution runs; the
    /// other backends ignore it.
    pub loom_path_at: Option<usize>,
}

impl ExploreConfig {
    /// A configuration with every default.
    pub fn new(name: impl Into<String>) -> Self {
        ExploreConfig {
            name: name.into(),
            iterations: None,
            seed: None,
            scheduler: SchedulerKind::Random,
            preemption_bound: None,
            max_steps: DEFAULT_MAX_STEPS,
            time_budget: None,
            soft_budget: None,
            replay: None,
            max_executions: None,
            spurious_wakeups: false,
            lock_order: crate::lockdep::Policy::Fail,
            std_timeout: STD_DEFAULT_TIMEOUT,
            workers: 1,
            stop: None,
            shard: None,
            loom_path_at: None,
        }
    }
}

/// The seed worker `worker` explores with, given the model's `seed`:
/// worker 0 takes the model's seed itself (so one worker explores what a
/// run without workers does), worker `i` a SplitMix64 hash of the seed
/// and `i`, so that the seeds of neighbouring shards (`WEFT_SHARD`) do not
/// collide. That seed alone (`WEFT_SEED=<it>`, one worker) reruns the
/// worker's search.
///
/// # Examples
///
/// ```
/// use weft_sync::explore::worker_seed;
///
/// assert_eq!(worker_seed(42, 0), 42);
/// assert_ne!(worker_seed(42, 1), worker_seed(43, 1));
/// ```
pub fn worker_seed(seed: u64, worker: usize) -> u64 {
    if worker == 0 {
        return seed;
    }
    splitmix64(seed.wrapping_add((worker as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)))
}

/// The seed of round `round` of a portfolio worker whose seed is `seed`
/// (round 0 runs `seed` itself).
pub fn round_seed(seed: u64, round: usize) -> u64 {
    if round == 0 {
        return seed;
    }
    splitmix64(seed ^ (round as u64).wrapping_mul(0xD1B5_4A32_D192_ED03))
}

fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Which worker found a failure, with what strategy and seed: what reruns
/// its search alone (`WEFT_SCHEDULER=<scheduler> WEFT_SEED=<seed>
/// WEFT_WORKERS=1`). The trace file replays the failing execution itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FoundBy {
    /// The worker, 0-based.
    pub worker: usize,
    /// How many workers explored.
    pub workers: usize,
    /// The strategy it ran: one of [`PORTFOLIO`], or
    /// [`SchedulerKind::Dpor`] (never [`SchedulerKind::Portfolio`]).
    pub scheduler: SchedulerKind,
    /// The seed it ran.
    pub seed: u64,
}

/// What a model found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FailureKind {
    /// A panic or a failed assertion.
    Assertion,
    /// No thread could make progress.
    Deadlock,
    /// Two accesses to an `UnsafeCell`, at least one a write, unordered by happens-before.
    DataRace,
    /// An execution ran more steps than allowed: a livelock or an endless loop.
    StepLimit,
    /// A thread was still running when the model's main closure returned.
    LeakedThread,
    /// A modelled allocation (an `Arc`) was never freed: its last reference
    /// was still alive when the execution ended (loom's leak check).
    Leak,
    /// The model declared the failure it expects
    /// (`Model::expect_failure`), and every execution explored passed.
    NotCaught,
    /// The model uses something the backend cannot check (too many threads for loom, ...).
    Unsupported,
    /// A replayed schedule no longer fits the program.
    ReplayDiverged,
    /// A `reachable!` line no execution ran, or a `sometimes!` condition
    /// no execution found true: the exploration never saw what the model
    /// says it must (no vacuous green). No trace is written: no single
    /// execution shows it.
    NeverReached,
    /// The results the operations of a concurrent object returned come
    /// from no sequential order of those operations that respects their
    /// real-time order (`weft::lincheck`).
    NotLinearizable,
    /// The lock-order graph has a cycle: threads took locks in orders
    /// that can deadlock, though no execution explored deadlocked (the
    /// search found no other failure). The trace is the execution that
    /// closed the cycle; the paths are in [`RawFailure::lock_cycle`]
    /// ([`crate::lockdep`]).
    PotentialDeadlock,
}

impl FailureKind {
    /// A short lowercase name: `panic`, `deadlock`, `data race`, ...:
    /// the one word every view uses for the kind (the report's header and
    /// body, `cargo weft check`'s table, the HTML page's badge). A failed
    /// `assert!` is a panic; a plain `panic!` is not an assertion, so the
    /// word for [`FailureKind::Assertion`] is `panic`.
    ///
    /// # Examples
    ///
    /// ```
    /// use weft_sync::explore::FailureKind;
    ///
    /// assert_eq!(FailureKind::Assertion.as_str(), "panic");
    /// assert_eq!(FailureKind::DataRace.to_string(), "data race");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::Assertion => "panic",
            FailureKind::Deadlock => "deadlock",
            FailureKind::DataRace => "data race",
            FailureKind::StepLimit => "step limit",
            FailureKind::LeakedThread => "leaked thread",
            FailureKind::Leak => "leak",
            FailureKind::NotCaught => "not caught",
            FailureKind::Unsupported => "unsupported",
            FailureKind::ReplayDiverged => "replay diverged",
            FailureKind::NeverReached => "never reached",
            FailureKind::NotLinearizable => "not linearizable",
            FailureKind::PotentialDeadlock => "potential deadlock",
        }
    }
}

impl fmt::Display for FailureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Read or write, for a data race.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AccessKind {
    /// A read (`with`).
    Read,
    /// A write (`with_mut`).
    Write,
}

impl fmt::Display for AccessKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AccessKind::Read => "read",
            AccessKind::Write => "write",
        })
    }
}

/// One side of a data race.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Access {
    /// The thread.
    pub thread: usize,
    /// Read or write.
    pub kind: AccessKind,
    /// Where.
    pub location: Loc,
}

/// Two accesses to one cell that no happens-before orders.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Race {
    /// The cell's object id.
    pub object: usize,
    /// The earlier access.
    pub first: Access,
    /// The later access, which found the race.
    pub second: Access,
}

/// A failure as a backend reports it; weft-check turns it into a report.
#[derive(Clone, Debug)]
pub struct RawFailure {
    /// What failed.
    pub kind: FailureKind,
    /// The panic message or a description.
    pub message: String,
    /// The thread that failed, if one did.
    pub thread: Option<usize>,
    /// Where it failed, if known.
    pub location: Option<Loc>,
    /// For a data race: the two accesses.
    pub race: Option<Race>,
    /// For a potential deadlock: the cycle of the lock-order graph.
    pub lock_cycle: Option<crate::lockdep::LockCycle>,
    /// The failing execution as recorded (empty in std mode).
    pub log: ExecutionLog,
    /// How to replay it.
    pub schedule: ScheduleRecord,
    /// Preemptions in the failing execution (switches away from a thread
    /// that could have gone on), where the engine counts them (shuttle).
    pub preemptions: Option<usize>,
}

impl RawFailure {
    /// A failure with no recorded execution.
    pub fn new(kind: FailureKind, message: String, schedule: ScheduleRecord) -> Self {
        RawFailure {
            kind,
            message,
            thread: None,
            location: None,
            race: None,
            lock_cycle: None,
            log: ExecutionLog::default(),
            schedule,
            preemptions: None,
        }
    }
}

/// One reason why an exploration that found no bug is not a proof that
/// there is none: what bounded the search, or what the engine does not
/// explore.
///
/// A search is exhaustive only when an exploration has none of these.
///
/// # Examples
///
/// ```
/// use weft_sync::explore::Bound;
///
/// assert_eq!(Bound::PreemptionBound(2).to_string(), "preemption bound 2");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Bound {
    /// loom explored only schedules with at most this many preemptions.
    PreemptionBound(usize),
    /// The time budget ended the exploration.
    TimeBudget,
    /// The execution limit ended a systematic search (shuttle's DFS with
    /// its iterations spent, or loom with `LOOM_MAX_PERMUTATIONS`).
    IterationLimit(usize),
    /// A random or PCT scheduler samples schedules; it never enumerates them.
    SampledSchedules(SchedulerKind),
    /// Real threads: a stress run explores nothing.
    StressRun,
    /// The model asked for `weft::rand::choose(n)` with `n > 1`, which loom
    /// always answers with 0.
    ChoiceNotExplored,
    /// The model asked for `weft::rand::choose(n)` with `n > 1`, which
    /// shuttle's DFS answers with random values instead of enumerating them.
    ChoiceRandomOnDfs,
    /// The default search: weft's DPOR ran this many executions within its
    /// share of the budget without finishing, then random schedules ran.
    DporIncomplete(usize),
    /// loom's DPOR search is incomplete for some load/store patterns (loom
    /// issues #392 and #166): it can call its search complete without
    /// having run an interleaving that sequential consistency allows.
    LoomDpor,
    /// A thread unwinding a panic that the model caught ran alone, on
    /// shuttle, while other threads could have run: interleavings inside
    /// the unwinding (guards dropped, locks released) were not explored.
    UnwindingSerialized,
}

impl fmt::Display for Bound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Bound::PreemptionBound(n) => write!(f, "preemption bound {n}"),
            Bound::TimeBudget => f.write_str("time budget"),
            Bound::IterationLimit(n) => write!(f, "iteration limit {n}"),
            Bound::SampledSchedules(s) => write!(f, "{s} scheduler"),
            Bound::StressRun => f.write_str("stress run on real threads"),
            Bound::ChoiceNotExplored => f.write_str("`choose` not explored on loom"),
            Bound::ChoiceRandomOnDfs => f.write_str("`choose` answered randomly by shuttle's DFS"),
            Bound::DporIncomplete(n) => write!(
                f,
                "DPOR explored {n} executions, not complete; then random schedules"
            ),
            Bound::LoomDpor => f.write_str(
                "loom's DPOR may skip some SC interleavings (loom issues #392, #166: see README, Limitations)",
            ),
            Bound::UnwindingSerialized => f.write_str(
                "a caught panic's unwinding ran without other threads interleaving",
            ),
        }
    }
}

/// What an exploration did.
#[derive(Clone, Debug)]
pub struct ExploreOutcome {
    /// Executions run (including the failing one).
    pub executions: usize,
    /// Wall time.
    pub elapsed: Duration,
    /// Whether the engine ran its search to the end (loom, dfs) with no
    /// bound or budget cutting it short; random schedulers never do. See
    /// [`ExploreOutcome::bounds`] for whether that search was everything.
    pub complete: bool,
    /// Why a passing exploration is not a proof: empty only for a complete
    /// search of every source of nondeterminism the model used.
    pub bounds: Vec<Bound>,
    /// The first failure found, if any.
    pub failure: Option<Box<RawFailure>>,
    /// The `sometimes!`/`reachable!` sites the executions evaluated, and
    /// whether any evaluation satisfied each (always empty in std mode).
    pub sites: Vec<(&'static crate::reach::Site, bool)>,
    /// OS threads that explored (1 unless [`ExploreConfig::workers`] applied).
    pub workers: usize,
    /// For a failure found by one of several workers, or under a
    /// portfolio: which worker, strategy and seed found it.
    pub found_by: Option<FoundBy>,
    /// The model made no scheduling decision: it has one schedule, which
    /// was explored (PCT stops there).
    pub single_schedule: bool,
    /// The conflicting pairs of operations seen in both orders, out of
    /// those seen in either (checkers only; `None` in std mode).
    pub coverage: Option<crate::record::Coverage>,
    /// Knuth's estimate of how many executions a complete search of every
    /// interleaving would run (the tree shuttle's DFS walks), from the
    /// paths of the random scheduler's executions, which pick uniformly
    /// among the runnable threads (`weft::rand::choose`'s values are not
    /// counted as branches). `None` for other searches.
    pub estimated_tree: Option<f64>,
    /// How many times weft's DPOR search held back a thread it took for a
    /// spinner: one that polled twice (read shared state and yielded, or
    /// found nothing in a `try_recv`, a `try_lock`, a compare-exchange, a
    /// timed wait) with nothing written since, which runs again only after
    /// another thread writes what it polled (README, Limitations). A
    /// search that finished covered every interleaving up to that bound:
    /// a loop whose later turns differ on their own was not run to its end
    /// before the write. 0 for other searches, and for a DPOR search that
    /// never held a thread back.
    pub spinners_held: usize,
}

/// Knuth's estimate of how many executions a complete search of every
/// interleaving would run, from the random executions the exploration
/// running on this thread finished so far (see
/// [`ExploreOutcome::estimated_tree`]); `None` when there is none (no
/// exploration, another scheduler, loom, std). For a progress line, read
/// from inside the model's body.
pub fn estimated_tree_so_far() -> Option<f64> {
    crate::backend::estimated_tree_so_far()
}

/// For each scheduling decision of the execution that ran last on this
/// OS thread, how many steps had been recorded when it was made: the steps
/// between two marks ran under the first of the two decisions. shuttle
/// only; empty on loom and std. Read right after an exploration or a
/// replay returns (weft-check matches a failing schedule's steps with its
/// decisions this way to find its flip point).
pub fn decision_marks() -> Vec<usize> {
    crate::backend::decision_marks()
}

/// Runs `body` under this build's backend.
pub fn explore(config: &ExploreConfig, body: Arc<dyn Fn() + Send + Sync>) -> ExploreOutcome {
    if crate::workers::applies(config) {
        crate::workers::explore(config, body)
    } else {
        crate::backend::explore(config, body)
    }
}

/// How many executions a documentation example explores under a checker.
const DOC_EXAMPLE_EXECUTIONS: usize = 50;

/// Runs a documentation example on every backend: once, as written, on
/// real threads; under a checker as a model (a bounded exploration of up
/// to 50 executions), since weft's modelled primitives exist only inside
/// one. weft's doc examples call it on hidden lines
/// (`# weft_sync::explore::doc_example(|| {` ... `# });`), so that
/// `cargo test --doc --features loom` (or `shuttle`) runs them too.
///
/// # Panics
///
/// When the example fails: its panic on real threads, the failure's kind
/// and message under a checker.
#[doc(hidden)]
#[track_caller]
pub fn doc_example<F>(f: F)
where
    F: Fn() + Send + Sync + 'static,
{
    if crate::capability::real_threads() {
        f();
        return;
    }
    let mut config = ExploreConfig::new("doc_example");
    config.iterations = Some(DOC_EXAMPLE_EXECUTIONS);
    config.max_executions = Some(DOC_EXAMPLE_EXECUTIONS);
    config.seed = Some(0);
    if let Some(failure) = explore(&config, Arc::new(f)).failure {
        panic!(
            "the example failed on {}: {}: {}",
            Backend::current(),
            failure.kind,
            failure.message
        );
    }
}

/// [`doc_example`] for an example whose thread panics and is joined: on
/// real threads the example runs as written (the join returns the
/// panic); under a checker a panic that escapes a model thread is the
/// failure the checker reports, so the exploration must fail with it, its
/// message containing `message`.
///
/// # Panics
///
/// When the example fails on real threads, or under a checker when the
/// exploration passes or fails another way.
#[doc(hidden)]
#[track_caller]
pub fn doc_example_panics<F>(message: &str, f: F)
where
    F: Fn() + Send + Sync + 'static,
{
    if crate::capability::real_threads() {
        f();
        return;
    }
    let mut config = ExploreConfig::new("doc_example");
    config.iterations = Some(DOC_EXAMPLE_EXECUTIONS);
    config.max_executions = Some(DOC_EXAMPLE_EXECUTIONS);
    config.seed = Some(0);
    match explore(&config, Arc::new(f)).failure {
        Some(failure)
            if failure.kind == FailureKind::Assertion && failure.message.contains(message) => {}
        Some(failure) => panic!(
            "the example failed on {} otherwise than with `{message}`: {}: {}",
            Backend::current(),
            failure.kind,
            failure.message
        ),
        None => panic!(
            "the example passed on {}: its panic `{message}` was never seen",
            Backend::current()
        ),
    }
}
