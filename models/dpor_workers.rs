//! weft's DPOR search split across workers (`Model::workers` with
//! `Scheduler::Dpor`, shuttle): the same verdicts and reachable states as
//! one worker, a bug found with its exact kind and report, and an
//! exhaustive verdict only when the whole shared search finished.

#[cfg(feature = "shuttle")]
mod on_shuttle {
    use std::collections::BTreeSet;

    use weft::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    use weft::sync::Arc;
    use weft::thread;
    use weft::{FailureKind, Scheduler};

    fn dpor(name: &str, workers: usize) -> weft::Model {
        weft::Model::new()
            .name(name)
            .scheduler(Scheduler::Dpor)
            .workers(workers)
    }

    /// What one execution ends with: what each of three threads read, and
    /// the final values.
    type Outcome = (usize, usize, usize, usize, usize);

    /// Three threads racing on two atomics, several hundred executions:
    /// enough for the workers to split the tree. Each execution's outcome
    /// goes into `seen` (a std mutex: the collector is outside the model,
    /// and the workers' OS threads share it).
    fn racy(
        seen: std::sync::Arc<std::sync::Mutex<BTreeSet<Outcome>>>,
    ) -> impl Fn() + Send + Sync + 'static {
        move || {
            let x = Arc::new(AtomicUsize::new(0).named("x"));
            let y = Arc::new(AtomicUsize::new(0).named("y"));
            let spawn = |name: &str, first: bool| {
                let (x, y) = (x.clone(), y.clone());
                thread::Builder::new()
                    .name(name)
                    .spawn(move || {
                        if first {
                            let a = x.fetch_add(1, SeqCst);
                            y.store(a + 1, SeqCst);
                            y.load(SeqCst)
                        } else {
                            let b = y.fetch_add(2, SeqCst);
                            x.store(b, SeqCst);
                            x.load(SeqCst)
                        }
                    })
                    .unwrap()
            };
            let t1 = spawn("t1", true);
            let t2 = spawn("t2", false);
            let c = x.fetch_add(3, SeqCst) + y.load(SeqCst);
            let (a, b) = (t1.join().unwrap(), t2.join().unwrap());
            let outcome = (a, b, c, x.load(SeqCst), y.load(SeqCst));
            seen.lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(outcome);
        }
    }

    fn reachable(workers: usize) -> (weft::Stats, BTreeSet<Outcome>) {
        let seen = std::sync::Arc::default();
        let stats = dpor(&format!("racy_on_{workers}"), workers)
            .explore(racy(std::sync::Arc::clone(&seen)))
            .unwrap_or_else(|f| panic!("{f}"));
        let seen = std::mem::take(&mut *seen.lock().unwrap_or_else(|e| e.into_inner()));
        (stats, seen)
    }

    #[test]
    fn two_workers_reach_the_states_one_worker_reaches_exhaustively() {
        let (one, alone) = reachable(1);
        let (two, split) = reachable(2);
        assert_eq!(one.workers(), 1, "{one}");
        assert_eq!(two.workers(), 2, "{two}");
        assert!(one.is_search_complete(), "{one}");
        assert!(two.is_search_complete(), "{two}");
        assert!(alone.len() > 10, "{alone:?}");
        assert_eq!(split, alone);
        eprintln!("{one}\n{two}");
    }

    /// Two workers explore each trace once too: a branch is claimed only
    /// once the steps of the branches claimed before it at its node are
    /// known, so its sleep set is the sequential search's. (Claimed
    /// while another worker's sibling had not run yet, it left that
    /// sibling out, and four threads took 24 or 26 executions from run to
    /// run.)
    #[test]
    fn two_workers_run_one_execution_per_trace_as_one_does() {
        for (n, traces) in [(4, 24), (5, 120)] {
            for run in 0..5 {
                let stats = dpor("adders_on_2", 2)
                    .explore(crate::dpor::on_shuttle::counter(n))
                    .unwrap_or_else(|f| panic!("{f}"));
                assert!(stats.is_search_complete(), "{stats}");
                assert_eq!(
                    stats.executions(),
                    traces,
                    "{n} threads, run {run}: {stats}"
                );
            }
        }
    }

    /// Load, then store: two increments can lose one. `other` logs what it
    /// read (a `tracing` event, which a report shows in place).
    fn lost_update() {
        let n = Arc::new(AtomicUsize::new(0).named("hits"));
        let n2 = n.clone();
        let h = thread::Builder::new()
            .name("other")
            .spawn(move || {
                let v = n2.load(SeqCst);
                tracing::info!(read = v, "other read");
                n2.store(v + 1, SeqCst);
            })
            .unwrap();
        let v = n.load(SeqCst);
        n.store(v + 1, SeqCst);
        h.join().unwrap();
        assert_eq!(n.load(SeqCst), 2, "an increment was lost");
    }

    #[test]
    fn two_workers_find_a_lost_update_and_name_the_worker() {
        let failure = dpor("lost_update_on_2", 2)
            .explore(lost_update)
            .expect_err("the lost update is found");
        assert_eq!(failure.kind(), FailureKind::Assertion, "{failure}");
        assert_eq!(failure.scheduler(), Scheduler::Dpor, "{failure}");
        let found = failure.found_by().expect("a worker found it");
        assert_eq!(found.workers, 2, "{failure}");
        assert!(found.worker < 2, "{failure}");
        let report = failure.to_string();
        assert!(report.contains("an increment was lost"), "{report}");
        assert!(report.contains("Panic in thread `main`"), "{report}");
        assert!(report.contains("`other`"), "{report}");
        assert!(report.contains("hits"), "{report}");
        assert!(report.contains("models/dpor_workers.rs"), "{report}");
        // A DPOR worker has no seed to give: its share of the tree
        // depends on the other's.
        assert!(
            report.contains(&format!(
                "Found by dpor on worker {} of 2; its search alone: WEFT_SCHEDULER=dpor WEFT_WORKERS=1 cargo test --features shuttle",
                found.worker + 1
            )),
            "{report}"
        );
        assert!(!report.contains("WEFT_SEED"), "{report}");
        assert!(!report.contains("seed"), "{report}");
    }

    /// The search runs without weft's `tracing` recorder (its scoped
    /// dispatcher slowed the workers), so the failing execution is replayed
    /// with it: the user's events are in the report, in place.
    #[test]
    fn the_users_events_are_in_the_report_of_a_bug_two_workers_found() {
        let failure = dpor("traced_lost_update_on_2", 2)
            .explore(lost_update)
            .expect_err("the lost update is found");
        assert_eq!(failure.kind(), FailureKind::Assertion, "{failure}");
        let steps = failure.steps();
        let at = steps
            .iter()
            .position(
                |e| matches!(&e.op, weft::record::Op::Trace(m) if m == "INFO other read read=0"),
            )
            .unwrap_or_else(|| panic!("the event is a step:\n{failure}"));
        assert_eq!(failure.log().thread_name(steps[at].thread), "other");
        assert!(
            matches!(steps[at + 1].op, weft::record::Op::Store(_)),
            "the store follows the event:\n{failure}"
        );
        let report = failure.to_string();
        assert!(report.contains("trace: INFO other read read=0"), "{report}");
    }

    #[test]
    fn a_bug_found_by_two_workers_is_no_exhaustive_verdict() {
        let stats = dpor("lost_update_expected_on_2", 2)
            .expect_failure(FailureKind::Assertion)
            .explore(lost_update)
            .unwrap_or_else(|f| panic!("{f}"));
        assert!(!stats.is_search_complete(), "{stats}");
        assert!(stats.caught().is_some(), "{stats}");
    }
}
