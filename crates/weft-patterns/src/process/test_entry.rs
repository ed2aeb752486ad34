//! `TestEntry`: a libtest test as the entry point of the children it
//! starts, its path derived by [`process_entry!()`](crate::process_entry).

use std::ffi::OsString;
use std::io::{self, Read};
use std::path::Path;
use std::process::{Command, Stdio};

use super::dispatch::CHILD_ENV;
use super::entry::EntryPoint;

/// The test that is running, as the place its re-executed children start:
/// made by `weft_patterns::process_entry!()` (no arguments) in the body of
/// the test itself, which derives the test's path from the function the
/// macro sits in, so that renaming or moving the test cannot break its
/// children.
///
/// A libtest binary has no `main` of its own: its children are the same
/// binary run with `--exact <this test>`, whose first line,
/// [`main`](TestEntry::main), turns the re-executed test into the child.
/// Before starting a child, the parent checks (once per test) that the
/// binary lists the test; a wrong path is the error
/// [`ProcessError::UnknownTest`](super::ProcessError::UnknownTest) (a pool:
/// broken, with that message), never a child that runs nothing.
///
/// # Examples
///
/// ```no_run
/// use weft_patterns::process::{Entry, Process};
///
/// fn square(x: u64) -> u64 {
///     x * x
/// }
/// static SQUARE: Entry<u64, u64> = weft_patterns::process_entry!(square);
///
/// #[test]
/// fn squares_in_a_child() {
///     let here = weft_patterns::process_entry!(); // `squares_in_a_child`, derived
///     here.main(&[&SQUARE]); // a re-executed child serves here and exits
///     let mut p = Process::new(&SQUARE, 7).child_args(here.child_args());
///     p.start().unwrap();
///     assert_eq!(p.join().unwrap(), 49);
/// }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestEntry {
    path: String,
}

impl TestEntry {
    /// The test whose body holds the function `type_name` names (what the
    /// macro passes). Not part of the public API: use the macro.
    #[doc(hidden)]
    pub fn __derive(type_name: &str) -> Self {
        let mut segments: Vec<&str> = type_name
            .split("::")
            .filter(|s| !s.starts_with("{{"))
            .collect();
        // The marker function the macro declares, then the crate: libtest
        // names tests by their path inside the crate.
        segments.pop();
        if segments.len() > 1 {
            segments.remove(0);
        }
        TestEntry {
            path: segments.join("::"),
        }
    }

    /// A test known by `path` (`module::test`, as libtest prints it).
    pub fn at(path: impl Into<String>) -> Self {
        TestEntry { path: path.into() }
    }

    /// The test's path, as libtest names it (`module::test`).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Serves as a child if this run of the binary is one, then exits;
    /// otherwise returns at once. Call it first in the test:
    /// [`process::main`](super::main) with `entries`.
    pub fn main(&self, entries: &[&'static dyn EntryPoint]) {
        super::main(entries)
    }

    /// The arguments that make a re-executed libtest binary run this test
    /// alone: `--exact <path> --nocapture --quiet`. For
    /// [`Process::child_args`](super::Process::child_args) and
    /// `ProcessPoolBuilder::child_args`.
    pub fn child_args(&self) -> Vec<OsString> {
        ["--exact", self.path.as_str(), "--nocapture", "--quiet"]
            .into_iter()
            .map(OsString::from)
            .collect()
    }
}

/// The error [`verify`] returns inside its `io::Error`, for callers that
/// turn it into [`ProcessError::UnknownTest`](super::ProcessError::UnknownTest).
#[derive(Debug, thiserror::Error)]
#[error(
    "this binary has no test `{0}` for a child to run (derive the path with \
     `weft::process_entry!()` in the test itself)"
)]
pub(crate) struct NoSuchTest(pub(crate) String);

/// How long listing the binary's tests may take.
const LIST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// Checks, once per test and process, that `exe --list --exact <test>`
/// lists `test`: the child would otherwise run no test, reach no
/// `process::main`, and exit without a word.
///
/// # Errors
///
/// [`NoSuchTest`] (kind `NotFound`) when the binary does not list it; the
/// OS's error when the listing cannot run.
pub(crate) fn verify(exe: &Path, test: &str) -> io::Result<()> {
    // A cache of this OS process's listings: plain std, as everything about
    // real processes here.
    static VERIFIED: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let mut verified = VERIFIED.lock().unwrap_or_else(|p| p.into_inner());
    if verified.iter().any(|t| t == test) {
        return Ok(());
    }
    let mut listing = Command::new(exe)
        .args(["--list", "--exact", test])
        .env_remove(CHILD_ENV)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let mut out = String::new();
    let mut stdout = listing.stdout.take().expect("stdout is piped");
    // A watchdog kills a binary that does not understand `--list` and runs on.
    let pid = listing.id();
    let (done, finished) = std::sync::mpsc::channel::<()>();
    let watchdog = std::thread::spawn(move || {
        if finished.recv_timeout(LIST_TIMEOUT) == Err(std::sync::mpsc::RecvTimeoutError::Timeout) {
            // SAFETY: `kill` touches no memory; the listing is reaped only
            // by `wait` below, after this thread is joined, so the pid is
            // still the listing's.
            unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
        }
    });
    let read = stdout.read_to_string(&mut out);
    drop(done);
    let _ = watchdog.join();
    let status = listing.wait();
    read?;
    status?;
    let wanted = format!("{test}: test");
    if out.lines().any(|line| line.trim() == wanted) {
        verified.push(test.to_string());
        Ok(())
    } else {
        Err(io::Error::new(
            io::ErrorKind::NotFound,
            NoSuchTest(test.to_string()),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_path_drops_the_crate_the_marker_and_closures() {
        let derive = TestEntry::__derive;
        assert_eq!(
            derive("models::process_queue::a_test::__weft_process_entry_here").path(),
            "process_queue::a_test"
        );
        assert_eq!(
            derive("process::a_test::{{closure}}::__weft_process_entry_here").path(),
            "a_test"
        );
        assert_eq!(
            TestEntry::at("m::t").child_args(),
            ["--exact", "m::t", "--nocapture", "--quiet"]
        );
    }
}
