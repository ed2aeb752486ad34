//! The command line: `cargo weft <check|show|html|replay>`, parsed with clap.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::dispatch;
use crate::errors::ExpectedError;
use crate::exit_code::WeftExitCode;
use crate::output::ColorChoice;
use crate::partition::{Partition, Share};

/// `cargo` as cargo runs its subcommands: `cargo-weft weft <command>`.
#[derive(Debug, Parser)]
#[command(name = "cargo", bin_name = "cargo", version, styles = clap::builder::Styles::plain())]
struct CargoApp {
    #[command(subcommand)]
    subcommand: CargoSubcommand,
}

#[derive(Debug, Subcommand)]
enum CargoSubcommand {
    /// Run a model suite on every checker, and study failure traces.
    Weft(WeftApp),
}

const WEFT_ABOUT: &str = "Run a model suite on every checker, and study failure traces";

const WEFT_AFTER_HELP: &str = "\
Installed with `cargo install --path crates/weft-cli`, this runs as `cargo weft <command>`.
Inside the weft repository: `cargo run -p weft-cli -- <command>` (the `weft` word that cargo
passes to subcommands may be given or left out: `cargo-weft weft check` = `cargo-weft check`).

Exit status: 0 ok; 1 a model failed unexpectedly (or a test crashed or timed out, a test run
broke, or a replay reproduced the failure); 2 bad usage or bad input (unknown backend or
package, a bad WEFT_* value, corrupt trace, missing nightly, a file that cannot be written);
3 a replay diverged from the recorded schedule.";

/// `cargo weft`.
#[derive(Debug, Args)]
#[command(version, about = WEFT_ABOUT, after_help = WEFT_AFTER_HELP)]
struct WeftApp {
    /// Colour output: auto (when a terminal and NO_COLOR is unset), always, never.
    #[arg(long, value_enum, global = true, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    color: ColorChoice,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the package's model tests on each backend and print one table.
    Check(CheckArgs),
    /// Draw a trace in the terminal: one column per thread, numbered steps.
    Show(ShowArgs),
    /// Write a trace as one self-contained HTML page with a timeline.
    Html(HtmlArgs),
    /// Rerun the test that produced a trace, on exactly its schedule.
    Replay(ReplayArgs),
    /// Join the JSON results of several runs (CI shards) into one table,
    /// one JUnit file and one exit status.
    Merge(MergeArgs),
}

/// `cargo weft merge`.
#[derive(Debug, Args)]
pub(crate) struct MergeArgs {
    /// The `--json` files of the runs (format `weft-check/1`).
    #[arg(value_name = "RESULTS", required = true)]
    pub(crate) files: Vec<PathBuf>,

    /// Also write the joined results as JUnit XML to FILE.
    #[arg(long, value_name = "FILE")]
    pub(crate) junit: Option<PathBuf>,

    /// Write the joined results as JSON to FILE; alone or as `--json -`,
    /// print them on stdout instead of the table.
    #[arg(long, value_name = "FILE", num_args = 0..=1, default_missing_value = "-")]
    pub(crate) json: Option<PathBuf>,
}

/// `--timeout`: a humantime duration, not zero.
fn parse_timeout(text: &str) -> Result<std::time::Duration, String> {
    match humantime::parse_duration(text) {
        Ok(d) if !d.is_zero() => Ok(d),
        _ => Err(format!(
            "`{text}` is not a duration such as 30s, 10m or 1h30m"
        )),
    }
}

/// Which package, targets and build profile to test (`check`, `replay`).
#[derive(Clone, Debug, Args)]
pub(crate) struct PackageArgs {
    /// The package whose tests to run (default: the package in the current
    /// directory, or the workspace's root package).
    #[arg(short = 'p', long = "package", value_name = "PACKAGE")]
    pub(crate) package: Option<String>,

    /// A test target to run (repeatable; default: the package's `models`
    /// test target if it has one, else all its test targets).
    #[arg(long = "test", value_name = "TARGET")]
    pub(crate) tests: Vec<String>,

    /// Path to Cargo.toml.
    #[arg(long, value_name = "PATH")]
    pub(crate) manifest_path: Option<PathBuf>,

    /// Build tests in the dev profile instead of --release.
    #[arg(long)]
    pub(crate) debug: bool,
}

