//! Reading libtest's human output (`test name ... ok`), line by line.
//!
//! libtest's JSON output is unstable, so `cargo weft` reads the pretty
//! format every Rust test binary prints: `running N tests`, one
//! `test <name> ... ok|FAILED|ignored` line per test, then the captured
//! output of each test (`---- <name> stdout ----`, failures always,
//! successes with `--show-output`), and `test result: ...`.

use std::collections::BTreeMap;

/// How one test ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum TestStatus {
    /// Passed.
    Ok,
    /// Failed.
    Failed,
    /// `#[ignore]`d, with the reason if it gave one.
    Ignored(Option<String>),
}

/// One test's line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TestLine {
    /// The test's path, `module::test`.
    pub(crate) name: String,
    /// How it ended.
    pub(crate) status: TestStatus,
}

/// What a line meant, for the progress display.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Event {
    /// `running N tests`: a test binary started.
    Running(usize),
    /// A test finished.
    Finished(TestLine),
    /// Nothing to report.
    Other,
}

/// Everything read from one test binary's output.
#[derive(Clone, Debug, Default)]
pub(crate) struct Parsed {
    /// The tests, in the order they finished.
    pub(crate) tests: Vec<TestLine>,
    /// The tests announced by `running N tests` lines.
    pub(crate) announced: usize,
    /// Whether a `test result:` line was seen.
    pub(crate) finished: bool,
    /// Each test's captured output, by test name.
    pub(crate) output: BTreeMap<String, String>,
    /// A test that started (`test name ... `) and never finished: with
    /// `--test-threads=1`, the one running when a binary crashed.
    pub(crate) pending: Option<String>,
}

/// A line-by-line reader of libtest output.
#[derive(Debug, Default)]
pub(crate) struct Parser {
    parsed: Parsed,
    section: Option<String>,
}

impl Parser {
    /// A parser that has read nothing.
    pub(crate) fn new() -> Parser {
        Parser::default()
    }

    /// Reads one line (without its newline).
    pub(crate) fn line(&mut self, line: &str) -> Event {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if let Some(name) = section_header(line) {
            self.section = Some(name.to_string());
            self.parsed.output.entry(name.to_string()).or_default();
            return Event::Other;
        }
        if let Some(name) = &self.section {
            if line == "failures:" || line == "successes:" || line.starts_with("test result: ") {
                self.section = None;
            } else {
                let out = self.parsed.output.entry(name.clone()).or_default();
                out.push_str(line);
                out.push('\n');
                return Event::Other;
            }
        }
        if line.starts_with("test result: ") {
            self.parsed.finished = true;
            return Event::Other;
        }
        if let Some(n) = running_line(line) {
            self.parsed.announced += n;
            return Event::Running(n);
        }
        if let Some(test) = test_line(line) {
            self.parsed.pending = None;
            self.parsed.tests.push(test.clone());
            return Event::Finished(test);
        }
        if let Some(name) = started_line(line) {
            self.parsed.pending = Some(name.to_string());
        }
        Event::Other
    }

    /// What was read.
    pub(crate) fn finish(mut self) -> Parsed {
        for out in self.parsed.output.values_mut() {
            let trimmed = out.trim_end().len();
            out.truncate(trimmed);
        }
        self.parsed
    }
}

/// `---- name stdout ----` → `name`.
fn section_header(line: &str) -> Option<&str> {
    line.strip_prefix("---- ")?.strip_suffix(" stdout ----")
}

/// `running 12 tests` / `running 1 test` → 12 / 1.
fn running_line(line: &str) -> Option<usize> {
    let rest = line.strip_prefix("running ")?;
    let (n, word) = rest.split_once(' ')?;
    if word == "tests" || word == "test" {
        n.parse().ok()
    } else {
        None
    }
}

/// `test a::b ... ` with no status (yet): the test running.
fn started_line(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("test ")?;
    let (name, _) = rest.split_once(" ... ")?;
    // libtest-mimic pads names to one width.
    let name = name.trim_end();
    Some(name.strip_suffix(" - should panic").unwrap_or(name))
}

