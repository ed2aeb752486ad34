//! One backend's run with one process per test: build the test binaries
//! once, list their tests, and run each test alone (`<test> --exact`), at
//! most `-j` at once, each within its timeout, retried on request.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::backend::CheckBackend;
use crate::binaries::{self, Listing, TestBinary};
use crate::libtest::Parser;
use crate::partition::{Partition, Share};
use crate::results::{self, FoundTrace, Outcome, TestResult};
use crate::test_process::{self, Finished, TestCommand};

/// How the tests of a run are picked and run.
#[derive(Clone, Debug)]
pub(crate) struct Settings {
    /// Tests run at once.
    pub(crate) jobs: usize,
    /// How long one test may run.
    pub(crate) timeout: Duration,
    /// Reruns of a failed test.
    pub(crate) retries: u32,
    /// Which tests of each binary to run.
    pub(crate) partition: Option<Partition>,
    /// Which share of each model's schedule space to explore.
    pub(crate) shard: Option<Share>,
    /// libtest's filter: run the tests whose name contains it.
    pub(crate) filter: Option<String>,
    /// `--budget`: the whole run's time budget.
    pub(crate) budget: Option<Duration>,
    /// `--slow-timeout`: when a running test gets a notice.
    pub(crate) slow_timeout: Duration,
}

/// One test to run: a test of a binary, or a custom harness as a whole.
#[derive(Clone, Debug)]
pub(crate) struct Job {
    /// Which binary.
    pub(crate) binary: usize,
    /// The test's name, or `None` for a custom harness.
    pub(crate) test: Option<String>,
    /// The name in results: the test's, prefixed with its target when
    /// several targets ran.
    pub(crate) shown: String,
}

/// What one job came to.
#[derive(Debug)]
pub(crate) struct JobResult {
    /// The test's result.
    pub(crate) result: TestResult,
    /// Traces its process wrote that no model of it claimed.
    pub(crate) unclaimed: Vec<PathBuf>,
}

/// The tests of `binaries` to run, in order: listed by each binary,
/// filtered, sorted, partitioned.
///
/// # Errors
///
/// The binary that could not start, and why.
pub(crate) fn jobs(
    binaries: &[TestBinary],
    cwd: &Path,
    env: &[(String, String)],
    settings: &Settings,
) -> Result<Vec<Job>, (PathBuf, std::io::Error)> {
    let several = binaries.len() > 1;
    let mut jobs = Vec::new();
    for (i, b) in binaries.iter().enumerate() {
        let prefix = if several {
            format!("{}: ", b.target.label())
        } else {
            String::new()
        };
        let listing =
            binaries::list(b, cwd, env, settings.timeout).map_err(|e| (b.exe.clone(), e))?;
        let names = match listing {
            Listing::Tests(names) => names,
            Listing::Custom => {
                let shown = format!("{prefix}{} (custom harness)", b.target.label());
                if settings.partition.is_none_or(|p| p.contains(0, &shown)) {
                    jobs.push(Job {
                        binary: i,
                        test: None,
                        shown,
                    });
                }
                continue;
            }
        };
        let filtered = names.into_iter().filter(|n| {
            settings
                .filter
                .as_ref()
                .is_none_or(|f| n.contains(f.as_str()))
        });
        for (index, name) in filtered.enumerate() {
            if settings.partition.is_none_or(|p| p.contains(index, &name)) {
                jobs.push(Job {
                    binary: i,
                    shown: format!("{prefix}{name}"),
                    test: Some(name),
                });
            }
        }
    }
    Ok(jobs)
}

/// Runs one backend's jobs.
#[derive(Debug)]
pub(crate) struct Runner<'a> {
    /// The backend.
    pub(crate) backend: CheckBackend,
    /// The binaries the jobs name.
    pub(crate) binaries: &'a [TestBinary],
    /// The directory tests run in (the package's).
    pub(crate) cwd: &'a Path,
    /// Variables every test gets.
    pub(crate) env: Vec<(String, String)>,
    /// Where the backend's traces are kept.
    pub(crate) trace_root: &'a Path,
    /// The settings.
    pub(crate) settings: &'a Settings,
    /// The backend's share of `--budget`, which its tests divide.
    pub(crate) budget: Option<&'a crate::budget::BackendBudget>,
}

