//! `cargo weft`: run a model suite on every checker in one command, and
//! study the failures it finds.
//!
//! ```text
//! cargo install --path crates/weft-cli      # then, in any project using weft:
//! cargo weft check                          # std, loom and shuttle: one table
//! cargo weft check --backend all --junit target/weft/junit.xml
//! cargo weft show target/weft/traces/abba.json --steps 1..20
//! cargo weft html target/weft/traces/abba.json -o abba.html
//! cargo weft replay target/weft/traces/abba.json
//! ```
//!
//! Inside the weft repository: `cargo run -p weft-cli -- check` (cargo runs
//! subcommands as `cargo-weft weft check`; the `weft` word may be left out
//! when the binary is run directly).
//!
//! - `check` runs the package's model tests (its `models` test target if it
//!   has one, else every test target) once per backend: `std` (real
//!   threads), `loom` and `shuttle` (`--release --features <backend>`), and
//!   on request `miri` and `tsan` (nightly). On std, loom and shuttle it
//!   builds the test binaries once and runs each test in a process of its
//!   own, `-j` at once, killed with its process group at `--timeout`; a
//!   crash names its signal. It reads each test's outcome from libtest's
//!   output and each failure's trace file, and prints one table: verified
//!   (with executions explored, when the runner prints them, and `(all)`
//!   or numbered notes saying why the search was not exhaustive), failed
//!   (kind, cause, trace), expected failure caught, skipped.
//!   `--json` prints the same as JSON (format `weft-check/1`, with each
//!   verified test's coverage figure), `--json FILE` writes it; `--junit`
//!   writes JUnit XML (coverage as properties). `--partition` and
//!   `--shard` split a suite among CI jobs; `--budget` bounds the whole
//!   run, sharing it among the tests as they start (`WEFT_BUDGET`). While
//!   it runs: a progress bar per backend on a terminal, nextest-style
//!   lines in a log, `SLOW` notices past `--slow-timeout`.
//! - `merge` joins the `--json` files of several runs (CI shards) into one
//!   table, JUnit file and exit status.
//! - `show` draws a trace in the terminal, one column per thread.
//! - `html` writes a self-contained page with a timeline of the trace.
//! - `replay` reruns the test that wrote a trace on exactly its schedule.
//!
//! Exit statuses are [`WeftExitCode`]'s constants; errors are
//! [`ExpectedError`]s, printed as `error: ...` with `caused by:` lines.

#![forbid(unsafe_code)]

mod app;
mod backend;
mod binaries;
mod budget;
mod dispatch;
mod env;
mod errors;
mod exit_code;
mod flip_view;
mod junit;
mod libtest;
mod nightly;
mod output;
mod partition;
mod per_test;
mod results;
mod runner;
mod table;
mod test_process;
mod test_progress;
mod timeline;
mod weak_memory_view;
mod workspace;

pub use app::main_impl;
pub use env::WEFT_TEST_TIMEOUT;
pub use errors::ExpectedError;
pub use exit_code::WeftExitCode;
pub use nightly::WEFT_NIGHTLY_TOOLCHAIN;
pub use output::ColorChoice;
