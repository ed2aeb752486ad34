//! Exact replay: a failure's trace file reruns exactly the failing schedule
//! (same steps, step for step), and a schedule that no longer fits the
//! program is refused with where it diverged.

#![cfg(any(feature = "loom", feature = "shuttle"))]

use weft::sync::atomic::{AtomicUsize, Ordering};
use weft::sync::{Arc, Mutex};
use weft::thread;

fn lost_update(extra_lock: bool) {
    let n = Arc::new(AtomicUsize::new(0).named("hits"));
    let gate = Arc::new(Mutex::new(()).named("gate"));
    let hs: Vec<_> = (0..2)
        .map(|i| {
            let (n, gate) = (n.clone(), gate.clone());
            thread::Builder::new()
                .name(format!("worker-{i}"))
                .spawn(move || {
                    if extra_lock {
                        drop(gate.lock().unwrap());
                    }
                    let v = n.load(Ordering::SeqCst);
                    n.store(v + 1, Ordering::SeqCst);
                })
                .unwrap()
        })
        .collect();
    for h in hs {
        h.join().unwrap();
    }
    assert_eq!(n.load(Ordering::SeqCst), 2, "an increment was lost");
}

fn step_keys(f: &weft::Failure) -> Vec<String> {
    f.steps()
        .iter()
        .map(|e| {
            format!(
                "{} {} {:?} {} {:?}",
                e.step, e.thread, e.op, e.location, e.object
            )
        })
        .collect()
}

#[test]
fn a_replay_reproduces_the_failure_step_for_step() {
    let found = weft::Model::new()
        .name("replay_round_trip")
        .explore(|| lost_update(false))
        .unwrap_err();
    let trace = found
        .trace_path()
        .expect("a trace file was written")
        .to_path_buf();
    assert!(
        trace.ends_with("replay_round_trip.json"),
        "{}",
        trace.display()
    );
    let report = found.to_string();
    assert!(report.contains("WEFT_REPLAY="), "{report}");

    for _ in 0..3 {
        let again = weft::Model::new()
            .name("replay_round_trip")
            .replay(&trace)
            .explore(|| lost_update(false))
            .unwrap_err();
        assert_eq!(again.kind(), found.kind());
        assert_eq!(again.message(), found.message());
        assert_eq!(again.thread_name(), found.thread_name());
        assert_eq!(step_keys(&again), step_keys(&found));
    }
}

#[test]
fn a_replay_of_a_changed_program_says_where_it_diverged() {
    let found = weft::Model::new()
        .name("replay_diverges")
        .explore(|| lost_update(false))
        .unwrap_err();
    let trace = found.trace_path().expect("a trace file").to_path_buf();
    let diverged = weft::Model::new()
        .name("replay_diverges")
        .replay(&trace)
        .explore(|| lost_update(true))
        .unwrap_err();
    assert_eq!(
        diverged.kind(),
        weft::FailureKind::ReplayDiverged,
        "{diverged}"
    );
    assert!(
        diverged.message().contains("the schedule diverged at step"),
        "{diverged}"
    );
}

#[test]
#[should_panic(expected = "replay_other_model")]
fn a_trace_of_another_model_is_refused() {
    let found = weft::Model::new()
        .name("replay_other_model")
        .explore(|| lost_update(false))
        .unwrap_err();
    let trace = found.trace_path().expect("a trace file").to_path_buf();
    let _ = weft::Model::new()
        .name("not_the_same_model")
        .replay(&trace)
        .explore(|| lost_update(false));
}
