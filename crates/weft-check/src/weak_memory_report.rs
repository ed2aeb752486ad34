//! The weak-memory section of a failure report: the stale read, and the
//! ordering repair hint.

use std::fmt::Write as _;

use weft_sync::record::Event;

use crate::failure::Failure;

impl Failure {
    /// For a failure with a stale read ([`Failure::stale_read`]): the
    /// report's weak-memory section, the load, the store it read from and
    /// the newer store it did not see (thread, operation with its
    /// ordering, line, step), then the repair hint. `cargo weft show` and
    /// the failure report print it.
    pub fn weak_memory_explanation(&self) -> Option<String> {
        let stale = self.stale_read.as_ref()?;
        let step = |n: usize| self.log.steps.iter().find(|e| e.step == n);
        let (load, newer) = (step(stale.load)?, step(stale.newer)?);
        let object = self.log.object_name(stale.object);
        let line = |e: &Event| {
            format!(
                "`{}` {} at {} (step {})",
                self.log.thread_name(e.thread),
                e.op_text(),
                e.location,
                e.step
            )
        };
        let mut out = String::new();
        let _ = writeln!(
            out,
            "A load read a stale value of `{object}` (weak memory):"
        );
        let _ = writeln!(out, "  the load     {}", line(load));
        match stale.read_from.and_then(step) {
            Some(w) => {
                let _ = writeln!(
                    out,
                    "  read from    {}{}",
                    line(w),
                    if stale.ambiguous {
                        " (the latest of several stores of that value)"
                    } else {
                        ""
                    }
                );
            }
            None => {
                let created = self
                    .log
                    .objects
                    .get(stale.object)
                    .map(|o| format!(" (created at {})", o.created_at))
                    .unwrap_or_default();
                let _ = writeln!(out, "  read from    the initial value{created}");
            }
        }
        let _ = writeln!(
            out,
            "  newer store  {}: newer in modification order, not seen by the load",
            line(newer)
        );
        let seq_cst = |e: &Event| {
            e.atomic
                .as_ref()
                .is_some_and(|a| a.order == std::sync::atomic::Ordering::SeqCst)
        };
        if seq_cst(load) && seq_cst(newer) {
            let _ = writeln!(
                out,
                "  (loom treats SeqCst loads and stores as AcqRel, loom issue #180: the C11 model may forbid this outcome; loom accepts fence(SeqCst))"
            );
        }
        if let Some(repair) = &self.repair {
            let cost = format!(
                "{} re-run{} of the model, {:.0?}{}",
                repair.reruns,
                if repair.reruns == 1 { "" } else { "s" },
                repair.elapsed,
                if repair.cut_short {
                    "; cut short by its budget (WEFT_REPAIR=<re-runs> allows more)"
                } else {
                    ""
                }
            );
            if repair.changes.is_empty() {
                let _ = writeln!(
                    out,
                    "\nNo ordering change at the atomic operations involved made the model pass ({cost})."
                );
            } else {
                let _ = writeln!(out, "\nRepair hint (the model passes with it; {cost}):");
                let _ = writeln!(out, "  {repair}");
            }
        }
        Some(out)
    }
}
