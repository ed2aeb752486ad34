//! Timeouts are modelled: a timed wait may end by timeout or by wakeup,
//! both are explored, and a thread waiting with a timeout is never a
//! deadlock. Time is virtual: `sleep` passes no real time.

use std::sync::atomic::{AtomicBool as StdAtomicBool, Ordering as StdOrdering};

use weft::sync::mpsc;
use weft::sync::{Arc, Condvar, Mutex};
use weft::thread;
use weft::time::{Duration, Instant};

#[test]
fn wait_timeout_explores_both_outcomes() {
    static NOTIFIED: StdAtomicBool = StdAtomicBool::new(false);
    static TIMED_OUT: StdAtomicBool = StdAtomicBool::new(false);
    weft::model(|| {
        let pair = Arc::new((Mutex::new(false).named("flag"), Condvar::new().named("cv")));
        let p2 = pair.clone();
        let t = thread::spawn(move || {
            *p2.0.lock().unwrap() = true;
            p2.1.notify_one();
        });
        let g = pair.0.lock().unwrap();
        if !*g {
            let (g, r) = pair.1.wait_timeout(g, Duration::from_millis(10)).unwrap();
            if r.timed_out() {
                TIMED_OUT.store(true, StdOrdering::SeqCst);
            } else {
                assert!(*g, "notified only after the flag was set");
                NOTIFIED.store(true, StdOrdering::SeqCst);
            }
        } else {
            drop(g);
        }
        t.join().unwrap();
    });
    if weft::Backend::current() != weft::Backend::Std {
        assert!(
            NOTIFIED.load(StdOrdering::SeqCst),
            "the wakeup was never explored"
        );
        assert!(
            TIMED_OUT.load(StdOrdering::SeqCst),
            "the timeout was never explored"
        );
    }
}

#[test]
fn a_thread_waiting_with_a_timeout_is_not_a_deadlock() {
    weft::model(|| {
        let pair = Arc::new((
            Mutex::new(()).named("lonely"),
            Condvar::new().named("nobody"),
        ));
        let g = pair.0.lock().unwrap();
        let (_g, r) = pair.1.wait_timeout(g, Duration::from_millis(5)).unwrap();
        assert!(r.timed_out());
    });
}

#[test]
fn recv_timeout_explores_both_outcomes() {
    static GOT: StdAtomicBool = StdAtomicBool::new(false);
    static TIMED_OUT: StdAtomicBool = StdAtomicBool::new(false);
    weft::model(|| {
        let (tx, rx) = mpsc::channel();
        let rx = rx.named("jobs");
        let t = thread::spawn(move || tx.send(1).unwrap());
        match rx.recv_timeout(Duration::from_millis(10)) {
            Ok(v) => {
                assert_eq!(v, 1);
                GOT.store(true, StdOrdering::SeqCst);
            }
            Err(mpsc::RecvTimeoutError::Timeout) => TIMED_OUT.store(true, StdOrdering::SeqCst),
            Err(e) => panic!("unexpected {e:?}"),
        }
        t.join().unwrap();
    });
    if weft::Backend::current() != weft::Backend::Std {
        assert!(
            GOT.load(StdOrdering::SeqCst),
            "the message was never explored"
        );
        assert!(
            TIMED_OUT.load(StdOrdering::SeqCst),
            "the timeout was never explored"
        );
    }
}

#[test]
fn park_timeout_returns_without_an_unpark() {
    weft::model(|| {
        thread::park_timeout(Duration::from_millis(1));
    });
}

#[test]
fn unpark_wakes_a_parked_thread() {
    weft::model(|| {
        let flag = Arc::new(weft::sync::atomic::AtomicBool::new(false));
        let f2 = flag.clone();
        let t = thread::spawn(move || {
            while !f2.load(weft::sync::atomic::Ordering::SeqCst) {
                thread::park();
            }
        });
        flag.store(true, weft::sync::atomic::Ordering::SeqCst);
        t.thread().unpark();
        t.join().unwrap();
    });
}

