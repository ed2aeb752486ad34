//! AB-BA lock order: caught as a deadlock whose cycle names both threads,
//! both locks and the lines that acquired them.

use weft::sync::{Arc, Mutex};
use weft::thread;

#[cfg(any(feature = "loom", feature = "shuttle"))]
/// The 1-based line of the first line of this file that contains `needle`.
fn line_of(needle: &str) -> u32 {
    let at = include_str!("deadlock.rs")
        .lines()
        .position(|l| l.contains(needle) && !l.contains("line_of"))
        .expect("the needle is in this file");
    at as u32 + 1
}

#[cfg_attr(not(any(feature = "loom", feature = "shuttle")), allow(dead_code))]
fn abba() {
    let a = Arc::new(Mutex::new(()).named("lock_a"));
    let b = Arc::new(Mutex::new(()).named("lock_b"));
    let (a2, b2) = (a.clone(), b.clone());
    let t1 = thread::Builder::new().name("ab").spawn(move || {
        let _ga = a2.lock().unwrap();
        let _gb = b2.lock().unwrap();
    });
    let (a3, b3) = (a.clone(), b.clone());
    let t2 = thread::Builder::new().name("ba").spawn(move || {
        let _gb = b3.lock().unwrap();
        let _ga = a3.lock().unwrap();
    });
    t1.unwrap().join().unwrap();
    t2.unwrap().join().unwrap();
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn abba_deadlock_is_caught_with_its_cycle() {
    let lock_a_line = line_of("let _ga = a2.lock()");
    let lock_b_line = line_of("let _gb = b3.lock()");
    let failure = weft::Model::new()
        .name("abba")
        .expect_failure(weft::FailureKind::Deadlock)
        .check(abba)
        .into_caught()
        .expect("the declared failure");
    assert_eq!(failure.kind(), weft::FailureKind::Deadlock, "{failure}");
    // The schedule is shrunk before it is reported: `ab` preempted after it took `lock_a`.
    let shrunk = failure.shrunk().expect("a searched failure is shrunk");
    assert_eq!(shrunk.preemptions, 1, "{failure}");
    assert!(shrunk.steps <= shrunk.first_steps, "{failure}");
    assert!(
        failure
            .to_string()
            .contains("The schedule shown is minimal: 1 preemption,"),
        "{failure}"
    );
    let cycle = failure
        .deadlock_cycle()
        .unwrap_or_else(|| panic!("no lock cycle in {failure}"));
    assert_eq!(cycle.len(), 2, "{failure}");
    let ab = cycle
        .iter()
        .find(|e| e.thread == "ab")
        .expect("`ab` in the cycle");
    let ba = cycle
        .iter()
        .find(|e| e.thread == "ba")
        .expect("`ba` in the cycle");
    let (held, at) = ab.holds.clone().expect("`ab` holds a lock");
    assert_eq!(held, "lock_a");
    assert_eq!(at.line, lock_a_line);
    assert!(at.file.ends_with("models/deadlock.rs"), "{}", at.file);
    assert_eq!(ab.waits_for, "lock_b");
    assert_eq!(ab.held_by, "ba");
    let (held, at) = ba.holds.clone().expect("`ba` holds a lock");
    assert_eq!(held, "lock_b");
    assert_eq!(at.line, lock_b_line);
    assert_eq!(ba.waits_for, "lock_a");
    assert_eq!(ba.held_by, "ab");
    let report = failure.to_string();
    assert!(
        report.contains(&format!(
            "`ab` holds `lock_a` (acquired at models/deadlock.rs:{lock_a_line}) and waits for `lock_b`"
        )),
        "{report}"
    );
}

#[test]
fn one_lock_order_is_verified() {
    weft::model(|| {
        let a = Arc::new(Mutex::new(0).named("lock_a"));
        let b = Arc::new(Mutex::new(0).named("lock_b"));
        let (a2, b2) = (a.clone(), b.clone());
        let t = thread::spawn(move || {
            let _ga = a2.lock().unwrap();
            *b2.lock().unwrap() += 1;
        });
        {
            let _ga = a.lock().unwrap();
            *b.lock().unwrap() += 1;
        }
        t.join().unwrap();
        assert_eq!(*b.lock().unwrap(), 2);
    });
}
