//! The text of `cargo weft check`: one table of models × backends, the
//! failures with their traces, and a summary.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::output::{pad, Palette};
use crate::results::{CheckReport, Outcome, RunStatus, TestResult};

/// Renders the report as text; `palette` colours the outcomes.
pub(crate) fn render(report: &CheckReport, palette: Palette) -> String {
    let mut out = String::new();
    let columns: Vec<&str> = report
        .backends
        .iter()
        .filter(|b| !matches!(b.status, RunStatus::Skipped { .. }))
        .map(|b| b.backend.as_str())
        .collect();
    let mut tests: BTreeSet<&str> = BTreeSet::new();
    let mut cells: BTreeMap<(&str, &str), &TestResult> = BTreeMap::new();
    for r in &report.results {
        tests.insert(r.test.as_str());
        cells.insert((r.test.as_str(), r.backend.as_str()), r);
    }

    if !tests.is_empty() && !columns.is_empty() {
        // Each distinct reason a verified search was not exhaustive gets a
        // footnote number, shown after the cell and spelled out below.
        let mut notes: Vec<String> = Vec::new();
        let texts: BTreeMap<(&str, &str), String> = cells
            .iter()
            .map(|(&key, r)| {
                let mut text = cell_text(&r.outcome, &mut notes);
                if r.flaky {
                    text.push_str(" (flaky)");
                }
                (key, text)
            })
            .collect();
        let name_width = tests
            .iter()
            .map(|t| t.chars().count())
            .max()
            .unwrap_or(5)
            .max(5);
        let widths: Vec<usize> = columns
            .iter()
            .map(|&b| {
                texts
                    .iter()
                    .filter(|((_, backend), _)| *backend == b)
                    .map(|(_, t)| t.chars().count())
                    .max()
                    .unwrap_or(1)
                    .max(b.len())
            })
            .collect();
        let mut header = pad("model", name_width);
        for (b, w) in columns.iter().zip(&widths) {
            header.push_str("  ");
            header.push_str(&pad(b, *w));
        }
        let _ = writeln!(out, "{}", palette.bold(header.trim_end()));
        for test in &tests {
            let mut line = pad(test, name_width);
            for (b, w) in columns.iter().zip(&widths) {
                line.push_str("  ");
                let text = texts
                    .get(&(*test, *b))
                    .cloned()
                    .unwrap_or_else(|| "-".to_string());
                let styled = match cells.get(&(*test, *b)).map(|r| &r.outcome) {
                    Some(Outcome::Verified { .. }) => palette.good(&text),
                    Some(Outcome::Caught { .. }) => palette.caught(&text),
                    Some(Outcome::Failed { .. }) => palette.error(&text),
                    Some(Outcome::Skipped { .. }) | None => palette.dim(&text),
                };
                line.push_str(&pad(&styled, *w));
            }
            let _ = writeln!(out, "{}", line.trim_end());
        }
        if report.results.iter().any(|r| {
            matches!(
                r.outcome,
                Outcome::Verified {
                    executions: Some(_),
                    ..
                }
            )
        }) {
            let _ = writeln!(
                out,
                "{}",
                palette.dim("(verified N: N executions explored; (all): every interleaving explored; [n]: why not all, below; -: not run on that backend)")
            );
            for (i, note) in notes.iter().enumerate() {
                let _ = writeln!(out, "{}", palette.dim(&format!("[{}] {note}", i + 1)));
            }
        } else {
            let _ = writeln!(out, "{}", palette.dim("(-: not run on that backend)"));
        }
    } else if report.results.is_empty() {
        let _ = writeln!(out, "no test ran");
    }

    let failures: Vec<_> = report
        .results
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Failed { .. }))
        .collect();
    if !failures.is_empty() {
        let _ = writeln!(out, "\n{}", palette.bold("Failures:"));
        for r in failures {
            let Outcome::Failed {
                kind,
                cause,
                trace,
                tail,
            } = &r.outcome
            else {
                continue;
            };
            let _ = writeln!(
                out,
                "  {} on {}: {} ({kind})",
                palette.error("FAILED"),
                r.backend,
                r.test
            );
            if !cause.is_empty() {
                let _ = writeln!(out, "    {cause}");
            }
            for line in tail {
                let _ = writeln!(out, "    | {line}");
            }
            if let Some(trace) = trace {
                let shown = shown_path(trace);
                let _ = writeln!(out, "    trace:  {shown}");
                let _ = writeln!(
                    out,
                    "    study:  cargo weft show {shown}   (or: cargo weft html {shown})"
                );
                let _ = writeln!(out, "    replay: cargo weft replay {shown}");
            }
        }
    }

    let _ = writeln!(out, "\n{}", palette.bold("Backends:"));
    let name_width = report
        .backends
        .iter()
        .map(|b| b.backend.len())
        .max()
        .unwrap_or(4);
    for b in &report.backends {
        let ran = report
            .results
            .iter()
            .filter(|r| r.backend == b.backend)
            .count();
        let line = match &b.status {
            RunStatus::Ran => format!(
                "{} in {:.1}s (build {:.1}s, tests {:.1}s)",
                plural(ran, "test"),
                b.seconds,
                b.build_seconds,
                (b.seconds - b.build_seconds).max(0.0)
            ),
            RunStatus::Skipped { reason } => palette.dim(&format!("skipped: {reason}")),
            RunStatus::Broken { reason } => {
                format!(
                    "{} {reason} ({ran} tests reported)",
                    palette.error("BROKEN:")
                )
            }
        };
        let _ = writeln!(out, "  {}  {line}", pad(&b.backend, name_width));
    }
    for path in &report.unclaimed_traces {
        let _ = writeln!(
            out,
            "  trace written outside any test: {}",
            shown_path(path)
        );
    }

    let counts = report.counts();
    let mut parts = Vec::new();
    for keyword in ["verified", "caught", "failed", "skipped"] {
        if let Some(n) = counts.get(keyword) {
            let flaky = report
                .results
                .iter()
                .filter(|r| r.flaky && r.outcome.keyword() == keyword)
                .count();
            if flaky > 0 {
                parts.push(format!("{n} {keyword} ({flaky} flaky)"));
            } else {
                parts.push(format!("{n} {keyword}"));
            }
        }
    }
    let verdict = if report.has_unexpected_failure() {
        palette.error("FAILED")
    } else {
        palette.good("ok")
    };
    let _ = writeln!(
        out,
        "\nweft check {verdict}: {} on {}: {}",
        plural(tests.len(), "test"),
        plural(columns.len(), "backend"),
        if parts.is_empty() {
            "none ran".to_string()
        } else {
            parts.join(", ")
        }
    );
    out
}

