//! `cargo weft show <trace>`: the trace in the terminal, one column per
//! thread, numbered steps, the failing step highlighted and the wait-for
//! cycle or racing pair under it.

use std::fmt::Write as _;
use std::ops::RangeInclusive;

use weft_check::trace::read_trace;

use crate::app::{write_stdout, ShowArgs};
use crate::errors::ExpectedError;
use crate::exit_code::WeftExitCode;
use crate::output::{pad, terminal_width, truncate, ColorChoice, Palette};
use crate::table::shown_path;
use crate::timeline::Timeline;

/// Steps shown when `--steps` is not given: the last ones.
const DEFAULT_STEPS: usize = 200;
/// Lines a cell may wrap to before it is cut.
const MAX_CELL_LINES: usize = 3;

/// Runs `cargo weft show`.
///
/// # Errors
///
/// An unreadable or corrupt trace, or a bad `--steps`.
pub(crate) fn run(args: &ShowArgs, color: ColorChoice) -> Result<i32, ExpectedError> {
    let trace = read_trace(&args.trace)?;
    let mut timeline = Timeline::new(&trace);
    if args.as_found {
        if timeline.as_found.is_none() {
            eprintln!(
                "(hint: the trace keeps no other schedule: the first failing one was the minimal one, or the trace is older)"
            );
        }
        timeline = timeline.into_as_found();
    }
    let range = match &args.steps {
        Some(text) => Some(parse_range(text, timeline.steps.len())?),
        None => None,
    };
    let palette = Palette::for_stdout(color);
    write_stdout(&render(
        &timeline,
        range,
        palette,
        terminal_width().max(120),
    ))?;
    Ok(WeftExitCode::OK)
}

/// Parses `A..B`, `A..=B`, `A..`, `..B` or `N` into the steps it selects
/// (both ends included), checked against the trace's `steps`.
///
/// # Errors
///
/// [`ExpectedError::BadStepRange`] for text that is not a range,
/// [`ExpectedError::EmptyStepRange`] for one that selects no step.
pub(crate) fn parse_range(
    text: &str,
    steps: usize,
) -> Result<RangeInclusive<usize>, ExpectedError> {
    let bad = || ExpectedError::BadStepRange {
        text: text.to_string(),
    };
    let number = |s: &str| -> Result<Option<usize>, ExpectedError> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(None);
        }
        match s.parse::<usize>() {
            Ok(n) if n >= 1 => Ok(Some(n)),
            _ => Err(bad()),
        }
    };
    let (start, end) = match text.split_once("..") {
        Some((a, b)) => (number(a)?, number(b.strip_prefix('=').unwrap_or(b))?),
        None => {
            let n = number(text)?.ok_or_else(bad)?;
            (Some(n), Some(n))
        }
    };
    let start = start.unwrap_or(1);
    if end.is_some_and(|e| e < start) {
        return Err(bad());
    }
    if start > steps {
        return Err(ExpectedError::EmptyStepRange {
            text: text.to_string(),
            steps,
        });
    }
    let end = end.unwrap_or(steps).min(steps);
    Ok(start..=end)
}