/// `test a::b ... ok` and its variants.
fn test_line(line: &str) -> Option<TestLine> {
    let rest = line.strip_prefix("test ")?;
    let (name, status) = rest.rsplit_once(" ... ")?;
    let status = match status {
        "ok" => TestStatus::Ok,
        "FAILED" => TestStatus::Failed,
        "ignored" => TestStatus::Ignored(None),
        other => {
            let reason = other.strip_prefix("ignored, ")?;
            TestStatus::Ignored(Some(reason.to_string()))
        }
    };
    // libtest-mimic (custom harnesses) pads names to one width.
    let name = name.trim_end();
    let name = name.strip_suffix(" - should panic").unwrap_or(name);
    Some(TestLine {
        name: name.to_string(),
        status,
    })
}

/// The statistics line weft's runner prints for a verified model, read
/// from a test's captured output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Explored {
    /// Executions explored, summed over the test's models.
    pub(crate) executions: u64,
    /// Whether every model's search was exhaustive.
    pub(crate) exhaustive: bool,
    /// Why the models' searches were not exhaustive (`Stats::verdict`
    /// without its `not exhaustive: ` prefix, one entry per distinct
    /// verdict), in the order first seen.
    pub(crate) bounds: Vec<String>,
    /// The coverage figures, summed over the test's models (the pairs of
    /// one model are its own), when the runner printed them.
    pub(crate) coverage: Option<CoverageFigure>,
    /// What a time budget made the models give up (`stopped at 40% of the
    /// estimated tree`), one entry per model that said so.
    pub(crate) stopped: Vec<String>,
}

/// A coverage figure as the stats line prints it: `coverage 12/15
/// conflicting pairs in both orders`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct CoverageFigure {
    /// Conflicting pairs of operations seen in both orders.
    pub(crate) both_orders: u64,
    /// Conflicting pairs seen in either order.
    pub(crate) either_order: u64,
}

impl std::fmt::Display for CoverageFigure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.both_orders, self.either_order)
    }
}

/// Splits the stats line's `, coverage 12/15 conflicting pairs in both
/// orders` off its end.
fn split_coverage(tail: &str) -> (&str, Option<CoverageFigure>) {
    let Some(i) = tail.rfind(", coverage ") else {
        return (tail, None);
    };
    let figure = tail[i + ", coverage ".len()..]
        .strip_suffix(" conflicting pairs in both orders")
        .and_then(|f| f.split_once('/'))
        .and_then(|(b, e)| {
            Some(CoverageFigure {
                both_orders: b.replace(',', "").parse().ok()?,
                either_order: e.replace(',', "").parse().ok()?,
            })
        });
    match figure {
        Some(f) => (&tail[..i], Some(f)),
        None => (tail, None),
    }
}

/// Splits the stats line's `, stopped ...` (what a time budget gave up)
/// off its end.
fn split_stopped(tail: &str) -> (&str, Option<&str>) {
    match tail.rfind(", stopped ") {
        Some(i) => (&tail[..i], Some(&tail[i + 2..])),
        None => (tail, None),
    }
}

