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
    match stats.backend() {
        // loom's search with no bound is exhaustive.
        weft::Backend::Loom => assert!(stats.is_exhaustive(), "{stats}"),
        // Random scheduling and stress runs never are.
        _ => assert!(!stats.is_exhaustive(), "{stats}"),
    }
    assert!(stats.to_string().contains("mutex_counter"));
}
