//! What `cargo weft check` found: one outcome per test and backend, and
//! how each backend's run went.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use weft_check::trace::Trace;

use crate::backend::CheckBackend;
use crate::libtest::{self, Parsed, TestStatus};

/// How one test ended on one backend.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub(crate) enum Outcome {
    /// Passed, and no model of it failed.
    Verified {
        /// Executions explored, when the runner printed its statistics.
        executions: Option<u64>,
        /// Whether every interleaving was explored, when known.
        exhaustive: Option<bool>,
        /// Why the search was not exhaustive, as the runner's verdict lines
        /// say it (`preemption bound 2`, `random scheduler`, ...).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        bounds: Vec<String>,
        /// The coverage figure (conflicting pairs of operations seen in
        /// both orders, out of those seen in either), summed over the
        /// test's models, when the runner printed it (checkers only).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        coverage: Option<libtest::CoverageFigure>,
        /// What a time budget (`--budget`) made its models give up:
        /// `stopped at 40% of the estimated tree`, one entry per model.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        stopped: Vec<String>,
    },
    /// A model failed as the test declared it would
    /// (`Model::expect_failure`): the runner printed "caught the expected
    /// <kind>". A test's name decides nothing.
    Caught {
        /// The failure kind (`deadlock`, `data_race`, ...), if a trace says.
        kind: Option<String>,
        /// The trace file the failure wrote, if any.
        trace: Option<PathBuf>,
    },
    /// Failed: a bug where none was expected.
    Failed {
        /// The failure kind (`deadlock`, `assertion`, `panic`, ...).
        kind: String,
        /// One line saying what failed.
        cause: String,
        /// The trace file, if one was written.
        trace: Option<PathBuf>,
        /// The test's own last lines on stdout and stderr, for a crash or
        /// a timeout (where no report was printed).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        tail: Vec<String>,
    },
    /// Ignored.
    Skipped {
        /// The reason `#[ignore = "..."]` gave, if any.
        reason: Option<String>,
    },
}

impl Outcome {
    /// The outcome's keyword: `verified`, `caught`, `failed`, `skipped`.
    pub(crate) fn keyword(&self) -> &'static str {
        match self {
            Outcome::Verified { .. } => "verified",
            Outcome::Caught { .. } => "caught",
            Outcome::Failed { .. } => "failed",
            Outcome::Skipped { .. } => "skipped",
        }
    }
}

/// One test on one backend.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct TestResult {
    /// The test's name (`module::test`, prefixed with `target: ` when
    /// several targets ran).
    pub(crate) test: String,
    /// The backend.
    pub(crate) backend: String,
    /// How it ended.
    #[serde(flatten)]
    pub(crate) outcome: Outcome,
    /// How many times it ran (`--retries`): more than once only after a
    /// failure.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub(crate) attempts: u32,
    /// Whether it failed, then passed on a retry.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) flaky: bool,
    /// Its captured output (for JUnit; not in JSON).
    #[serde(skip)]
    pub(crate) output: String,
}

fn one() -> u32 {
    1
}

fn is_one(n: &u32) -> bool {
    *n == 1
}

/// How one backend's run went.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub(crate) enum RunStatus {
    /// The tests ran (some may have failed).
    Ran,
    /// The backend did not run: a nightly it needs is missing, or the
    /// package lacks its feature.
    Skipped {
        /// Why, in words: "needs ...".
        reason: String,
    },
    /// The run broke: the tests did not build, or a test binary crashed.
    Broken {
        /// What happened.
        reason: String,
    },
}

/// One backend's run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct BackendRun {
    /// The backend.
    pub(crate) backend: String,
    /// How it went.
    #[serde(flatten)]
    pub(crate) status: RunStatus,
    /// Wall time of the whole run (build and tests), in seconds.
    pub(crate) seconds: f64,
    /// Wall time until the first test binary started, in seconds.
    pub(crate) build_seconds: f64,
    /// The commands that ran, for a person to rerun.
    pub(crate) commands: Vec<String>,
    /// Where this backend's traces were written.
    pub(crate) trace_dir: Option<PathBuf>,
}

