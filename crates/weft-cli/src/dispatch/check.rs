//! `cargo weft check`: run the package's tests on each backend, then print
//! one table of every model on every backend.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::app::{write_stdout, CheckArgs, MessageFormat};
use crate::backend::{BackendSelection, CheckBackend};
use crate::errors::ExpectedError;
use crate::exit_code::WeftExitCode;
use crate::nightly::{self, Nightly};
use crate::output::{ColorChoice, Palette, Progress};
use crate::per_test::{self, Settings};
use crate::results::{self, BackendRun, CheckReport, Outcome, RunStatus, TestResult};
use crate::runner::{self, Invocation};
use crate::workspace::{cargo_program, Package, TestTarget, Workspace};
use crate::{binaries, junit, table, test_process};

/// What to do with one backend, decided before anything runs.
enum Plan {
    Run(Option<Nightly>),
    Skip(String),
}

/// The default of `--timeout` when `WEFT_TEST_TIMEOUT` is unset.
const DEFAULT_TEST_TIMEOUT: Duration = Duration::from_secs(600);
/// When a running test gets its first slow notice (`--slow-timeout`), as
/// nextest's default.
const DEFAULT_SLOW_TIMEOUT: Duration = Duration::from_secs(60);

/// Runs `cargo weft check`.
///
/// # Errors
///
/// Bad input (backend, package, target, a `WEFT_*` variable, a missing
/// nightly asked for by name) before anything runs; an unwritable JSON or
/// JUnit file or stdout after.
pub(crate) fn run(args: &CheckArgs, color: ColorChoice) -> Result<i32, ExpectedError> {
    let selection = BackendSelection::parse(&args.backends)?;
    let settings = settings(args)?;
    for &backend in &selection.backends {
        weft_check::check_env(backend.checker(), |name| {
            std::env::var_os(name).map(|v| v.to_string_lossy().into_owned())
        })?;
    }
    let manifest = args.package.manifest_path.as_deref();
    let workspace = Workspace::load(manifest)?;
    let package = workspace.package(args.package.package.as_deref(), manifest)?;
    let targets = package.test_targets(&args.package.tests)?;
    if targets.is_empty() {
        return Err(ExpectedError::NoTestTargets {
            package: package.name.clone(),
        });
    }

    let mut plans = Vec::new();
    for &backend in &selection.backends {
        let plan = if backend.needs_nightly() {
            match nightly::probe(backend) {
                Ok(n) => Plan::Run(Some(n)),
                Err(missing) if selection.lenient => Plan::Skip(format!(
                    "needs {} (install: {})",
                    missing.needs, missing.install
                )),
                Err(missing) => {
                    return Err(ExpectedError::NightlyMissing {
                        backend: backend.name().to_string(),
                        needs: missing.needs,
                        install: missing.install,
                    })
                }
            }
        } else {
            match backend.feature() {
                Some(f) if !package.features.contains(f) => Plan::Skip(format!(
                    "needs a `{f}` feature in package `{}` (add `{f} = [\"weft/{f}\"]` to its [features])",
                    package.name
                )),
                _ => Plan::Run(None),
            }
        };
        plans.push((backend, plan));
    }

    let mut progress = Progress::new(args.quiet);
    let mut report = CheckReport {
        format: results::JSON_FORMAT.to_string(),
        package: package.name.clone(),
        ..CheckReport::default()
    };
    let count = plans.len();
    let run_budget = settings.budget.map(crate::budget::RunBudget::new);
    let mut runs_left = plans
        .iter()
        .filter(|(_, p)| matches!(p, Plan::Run(_)))
        .count();
    for (i, (backend, plan)) in plans.into_iter().enumerate() {
        let label = format!("weft check [{}/{count}] {backend}", i + 1);
        match plan {
            Plan::Skip(reason) => {
                progress.phase(&format!("{label}: skipped: {reason}"));
                report.backends.push(BackendRun {
                    backend: backend.name().to_string(),
                    status: RunStatus::Skipped { reason },
                    seconds: 0.0,
                    build_seconds: 0.0,
                    commands: Vec::new(),
                    trace_dir: None,
                });
            }
            Plan::Run(nightly) => {
                let budget = run_budget.map(|b| b.backend_share(runs_left));
                runs_left -= 1;
                let ctx = BackendContext {
                    budget,
                    backend,
                    nightly: nightly.as_ref(),
                    workspace: &workspace,
                    package,
                    targets: &targets,
                    args,
                    settings: &settings,
                    label: &label,
                };
                let (run, mut results, unclaimed) = if nightly.is_some() {
                    ctx.run_whole(&mut progress)?
                } else {
                    ctx.run_per_test(&mut progress)?
                };
                report.backends.push(run);
                report.results.append(&mut results);
                report.unclaimed_traces.extend(unclaimed);
            }
        }
    }
    progress.clear();
    // A filter that matched nothing anywhere: a mistyped name, not a pass.
    // (A partition or shard of the tests may be empty by right.)
    let ran = report
        .backends
        .iter()
        .any(|b| !matches!(b.status, RunStatus::Skipped { .. }));
    if let Some(filter) = &settings.filter {
        if ran
            && report.results.is_empty()
            && settings.partition.is_none()
            && settings.shard.is_none()
        {
            return Err(ExpectedError::NoTestMatched {
                filter: filter.clone(),
                targets: targets
                    .iter()
                    .map(TestTarget::label)
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
    }
    let json_stdout =
        args.message_format == MessageFormat::Json || args.json.as_deref() == Some(Path::new("-"));
    emit(
        &report,
        json_stdout,
        args.json.as_deref().filter(|p| *p != Path::new("-")),
        args.junit.as_deref(),
        color,
    )
}

/// The run's settings, from the arguments and `WEFT_TEST_TIMEOUT`.
fn settings(args: &CheckArgs) -> Result<Settings, ExpectedError> {
    let timeout = match args.timeout {
        Some(t) => t,
        None => match std::env::var(crate::env::WEFT_TEST_TIMEOUT) {
            Ok(v) if !v.trim().is_empty() => humantime::parse_duration(v.trim())
                .ok()
                .filter(|d| !d.is_zero())
                .ok_or(ExpectedError::BadTestTimeout { value: v })?,
            _ => DEFAULT_TEST_TIMEOUT,
        },
    };
    let jobs = args
        .jobs
        .and_then(|j| usize::try_from(j).ok())
        .unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
        });
    Ok(Settings {
        jobs: jobs.max(1),
        timeout,
        retries: args.retries,
        partition: args.partition,
        shard: args.shard,
        filter: args.filter.clone(),
        budget: args.budget,
        slow_timeout: args.slow_timeout.unwrap_or(DEFAULT_SLOW_TIMEOUT),
    })
}

/// Prints the report (the table, or JSON with `json_stdout`), then writes
/// the files asked for, creating their directories: a file that cannot be
/// written never loses what was printed. The exit status says whether
/// anything failed unexpectedly.
///
/// # Errors
///
/// [`ExpectedError::WriteFile`] for a file that cannot be written (after
/// the others were tried); [`ExpectedError::Stdout`].
pub(crate) fn emit(
    report: &CheckReport,
    json_stdout: bool,
    json_file: Option<&Path>,
    junit_file: Option<&Path>,
    color: ColorChoice,
) -> Result<i32, ExpectedError> {
    let json = || {
        let mut text =
            serde_json::to_string_pretty(report).expect("the report is plain data and serialises");
        text.push('\n');
        text
    };
    if json_stdout {
        write_stdout(&json())?;
    } else {
        let palette = Palette::for_stdout(color);
        write_stdout(&table::render(report, palette))?;
    }
    let mut first_error = None;
    if let Some(path) = json_file {
        if let Err(e) = write_file(path, &json()) {
            first_error.get_or_insert(e);
        }
    }
    if let Some(path) = junit_file {
        if let Err(e) = write_file(path, &junit::render(report)) {
            first_error.get_or_insert(e);
        }
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok(if report.has_unexpected_failure() {
            WeftExitCode::MODEL_FAILED
        } else {
            WeftExitCode::OK
        }),
    }
}

/// Writes `text` to `path`, creating its directory first.
fn write_file(path: &Path, text: &str) -> Result<(), ExpectedError> {
    let error = |source| ExpectedError::WriteFile {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(error)?;
    }
    std::fs::write(path, text).map_err(error)
}

/// One backend's run over the package's targets.
struct BackendContext<'a> {
    backend: CheckBackend,
    nightly: Option<&'a Nightly>,
    workspace: &'a Workspace,
    package: &'a Package,
    targets: &'a [TestTarget],
    args: &'a CheckArgs,
    settings: &'a Settings,
    label: &'a str,
    /// This backend's share of `--budget`, from its start.
    budget: Option<std::time::Duration>,
}

