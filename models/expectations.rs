//! A test of a deliberately broken program declares the failure it
//! expects (`Model::expect_failure`): `explore` returns `Ok` with the
//! failure when that kind is found, and fails when the model passes
//! (`NotCaught`) or fails another way. `cargo weft check` counts "caught"
//! from the runner's line for it, never from a test's name.

#[cfg(any(feature = "loom", feature = "shuttle"))]
mod on_a_checker {
    use weft::sync::atomic::{AtomicUsize, Ordering};
    use weft::sync::{Arc, Mutex};
    use weft::thread;
    use weft::FailureKind;

    fn abba() {
        let locks = Arc::new((Mutex::new(()).named("a"), Mutex::new(()).named("b")));
        let l2 = Arc::clone(&locks);
        let t = thread::Builder::new()
            .name("ba")
            .spawn(move || {
                let _b = l2.1.lock().unwrap();
                let _a = l2.0.lock().unwrap();
            })
            .unwrap();
        {
            let _a = locks.0.lock().unwrap();
            let _b = locks.1.lock().unwrap();
        }
        t.join().unwrap();
    }

    fn counter() {
        let n = Arc::new(AtomicUsize::new(0).named("n"));
        let n2 = Arc::clone(&n);
        let t = thread::spawn(move || {
            n2.fetch_add(1, Ordering::SeqCst);
        });
        n.fetch_add(1, Ordering::SeqCst);
        t.join().unwrap();
        assert_eq!(n.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn the_declared_failure_found_is_ok_with_the_failure() {
        let stats = weft::Model::new()
            .name("expected_abba")
            .expect_failure(FailureKind::Deadlock)
            .explore(abba)
            .unwrap();
        let caught = stats.caught().expect("the failure that was caught");
        assert_eq!(caught.kind(), FailureKind::Deadlock, "{caught}");
        assert!(caught.deadlock_cycle().is_some(), "{caught}");
        assert!(caught.trace_path().is_some_and(|p| p.is_file()), "{caught}");
        let line = stats.to_string();
        assert!(
            line.starts_with("weft: model `expected_abba` caught the expected deadlock on "),
            "{line}"
        );
    }

    /// `explore(..).unwrap()` of a model that was expected to fail and
    /// passed prints the report, as every failure does, and not a dump of
    /// the failure's fields (the whole execution log among them).
    #[test]
    fn an_unwrapped_failure_prints_its_report() {
        let failure = weft::Model::new()
            .name("unwrapped_not_caught")
            .expect_failure(FailureKind::Deadlock)
            .explore(counter)
            .unwrap_err();
        let debug = format!("{failure:?}");
        assert_eq!(debug, format!("\n{failure}"));
        assert!(
            debug.contains("weft: model `unwrapped_not_caught` failed on "),
            "{debug}"
        );
        assert!(
            debug.contains("expected to fail with a deadlock"),
            "{debug}"
        );
        assert!(!debug.contains("ExecutionLog"), "{debug}");
    }

    #[test]
    fn a_model_that_passes_fails_as_not_caught() {
        let failure = weft::Model::new()
            .name("expected_but_correct")
            .expect_failure(FailureKind::Deadlock)
            .explore(counter)
            .unwrap_err();
        assert_eq!(failure.kind(), FailureKind::NotCaught, "{failure}");
        assert!(
            failure
                .message()
                .contains("expected to fail with a deadlock"),
            "{failure}"
        );
        // A verdict on the whole exploration: no trace, no replay.
        assert!(failure.trace_path().is_none(), "{failure}");
        let report = failure.to_string();
        assert!(
            report.contains(&format!(
                "Found across the whole exploration ({} executions): no single execution shows it, so there is no trace to replay.",
                failure.executions()
            )),
            "{report}"
        );
        assert!(!report.contains("Found on real threads"), "{report}");
    }

    #[test]
    fn another_failure_than_the_declared_one_fails_as_itself() {
        let failure = weft::Model::new()
            .name("expected_other")
            .expect_failure(FailureKind::DataRace)
            .explore(abba)
            .unwrap_err();
        assert_eq!(failure.kind(), FailureKind::Deadlock, "{failure}");
    }
}

/// In std mode too: a panic is found by a stress run, so an expected
/// assertion is caught on every backend.
#[test]
fn an_expected_panic_is_caught_on_every_backend() {
    let stats = weft::Model::new()
        .name("expected_panic")
        .expect_failure(weft::FailureKind::Assertion)
        .explore(|| panic!("broken on purpose"))
        .unwrap();
    let caught = stats.caught().expect("the panic");
    assert!(caught.message().contains("broken on purpose"), "{caught}");
}
