//! The errors `cargo weft` expects, each with its exit status and how it is
//! shown on stderr.

use std::io::{self, Write};
use std::path::PathBuf;

use weft_check::trace::TraceError;

use crate::exit_code::WeftExitCode;
use crate::output::Palette;

/// An error `cargo weft` expects and explains: bad usage or input, or a
/// tool that could not run. Each message is one line; its causes follow on
/// `caused by:` lines.
///
/// # Examples
///
/// ```
/// use weft_cli::{ExpectedError, WeftExitCode};
///
/// let e = ExpectedError::UnknownBackend { name: "lom".into() };
/// assert_eq!(e.exit_code(), WeftExitCode::BAD_INPUT);
/// assert_eq!(
///     e.to_string(),
///     "unknown backend `lom`: expected std, loom, shuttle, miri, tsan or all"
/// );
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExpectedError {
    /// `--backend` named a backend that does not exist.
    #[error("unknown backend `{name}`: expected std, loom, shuttle, miri, tsan or all")]
    UnknownBackend {
        /// The name given.
        name: String,
    },
    /// `-p` named a package that is not in the workspace.
    #[error("package `{name}` is not in this workspace (its packages: {available})")]
    UnknownPackage {
        /// The name given.
        name: String,
        /// The workspace's packages, comma-separated.
        available: String,
    },
    /// No package was named and the current directory is in none.
    #[error("no package to test: this is a virtual workspace; pass -p with one of {available}")]
    NoDefaultPackage {
        /// The workspace's packages, comma-separated.
        available: String,
    },
    /// `--test` named a test target the package does not have.
    #[error("package `{package}` has no test target `{name}` (its test targets: {available})")]
    UnknownTestTarget {
        /// The package.
        package: String,
        /// The target given.
        name: String,
        /// The package's test targets, comma-separated.
        available: String,
    },
    /// The package has no target with tests to run.
    #[error("package `{package}` has no test targets to run")]
    NoTestTargets {
        /// The package.
        package: String,
    },
    /// The filter given matched no test on any backend (as nextest fails
    /// a run with no tests: a mistyped filter must not pass as "ok").
    #[error(
        "no test matches `{filter}` in {targets} (a test runs when its name contains the filter)"
    )]
    NoTestMatched {
        /// The filter.
        filter: String,
        /// The test targets searched, comma-separated.
        targets: String,
    },
    /// `cargo metadata` failed: not a cargo project, or a broken manifest.
    #[error("cannot read the cargo workspace: {reason}")]
    Workspace {
        /// The first error line cargo printed.
        reason: String,
    },
    /// A program (`cargo`, `rustup`) could not be started.
    #[error("cannot run `{program}`")]
    Spawn {
        /// The program.
        program: String,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// A backend that needs the nightly toolchain was asked for, and the
    /// toolchain or one of its components is missing.
    #[error("backend `{backend}` needs {needs}; install it with `{install}`")]
    NightlyMissing {
        /// `miri` or `tsan`.
        backend: String,
        /// What is missing, in words.
        needs: String,
        /// The command that installs it.
        install: String,
    },
    /// A trace file could not be read, or is not a trace weft can use.
    #[error(transparent)]
    Trace(#[from] TraceError),
    /// A trace of a stress run on real threads: it has no schedule to replay.
    #[error(
        "trace file `{}` was recorded on std (a stress run on real threads), which cannot be replayed; \
         run the model with --features shuttle or --features loom to record a replayable trace",
        path.display()
    )]
    NotReplayable {
        /// The trace file.
        path: PathBuf,
    },
    /// `--steps` is not a range of step numbers.
    #[error("invalid step range `{text}`: expected A..B, A.. or ..B with step numbers from 1")]
    BadStepRange {
        /// The text given.
        text: String,
    },
    /// `--steps` selects no step of the trace.
    #[error("step range `{text}` selects no step: the trace has steps 1..{steps}")]
    EmptyStepRange {
        /// The text given.
        text: String,
        /// How many steps the trace has.
        steps: usize,
    },
    /// The test a replay should rerun did not run.
    #[error("no test named `{test}` ran in package `{package}` ({targets}); pass -p PACKAGE or --test TARGET")]
    NoTestRan {
        /// The test's name, from the trace.
        test: String,
        /// The package searched.
        package: String,
        /// The targets searched, in words.
        targets: String,
    },
    /// The model refused the trace (another model's, another backend's).
    #[error("the test refused to replay the trace: {reason}")]
    ReplayRefused {
        /// The model's own message.
        reason: String,
    },
    /// A file could not be written.
    #[error("cannot write `{}`", path.display())]
    WriteFile {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// A directory could not be prepared.
    #[error("cannot prepare the directory `{}`", path.display())]
    PrepareDir {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// A `WEFT_*` variable (or a `LOOM_*` one weft reads) holds a value
    /// the tests would refuse: found before anything runs.
    #[error(transparent)]
    BadVariable(#[from] weft_check::ConfigError),
    /// `WEFT_TEST_TIMEOUT` is not a duration.
    #[error(
        "invalid WEFT_TEST_TIMEOUT=\"{value}\": expected a duration such as 30s, 10m or 1h30m"
    )]
    BadTestTimeout {
        /// Its value.
        value: String,
    },
    /// A results file given to `merge` could not be read.
    #[error("cannot read the results file `{}`", path.display())]
    ReadResults {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// A results file given to `merge` is not `cargo weft check --json` output.
    #[error("`{}` is not a results file of `cargo weft check --json` (format weft-check/1): {reason}", path.display())]
    NotResults {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// Standard output could not be written (a broken pipe exits quietly).
    #[error("cannot write to standard output")]
    Stdout(#[source] io::Error),
}

impl ExpectedError {
    /// The exit status this error ends `cargo weft` with.
    pub fn exit_code(&self) -> i32 {
        match self {
            ExpectedError::Stdout(_) => WeftExitCode::MODEL_FAILED,
            _ => WeftExitCode::BAD_INPUT,
        }
    }

    /// Whether this is standard output closed by its reader (`| head`),
    /// which is not an error.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, ExpectedError::Stdout(e) if e.kind() == io::ErrorKind::BrokenPipe)
    }

    /// Prints `error: <message>` and one `caused by: <cause>` line for each
    /// [`source`](std::error::Error::source) to stderr, `error:` in red
    /// when stderr is a terminal that takes colour.
    pub fn display_to_stderr(&self) {
        let palette = Palette::for_stderr(crate::output::ColorChoice::Auto);
        let mut stderr = io::stderr().lock();
        // Nothing more can be done if stderr itself is closed.
        let _ = self.write_to(&mut stderr, palette);
    }

    /// The text [`ExpectedError::display_to_stderr`] prints.
    pub(crate) fn write_to(&self, out: &mut dyn Write, palette: Palette) -> io::Result<()> {
        writeln!(out, "{} {self}", palette.error("error:"))?;
        // `Trace` is transparent: its source is the trace error's source.
        let mut source = std::error::Error::source(self);
        while let Some(cause) = source {
            writeln!(out, "  caused by: {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}
