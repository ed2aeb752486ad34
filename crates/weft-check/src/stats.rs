//! What a passing exploration did, and what it proves.

use std::fmt;
use std::time::Duration;

use weft_sync::explore::{Backend, Bound, SchedulerKind};
use weft_sync::record::Coverage;

use crate::failure::Failure;

/// How much was explored, whether it was everything, and if not, why not.
///
/// `Display` is the verdict line the runner prints for a passing model:
///
/// ```text
/// weft: model `counter` verified on shuttle (dfs scheduler): 6 executions in 1.20ms, exhaustive, coverage 2/2 conflicting pairs in both orders
/// weft: model `counter` verified on loom (DPOR search): 6 executions in 3.10ms, loom search complete, but loom's DPOR may skip some SC interleavings (loom issues #392, #166: see README, Limitations), coverage 2/2 conflicting pairs in both orders
/// weft: model `counter` verified on shuttle (random scheduler): 50000 executions in 3.00s, not exhaustive: random scheduler; time budget (seed 42), coverage 2/2 conflicting pairs in both orders
/// ```
///
/// The coverage figure ([`Stats::coverage`]) ends the line under a
/// checker; a stress run on real threads has none.
///
/// A model that declared the failure it expects
/// ([`Model::expect_failure`](crate::Model::expect_failure)) and found it
/// passes with that failure in [`Stats::caught`], and its line says so:
///
/// ```text
/// weft: model `abba` caught the expected deadlock on loom (DPOR search): after 4 executions in 210.00µs
/// ```
#[derive(Clone, Debug)]
pub struct Stats {
    pub(crate) model: String,
    pub(crate) backend: Backend,
    pub(crate) scheduler: SchedulerKind,
    /// OS threads that explored (`Model::workers`).
    pub(crate) workers: usize,
    pub(crate) executions: usize,
    pub(crate) elapsed: Duration,
    pub(crate) complete: bool,
    pub(crate) bounds: Vec<Bound>,
    pub(crate) seed: Option<u64>,
    pub(crate) caught: Option<Box<Failure>>,
    pub(crate) coverage: Option<Coverage>,
    pub(crate) stopped: Option<String>,
    pub(crate) spinners_held: usize,
}

/// Two runs' stats are equal when they say the same; a caught failure is
/// compared by its kind and message (a report has no equality of its own).
impl PartialEq for Stats {
    fn eq(&self, other: &Stats) -> bool {
        let caught = |s: &Stats| {
            s.caught
                .as_ref()
                .map(|f| (f.kind(), f.message().to_string()))
        };
        self.model == other.model
            && self.backend == other.backend
            && self.scheduler == other.scheduler
            && self.workers == other.workers
            && self.executions == other.executions
            && self.elapsed == other.elapsed
            && self.complete == other.complete
            && self.bounds == other.bounds
            && self.seed == other.seed
            && caught(self) == caught(other)
            && self.coverage == other.coverage
            && self.stopped == other.stopped
            && self.spinners_held == other.spinners_held
    }
}

impl Eq for Stats {}

/// What a complete DPOR search adds to its proof when it held back a
/// spinner ([`Stats::spinners_held`]).
const SPIN_BOUND: &str = ", spin loops bounded: a thread that polled twice with nothing written since ran again only after a write (README, Limitations)";

impl Stats {
    /// The model's name.
    pub fn model_name(&self) -> &str {
        &self.model
    }

    /// The backend that explored.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The scheduler that explored last (shuttle; under the default
    /// search, [`SchedulerKind::Dpor`], or [`SchedulerKind::Random`] after
    /// a DPOR search that did not finish).
    pub fn scheduler(&self) -> SchedulerKind {
        self.scheduler
    }

    /// How many OS threads explored ([`Model::workers`](crate::Model::workers)):
    /// 1 on loom, in std mode, and for weft's DPOR search, shuttle's DFS
    /// and replays, whatever the model asked for.
    pub fn workers(&self) -> usize {
        self.workers
    }

    /// Executions run (over every worker).
    pub fn executions(&self) -> usize {
        self.executions
    }