impl BackendContext<'_> {
    /// Where this backend's traces are kept, run after run: a test's trace
    /// replaces only an earlier trace of the same model of that test.
    fn trace_root(&self) -> PathBuf {
        self.workspace
            .target_dir
            .join("weft")
            .join("check")
            .join(self.backend.name())
    }

    /// Runs the backend with one process per test (std, loom, shuttle).
    fn run_per_test(
        &self,
        progress: &mut Progress,
    ) -> Result<(BackendRun, Vec<TestResult>, Vec<PathBuf>), ExpectedError> {
        let start = std::time::Instant::now();
        let trace_root = self.trace_root();
        std::fs::create_dir_all(&trace_root).map_err(|source| ExpectedError::PrepareDir {
            path: trace_root.clone(),
            source,
        })?;
        // What a person would run instead, one command per target.
        let commands: Vec<String> = self
            .targets
            .iter()
            .map(|t| self.invocation(t, &trace_root).display())
            .collect();
        for c in &commands {
            progress.phase(&format!("{}: {c}", self.label));
        }
        let build_inv = self.build_invocation();
        let label = self.label;
        let built = binaries::build(&build_inv, self.targets, |krate| {
            progress.update(&format!("{label}: building {krate}"));
        })?;
        let broken = |reason: String, build_seconds: f64| BackendRun {
            backend: self.backend.name().to_string(),
            status: RunStatus::Broken { reason },
            seconds: results::seconds(start.elapsed()),
            build_seconds,
            commands: commands.clone(),
            trace_dir: Some(trace_root.clone()),
        };
        let names = self
            .targets
            .iter()
            .map(|t| format!("`{}`", t.label()))
            .collect::<Vec<_>>()
            .join(", ");
        if !built.status.success() || built.binaries.len() != self.targets.len() {
            progress.clear();
            print_errors(&built.stderr);
            let reason = format!(
                "the tests of {names} did not build ({}); cargo's errors are above",
                built.status
            );
            crate::output::warn(&format!("{}: {reason}", self.backend));
            return Ok((
                broken(reason, results::seconds(built.elapsed)),
                Vec::new(),
                Vec::new(),
            ));
        }
        let cwd = self
            .package
            .manifest_path
            .parent()
            .unwrap_or(&self.workspace.root)
            .to_path_buf();
        let env = self.test_env();
        progress.update(&format!("{}: listing the tests of {names}", self.label));
        let jobs = per_test::jobs(&built.binaries, &cwd, &env, self.settings).map_err(
            |(exe, source)| ExpectedError::Spawn {
                program: exe.display().to_string(),
                source,
            },
        )?;
        let budget = self.budget.map(|share| {
            let left = share.saturating_sub(start.elapsed());
            progress.phase(&format!(
                "{}: budget {} for {} test{}",
                self.label,
                humantime::format_duration(Duration::from_secs(left.as_secs())),
                jobs.len(),
                if jobs.len() == 1 { "" } else { "s" }
            ));
            crate::budget::BackendBudget::new(left, jobs.len(), self.settings.jobs)
        });
        let runner = per_test::Runner {
            backend: self.backend,
            binaries: &built.binaries,
            cwd: &cwd,
            env,
            trace_root: &trace_root,
            settings: self.settings,
            budget: budget.as_ref(),
        };
        progress.clear();
        let shown = crate::test_progress::TestProgress::new(
            label,
            self.backend.name(),
            jobs.len(),
            self.args.quiet,
            self.settings.slow_timeout,
        );
        let indices: Vec<usize> = (0..jobs.len()).collect();
        let outcomes = test_process::run_all(
            &indices,
            self.settings.jobs,
            |&i| {
                let job = &jobs[i];
                shown.started(i, &job.shown);
                let t = std::time::Instant::now();
                let r = runner.run(job);
                shown.finished(i, &r.result.test, &r.result.outcome, t.elapsed());
                r
            },
            |_, _| {},
        );
        drop(shown);
        let mut results = Vec::new();
        let mut unclaimed = Vec::new();
        for o in outcomes {
            results.push(o.result);
            unclaimed.extend(o.unclaimed);
        }
        let elapsed = start.elapsed();
        let counts = count_outcomes(&results);
        progress.phase(&format!(
            "{}: {} test{} in {:.1}s (build {:.1}s){counts}",
            self.label,
            results.len(),
            if results.len() == 1 { "" } else { "s" },
            elapsed.as_secs_f64(),
            built.elapsed.as_secs_f64()
        ));
        Ok((
            BackendRun {
                backend: self.backend.name().to_string(),
                status: RunStatus::Ran,
                seconds: results::seconds(elapsed),
                build_seconds: results::seconds(built.elapsed),
                commands,
                trace_dir: Some(trace_root),
            },
            results,
            unclaimed,
        ))
    }

    /// `cargo test --no-run` for every target, its executables in JSON.
    fn build_invocation(&self) -> Invocation {
        let mut args = vec![
            "test".to_string(),
            "-p".to_string(),
            self.package.name.clone(),
        ];
        if let Some(feature) = self.backend.feature() {
            args.extend(["--features".to_string(), feature.to_string()]);
        }
        if !self.args.package.debug {
            args.push("--release".to_string());
        }
        for t in self.targets {
            args.extend(t.cargo_args());
        }
        args.extend([
            "--no-run".to_string(),
            "--message-format=json-render-diagnostics".to_string(),
        ]);
        Invocation {
            program: cargo_program(),
            args,
            env: Vec::new(),
            env_remove: Vec::new(),
            cwd: self.workspace.root.clone(),
        }
    }

    /// The variables each test process gets, as `cargo test` would set
    /// them, plus weft's.
    fn test_env(&self) -> Vec<(String, String)> {
        let dir = self
            .package
            .manifest_path
            .parent()
            .unwrap_or(&self.workspace.root);
        let mut env = vec![
            ("CARGO_MANIFEST_DIR".to_string(), dir.display().to_string()),
            ("CARGO_PKG_NAME".to_string(), self.package.name.clone()),
            ("CARGO".to_string(), cargo_program().display().to_string()),
        ];
        if std::env::var_os(weft_check::WEFT_PROGRESS).is_none() {
            // Fresh partial counts for a test killed at its timeout.
            env.push((weft_check::WEFT_PROGRESS.to_string(), "1s".to_string()));
        }
        if let Some(shard) = self.settings.shard {
            env.push((weft_check::WEFT_SHARD.to_string(), shard.to_string()));
        }
        env
    }

    /// Runs the backend as whole `cargo test` runs, one per target (the
    /// nightly backends, whose tests cargo must start).
    fn run_whole(
        &self,
        progress: &mut Progress,
    ) -> Result<(BackendRun, Vec<TestResult>, Vec<PathBuf>), ExpectedError> {
        let trace_root = self.trace_root();
        let several = self.targets.len() > 1;
        let mut status = RunStatus::Ran;
        let mut results = Vec::new();
        let mut unclaimed = Vec::new();
        let mut commands = Vec::new();
        let mut elapsed = Duration::ZERO;
        let mut build = Duration::ZERO;
        for target in self.targets {
            let trace_dir = if several {
                trace_root.join(sanitize(&target.label()))
            } else {
                trace_root.clone()
            };
            std::fs::create_dir_all(&trace_dir).map_err(|source| ExpectedError::PrepareDir {
                path: trace_dir.clone(),
                source,
            })?;
            let inv = self.invocation(target, &trace_dir);
            progress.phase(&format!("{}: {}", self.label, inv.display()));
            commands.push(inv.display());
            let mut done = 0usize;
            let mut total = 0usize;
            let target_label = target.label();
            let out = runner::run(&inv, |event| match event {
                runner::Progress::Building(krate) => {
                    progress.update(&format!("{}: building {krate}", self.label));
                }
                runner::Progress::Running(n) => {
                    total += n;
                    progress.update(&format!(
                        "{}: {done}/{total} tests ({target_label})",
                        self.label
                    ));
                }
                runner::Progress::Finished(name) => {
                    done += 1;
                    progress.update(&format!(
                        "{}: {done}/{total} tests ({target_label}): {name}",
                        self.label
                    ));
                }
            })?;
            elapsed += out.elapsed;
            build += out.build_time.unwrap_or(out.elapsed);

            let prefix = if several {
                format!("{}: ", target.label())
            } else {
                String::new()
            };
            let mut traces = if self.backend.writes_traces() {
                results::read_traces(&trace_dir)
            } else {
                Vec::new()
            };
            let parsed = &out.parsed;
            let mut these = results::classify(self.backend, &prefix, parsed, &mut traces);
            if let Some(broken) = self.broken(target, &out, &mut these, &prefix) {
                progress.clear();
                crate::output::warn(&format!("{}: {broken}", self.backend));
                if matches!(status, RunStatus::Ran) {
                    status = RunStatus::Broken { reason: broken };
                }
            }
            results.append(&mut these);
            unclaimed.extend(traces.into_iter().map(|t| t.path));
        }
        let counts = count_outcomes(&results);
        progress.phase(&format!(
            "{}: {} test{} in {:.1}s (build {:.1}s){counts}",
            self.label,
            results.len(),
            if results.len() == 1 { "" } else { "s" },
            elapsed.as_secs_f64(),
            build.as_secs_f64()
        ));
        Ok((
            BackendRun {
                backend: self.backend.name().to_string(),
                status,
                seconds: results::seconds(elapsed),
                build_seconds: results::seconds(build),
                commands,
                trace_dir: self.backend.writes_traces().then_some(trace_root),
            },
            results,
            unclaimed,
        ))
    }

    /// The command that runs `target`'s tests on this backend.
    fn invocation(&self, target: &TestTarget, trace_dir: &Path) -> Invocation {
        let mut args: Vec<String> = Vec::new();
        let mut env = vec![(
            weft_check::WEFT_TRACE_DIR.to_string(),
            trace_dir.display().to_string(),
        )];
        let mut env_remove = Vec::new();
        let program = match self.nightly {
            Some(n) => {
                args.extend(["run".to_string(), n.toolchain.clone(), "cargo".to_string()]);
                env_remove.push("RUSTUP_TOOLCHAIN".to_string());
                PathBuf::from("rustup")
            }
            None => cargo_program(),
        };
        match self.backend {
            CheckBackend::Miri => args.extend(["miri".to_string(), "test".to_string()]),
            _ => args.push("test".to_string()),
        }
        args.extend(["-p".to_string(), self.package.name.clone()]);
        if let Some(feature) = self.backend.feature() {
            args.extend(["--features".to_string(), feature.to_string()]);
        }
        if self.backend == CheckBackend::Tsan {
            let host = self.nightly.map(|n| n.host.clone()).unwrap_or_default();
            args.extend(["-Zbuild-std".to_string(), "--target".to_string(), host]);
            // Instrumented builds get their own target directory (as in
            // ci/tsan.sh), so they never replace the plain ones.
            let tsan_target = self.workspace.target_dir.join("tsan");
            env.push((
                "CARGO_TARGET_DIR".to_string(),
                tsan_target.display().to_string(),
            ));
            for var in ["RUSTFLAGS", "RUSTDOCFLAGS"] {
                let mut flags = std::env::var(var).unwrap_or_default();
                if !flags.contains("-Zsanitizer=thread") {
                    if !flags.is_empty() {
                        flags.push(' ');
                    }
                    flags.push_str("-Zsanitizer=thread");
                }
                env.push((var.to_string(), flags));
            }
        }
        if self.backend == CheckBackend::Miri
            && std::env::var_os(weft_check::WEFT_ITERATIONS).is_none()
        {
            // Every std-mode model repeats its body on real threads; under
            // Miri, one repetition already covers what Miri checks.
            env.push((weft_check::WEFT_ITERATIONS.to_string(), "1".to_string()));
        }
        if self.backend == CheckBackend::Miri && std::env::var_os("MIRIFLAGS").is_none() {
            // weft's runner reads the real clock (fresh seeds, timeouts).
            env.push((
                "MIRIFLAGS".to_string(),
                "-Zmiri-disable-isolation".to_string(),
            ));
        }
        if !self.args.package.debug && self.backend != CheckBackend::Miri {
            args.push("--release".to_string());
        }
        args.extend(target.cargo_args());
        args.push("--no-fail-fast".to_string());
        args.push("--".to_string());
        args.push("--show-output".to_string());
        if self.backend.needs_nightly() {
            // One test at a time, so that a crash names the test it was in.
            args.push("--test-threads=1".to_string());
        }
        if let Some(filter) = &self.args.filter {
            args.push(filter.clone());
        }
        Invocation {
            program,
            args,
            env,
            env_remove,
            cwd: self.workspace.root.clone(),
        }
    }

    /// Why this target's run broke, if it did: it did not build, its binary
    /// crashed, or a sanitizer reported what no test could.
    fn broken(
        &self,
        target: &TestTarget,
        out: &runner::RunOutput,
        results: &mut Vec<TestResult>,
        prefix: &str,
    ) -> Option<String> {
        let parsed = &out.parsed;
        let label = target.label();
        if out.status.success() {
            if parsed.announced == 0 && parsed.tests.is_empty() && !parsed.finished {
                // A custom harness (harness = false): one row, by exit status.
                results.push(TestResult {
                    test: format!("{prefix}{label} (custom harness)"),
                    backend: self.backend.name().to_string(),
                    outcome: Outcome::Verified {
                        executions: None,
                        exhaustive: None,
                        bounds: Vec::new(),
                        coverage: None,
                        stopped: Vec::new(),
                    },
                    attempts: 1,
                    flaky: false,
                    output: out.stdout_tail.join("\n"),
                });
            }
            return None;
        }
        let findings = sanitizer_findings(&out.stderr);
        if out.build_time.is_none() {
            // No test binary started: the build failed.
            print_errors(&out.stderr);
            return Some(format!(
                "the tests of `{label}` did not build ({}); cargo's errors are above",
                out.status
            ));
        }
        // With one test thread (the nightly backends) a started test with no
        // result is the one that crashed; with several, a half-written line
        // of another test can look the same, so there it names nothing.
        let single_threaded = self.backend.needs_nightly();
        if let Some(name) = parsed.pending.as_ref().filter(|_| single_threaded) {
            let cause = findings.first().cloned().unwrap_or_else(|| {
                format!("the test binary exited with {} while it ran", out.status)
            });
            results.push(TestResult {
                test: format!("{prefix}{name}"),
                backend: self.backend.name().to_string(),
                outcome: Outcome::Failed {
                    kind: finding_kind(&cause).to_string(),
                    cause: results::one_line(&cause),
                    trace: None,
                    tail: Vec::new(),
                },
                attempts: 1,
                flaky: false,
                output: out.stderr.clone(),
            });
            return None;
        }
        let failed_tests = results
            .iter()
            .any(|r| matches!(r.outcome, Outcome::Failed { .. }));
        if parsed.finished && findings.is_empty() {
            // libtest's own failure exit: the failed tests say it all.
            return if failed_tests {
                None
            } else {
                Some(format!(
                    "`{label}` exited with {} though no test failed",
                    out.status
                ))
            };
        }
        if parsed.announced == 0
            && parsed.tests.is_empty()
            && !parsed.finished
            && findings.is_empty()
        {
            // A custom harness (harness = false) that failed: one row.
            results.push(TestResult {
                test: format!("{prefix}{label} (custom harness)"),
                backend: self.backend.name().to_string(),
                outcome: Outcome::Failed {
                    kind: "failure".to_string(),
                    cause: custom_harness_cause(&label, &out.stderr),
                    trace: None,
                    tail: Vec::new(),
                },
                attempts: 1,
                flaky: false,
                output: out.stdout_tail.join("\n"),
            });
            return None;
        }
        if !findings.is_empty() {
            return Some(format!(
                "{} reported: {}",
                self.backend,
                findings.join("; ")
            ));
        }
        // The test binary's own last words: what follows cargo's `Running`.
        let binary_part = out
            .stderr
            .rfind("Running ")
            .and_then(|i| out.stderr[i..].find('\n').map(|n| &out.stderr[i + n + 1..]))
            .unwrap_or(&out.stderr);
        let tail: Vec<&str> = binary_part.lines().rev().take(15).collect();
        for line in tail.iter().rev() {
            eprintln!("  | {line}");
        }
        // cargo says how the binary ended: `... (signal: 6, SIGABRT: ...)`.
        let how = out
            .stderr
            .lines()
            .find(|l| l.contains("process didn't exit successfully"))
            .and_then(|l| l.rsplit_once(" ("))
            .map(|(_, how)| how.trim_end_matches(')').to_string())
            .unwrap_or_else(|| out.status.to_string());
        Some(format!(
            "the test binary `{label}` crashed ({how}) after {} of {} tests",
            parsed.tests.len(),
            parsed.announced
        ))
    }
}