/// Everything `cargo weft check` found.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct CheckReport {
    /// The format of `--json` output.
    pub(crate) format: String,
    /// The package tested.
    pub(crate) package: String,
    /// Each backend's run, in order.
    pub(crate) backends: Vec<BackendRun>,
    /// Every test on every backend it ran on.
    pub(crate) results: Vec<TestResult>,
    /// Traces no test claimed (a model run outside a test thread).
    #[serde(default)]
    pub(crate) unclaimed_traces: Vec<PathBuf>,
}

/// The `format` of `--json` output.
pub(crate) const JSON_FORMAT: &str = "weft-check/1";

impl CheckReport {
    /// Whether anything failed that was not expected to: a failed test or a
    /// broken run.
    pub(crate) fn has_unexpected_failure(&self) -> bool {
        self.results
            .iter()
            .any(|r| matches!(r.outcome, Outcome::Failed { .. }))
            || self
                .backends
                .iter()
                .any(|b| matches!(b.status, RunStatus::Broken { .. }))
    }

    /// How many results have each outcome keyword.
    pub(crate) fn counts(&self) -> BTreeMap<&'static str, usize> {
        let mut counts = BTreeMap::new();
        for r in &self.results {
            *counts.entry(r.outcome.keyword()).or_insert(0) += 1;
        }
        counts
    }
}

/// A trace found after a run, with the file it came from.
#[derive(Clone, Debug)]
pub(crate) struct FoundTrace {
    /// The file.
    pub(crate) path: PathBuf,
    /// Its content.
    pub(crate) trace: Trace,
}

/// Turns one target's parsed output and traces into results.
///
/// `prefix` is prepended to test names (`"models: "` when several targets
/// ran). Traces are matched to tests by the test name they record (the
/// last segment of the test's path), else by model name; `traces` keeps
/// the ones no test claimed.
pub(crate) fn classify(
    backend: CheckBackend,
    prefix: &str,
    parsed: &Parsed,
    traces: &mut Vec<FoundTrace>,
) -> Vec<TestResult> {
    parsed
        .tests
        .iter()
        .map(|t| {
            let output = parsed.output.get(&t.name).cloned().unwrap_or_default();
            let short = t.name.rsplit("::").next().unwrap_or(&t.name);
            let mut mine: Vec<FoundTrace> = Vec::new();
            let mut i = 0;
            while i < traces.len() {
                let tr = &traces[i].trace;
                let claims = match &tr.test {
                    Some(test) => test == short || test == &t.name,
                    None => tr.model == short,
                };
                if claims {
                    mine.push(traces.remove(i));
                } else {
                    i += 1;
                }
            }
            let first = mine.first();
            let kind = first.map(|f| f.trace.failure.kind.as_str().to_string());
            let path = first.map(|f| f.path.clone());
            let outcome = match &t.status {
                TestStatus::Ignored(reason) => Outcome::Skipped {
                    reason: reason.clone(),
                },
                // Only a declared expectation (`Model::expect_failure`)
                // counts as caught: not the test's name, nor a failure the
                // test asserted by hand (its traces are claimed, not shown).
                TestStatus::Ok if !libtest::caught(&output).is_empty() => Outcome::Caught {
                    kind: libtest::caught(&output).into_iter().next().or(kind),
                    trace: path,
                },
                TestStatus::Ok => {
                    let explored = libtest::explored(&output);
                    Outcome::Verified {
                        executions: explored.as_ref().map(|e| e.executions),
                        exhaustive: explored.as_ref().map(|e| e.exhaustive),
                        coverage: explored.as_ref().and_then(|e| e.coverage),
                        stopped: explored
                            .as_ref()
                            .map(|e| e.stopped.clone())
                            .unwrap_or_default(),
                        bounds: explored.map(|e| e.bounds).unwrap_or_default(),
                    }
                }
                TestStatus::Failed => match first {
                    Some(f) => Outcome::Failed {
                        kind: f.trace.failure.kind.as_str().to_string(),
                        cause: one_line(&f.trace.failure.message),
                        trace: path,
                        tail: Vec::new(),
                    },
                    None => {
                        let (kind, cause) = libtest::failure_summary(&output)
                            .unwrap_or_else(|| ("failure".to_string(), String::new()));
                        Outcome::Failed {
                            kind,
                            cause: one_line(&cause),
                            trace: None,
                            tail: Vec::new(),
                        }
                    }
                },
            };
            TestResult {
                test: format!("{prefix}{}", t.name),
                backend: backend.name().to_string(),
                outcome,
                attempts: 1,
                flaky: false,
                output,
            }
        })
        .collect()
}

