//! A panic is reported where it happened, not where its consequences
//! surface: a thread that panics while holding a lock poisons it, and
//! while it unwinds, another thread may run, lock the poisoned mutex and
//! panic on the `PoisonError`. The first panic is the bug; the second is
//! its echo.

#[cfg(any(feature = "loom", feature = "shuttle"))]
mod on_a_checker {
    use weft::sync::{Arc, Mutex};
    use weft::thread;
    use weft::{FailureKind, Scheduler};

    /// `main` fails its check while holding `state`; `reader` unwraps its
    /// lock of `state`, so it panics when it runs during main's unwinding.
    fn panics_holding_a_lock() {
        let state = Arc::new(Mutex::new(0).named("state"));
        let s2 = Arc::clone(&state);
        let reader = thread::Builder::new()
            .name("reader")
            .spawn(move || {
                let _ = *s2.lock().unwrap();
            })
            .unwrap();
        let value = state.lock().unwrap();
        assert_eq!(*value, 1, "the root cause");
        drop(value);
        reader.join().unwrap();
    }

    fn assert_root_cause(failure: &weft::Failure) {
        assert_eq!(failure.kind(), FailureKind::Assertion, "{failure}");
        let report = failure.to_string();
        assert!(report.contains("the root cause"), "{report}");
        assert!(report.contains("Panic in thread `main`"), "{report}");
        assert!(!report.contains("PoisonError"), "{report}");
    }

    #[test]
    fn the_first_panic_is_reported_not_the_poisoned_lock_it_caused() {
        // Every schedule of every seed, including those that run `reader`
        // in the middle of main's unwinding.
        for seed in 0..64 {
            let failure = weft::Model::new()
                .name("panics_holding_a_lock")
                .scheduler(Scheduler::Random)
                .seed(seed)
                .iterations(20)
                .expect_failure(FailureKind::Assertion)
                .check(panics_holding_a_lock)
                .into_caught()
                .expect("the declared failure");
            assert!(
                !std::thread::panicking(),
                "seed {seed}: the exploration left this thread panicking"
            );
            assert_root_cause(&failure);
        }
    }

    #[test]
    fn the_first_panic_is_reported_under_exhaustive_search() {
        let failure = weft::Model::new()
            .name("panics_holding_a_lock_dfs")
            .scheduler(Scheduler::Dfs)
            .expect_failure(FailureKind::Assertion)
            .check(panics_holding_a_lock)
            .into_caught()
            .expect("the declared failure");
        assert_root_cause(&failure);
    }

