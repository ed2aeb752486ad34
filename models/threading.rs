//! Models of `weft_patterns::threading`: each primitive, `Thread`, `Timer`
//! and `local()` verified, and classic broken variants (built here on the
//! weft primitives) caught with the exact failure kind and report content:
//! among them a timer whose cancel races its firing, a "thread-local" that
//! is one shared slot, and a thread's result read before joining it.
//!
//! The bug-catching tests run under a checker only (`--features loom` or
//! `--features shuttle`); in std mode a broken variant is just a flaky
//! program.

use weft::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use weft::sync::{Arc, Condvar, Mutex};
use weft::thread::{self, JoinHandle};
use weft::time::Duration;
use weft::Model;
use weft_patterns::threading::{
    self, Barrier, BoundedSemaphore, BrokenBarrierError, Condition, Event, Lock, RLock,
    ReleaseError, Semaphore, Thread, Timer,
};

#[cfg(any(feature = "loom", feature = "shuttle"))]
use weft::{record::WaitKind, FailureKind};

#[track_caller]
fn spawn_named<T: Send + 'static>(
    name: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> JoinHandle<T> {
    thread::Builder::new()
        .name(name.to_string())
        .spawn(f)
        .expect("spawn a model thread")
}

/// Counts the threads inside a critical section and fails when more than
/// `limit` are.
#[derive(Debug)]
struct Occupancy(AtomicUsize);

impl Occupancy {
    fn new() -> Self {
        Occupancy(AtomicUsize::new(0).named("inside"))
    }

    fn enter(&self, limit: usize) {
        let inside = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        assert!(
            inside <= limit,
            "too many holders inside: {inside} > {limit}"
        );
    }