/// Draws the timeline as text, `width` columns wide at most (roughly).
pub(crate) fn render(
    t: &Timeline,
    range: Option<RangeInclusive<usize>>,
    palette: Palette,
    width: usize,
) -> String {
    let mut out = String::new();
    if let Some(path) = &t.trace_path {
        let _ = writeln!(out, "{} {}", palette.bold("trace"), shown_path(path));
    }
    let mut about = format!("model `{}`", t.model);
    if let Some(test) = &t.test {
        let _ = write!(about, ", test `{test}`");
    }
    let _ = write!(about, ", on {}: {}", t.backend, t.found_in);
    let _ = writeln!(out, "{about}");
    if let Some(minimized) = &t.minimized {
        let _ = writeln!(out, "minimal schedule: {minimized}");
    }
    crate::flip_view::write_view_lines(&mut out, t, palette);
    let _ = writeln!(
        out,
        "{} {}",
        palette.error(&format!("{}:", t.headline)),
        first_line(&t.message)
    );
    if t.kind == weft_check::FailureKind::NotLinearizable.as_str()
        || t.kind == weft_check::FailureKind::PotentialDeadlock.as_str()
    {
        // The rest of the message: the operations per thread with their
        // results, and the longest prefix that can be linearized; or the
        // lock-order cycle's paths and its graph, drawn.
        for line in t.message.trim().lines().skip(1) {
            let _ = writeln!(out, "{line}");
        }
    }
    if let Some(at) = &t.failed_at {
        let _ = writeln!(out, "  at {at}");
    }
    if let Some(weak) = &t.weak_memory {
        let _ = write!(out, "\n{}", weak.text);
    }
    let _ = writeln!(out);

    // Which steps to show.
    let total = t.steps.len();
    let range = range.unwrap_or_else(|| total.saturating_sub(DEFAULT_STEPS) + 1..=total);
    let shown: Vec<_> = t.steps.iter().filter(|s| range.contains(&s.step)).collect();

    // Column widths: the step number, one per thread, the location.
    let lanes = t.lanes.len().max(1);
    let loc_width = shown
        .iter()
        .map(|s| s.short_location.chars().count())
        .max()
        .unwrap_or(2)
        .clamp(2, 40);
    let budget = width.saturating_sub(8 + loc_width) / lanes;
    let lane_width = budget.saturating_sub(2).clamp(12, 30);
    let widths: Vec<usize> = t
        .lanes
        .iter()
        .map(|lane| {
            let content = shown
                .iter()
                .filter(|s| s.thread == lane.id)
                .map(|s| s.text.chars().count())
                .chain([lane.name.chars().count() + 4, lane.end.chars().count()])
                .max()
                .unwrap_or(8);
            content.clamp(8, lane_width)
        })
        .collect();

    let mut header = format!("{:>6}  ", "step");
    for (lane, w) in t.lanes.iter().zip(&widths) {
        header.push_str(&pad(
            &truncate(&format!("[{}] {}", lane.id, lane.name), *w),
            *w,
        ));
        header.push_str("  ");
    }
    header.push_str("at");
    let _ = writeln!(out, "{}", palette.bold(&header));
    let mut rule = format!("{:>6}  ", "─".repeat(4));
    for w in &widths {
        rule.push_str(&"─".repeat(*w));
        rule.push_str("  ");
    }
    rule.push_str(&"─".repeat(loc_width));
    let _ = writeln!(out, "{}", palette.dim(&rule));

    if let Some(first) = shown.first() {
        if first.step > 1 {
            let _ = writeln!(
                out,
                "{}",
                palette.dim(&format!(
                    "{:>6}  ... steps 1..{} not shown (--steps A..B chooses)",
                    "",
                    first.step - 1
                ))
            );
        }
    }
    for s in &shown {
        let failing = t.failing_steps.contains(&s.step);
        let related = t.related_steps.contains(&s.step);
        let marker = if failing {
            '>'
        } else if related {
            '*'
        } else {
            ' '
        };
        let flip_mark = match &t.flip {
            Some(flip) if flip.steps().contains(&s.step) => "~",
            Some(_) => " ",
            None => "",
        };
        let number = format!("{marker}{:>5}{flip_mark}", s.step);
        let lines = wrap(&s.text, widths[s.thread.min(widths.len() - 1)]);
        for (i, text) in lines.iter().enumerate() {
            let mut row = String::new();
            for (lane, w) in t.lanes.iter().zip(&widths) {
                if lane.id == s.thread {
                    row.push_str(&pad(text, *w));
                } else {
                    row.push_str(&" ".repeat(*w));
                }
                row.push_str("  ");
            }
            let location = if i == 0 {
                s.short_location.as_str()
            } else {
                ""
            };
            let num = if i == 0 { number.as_str() } else { "" };
            let line = format!("{num:>6}  {row}{location}");
            let styled = if failing {
                palette.highlight(&line)
            } else if related {
                palette.related(&line)
            } else {
                line.clone()
            };
            let _ = writeln!(out, "{}", styled.trim_end());
        }
    }
    if let Some(last) = shown.last() {
        if last.step < total {
            let _ = writeln!(
                out,
                "{}",
                palette.dim(&format!(
                    "{:>6}  ... steps {}..{total} not shown",
                    "",
                    last.step + 1
                ))
            );
        }
    }
    if shown.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            palette.dim(&format!("{:>6}  (no steps recorded)", ""))
        );
    }

    // How each thread ended.
    let _ = writeln!(out, "{}", palette.dim(&rule));
    let ends: Vec<Vec<String>> = t
        .lanes
        .iter()
        .zip(&widths)
        .map(|(lane, w)| {
            let mut mark = if lane.end_is_failure { "✖ " } else { "" }.to_string();
            if t.flip.as_ref().and_then(|f| f.blocked_thread) == Some(lane.id) {
                mark.insert_str(0, "~ ");
            }
            wrap(&format!("{mark}{}", lane.end), *w)
        })
        .collect();
    let height = ends.iter().map(Vec::len).max().unwrap_or(1);
    for i in 0..height {
        let mut row = format!("{:>6}  ", if i == 0 { "end" } else { "" });
        for ((lane, w), lines) in t.lanes.iter().zip(&widths).zip(&ends) {
            let text = lines.get(i).cloned().unwrap_or_default();
            let cell = pad(&text, *w);
            row.push_str(&if lane.end_is_failure && !text.is_empty() {
                palette.error(&cell)
            } else {
                palette.dim(&cell)
            });
            row.push_str("  ");
        }
        let _ = writeln!(out, "{}", row.trim_end());
    }

    // The explanation.
    if !t.cycle.is_empty() {
        let _ = writeln!(out, "\n{}", palette.bold("The wait-for cycle:"));
        for e in &t.cycle {
            let holds = match &e.holds {
                Some((name, at)) => format!("holds `{name}` (taken at {at}) and "),
                None => String::new(),
            };
            let _ = writeln!(
                out,
                "  `{}` {holds}waits for `{}` (at {}), held by `{}`",
                e.thread_name, e.waits_for, e.waits_at, e.held_by_name
            );
        }
        let names: Vec<&str> = t.cycle.iter().map(|e| e.thread_name.as_str()).collect();
        let _ = writeln!(
            out,
            "  {} → {}",
            names.join(" → "),
            names.first().copied().unwrap_or_default()
        );
    } else if t.kind == "deadlock" {
        let _ = writeln!(
            out,
            "\n{}",
            palette.bold("No thread can run, and no lock cycle explains it:")
        );
        for lane in t.lanes.iter().filter(|l| l.end_is_failure) {
            let at = lane
                .end_at
                .as_deref()
                .map(|a| format!(" (at {a})"))
                .unwrap_or_default();
            let _ = writeln!(out, "  `{}` {}{at}", lane.name, lane.end);
        }
    }
    if let Some(race) = &t.race {
        let _ = writeln!(
            out,
            "\n{}",
            palette.bold(&format!("The racing pair, on `{}`:", race.object))
        );
        for a in [&race.first, &race.second] {
            let step = a.step.map(|s| format!("step {s}: ")).unwrap_or_default();
            let _ = writeln!(out, "  {step}{} by `{}` at {}", a.kind, a.thread_name, a.at);
        }
        let _ = writeln!(out, "  and no happens-before orders them");
    }
    // The markers the view uses, only those (a deadlock has no failing
    // step: no `>` to explain).
    let mut legend = Vec::new();
    if !t.failing_steps.is_empty() {
        legend.push("> the failing step");
    }
    if !t.related_steps.is_empty() {
        legend.push("* a step that explains it (the other access, a lock of the cycle taken)");
    }
    if !legend.is_empty() {
        let _ = writeln!(out, "\n{}", palette.dim(&legend.join("   ")));
    }
    if t.flip.is_some() {
        let _ = writeln!(
            out,
            "{}",
            palette.dim("~ a step of the flip point: swapped, the model passes")
        );
    }
    if let Some(path) = &t.trace_path {
        let shown = shown_path(path);
        let _ = writeln!(out, "\nreplay: cargo weft replay {shown}");
        let _ = writeln!(out, "page:   cargo weft html {shown}");
    }
    out
}

