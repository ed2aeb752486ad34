//! A mutex-protected counter: verified on every backend.

use weft::sync::{Arc, Mutex};
use weft::thread;

fn counter_body() {
    let n = Arc::new(Mutex::new(0).named("counter"));
    let hs: Vec<_> = (0..2)
        .map(|i| {
            let n = n.clone();
            thread::Builder::new()
                .name(format!("worker-{i}"))
                .spawn(move || *n.lock().unwrap() += 1)
                .unwrap()
        })
        .collect();
    for h in hs {
        h.join().unwrap();
    }
    assert_eq!(*n.lock().unwrap(), 2);
}

#[test]
fn mutex_counter_is_verified() {
    weft::model(counter_body);
}

#[test]
fn mutex_counter_stats_say_what_was_explored() {
    let stats = weft::Model::new()
        .name("mutex_counter")
        .explore(counter_body)
        .expect("the counter is correct");
    assert!(stats.executions() >= 1);
    // loom's search runs to its end but its DPOR may skip interleavings;
    // stress runs sample. On shuttle the default search is weft's DPOR,
    // which finishes here: a proof.
    match stats.backend() {
        weft::Backend::Loom => {
            assert!(!stats.is_exhaustive(), "{stats}");
            assert!(stats.is_search_complete(), "{stats}");
            assert_eq!(stats.bounds(), [weft::Bound::LoomDpor], "{stats}");
        }
        weft::Backend::Shuttle => {
            assert_eq!(stats.scheduler(), weft::Scheduler::Dpor, "{stats}");
            assert!(stats.is_exhaustive(), "{stats}");
            // DPOR's tree is split among the workers (the machine's cores
            // by default), and the verdict says how many.
            let workers = match stats.workers() {
                1 => String::new(),
                n => format!(", {n} workers"),
            };
            assert!(
                stats
                    .to_string()
                    .contains(&format!("(dpor scheduler{workers})")),
                "{stats}"
            );
        }
        _ => {
            assert!(!stats.is_exhaustive(), "{stats}");
            assert_eq!(stats.bounds(), [weft::Bound::StressRun], "{stats}");
        }
    }
    assert!(stats.to_string().contains("mutex_counter"));
}
