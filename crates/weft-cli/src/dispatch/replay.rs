//! `cargo weft replay <trace>`: rerun the test that produced a trace, on
//! the trace's backend, with `WEFT_REPLAY` set so that the model follows
//! exactly the recorded schedule.
//!
//! A trace records its test's name (the function's, not its module path)
//! and its backend, not the test target. The replay lists the package's
//! test targets (`models` if it has one, else all; `--test` chooses) to
//! find the test's full path, then runs that one test with `--exact`.

use std::path::PathBuf;

use weft_check::trace::{read_trace, Trace};

use crate::app::{write_stdout, ReplayArgs};
use crate::errors::ExpectedError;
use crate::exit_code::WeftExitCode;
use crate::libtest::{self, TestStatus};
use crate::output::{ColorChoice, Palette, Progress};
use crate::runner::{self, Invocation};
use crate::workspace::{cargo_program, Package, TestTarget, Workspace};

/// Runs `cargo weft replay`.
///
/// # Errors
///
/// A bad trace (unreadable, corrupt, a stress run), a package or target
/// that does not exist, a test that is not found, or a model that refuses
/// the trace.
pub(crate) fn run(args: &ReplayArgs, color: ColorChoice) -> Result<i32, ExpectedError> {
    let trace = read_trace(&args.trace)?;
    let Some(feature) = trace.backend.feature() else {
        return Err(ExpectedError::NotReplayable {
            path: args.trace.clone(),
        });
    };
    let test = trace.test.clone().unwrap_or_else(|| trace.model.clone());
    let manifest = args.package.manifest_path.as_deref();
    let workspace = Workspace::load(manifest)?;
    let package = workspace.package(args.package.package.as_deref(), manifest)?;
    let targets = package.test_targets(&args.package.tests)?;
    let trace_path = args
        .trace
        .canonicalize()
        .unwrap_or_else(|_| args.trace.clone());
    let replay = Replay {
        workspace: &workspace,
        package,
        feature,
        trace_path,
        release: !args.package.debug,
    };
    let mut progress = Progress::new(false);

    for target in &targets {
        let list = replay.invocation(target, &["--list".to_string(), test.clone()]);
        progress.phase(&format!(
            "weft replay: finding `{test}`: {}",
            list.display()
        ));
        let out = runner::run(&list, |event| {
            if let runner::Progress::Building(krate) = event {
                progress.update(&format!("weft replay: building {krate}"));
            }
        })?;
        if !out.status.success() {
            progress.clear();
            return Err(ExpectedError::Workspace {
                reason: format!(
                    "listing the tests of `{}` failed ({}): {}",
                    target.label(),
                    out.status,
                    last_error(&out.stderr)
                ),
            });
        }
        let listed: Vec<String> = out
            .stdout_tail
            .iter()
            .filter_map(|l| l.strip_suffix(": test"))
            .filter(|name| name.rsplit("::").next() == Some(test.as_str()) || *name == test)
            .map(str::to_string)
            .collect();
        let Some(full_name) = listed.first() else {
            continue;
        };
        let inv = replay.invocation(
            target,
            &[
                "--exact".to_string(),
                "--show-output".to_string(),
                full_name.clone(),
            ],
        );
        progress.phase(&format!("weft replay: {}", inv.display()));
        let out = runner::run(&inv, |_| {})?;
        progress.clear();
        let result = out.parsed.tests.iter().find(|t| t.name == *full_name);
        let output = out
            .parsed
            .output
            .get(full_name)
            .cloned()
            .unwrap_or_default();
        let palette = Palette::for_stdout(color);
        return match result {
            None => Err(ExpectedError::NoTestRan {
                test,
                package: package.name.clone(),
                targets: format!(
                    "the test binary `{}` exited with {} before reporting it",
                    target.label(),
                    out.status
                ),
            }),
            Some(t) => conclude(&trace, full_name, &t.status, &output, palette),
        };
    }
    progress.clear();
    Err(ExpectedError::NoTestRan {
        test,
        package: package.name.clone(),
        targets: format!(
            "searched {}",
            targets
                .iter()
                .map(TestTarget::label)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    })
}

/// What the replayed test's outcome means, printed; the exit status.
fn conclude(
    trace: &Trace,
    test: &str,
    status: &TestStatus,
    output: &str,
    palette: Palette,
) -> Result<i32, ExpectedError> {
    if let Some(line) = output.lines().find(|l| l.contains("weft: cannot replay")) {
        let reason = line
            .split_once("weft: cannot replay")
            .map(|(_, r)| r.trim_start_matches(':').trim())
            .unwrap_or(line)
            .to_string();
        return Err(ExpectedError::ReplayRefused { reason });
    }
    let diverged = output.contains("the schedule diverged at step")
        || output.contains("failed on loom: replay diverged")
        || output.contains("failed on shuttle: replay diverged")
        || output.contains("replay_diverged");
    let backend = trace.backend.as_str();
    if diverged {
        let at = output
            .lines()
            .find(|l| l.contains("diverged at step"))
            .map(|l| l.trim().to_string())
            .unwrap_or_else(|| "the program no longer follows the recorded steps".to_string());
        let advice = if at.contains("changed") {
            ""
        } else {
            "The program changed since the trace was recorded; run the model again to find a fresh trace.\n"
        };
        write_stdout(&format!(
            "{output}\n\n{} `{test}` on {backend}: {at}\n{advice}",
            palette.error("replay diverged:")
        ))?;
        return Ok(WeftExitCode::REPLAY_DIVERGED);
    }
    match status {
        TestStatus::Failed => {
            let kind = trace.failure.kind.as_str();
            write_stdout(&format!(
                "{output}\n\n{} `{test}` on {backend}: the recorded {kind} happened again on the recorded schedule\n",
                palette.error("replay reproduced the failure:"),
            ))?;
            Ok(WeftExitCode::MODEL_FAILED)
        }
        TestStatus::Ok => {
            let note = if !libtest::caught(output).is_empty() {
                "the test expects this failure and caught it again on the recorded schedule"
            } else {
                "the test passed"
            };
            write_stdout(&format!(
                "{} `{test}` on {backend}: {note}\n",
                palette.good("replay ok:")
            ))?;
            Ok(WeftExitCode::OK)
        }
        TestStatus::Ignored(_) => {
            write_stdout(&format!("replay: `{test}` is #[ignore]d; nothing ran\n"))?;
            Ok(WeftExitCode::OK)
        }
    }
}

fn last_error(stderr: &str) -> String {
    stderr
        .lines()
        .find(|l| l.starts_with("error"))
        .unwrap_or("see cargo's output")
        .to_string()
}

/// How to run the test of a trace.
struct Replay<'a> {
    workspace: &'a Workspace,
    package: &'a Package,
    feature: &'static str,
    trace_path: PathBuf,
    release: bool,
}

impl Replay<'_> {
    fn invocation(&self, target: &TestTarget, test_args: &[String]) -> Invocation {
        let mut args = vec![
            "test".to_string(),
            "-p".to_string(),
            self.package.name.clone(),
            "--features".to_string(),
            self.feature.to_string(),
        ];
        if self.release {
            args.push("--release".to_string());
        }
        args.extend(target.cargo_args());
        args.push("--".to_string());
        args.extend(test_args.iter().cloned());
        let replay_dir = self.workspace.target_dir.join("weft").join("replay");
        Invocation {
            program: cargo_program(),
            args,
            env: vec![
                (
                    weft_check::WEFT_REPLAY.to_string(),
                    self.trace_path.display().to_string(),
                ),
                (
                    weft_check::WEFT_TRACE_DIR.to_string(),
                    replay_dir.display().to_string(),
                ),
            ],
            env_remove: Vec::new(),
            cwd: self.workspace.root.clone(),
        }
    }
}