fn first_line(text: &str) -> &str {
    text.trim().lines().next().unwrap_or_default()
}

/// Wraps `text` at spaces to lines of at most `width` columns, at most
/// [`MAX_CELL_LINES`] of them (the last cut with `…`).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split(' ') {
        let needed = if current.is_empty() {
            word.chars().count()
        } else {
            current.chars().count() + 1 + word.chars().count()
        };
        if needed <= width || current.is_empty() {
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(word);
        } else {
            lines.push(std::mem::take(&mut current));
            current.push_str(word);
        }
    }
    lines.push(current);
    let mut lines: Vec<String> = lines.into_iter().map(|l| truncate(&l, width)).collect();
    if lines.len() > MAX_CELL_LINES {
        let rest = lines[MAX_CELL_LINES - 1..].join(" ");
        lines.truncate(MAX_CELL_LINES - 1);
        lines.push(truncate(&rest, width));
        if !lines.last().is_some_and(|l| l.ends_with('…')) {
            let last = lines.pop().unwrap_or_default();
            lines.push(truncate(&format!("{last} …"), width));
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_parse_with_both_ends_included() {
        assert_eq!(parse_range("2..5", 10).unwrap(), 2..=5);
        assert_eq!(parse_range("2..=5", 10).unwrap(), 2..=5);
        assert_eq!(parse_range("3..", 10).unwrap(), 3..=10);
        assert_eq!(parse_range("..4", 10).unwrap(), 1..=4);
        assert_eq!(parse_range("7", 10).unwrap(), 7..=7);
        assert_eq!(parse_range("5..50", 10).unwrap(), 5..=10);
    }

    #[test]
    fn bad_ranges_are_refused() {
        for text in ["", "a..b", "0..3", "5..2", "1...3", "-1..2"] {
            assert!(
                matches!(
                    parse_range(text, 10),
                    Err(ExpectedError::BadStepRange { .. })
                ),
                "{text}"
            );
        }
        assert!(matches!(
            parse_range("11..20", 10),
            Err(ExpectedError::EmptyStepRange { steps: 10, .. })
        ));
    }

    #[test]
    fn wrapping_keeps_words_and_cuts_after_three_lines() {
        assert_eq!(
            wrap("waits to lock `lock_b`", 14),
            ["waits to lock", "`lock_b`"]
        );
        assert_eq!(wrap("short", 10), ["short"]);
        let many = wrap("a b c d e f g h i j k l", 3);
        assert_eq!(many.len(), 3);
        assert!(many[2].ends_with('…'));
    }
}
