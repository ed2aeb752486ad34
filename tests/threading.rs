//! Real-thread tests of `weft_patterns::{threading, lock_order}`:
//! each primitive's behaviour, timeouts that expire and ones that do not,
//! and every documented misuse. Real threads only: under a checker the
//! primitives run inside models (`models/threading.rs`).

#![cfg(not(any(feature = "loom", feature = "shuttle")))]

use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, PoisonError};
use std::time::{Duration, Instant};

use weft::sync::Mutex;
use weft_patterns::lock_order::{self, LockOrder, OrderedMutex};
use weft_patterns::threading::{
    self, Barrier, BoundedSemaphore, BrokenBarrierError, Condition, Event, JoinError, Local, Lock,
    NotHeldError, RLock, ReleaseError, Semaphore, Thread, Timer,
};

/// Long enough that a wait which should succeed never times out on a
/// loaded machine.
const PATIENCE: Duration = Duration::from_secs(30);
/// A timeout that is meant to expire.
const SHORT: Duration = Duration::from_millis(30);

/// Polls `condition` until it holds (for states another thread reaches by
/// blocking, which it cannot signal).
fn eventually(mut condition: impl FnMut() -> bool) {
    let start = Instant::now();
    while !condition() {
        assert!(start.elapsed() < PATIENCE, "condition never held");
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Runs `f` on a thread and fails (instead of hanging) if it has not
/// finished within `PATIENCE`: for tests whose bug would be a deadlock.
fn finishes<F: FnOnce() + Send + 'static>(f: F) {
    let (done, finished) = mpsc::channel();
    let h = std::thread::spawn(move || {
        f();
        done.send(()).unwrap();
    });
    finished
        .recv_timeout(PATIENCE)
        .expect("deadlocked: did not finish in time");
    h.join().unwrap();
}

fn panic_message(f: impl FnOnce()) -> String {
    let payload = panic::catch_unwind(AssertUnwindSafe(f)).expect_err("should have panicked");
    weft::record::panic_message(payload.as_ref())
}

// ---------------------------------------------------------------- thread

#[test]
fn named_thread_returns_its_value_and_name() {
    let h = Thread::new(|| weft::thread::current().name().map(str::to_owned))
        .name("adder")
        .start()
        .unwrap();
    assert_eq!(h.name(), "adder");
    assert!(!h.daemon());
    assert_eq!(h.join(), Ok(Some("adder".to_string())));
}

#[test]
fn join_returns_the_panic_with_message_and_thread_name() {
    let h = Thread::new(|| -> u8 { panic!("index {} out of range", 7) })
        .name("faulty")
        .start()
        .unwrap();
    let err = h.join().unwrap_err();
    assert_eq!(
        err,
        JoinError::Panicked {
            thread: "faulty".into(),
            message: "index 7 out of range".into()
        }
    );
    assert_eq!(
        err.to_string(),
        "join thread `faulty`, which panicked: index 7 out of range"
    );
}

#[test]
fn unnamed_and_non_string_panics_are_reported() {
    let err = Thread::new(|| panic::panic_any(42_u32))
        .start()
        .unwrap()
        .join()
        .unwrap_err();
    assert_eq!(
        err,
        JoinError::Panicked {
            thread: "<unnamed>".into(),
            message: "<non-string panic payload>".into()
        }
    );
    let err = Thread::new(|| panic!("static"))
        .start()
        .unwrap()
        .join()
        .unwrap_err();
    assert!(matches!(err, JoinError::Panicked { message, .. } if message == "static"));
}

#[test]
fn is_alive_while_the_target_runs_and_not_after() {
    let (tx, rx) = mpsc::channel::<()>();
    let t = Thread::new(move || rx.recv_timeout(PATIENCE).is_ok())
        .name("held")
        .start()
        .unwrap();
    assert!(t.is_alive());
    tx.send(()).unwrap();
    eventually(|| !t.is_alive());
    assert_eq!(t.join(), Ok(true));
}

#[test]
fn dropping_a_started_thread_joins_it_unless_it_is_a_daemon() {
    let done = Arc::new(AtomicUsize::new(0));
    let d = Arc::clone(&done);
    let t = Thread::new(move || {
        std::thread::sleep(SHORT);
        d.fetch_add(1, Ordering::SeqCst);
    })
    .start()
    .unwrap();
    drop(t);
    assert_eq!(
        done.load(Ordering::SeqCst),
        1,
        "a non-daemon thread was joined"
    );

    let (tx, rx) = mpsc::channel::<()>();
    let daemon = Thread::new(move || rx.recv_timeout(PATIENCE).is_ok())
        .daemon(true)
        .start()
        .unwrap();
    assert!(daemon.daemon());
    let started = Instant::now();
    drop(daemon); // detached: does not wait for the channel
    assert!(started.elapsed() < PATIENCE);
    drop(tx);
}

// ----------------------------------------------------------------- timer

#[test]
fn a_timer_fires_after_its_interval() {
    let fired_at = Arc::new(Mutex::new(None));
    let f = Arc::clone(&fired_at);
    let started = Instant::now();
    let mut timer = Timer::new(Duration::from_millis(30), move || {
        *f.lock().unwrap() = Some(Instant::now());
    });
    timer.start().unwrap();
    timer.join().unwrap();
    let at = fired_at.lock().unwrap().expect("fired");
    assert!(at - started >= Duration::from_millis(30));
    assert!(timer.fired());
    assert!(!timer.cancel(), "too late to cancel");
}

#[test]
fn a_cancelled_timer_never_fires_and_its_thread_ends_at_once() {
    let ran = Arc::new(AtomicUsize::new(0));
    let r = Arc::clone(&ran);
    let mut timer = Timer::new(PATIENCE, move || {
        r.fetch_add(1, Ordering::SeqCst);
    })
    .name("alarm");
    timer.start().unwrap();
    assert!(timer.is_alive());
    let started = Instant::now();
    assert!(timer.cancel());
    assert!(timer.cancel(), "cancelling again still says it never fires");
    timer.join().unwrap();
    assert!(started.elapsed() < PATIENCE);
    assert_eq!(ran.load(Ordering::SeqCst), 0);
    assert!(!timer.fired());
}

#[test]
fn a_timer_cancelled_before_start_never_fires() {
    let mut timer = Timer::new(Duration::ZERO, || panic!("deliberately fired"));
    assert!(timer.cancel());
    timer.start().unwrap();
    timer.join().unwrap();
    assert!(!timer.fired());
}

#[test]
fn a_timer_started_twice_panics_as_python_raises() {
    let mut timer = Timer::new(Duration::ZERO, || ());
    timer.start().unwrap();
    assert_eq!(
        panic_message(|| {
            let _ = timer.start();
        }),
        "threads can only be started once"
    );
}

#[test]
fn a_timer_whose_function_panics_reports_it_at_join() {
    let mut timer = Timer::new(Duration::ZERO, || panic!("alarm failed")).name("alarm");
    timer.start().unwrap();
    assert_eq!(
        timer.join(),
        Err(JoinError::Panicked {
            thread: "alarm".into(),
            message: "alarm failed".into()
        })
    );
}

// ----------------------------------------------------------------- local

#[test]
fn each_thread_sees_its_own_local_value() {
    let ids = threading::local::<Vec<usize>>();
    ids.with(|v| v.push(0));
    let threads: Vec<_> = (1..=4)
        .map(|i| {
            let ids = ids.clone();
            Thread::new(move || {
                ids.with(|v| v.push(i));
                ids.with(|v| v.push(i * 10));
                ids.get()
            })
            .start()
            .unwrap()
        })
        .collect();
    for (i, t) in (1..=4).zip(threads) {
        assert_eq!(t.join(), Ok(vec![i, i * 10]));
    }
    assert_eq!(ids.get(), [0]);
}

#[test]
fn a_local_with_an_initializer_and_two_locals_of_one_type_are_separate() {
    let a = Local::with_init(|| 5u32);
    let b = Local::<u32>::new();
    assert_eq!(a.set(6), 5);
    assert_eq!(b.get(), 0);
    assert_eq!(a.get(), 6);
    // Nested use of another local is fine.
    a.with(|x| b.with(|y| *y = *x + 1));
    assert_eq!(b.get(), 7);
}

#[test]
fn a_local_used_inside_its_own_with_panics_and_stays_usable() {
    let a = Local::<u32>::new();
    a.set(3);
    let message = panic_message(|| {
        a.with(|_| a.get());
    });
    assert_eq!(message, "threading::Local used inside its own `with`");
    assert_eq!(a.get(), 3, "the value was put back");
}

#[test]
fn a_dropped_locals_values_are_dropped_on_a_later_access() {
    let tracker = Arc::new(());
    let t2 = Arc::clone(&tracker);
    let gone = Local::with_init(move || Arc::clone(&t2));
    gone.with(|_| ());
    drop(gone);
    assert_eq!(
        Arc::strong_count(&tracker),
        2,
        "this thread's value still held"
    );
    let other = Local::<u8>::new();
    other.get();
    // The init closure's clone went with the local; the value with the
    // next access.
    assert_eq!(Arc::strong_count(&tracker), 1);
}

// ---------------------------------------------------------------- Lock

#[test]
fn lock_acquire_release_and_misuse() {
    let lock = Lock::new();
    assert!(!lock.locked());
    assert_eq!(lock.release(), Err(ReleaseError::Unlocked));
    assert!(lock.acquire(true, None));
    assert!(lock.locked());
    assert!(!lock.acquire(false, None));
    assert!(lock.try_lock().is_none());
    lock.release().unwrap();
    assert!(!lock.locked());
    assert_eq!(lock.release(), Err(ReleaseError::Unlocked));
}

#[test]
fn lock_timeout_expires_while_held() {
    let lock = Lock::new();
    let _held = lock.lock();
    let start = Instant::now();
    assert!(!lock.acquire(true, Some(SHORT)));
    assert!(start.elapsed() >= SHORT);
    let start = Instant::now();
    assert!(lock.lock_timeout(SHORT).is_none());
    assert!(start.elapsed() >= SHORT);
}

#[test]
fn lock_timeout_does_not_expire_when_released_in_time() {
    let lock = Arc::new(Lock::new());
    assert!(lock.acquire(true, None));
    let l = Arc::clone(&lock);
    // Any thread may release a Lock, as in Python.
    let releaser = std::thread::spawn(move || l.release().unwrap());
    let start = Instant::now();
    assert!(lock.acquire(true, Some(PATIENCE)));
    assert!(start.elapsed() < PATIENCE);
    releaser.join().unwrap();
    lock.release().unwrap();
}

#[test]
fn lock_guard_releases_on_drop() {
    let lock = Lock::new();
    {
        let _g = lock.lock();
        assert!(lock.locked());
    }
    assert!(!lock.locked());
    let g = lock.lock_timeout(SHORT).expect("free");
    drop(g);
    assert!(lock.try_lock().is_some());
    assert!(!lock.locked());
}

#[test]
fn lock_excludes_other_threads() {
    let lock = Arc::new(Lock::new());
    let inside = Arc::new(AtomicUsize::new(0));
    let total = Arc::new(AtomicUsize::new(0));
    let hs: Vec<_> = (0..4)
        .map(|_| {
            let (lock, inside, total) = (lock.clone(), inside.clone(), total.clone());
            std::thread::spawn(move || {
                for _ in 0..2000 {
                    let _g = lock.lock();
                    assert_eq!(inside.fetch_add(1, Ordering::Relaxed), 0);
                    total.fetch_add(1, Ordering::Relaxed);
                    inside.fetch_sub(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for h in hs {
        h.join().unwrap();
    }
    assert_eq!(total.load(Ordering::Relaxed), 8000);
}

#[test]
fn non_blocking_acquire_with_timeout_panics_as_python_raises() {
    let message = panic_message(|| {
        Lock::new().acquire(false, Some(SHORT));
    });
    assert_eq!(message, "can't specify a timeout for a non-blocking call");
    let message = panic_message(|| {
        Semaphore::new(1).acquire(false, Some(SHORT));
    });
    assert_eq!(message, "can't specify a timeout for a non-blocking call");
}

// ---------------------------------------------------------------- RLock

#[test]
fn rlock_is_reentrant_and_counts_levels() {
    let lock = RLock::new();
    assert!(!lock.is_owned());
    assert!(lock.acquire(true, None));
    assert!(lock.acquire(false, None));
    assert!(lock.acquire(true, Some(SHORT)));
    assert!(lock.is_owned());
    for _ in 0..3 {
        lock.release().unwrap();
    }
    assert!(!lock.is_owned());
    assert_eq!(lock.release(), Err(ReleaseError::Unlocked));
}

#[test]
fn rlock_release_by_non_owner_is_an_error_and_changes_nothing() {
    let lock = RLock::new();
    let _g = lock.lock();
    std::thread::scope(|s| {
        s.spawn(|| {
            assert_eq!(lock.release(), Err(ReleaseError::NotOwner));
            assert!(!lock.is_owned());
            assert!(!lock.acquire(false, None), "still held by main");
        });
    });
    assert!(lock.is_owned());
}

#[test]
fn rlock_is_free_for_others_only_after_every_level() {
    let lock = RLock::new();
    lock.acquire(true, None);
    lock.acquire(true, None);
    let try_from_other =
        || std::thread::scope(|s| s.spawn(|| lock.try_lock().is_some()).join().unwrap());
    assert!(!try_from_other());
    lock.release().unwrap();
    assert!(!try_from_other());
    let start = Instant::now();
    let timed_out = std::thread::scope(|s| {
        s.spawn(|| lock.lock_timeout(SHORT).is_none())
            .join()
            .unwrap()
    });
    assert!(timed_out && start.elapsed() >= SHORT);
    lock.release().unwrap();
    assert!(try_from_other());
}

#[test]
fn rlock_waiter_gets_it_when_owner_releases() {
    let lock = Arc::new(RLock::new());
    let g1 = lock.lock();
    let g2 = lock.lock();
    let l = Arc::clone(&lock);
    let waiter = std::thread::spawn(move || {
        let got = l.acquire(true, Some(PATIENCE));
        let owned = l.is_owned();
        l.release().unwrap();
        (got, owned)
    });
    drop(g2);
    drop(g1);
    assert_eq!(waiter.join().unwrap(), (true, true));
}

// ---------------------------------------------------------------- Condition

#[test]
fn condition_without_its_lock_is_an_error() {
    let cond = Condition::new();
    assert_eq!(cond.wait(Some(SHORT)), Err(NotHeldError));
    assert_eq!(cond.notify(1), Err(NotHeldError));
    assert_eq!(cond.notify_all(), Err(NotHeldError));
    let mut called = false;
    assert_eq!(
        cond.wait_for(
            || {
                called = true;
                true
            },
            None
        ),
        Err(NotHeldError)
    );
    assert!(!called);
    // Held by another thread does not count, for an RLock.
    let guard = cond.lock();
    std::thread::scope(|s| {
        s.spawn(|| assert_eq!(cond.notify(1), Err(NotHeldError)));
    });
    drop(guard);
}

#[test]
fn condition_wait_times_out_and_reacquires() {
    let lock = Arc::new(RLock::new());
    let cond = Condition::with_lock(Arc::clone(&lock));
    let _g = cond.lock();
    let start = Instant::now();
    assert_eq!(cond.wait(Some(SHORT)), Ok(false));
    assert!(start.elapsed() >= SHORT);
    assert!(lock.is_owned());
    let start = Instant::now();
    assert_eq!(cond.wait_for(|| false, Some(SHORT)), Ok(false));
    assert!(start.elapsed() >= SHORT);
    assert!(lock.is_owned());
}

#[test]
fn condition_wait_for_sees_the_predicate_become_true() {
    let cond = Arc::new(Condition::new());
    let items = Arc::new(AtomicUsize::new(0));
    let (c, i) = (Arc::clone(&cond), Arc::clone(&items));
    let producer = std::thread::spawn(move || {
        for _ in 0..3 {
            let g = c.lock();
            i.fetch_add(1, Ordering::Relaxed);
            g.notify_all();
        }
    });
    let g = cond.lock();
    let start = Instant::now();
    assert!(g.wait_for(|| items.load(Ordering::Relaxed) == 3, Some(PATIENCE)));
    assert!(start.elapsed() < PATIENCE);
    drop(g);
    producer.join().unwrap();
}

#[test]
fn condition_wait_releases_every_level_of_an_rlock() {
    let lock = Arc::new(RLock::new());
    let cond = Arc::new(Condition::with_lock(Arc::clone(&lock)));
    let flag = Arc::new(AtomicUsize::new(0));
    lock.acquire(true, None);
    lock.acquire(true, None);
    let (c, f) = (Arc::clone(&cond), Arc::clone(&flag));
    let setter = std::thread::spawn(move || {
        // Blocks until main's wait has released both levels.
        let g = c.lock();
        f.store(1, Ordering::Relaxed);
        g.notify(1);
    });
    assert_eq!(
        cond.wait_for(|| flag.load(Ordering::Relaxed) == 1, Some(PATIENCE)),
        Ok(true)
    );
    setter.join().unwrap();
    // Both levels are back.
    lock.release().unwrap();
    assert!(lock.is_owned());
    lock.release().unwrap();
    assert_eq!(lock.release(), Err(ReleaseError::Unlocked));
}

#[test]
fn condition_bound_to_a_plain_lock() {
    let lock = Arc::new(Lock::new());
    let cond = Arc::new(Condition::with_lock(Arc::clone(&lock)));
    assert_eq!(cond.notify(1), Err(NotHeldError));
    let (c, l) = (Arc::clone(&cond), Arc::clone(&lock));
    let g = cond.lock();
    let notifier = std::thread::spawn(move || {
        let _g = c.lock();
        assert!(l.locked());
        c.notify(1).unwrap();
    });
    // wait releases the plain lock, so the notifier can take it.
    assert_eq!(cond.wait(Some(PATIENCE)), Ok(true));
    assert!(lock.locked());
    drop(g);
    notifier.join().unwrap();
    assert!(!lock.locked());
}

#[test]
fn condition_notify_n_wakes_exactly_n() {
    let cond = Arc::new(Condition::new());
    let waiting = Arc::new(AtomicUsize::new(0));
    let woken = Arc::new(AtomicUsize::new(0));
    let hs: Vec<_> = (0..3)
        .map(|_| {
            let (c, waiting, woken) = (cond.clone(), waiting.clone(), woken.clone());
            std::thread::spawn(move || {
                let g = c.lock();
                waiting.fetch_add(1, Ordering::Relaxed);
                // No spurious wakeups: returning true means notified.
                assert!(g.wait(None));
                woken.fetch_add(1, Ordering::Relaxed);
            })
        })
        .collect();
    // A waiter counts itself under the lock and registers before releasing
    // it, so seeing 3 under the lock means all 3 are waiting.
    eventually(|| {
        let _g = cond.lock();
        waiting.load(Ordering::Relaxed) == 3
    });
    cond.lock().notify(1);
    eventually(|| woken.load(Ordering::Relaxed) == 1);
    std::thread::sleep(SHORT);
    assert_eq!(
        woken.load(Ordering::Relaxed),
        1,
        "notify(1) woke more than one"
    );
    cond.lock().notify(5);
    for h in hs {
        h.join().unwrap();
    }
    assert_eq!(woken.load(Ordering::Relaxed), 3);
}

// ---------------------------------------------------------------- Semaphore

#[test]
fn semaphore_counts_permits_and_times_out() {
    let sem = Semaphore::new(2);
    assert!(sem.acquire(true, None));
    assert!(sem.acquire(false, None));
    assert_eq!(sem.value(), 0);
    assert!(!sem.acquire(false, None));
    let start = Instant::now();
    assert!(!sem.acquire(true, Some(SHORT)));
    assert!(start.elapsed() >= SHORT);
    assert!(sem.permit_timeout(SHORT).is_none());
    sem.release(2);
    assert_eq!(sem.value(), 2);
    {
        let _p = sem.permit();
        assert_eq!(sem.value(), 1);
        assert!(sem.try_permit().is_some());
        assert_eq!(sem.value(), 1);
    }
    assert_eq!(sem.value(), 2);
    // An unbounded semaphore grows past its initial value; release(0) is a no-op.
    sem.release(3);
    sem.release(0);
    assert_eq!(sem.value(), 5);
}

#[test]
fn semaphore_release_n_wakes_n_blocked_threads() {
    let sem = Arc::new(Semaphore::new(0));
    let hs: Vec<_> = (0..3)
        .map(|_| {
            let s = Arc::clone(&sem);
            std::thread::spawn(move || s.acquire(true, Some(PATIENCE)))
        })
        .collect();
    sem.release(3);
    for h in hs {
        assert!(h.join().unwrap());
    }
    assert_eq!(sem.value(), 0);
}

#[test]
fn semaphore_limits_concurrency() {
    let sem = Arc::new(Semaphore::new(2));
    let inside = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let hs: Vec<_> = (0..6)
        .map(|_| {
            let (sem, inside, most) = (sem.clone(), inside.clone(), most.clone());
            std::thread::spawn(move || {
                for _ in 0..500 {
                    let _p = sem.permit();
                    let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    inside.fetch_sub(1, Ordering::SeqCst);
                }
            })
        })
        .collect();
    for h in hs {
        h.join().unwrap();
    }
    assert!(most.load(Ordering::SeqCst) <= 2);
    assert_eq!(sem.value(), 2);
}

#[test]
fn bounded_semaphore_refuses_release_past_its_bound() {
    let sem = BoundedSemaphore::new(2);
    assert_eq!(sem.bound(), 2);
    assert_eq!(
        sem.release(1),
        Err(ReleaseError::TooManyReleases { bound: 2 })
    );
    assert!(sem.acquire(true, None));
    assert_eq!(
        sem.release(2),
        Err(ReleaseError::TooManyReleases { bound: 2 })
    );
    assert_eq!(sem.value(), 1, "a refused release releases nothing");
    sem.release(1).unwrap();
    assert_eq!(sem.value(), 2);
    assert_eq!(
        ReleaseError::TooManyReleases { bound: 2 }.to_string(),
        "release a bounded semaphore past its initial value 2"
    );
    {
        let _p = sem.permit();
        let _q = sem.permit_timeout(SHORT).unwrap();
        assert!(sem.try_permit().is_none());
    }
    assert_eq!(sem.value(), 2);
}

// ---------------------------------------------------------------- Event

#[test]
fn event_set_clear_and_timeouts() {
    let event = Event::new();
    assert!(!event.is_set());
    let start = Instant::now();
    assert!(!event.wait(Some(SHORT)));
    assert!(start.elapsed() >= SHORT);
    event.set();
    assert!(event.is_set());
    assert!(event.wait(None));
    assert!(event.wait(Some(Duration::ZERO)));
    event.set();
    event.clear();
    assert!(!event.is_set());
    assert!(!event.wait(Some(Duration::ZERO)));
}

#[test]
fn event_set_wakes_every_waiter() {
    let event = Arc::new(Event::new());
    let hs: Vec<_> = (0..4)
        .map(|_| {
            let e = Arc::clone(&event);
            std::thread::spawn(move || e.wait(Some(PATIENCE)))
        })
        .collect();
    event.set();
    for h in hs {
        assert!(h.join().unwrap());
    }
}

// ---------------------------------------------------------------- Barrier

#[test]
fn barrier_gives_each_cycle_every_arrival_index_once() {
    const PARTIES: usize = 3;
    const CYCLES: usize = 200;
    let barrier = Arc::new(Barrier::new(PARTIES));
    assert_eq!(barrier.parties(), PARTIES);
    let arrived = Arc::new(AtomicUsize::new(0));
    let hs: Vec<_> = (0..PARTIES)
        .map(|_| {
            let (b, arrived) = (Arc::clone(&barrier), Arc::clone(&arrived));
            std::thread::spawn(move || {
                let mut indices = Vec::new();
                for cycle in 0..CYCLES {
                    arrived.fetch_add(1, Ordering::SeqCst);
                    indices.push(b.wait(Some(PATIENCE)).unwrap());
                    // Nobody passes before the whole cycle has arrived.
                    assert!(arrived.load(Ordering::SeqCst) >= (cycle + 1) * PARTIES);
                }
                indices
            })
        })
        .collect();
    let all: Vec<Vec<usize>> = hs.into_iter().map(|h| h.join().unwrap()).collect();
    for cycle in 0..CYCLES {
        let mut got: Vec<usize> = all.iter().map(|v| v[cycle]).collect();
        got.sort_unstable();
        assert_eq!(got, [0, 1, 2], "cycle {cycle}");
    }
    assert!(!barrier.broken());
}

#[test]
fn barrier_abort_breaks_it_for_every_waiter() {
    let barrier = Arc::new(Barrier::new(4));
    let hs: Vec<_> = (0..3)
        .map(|_| {
            let b = Arc::clone(&barrier);
            std::thread::spawn(move || b.wait(None))
        })
        .collect();
    eventually(|| barrier.n_waiting() == 3);
    barrier.abort();
    for h in hs {
        assert_eq!(h.join().unwrap(), Err(BrokenBarrierError));
    }
    assert!(barrier.broken());
    assert_eq!(barrier.n_waiting(), 0);
    assert_eq!(barrier.wait(None), Err(BrokenBarrierError));
    barrier.reset();
    assert!(!barrier.broken());
}

#[test]
fn barrier_timeout_breaks_it_and_reset_repairs_it() {
    let barrier = Arc::new(Barrier::new(2));
    let start = Instant::now();
    assert_eq!(barrier.wait(Some(SHORT)), Err(BrokenBarrierError));
    assert!(start.elapsed() >= SHORT);
    assert!(barrier.broken());
    assert_eq!(barrier.wait(Some(PATIENCE)), Err(BrokenBarrierError));
    barrier.reset();
    let b = Arc::clone(&barrier);
    let other = std::thread::spawn(move || b.wait(Some(PATIENCE)));
    let mine = barrier.wait(Some(PATIENCE)).unwrap();
    let theirs = other.join().unwrap().unwrap();
    assert_eq!(mine + theirs, 1);
}

#[test]
fn barrier_reset_while_waiting_fails_the_waiters_then_works() {
    let barrier = Arc::new(Barrier::new(3));
    let hs: Vec<_> = (0..2)
        .map(|_| {
            let b = Arc::clone(&barrier);
            std::thread::spawn(move || b.wait(None))
        })
        .collect();
    eventually(|| barrier.n_waiting() == 2);
    barrier.reset();
    for h in hs {
        assert_eq!(h.join().unwrap(), Err(BrokenBarrierError));
    }
    assert!(!barrier.broken());
    let hs: Vec<_> = (0..2)
        .map(|_| {
            let b = Arc::clone(&barrier);
            std::thread::spawn(move || b.wait(Some(PATIENCE)))
        })
        .collect();
    let mut indices = vec![barrier.wait(Some(PATIENCE)).unwrap()];
    indices.extend(hs.into_iter().map(|h| h.join().unwrap().unwrap()));
    indices.sort_unstable();
    assert_eq!(indices, [0, 1, 2]);
}

#[test]
fn barrier_action_runs_once_per_cycle_by_the_last_arrival() {
    let runs = Arc::new(AtomicUsize::new(0));
    let r = Arc::clone(&runs);
    let barrier = Arc::new(Barrier::with_action(2, move || {
        r.fetch_add(1, Ordering::SeqCst);
    }));
    let b = Arc::clone(&barrier);
    let other = std::thread::spawn(move || {
        (0..50)
            .map(|_| b.wait(Some(PATIENCE)).unwrap())
            .collect::<Vec<_>>()
    });
    for _ in 0..50 {
        barrier.wait(Some(PATIENCE)).unwrap();
    }
    other.join().unwrap();
    assert_eq!(runs.load(Ordering::SeqCst), 50);
}

#[test]
fn barrier_action_panic_reaches_the_last_thread_and_breaks_the_barrier() {
    let barrier = Arc::new(Barrier::with_action(2, || panic!("action failed")));
    let b = Arc::clone(&barrier);
    let first = Thread::new(move || b.wait(None))
        .name("first")
        .start()
        .unwrap();
    eventually(|| barrier.n_waiting() == 1);
    let message = panic_message(|| {
        let _ = barrier.wait(None);
    });
    assert_eq!(message, "action failed");
    assert_eq!(first.join(), Ok(Err(BrokenBarrierError)));
    assert!(barrier.broken());
}

#[test]
fn barrier_of_zero_parties_panics() {
    assert_eq!(
        panic_message(|| {
            Barrier::new(0);
        }),
        "a barrier needs at least one party"
    );
}

// ---------------------------------------------------------------- lock_order

#[test]
fn lock_all_returns_guards_in_the_callers_order() {
    let a = Mutex::new("a");
    let b = Mutex::new("b");
    let c = Mutex::new("c");
    let [x, y, z] = lock_order::lock_all([&c, &a, &b]).unwrap();
    assert_eq!((*x, *y, *z), ("c", "a", "b"));
    drop((x, y, z));
    let guards = lock_order::lock_slice(&[&b, &c]).unwrap();
    assert_eq!(guards.iter().map(|g| **g).collect::<Vec<_>>(), ["b", "c"]);
}

#[test]
fn lock_all_in_either_order_from_two_threads_never_deadlocks() {
    finishes(|| {
        let a = Arc::new(Mutex::new(0_u64));
        let b = Arc::new(Mutex::new(0_u64));
        let forward = {
            let (a, b) = (a.clone(), b.clone());
            std::thread::spawn(move || {
                for _ in 0..20_000 {
                    let [mut x, mut y] = lock_order::lock_all([&*a, &*b]).unwrap();
                    *x += 1;
                    *y += 1;
                }
            })
        };
        let backward = {
            let (a, b) = (a.clone(), b.clone());
            std::thread::spawn(move || {
                for _ in 0..20_000 {
                    let [mut y, mut x] = lock_order::lock_all([&*b, &*a]).unwrap();
                    *x += 1;
                    *y += 1;
                }
            })
        };
        forward.join().unwrap();
        backward.join().unwrap();
        assert_eq!((*a.lock().unwrap(), *b.lock().unwrap()), (40_000, 40_000));
    });
}

#[test]
fn ordered_mutexes_in_either_order_from_two_threads_never_deadlock() {
    finishes(|| {
        let order = LockOrder::new();
        let a = Arc::new(OrderedMutex::new(&order, 1, 0_u64).named("a"));
        let b = Arc::new(OrderedMutex::new(&order, 2, 0_u64).named("b"));
        let hs: Vec<_> = (0..2)
            .map(|t| {
                let (a, b) = (a.clone(), b.clone());
                std::thread::spawn(move || {
                    for _ in 0..10_000 {
                        let [mut x, mut y] = if t == 0 {
                            lock_order::lock_all([&*a, &*b]).unwrap()
                        } else {
                            lock_order::lock_all([&*b, &*a]).unwrap()
                        };
                        *x += 1;
                        *y += 1;
                    }
                })
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
        assert_eq!((*a.lock().unwrap(), *b.lock().unwrap()), (20_000, 20_000));
    });
}

#[test]
fn lock_all_of_the_same_lock_twice_panics() {
    let a = Mutex::new(1);
    let message = panic_message(|| {
        let _ = lock_order::lock_all([&a, &a]);
    });
    assert_eq!(
        message,
        "lock_order: the same lock is named twice (arguments 0 and 1)"
    );
}

#[test]
fn lock_all_reports_poison_with_every_guard() {
    let a = Arc::new(Mutex::new(1));
    let b = Mutex::new(2);
    let a2 = Arc::clone(&a);
    let _ = std::thread::spawn(move || {
        let _g = a2.lock().unwrap();
        panic!("poison it");
    })
    .join();
    let poisoned = lock_order::lock_all([&b, &*a]).unwrap_err();
    let [x, y] = poisoned.into_inner();
    assert_eq!((*x, *y), (2, 1));
}

#[test]
fn ordered_mutex_checks_the_order_and_names_both_locks() {
    let order = LockOrder::new();
    let config = Arc::new(OrderedMutex::new(&order, 1, ()).named("config"));
    let cache = Arc::new(OrderedMutex::new(&order, 2, ()).named("cache"));
    let (c1, c2) = (Arc::clone(&config), Arc::clone(&cache));
    let h = Thread::new(move || {
        let _high = c2.lock().unwrap();
        let _low = c1.lock();
    })
    .name("checker")
    .start()
    .unwrap();
    let JoinError::Panicked { thread, message } = h.join().unwrap_err() else {
        unreachable!("JoinError has one variant")
    };
    assert_eq!(thread, "checker");
    let prefix = format!(
        "lock order violated: thread `checker` locks `config` (rank 1) at {}:",
        file!()
    );
    assert!(message.starts_with(&prefix), "{message}");
    assert!(
        message.contains(&format!(
            "while holding `cache` (rank 2), locked at {}:",
            file!()
        )),
        "{message}"
    );
    assert!(
        message.ends_with("; take locks by increasing rank"),
        "{message}"
    );
    // Both locks are usable afterwards: the panicking thread's holds were
    // forgotten as its guards dropped (`cache` is poisoned: it was held).
    let poisoned = lock_order::lock_all([&*cache, &*config]).unwrap_err();
    let [_c, _k] = poisoned.into_inner();
}

#[test]
fn ordered_mutex_violation_message_has_both_source_lines() {
    let order = LockOrder::new();
    let low = OrderedMutex::new(&order, 1, ()).named("low");
    let high = OrderedMutex::new(&order, 2, ()).named("high");
    let mut lines = (0, 0);
    let message = panic_message(|| {
        let (_h, high_line) = (high.lock().unwrap(), line!());
        lines = (high_line, line!() + 1);
        let _l = low.lock();
    });
    let file = file!();
    let current = std::thread::current();
    let name = current.name().unwrap();
    assert_eq!(
        message,
        format!(
            "lock order violated: thread `{name}` locks `low` (rank 1) at {file}:{} \
             while holding `high` (rank 2), locked at {file}:{}; take locks by increasing rank",
            lines.1, lines.0
        )
    );
}

#[test]
fn ordered_mutex_equal_ranks_and_relocking_are_violations() {
    let order = LockOrder::new();
    let a = OrderedMutex::new(&order, 5, ());
    let b = OrderedMutex::new(&order, 5, ());
    let message = panic_message(|| {
        let _ = lock_order::lock_all([&a, &b]);
    });
    assert!(
        message.contains("locks `rank 5` (rank 5)")
            && message.contains("while holding `rank 5` (rank 5)"),
        "{message}"
    );
    let message = panic_message(|| {
        // Poisoned by the panic above, which held it.
        let _g = a.lock().unwrap_or_else(PoisonError::into_inner);
        let _again = a.lock();
    });
    assert!(message.starts_with("lock order violated"), "{message}");
}

#[test]
fn ordered_mutex_allows_a_lower_rank_after_release_and_in_other_threads() {
    let order = LockOrder::new();
    let low = Arc::new(OrderedMutex::new(&order, 1, 0).named("low"));
    let high = OrderedMutex::new(&order, 2, 0).named("high");
    {
        let _h = high.lock().unwrap();
        // Another thread holds nothing: it may take the low rank.
        let l = Arc::clone(&low);
        std::thread::spawn(move || *l.lock().unwrap() += 1)
            .join()
            .unwrap();
    }
    *low.lock().unwrap() += 1;
    assert_eq!(*low.lock().unwrap(), 2);
    // Separate hierarchies are not checked against each other.
    let other = LockOrder::new();
    let foreign = OrderedMutex::new(&other, 0, ());
    let _h = high.lock().unwrap();
    let _f = foreign.lock().unwrap();
}