/// `cargo weft check`.
#[derive(Debug, Args)]
#[command(after_help = "\
Backends: std (real threads, a stress run), loom, shuttle (the checkers, via --features),
miri and tsan (std-mode tests under Miri or ThreadSanitizer; they need the nightly toolchain
with the miri / rust-src components), all (every backend; miri and tsan are then skipped
with a plain line when the nightly toolchain lacks them).

Each test runs in a process of its own (`<test> --exact`), up to -j at once, killed with its
process group at --timeout (default 10m, or WEFT_TEST_TIMEOUT: 30s, 10m, 1h30m). miri and tsan
run each target as one `cargo test`.

Each test's failing models write their traces under target/weft/check/<backend>/<test>/; a run
replaces only the traces of the tests it ran. A test that declares the failure it expects
(weft::Model::expect_failure) counts as caught when its model finds that failure; a test's name
decides nothing.

CI matrices: --partition count:K/N (round robin over each binary's sorted tests) or hash:K/N
(by a hash of the test's name) splits the tests among N jobs, as nextest's does; --shard K/N
gives every test's random and PCT searches shard K of N of the seeds (WEFT_SHARD). Each job
writes --json FILE; `cargo weft merge` joins them.")]
pub(crate) struct CheckArgs {
    /// Backends to run, comma-separated.
    #[arg(
        long = "backend",
        value_name = "LIST",
        value_delimiter = ',',
        default_value = "std,loom,shuttle"
    )]
    pub(crate) backends: Vec<String>,

    #[command(flatten)]
    pub(crate) package: PackageArgs,

    /// Run only the tests whose name contains FILTER (libtest's filter).
    #[arg(value_name = "FILTER")]
    pub(crate) filter: Option<String>,

    /// Also write the results as JUnit XML to FILE.
    #[arg(long, value_name = "FILE")]
    pub(crate) junit: Option<PathBuf>,

    /// Write the results as JSON (format `weft-check/1`; never coloured) to
    /// FILE, after the table; alone or as `--json -`, print them on stdout
    /// instead of the table.
    #[arg(long, value_name = "FILE", num_args = 0..=1, default_missing_value = "-")]
    pub(crate) json: Option<PathBuf>,

    /// Tests to run at once (default: the available cores).
    #[arg(short = 'j', long = "jobs", value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) jobs: Option<u64>,

    /// How long one test may run before it is killed with its process group
    /// and fails as timed out: 30s, 10m, 1h30m (default: WEFT_TEST_TIMEOUT,
    /// else 10m).
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout)]
    pub(crate) timeout: Option<std::time::Duration>,

    /// A test running longer than this gets a notice on stderr then, and at
    /// every further multiple of it: `SLOW [> 1m] shuttle models::big`
    /// (default 60s).
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout)]
    pub(crate) slow_timeout: Option<std::time::Duration>,

    /// One time budget for the whole run (30s, 10m, 1h30m): each backend
    /// gets an equal share of what is left when it starts, and each test
    /// its share of the backend's as it starts (WEFT_BUDGET), which caps
    /// its models' searches; each model's line, the table and --json say
    /// what the budget made it give up.
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout)]
    pub(crate) budget: Option<std::time::Duration>,

    /// Rerun a failed test up to N times; one that then passes is flaky
    /// (shown as such, and counted by its passing outcome).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub(crate) retries: u32,

    /// Run one partition of the tests: count:K/N or hash:K/N.
    #[arg(long, value_name = "KIND:K/N")]
    pub(crate) partition: Option<Partition>,

    /// Explore shard K of N of each model's random or PCT schedule space
    /// (sets WEFT_SHARD for the tests).
    #[arg(long, value_name = "K/N")]
    pub(crate) shard: Option<Share>,

    /// `human` (the table) or `json` (the same as --json).
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = MessageFormat::Human)]
    pub(crate) message_format: MessageFormat,

    /// No progress line on stderr.
    #[arg(long, short = 'q')]
    pub(crate) quiet: bool,
}

/// How `check` prints its results.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum MessageFormat {
    /// The table, for people.
    Human,
    /// JSON, for scripts.
    Json,
}

/// `cargo weft show`.
#[derive(Debug, Args)]
pub(crate) struct ShowArgs {
    /// The trace file (target/weft/traces/<model>-<hash>.json).
    #[arg(value_name = "TRACE")]
    pub(crate) trace: PathBuf,

