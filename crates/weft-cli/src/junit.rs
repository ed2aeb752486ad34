//! `--junit FILE`: the results as JUnit XML, one test suite per backend.

use std::fmt::Write as _;

use crate::results::{CheckReport, Outcome, RunStatus};

/// Renders the report as a JUnit XML document.
pub(crate) fn render(report: &CheckReport) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let total = report.results.len();
    let failures = report
        .results
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Failed { .. }))
        .count();
    let errors = report
        .backends
        .iter()
        .filter(|b| matches!(b.status, RunStatus::Broken { .. }))
        .count();
    let skipped = report
        .results
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Skipped { .. }))
        .count();
    let time: f64 = report.backends.iter().map(|b| b.seconds).sum();
    let _ = writeln!(
        out,
        "<testsuites name=\"cargo weft check: {}\" tests=\"{total}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\" time=\"{time:.3}\">",
        escape(&report.package)
    );
    for b in &report.backends {
        let mine: Vec<_> = report
            .results
            .iter()
            .filter(|r| r.backend == b.backend)
            .collect();
        let failures = mine
            .iter()
            .filter(|r| matches!(r.outcome, Outcome::Failed { .. }))
            .count();
        let skipped = mine
            .iter()
            .filter(|r| matches!(r.outcome, Outcome::Skipped { .. }))
            .count();
        let broken = matches!(b.status, RunStatus::Broken { .. });
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"{}\" skipped=\"{skipped}\" time=\"{:.3}\">",
            escape(&b.backend),
            mine.len() + usize::from(broken),
            usize::from(broken),
            b.seconds
        );
        match &b.status {
            RunStatus::Skipped { reason } => {
                let _ = writeln!(
                    out,
                    "    <properties><property name=\"skipped\" value=\"{}\"/></properties>",
                    escape(reason)
                );
            }
            RunStatus::Broken { reason } => {
                let _ = writeln!(
                    out,
                    "    <testcase name=\"(run)\" classname=\"weft.{}\"><error message=\"{}\"/></testcase>",
                    escape(&b.backend),
                    escape(reason)
                );
            }
            RunStatus::Ran => {}
        }
        for r in mine {
            let _ = write!(
                out,
                "    <testcase name=\"{}\" classname=\"weft.{}\"",
                escape(&r.test),
                escape(&r.backend)
            );
            match &r.outcome {
                Outcome::Verified { executions, .. } => match executions {
                    Some(n) => {
                        let _ = writeln!(
                            out,
                            "><system-out>verified: {n} executions explored</system-out></testcase>"
                        );
                    }
                    None => {
                        let _ = writeln!(out, "/>");
                    }
                },
                Outcome::Caught { kind, trace } => {
                    let mut text = format!(
                        "expected failure caught: {}",
                        kind.as_deref().unwrap_or("failure")
                    );
                    if let Some(t) = trace {
                        let _ = write!(text, "; trace: {}", t.display());
                    }
                    let _ = writeln!(
                        out,
                        "><system-out>{}</system-out></testcase>",
                        escape(&text)
                    );
                }
                Outcome::Failed { kind, cause, trace } => {
                    let mut body = r.output.clone();
                    if let Some(t) = trace {
                        let _ = write!(
                            body,
                            "\n\ntrace: {}\nreplay: cargo weft replay {}",
                            t.display(),
                            t.display()
                        );
                    }
                    let _ = writeln!(
                        out,
                        "><failure type=\"{}\" message=\"{}\">{}</failure></testcase>",
                        escape(kind),
                        escape(cause),
                        escape(&body)
                    );
                }
                Outcome::Skipped { reason } => {
                    let _ = writeln!(
                        out,
                        "><skipped message=\"{}\"/></testcase>",
                        escape(reason.as_deref().unwrap_or("ignored"))
                    );
                }
            }
        }
        let _ = writeln!(out, "  </testsuite>");
    }
    out.push_str("</testsuites>\n");
    out
}

/// Escapes text for an XML attribute or element, dropping characters XML
/// 1.0 cannot hold (ANSI escapes among them).
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_special_and_control_characters_are_escaped_or_dropped() {
        assert_eq!(escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
        assert_eq!(escape("\x1b[31mred\x1b[0m\n"), "[31mred[0m\n");
    }
}