    /// Wall time of the exploration.
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }

    /// Whether the exploration was a complete search of every source of
    /// nondeterminism the model used: true only when [`Stats::bounds`] is
    /// empty (shuttle's DFS run to its end on a model that makes no
    /// `choose`). A loom run never is: loom's DPOR can skip interleavings
    /// ([`Bound::LoomDpor`]); [`Stats::is_search_complete`] says whether
    /// loom ran its search to the end.
    pub fn is_exhaustive(&self) -> bool {
        self.bounds.is_empty()
    }

    /// Whether the engine ran its systematic search (loom's, or shuttle's
    /// DFS) to its end with no bound, limit or budget cutting it short. The
    /// search may still not cover everything: see [`Stats::bounds`].
    pub fn is_search_complete(&self) -> bool {
        self.complete
    }

    /// Why this exploration is not a proof that the model has no bug: the
    /// bounds that cut the search short ("preemption bound 2", "time
    /// budget"), the nondeterminism it did not explore ("`choose` not
    /// explored on loom"), and the engine's known gaps ("loom's DPOR may
    /// skip some SC interleavings"). Empty for an exhaustive search.
    ///
    /// # Examples
    ///
    /// ```
    /// use weft_check::{Backend, Bound, Model};
    ///
    /// let stats = Model::new().name("nothing").iterations(3).explore(|| {}).unwrap();
    /// match stats.backend() {
    ///     Backend::Std => assert_eq!(stats.bounds(), [Bound::StressRun]),
    ///     Backend::Loom => assert!(stats.bounds().contains(&Bound::LoomDpor)),
    ///     _ => assert!(!stats.bounds().is_empty()),
    /// }
    /// assert!(!stats.is_exhaustive());
    /// ```
    pub fn bounds(&self) -> &[Bound] {
        &self.bounds
    }

    /// The verdict: `exhaustive`; `loom search complete, but loom's DPOR
    /// may skip ...` for a loom search that ran to its end; or
    /// `not exhaustive: ` and the [`Stats::bounds`], separated by `; `.
    ///
    /// When the default search's DPOR did not finish, its bound says how
    /// many random schedules followed: `DPOR explored N executions, not
    /// complete; then M random schedules`.
    pub fn verdict(&self) -> String {
        match self.bounds.as_slice() {
            [] => "exhaustive".to_string(),
            [Bound::LoomDpor] if self.complete => {
                format!("loom search complete, but {}", Bound::LoomDpor)
            }
            bounds => {
                let reasons: Vec<String> = bounds
                    .iter()
                    .map(|b| match b {
                        Bound::DporIncomplete(n) => format!(
                            "DPOR explored {n} executions, not complete; then {} random schedules",
                            self.executions.saturating_sub(*n)
                        ),
                        b => b.to_string(),
                    })
                    .collect();
                format!("not exhaustive: {}", reasons.join("; "))
            }
        }
    }

    /// How many times the DPOR search held back a thread it took for a
    /// spinner: a thread that polled twice (read shared state and yielded,
    /// or found nothing in a `try_recv`, a `try_lock`, a compare-exchange
    /// or a timed wait) with nothing written since runs again only after
    /// another thread writes what it polled (README, Limitations). When
    /// this is not 0, a search that finished covered every interleaving up
    /// to that bound, and its stats line says so: a loop whose later turns
    /// differ on their own (`for turn in 0..4 { .. yield_now() }`, then a
    /// give-up path) was not run to its end before the write. 0 for other
    /// searches.
    pub fn spinners_held(&self) -> usize {
        self.spinners_held
    }

    /// What a complete DPOR search proved, for the stats line: `verified:
    /// every interleaving under sequential consistency (N executions)`,
    /// and `, spin loops bounded: ...` when the search held back a thread
    /// it took for a spinner ([`Stats::spinners_held`]). `None` for any
    /// other exploration.
    fn proof(&self) -> Option<String> {
        (self.bounds.is_empty()
            && self.complete
            && self.backend == Backend::Shuttle
            && self.scheduler == SchedulerKind::Dpor)
            .then(|| {
                let mut proof = format!(
                    "verified: every interleaving under sequential consistency ({})",
                    crate::found::counted(self.executions, "execution")
                );
                if self.spinners_held > 0 {
                    proof.push_str(SPIN_BOUND);
                }
                proof
            })
    }

    /// The seed the random schedulers used, if any.
    pub fn seed(&self) -> Option<u64> {
        self.seed
    }

    /// How the backend searched, as the verdict line names it.
    fn search(&self) -> String {
        match self.backend {
            Backend::Loom => "DPOR search".to_string(),
            Backend::Std => "stress run on real threads".to_string(),
            Backend::Shuttle => {
                // The default search that handed over to random schedules
                // ran DPOR first: most of its executions may be DPOR's.
                let handed_over = self.scheduler == SchedulerKind::Random
                    && self
                        .bounds
                        .iter()
                        .any(|b| matches!(b, Bound::DporIncomplete(_)));
                let first = if handed_over { "dpor, then " } else { "" };
                let mut search = format!("{first}{} scheduler", self.scheduler);
                if self.workers > 1 {
                    search.push_str(&format!(", {} workers", self.workers));
                }
                search
            }
        }
    }

    /// The coverage figure: of the pairs of conflicting operations the
    /// exploration saw in either order, how many it saw in both (see
    /// [`Coverage`]). `None` in std mode, where nothing is recorded.
    ///
    /// # Examples
    ///
    /// ```
    /// use weft_check::{Backend, Model};
    /// use weft_sync::sync::atomic::{AtomicUsize, Ordering};
    /// use weft_sync::sync::Arc;
    /// use weft_sync::thread;
    ///
    /// let stats = Model::new().name("store_load").explore(|| {
    ///     let n = Arc::new(AtomicUsize::new(0).named("n"));
    ///     let n2 = Arc::clone(&n);
    ///     let t = thread::spawn(move || n2.store(1, Ordering::SeqCst));
    ///     let _ = n.load(Ordering::SeqCst);
    ///     t.join().unwrap();
    /// }).unwrap();
    /// match stats.coverage() {
    ///     None => assert_eq!(stats.backend(), Backend::Std),
    ///     // the store and the load, each seen first
    ///     Some(c) => assert!(c.both_orders() >= 1, "{c}"),
    /// }
    /// ```
    pub fn coverage(&self) -> Option<&Coverage> {
        self.coverage.as_ref()
    }

    /// What a time budget made the exploration give up, when one stopped
    /// it: `stopped at 40% of the estimated tree (~2500 executions)` when
    /// the random schedules estimated the whole tree of interleavings
    /// (Knuth's estimator: the mean product of the branching factors along
    /// their paths), `stopped after N executions by the time budget`
    /// otherwise. It follows the verdict (and seed) in the stats line.
    pub fn stopped(&self) -> Option<&str> {
        self.stopped.as_deref()
    }

    /// The failure the model declared it expects
    /// ([`Model::expect_failure`](crate::Model::expect_failure)), as found:
    /// its report, threads, steps and trace file.
    pub fn caught(&self) -> Option<&Failure> {
        self.caught.as_deref()
    }

    /// The caught failure, by value: [`Stats::caught`] for a test that goes
    /// on to assert on the report.
    ///
    /// # Examples
    ///
    /// ```
    /// use weft_check::{FailureKind, Model};
    ///
    /// let failure = Model::new()
    ///     .expect_failure(FailureKind::Assertion)
    ///     .check(|| assert_eq!(1 + 1, 3, "arithmetic is broken on purpose"))
    ///     .into_caught()
    ///     .expect("the declared failure");
    /// assert!(failure.message().contains("arithmetic is broken on purpose"));
    /// ```
    pub fn into_caught(self) -> Option<Failure> {
        self.caught.map(|f| *f)
    }
}

impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(caught) = &self.caught {
            write!(
                f,
                "weft: model `{}` caught the expected {} on {} ({}): after {} in {:.2?}",
                self.model,
                caught.kind(),
                self.backend,
                self.search(),
                crate::found::counted(self.executions, "execution"),
                self.elapsed,
            )?;
            if let Some(found) = caught.found_by() {
                write!(
                    f,
                    "; found by {} on worker {} of {}",
                    found.scheduler,
                    found.worker + 1,
                    found.workers,
                )?;
                if crate::found::seeded(found.scheduler) {
                    write!(f, " (seed {})", found.seed)?;
                }
            }
            if let Some(s) = caught.shrunk() {
                write!(
                    f,
                    "; schedule shrunk to {}, {} from {}{} in {:.2?}",
                    crate::found::counted(s.preemptions, "preemption"),
                    crate::found::counted(s.steps, "step"),
                    s.first_preemptions
                        .map(|p| format!("{}, ", crate::found::counted(p, "preemption")))
                        .unwrap_or_default(),
                    crate::found::counted(s.first_steps, "step"),
                    s.elapsed
                )?;
            }
            if let Some(path) = caught.trace_path() {
                write!(f, "; trace {}", path.display())?;
            }
            return Ok(());
        }
        write!(
            f,
            "weft: model `{}` verified on {} ({}): {} in {:.2?}, {}",
            self.model,
            self.backend,
            self.search(),
            crate::found::counted(self.executions, "execution"),
            self.elapsed,
            self.verdict()
        )?;
        if let Some(proof) = self.proof() {
            write!(f, "; {proof}")?;
        }
        if let Some(seed) = self.seed {
            write!(f, " (seed {seed})")?;
        }
        if let Some(stopped) = &self.stopped {
            write!(f, ", {stopped}")?;
        }
        if let Some(coverage) = &self.coverage {
            write!(f, ", {coverage}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(backend: Backend, complete: bool, bounds: Vec<Bound>) -> Stats {
        Stats {
            model: "m".to_string(),
            backend,
            scheduler: SchedulerKind::Dfs,
            workers: 1,
            executions: 15,
            elapsed: Duration::from_millis(2),
            complete,
            bounds,
            seed: None,
            caught: None,
            coverage: None,
            stopped: None,
            spinners_held: 0,
        }
    }

    #[test]
    fn a_complete_dpor_search_says_what_it_proved_and_the_spin_bound_it_used() {
        let mut s = stats(Backend::Shuttle, true, Vec::new());
        s.scheduler = SchedulerKind::Dpor;
        let line = s.to_string();
        assert!(
            line.ends_with(
                "exhaustive; verified: every interleaving under sequential consistency (15 executions)"
            ),
            "{line}"
        );
        s.spinners_held = 3;
        assert_eq!(s.spinners_held(), 3);
        let line = s.to_string();
        assert!(
            line.ends_with(
                "exhaustive; verified: every interleaving under sequential consistency (15 executions), spin loops bounded: a thread that polled twice with nothing written since ran again only after a write (README, Limitations)"
            ),
            "{line}"
        );
        // Only a complete DPOR search proves anything to qualify.
        s.complete = false;
        s.bounds = vec![Bound::TimeBudget];
        assert!(!s.to_string().contains("spin loops bounded"), "{s}");
    }

    #[test]
    fn a_default_search_that_handed_over_to_random_names_both_searches() {
        let mut s = stats(
            Backend::Shuttle,
            false,
            vec![Bound::DporIncomplete(10), Bound::TimeBudget],
        );
        s.scheduler = SchedulerKind::Random;
        s.workers = 2;
        let line = s.to_string();
        assert!(
            line.contains("(dpor, then random scheduler, 2 workers): 15 executions"),
            "{line}"
        );
        assert!(
            line.contains(
                "not exhaustive: DPOR explored 10 executions, not complete; then 5 random schedules"
            ),
            "{line}"
        );
        // A random search alone is named alone.
        s.bounds = vec![Bound::TimeBudget];
        s.workers = 1;
        let line = s.to_string();
        assert!(line.contains("(random scheduler): 15 executions"), "{line}");
    }

    #[test]
    fn the_coverage_figure_ends_the_line_after_the_seed() {
        use weft_sync::record::{Loc, OpClass};
        let mut s = stats(
            Backend::Shuttle,
            false,
            vec![Bound::SampledSchedules(SchedulerKind::Random)],
        );
        s.seed = Some(7);
        let class = |op| OpClass {
            op,
            object: "n".to_string(),
            location: Loc {
                file: "m.rs",
                line: 1,
                column: 1,
            },
        };
        let mut c = Coverage::new();
        c.saw(class("store"), 1, class("load"), 0);
        s.coverage = Some(c);
        let line = s.to_string();
        assert!(
            line.ends_with(
                "random scheduler (seed 7), coverage 0/1 conflicting pairs in both orders"
            ),
            "{line}"
        );
    }

    #[test]
    fn only_a_search_with_no_bound_is_exhaustive() {
        let s = stats(Backend::Shuttle, true, vec![]);
        assert!(s.is_exhaustive());
        assert!(s.to_string().ends_with(", exhaustive"), "{s}");
    }

    #[test]
    fn a_complete_loom_search_says_what_loom_does_not_guarantee() {
        let s = stats(Backend::Loom, true, vec![Bound::LoomDpor]);
        assert!(!s.is_exhaustive());
        assert!(s.is_search_complete());
        let line = s.to_string();
        assert!(line.contains("(DPOR search)"), "{line}");
        assert!(
            line.ends_with(", loom search complete, but loom's DPOR may skip some SC interleavings (loom issues #392, #166: see README, Limitations)"),
            "{line}"
        );
        assert!(!line.contains("exhaustive"), "{line}");
    }

    #[test]
    fn every_bound_is_named_in_the_verdict() {
        let s = stats(
            Backend::Loom,
            false,
            vec![
                Bound::PreemptionBound(2),
                Bound::TimeBudget,
                Bound::ChoiceNotExplored,
                Bound::LoomDpor,
            ],
        );
        assert_eq!(
            s.verdict(),
            "not exhaustive: preemption bound 2; time budget; `choose` not explored on loom; loom's DPOR may skip some SC interleavings (loom issues #392, #166: see README, Limitations)"
        );
        let s = stats(
            Backend::Shuttle,
            true,
            vec![Bound::IterationLimit(100), Bound::ChoiceRandomOnDfs],
        );
        assert_eq!(
            s.verdict(),
            "not exhaustive: iteration limit 100; `choose` answered randomly by shuttle's DFS"
        );
    }
}
