//! The exit statuses of `cargo weft`, one documented constant each.

/// The exit statuses `cargo weft` uses. Scripts may rely on them.
///
/// # Examples
///
/// ```
/// use weft_cli::WeftExitCode;
///
/// assert_eq!(WeftExitCode::OK, 0);
/// assert_eq!(WeftExitCode::MODEL_FAILED, 1);
/// assert_eq!(WeftExitCode::BAD_INPUT, 2);
/// assert_eq!(WeftExitCode::REPLAY_DIVERGED, 3);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct WeftExitCode;

impl WeftExitCode {
    /// Everything ran, and nothing failed that was not expected to.
    pub const OK: i32 = 0;

    /// A model failed unexpectedly (a bug was found where none was expected),
    /// a test crashed (killed by a signal) or ran past its timeout, a test
    /// run broke (it did not build), or a replay reproduced the failure.
    pub const MODEL_FAILED: i32 = 1;

    /// Bad usage or bad input: an unknown backend or package, a bad
    /// `WEFT_*` value under `check` (found before anything runs), an
    /// unreadable or corrupt trace or results file, a missing nightly
    /// toolchain, a malformed option, a `check` filter that matches no
    /// test, a `--json` or `--junit` file that
    /// cannot be written (after the table was printed).
    pub const BAD_INPUT: i32 = 2;

    /// A replay no longer fits the program: the schedule diverged.
    pub const REPLAY_DIVERGED: i32 = 3;
}
