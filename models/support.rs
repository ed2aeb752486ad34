//! What the tests of the suite share: running a model that must be
//! caught, and counting what a proof costs.

/// Runs a model that must fail with a declared kind, and hands back its
/// failure for the test to check what the report says.
pub(crate) trait Caught {
    /// Declares `kind` as the expected failure
    /// ([`weft::Model::expect_failure`]), runs `f`, and returns the
    /// failure after asserting its kind. Panics when every execution
    /// passed (`NotCaught`) or when another kind was found.
    fn caught<F>(self, kind: weft::FailureKind, f: F) -> weft::Failure
    where
        F: Fn() + Send + Sync + 'static;
}

impl Caught for weft::Model {
    #[track_caller]
    fn caught<F>(self, kind: weft::FailureKind, f: F) -> weft::Failure
    where
        F: Fn() + Send + Sync + 'static,
    {
        let failure = self
            .expect_failure(kind)
            .check(f)
            .into_caught()
            .expect("the declared failure");
        assert_eq!(failure.kind(), kind, "{failure}");
        failure
    }
}

/// Runs weft's DPOR search on `body` to its end and returns how many
/// executions it took (the "what it costs to explore" tests).
#[cfg(feature = "shuttle")]
pub(crate) fn dpor_executions<F>(name: &str, body: F) -> usize
where
    F: Fn() + Send + Sync + 'static,
{
    let stats = weft::Model::new()
        .name(name)
        .scheduler(weft::Scheduler::Dpor)
        .explore(body)
        .unwrap_or_else(|failure| panic!("{failure}"));
    assert!(stats.is_exhaustive(), "{stats}");
    stats.executions()
}
