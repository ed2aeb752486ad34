//! The flip point and the as-found steps in a trace file: written, read
//! back and rebuilt into the same failure; older traces, without them,
//! still load.

use weft_check::trace::Trace;

/// A trace `cargo weft` reads in its tests, written by
/// `models/flip_point.rs` with the random scheduler (seed 2): its minimal
/// schedule has a flip point, and its first failing one other steps.
const WITH_FLIP: &str = include_str!("../../weft-cli/tests/fixtures/flip_lost_update.json");
/// A trace written before the flip point existed.
const OLDER: &str = include_str!("../../weft-cli/tests/fixtures/abba.json");

#[test]
fn the_flip_point_and_the_as_found_steps_survive_the_file() {
    let trace = Trace::from_json(WITH_FLIP).expect("a valid trace");
    let minimized = trace.minimized.as_ref().expect("shrunk");
    let flip = minimized.flip_point.as_ref().expect("a flip point");
    assert_eq!((flip.first_step, flip.second_step), (4, 8));
    assert_eq!(minimized.as_found_steps.len(), 13);
    assert_ne!(minimized.as_found_steps, trace.steps);
    // Text, and the failure rebuilt from it, give the same trace back.
    assert_eq!(Trace::from_json(&trace.to_json()).unwrap(), trace);
    let failure = trace.to_failure();
    assert_eq!(
        failure.flip_sentence().as_deref(),
        Some("had step 4 (`worker-1`: load `hits`) run after step 8 (`worker-0`: store `hits`), the model passes")
    );
    assert_eq!(failure.steps_as_found().len(), 13);
    assert!(
        failure.report().contains("\nFlip point: had step 4 "),
        "{failure}"
    );
    let mut again = Trace::from_failure(&failure);
    again.weft_version = trace.weft_version.clone();
    assert_eq!(again.minimized, trace.minimized);
}

#[test]
fn an_older_trace_loads_without_them() {
    let trace = Trace::from_json(OLDER).expect("an older trace still loads");
    let failure = trace.to_failure();
    assert!(failure.flip_point().is_none());
    assert_eq!(failure.steps_as_found(), failure.steps());
    assert!(!failure.report().contains("Flip point"));
    // Written again, it gains no field.
    assert!(!trace.to_json().contains("flip_point"));
    assert!(!trace.to_json().contains("as_found_steps"));
}