    /// Show only these steps: A..B (both included), A.. or ..B (default:
    /// the last 200 steps).
    #[arg(long, value_name = "A..B")]
    pub(crate) steps: Option<String>,

    /// Show the first failing schedule the search found, before it was
    /// shrunk (default: the minimal one).
    #[arg(long)]
    pub(crate) as_found: bool,
}

/// `cargo weft html`.
#[derive(Debug, Args)]
pub(crate) struct HtmlArgs {
    /// The trace file (target/weft/traces/<model>-<hash>.json).
    #[arg(value_name = "TRACE")]
    pub(crate) trace: PathBuf,

    /// Where to write the page (default: the trace's path with .html).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
}

/// `cargo weft replay`.
#[derive(Debug, Args)]
pub(crate) struct ReplayArgs {
    /// The trace file (target/weft/traces/<model>-<hash>.json).
    #[arg(value_name = "TRACE")]
    pub(crate) trace: PathBuf,

    #[command(flatten)]
    pub(crate) package: PackageArgs,
}

/// Runs `cargo weft` with the process's arguments and returns its exit
/// status; what `cargo-weft`'s `main` does.
///
/// Arguments are read as cargo passes them (`cargo-weft weft check ...`);
/// the `weft` word may be left out when the binary is run directly.
pub fn main_impl() -> ExitCode {
    let status = run(std::env::args_os().collect());
    ExitCode::from(u8::try_from(status).unwrap_or(1))
}

/// Parses `args` (with the program name first) and runs the command.
fn run(mut args: Vec<OsString>) -> i32 {
    if args.get(1).is_none_or(|a| a != "weft") {
        args.insert(1.min(args.len()), OsString::from("weft"));
    }
    let app = match CargoApp::try_parse_from(args) {
        Ok(app) => app,
        Err(e) => {
            let code = if e.use_stderr() {
                WeftExitCode::BAD_INPUT
            } else {
                WeftExitCode::OK
            };
            // --help and --version print to stdout; a closed pipe is fine.
            let _ = e.print();
            return code;
        }
    };
    let CargoSubcommand::Weft(weft) = app.subcommand;
    let result = match weft.command {
        Command::Check(args) => dispatch::check::run(&args, weft.color),
        Command::Show(args) => dispatch::show::run(&args, weft.color),
        Command::Html(args) => dispatch::html::run(&args),
        Command::Replay(args) => dispatch::replay::run(&args, weft.color),
        Command::Merge(args) => dispatch::merge::run(&args, weft.color),
    };
    match result {
        Ok(code) => code,
        Err(e) if e.is_broken_pipe() => WeftExitCode::OK,
        Err(e) => {
            e.display_to_stderr();
            e.exit_code()
        }
    }
}

/// Writes to stdout, mapping a failure to [`ExpectedError::Stdout`].
pub(crate) fn write_stdout(text: &str) -> Result<(), ExpectedError> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(ExpectedError::Stdout)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<CargoApp, clap::Error> {
        let mut v: Vec<OsString> = args.iter().map(OsString::from).collect();
        if v.get(1).is_none_or(|a| a != "weft") {
            v.insert(1, OsString::from("weft"));
        }
        CargoApp::try_parse_from(v)
    }

    #[test]
    fn the_cli_definition_is_consistent() {
        use clap::CommandFactory;
        CargoApp::command().debug_assert();
    }

    #[test]
    fn the_weft_word_is_optional_when_run_directly() {
        for args in [
            &["cargo-weft", "weft", "check", "--backend", "loom"][..],
            &["cargo-weft", "check", "--backend", "loom"][..],
        ] {
            let app = parse(args).unwrap();
            let CargoSubcommand::Weft(weft) = app.subcommand;
            let Command::Check(check) = weft.command else {
                panic!("not check")
            };
            assert_eq!(check.backends, ["loom"]);
        }
    }

    #[test]
    fn backends_default_to_std_loom_shuttle() {
        let app = parse(&["cargo-weft", "check"]).unwrap();
        let CargoSubcommand::Weft(weft) = app.subcommand;
        let Command::Check(check) = weft.command else {
            panic!("not check")
        };
        assert_eq!(check.backends, ["std", "loom", "shuttle"]);
        assert!(check.json.is_none());
        assert_eq!(check.retries, 0);
        assert_eq!(check.timeout, None);
    }
}