/// The lines of a Miri or ThreadSanitizer report that say what it found.
fn sanitizer_findings(stderr: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for line in stderr.lines() {
        let line = line.trim();
        let finding = line.starts_with("SUMMARY: ThreadSanitizer:")
            || line.starts_with("error: Undefined Behavior:")
            || line.starts_with("error: unsupported operation:")
            || line.starts_with("error: memory leaked:");
        if finding && !found.iter().any(|f| f == line) {
            found.push(line.to_string());
        }
    }
    found
}

/// Why a custom harness failed: its last line on stderr that is not
/// cargo's own.
fn custom_harness_cause(label: &str, stderr: &str) -> String {
    // cargo's own error ("error: test failed, ...", "Caused by: ...") comes last.
    let before_cargo = stderr
        .lines()
        .take_while(|l| !l.starts_with("error: test failed"))
        .collect::<Vec<_>>();
    let own = before_cargo.into_iter().rev().map(str::trim).find(|l| {
        !l.is_empty()
            && !l.starts_with("Running ")
            && !l.starts_with("Compiling ")
            && !l.starts_with("Finished ")
            && !l.starts_with("warning:")
    });
    match own {
        Some(line) => format!("the test binary `{label}` failed: {line}"),
        None => format!("the test binary `{label}` failed"),
    }
}

