//! The asyncio-style event loop under a checker: tasks take turns on one
//! model thread, the order of ready tasks is a choice the checker explores
//! (`weft_sync::rand::choose`: on shuttle; loom explores threads, not
//! choices, so there the loop stays FIFO), and time is virtual.
//!
//! Verified: a producer and a consumer over a bounded `aio::Queue`; a
//! withdrawal under an `aio::Lock`; a `wait_for` whose caller waits for the
//! cancelled task before retrying; a `run_in_executor` result handed back
//! from another thread while a timer is pending. Caught: a check-then-await-then-act race
//! on shared state, an `Event` cleared after its `set` (a lost wakeup: the
//! loop reports the deadlock, naming the waiting task), and a `wait_for`
//! whose timeout races the work it guards.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use weft::time::Duration;
#[cfg(any(feature = "loom", feature = "shuttle"))]
use weft_patterns::aio::Event;
use weft_patterns::aio::{self, Lock, Queue};

// ----- producer / consumer over a bounded queue (verified) --------------------

fn producer_consumer() {
    let total = aio::run(async {
        let jobs = Rc::new(Queue::new(2).named("jobs"));
        let q = jobs.clone();
        let consumer = aio::create_task_named("consumer", async move {
            let mut total = 0;
            loop {
                let job: Option<u32> = q.get().await.unwrap();
                q.task_done();
                match job {
                    Some(n) => total += n,
                    None => return total,
                }
            }
        });
        let q = jobs.clone();
        let producer = aio::create_task_named("producer", async move {
            for n in 1..=4 {
                q.put(Some(n)).await.unwrap();
                assert!(q.len() <= 2, "the queue holds at most maxsize items");
            }
            q.put(None).await.unwrap();
        });
        producer.await.unwrap();
        jobs.join().await;
        assert_eq!(jobs.unfinished_tasks(), 0);
        consumer.await.unwrap()
    });
    assert_eq!(total, 10, "every job was consumed exactly once");
}

#[test]
fn queue_producer_consumer_is_verified() {
    weft::Model::new()
        .name("aio_queue_producer_consumer")
        .check(producer_consumer);
}

// ----- check, await, act ------------------------------------------------------

/// Withdraws `amount` if the balance covers it, with an await (say, an
/// audit-log write) between the check and the update. `log` records each
/// task's steps by name, for the assertion message.
async fn withdraw(
    who: &'static str,
    balance: Rc<Cell<i64>>,
    log: Rc<RefCell<Vec<String>>>,
    amount: i64,
    lock: Option<Rc<Lock>>,
) {
    let _held = match &lock {
        Some(lock) => Some(lock.lock().await),
        None => None,
    };
    let seen = balance.get();
    log.borrow_mut()
        .push(format!("{who} checks balance {seen}"));
    if seen >= amount {
        aio::yield_now().await; // the audit log: another task may run here
        balance.set(balance.get() - amount);
        log.borrow_mut().push(format!(
            "{who} withdraws {amount}, balance {}",
            balance.get()
        ));
    }
}

/// Alice and Bob each withdraw 80 from 100. Bob first does an unrelated
/// await, so in FIFO order Alice's check-await-act completes before Bob
/// checks: the bug hides unless the checker explores another order.
fn two_withdrawals(with_lock: bool) {
    aio::run(async move {
        let balance = Rc::new(Cell::new(100));
        let log = Rc::new(RefCell::new(Vec::new()));
        let lock = with_lock.then(|| Rc::new(Lock::new().named("account")));
        let alice = aio::create_task_named(
            "alice",
            withdraw("alice", balance.clone(), log.clone(), 80, lock.clone()),
        );
        let (b, l, k) = (balance.clone(), log.clone(), lock.clone());
        let bob = aio::create_task_named("bob", async move {
            aio::yield_now().await; // fetch the session first
            withdraw("bob", b, l, 80, k).await;
        });
        for result in aio::gather([alice, bob]).await {
            result.unwrap();
        }
        assert!(
            balance.get() >= 0,
            "balance went negative: {}; steps: {:?}",
            balance.get(),
            log.borrow()
        );
    });
}

