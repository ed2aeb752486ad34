//! What to do when a DPOR search ran long in a build of weft without
//! optimizations (a plain `cargo test`): there the search runs several
//! times slower than with `--release`. The verdict is the same (the
//! default search's DPOR is bounded by executions, not time), but the
//! reader waiting for it should learn why it is slow and what speeds it
//! up.
//!
//! ```text
//! weft: model `eight_threads` verified on shuttle (dpor scheduler, 2 workers): 40,320 executions in 11.2s, exhaustive; ...
//! weft: hint: weft is built without optimizations here, ...
//! ```

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use weft_sync::explore::{Bound, SchedulerKind};

use crate::stats::Stats;

/// Whether weft was built without optimizations (opt-level 0; see
/// `build.rs`).
const UNOPTIMIZED: bool = cfg!(weft_unoptimized);

/// Shown once per process: every model of a test binary shares the cause.
static SHOWN: AtomicBool = AtomicBool::new(false);

/// How long a DPOR search may run before the hint is worth showing.
const SLOW: Duration = Duration::from_secs(2);

/// The hint for an exploration that ran `dpor` (weft's DPOR search, alone
/// or as the default search's first part) for `elapsed`, in a build that
/// is `unoptimized` or not: only for a DPOR search slower than [`SLOW`]
/// in an unoptimized build.
fn hint(dpor: bool, elapsed: Duration, unoptimized: bool) -> Option<&'static str> {
    (unoptimized && dpor && elapsed >= SLOW).then_some(
        "weft: hint: weft is built without optimizations here, where its DPOR search runs several times slower than with --release (the verdict is the same, it only takes longer); to keep your own code in the debug profile and optimize weft, add `[profile.dev.package.\"*\"] opt-level = 3` to your Cargo.toml (README, \"Run it\")",
    )
}

/// Prints the hint after a verdict line, the first time it applies in
/// this process.
pub(crate) fn show_once(stats: &Stats) {
    let dpor = stats.scheduler() == SchedulerKind::Dpor
        || stats
            .bounds()
            .iter()
            .any(|b| matches!(b, Bound::DporIncomplete(_)));
    if let Some(hint) = hint(dpor, stats.elapsed(), UNOPTIMIZED) {
        if !SHOWN.swap(true, Ordering::Relaxed) {
            println!("{hint}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slow_dpor_search_in_an_unoptimized_build_gets_the_hint() {
        let hint = hint(true, Duration::from_secs(11), true).expect("the hint");
        assert!(hint.contains("built without optimizations"), "{hint}");
        assert!(
            hint.contains("[profile.dev.package.\"*\"] opt-level = 3"),
            "{hint}"
        );
    }

    #[test]
    fn no_hint_for_a_quick_search_another_scheduler_or_an_optimized_build() {
        let long = Duration::from_secs(11);
        assert_eq!(hint(true, Duration::from_millis(300), true), None);
        assert_eq!(hint(false, long, true), None, "no DPOR search");
        assert_eq!(hint(true, long, false), None, "an optimized build");
    }

    #[test]
    fn this_build_knows_its_opt_level() {
        // weft's own profiles tie the two together: the dev profile (a
        // plain `cargo test`) has debug assertions and opt-level 0,
        // `--release` neither. A build script that set nothing, or always
        // the same, fails one of the two.
        assert_eq!(UNOPTIMIZED, cfg!(debug_assertions));
    }
}
