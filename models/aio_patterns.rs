//! The asyncio patterns of wave 2 under the checkers: `TaskGroup`,
//! `timeout`, `shield`, `as_completed`, `Queue::shutdown`, `Barrier`, the
//! fair `Lock`, and the `Send` loop `Handle` used from another thread.
//!
//! Each is verified in its correct form on every backend, and a broken
//! form (a group that forgets to cancel a sibling, a deadline that does
//! not cancel its work, unshielded work, an `as_completed` in input order,
//! a `shutdown` that drops the queued items, a barrier one party short, a
//! lock that lets its releaser barge, a thread that outlives its loop) is
//! caught with the failure kind and report content asserted.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use weft::time::Duration;
use weft_patterns::aio::{self, Barrier, Lock, Queue, TaskError, TaskGroup};

#[cfg(any(feature = "loom", feature = "shuttle"))]
use crate::support::Caught;

type Log = Rc<RefCell<Vec<String>>>;

fn log() -> Log {
    Rc::new(RefCell::new(Vec::new()))
}

fn note(log: &Log, line: impl Into<String>) {
    log.borrow_mut().push(line.into());
}

// ----- TaskGroup: a failure cancels the siblings -------------------------------

/// A booking: `reserve` fails after one await; `charge` takes three steps.
/// No step of `charge` may come after the failure in the log.
async fn booking(log: Log, group: impl BookingGroup) -> Vec<(String, TaskError)> {
    let l = log.clone();
    group.spawn("reserve", async move {
        aio::yield_now().await;
        note(&l, "reserve failed");
        panic!("no seats left");
    });
    let l = log.clone();
    group.spawn("charge", async move {
        for step in 0..3 {
            aio::yield_now().await;
            note(&l, format!("charge step {step}"));
        }
    });
    group.join_all().await
}

/// What the booking needs of a group, so that a broken one can stand in.
trait BookingGroup {
    fn spawn(&self, name: &str, future: impl std::future::Future<Output = ()> + 'static);
    async fn join_all(self) -> Vec<(String, TaskError)>;
}

impl BookingGroup for TaskGroup {
    fn spawn(&self, name: &str, future: impl std::future::Future<Output = ()> + 'static) {
        drop(self.create_task_named(name, future));
    }

    async fn join_all(self) -> Vec<(String, TaskError)> {
        match self.join().await {
            Ok(()) => Vec::new(),
            Err(e) => e.failures().to_vec(),
        }
    }
}

/// A group that collects failures but forgets to cancel the siblings.
#[cfg(any(feature = "loom", feature = "shuttle"))]
#[derive(Default)]
struct ForgetfulGroup {
    tasks: RefCell<Vec<aio::Task<()>>>,
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
impl BookingGroup for ForgetfulGroup {
    fn spawn(&self, name: &str, future: impl std::future::Future<Output = ()> + 'static) {
        self.tasks
            .borrow_mut()
            .push(aio::create_task_named(name, future));
    }

