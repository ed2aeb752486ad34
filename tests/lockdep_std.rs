//! std mode with the `lockdep` feature: the process keeps one lock-order
//! graph, and the acquisition that first closes a cycle panics with both
//! paths, though nothing deadlocked (`cargo test --features lockdep
//! --test lockdep_std`). Without the feature std mode is std: see
//! `std_zero_cost.rs`.
#![cfg(all(feature = "lockdep", not(any(feature = "loom", feature = "shuttle"))))]

use std::panic::{catch_unwind, AssertUnwindSafe};

use weft::sync::{Arc, Condvar, Mutex};
use weft::{FailureKind, Model, Policy};

/// The policy is the process's while a std-mode model runs: the tests of
/// this file run one at a time, so that one model's `Off` does not turn
/// the check off under another test.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

fn line_of(needle: &str) -> u32 {
    let at = include_str!("lockdep_std.rs")
        .lines()
        .position(|l| l.contains(needle) && !l.contains("line_of"))
        .expect("the needle is in this file");
    at as u32 + 1
}

/// Two real threads, one after the other: `first` locks `a` then `b`,
/// `second` `b` then `a`. They never overlap, so nothing deadlocks; the
/// second closes the cycle and panics naming both paths.
#[test]
fn an_inversion_on_real_threads_panics_with_both_paths() {
    let _serial = serial();
    let a = Arc::new(Mutex::new(0).named("std_a"));
    let b = Arc::new(Mutex::new(0).named("std_b"));
    let (a1, b1) = (a.clone(), b.clone());
    std::thread::Builder::new()
        .name("first".into())
        .spawn(move || {
            let _ga = a1.lock().unwrap(); // first: a
            *b1.lock().unwrap() += 1; // first: b
        })
        .unwrap()
        .join()
        .unwrap();
    let second = std::thread::Builder::new()
        .name("second".into())
        .spawn(move || {
            let _gb = b.lock().unwrap(); // second: b
            *a.lock().unwrap() += 1; // second: a
        })
        .unwrap()
        .join();
    let payload = second.expect_err("the second order closes the cycle");
    let message = weft::record::panic_message(payload.as_ref());
    let file = file!();
    for needle in [
        "potential deadlock: `std_a` and `std_b` are locked in both orders".to_string(),
        "(this process took every order of the cycle without deadlocking)".to_string(),
        format!(
            "`first` locked `std_b` at {file}:{} while holding `std_a` (locked at {file}:{})",
            line_of("// first: b"),
            line_of("// first: a")
        ),
        format!(
            "`second` locked `std_a` at {file}:{} while holding `std_b` (locked at {file}:{})",
            line_of("// second: a"),
            line_of("// second: b")
        ),
        "std_b ──▶ std_a".to_string(),
    ] {
        assert!(message.contains(&needle), "`{needle}` not in\n{message}");
    }
}

#[test]
fn one_order_and_try_lock_and_condvar_waits_do_not_panic() {
    let _serial = serial();
    let a = Mutex::new(0);
    let b = Mutex::new(0);
    for _ in 0..3 {
        let _ga = a.lock().unwrap();
        let _gb = b.lock().unwrap();
    }
    // The other order, with try_lock: it cannot block.
    let _gb = b.lock().unwrap();
    assert!(a.try_lock().is_ok());
    drop(_gb);
    // A condvar wait keeps the lock for the graph and gives it back.
    let pair = Arc::new((Mutex::new(false), Condvar::new()));
    let p = pair.clone();
    let t = std::thread::spawn(move || {
        *p.0.lock().unwrap() = true;
        p.1.notify_one();
    });
    let mut ready = pair.0.lock().unwrap();
    while !*ready {
        ready = pair.1.wait(ready).unwrap();
    }
    drop(ready);
    t.join().unwrap();
    let _ga = a.lock().unwrap();
    let _gb = b.lock().unwrap();
}

/// One test for both policies: in std mode the policy is the process's
/// while a model runs, so two models with different ones must not run at
/// once.
#[test]
fn a_std_model_reports_the_cycle_as_a_potential_deadlock_unless_off() {
    let _serial = serial();
    let failure = Model::new()
        .name("std_lockdep")
        .iterations(1)
        .explore(|| {
            let x = Mutex::new(()).named("model_x");
            let y = Mutex::new(()).named("model_y");
            drop((x.lock().unwrap(), y.lock().unwrap()));
            let gy = y.lock().unwrap();
            drop((x.lock().unwrap(), gy));
        })
        .expect_err("the cycle fails the model");
    assert_eq!(failure.kind(), FailureKind::PotentialDeadlock, "{failure}");
    let cycle = failure.lock_cycle().expect("the cycle");
    assert_eq!(cycle.locks(), ["model_x", "model_y"]);
    assert_eq!(cycle.edges[0].execution, None);

    let result = catch_unwind(AssertUnwindSafe(|| {
        Model::new()
            .name("std_lockdep_off")
            .iterations(1)
            .lock_order(Policy::Off)
            .check(|| {
                let x = Mutex::new(());
                let y = Mutex::new(());
                drop((x.lock().unwrap(), y.lock().unwrap()));
                let gy = y.lock().unwrap();
                drop((x.lock().unwrap(), gy));
            })
    }));
    assert!(result.is_ok());
}
