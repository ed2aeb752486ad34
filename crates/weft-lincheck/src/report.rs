//! The explanation of a non-linearizable history: the scenario as a table
//! with a column per thread, each operation with its result, the
//! statement that no sequential order gives these results, and the
//! longest prefix that could be linearized.

use std::fmt::{Debug, Write as _};

use crate::check::Violation;
use crate::history::{History, Operation, Part};

/// How the scenario was shrunk, for the report's first line.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Shrunk {
    pub(crate) threads: usize,
    pub(crate) ops: usize,
}

fn cell<Op: Debug, Ret: Debug>(o: &Operation<Op, Ret>) -> String {
    format!("{:?}: {:?}", o.op, o.result)
}

fn located<Op: Debug, Ret: Debug>(o: &Operation<Op, Ret>) -> String {
    format!("{}: {}", o.part, cell(o))
}

/// The message of a [`FailureKind::NotLinearizable`](weft_check::FailureKind)
/// failure.
pub(crate) fn explain<Op: Debug, Ret: Debug>(
    history: &History<Op, Ret>,
    violation: &Violation,
    shrunk_from: Option<Shrunk>,
) -> String {
    let ops = history.ops();
    let threads = ops
        .iter()
        .filter_map(|o| match o.part {
            Part::Thread(i) => Some(i + 1),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    let shrunk = shrunk_from
        .map(|s| {
            format!(
                "; shrunk from {} threads and {} operations",
                s.threads, s.ops
            )
        })
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "No sequential order of these operations gives these results ({threads} threads, {} operations{shrunk}):",
        ops.len()
    );
    out.push('\n');
    let init: Vec<_> = ops.iter().filter(|o| o.part == Part::Init).collect();
    let post: Vec<_> = ops.iter().filter(|o| o.part == Part::Post).collect();
    let columns: Vec<Vec<String>> = (0..threads)
        .map(|i| {
            ops.iter()
                .filter(|o| o.part == Part::Thread(i))
                .map(cell)
                .collect()
        })
        .collect();
    let widths: Vec<usize> = (0..threads)
        .map(|i| {
            columns[i]
                .iter()
                .map(|c| c.chars().count())
                .chain([Part::Thread(i).to_string().len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    for o in &init {
        let _ = writeln!(out, "  init: {}", cell(o));
    }
    let row = |cells: Vec<String>| -> String {
        let mut line = String::from("  |");
        for (c, w) in cells.iter().zip(&widths) {
            let _ = write!(line, " {c:<w$} |");
        }
        line
    };
    let _ = writeln!(
        out,
        "{}",
        row((0..threads).map(|i| Part::Thread(i).to_string()).collect())
    );
    let _ = writeln!(
        out,
        "{}",
        row(widths.iter().map(|w| "-".repeat(*w)).collect())
    );
    let rows = columns.iter().map(Vec::len).max().unwrap_or(0);
    for r in 0..rows {
        let _ = writeln!(
            out,
            "{}",
            row(columns
                .iter()
                .map(|c| c.get(r).cloned().unwrap_or_default())
                .collect())
        );
    }
    for o in &post {
        let _ = writeln!(out, "  post: {}", cell(o));
    }
    out.push('\n');
    if let Some(key) = violation.key {
        let _ = writeln!(
            out,
            "Checked one key at a time (Spec::partition): the {} operations on key {key} are the ones no order explains.",
            violation.ops.len()
        );
    }
    let _ = writeln!(
        out,
        "The longest prefix that can be linearized ({} of {} operations):",
        violation.longest_prefix.len(),
        violation.ops.len()
    );
    if violation.longest_prefix.is_empty() {
        let _ = writeln!(out, "  (none: no operation can come first)");
    }
    for (n, &i) in violation.longest_prefix.iter().enumerate() {
        let _ = writeln!(out, "  {}. {}", n + 1, located(&ops[i]));
    }
    let left: Vec<String> = violation
        .ops
        .iter()
        .filter(|i| !violation.longest_prefix.contains(i))
        .map(|&i| located(&ops[i]))
        .collect();
    let _ = writeln!(
        out,
        "and no operation left can come next with its result: {}",
        left.join(", ")
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_has_a_column_per_thread_and_the_longest_prefix() {
        let op = |part, op: &'static str, result: i32, call, ret| Operation {
            part,
            op,
            result,
            call,
            ret,
        };
        let h = History::new(vec![
            op(Part::Init, "Push(1)", 0, 0, 1),
            op(Part::Thread(0), "Pop", 1, 2, 5),
            op(Part::Thread(1), "Pop", 1, 3, 4),
            op(Part::Post, "Len", 0, 6, 7),
        ])
        .unwrap();
        let v = Violation {
            ops: vec![0, 1, 2, 3],
            key: None,
            longest_prefix: vec![0, 2],
        };
        let text = explain(&h, &v, Some(Shrunk { threads: 3, ops: 9 }));
        let expected = "\
No sequential order of these operations gives these results (2 threads, 4 operations; shrunk from 3 threads and 9 operations):

  init: \"Push(1)\": 0
  | thread-0 | thread-1 |
  | -------- | -------- |
  | \"Pop\": 1 | \"Pop\": 1 |
  post: \"Len\": 0

The longest prefix that can be linearized (2 of 4 operations):
  1. init: \"Push(1)\": 0
  2. thread-1: \"Pop\": 1
and no operation left can come next with its result: thread-0: \"Pop\": 1, post: \"Len\": 0
";
        assert_eq!(text, expected);
    }
}