#[test]
fn sleep_passes_virtual_time_under_a_checker() {
    let real = std::time::Instant::now();
    let long = if weft::Backend::current() == weft::Backend::Std {
        Duration::from_millis(2)
    } else {
        Duration::from_secs(3600)
    };
    weft::Model::new().iterations(3).check(move || {
        let start = Instant::now();
        thread::sleep(long);
        assert!(start.elapsed() >= long);
    });
    assert!(
        real.elapsed() < Duration::from_secs(60),
        "an hour of virtual sleep took real time"
    );
}

/// The deadline loop std's own `recv_deadline` and most crates write: the
/// time left is `deadline - now` until `checked_duration_since` says the
/// deadline has passed. The sender is alive (it holds `tx` until main
/// lets it go) but never sends, so only the timeout branch can end the
/// loop: a timed-out wait must leave the clock strictly past its deadline,
/// as a real clock does, or `remaining` is zero forever.
#[test]
fn a_recv_timeout_loop_with_a_live_silent_sender_reaches_its_timeout_branch() {
    static TIMED_OUT: StdAtomicBool = StdAtomicBool::new(false);
    weft::Model::new().iterations(20).check(|| {
        let (tx, rx) = mpsc::channel::<u32>();
        let (done_tx, done_rx) = mpsc::channel::<()>();
        let sender = thread::Builder::new()
            .name("silent")
            .spawn(move || {
                let _tx = tx;
                let _ = done_rx.recv();
            })
            .unwrap();
        let deadline = Instant::now() + Duration::from_millis(3);
        loop {
            let Some(remaining) = deadline.checked_duration_since(Instant::now()) else {
                TIMED_OUT.store(true, StdOrdering::SeqCst);
                break;
            };
            match rx.recv_timeout(remaining.min(Duration::from_millis(1))) {
                Ok(v) => panic!("the silent sender sent {v}"),
                Err(mpsc::RecvTimeoutError::Timeout) => continue,
                Err(mpsc::RecvTimeoutError::Disconnected) => panic!("the sender is alive"),
            }
        }
        drop(done_tx);
        sender.join().unwrap();
    });
    assert!(
        TIMED_OUT.load(StdOrdering::SeqCst),
        "the timeout branch never ran"
    );
}

#[test]
fn a_timed_out_wait_leaves_the_clock_past_its_deadline() {
    weft::Model::new().iterations(20).check(|| {
        let pair = Arc::new((Mutex::new(()).named("m"), Condvar::new().named("cv")));
        let start = Instant::now();
        let deadline = start + Duration::from_millis(2);
        let g = pair.0.lock().unwrap();
        let (g, r) = pair.1.wait_timeout(g, Duration::from_millis(2)).unwrap();
        assert!(r.timed_out());
        drop(g);
        let now = Instant::now();
        assert!(
            now.checked_duration_since(deadline)
                .is_some_and(|past| past > Duration::ZERO),
            "the clock stopped at the deadline: {now:?}"
        );
        assert_eq!(deadline.checked_duration_since(now), None);
    });
}

/// `later` is after `earlier`: strictly under a checker (virtual time
/// passes in every timed operation); real clocks may read the same value
/// twice.
fn after(later: Instant, earlier: Instant) -> bool {
    if weft::Backend::current() == weft::Backend::Std {
        later >= earlier
    } else {
        later > earlier
    }
}

#[test]
fn zero_timeouts_let_time_pass() {
    weft::Model::new().iterations(20).check(|| {
        let start = Instant::now();
        thread::park_timeout(Duration::ZERO);
        let parked = Instant::now();
        assert!(after(parked, start), "park_timeout(0) passed no time");

        let (tx, rx) = mpsc::channel::<u32>();
        assert_eq!(
            rx.recv_timeout(Duration::ZERO),
            Err(mpsc::RecvTimeoutError::Timeout)
        );
        let received = Instant::now();
        assert!(after(received, parked), "recv_timeout(0) passed no time");

        let pair = (Mutex::new(()), Condvar::new());
        let g = pair.0.lock().unwrap();
        let (g, r) = pair
            .1
            .wait_timeout_while(g, Duration::ZERO, |_| true)
            .unwrap();
        assert!(r.timed_out());
        drop(g);
        let waited = Instant::now();
        assert!(
            after(waited, received),
            "wait_timeout_while(0) passed no time"
        );

        thread::sleep(Duration::ZERO);
        assert!(after(Instant::now(), waited), "sleep(0) passed no time");
        drop(tx);
    });
}

