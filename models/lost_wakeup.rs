//! A condvar-guarded queue: the correct version is verified; a version
//! whose consumer checks for work outside the lock (so the producer's
//! notification can fall between the check and the wait) is caught as a
//! deadlock, named as a lost wakeup.

use std::collections::VecDeque;

use weft::sync::atomic::{AtomicBool, Ordering};
use weft::sync::{Arc, Condvar, Mutex};
use weft::thread;

struct Queue {
    items: Mutex<VecDeque<u32>>,
    ready: Condvar,
}

fn queue() -> Arc<Queue> {
    Arc::new(Queue {
        items: Mutex::new(VecDeque::new()).named("items"),
        ready: Condvar::new().named("ready"),
    })
}

#[test]
fn condvar_queue_is_verified() {
    weft::model(|| {
        let q = queue();
        let producer = {
            let q = q.clone();
            thread::Builder::new()
                .name("producer")
                .spawn(move || {
                    for i in 0..2 {
                        q.items.lock().unwrap().push_back(i);
                        q.ready.notify_one();
                    }
                })
                .unwrap()
        };
        let mut got = Vec::new();
        let mut items = q.items.lock().unwrap();
        while got.len() < 2 {
            match items.pop_front() {
                Some(i) => got.push(i),
                None => items = q.ready.wait(items).unwrap(),
            }
        }
        drop(items);
        producer.join().unwrap();
        assert_eq!(got, [0, 1]);
    });
}

/// The consumer looks at a "has work" flag without the lock, then waits:
/// the producer can set the flag and notify in between, and the consumer
/// then waits for a notification that has already been sent.
#[cfg_attr(not(any(feature = "loom", feature = "shuttle")), allow(dead_code))]
fn lost_wakeup() {
    let q = queue();
    let has_work = Arc::new(AtomicBool::new(false).named("has_work"));
    let producer = {
        let (q, has_work) = (q.clone(), has_work.clone());
        thread::Builder::new()
            .name("producer")
            .spawn(move || {
                q.items.lock().unwrap().push_back(7);
                has_work.store(true, Ordering::SeqCst);
                q.ready.notify_one();
            })
            .unwrap()
    };
    if !has_work.load(Ordering::SeqCst) {
        let items = q.items.lock().unwrap();
        let _items = q.ready.wait(items).unwrap();
    }
    producer.join().unwrap();
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn lost_wakeup_is_caught_as_a_deadlock_on_the_condvar() {
    let failure = weft::Model::new()
        .name("lost_wakeup")
        .expect_failure(weft::FailureKind::Deadlock)
        .check(lost_wakeup)
        .into_caught()
        .expect("the declared failure");
    assert_eq!(failure.kind(), weft::FailureKind::Deadlock, "{failure}");
    assert!(failure.is_lost_wakeup(), "{failure}");
    // The schedule is shrunk before it is reported: `main` preempted between its check of the flag and its wait.
    let shrunk = failure.shrunk().expect("a searched failure is shrunk");
    assert_eq!(shrunk.preemptions, 1, "{failure}");
    assert!(shrunk.steps <= shrunk.first_steps, "{failure}");
    assert!(
        failure
            .to_string()
            .contains("The schedule shown is minimal: 1 preemption,"),
        "{failure}"
    );
    let blocked = failure.blocked_threads();
    let main = blocked
        .iter()
        .find(|b| b.thread == "main")
        .expect("main is blocked");
    assert_eq!(main.waits_for, "ready");
    assert_eq!(main.kind, weft::record::WaitKind::Condvar);
    let report = failure.to_string();
    assert!(report.contains("lost wakeup"), "{report}");
    assert!(
        report.contains("`main` waits for a notification on `ready`"),
        "{report}"
    );
}

/// The producer stores the flag and notifies without taking the mutex, so
/// both can fall between the consumer's check (under the mutex) and its
/// wait. No data race: the flag is an atomic and the mutex guards nothing
/// the producer touches. loom detects the deadlock, and weft's teardown of
/// the blocked threads must not turn it into another kind of failure.
#[cfg_attr(not(any(feature = "loom", feature = "shuttle")), allow(dead_code))]
fn unlocked_notify(order: Ordering) {
    let lock = Arc::new(Mutex::new(()).named("lock"));
    let ready = Arc::new(Condvar::new().named("ready"));
    let flag = Arc::new(AtomicBool::new(false).named("flag"));
    let producer = {
        let (ready, flag) = (ready.clone(), flag.clone());
        thread::Builder::new()
            .name("producer")
            .spawn(move || {
                flag.store(true, order);
                ready.notify_one();
            })
            .unwrap()
    };
    let g = lock.lock().unwrap();
    if !flag.load(order) {
        let _g = ready.wait(g).unwrap();
    }
    producer.join().unwrap();
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn a_notify_without_the_mutex_is_a_lost_wakeup_not_a_data_race() {
    for order in [Ordering::SeqCst, Ordering::Relaxed] {
        let failure = weft::Model::new()
            .name(format!("unlocked_notify_{order:?}"))
            .expect_failure(weft::FailureKind::Deadlock)
            .check(move || unlocked_notify(order))
            .into_caught()
            .expect("the declared failure");
        assert_eq!(failure.kind(), weft::FailureKind::Deadlock, "{failure}");
        assert!(failure.is_lost_wakeup(), "{failure}");
        let blocked = failure.blocked_threads();
        let main = blocked
            .iter()
            .find(|b| b.thread == "main")
            .unwrap_or_else(|| panic!("main is blocked: {failure}"));
        assert_eq!(main.waits_for, "ready");
        assert_eq!(main.kind, weft::record::WaitKind::Condvar);
        let report = failure.to_string();
        assert!(
            report.contains("`main` waits for a notification on `ready`"),
            "{report}"
        );
    }
}
