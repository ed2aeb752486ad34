//! `--junit FILE`: the results as JUnit XML (written by `quick-junit`), one
//! test suite per backend.

use std::time::Duration;

use quick_junit::{
    NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestRerun, TestSuite,
};

use crate::results::{CheckReport, Outcome, RunStatus};

/// Renders the report as a JUnit XML document.
pub(crate) fn render(report: &CheckReport) -> String {
    let mut junit = Report::new(format!("cargo weft check: {}", report.package));
    junit.set_time(duration(report.backends.iter().map(|b| b.seconds).sum()));
    for b in &report.backends {
        let mut suite = TestSuite::new(b.backend.as_str());
        suite.set_time(duration(b.seconds));
        match &b.status {
            RunStatus::Skipped { reason } => {
                suite.add_property(Property::new("skipped", reason.as_str()));
            }
            RunStatus::Broken { reason } => {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
                status.set_message(reason.as_str());
                let mut case = TestCase::new("(run)", status);
                case.set_classname(format!("weft.{}", b.backend));
                suite.add_test_case(case);
            }
            RunStatus::Ran => {}
        }
        for r in report.results.iter().filter(|r| r.backend == b.backend) {
            let (status, out) = match &r.outcome {
                Outcome::Verified { executions, .. } => (
                    TestCaseStatus::success(),
                    executions.map(|n| format!("verified: {n} executions explored")),
                ),
                Outcome::Caught { kind, trace } => {
                    let mut text = format!(
                        "expected failure caught: {}",
                        kind.as_deref().unwrap_or("failure")
                    );
                    if let Some(t) = trace {
                        text.push_str(&format!("; trace: {}", t.display()));
                    }
                    (TestCaseStatus::success(), Some(text))
                }
                Outcome::Failed {
                    kind,
                    cause,
                    trace,
                    tail,
                } => {
                    let mut body = r.output.clone();
                    for line in tail {
                        if !body.is_empty() {
                            body.push('\n');
                        }
                        body.push_str(line);
                    }
                    if let Some(t) = trace {
                        body.push_str(&format!(
                            "\n\ntrace: {}\nreplay: cargo weft replay {}",
                            t.display(),
                            t.display()
                        ));
                    }
                    let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    status
                        .set_type(kind.as_str())
                        .set_message(cause.as_str())
                        .set_description(body);
                    (status, None)
                }
                Outcome::Skipped { reason } => {
                    let mut status = TestCaseStatus::skipped();
                    status.set_message(reason.as_deref().unwrap_or("ignored"));
                    (status, None)
                }
            };
            let mut status = status;
            if r.flaky {
                // The attempts before the one that passed.
                for _ in 1..r.attempts {
                    status.add_rerun(TestRerun::new(NonSuccessKind::Failure));
                }
            }
            let mut case = TestCase::new(r.test.as_str(), status);
            case.set_classname(format!("weft.{}", r.backend));
            if let Outcome::Verified {
                executions,
                coverage,
                stopped,
                ..
            } = &r.outcome
            {
                if let Some(n) = executions {
                    case.add_property(Property::new("executions", n.to_string()));
                }
                if let Some(c) = coverage {
                    case.add_property(Property::new(
                        "coverage.both_orders",
                        c.both_orders.to_string(),
                    ));
                    case.add_property(Property::new(
                        "coverage.either_order",
                        c.either_order.to_string(),
                    ));
                }
                for s in stopped {
                    case.add_property(Property::new("stopped", s.as_str()));
                }
            }
            if let Some(text) = out {
                case.set_system_out(text);
            }
            suite.add_test_case(case);
        }
        junit.add_test_suite(suite);
    }
    match junit.to_string() {
        Ok(mut xml) => {
            if !xml.ends_with('\n') {
                xml.push('\n');
            }
            xml
        }
        // Writing XML to a string fails only on a bug in quick-junit.
        Err(e) => panic!("weft: quick-junit could not write the report: {e}"),
    }
}

fn duration(seconds: f64) -> Duration {
    Duration::try_from_secs_f64(seconds).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{BackendRun, TestResult};

    #[test]
    fn a_verified_test_carries_its_coverage_and_what_it_gave_up_as_properties() {
        let report = CheckReport {
            package: "p".into(),
            backends: vec![BackendRun {
                backend: "shuttle".into(),
                status: RunStatus::Ran,
                seconds: 1.0,
                build_seconds: 0.5,
                commands: vec![],
                trace_dir: None,
            }],
            results: vec![TestResult {
                test: "m::t".into(),
                backend: "shuttle".into(),
                outcome: Outcome::Verified {
                    executions: Some(40),
                    exhaustive: Some(false),
                    bounds: vec!["time budget".into()],
                    coverage: Some(crate::libtest::CoverageFigure {
                        both_orders: 12,
                        either_order: 15,
                    }),
                    stopped: vec!["stopped at 40% of the estimated tree".into()],
                },
                attempts: 1,
                flaky: false,
                output: String::new(),
            }],
            ..CheckReport::default()
        };
        let xml = render(&report);
        let back = Report::deserialize_from_str(&xml).expect("well-formed XML");
        let props: Vec<(String, String)> = back.test_suites[0].test_cases[0]
            .properties
            .iter()
            .map(|p| (p.name.to_string(), p.value.to_string()))
            .collect();
        let want = |k: &str, v: &str| (k.to_string(), v.to_string());
        assert_eq!(
            props,
            [
                want("executions", "40"),
                want("coverage.both_orders", "12"),
                want("coverage.either_order", "15"),
                want("stopped", "stopped at 40% of the estimated tree"),
            ],
            "{xml}"
        );
    }

    #[test]
    fn xml_special_characters_survive_and_ansi_escapes_are_removed() {
        let report = CheckReport {
            package: "p".into(),
            backends: vec![BackendRun {
                backend: "std".into(),
                status: RunStatus::Ran,
                seconds: 1.0,
                build_seconds: 0.5,
                commands: vec![],
                trace_dir: None,
            }],
            results: vec![TestResult {
                test: "a<b>&\"c'".into(),
                backend: "std".into(),
                outcome: Outcome::Failed {
                    kind: "panic".into(),
                    cause: "\x1b[31mred\x1b[0m".into(),
                    trace: None,
                    tail: vec![],
                },
                attempts: 1,
                flaky: false,
                output: String::new(),
            }],
            ..CheckReport::default()
        };
        let xml = render(&report);
        let back = Report::deserialize_from_str(&xml).expect("well-formed XML");
        let case = &back.test_suites[0].test_cases[0];
        assert_eq!(case.name.as_str(), "a<b>&\"c'");
        let TestCaseStatus::NonSuccess { message, .. } = &case.status else {
            panic!("{xml}")
        };
        assert_eq!(message.as_ref().map(|m| m.as_str()), Some("red"));
    }
}