/// A `wait` that is not in a loop re-checking its condition: correct only
/// if waits never wake spuriously, which std does not promise.
#[cfg_attr(not(any(feature = "loom", feature = "shuttle")), allow(dead_code))]
fn wait_outside_a_loop() {
    let pair = Arc::new((Mutex::new(false).named("ready"), Condvar::new().named("cv")));
    let p2 = pair.clone();
    let setter = thread::Builder::new()
        .name("setter")
        .spawn(move || {
            *p2.0.lock().unwrap() = true;
            p2.1.notify_one();
        })
        .unwrap();
    let ready = pair.0.lock().unwrap();
    let ready = if *ready {
        ready
    } else {
        pair.1.wait(ready).unwrap()
    };
    assert!(*ready, "woke up before `ready` was set");
    drop(ready);
    setter.join().unwrap();
}

/// The same wait in a loop: immune to spurious wakeups.
#[cfg_attr(not(any(feature = "loom", feature = "shuttle")), allow(dead_code))]
fn wait_in_a_loop() {
    let pair = Arc::new((Mutex::new(false).named("ready"), Condvar::new().named("cv")));
    let p2 = pair.clone();
    let setter = thread::spawn(move || {
        *p2.0.lock().unwrap() = true;
        p2.1.notify_one();
    });
    let mut ready = pair.0.lock().unwrap();
    while !*ready {
        ready = pair.1.wait(ready).unwrap();
    }
    drop(ready);
    setter.join().unwrap();
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn a_wait_outside_a_loop_is_caught_only_with_spurious_wakeups() {
    weft::Model::new()
        .name("wait_outside_a_loop")
        .explore(wait_outside_a_loop)
        .expect("without spurious wakeups the notification always comes first");
    let failure = weft::Model::new()
        .name("wait_outside_a_loop_spurious")
        .spurious_wakeups(true)
        .expect_failure(weft::FailureKind::Assertion)
        .check(wait_outside_a_loop)
        .into_caught()
        .expect("the declared failure");
    assert_eq!(failure.kind(), weft::FailureKind::Assertion, "{failure}");
    let report = failure.to_string();
    assert!(
        report.contains("woke up before `ready` was set"),
        "{report}"
    );
    assert!(
        report.contains("woken spuriously (Model::spurious_wakeups) `cv`"),
        "{report}"
    );
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn spurious_wakeups_keep_waiting_loops_verified_and_lost_wakeups_deadlocked() {
    weft::Model::new()
        .name("wait_in_a_loop_spurious")
        .spurious_wakeups(true)
        .explore(wait_in_a_loop)
        .expect("a waiting loop is immune to spurious wakeups");
    // Each thread wakes spuriously once at most: a wait nobody will ever
    // notify is still a deadlock, not a loop that spins forever.
    let failure = weft::Model::new()
        .name("never_notified_spurious")
        .spurious_wakeups(true)
        .expect_failure(weft::FailureKind::Deadlock)
        .check(|| {
            let pair = (Mutex::new(false).named("ready"), Condvar::new().named("cv"));
            let mut ready = pair.0.lock().unwrap();
            while !*ready {
                ready = pair.1.wait(ready).unwrap();
            }
        })
        .into_caught()
        .expect("the declared failure");
    assert_eq!(failure.kind(), weft::FailureKind::Deadlock, "{failure}");
    assert!(
        failure
            .to_string()
            .contains("`main` waits for a notification on `cv`"),
        "{failure}"
    );
}

/// A real `Instant` is far from any origin (CLOCK_MONOTONIC counts from
/// boot), so code subtracts durations from `now()` freely, e.g. to make an
/// instant that is already expired. The virtual clock must allow it too.
#[test]
fn instants_before_the_start_of_the_model_exist() {
    weft::Model::new().iterations(5).check(|| {
        let now = Instant::now();
        let hour = Duration::from_secs(3600);
        let expired = now
            .checked_sub(hour)
            .expect("an instant an hour before now exists");
        assert_eq!(expired, now - hour);
        assert!(expired < now);
        assert_eq!(now.checked_duration_since(expired), Some(hour));
        assert_eq!(expired.checked_duration_since(now), None);
        assert_eq!(expired.saturating_duration_since(now), Duration::ZERO);
        assert!(expired.elapsed() >= hour);
        let mut later = expired;
        later += hour;
        assert_eq!(later, now);
        later -= hour;
        assert_eq!(later, expired);
    });
}

/// A notify from a thread that does not hold the mutex can land before the
/// waiter queues (the wait times out), while it waits (it is notified), or
/// after it gave up: the checker must see both outcomes, though the
/// notifier and the waiter share nothing but the condvar.
#[test]
fn a_notify_without_the_mutex_may_or_may_not_reach_a_timed_wait() {
    static NOTIFIED: StdAtomicBool = StdAtomicBool::new(false);
    static TIMED_OUT: StdAtomicBool = StdAtomicBool::new(false);
    weft::model(|| {
        let pair = Arc::new((Mutex::new(()).named("m"), Condvar::new().named("cv")));
        let p2 = pair.clone();
        let notifier = thread::spawn(move || p2.1.notify_one());
        let g = pair.0.lock().unwrap();
        let (g, r) = pair.1.wait_timeout(g, Duration::from_millis(1)).unwrap();
        drop(g);
        if r.timed_out() {
            TIMED_OUT.store(true, StdOrdering::SeqCst);
        } else {
            NOTIFIED.store(true, StdOrdering::SeqCst);
        }
        notifier.join().unwrap();
    });
    if weft::Backend::current() != weft::Backend::Std {
        assert!(
            NOTIFIED.load(StdOrdering::SeqCst),
            "the notification was never explored"
        );
        assert!(
            TIMED_OUT.load(StdOrdering::SeqCst),
            "the timeout was never explored"
        );
    }
}

/// `park` outside a loop re-checking its condition: std's `park` may also
/// return without an unpark.
#[cfg_attr(not(any(feature = "loom", feature = "shuttle")), allow(dead_code))]
fn park_outside_a_loop() {
    use weft::sync::atomic::{AtomicBool, Ordering};
    let flag = Arc::new(AtomicBool::new(false).named("flag"));
    let f2 = flag.clone();
    let main = thread::current();
    let setter = thread::spawn(move || {
        f2.store(true, Ordering::SeqCst);
        main.unpark();
    });
    if !flag.load(Ordering::SeqCst) {
        thread::park();
    }
    assert!(
        flag.load(Ordering::SeqCst),
        "park returned before `flag` was set"
    );
    setter.join().unwrap();
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn a_park_outside_a_loop_is_caught_only_with_spurious_wakeups() {
    weft::Model::new()
        .name("park_outside_a_loop")
        .explore(park_outside_a_loop)
        .expect("without spurious wakeups park returns only after the unpark");
    let failure = weft::Model::new()
        .name("park_outside_a_loop_spurious")
        .spurious_wakeups(true)
        .expect_failure(weft::FailureKind::Assertion)
        .check(park_outside_a_loop)
        .into_caught()
        .expect("the declared failure");
    assert_eq!(failure.kind(), weft::FailureKind::Assertion, "{failure}");
    let report = failure.to_string();
    assert!(
        report.contains("park returned before `flag` was set"),
        "{report}"
    );
    assert!(report.contains("woken spuriously"), "{report}");
}

/// A thread that waits for the clock itself, reading it and yielding: no
/// other thread moves the virtual clock, so under a checker the loop ran
/// to the step limit. A yield after a clock read lets time pass now.
#[test]
fn a_loop_waiting_for_the_clock_with_yields_ends() {
    weft::model(|| {
        let start = Instant::now();
        let deadline = start + Duration::from_millis(5);
        let waiter = thread::spawn(move || {
            let mut turns = 0u32;
            while Instant::now() < deadline {
                thread::yield_now();
                turns += 1;
            }
            turns
        });
        let turns = waiter.join().unwrap();
        assert!(Instant::now() >= deadline);
        assert!(turns >= 1);
    });
}
