//! A progress line on stderr while a model explores: what `cargo weft
//! check` reads to say how far a test that it killed at its timeout got.

use std::io::Write as _;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How often the line is printed unless `WEFT_PROGRESS` says otherwise:
/// models that finish within it (most do) print nothing.
pub(crate) const DEFAULT_INTERVAL: Duration = Duration::from_secs(5);

/// Wraps `body` so that, every `interval` of exploration, one line
/// `weft: model `<name>` progress: <N> executions` goes to stderr.
///
/// It is written to the process's stderr directly, past libtest's output
/// capture, so that it is seen while the test runs (and kept by whoever
/// reads the test's stderr if the test never ends). `None` leaves `body`
/// as it is. Each call of `body` is one execution; what it costs is one
/// relaxed increment and one clock read.
pub(crate) fn with_progress(
    name: &str,
    interval: Option<Duration>,
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
            // Nothing useful can be done when stderr is closed.
            let _ = writeln!(
                std::io::stderr().lock(),
                "weft: model `{name}` progress: {n} executions"
            );
        }
        body();
    })
}