    async fn join_all(self) -> Vec<(String, TaskError)> {
        let tasks = self.tasks.into_inner();
        let names: Vec<String> = tasks.iter().map(aio::Task::name).collect();
        aio::gather(tasks)
            .await
            .into_iter()
            .zip(names)
            .filter_map(|(r, name)| r.err().map(|e| (name, e)))
            .collect()
    }
}

fn check_booking(log: &Log, failures: &[(String, TaskError)]) {
    let log = log.borrow();
    let failed_at = log.iter().position(|l| l == "reserve failed");
    let late: Vec<&String> = log
        .iter()
        .skip(failed_at.map_or(log.len(), |i| i + 1))
        .collect();
    assert!(
        late.is_empty(),
        "sibling 'charge' ran after 'reserve' failed: {late:?}; log: {log:?}"
    );
    assert_eq!(
        failures,
        [(
            "reserve".to_string(),
            TaskError::Panicked {
                message: "no seats left".into()
            }
        )]
    );
}

#[test]
fn task_group_cancels_the_siblings_of_a_failed_task_is_verified() {
    weft::Model::new().name("aio_task_group").check(|| {
        let log = log();
        let failures = aio::run(booking(log.clone(), TaskGroup::new().named("booking")));
        check_booking(&log, &failures);
    });
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn a_task_group_that_forgets_to_cancel_a_sibling_is_caught() {
    let failure = weft::Model::new().name("aio_task_group_forgetful").caught(
        weft::FailureKind::Assertion,
        || {
            let log = log();
            let failures = aio::run(booking(log.clone(), ForgetfulGroup::default()));
            check_booking(&log, &failures);
        },
    );
    let message = failure.message();
    assert!(
        message.contains("sibling 'charge' ran after 'reserve' failed"),
        "{failure}"
    );
    assert!(message.contains("\"charge step"), "{failure}");
}

// ----- timeout: a deadline over a scope of work ---------------------------------

/// A transfer of 10 ms under a 10 ms deadline: which comes first is
/// explored. If the scope reports a timeout, the transfer must never
/// happen, not even later.
fn transfer_under_deadline(cancel_on_timeout: bool) -> bool {
    aio::run(async move {
        let done = Rc::new(Cell::new(false));
        let d = done.clone();
        let transfer = async move {
            aio::sleep(Duration::from_millis(10)).await;
            d.set(true);
        };
        let timed_out = if cancel_on_timeout {
            let scope = aio::timeout(Duration::from_millis(10));
            let timed_out = scope.run(transfer).await.is_err();
            assert_eq!(timed_out, scope.expired());
            timed_out
        } else {
            // Broken: the deadline gives up on the work but leaves it running.
            let work = aio::create_task_named("transfer", transfer);
            let timed_out = aio::wait_for(
                aio::sleep(Duration::from_millis(10)),
                Duration::from_millis(5),
            )
            .await
            .is_err();
            drop(work);
            timed_out
        };
        aio::sleep(Duration::from_millis(50)).await;
        assert!(
            !(timed_out && done.get()),
            "the transfer happened after its timeout was reported"
        );
        assert!(
            timed_out || done.get(),
            "the transfer neither ran nor timed out"
        );
        timed_out
    })
}

#[test]
fn a_timeout_scope_cancels_its_work_is_verified() {
    weft::Model::new().name("aio_timeout_scope").check(|| {
        transfer_under_deadline(true);
    });
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn a_deadline_that_leaves_its_work_running_is_caught() {
    let failure =
        weft::Model::new()
            .name("aio_timeout_leaky")
            .caught(weft::FailureKind::Assertion, || {
                transfer_under_deadline(false);
            });
    assert!(
        failure
            .message()
            .contains("the transfer happened after its timeout was reported"),
        "{failure}"
    );
}

#[test]
fn a_timeout_scope_rescheduled_by_its_work_is_verified() {
    weft::Model::new().name("aio_timeout_reschedule").check(|| {
        let finished = aio::run(async {
            let scope = aio::timeout(Duration::from_millis(5));
            let inner = scope.clone();
            let lp = aio::get_running_loop();
            scope
                .run(async move {
                    for _ in 0..3 {
                        aio::sleep(Duration::from_millis(4)).await;
                        // A heartbeat: more time for the next step.
                        inner.reschedule(Some(lp.time() + Duration::from_millis(5)));
                    }
                })
                .await
        });
        assert_eq!(finished, Ok(()), "the heartbeat kept the deadline ahead");
    });
}

// ----- shield ----------------------------------------------------------------

/// A save that takes 5 ms, awaited for at most 1 ms; the caller then does
/// other work for 10 ms. The save must not be lost.
fn save_with_impatient_caller(shielded: bool) {
    aio::run(async move {
        let saved = Rc::new(Cell::new(false));
        let s = saved.clone();
        let save = async move {
            aio::sleep(Duration::from_millis(5)).await;
            s.set(true);
        };
        let gave_up = if shielded {
            aio::wait_for(aio::shield(save), Duration::from_millis(1))
                .await
                .is_err()
        } else {
            aio::wait_for(save, Duration::from_millis(1)).await.is_err()
        };
        assert!(gave_up);
        aio::sleep(Duration::from_millis(10)).await;
        assert!(saved.get(), "the save was lost when its caller gave up");
    });
}

#[test]
fn shielded_work_outlives_its_cancelled_waiter_is_verified() {
    weft::Model::new()
        .name("aio_shield")
        .check(|| save_with_impatient_caller(true));
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn unshielded_work_cancelled_with_its_waiter_is_caught() {
    let failure = weft::Model::new()
        .name("aio_unshielded")
        .caught(weft::FailureKind::Assertion, || {
            save_with_impatient_caller(false)
        });
    assert!(
        failure
            .message()
            .contains("the save was lost when its caller gave up"),
        "{failure}"
    );
}

// ----- as_completed -------------------------------------------------------------

/// Three tasks that yield 2, 0 and 1 times, then note that they finished;
/// the consumer must see them in the order they finished.
fn results_in_completion_order(use_as_completed: bool) {
    aio::run(async move {
        let finished = log();
        let tasks: Vec<_> = [2usize, 0, 1]
            .into_iter()
            .enumerate()
            .map(|(i, yields)| {
                let finished = finished.clone();
                aio::create_task_named(format!("fetch-{i}"), async move {
                    for _ in 0..yields {
                        aio::yield_now().await;
                    }
                    note(&finished, format!("fetch-{i}"));
                })
            })
            .collect();
        let mut seen = Vec::new();
        if use_as_completed {
            let mut done = aio::as_completed(tasks);
            while let Some(task) = done.next().await {
                seen.push(task.name());
            }
        } else {
            // Broken: "as completed", in input order.
            for task in tasks {
                let name = task.name();
                task.await.unwrap();
                seen.push(name);
            }
        }
        assert_eq!(
            seen,
            *finished.borrow(),
            "results not in completion order: seen {seen:?}, finished {:?}",
            finished.borrow()
        );
    });
}

#[test]
fn as_completed_yields_in_completion_order_is_verified() {
    weft::Model::new()
        .name("aio_as_completed")
        .check(|| results_in_completion_order(true));
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn as_completed_in_input_order_is_caught() {
    let failure = weft::Model::new()
        .name("aio_as_completed_input_order")
        .caught(weft::FailureKind::Assertion, || {
            results_in_completion_order(false)
        });
    let message = failure.message();
    assert!(
        message.contains("results not in completion order: seen [\"fetch-0\""),
        "{failure}"
    );
}

// ----- Queue::shutdown ------------------------------------------------------------

/// A producer queues three lines and shuts the queue down; the consumer
/// reads until `QueueShutDown`. A graceful shutdown hands every line over.
fn lines_through_a_closing_queue(immediate: bool) {
    aio::run(async move {
        let q = Rc::new(Queue::new(0).named("lines"));
        let qc = q.clone();
        let consumer = aio::create_task_named("consumer", async move {
            let mut got = Vec::new();
            while let Ok(line) = qc.get().await {
                got.push(line);
                qc.task_done();
            }
            got
        });
        let qp = q.clone();
        let producer = aio::create_task_named("producer", async move {
            for line in [1, 2, 3] {
                qp.put(line).await.unwrap();
            }
            qp.shutdown(immediate);
            assert!(qp.put(4).await.is_err(), "put after shutdown");
        });
        producer.await.unwrap();
        q.join().await;
        let got = consumer.await.unwrap();
        assert_eq!(got, [1, 2, 3], "the consumer got {got:?} of [1, 2, 3]");
    });
}

#[test]
fn queue_shutdown_hands_over_every_queued_item_is_verified() {
    weft::Model::new()
        .name("aio_queue_shutdown")
        .check(|| lines_through_a_closing_queue(false));
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn a_queue_shutdown_that_drops_queued_items_is_caught() {
    let failure = weft::Model::new()
        .name("aio_queue_shutdown_immediate")
        .caught(weft::FailureKind::Assertion, || {
            lines_through_a_closing_queue(true)
        });
    assert!(
        failure
            .message()
            .contains("the consumer got [] of [1, 2, 3]"),
        "{failure}"
    );
}

// ----- Barrier --------------------------------------------------------------------

/// `workers` tasks each note their arrival, wait at a barrier for
/// `parties`, then note that they passed: no one passes before all
/// arrived.
fn workers_at_a_barrier(workers: usize, parties: usize) {
    aio::run(async move {
        let barrier = Rc::new(Barrier::new(parties).named("start"));
        let log = log();
        let tasks: Vec<_> = (0..workers)
            .map(|i| {
                let (barrier, log) = (barrier.clone(), log.clone());
                aio::create_task_named(format!("worker-{i}"), async move {
                    aio::yield_now().await;
                    note(&log, "arrive");
                    barrier.wait().await.unwrap();
                    note(&log, "pass");
                })
            })
            .collect();
        for r in aio::gather(tasks).await {
            r.unwrap();
        }
        let log = log.borrow();
        let first_pass = log.iter().position(|l| l == "pass").unwrap();
        assert!(
            log[first_pass..].iter().all(|l| l == "pass"),
            "a task passed before every task arrived: {log:?}"
        );
    });
}

#[test]
fn barrier_releases_all_parties_together_is_verified() {
    weft::Model::new()
        .name("aio_barrier")
        .check(|| workers_at_a_barrier(3, 3));
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn a_barrier_one_party_short_is_caught_as_a_deadlock_naming_the_waiters() {
    let failure = weft::Model::new()
        .name("aio_barrier_short")
        .caught(weft::FailureKind::Deadlock, || workers_at_a_barrier(2, 3));
    let message = failure.message();
    assert!(
        message.starts_with(aio::DEADLOCK_MESSAGE_PREFIX),
        "{failure}"
    );
    assert!(
        message.contains("task 'worker-0' waits on Barrier.wait 'start'"),
        "{failure}"
    );
    assert!(
        message.contains("task 'worker-1' waits on Barrier.wait 'start'"),
        "{failure}"
    );
    assert!(
        message.contains("task 'main' waits on task 'worker-"),
        "{failure}"
    );
}

// ----- the fair Lock: the first waiter wins ------------------------------------------

/// Broken: an unfair lock. Release clears the flag and wakes the first
/// waiter, which must try again; whoever asks in the meantime (the
/// releaser itself, say) takes the lock.
#[cfg(any(feature = "loom", feature = "shuttle"))]
#[derive(Default)]
struct BargingLock {
    locked: Cell<bool>,
    waiting: RefCell<std::collections::VecDeque<std::task::Waker>>,
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
impl BargingLock {
    async fn acquire(&self) {
        std::future::poll_fn(|cx| {
            if self.locked.replace(true) {
                self.waiting.borrow_mut().push_back(cx.waker().clone());
                std::task::Poll::Pending
            } else {
                std::task::Poll::Ready(())
            }
        })
        .await
    }

    fn release(&self) {
        self.locked.set(false);
        let next = self.waiting.borrow_mut().pop_front();
        if let Some(w) = next {
            w.wake();
        }
    }
}

/// A fair lock goes to B, who asked while A held it, before A, who asked
/// again only after releasing it.
fn check_handover(log: &[String]) {
    let at = |line: &str| log.iter().position(|l| l == line).unwrap();
    let a_second = log.iter().rposition(|l| l == "A acquires").unwrap();
    if at("B asks") < at("A asks again") {
        assert!(
            at("B acquires") < a_second,
            "the lock went to its releaser A before B, who asked first: {log:?}"
        );
    }
}

/// `A` takes the lock, `B` asks for it while A holds it, then A releases
/// it and at once asks again.
fn lock_handover_fair() {
    aio::run(async move {
        let lock = Rc::new(Lock::new().named("printer"));
        let log = log();
        let (l, lg) = (lock.clone(), log.clone());
        let a = aio::create_task_named("A", async move {
            let held = l.lock().await;
            note(&lg, "A acquires");
            aio::yield_now().await; // B asks meanwhile
            aio::yield_now().await;
            drop(held);
            note(&lg, "A asks again");
            let _held = l.lock().await;
            note(&lg, "A acquires");
        });
        let (l, lg) = (lock.clone(), log.clone());
        let b = aio::create_task_named("B", async move {
            aio::yield_now().await;
            note(&lg, "B asks");
            let _held = l.lock().await;
            note(&lg, "B acquires");
        });
        for r in aio::gather([a, b]).await {
            r.unwrap();
        }
        check_handover(&log.borrow());
    });
}

/// The same with the barging lock.
#[cfg(any(feature = "loom", feature = "shuttle"))]
fn lock_handover_barging() {
    aio::run(async move {
        let lock = Rc::new(BargingLock::default());
        let log = log();
        let (l, lg) = (lock.clone(), log.clone());
        let a = aio::create_task_named("A", async move {
            l.acquire().await;
            note(&lg, "A acquires");
            aio::yield_now().await;
            aio::yield_now().await;
            l.release();
            note(&lg, "A asks again");
            l.acquire().await;
            note(&lg, "A acquires");
            l.release();
        });
        let (l, lg) = (lock.clone(), log.clone());
        let b = aio::create_task_named("B", async move {
            aio::yield_now().await;
            note(&lg, "B asks");
            l.acquire().await;
            note(&lg, "B acquires");
            l.release();
        });
        for r in aio::gather([a, b]).await {
            r.unwrap();
        }
        check_handover(&log.borrow());
    });
}

#[test]
fn lock_goes_to_the_first_waiter_is_verified() {
    weft::Model::new()
        .name("aio_lock_fair")
        .check(lock_handover_fair);
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn a_lock_its_releaser_can_barge_into_is_caught() {
    let failure = weft::Model::new()
        .name("aio_lock_barging")
        .caught(weft::FailureKind::Assertion, lock_handover_barging);
    assert!(
        failure
            .message()
            .contains("the lock went to its releaser A before B, who asked first"),
        "{failure}"
    );
}

// ----- the Send loop Handle, from another thread ------------------------------------

/// A thread asks the loop for a value with `run_coroutine_threadsafe` and
/// sends a callback with `call_soon_threadsafe`, while the loop's main task
/// waits for the thread on the executor. The loop may be running a task,
/// idle on its condition variable, or between the two when the requests
/// arrive; every order must deliver both.
fn thread_talks_to_the_loop(loop_waits_for_thread: bool) -> Result<i32, String> {
    let handle_out = Rc::new(RefCell::new(None));
    let h = handle_out.clone();
    let asker = aio::run(async move {
        let handle = aio::get_running_loop();
        let asker = weft::thread::Builder::new()
            .name("asker")
            .spawn(move || {
                let answer = aio::run_coroutine_threadsafe(|| async { 6 * 7 }, &handle)
                    .map_err(|e| e.to_string())?;
                let answer = answer.result(None).map_err(|e| e.to_string())?;
                handle
                    .call_soon_threadsafe(move || assert_eq!(answer, 42))
                    .map_err(|e| e.to_string())?;
                Ok(answer)
            })
            .unwrap();
        if loop_waits_for_thread {
            let joined = aio::to_thread(move || asker.join().unwrap()).await;
            Some(joined.unwrap())
        } else {
            *h.borrow_mut() = Some(asker);
            None
        }
    });
    match asker {
        Some(answer) => answer,
        None => {
            // Broken: the loop returned without waiting for the thread,
            // which then finds it closed.
            let asker = handle_out.borrow_mut().take().unwrap();
            let answer = asker.join().unwrap();
            assert!(answer.is_ok(), "the asker found the loop gone: {answer:?}");
            answer
        }
    }
}

#[test]
fn a_thread_asks_the_loop_through_its_handle_is_verified() {
    weft::Model::new()
        .name("aio_handle_threadsafe")
        // The loop, the asker and the executor's worker: exhaustive on loom
        // up to two preemptions.
        .preemption_bound(2)
        .check(|| assert_eq!(thread_talks_to_the_loop(true), Ok(42)));
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn a_thread_that_outlives_its_loop_is_caught() {
    let failure = weft::Model::new()
        .name("aio_handle_loop_gone")
        .preemption_bound(2)
        .caught(weft::FailureKind::Assertion, || {
            drop(thread_talks_to_the_loop(false))
        });
    let message = failure.message();
    assert!(
        message.contains("the asker found the loop gone: Err("),
        "{failure}"
    );
    assert!(
        failure.threads_in_steps().contains(&"asker".to_string()),
        "{failure}"
    );
}

// ----- loom: the ready-queue choice is not explored, and the verdict says so --------

#[cfg(feature = "loom")]
#[test]
fn on_loom_the_verdict_says_the_ready_queue_choice_was_not_explored() {
    let stats = weft::Model::new()
        .name("aio_loom_choice")
        .explore(|| {
            aio::run(async {
                let a = aio::create_task(async { 1 });
                let b = aio::create_task(async { 2 });
                aio::gather([a, b]).await
            });
        })
        .unwrap();
    assert!(!stats.is_exhaustive(), "{stats}");
    assert!(
        stats.bounds().contains(&weft::Bound::ChoiceNotExplored),
        "{stats}"
    );
}
