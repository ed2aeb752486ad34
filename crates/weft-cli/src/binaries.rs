//! The test binaries of a package: built once with `cargo test --no-run`
//! (their paths read from cargo's JSON messages), then each asked for its
//! tests with `--list --format terse`.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use cargo_metadata::{Message, TargetKind as CargoKind};

use crate::errors::ExpectedError;
use crate::runner::Invocation;
use crate::test_process::{self, TestCommand};
use crate::workspace::{TargetKind, TestTarget};

/// A built test binary.
#[derive(Clone, Debug)]
pub(crate) struct TestBinary {
    /// The target it was built from.
    pub(crate) target: TestTarget,
    /// The executable.
    pub(crate) exe: PathBuf,
}

/// What a `cargo test --no-run` did.
#[derive(Debug)]
pub(crate) struct Build {
    /// The binaries of the targets asked for, in the targets' order.
    pub(crate) binaries: Vec<TestBinary>,
    /// cargo's stderr (its progress and rendered diagnostics).
    pub(crate) stderr: String,
    /// cargo's exit status.
    pub(crate) status: ExitStatus,
    /// Wall time.
    pub(crate) elapsed: Duration,
}

/// Runs `inv` (a `cargo test --no-run --message-format=json-render-diagnostics`)
/// and picks out the executables of `targets`; `building` hears of each
/// crate cargo compiles.
///
/// # Errors
///
/// [`ExpectedError::Spawn`] when cargo cannot start.
pub(crate) fn build(
    inv: &Invocation,
    targets: &[TestTarget],
    mut building: impl FnMut(&str),
) -> Result<Build, ExpectedError> {
    let start = Instant::now();
    let mut cmd = Command::new(&inv.program);
    cmd.args(&inv.args)
        .current_dir(&inv.cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in &inv.env {
        cmd.env(k, v);
    }
    let spawn_error = |source| ExpectedError::Spawn {
        program: inv.program.display().to_string(),
        source,
    };
    let mut child = cmd.spawn().map_err(spawn_error)?;
    let stdout = child.stdout.take();
    let messages = std::thread::spawn(move || {
        let mut found: Vec<(cargo_metadata::Target, PathBuf)> = Vec::new();
        if let Some(stdout) = stdout {
            for message in Message::parse_stream(BufReader::new(stdout)).flatten() {
                if let Message::CompilerArtifact(a) = message {
                    if let (true, Some(exe)) = (a.profile.test, a.executable) {
                        found.push((a.target, exe.into_std_path_buf()));
                    }
                }
            }
        }
        found
    });
    let mut stderr = String::new();
    if let Some(err) = child.stderr.take() {
        for line in BufReader::new(err).lines() {
            let Ok(line) = line else { break };
            if let Some(what) = line.trim_start().strip_prefix("Compiling ") {
                building(what.split(' ').next().unwrap_or(what));
            }
            stderr.push_str(&line);
            stderr.push('\n');
        }
    }
    let artifacts = messages.join().unwrap_or_default();
    let status = child.wait().map_err(spawn_error)?;
    let binaries = targets
        .iter()
        .filter_map(|t| {
            artifacts
                .iter()
                .find(|(a, _)| a.name == t.name && kind_matches(t.kind, &a.kind))
                .map(|(_, exe)| TestBinary {
                    target: t.clone(),
                    exe: exe.clone(),
                })
        })
        .collect();
    Ok(Build {
        binaries,
        stderr,
        status,
        elapsed: start.elapsed(),
    })
}

fn kind_matches(kind: TargetKind, kinds: &[CargoKind]) -> bool {
    kinds.iter().any(|k| match kind {
        TargetKind::Test => *k == CargoKind::Test,
        TargetKind::Bin => *k == CargoKind::Bin,
        TargetKind::Lib => matches!(
            k,
            CargoKind::Lib
                | CargoKind::RLib
                | CargoKind::DyLib
                | CargoKind::CDyLib
                | CargoKind::StaticLib
                | CargoKind::ProcMacro
        ),
    })
}

/// What a test binary said its tests are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Listing {
    /// libtest's (or a libtest-compatible harness's) test names, sorted.
    Tests(Vec<String>),
    /// A harness of its own (`harness = false`) that does not list its
    /// tests: it runs as one.
    Custom,
}

/// Asks `binary` for its tests (`--list --format terse`), within `timeout`.
///
/// # Errors
///
/// The I/O error when the binary cannot start.
pub(crate) fn list(
    binary: &TestBinary,
    cwd: &std::path::Path,
    env: &[(String, String)],
    timeout: Duration,
) -> std::io::Result<Listing> {
    let cmd = TestCommand {
        program: binary.exe.clone(),
        args: vec!["--list".into(), "--format".into(), "terse".into()],
        env: env.to_vec(),
        cwd: cwd.to_path_buf(),
    };
    let out = test_process::run(&cmd, timeout)?;
    if !out.status.success() || out.timed_out {
        return Ok(Listing::Custom);
    }
    Ok(parse_listing(out.stdout()))
}

/// Reads `name: test` lines; anything else means a custom harness.
pub(crate) fn parse_listing<'a>(lines: impl Iterator<Item = &'a str>) -> Listing {
    let mut tests = Vec::new();
    for line in lines {
        if line.trim().is_empty() {
            continue;
        }
        match line.rsplit_once(": ") {
            Some((name, "test")) => tests.push(name.to_string()),
            Some((_, "bench")) => {}
            _ => return Listing::Custom,
        }
    }
    tests.sort();
    Listing::Tests(tests)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_terse_listing_is_read_and_sorted() {
        let text = "b::two: test\na::one: test\nbench_x: bench\n";
        assert_eq!(
            parse_listing(text.lines()),
            Listing::Tests(vec!["a::one".into(), "b::two".into()])
        );
        assert_eq!(parse_listing("".lines()), Listing::Tests(vec![]));
        assert_eq!(
            parse_listing("custom harness: all good\n".lines()),
            Listing::Custom
        );
    }
}