/// The first line of `text`, cut to 120 characters.
pub(crate) fn one_line(text: &str) -> String {
    let first = text.trim().lines().next().unwrap_or_default().trim();
    crate::output::truncate(first, 120)
}

/// Reads every trace under `dir` (recursively); unreadable ones are warned
/// about and left out.
pub(crate) fn read_traces(dir: &Path) -> Vec<FoundTrace> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths {
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                match weft_check::trace::read_trace(&path) {
                    Ok(trace) => found.push(FoundTrace { path, trace }),
                    Err(e) => crate::output::warn(&format!("skipping a trace: {e}")),
                }
            }
        }
    }
    found
}

/// A duration in seconds, rounded to milliseconds, for JSON.
pub(crate) fn seconds(d: Duration) -> f64 {
    (d.as_secs_f64() * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::libtest::Parser;

    /// One test binary's output, read by libtest's parser.
    fn parsed(text: &str) -> Parsed {
        let mut parser = Parser::new();
        for line in text.lines() {
            parser.line(line);
        }
        parser.finish()
    }

    /// The abba fixture's trace, claimed by `test`.
    fn abba_trace(test: &str) -> FoundTrace {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/abba.json");
        let mut trace = weft_check::trace::read_trace(&path).expect("the fixture reads");
        trace.test = Some(test.to_string());
        FoundTrace { path, trace }
    }

    #[test]
    fn a_declared_expectation_found_is_caught_with_its_trace() {
        let out = parsed(
            "running 1 test\n\
             test deadlock::abba ... ok\n\
             \n\
             successes:\n\
             \n\
             ---- deadlock::abba stdout ----\n\
             weft: model `abba` caught the expected deadlock on loom (DPOR search): after 4 executions in 1.00ms\n\
             \n\
             successes:\n    deadlock::abba\n\n\
             test result: ok. 1 passed; 0 failed; 0 ignored\n",
        );
        let mut traces = vec![abba_trace("abba")];
        let results = classify(CheckBackend::Loom, "", &out, &mut traces);
        assert_eq!(
            results[0].outcome,
            Outcome::Caught {
                kind: Some("deadlock".to_string()),
                trace: Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/abba.json")),
            }
        );
        assert!(traces.is_empty(), "the test claims its trace");
    }

    #[test]
    fn a_name_or_a_failure_asserted_by_hand_is_not_caught() {
        let out = parsed(
            "running 1 test\n\
             test deadlock::abba_is_caught ... ok\n\
             \n\
             test result: ok. 1 passed; 0 failed; 0 ignored\n",
        );
        let mut traces = vec![abba_trace("abba_is_caught")];
        let results = classify(CheckBackend::Loom, "", &out, &mut traces);
        assert_eq!(
            results[0].outcome,
            Outcome::Verified {
                executions: None,
                exhaustive: None,
                bounds: vec![],
                coverage: None,
                stopped: vec![],
            }
        );
        assert!(traces.is_empty(), "the test claims its trace");
    }
}
