//! What to do when the default search's DPOR did not finish in a build of
//! weft without optimizations (a plain `cargo test`): there the search
//! runs several times slower than with `--release`, so a model the
//! release build verifies may end with random schedules, and the reader
//! of its verdict should learn why and what changes it.
//!
//! ```text
//! weft: model `queue` verified on shuttle (random scheduler, 2 workers): ..., not exhaustive: DPOR explored 6708 executions, not complete; then 5549 random schedules; ...
//! weft: hint: weft is built without optimizations here, ...
//! ```

use std::sync::atomic::{AtomicBool, Ordering};

use weft_sync::explore::Bound;

/// Whether weft was built without optimizations (opt-level 0; see
/// `build.rs`).
const UNOPTIMIZED: bool = cfg!(weft_unoptimized);

/// Shown once per process: every model of a test binary shares the cause.
static SHOWN: AtomicBool = AtomicBool::new(false);

/// The hint for an exploration with these `bounds`, in a build that is
/// `unoptimized` or not: only when a default search's DPOR did not finish
/// ([`Bound::DporIncomplete`]) in an unoptimized build.
fn hint(bounds: &[Bound], unoptimized: bool) -> Option<&'static str> {
    let dpor_unfinished = bounds.iter().any(|b| matches!(b, Bound::DporIncomplete(_)));
    (unoptimized && dpor_unfinished).then_some(
        "weft: hint: weft is built without optimizations here, where its DPOR search runs several times slower than with --release, so a model --release verifies may not finish in the default search's 2 s; to keep your own code in the debug profile and optimize weft, add `[profile.dev.package.\"*\"] opt-level = 3` to your Cargo.toml (README, \"Run it\")",
    )
}

/// Prints the hint after a verdict line, the first time it applies in
/// this process.
pub(crate) fn show_once(bounds: &[Bound]) {
    if let Some(hint) = hint(bounds, UNOPTIMIZED) {
        if !SHOWN.swap(true, Ordering::Relaxed) {
            println!("{hint}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unfinished_dpor_search_in_an_unoptimized_build_gets_the_hint() {
        let bounds = [Bound::DporIncomplete(6708), Bound::TimeBudget];
        let hint = hint(&bounds, true).expect("the hint");
        assert!(hint.contains("built without optimizations"), "{hint}");
        assert!(
            hint.contains("[profile.dev.package.\"*\"] opt-level = 3"),
            "{hint}"
        );
    }

    #[test]
    fn no_hint_for_a_finished_search_or_an_optimized_build() {
        assert_eq!(hint(&[], true), None, "a verified model");
        assert_eq!(hint(&[Bound::TimeBudget], true), None, "no DPOR search");
        assert_eq!(
            hint(&[Bound::DporIncomplete(10)], false),
            None,
            "an optimized build"
        );
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