/// Sums the `weft: model `x` verified on b (...): N executions in T, <verdict>`
/// lines in `output`, if there are any. The verdict is `exhaustive`,
/// `not exhaustive: <reason>; <reason>`, or `loom search complete, but ...`,
/// optionally followed by ` (seed N)`, then by `, stopped ...` (what a time
/// budget gave up) and `, coverage B/E conflicting pairs in both orders`.
pub(crate) fn explored(output: &str) -> Option<Explored> {
    let mut total: Option<Explored> = None;
    for line in output.lines() {
        let Some(rest) = line.trim_start().strip_prefix("weft: model `") else {
            continue;
        };
        let Some((_, after)) = rest.split_once("` verified on ") else {
            continue;
        };
        let Some((_, counts)) = after.split_once("): ") else {
            continue;
        };
        // `1 execution`, `2 executions`.
        let Some((n, tail)) = counts.split_once(" execution") else {
            continue;
        };
        let Ok(n) = n.trim().replace(',', "").parse::<u64>() else {
            continue;
        };
        let verdict = tail.split_once(", ").map_or("", |(_, v)| v);
        let (verdict, coverage) = split_coverage(verdict);
        let (verdict, stopped) = split_stopped(verdict);
        let verdict = match verdict.rfind(" (seed ") {
            Some(i) if verdict.ends_with(')') => &verdict[..i],
            _ => verdict,
        };
        // A complete DPOR search says what it proved after the verdict.
        let verdict = verdict
            .split_once("; verified: ")
            .map_or(verdict, |(v, _)| v);
        let exhaustive = verdict == "exhaustive";
        let reason = verdict.strip_prefix("not exhaustive: ").unwrap_or(verdict);
        let t = total.get_or_insert(Explored {
            executions: 0,
            exhaustive: true,
            bounds: Vec::new(),
            coverage: None,
            stopped: Vec::new(),
        });
        if let Some(c) = coverage {
            let sum = t.coverage.get_or_insert_with(CoverageFigure::default);
            sum.both_orders += c.both_orders;
            sum.either_order += c.either_order;
        }
        if let Some(stopped) = stopped {
            t.stopped.push(stopped.to_string());
        }
        t.executions += n;
        t.exhaustive &= exhaustive;
        if !exhaustive && !reason.is_empty() && !t.bounds.iter().any(|b| b == reason) {
            t.bounds.push(reason.to_string());
        }
    }
    total
}

/// The kinds of failure a test's models declared and caught
/// (`Model::expect_failure`): its `weft: model `x` caught the expected
/// <kind> on <backend> ...` lines, in order.
pub(crate) fn caught(output: &str) -> Vec<String> {
    output
        .lines()
        .filter_map(|line| {
            let rest = line.trim_start().strip_prefix("weft: model `")?;
            let (_, after) = rest.split_once("` caught the expected ")?;
            let (kind, _) = after.split_once(" on ")?;
            Some(kind.to_string())
        })
        .collect()
}