    /// A thread that catches its own panic while another thread drops a
    /// guard of another lock: the other lock is not poisoned, whatever the
    /// interleaving (both threads share one OS thread under shuttle, whose
    /// `std::thread::panicking()` is true while the first one unwinds).
    fn catches_a_panic_while_another_thread_locks() {
        let first = Arc::new(Mutex::new(0).named("first"));
        let second = Arc::new(Mutex::new(0).named("second"));
        let f2 = Arc::clone(&first);
        let catcher = thread::Builder::new()
            .name("catcher")
            .spawn(move || {
                let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    let _guard = f2.lock().unwrap();
                    panic!("caught on purpose");
                }));
                assert!(caught.is_err());
            })
            .unwrap();
        for _ in 0..2 {
            *second.lock().unwrap() += 1;
        }
        catcher.join().unwrap();
        assert!(first.is_poisoned(), "the catcher's panic poisons `first`");
        assert!(!second.is_poisoned());
        assert_eq!(*second.lock().unwrap(), 2);
    }

    /// Locks a mutex that a caught panic poisoned.
    fn locks_a_poisoned_mutex() {
        let lock = Arc::new(Mutex::new(0).named("lock"));
        let l2 = Arc::clone(&lock);
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
            let _guard = l2.lock().unwrap();
            panic!("caught on purpose");
        }));
        assert!(caught.is_err());
        let guard = lock.lock().unwrap_err().into_inner();
        assert_eq!(*guard, 0);
    }

    #[cfg(feature = "shuttle")]
    #[test]
    fn a_poisoned_mutex_locks_with_an_error_on_shuttle() {
        weft::Model::new()
            .name("locks_a_poisoned_mutex")
            .explore(locks_a_poisoned_mutex)
            .unwrap_or_else(|f| panic!("{f}"));
    }

    /// A mutex poisoned by a caught panic, then taken apart: its value
    /// comes back inside the poison error, from `get_mut` and `into_inner`.
    fn takes_the_value_of_a_poisoned_mutex() {
        let mut lock = Mutex::new(5).named("lock");
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _guard = lock.lock().unwrap();
            panic!("caught on purpose");
        }));
        assert!(caught.is_err());
        *lock.get_mut().unwrap_err().into_inner() += 1; // get_mut of a poisoned lock
        assert_eq!(lock.into_inner().unwrap_err().into_inner(), 6);
    }

    #[cfg(feature = "shuttle")]
    #[test]
    fn a_poisoned_mutex_gives_its_value_in_an_error_on_shuttle() {
        weft::Model::new()
            .name("takes_the_value_of_a_poisoned_mutex")
            .explore(takes_the_value_of_a_poisoned_mutex)
            .unwrap_or_else(|f| panic!("{f}"));
    }

    /// loom's `get_mut` unwraps std's poison too: weft checks before it
    /// hands loom the lock.
    #[cfg(feature = "loom")]
    #[test]
    fn get_mut_of_a_poisoned_mutex_is_unsupported_on_loom_with_a_clear_error() {
        let failure = weft::Model::new()
            .name("takes_the_value_of_a_poisoned_mutex")
            .expect_failure(FailureKind::Unsupported)
            .check(takes_the_value_of_a_poisoned_mutex)
            .into_caught()
            .expect("the declared failure");
        assert_eq!(failure.kind(), FailureKind::Unsupported, "{failure}");
        let line = include_str!("panics.rs")
            .lines()
            .position(|l| l.ends_with("// get_mut of a poisoned lock"))
            .expect("the line")
            + 1;
        assert_eq!(
            failure.location().map(|at| at.line),
            Some(line as u32),
            "{failure}"
        );
        assert!(
            failure
                .to_string()
                .contains("`lock` was poisoned by a panic that the model caught"),
            "{failure}"
        );
    }

    /// loom's mutex unwraps std's poison inside loom: weft says so instead
    /// of letting loom panic with "called `Result::unwrap()` on an `Err`".
    #[cfg(feature = "loom")]
    #[test]
    fn a_poisoned_mutex_is_unsupported_on_loom_with_a_clear_error() {
        let failure = weft::Model::new()
            .name("locks_a_poisoned_mutex")
            .expect_failure(FailureKind::Unsupported)
            .check(locks_a_poisoned_mutex)
            .into_caught()
            .expect("the declared failure");
        assert_eq!(failure.kind(), FailureKind::Unsupported, "{failure}");
        let report = failure.to_string();
        assert!(
            report.contains("`lock` was poisoned by a panic that the model caught"),
            "{report}"
        );
        assert!(report.contains("models/panics.rs:104"), "{report}");
        assert!(report.contains("run this model on shuttle"), "{report}");
    }

    #[test]
    fn a_caught_panic_poisons_only_its_own_locks() {
        let stats = weft::Model::new()
            .name("catches_a_panic")
            .scheduler(Scheduler::Dfs)
            .explore(catches_a_panic_while_another_thread_locks)
            .unwrap_or_else(|f| panic!("{f}"));
        // Honest verdict: on shuttle, the catcher's unwinding ran alone.
        let expected = match weft::Backend::current() {
            weft::Backend::Shuttle => weft::Bound::UnwindingSerialized,
            _ => weft::Bound::LoomDpor,
        };
        assert_eq!(stats.bounds(), [expected], "{stats}");
    }
}