/// `1 test`, `2 tests`.
fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The short text of one cell; a verified search that was not exhaustive
/// gets the numbers of its reasons in `notes` (added there if new).
fn cell_text(outcome: &Outcome, notes: &mut Vec<String>) -> String {
    match outcome {
        Outcome::Verified {
            executions: Some(n),
            exhaustive,
            bounds,
            stopped,
            ..
        } => {
            let mut marks: Vec<String> = Vec::new();
            for bound in bounds.iter().chain(stopped) {
                let i = match notes.iter().position(|n| n == bound) {
                    Some(i) => i,
                    None => {
                        notes.push(bound.clone());
                        notes.len() - 1
                    }
                };
                marks.push((i + 1).to_string());
            }
            let all = if *exhaustive == Some(true) {
                " (all)".to_string()
            } else if !marks.is_empty() {
                format!(" [{}]", marks.join(","))
            } else {
                String::new()
            };
            format!("verified {}{all}", thousands(*n))
        }
        Outcome::Verified {
            executions: None, ..
        } => "verified".to_string(),
        Outcome::Caught { kind: Some(k), .. } => format!("caught {k}"),
        Outcome::Caught { kind: None, .. } => "caught".to_string(),
        Outcome::Failed { kind, .. } => format!("FAILED {kind}"),
        Outcome::Skipped { .. } => "skipped".to_string(),
    }
}

/// `1234567` → `1,234,567`.
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A path relative to the current directory when it is under it.
pub(crate) fn shown_path(path: &Path) -> String {
    let relative = std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(&cwd).ok().map(PathBuf::from));
    relative.as_deref().unwrap_or(path).display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{BackendRun, TestResult};

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
    }

    fn result(test: &str, backend: &str, outcome: Outcome) -> TestResult {
        TestResult {
            test: test.into(),
            backend: backend.into(),
            outcome,
            attempts: 1,
            flaky: false,
            output: String::new(),
        }
    }

    fn run(backend: &str, status: RunStatus) -> BackendRun {
        BackendRun {
            backend: backend.into(),
            status,
            seconds: 2.5,
            build_seconds: 1.0,
            commands: vec![],
            trace_dir: None,
        }
    }

    #[test]
    fn the_table_has_a_row_per_test_and_a_column_per_backend_that_ran() {
        let report = CheckReport {
            format: crate::results::JSON_FORMAT.to_string(),
            package: "p".into(),
            backends: vec![
                run("std", RunStatus::Ran),
                run("loom", RunStatus::Ran),
                run("shuttle", RunStatus::Ran),
                run(
                    "miri",
                    RunStatus::Skipped {
                        reason: "needs nightly".into(),
                    },
                ),
            ],
            results: vec![
                result(
                    "a::counter",
                    "std",
                    Outcome::Verified {
                        executions: None,
                        exhaustive: None,
                        bounds: vec![],
                        coverage: None,
                        stopped: vec![],
                    },
                ),
                result(
                    "a::counter",
                    "shuttle",
                    Outcome::Verified {
                        executions: Some(10000),
                        exhaustive: Some(false),
                        bounds: vec!["random scheduler".into()],
                        coverage: None,
                        stopped: vec![],
                    },
                ),
                result(
                    "a::counter",
                    "loom",
                    Outcome::Verified {
                        executions: Some(9),
                        exhaustive: Some(false),
                        bounds: vec!["loom search complete, but loom's DPOR may skip some SC interleavings (loom issues #392, #166: see README, Limitations)".into()],
                        coverage: None,
                        stopped: vec![],
                    },
                ),
                result(
                    "a::dfs",
                    "shuttle",
                    Outcome::Verified {
                        executions: Some(3),
                        exhaustive: Some(true),
                        bounds: vec![],
                        coverage: None,
                        stopped: vec![],
                    },
                ),
                result(
                    "a::abba",
                    "shuttle",
                    Outcome::Caught {
                        kind: Some("deadlock".into()),
                        trace: None,
                    },
                ),
                result(
                    "a::lost",
                    "shuttle",
                    Outcome::Failed {
                        kind: "panic".into(),
                        cause: "an increment was lost".into(),
                        trace: Some(PathBuf::from("/t/lost.json")),
                        tail: vec![],
                    },
                ),
            ],
            unclaimed_traces: vec![],
        };
        let text = render(&report, Palette::PLAIN);
        insta::assert_snapshot!(text);
    }
}
