//! A progress line on stderr while a model explores: what `cargo weft
//! check` reads to say how far a test that it killed at its timeout got.

use std::io::Write as _;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The bound in force, as a progress line names it: `budget 10s`
/// (`WEFT_BUDGET`), `time budget 10s`, `up to 1000 executions`.
pub(crate) fn limit(
    config: &weft_sync::explore::ExploreConfig,
    budget: Option<Duration>,
) -> Option<String> {
    let d = |d: Duration| format!("{d:?}");
    if let Some(b) = budget {
        Some(format!("budget {}", d(b)))
    } else if let Some(b) = config.time_budget {
        Some(format!("time budget {}", d(b)))
    } else {
        config.iterations.map(|n| format!("up to {n} executions"))
    }
}

/// How often the line is printed unless `WEFT_PROGRESS` says otherwise:
/// models that finish within it (most do) print nothing.
pub(crate) const DEFAULT_INTERVAL: Duration = Duration::from_secs(5);

/// Wraps `body` so that, every `interval` of exploration, one line goes to
/// stderr: `weft: model `<name>` progress: <N> executions, <R>/s`, then
/// the bound in force (`limit`: `time budget 10s`, ...), then, when the
/// random schedules have estimated the whole tree of interleavings, the
/// share explored: `~3% of the estimated tree`.
///
/// It is written to the process's stderr directly, past libtest's output
/// capture, so that it is seen while the test runs (and kept by whoever
/// reads the test's stderr if the test never ends). `None` leaves `body`
/// as it is. Each call of `body` is one execution; what it costs is one
/// relaxed increment and one clock read.
pub(crate) fn with_progress(
    name: &str,
    interval: Option<Duration>,
    limit: Option<String>,
    body: Arc<dyn Fn() + Send + Sync>,
) -> Arc<dyn Fn() + Send + Sync> {
    let Some(interval) = interval else {
        return body;
    };
    let name = name.to_string();
    let start = Instant::now();
    let step = u64::try_from(interval.as_millis())
        .unwrap_or(u64::MAX)
        .max(1);
    let executions = AtomicUsize::new(0);
    let next_ms = AtomicU64::new(step);
    Arc::new(move || {
        let n = executions.fetch_add(1, Ordering::Relaxed);
        let now = u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX);
        let due = next_ms.load(Ordering::Relaxed);
        if now >= due
            && next_ms
                .compare_exchange(due, now + step, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            let rate = n as f64 / start.elapsed().as_secs_f64().max(1e-3);
            let mut line = format!("weft: model `{name}` progress: {n} executions, {rate:.0}/s");
            if let Some(limit) = &limit {
                line.push_str(", ");
                line.push_str(limit);
            }
            if let Some(tree) = weft_sync::explore::estimated_tree_so_far().filter(|t| *t >= 1.0) {
                let share = n as f64 / tree * 100.0;
                if share >= 0.01 {
                    line.push_str(&format!(
                        ", ~{:.2}% of the estimated tree",
                        share.min(100.0)
                    ));
                } else {
                    line.push_str(", less than 0.01% of the estimated tree");
                }
            }
            // Nothing useful can be done when stderr is closed.
            let _ = writeln!(std::io::stderr().lock(), "{line}");
        }
        body();
    })
}