impl Runner<'_> {
    /// Runs `job`, again after a failure while retries remain.
    pub(crate) fn run(&self, job: &Job) -> JobResult {
        let attempts = self.settings.retries + 1;
        let mut last = None;
        for attempt in 1..=attempts {
            let (mut result, unclaimed) = self.attempt(attempt, job);
            result.attempts = attempt;
            let failed = matches!(result.outcome, Outcome::Failed { .. });
            if !failed || attempt == attempts {
                result.flaky = !failed && attempt > 1;
                return JobResult { result, unclaimed };
            }
            last = Some(JobResult { result, unclaimed });
        }
        last.expect("at least one attempt ran")
    }

    fn attempt(&self, attempt: u32, job: &Job) -> (TestResult, Vec<PathBuf>) {
        let binary = &self.binaries[job.binary];
        // Each test writes its traces in a directory of its own, so that
        // every trace there is this test's: a run replaces the traces of
        // the tests it runs, and keeps every other test's. A retry writes
        // beside the first attempt's, which stays.
        let test_dir = self.trace_root.join(dir_name(&job.shown));
        let scratch = if attempt == 1 {
            test_dir.clone()
        } else {
            test_dir.join(format!("retry-{attempt}"))
        };
        let _ = std::fs::remove_dir_all(&scratch);
        let mut env = self.env.clone();
        env.push((
            weft_check::WEFT_TRACE_DIR.to_string(),
            scratch.display().to_string(),
        ));
        if let Some(budget) = self.budget {
            env.push((
                weft_check::WEFT_BUDGET.to_string(),
                crate::budget::env_value(budget.next_share()),
            ));
        }
        let mut args = Vec::new();
        if let Some(test) = &job.test {
            args.extend([
                test.clone(),
                "--exact".to_string(),
                "--show-output".to_string(),
            ]);
        }
        let cmd = TestCommand {
            program: binary.exe.clone(),
            args,
            env,
            cwd: self.cwd.to_path_buf(),
        };
        let finished = match test_process::run(&cmd, self.settings.timeout) {
            Ok(f) => f,
            Err(e) => {
                return (
                    self.failed(
                        job,
                        "crash",
                        format!("cannot run `{}`: {e}", binary.exe.display()),
                        Vec::new(),
                        String::new(),
                    ),
                    Vec::new(),
                )
            }
        };
        let mut traces = read_traces(&scratch);
        // A test that wrote no trace leaves no directory.
        let _ = std::fs::remove_dir(&scratch);
        let result = self.outcome(job, &finished, &mut traces);
        (result, traces.into_iter().map(|t| t.path).collect())
    }

    fn failed(
        &self,
        job: &Job,
        kind: &str,
        cause: String,
        tail: Vec<String>,
        output: String,
    ) -> TestResult {
        TestResult {
            test: job.shown.clone(),
            backend: self.backend.name().to_string(),
            outcome: Outcome::Failed {
                kind: kind.to_string(),
                cause,
                trace: None,
                tail,
            },
            attempts: 1,
            flaky: false,
            output,
        }
    }

    /// What the process says happened to the test.
    fn outcome(&self, job: &Job, f: &Finished, traces: &mut Vec<FoundTrace>) -> TestResult {
        let tail = own_tail(f, job.test.as_deref());
        let output = f
            .lines
            .iter()
            .map(|l| l.text())
            .collect::<Vec<_>>()
            .join("\n");
        if f.timed_out {
            let timeout = humantime::format_duration(self.settings.timeout);
            let cause = match last_progress(f) {
                Some(n) => format!(
                    "timed out after {timeout}: explored {} executions so far",
                    crate::table::thousands(n)
                ),
                None => format!("timed out after {timeout}"),
            };
            return self.failed(job, "timeout", cause, tail, output);
        }
        if let Some(signal) = f.signal_name() {
            return self.failed(job, "crash", format!("crashed with {signal}"), tail, output);
        }
        let Some(test) = &job.test else {
            // A custom harness: its exit status says it all.
            let label = self.binaries[job.binary].target.label();
            if f.status.success() {
                return TestResult {
                    test: job.shown.clone(),
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
                    output,
                };
            }
            let own = f.stderr().rev().map(str::trim).find(|l| !l.is_empty());
            let cause = match own {
                Some(line) => format!("the test binary `{label}` failed: {line}"),
                None => format!("the test binary `{label}` failed"),
            };
            return self.failed(job, "failure", cause, Vec::new(), output);
        };
        let mut parser = Parser::new();
        for line in f.stdout() {
            parser.line(line);
        }
        let parsed = parser.finish();
        if parsed.tests.iter().any(|t| &t.name == test) {
            let prefix = job.shown.strip_suffix(test.as_str()).unwrap_or("");
            let mut rs = results::classify(self.backend, prefix, &parsed, traces);
            if let Some(i) = rs.iter().position(|r| r.test == job.shown) {
                return rs.swap_remove(i);
            }
        }
        self.failed(
            job,
            "crash",
            format!(
                "the test process exited with {} before the test finished",
                f.status
            ),
            tail,
            output,
        )
    }
}

