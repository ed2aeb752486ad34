//! The coverage figure: conflicting pairs of operations seen in both
//! orders, out of those seen in either, in `Stats` and the stats line.
#![cfg(any(feature = "loom", feature = "shuttle"))]

use weft_check::{Model, Scheduler};
use weft_sync::sync::atomic::{AtomicUsize, Ordering};
use weft_sync::sync::{Arc, Mutex};
use weft_sync::thread;

fn counter() {
    let n = Arc::new(Mutex::new(0).named("counter"));
    let hs: Vec<_> = (0..2)
        .map(|_| {
            let n = Arc::clone(&n);
            thread::spawn(move || *n.lock().unwrap() += 1)
        })
        .collect();
    for h in hs {
        h.join().unwrap();
    }
    assert_eq!(*n.lock().unwrap(), 2);
}

#[test]
fn a_complete_search_of_the_counter_sees_every_pair_in_both_orders() {
    let stats = Model::new().name("counter").explore(counter).unwrap();
    let c = stats.coverage().expect("a checker records coverage");
    // The two workers' acquisitions of `counter` (one line, two threads);
    // main's lock after the joins is ordered by them and not counted.
    let pairs: Vec<String> = c
        .one_order_only()
        .map(|(a, b)| format!("{a} before {b}"))
        .collect();
    assert!(c.either_order() >= 1, "{c}");
    assert_eq!(c.both_orders(), c.either_order(), "{c}: {pairs:?}");
    assert!(
        stats.to_string().ends_with(&format!(
            ", coverage {0}/{0} conflicting pairs in both orders",
            c.both_orders()
        )),
        "{stats}"
    );
}

fn store_and_load() {
    let n = Arc::new(AtomicUsize::new(0).named("n"));
    let n2 = Arc::clone(&n);
    let t = thread::spawn(move || n2.store(1, Ordering::SeqCst));
    let _ = n.load(Ordering::SeqCst);
    t.join().unwrap();
}

#[test]
#[cfg_attr(
    feature = "loom",
    ignore = "loom runs its whole search: the builder's iterations do not stop it after one execution"
)]
fn one_execution_sees_each_pair_in_one_order_only() {
    let stats = Model::new()
        .name("store_and_load")
        .scheduler(Scheduler::Random)
        .iterations(1)
        .explore(store_and_load)
        .unwrap();
    let c = stats.coverage().expect("a checker records coverage");
    assert_eq!(stats.executions(), 1);
    assert_eq!(c.both_orders(), 0, "{c}");
    let pairs: Vec<String> = c
        .one_order_only()
        .map(|(a, b)| format!("{} before {}", a.op, b.op))
        .collect();
    assert!(
        pairs
            .iter()
            .any(|p| p == "store before load" || p == "load before store"),
        "{pairs:?}"
    );
}

#[test]
fn a_complete_search_sees_the_store_and_the_load_both_ways() {
    let stats = Model::new()
        .name("store_and_load")
        .explore(store_and_load)
        .unwrap();
    let c = stats.coverage().expect("a checker records coverage");
    let store_load = |a: &str, b: &str| {
        c.one_order_only()
            .any(|(x, y)| x.op == a && y.op == b && x.object == "n")
    };
    assert!(
        !store_load("store", "load") && !store_load("load", "store"),
        "{c}"
    );
    assert!(c.both_orders() >= 1, "{c}");
}
