//! Helpers shared by cargo weft's integration tests.

#![allow(dead_code, unreachable_pub)]

pub mod browser;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// `cargo-weft` as built for these tests, with colour and nightly
/// probing under the test's control. The fixture suites build into their
/// own `target/` (what the tests read), whatever target directory the run
/// of these tests was given.
pub fn cargo_weft() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cargo-weft"));
    cmd.env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_BUILD_TARGET_DIR")
        .env_remove("NO_COLOR")
        .env_remove("WEFT_NIGHTLY_TOOLCHAIN")
        .env_remove("WEFT_REPLAY")
        .env_remove("WEFT_TRACE_DIR")
        .env_remove("FAKE_SUITE_FAIL")
        .env_remove("FAKE_SUITE_DIVERGE")
        .env_remove("FAKE_SUITE_REFUSE")
        .env_remove("FAKE_SUITE_ABORT")
        .env_remove("FAKE_SUITE_SEGV")
        .env_remove("FAKE_SUITE_EXIT")
        .env_remove("FAKE_SUITE_HANG")
        .env_remove("FAKE_SUITE_FLAKY")
        .env_remove("WEFT_TEST_TIMEOUT")
        .env_remove("WEFT_SHARD")
        .env_remove("WEFT_PROGRESS")
        .env_remove("WEFT_SEED")
        .env_remove("COLUMNS")
        .stdin(Stdio::null());
    cmd
}

/// The output of a finished command, as text.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(cmd: &mut Command) -> Run {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("cargo-weft runs");
    Run {
        code: status
            .code()
            .expect("cargo-weft exits with a status, not a signal"),
        stdout: String::from_utf8(stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(stderr).expect("stderr is UTF-8"),
    }
}

/// A fixture trace, by file name.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A fixture path relative to the crate directory, where tests run.
pub fn fixture_rel(name: &str) -> String {
    format!("tests/fixtures/{name}")
}

/// A scratch directory for one test, emptied.
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("weft-cli")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

static SUITE: Mutex<()> = Mutex::new(());

/// The fake suite (a tiny crate whose tests act as weft model tests),
/// copied once to a scratch directory, and a guard: tests that run cargo
/// weft on it take turns, since each run replaces its trace directories.
pub fn fake_suite() -> (PathBuf, MutexGuard<'static, ()>) {
    let guard = SUITE.lock().unwrap_or_else(PoisonError::into_inner);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("weft-cli")
        .join("fake-suite");
    copy_dir(&fixture("fake-suite"), &dir);
    (dir, guard)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            let new = std::fs::read(entry.path()).unwrap();
            // Rewrite only what changed, so cargo's fingerprints hold.
            if std::fs::read(&target).ok().as_deref() != Some(&new[..]) {
                std::fs::write(&target, new).unwrap();
            }
        }
    }
}

/// Asserts that a command failed with exit status 2 and one `error:` line
/// (plus its `caused by:` lines), and returns that line.
pub fn assert_bad_input(r: &Run) -> String {
    assert_eq!(r.code, 2, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    // Progress lines (`weft check ...`, `weft replay ...`) are not errors.
    let lines: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| !l.starts_with("weft check") && !l.starts_with("weft replay"))
        .collect();
    assert!(!lines.is_empty(), "no message on stderr");
    assert!(lines[0].starts_with("error: "), "{}", r.stderr);
    assert!(
        lines[1..].iter().all(|l| l.starts_with("  caused by: ")),
        "more than one error line: {}",
        r.stderr
    );
    assert_eq!(r.stdout, "", "nothing on stdout");
    lines[0].to_string()
}
