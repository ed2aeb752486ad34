//! `cargo weft merge`: join the `--json` results of several runs (the jobs
//! of a CI matrix) into one table, one JUnit file and one exit status.

use std::path::Path;

use crate::app::MergeArgs;
use crate::dispatch::check::emit;
use crate::errors::ExpectedError;
use crate::output::ColorChoice;
use crate::results::{self, BackendRun, CheckReport, Outcome, RunStatus, TestResult};

/// Runs `cargo weft merge`.
///
/// # Errors
///
/// A file that cannot be read or is not `weft-check/1` results (before
/// anything is printed); an unwritable output file or stdout after.
pub(crate) fn run(args: &MergeArgs, color: ColorChoice) -> Result<i32, ExpectedError> {
    let mut reports = Vec::new();
    for path in &args.files {
        reports.push(read(path)?);
    }
    let merged = merge(reports);
    let json_stdout = args.json.as_deref() == Some(Path::new("-"));
    emit(
        &merged,
        json_stdout,
        args.json.as_deref().filter(|p| *p != Path::new("-")),
        args.junit.as_deref(),
        color,
    )
}

fn read(path: &Path) -> Result<CheckReport, ExpectedError> {
    let text = std::fs::read_to_string(path).map_err(|source| ExpectedError::ReadResults {
        path: path.to_path_buf(),
        source,
    })?;
    let not = |reason: String| ExpectedError::NotResults {
        path: path.to_path_buf(),
        reason,
    };
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| not(e.to_string()))?;
    match value.get("format").and_then(|f| f.as_str()) {
        Some(results::JSON_FORMAT) => {}
        Some(other) => {
            return Err(not(format!(
                "its format is {other}; this cargo weft reads {}",
                results::JSON_FORMAT
            )))
        }
        None => return Err(not("it has no \"format\" field".to_string())),
    }
    serde_json::from_value(value).map_err(|e| not(e.to_string()))
}

/// Joins reports: backends by name, results by test and backend (a test
/// that ran in several shards of one backend is one result).
pub(crate) fn merge(reports: Vec<CheckReport>) -> CheckReport {
    let mut packages: Vec<String> = Vec::new();
    let mut out = CheckReport {
        format: results::JSON_FORMAT.to_string(),
        ..CheckReport::default()
    };
    for report in reports {
        if !packages.contains(&report.package) {
            packages.push(report.package);
        }
        for b in report.backends {
            match out.backends.iter_mut().find(|o| o.backend == b.backend) {
                Some(o) => join_backend(o, b),
                None => out.backends.push(b),
            }
        }
        for r in report.results {
            match out
                .results
                .iter_mut()
                .find(|o| o.test == r.test && o.backend == r.backend)
            {
                Some(o) => join_result(o, r),
                None => out.results.push(r),
            }
        }
        for t in report.unclaimed_traces {
            if !out.unclaimed_traces.contains(&t) {
                out.unclaimed_traces.push(t);
            }
        }
    }
    out.package = packages.join(", ");
    out
}

/// One backend over several runs: the longest run's times (shards run side
/// by side), every command, and the worst status.
fn join_backend(into: &mut BackendRun, b: BackendRun) {
    into.seconds = into.seconds.max(b.seconds);
    into.build_seconds = into.build_seconds.max(b.build_seconds);
    for c in b.commands {
        if !into.commands.contains(&c) {
            into.commands.push(c);
        }
    }
    let rank = |s: &RunStatus| match s {
        RunStatus::Skipped { .. } => 0,
        RunStatus::Ran => 1,
        RunStatus::Broken { .. } => 2,
    };
    if rank(&b.status) > rank(&into.status) {
        into.status = b.status;
    }
}

/// One test over several shards: a failure wins, then a caught failure;
/// verified shards add up their executions.
fn join_result(into: &mut TestResult, r: TestResult) {
    let rank = |o: &Outcome| match o {
        Outcome::Skipped { .. } => 0,
        Outcome::Verified { .. } => 1,
        Outcome::Caught { .. } => 2,
        Outcome::Failed { .. } => 3,
    };
    into.flaky |= r.flaky;
    into.attempts = into.attempts.max(r.attempts);
    if let (
        Outcome::Verified {
            executions,
            exhaustive,
            bounds,
            coverage,
            stopped,
        },
        Outcome::Verified {
            executions: more,
            exhaustive: more_exhaustive,
            bounds: more_bounds,
            coverage: more_coverage,
            stopped: more_stopped,
        },
    ) = (&mut into.outcome, &r.outcome)
    {
        // Shards' figures count pairs, not which: they cannot be joined,
        // so the row keeps the shard that saw most pairs in both orders.
        if more_coverage.is_some_and(|m| coverage.is_none_or(|c| m.both_orders > c.both_orders)) {
            *coverage = *more_coverage;
        }
        stopped.extend(more_stopped.iter().cloned());
        *executions = match (*executions, *more) {
            (Some(a), Some(b)) => Some(a + b),
            (a, b) => a.or(b),
        };
        *exhaustive = match (*exhaustive, *more_exhaustive) {
            (Some(a), Some(b)) => Some(a || b),
            (a, b) => a.or(b),
        };
        if *exhaustive == Some(true) {
            bounds.clear();
        } else {
            for b in more_bounds {
                if !bounds.contains(b) {
                    bounds.push(b.clone());
                }
            }
        }
        return;
    }
    if rank(&r.outcome) > rank(&into.outcome) {
        *into = r;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verified(test: &str, n: u64) -> TestResult {
        TestResult {
            test: test.into(),
            backend: "shuttle".into(),
            outcome: Outcome::Verified {
                executions: Some(n),
                exhaustive: Some(false),
                bounds: vec!["random scheduler".into()],
                coverage: None,
                stopped: Vec::new(),
            },
            attempts: 1,
            flaky: false,
            output: String::new(),
        }
    }

    #[test]
    fn shards_of_one_test_add_up_and_a_failure_wins() {
        let failed = TestResult {
            outcome: Outcome::Failed {
                kind: "deadlock".into(),
                cause: "stuck".into(),
                trace: None,
                tail: vec![],
            },
            ..verified("b", 0)
        };
        let report = |results| CheckReport {
            format: results::JSON_FORMAT.into(),
            package: "p".into(),
            results,
            ..CheckReport::default()
        };
        let merged = merge(vec![
            report(vec![verified("a", 10), verified("b", 5)]),
            report(vec![verified("a", 20), failed.clone()]),
        ]);
        assert_eq!(merged.package, "p");
        assert_eq!(merged.results.len(), 2);
        assert_eq!(merged.results[0], verified("a", 30));
        assert_eq!(merged.results[1], failed);
        assert!(merged.has_unexpected_failure());
    }
}