/// The kind of a sanitizer finding, from its line.
fn finding_kind(line: &str) -> &'static str {
    if line.contains("Undefined Behavior") {
        "undefined_behavior"
    } else if line.contains("unsupported operation") {
        "unsupported"
    } else if line.contains("memory leaked") {
        "leak"
    } else if line.contains("ThreadSanitizer: data race") {
        "data_race"
    } else if line.contains("ThreadSanitizer") {
        "thread_sanitizer"
    } else {
        "crash"
    }
}

/// Prints cargo's error lines (and what follows each) to stderr.
fn print_errors(stderr: &str) {
    let mut shown = 0;
    let mut in_error = false;
    for line in stderr.lines() {
        if line.starts_with("error") {
            in_error = true;
        } else if line.starts_with("warning") {
            in_error = false;
        }
        if in_error && shown < 60 {
            eprintln!("{line}");
            shown += 1;
        }
    }
    if shown == 0 {
        for line in stderr
            .lines()
            .rev()
            .take(20)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
        {
            eprintln!("{line}");
        }
    }
}

/// `: 3 verified, 1 caught` for a progress line.
fn count_outcomes(results: &[TestResult]) -> String {
    let mut parts = Vec::new();
    for keyword in ["verified", "caught", "failed", "skipped"] {
        let n = results
            .iter()
            .filter(|r| r.outcome.keyword() == keyword)
            .count();
        if n > 0 {
            parts.push(format!("{n} {keyword}"));
        }
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(": {}", parts.join(", "))
    }
}

/// A target label as a directory name.
fn sanitize(label: &str) -> String {
    label
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