/// The traces directly in `dir` (not its retries' directories).
fn read_traces(dir: &Path) -> Vec<FoundTrace> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .filter_map(|path| match weft_check::trace::read_trace(&path) {
            Ok(trace) => Some(FoundTrace { path, trace }),
            Err(e) => {
                crate::output::warn(&format!("skipping a trace: {e}"));
                None
            }
        })
        .collect()
}

/// A test's name as a directory name: `a::b` → `a__b`.
fn dir_name(test: &str) -> String {
    test.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The count of the last `weft: model `x` progress: N executions[, ...]`
/// line.
fn last_progress(f: &Finished) -> Option<u64> {
    f.stderr().rev().find_map(|l| {
        let rest = l.strip_prefix("weft: model `")?;
        let (_, count) = rest.split_once("` progress: ")?;
        let count = count.split_once(", ").map_or(count, |(c, _)| c);
        count
            .strip_suffix(" executions")?
            .replace(',', "")
            .parse()
            .ok()
    })
}

/// The test's own last lines (at most 10), without libtest's and weft's
/// progress lines.
fn own_tail(f: &Finished, test: Option<&str>) -> Vec<String> {
    let started = test.map(|t| format!("test {t} ..."));
    let mut own: Vec<String> = f
        .lines
        .iter()
        .map(|l| l.text().trim_end())
        .filter(|l| {
            !l.trim().is_empty()
                && !(l.starts_with("running ") && (l.ends_with(" test") || l.ends_with(" tests")))
                && !started.as_ref().is_some_and(|s| l.starts_with(s.as_str()))
                && !(l.starts_with("weft: model `") && l.contains("` progress: "))
        })
        .map(str::to_string)
        .collect();
    let skip = own.len().saturating_sub(10);
    own.drain(..skip);
    own
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_process::Line;
    use std::os::unix::process::ExitStatusExt;
    use std::process::ExitStatus;

    fn finished(lines: Vec<Line>) -> Finished {
        Finished {
            lines,
            status: ExitStatus::from_raw(6),
            timed_out: false,
        }
    }

    #[test]
    fn the_tail_is_the_tests_own_lines() {
        let f = finished(vec![
            Line::Out(String::new()),
            Line::Out("running 1 test".into()),
            Line::Err("weft: model `m` progress: 1,000 executions".into()),
            Line::Err("weft: model `m` progress: 2,500 executions, 2500/s, budget 10s, ~3.10% of the estimated tree".into()),
            Line::Out("test a::b ... ".into()),
            Line::Err("about to abort".into()),
        ]);
        assert_eq!(own_tail(&f, Some("a::b")), ["about to abort"]);
        assert_eq!(last_progress(&f), Some(2500));
        assert_eq!(f.signal_name().as_deref(), Some("SIGABRT"));
    }
}