    fn leave(&self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

// ------------------------------------------------------------ verified

#[test]
fn lock_excludes() {
    Model::new().check(|| {
        let lock = Arc::new(Lock::new().named("lock"));
        let room = Arc::new(Occupancy::new());
        let workers: Vec<_> = (0..2)
            .map(|i| {
                let (lock, room) = (lock.clone(), room.clone());
                spawn_named(&format!("worker-{i}"), move || {
                    let _held = lock.lock();
                    room.enter(1);
                    room.leave();
                })
            })
            .collect();
        for w in workers {
            w.join().unwrap();
        }
        assert!(!lock.locked());
    });
}

#[test]
fn lock_timeout_either_acquires_or_gives_up() {
    Model::new().check(|| {
        let lock = Arc::new(Lock::new().named("lock"));
        let l = lock.clone();
        let holder = spawn_named("holder", move || {
            let _held = l.lock();
        });
        // Under a checker the timeout may fire or not: both are explored.
        if lock.acquire(true, Some(weft::time::Duration::from_millis(5))) {
            lock.release().unwrap();
        }
        holder.join().unwrap();
        assert!(!lock.locked());
        assert_eq!(lock.release(), Err(ReleaseError::Unlocked));
    });
}

#[test]
fn rlock_reenters_and_excludes() {
    Model::new().check(|| {
        let lock = Arc::new(RLock::new().named("rlock"));
        let room = Arc::new(Occupancy::new());
        let workers: Vec<_> = (0..2)
            .map(|i| {
                let (lock, room) = (lock.clone(), room.clone());
                spawn_named(&format!("worker-{i}"), move || {
                    assert!(lock.acquire(true, None));
                    let _again = lock.lock();
                    room.enter(1);
                    room.leave();
                    lock.release().unwrap();
                })
            })
            .collect();
        for w in workers {
            w.join().unwrap();
        }
        assert_eq!(lock.release(), Err(ReleaseError::Unlocked));
    });
}

#[test]
fn condition_wakes_its_waiter() {
    Model::new().check(|| {
        let cond = Arc::new(Condition::new().named("items"));
        // Guarded by the condition's lock; atomic only because `Lock` holds no data.
        let items = Arc::new(AtomicUsize::new(0));
        let (c, i) = (cond.clone(), items.clone());
        let producer = spawn_named("producer", move || {
            let held = c.lock();
            i.store(1, Ordering::Relaxed);
            held.notify(1);
        });
        let held = cond.lock();
        assert!(held.wait_for(|| items.load(Ordering::Relaxed) == 1, None));
        drop(held);
        producer.join().unwrap();
    });
}

#[test]
fn semaphore_admits_at_most_its_value() {
    // Three contenders for two permits: loom's exhaustive search takes
    // minutes, so it is bounded to three preemptions.
    Model::new().preemption_bound(3).check(|| {
        let slots = Arc::new(Semaphore::new(2).named("slots"));
        let room = Arc::new(Occupancy::new());
        let workers: Vec<_> = (0..3)
            .map(|i| {
                let (slots, room) = (slots.clone(), room.clone());
                spawn_named(&format!("worker-{i}"), move || {
                    let _permit = slots.permit();
                    room.enter(2);
                    room.leave();
                })
            })
            .collect();
        for w in workers {
            w.join().unwrap();
        }
        assert_eq!(slots.value(), 2);
    });
}

#[test]
fn bounded_semaphore_refuses_an_extra_release() {
    Model::new().check(|| {
        let sem = Arc::new(BoundedSemaphore::new(1).named("bounded"));
        let s = sem.clone();
        let worker = spawn_named("worker", move || {
            let _permit = s.permit();
        });
        // Whenever it runs, a release on top of the free permit is refused,
        // and one that gives back a taken permit is accepted.
        if sem.acquire(false, None) {
            sem.release(1).unwrap();
        }
        worker.join().unwrap();
        assert_eq!(
            sem.release(1),
            Err(ReleaseError::TooManyReleases { bound: 1 })
        );
        assert_eq!(sem.value(), 1);
    });
}

#[test]
fn event_wakes_its_waiter() {
    Model::new().check(|| {
        let ready = Arc::new(Event::new().named("ready"));
        let r = ready.clone();
        let waiter = spawn_named("waiter", move || r.wait(None));
        ready.set();
        assert!(waiter.join().unwrap());
        assert!(ready.is_set());
    });
}

#[test]
fn barrier_keeps_cycles_apart() {
    Model::new().check(|| {
        const CYCLES: usize = 2;
        let barrier = Arc::new(Barrier::new(2).named("barrier"));
        let arrived = Arc::new(AtomicUsize::new(0));
        let workers: Vec<_> = (0..2)
            .map(|i| {
                let (barrier, arrived) = (barrier.clone(), arrived.clone());
                spawn_named(&format!("worker-{i}"), move || {
                    let mut indices = Vec::new();
                    for cycle in 0..CYCLES {
                        arrived.fetch_add(1, Ordering::SeqCst);
                        indices.push(barrier.wait(None).unwrap());
                        assert!(arrived.load(Ordering::SeqCst) >= 2 * (cycle + 1));
                    }
                    indices
                })
            })
            .collect();
        let indices: Vec<Vec<usize>> = workers.into_iter().map(|w| w.join().unwrap()).collect();
        // Each cycle hands out the arrival indices 0 and 1 once each.
        for (cycle, (a, b)) in indices[0].iter().zip(&indices[1]).enumerate() {
            assert_eq!(a + b, 1, "cycle {cycle}");
        }
        assert_eq!(indices[0].len(), CYCLES);
    });
}

#[test]
fn barrier_abort_breaks_it_for_every_waiter() {
    Model::new().check(|| {
        let barrier = Arc::new(Barrier::new(3).named("barrier"));
        let waiters: Vec<_> = (0..2)
            .map(|i| {
                let b = barrier.clone();
                spawn_named(&format!("waiter-{i}"), move || b.wait(None))
            })
            .collect();
        // Before, during or after their arrival: every waiter is released
        // with the error.
        barrier.abort();
        for w in waiters {
            assert_eq!(w.join().unwrap(), Err(BrokenBarrierError));
        }
        assert!(barrier.broken());
    });
}

#[test]
fn barrier_timeout_breaks_it_for_both_or_neither() {
    Model::new().check(|| {
        let barrier = Arc::new(Barrier::new(2).named("barrier"));
        let b = barrier.clone();
        let timeout = Some(weft::time::Duration::from_millis(5));
        let other = spawn_named("other", move || b.wait(timeout));
        let mine = barrier.wait(timeout);
        let theirs = other.join().unwrap();
        // A party that gives up breaks the barrier for the other one too.
        match (mine, theirs) {
            (Ok(a), Ok(b)) => assert_eq!(a + b, 1),
            (Err(BrokenBarrierError), Err(BrokenBarrierError)) => assert!(barrier.broken()),
            outcome => panic!("one party passed and one did not: {outcome:?}"),
        }
    });
}

#[test]
fn event_set_then_clear_still_wakes_its_waiter() {
    Model::new().check(|| {
        let ready = Arc::new(Event::new().named("ready"));
        let r = ready.clone();
        let waiter = spawn_named("waiter", move || r.wait(None));
        ready.set();
        ready.clear();
        // Whether it waited before the set or arrives after the clear:
        // woken (true), or still waiting for the next set.
        ready.set();
        assert!(waiter.join().unwrap());
    });
}

#[test]
fn condition_timed_wait_reports_what_happened() {
    Model::new().check(|| {
        let cond = Arc::new(Condition::new().named("cond"));
        let flag = Arc::new(AtomicBool::new(false).named("flag"));
        let (c, f) = (cond.clone(), flag.clone());
        let waiter = spawn_named("waiter", move || {
            let held = c.lock();
            let timeout = Some(weft::time::Duration::from_millis(5));
            let seen = held.wait_for(|| f.load(Ordering::Relaxed), timeout);
            // The lock is held again: the flag cannot change under us.
            assert_eq!(seen, f.load(Ordering::Relaxed));
        });
        {
            let held = cond.lock();
            flag.store(true, Ordering::Relaxed);
            held.notify_all();
        }
        waiter.join().unwrap();
    });
}

#[test]
fn condition_notify_one_wakes_one_of_two() {
    // Three threads on a condition and its re-entrant lock: loom's
    // exhaustive search takes minutes, so it is bounded to three preemptions.
    Model::new().preemption_bound(3).check(|| {
        let cond = Arc::new(Condition::new().named("cond"));
        let tokens = Arc::new(AtomicUsize::new(0).named("tokens"));
        let waiters: Vec<_> = (0..2)
            .map(|i| {
                let (c, t) = (cond.clone(), tokens.clone());
                spawn_named(&format!("waiter-{i}"), move || {
                    let held = c.lock();
                    assert!(held.wait_for(|| t.load(Ordering::Relaxed) > 0, None));
                    t.fetch_sub(1, Ordering::Relaxed);
                })
            })
            .collect();
        for _ in 0..2 {
            let held = cond.lock();
            tokens.fetch_add(1, Ordering::Relaxed);
            held.notify(1);
        }
        for w in waiters {
            w.join().unwrap();
        }
        assert_eq!(tokens.load(Ordering::Relaxed), 0);
    });
}

const SECOND_ACQUIRE_LINE: u32 = line!() + 6;
/// `Lock` is not re-entrant (that is `RLock`): the documented misuse.
#[cfg_attr(not(any(feature = "loom", feature = "shuttle")), allow(dead_code))]
fn lock_acquired_twice_model() {
    let lock = Lock::new().named("table");
    let _first = lock.lock();
    let _second = lock.lock();
}

#[test]
#[cfg(any(feature = "loom", feature = "shuttle"))]
fn lock_acquired_twice_by_one_thread_deadlocks_where_it_was_called() {
    let failure = Model::new()
        .name("lock_acquired_twice")
        .expect_failure(FailureKind::Deadlock)
        .check(lock_acquired_twice_model)
        .into_caught()
        .expect("the declared failure");
    assert_eq!(failure.kind(), FailureKind::Deadlock);
    let blocked = failure.blocked_threads();
    assert_eq!(blocked.len(), 1, "{failure}");
    // The primitive's internals are reported at the caller's line.
    assert_eq!(blocked[0].waits_for, "table");
    assert_eq!(
        (blocked[0].at.file, blocked[0].at.line),
        (file!(), SECOND_ACQUIRE_LINE)
    );
}

// ------------------------------------------------------------ broken variants

/// A semaphore whose check (a permit is free) and decrement are two
/// critical sections: two threads can both see the last permit.
#[derive(Debug)]
struct CheckThenTakeSemaphore {
    permits: Mutex<isize>,
    available: Condvar,
}

impl CheckThenTakeSemaphore {
    fn new(permits: isize) -> Self {
        CheckThenTakeSemaphore {
            permits: Mutex::new(permits).named("permits"),
            available: Condvar::new().named("available"),
        }
    }

    fn acquire(&self) {
        let mut permits = self.permits.lock().unwrap();
        while *permits <= 0 {
            permits = self.available.wait(permits).unwrap();
        }
        drop(permits); // BUG: the lock is released between check and take
        Self::take(&self.permits);
    }
}

const TAKE_LINE: u32 = line!() + 3;
impl CheckThenTakeSemaphore {
    fn take(permits: &Mutex<isize>) {
        *permits.lock().unwrap() -= 1;
    }

    fn release(&self) {
        *self.permits.lock().unwrap() += 1;
        self.available.notify_one();
    }
}

#[cfg_attr(not(any(feature = "loom", feature = "shuttle")), allow(dead_code))]
fn check_then_take_model() {
    let sem = Arc::new(CheckThenTakeSemaphore::new(1));
    let room = Arc::new(Occupancy::new());
    let workers: Vec<_> = (0..2)
        .map(|i| {
            let (sem, room) = (sem.clone(), room.clone());
            spawn_named(&format!("worker-{i}"), move || {
                sem.acquire();
                room.enter(1);
                room.leave();
                sem.release();
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
}

#[test]
#[cfg(any(feature = "loom", feature = "shuttle"))]
fn semaphore_with_separate_check_and_take_is_caught() {
    let failure = Model::new()
        .name("check_then_take_semaphore")
        .expect_failure(FailureKind::Assertion)
        .check(check_then_take_model)
        .into_caught()
        .expect("the declared failure");
    assert_eq!(failure.kind(), FailureKind::Assertion);
    assert_eq!(failure.message(), "too many holders inside: 2 > 1");
    let thread = failure.thread_name().unwrap();
    assert!(thread == "worker-0" || thread == "worker-1", "{thread}");
    let report = failure.to_string();
    assert!(report.contains("permits"), "{report}");
    assert!(
        report.contains("worker-0") && report.contains("worker-1"),
        "{report}"
    );
    assert!(
        report.contains(&format!("{}:{TAKE_LINE}", file!())),
        "the report shows the separate take: {report}"
    );
}

/// An event whose `wait` reads the flag before taking the lock: a `set`
/// between the read and the wait notifies nobody, and the waiter sleeps
/// forever.
#[derive(Debug)]
struct FlagOutsideLockEvent {
    flag: AtomicBool,
    lock: Mutex<()>,
    changed: Condvar,
}

impl FlagOutsideLockEvent {
    fn new() -> Self {
        FlagOutsideLockEvent {
            flag: AtomicBool::new(false).named("event.flag"),
            lock: Mutex::new(()).named("event.lock"),
            changed: Condvar::new().named("event.changed"),
        }
    }

    fn set(&self) {
        self.flag.store(true, Ordering::SeqCst);
        let _held = self.lock.lock().unwrap();
        self.changed.notify_all();
    }
}

const EVENT_WAIT_LINE: u32 = line!() + 8;
impl FlagOutsideLockEvent {
    fn wait(&self) {
        // BUG: the flag is checked outside the lock.
        if self.flag.load(Ordering::SeqCst) {
            return;
        }
        let held = self.lock.lock().unwrap();
        let _held = self.changed.wait(held).unwrap();
    }
}

#[cfg_attr(not(any(feature = "loom", feature = "shuttle")), allow(dead_code))]
fn flag_outside_lock_model() {
    let event = Arc::new(FlagOutsideLockEvent::new());
    let e = event.clone();
    let waiter = spawn_named("waiter", move || e.wait());
    let e = event.clone();
    let setter = spawn_named("setter", move || e.set());
    setter.join().unwrap();
    waiter.join().unwrap();
}

#[test]
#[cfg(any(feature = "loom", feature = "shuttle"))]
fn event_checking_its_flag_outside_the_lock_loses_the_wakeup() {
    let failure = Model::new()
        .name("flag_outside_lock_event")
        .expect_failure(FailureKind::Deadlock)
        .check(flag_outside_lock_model)
        .into_caught()
        .expect("the declared failure");
    assert_eq!(failure.kind(), FailureKind::Deadlock);
    assert!(failure.is_lost_wakeup(), "{failure}");
    assert!(failure.deadlock_cycle().is_none());
    let blocked = failure.blocked_threads();
    let waiter = blocked
        .iter()
        .find(|b| b.thread == "waiter")
        .unwrap_or_else(|| panic!("the waiter is blocked: {failure}"));
    assert_eq!(waiter.kind, WaitKind::Condvar);
    assert_eq!(waiter.waits_for, "event.changed");
    assert_eq!((waiter.at.file, waiter.at.line), (file!(), EVENT_WAIT_LINE));
    let report = failure.to_string();
    assert!(
        report.contains("setter") && report.contains("event.changed"),
        "{report}"
    );
}

/// A barrier that resets its count when the last party arrives and lets
/// waiters leave when the count is zero, with no generation: a fast thread
/// that enters the next cycle makes the count non-zero again before a slow
/// waiter of the last cycle re-checks it.
#[derive(Debug)]
struct NoGenerationBarrier {
    parties: usize,
    count: Mutex<usize>,
    all_here: Condvar,
}

const BARRIER_WAIT_LINE: u32 = line!() + 12;
impl NoGenerationBarrier {
    fn wait(&self) {
        let mut count = self.count.lock().unwrap();
        *count += 1;
        if *count == self.parties {
            *count = 0;
            self.all_here.notify_all();
            return;
        }
        // BUG: "the count went back to 0" stands in for "my cycle completed".
        while *count != 0 {
            count = self.all_here.wait(count).unwrap();
        }
    }
}

#[cfg_attr(not(any(feature = "loom", feature = "shuttle")), allow(dead_code))]
fn no_generation_barrier_model() {
    let barrier = Arc::new(NoGenerationBarrier {
        parties: 2,
        count: Mutex::new(0).named("barrier.count"),
        all_here: Condvar::new().named("barrier.all_here"),
    });
    let workers: Vec<_> = (0..2)
        .map(|i| {
            let b = barrier.clone();
            spawn_named(&format!("worker-{i}"), move || {
                b.wait();
                b.wait();
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
}

#[test]
#[cfg(any(feature = "loom", feature = "shuttle"))]
fn barrier_reused_without_a_generation_is_caught() {
    let failure = Model::new()
        .name("no_generation_barrier")
        .expect_failure(FailureKind::Deadlock)
        .check(no_generation_barrier_model)
        .into_caught()
        .expect("the declared failure");
    assert_eq!(failure.kind(), FailureKind::Deadlock);
    assert!(failure.is_lost_wakeup(), "{failure}");
    let mut stuck: Vec<_> = failure
        .blocked_threads()
        .into_iter()
        .filter(|b| b.thread.starts_with("worker-"))
        .collect();
    stuck.sort_by(|a, b| a.thread.cmp(&b.thread));
    assert_eq!(stuck.len(), 2, "{failure}");
    for b in &stuck {
        assert_eq!(b.kind, WaitKind::Condvar);
        assert_eq!(b.waits_for, "barrier.all_here");
        assert_eq!((b.at.file, b.at.line), (file!(), BARRIER_WAIT_LINE));
    }
}

// ------------------------------------------------------------ std mode

/// The line constants above point at the statements the reports name.
#[test]
fn line_constants_point_at_their_statements() {
    let source: Vec<&str> = include_str!("threading.rs").lines().collect();
    let line = |n: u32| source[n as usize - 1].trim();
    assert_eq!(line(TAKE_LINE), "*permits.lock().unwrap() -= 1;");
    assert_eq!(
        line(EVENT_WAIT_LINE),
        "let _held = self.changed.wait(held).unwrap();"
    );
    assert_eq!(line(SECOND_ACQUIRE_LINE), "let _second = lock.lock();");
    assert_eq!(
        line(BARRIER_WAIT_LINE),
        "count = self.all_here.wait(count).unwrap();"
    );
}

// ------------------------------------------- Thread, Timer, local: verified

#[test]
fn thread_runs_its_target_and_join_returns_the_value() {
    Model::new().name("thread_start_join").check(|| {
        let seen = Arc::new(AtomicUsize::new(0).named("seen"));
        let s = seen.clone();
        let worker = Thread::new(move || {
            s.store(7, Ordering::SeqCst);
            6 * 7
        })
        .name("worker")
        .start()
        .unwrap();
        assert_eq!(worker.name(), "worker");
        assert_eq!(worker.join(), Ok(42));
        // join orders the target's writes before this read.
        assert_eq!(seen.load(Ordering::SeqCst), 7);
    });
}

#[test]
fn a_dropped_non_daemon_thread_is_joined() {
    Model::new().name("thread_drop_joins").check(|| {
        let seen = Arc::new(AtomicUsize::new(0).named("seen"));
        let s = seen.clone();
        let worker = Thread::new(move || s.store(1, Ordering::SeqCst))
            .name("worker")
            .start()
            .unwrap();
        drop(worker);
        assert_eq!(seen.load(Ordering::SeqCst), 1);
    });
}

/// The one assertion of every timer model: a cancel that returned `true`
/// means the function never ran; `false` means it ran.
fn timer_cancel_race_model(cancel: impl FnOnce(&Arc<AtomicUsize>) -> bool) {
    let ran = Arc::new(AtomicUsize::new(0).named("ran"));
    let cancelled = cancel(&ran);
    let runs = ran.load(Ordering::SeqCst);
    if cancelled {
        assert_eq!(runs, 0, "the function ran after cancel returned true");
    } else {
        assert_eq!(runs, 1, "cancel returned false but the function never ran");
    }
}

#[test]
fn timer_cancel_racing_its_firing_has_one_winner() {
    Model::new().name("timer_cancel_race").check(|| {
        timer_cancel_race_model(|ran| {
            let r = ran.clone();
            let mut timer = Timer::new(Duration::from_millis(1), move || {
                r.fetch_add(1, Ordering::SeqCst);
            })
            .name("timer");
            timer.start().unwrap();
            // Virtual time: the timer's wait may end by its timeout before
            // or after this cancel; both are explored.
            let cancelled = timer.cancel();
            timer.join().unwrap();
            cancelled
        });
    });
}

#[test]
fn each_thread_sees_its_own_local_value() {
    Model::new().name("local_per_thread").check(|| {
        let slot = threading::local::<usize>();
        let workers: Vec<_> = (1..=2)
            .map(|i| {
                let slot = slot.clone();
                Thread::new(move || {
                    slot.set(i);
                    weft::thread::yield_now();
                    slot.get()
                })
                .name(format!("worker-{i}"))
                .start()
                .unwrap()
            })
            .collect();
        slot.set(100);
        for (i, w) in (1..=2).zip(workers) {
            assert_eq!(w.join(), Ok(i), "worker-{i} saw another thread's value");
        }
        assert_eq!(slot.get(), 100);
    });
}

// ------------------------------- broken: a timer whose cancel races firing

/// A timer that decides to fire under its lock, releases it, and only then
/// marks itself fired: a cancel in between returns `true` ("will never
/// run"), and the function runs anyway.
#[cfg_attr(not(any(feature = "loom", feature = "shuttle")), allow(dead_code))]
struct RacyTimer {
    /// (cancelled, fired)
    state: Mutex<(bool, bool)>,
}

#[cfg_attr(not(any(feature = "loom", feature = "shuttle")), allow(dead_code))]
impl RacyTimer {
    fn cancel(&self) -> bool {
        let mut state = self.state.lock().unwrap();
        state.0 = true;
        !state.1
    }

    fn fire(&self, function: impl FnOnce()) {
        let cancelled = self.state.lock().unwrap().0; // looks ...
        if !cancelled {
            self.state.lock().unwrap().1 = true; // ... then marks: not one step
            function();
        }
    }
}

#[cfg_attr(not(any(feature = "loom", feature = "shuttle")), allow(dead_code))]
fn racy_timer_model() {
    timer_cancel_race_model(|ran| {
        let timer = Arc::new(RacyTimer {
            state: Mutex::new((false, false)).named("timer.state"),
        });
        let (t, r) = (timer.clone(), ran.clone());
        let thread = spawn_named("timer", move || {
            t.fire(|| {
                r.fetch_add(1, Ordering::SeqCst);
            })
        });
        let cancelled = timer.cancel();
        thread.join().unwrap();
        cancelled
    });
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn a_timer_whose_cancel_races_its_firing_is_caught() {
    let failure = Model::new()
        .name("racy_timer")
        .expect_failure(FailureKind::Assertion)
        .check(racy_timer_model)
        .into_caught()
        .expect("the declared failure");
    assert_eq!(failure.kind(), FailureKind::Assertion, "{failure}");
    assert!(
        failure.message().starts_with(
            "assertion `left == right` failed: the function ran after cancel returned true"
        ),
        "{}",
        failure.message()
    );
    assert_eq!(failure.thread_name().as_deref(), Some("main"));
    let report = failure.to_string();
    assert!(report.contains("timer.state"), "{report}");
    assert!(
        failure.threads_in_steps().contains(&"timer".to_string()),
        "{report}"
    );
}

// ------------------------------- broken: a "local" that is one shared slot

/// A thread-local that is really one value for every thread.
#[cfg_attr(not(any(feature = "loom", feature = "shuttle")), allow(dead_code))]
fn shared_slot_local_model() {
    let slot = Arc::new(Mutex::new(0usize).named("slot"));
    let workers: Vec<_> = (1..=2)
        .map(|i| {
            let slot = slot.clone();
            spawn_named(&format!("worker-{i}"), move || {
                *slot.lock().unwrap() = i;
                weft::thread::yield_now();
                let seen = *slot.lock().unwrap();
                assert_eq!(seen, i, "worker-{i} saw another thread's value");
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn a_local_shared_between_threads_is_caught() {
    let failure = Model::new()
        .name("shared_slot_local")
        .expect_failure(FailureKind::Assertion)
        .check(shared_slot_local_model)
        .into_caught()
        .expect("the declared failure");
    assert_eq!(failure.kind(), FailureKind::Assertion, "{failure}");
    let thread = failure.thread_name().unwrap();
    assert!(thread == "worker-1" || thread == "worker-2", "{thread}");
    assert!(
        failure
            .message()
            .contains(&format!("{thread} saw another thread's value")),
        "{}",
        failure.message()
    );
    assert!(failure.to_string().contains("slot"), "{failure}");
}

// ------------------- broken: reading a thread's result without joining it

#[cfg_attr(not(any(feature = "loom", feature = "shuttle")), allow(dead_code))]
fn read_without_join_model() {
    let seen = Arc::new(AtomicUsize::new(0).named("seen"));
    let s = seen.clone();
    let worker = Thread::new(move || s.store(7, Ordering::SeqCst))
        .name("setter")
        .daemon(true)
        .start()
        .unwrap();
    // Broken: `start` does not wait for the target; only `join` does.
    let value = seen.load(Ordering::SeqCst);
    assert_eq!(value, 7, "read the target's result before joining it");
    let _ = worker.join();
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn reading_a_threads_result_before_join_is_caught() {
    let failure = Model::new()
        .name("read_without_join")
        .expect_failure(FailureKind::Assertion)
        .check(read_without_join_model)
        .into_caught()
        .expect("the declared failure");
    assert_eq!(failure.kind(), FailureKind::Assertion, "{failure}");
    assert!(
        failure
            .message()
            .contains("read the target's result before joining it"),
        "{}",
        failure.message()
    );
    assert_eq!(failure.thread_name().as_deref(), Some("main"));
    assert!(failure.to_string().contains("seen"), "{failure}");
}