#[test]
fn withdrawals_under_a_lock_are_verified() {
    weft::Model::new()
        .name("aio_withdraw_locked")
        .check(|| two_withdrawals(true));
}

// Only shuttle explores the order of ready tasks (`rand::choose`); on loom
// and in std mode the loop is FIFO, and FIFO order happens to be safe here.
#[cfg(feature = "shuttle")]
#[test]
fn check_then_await_then_act_is_caught_with_both_tasks_steps() {
    let failure = weft::Model::new()
        .name("aio_withdraw_race")
        .expect_failure(weft::FailureKind::Assertion)
        .check(|| two_withdrawals(false))
        .into_caught()
        .expect("the declared failure");
    assert_eq!(failure.kind(), weft::FailureKind::Assertion, "{failure}");
    let message = failure.message();
    assert!(message.contains("balance went negative: -60"), "{failure}");
    // Both tasks checked 100 before either withdrew.
    assert!(message.contains("alice checks balance 100"), "{failure}");
    assert!(message.contains("bob checks balance 100"), "{failure}");
    assert!(message.contains("balance -60"), "{failure}");
}

// ----- Event: a lost wakeup ---------------------------------------------------

/// The consumer sees no item, awaits (a log write), then clears the event
/// and waits. If the producer pushed and set the event during that await,
/// the `clear` erases the wakeup and the consumer waits forever.
#[cfg(any(feature = "loom", feature = "shuttle"))]
fn event_cleared_after_set() {
    aio::run(async {
        let items = Rc::new(RefCell::new(Vec::new()));
        let ready = Rc::new(Event::new().named("item-ready"));
        let (i, r) = (items.clone(), ready.clone());
        let consumer = aio::create_task_named("consumer", async move {
            if i.borrow().is_empty() {
                aio::yield_now().await; // "waiting for an item"
                r.clear();
                r.wait().await;
            }
            i.borrow_mut().pop()
        });
        let (i, r) = (items.clone(), ready.clone());
        let producer = aio::create_task_named("producer", async move {
            i.borrow_mut().push(7);
            r.set();
        });
        let got = aio::gather([consumer]).await;
        producer.await.unwrap();
        assert_eq!(got, [Ok(Some(7))]);
    });
}

// FIFO order (loom) hits the bad order; shuttle explores it among others.
#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn event_lost_wakeup_is_caught_as_a_deadlock_naming_the_waiting_task() {
    let failure = weft::Model::new()
        .name("aio_event_lost_wakeup")
        .expect_failure(weft::FailureKind::Deadlock)
        .check(event_cleared_after_set)
        .into_caught()
        .expect("the declared failure");
    // The loop detects its own deadlock (every task waits, no timer, no
    // other thread holds a waker) and declares it to the checker.
    assert_eq!(failure.kind(), weft::FailureKind::Deadlock, "{failure}");
    let message = failure.message();
    assert!(
        message.starts_with(aio::DEADLOCK_MESSAGE_PREFIX),
        "{failure}"
    );
    assert!(
        message.contains("task 'consumer' waits on Event.wait 'item-ready'"),
        "{failure}"
    );
    assert!(
        message.contains("task 'main' waits on task 'consumer'"),
        "{failure}"
    );
}

// ----- wait_for: the timeout races the work -----------------------------------

/// Charges a card: a remote call (10 ms), the charge, then a receipt.
async fn charge(charges: Rc<Cell<u32>>) {
    aio::sleep(Duration::from_millis(10)).await;
    charges.set(charges.get() + 1);
    aio::yield_now().await; // send the receipt
}

/// Waits 10 ms for the charge; on timeout retries it once. With
/// `wait_for_cancelled_task`, the retry first waits for the cancelled
/// attempt to end and skips the retry if that attempt charged.
fn charge_with_timeout(wait_for_cancelled_task: bool) -> (u32, bool) {
    aio::run(async move {
        let charges = Rc::new(Cell::new(0));
        let mut attempt = aio::create_task_named("charge", charge(charges.clone()));
        let timed_out = aio::wait_for(&mut attempt, Duration::from_millis(10))
            .await
            .is_err();
        if timed_out {
            attempt.cancel();
            if wait_for_cancelled_task {
                let _ = (&mut attempt).await;
            }
            if !wait_for_cancelled_task || charges.get() == 0 {
                // "The charge timed out, so it did not happen": retry.
                charges.set(charges.get() + 1);
            }
        }
        assert_eq!(charges.get(), 1, "the customer was charged twice");
        (charges.get(), timed_out)
    })
}