/// What a failed test's output says failed: `(kind, one-line cause)`.
///
/// A weft report starts `weft: model `x` failed on <backend>: <kind>`; any
/// other panic is `panic` with the first line of its message.
pub(crate) fn failure_summary(output: &str) -> Option<(String, String)> {
    let lines: Vec<&str> = output.lines().collect();
    if let Some(i) = lines
        .iter()
        .position(|l| l.starts_with("weft: model `") && l.contains("` failed on "))
    {
        let headline = lines[i];
        let kind = headline
            .split_once("` failed on ")
            .and_then(|(_, rest)| rest.split_once(": "))
            .map_or("failure", |(_, kind)| kind);
        let kind = kind.split(" (").next().unwrap_or(kind).to_string();
        // The report's first indented line after the headline is the cause.
        let cause = lines[i + 1..]
            .iter()
            .find(|l| l.starts_with("  ") && !l.trim().is_empty())
            .map_or_else(String::new, |l| l.trim().to_string());
        return Some((kind, cause));
    }
    // `thread 'name' panicked at f.rs:1:2:`, and since Rust 1.88 or so
    // `thread 'name' (1234) panicked at f.rs:1:2:`.
    let i = lines
        .iter()
        .position(|l| l.starts_with("thread '") && l.contains(" panicked at "))?;
    let mut cause = lines[i]
        .split_once(" panicked at ")
        .map(|(_, rest)| rest.trim_end_matches(':').to_string())
        .unwrap_or_default();
    if let Some(message) = lines[i + 1..].iter().find(|l| !l.trim().is_empty()) {
        if !message.starts_with("note: ") {
            cause = format!("{} (at {cause})", message.trim());
        }
    }
    Some(("panic".to_string(), cause))
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUTPUT: &str = "\
running 4 tests
test a::passes ... ok
test a::fails ... FAILED
test a::skipped ... ignored, too slow on loom
test a::panics - should panic ... ok

successes:

---- a::passes stdout ----
weft: model `passes` verified on shuttle (dfs scheduler): 1,204 executions in 1.20s, exhaustive
weft: model `passes_2` verified on loom (DPOR search): 6 executions in 1.20s, not exhaustive: preemption bound 2


successes:
    a::passes

failures:

---- a::fails stdout ----

thread 'a::fails' panicked at models/a.rs:10:5:
assertion `left == right` failed: lost
  left: 1
 right: 2
note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace


failures:
    a::fails

test result: FAILED. 2 passed; 1 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s
";

    fn parse(text: &str) -> Parsed {
        let mut p = Parser::new();
        for line in text.lines() {
            p.line(line);
        }
        p.finish()
    }

    #[test]
    fn every_test_line_and_section_is_read() {
        let parsed = parse(OUTPUT);
        assert_eq!(parsed.announced, 4);
        assert!(parsed.finished);
        assert_eq!(
            parsed.tests,
            [
                TestLine {
                    name: "a::passes".into(),
                    status: TestStatus::Ok
                },
                TestLine {
                    name: "a::fails".into(),
                    status: TestStatus::Failed
                },
                TestLine {
                    name: "a::skipped".into(),
                    status: TestStatus::Ignored(Some("too slow on loom".into()))
                },
                TestLine {
                    name: "a::panics".into(),
                    status: TestStatus::Ok
                },
            ]
        );
        assert!(parsed.output["a::passes"].starts_with("weft: model `passes`"));
        assert!(parsed.output["a::fails"].contains("assertion `left == right` failed: lost"));
        assert!(parsed.output["a::fails"].ends_with("display a backtrace"));
    }

    #[test]
    fn stats_lines_are_summed() {
        let parsed = parse(OUTPUT);
        assert_eq!(
            explored(&parsed.output["a::passes"]),
            Some(Explored {
                executions: 1210,
                exhaustive: false,
                bounds: vec!["preemption bound 2".to_string()],
                coverage: None,
                stopped: Vec::new(),
            })
        );
        assert_eq!(explored("nothing here"), None);
    }

    #[test]
    fn the_verdicts_reasons_are_read() {
        let out = "\
weft: model `a` verified on loom (DPOR search): 15 executions in 440.83µs, loom search complete, but loom's DPOR may skip some SC interleavings (loom issues #392, #166: see README, Limitations)
weft: model `b` verified on shuttle (random scheduler): 50000 executions in 1.33s, not exhaustive: random scheduler; time budget (seed 5423534266817450653)
weft: model `c` verified on shuttle (dfs scheduler): 3 executions in 73.06µs, exhaustive (seed 1)
";
        let e = explored(out).unwrap();
        assert_eq!(e.executions, 50_018);
        assert!(!e.exhaustive);
        assert_eq!(
            e.bounds,
            [
                "loom search complete, but loom's DPOR may skip some SC interleavings (loom issues #392, #166: see README, Limitations)",
                "random scheduler; time budget",
            ]
        );
        let e = explored(out.lines().nth(2).unwrap()).unwrap();
        assert!(e.exhaustive);
        assert!(e.bounds.is_empty());
        let e = explored("weft: model `d` verified on shuttle (dpor scheduler, 2 workers): 9 executions in 3.05ms, exhaustive; verified: every interleaving under sequential consistency (9 executions), coverage 4/4 conflicting pairs in both orders").unwrap();
        assert!(e.exhaustive);
        assert!(e.bounds.is_empty());
        assert_eq!(e.executions, 9);
    }

    #[test]
    fn coverage_and_what_a_budget_gave_up_are_read_off_the_end() {
        let out = "\
weft: model `a` verified on shuttle (random scheduler): 1,500 executions in 2.00s, not exhaustive: random scheduler; time budget (seed 9), stopped at 40% of the estimated tree, coverage 3/4 conflicting pairs in both orders
weft: model `b` verified on loom (DPOR search): 6 executions in 1.20ms, loom search complete, but loom's DPOR may skip some SC interleavings (loom issues #392, #166: see README, Limitations), coverage 1/1 conflicting pairs in both orders
";
        let e = explored(out).unwrap();
        assert_eq!(e.executions, 1506);
        assert_eq!(
            e.coverage,
            Some(CoverageFigure {
                both_orders: 4,
                either_order: 5
            })
        );
        assert_eq!(e.stopped, ["stopped at 40% of the estimated tree"]);
        assert_eq!(
            e.bounds,
            [
                "random scheduler; time budget",
                "loom search complete, but loom's DPOR may skip some SC interleavings (loom issues #392, #166: see README, Limitations)",
            ]
        );
        let line = out.lines().next().unwrap();
        let e =
            explored(&line.replace(", coverage 3/4 conflicting pairs in both orders", "")).unwrap();
        assert_eq!(e.coverage, None);
        assert_eq!(e.stopped.len(), 1);
    }

    #[test]
    fn a_plain_panic_is_summarised_by_its_message() {
        let parsed = parse(OUTPUT);
        assert_eq!(
            failure_summary(&parsed.output["a::fails"]),
            Some((
                "panic".to_string(),
                "assertion `left == right` failed: lost (at models/a.rs:10:5)".to_string()
            ))
        );
    }

    #[test]
    fn a_weft_report_is_summarised_by_its_headline() {
        let out = "thread 'x' panicked at models/x.rs:3:1:\n\nweft: model `x` failed on std: panic\n\nPanic in thread `w` at models/x.rs:9:\n  lost an update\n";
        assert_eq!(
            failure_summary(out),
            Some(("panic".to_string(), "lost an update".to_string()))
        );
        let out = "weft: model `x` failed on shuttle: deadlock (lost wakeup: a thread waits)\n\nNo thread can run:\n  `main` waits\n";
        assert_eq!(failure_summary(out).unwrap().0, "deadlock");
    }

    #[test]
    fn a_panic_line_with_a_thread_id_is_read() {
        let out = "\nthread 'c::t' (13607) panicked at models/counter.rs:39:14:\nnot exhaustive\nstack backtrace:\n";
        assert_eq!(
            failure_summary(out),
            Some((
                "panic".to_string(),
                "not exhaustive (at models/counter.rs:39:14)".to_string()
            ))
        );
    }

    #[test]
    fn a_libtest_mimic_harness_pads_names_and_is_read_all_the_same() {
        let mut p = Parser::new();
        p.line("test short                  ... ok");
        p.line("test a_longer_name_here     ... FAILED");
        p.line("test pending                ... ");
        let parsed = p.finish();
        let names: Vec<&str> = parsed.tests.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["short", "a_longer_name_here"]);
        assert_eq!(parsed.pending.as_deref(), Some("pending"));
    }

    #[test]
    fn lines_that_are_not_libtest_are_ignored() {
        let mut p = Parser::new();
        assert_eq!(p.line("   Compiling weft v0.1.0"), Event::Other);
        assert_eq!(
            p.line("test x has been running for over 60 seconds"),
            Event::Other
        );
        assert_eq!(p.line("running 1 test"), Event::Running(1));
        assert!(matches!(p.line("test x ... ok"), Event::Finished(_)));
        p.line("test y ... error: Undefined Behavior: data race");
        assert_eq!(p.finish().pending.as_deref(), Some("y"));
    }

    #[test]
    fn a_declared_expectation_is_read_from_the_runner_line() {
        let out = "\
weft: model `abba` caught the expected deadlock on loom (DPOR search): after 4 executions in 210.00µs; trace target/weft/traces/abba-1.json
weft: model `x` verified on loom (DPOR search): 6 executions in 1.20s, exhaustive
";
        assert_eq!(caught(out), ["deadlock"]);
        assert!(caught(
            "weft: model `x` verified on loom (DPOR search): 6 executions in 1.20s, exhaustive"
        )
        .is_empty());
    }
}