#[test]
fn wait_for_with_a_careful_retry_is_verified() {
    weft::Model::new()
        .name("aio_wait_for_careful_retry")
        .check(|| {
            charge_with_timeout(true);
        });
}

// Both timers are due at the same virtual instant; which of the two tasks
// then runs first is a choice only shuttle explores.
#[cfg(feature = "shuttle")]
#[test]
fn wait_for_timeout_race_is_caught() {
    let failure = weft::Model::new()
        .name("aio_wait_for_race")
        .expect_failure(weft::FailureKind::Assertion)
        .check(|| {
            charge_with_timeout(false);
        })
        .into_caught()
        .expect("the declared failure");
    assert_eq!(failure.kind(), weft::FailureKind::Assertion, "{failure}");
    assert!(
        failure.message().contains("the customer was charged twice"),
        "{failure}"
    );
}

#[cfg(feature = "shuttle")]
#[test]
fn wait_for_timeout_and_completion_are_both_explored() {
    use std::sync::atomic::{AtomicBool, Ordering};
    static COMPLETED: AtomicBool = AtomicBool::new(false);
    static TIMED_OUT: AtomicBool = AtomicBool::new(false);
    weft::Model::new().name("aio_wait_for_both_ways").check(|| {
        let (_, timed_out) = charge_with_timeout(true);
        let seen = if timed_out { &TIMED_OUT } else { &COMPLETED };
        seen.store(true, Ordering::SeqCst);
    });
    assert!(
        COMPLETED.load(Ordering::SeqCst),
        "completion was never explored"
    );
    assert!(
        TIMED_OUT.load(Ordering::SeqCst),
        "the timeout was never explored"
    );
}

// ----- another thread wakes the loop --------------------------------------------

/// Blocking work on an executor thread while another task sleeps: the
/// worker's wakeup may come before the loop sleeps, while it sleeps on its
/// condition variable (with a timeout, for the timer), or after the timer
/// fired; every order must deliver the result.
fn executor_result_with_a_timer() {
    let (result, ticks) = aio::run(async {
        let ticks = Rc::new(Cell::new(0));
        let t = ticks.clone();
        let ticker = aio::create_task_named("ticker", async move {
            aio::sleep(Duration::from_millis(5)).await;
            t.set(t.get() + 1);
        });
        let result = aio::run_in_executor(|| 6 * 7).await;
        ticker.await.unwrap();
        (result, ticks.get())
    });
    assert_eq!(result, Ok(42));
    assert_eq!(ticks, 1);
}

#[test]
fn run_in_executor_hands_back_its_result_is_verified() {
    weft::Model::new()
        .name("aio_run_in_executor")
        // The loop and the executor's worker: exhaustive on loom up to two
        // preemptions (the pool's own protocol is proven in
        // models/executor.rs).
        .preemption_bound(2)
        .check(executor_result_with_a_timer);
}

// ----- virtual time -----------------------------------------------------------

// Under a checker no one sleeps for real: an hour passes at once.
#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn virtual_time_jumps_to_the_next_timer() {
    weft::Model::new().name("aio_virtual_time").check(|| {
        let lp = aio::EventLoop::new();
        let start = lp.time();
        let order = lp.run(async {
            let order = Rc::new(RefCell::new(Vec::new()));
            let tasks: Vec<_> = [3u64, 1, 2]
                .into_iter()
                .map(|hours| {
                    let order = order.clone();
                    aio::create_task(async move {
                        aio::sleep(Duration::from_secs(hours * 3600)).await;
                        order.borrow_mut().push(hours);
                    })
                })
                .collect();
            aio::gather(tasks).await;
            Rc::try_unwrap(order).unwrap().into_inner()
        });
        assert_eq!(order, [1, 2, 3]);
        assert!(lp.time() - start >= Duration::from_secs(3 * 3600));
    });
}
