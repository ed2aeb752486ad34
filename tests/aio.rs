//! `aio::EventLoop` on the real clock: many tasks, cancellation, timeouts,
//! panics, queues, timers, the primitives, other threads, and the loop's
//! own reports (deadlock, neglected tasks).
//!
//! Real threads and the real clock: std mode only (under `--features loom`
//! or `shuttle` the primitives exist only inside a model; the loop's
//! checker behaviour is in `models/aio.rs`).
#![cfg(not(any(feature = "loom", feature = "shuttle")))]

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use weft_patterns::aio::{
    self, Condition, Event, EventLoop, GetError, Lock, LoopReport, PutError, Queue, ReturnWhen,
    Semaphore, TaskError,
};
use weft_sync::sync::atomic::{AtomicUsize, Ordering};
use weft_sync::sync::Mutex;
use weft_sync::thread;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// A panic message, for tests of the loop's own panics.
fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    weft_sync::record::panic_message(payload)
}

/// Collects the loop's reports instead of printing them.
fn collect_reports(lp: &EventLoop) -> Rc<RefCell<Vec<LoopReport>>> {
    let reports = Rc::new(RefCell::new(Vec::new()));
    let sink = Rc::clone(&reports);
    lp.set_exception_handler(Some(Box::new(move |r: &LoopReport| {
        sink.borrow_mut().push(r.clone())
    })));
    reports
}

// ----- many tasks ------------------------------------------------------------

#[test]
fn hundred_thousand_tasks_each_return_their_own_value() {
    const N: u64 = 100_000;
    let sum = aio::run(async {
        let tasks: Vec<_> = (0..N).map(|i| aio::create_task(async move { i })).collect();
        let mut sum = 0;
        for (i, t) in tasks.into_iter().enumerate() {
            let v = t.await.unwrap();
            assert_eq!(v, i as u64);
            sum += v;
        }
        sum
    });
    assert_eq!(sum, N * (N - 1) / 2);
}

#[test]
fn hundred_thousand_yielding_tasks_gathered_in_input_order() {
    const N: usize = 100_000;
    let out = aio::run(async {
        let tasks: Vec<_> = (0..N)
            .map(|i| {
                aio::create_task(async move {
                    aio::yield_now().await;
                    i * 2
                })
            })
            .collect();
        aio::gather(tasks).await
    });
    assert_eq!(out.len(), N);
    assert!(out.into_iter().enumerate().all(|(i, r)| r == Ok(i * 2)));
}

#[test]
fn ready_tasks_take_turns_in_fifo_order_in_std_mode() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let l = log.clone();
    aio::run(async move {
        let tasks: Vec<_> = ["a", "b"]
            .into_iter()
            .map(|name| {
                let l = l.clone();
                aio::create_task(async move {
                    for i in 0..3 {
                        l.borrow_mut().push(format!("{name}{i}"));
                        aio::yield_now().await;
                    }
                })
            })
            .collect();
        aio::gather(tasks).await;
    });
    assert_eq!(*log.borrow(), ["a0", "b0", "a1", "b1", "a2", "b2"]);
}

// ----- cancellation ----------------------------------------------------------

/// Sets a flag when dropped: shows that a cancelled future was dropped.
struct DropFlag(Rc<Cell<bool>>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.set(true);
    }
}

#[test]
fn cancelling_a_sleeping_task_drops_it_and_its_timer() {
    let lp = EventLoop::new();
    let dropped = Rc::new(Cell::new(false));
    let reached_end = Rc::new(Cell::new(false));
    let start = lp.time();
    let (d, r) = (dropped.clone(), reached_end.clone());
    let result = lp.run(async move {
        let sleeper = aio::create_task_named("sleeper", async move {
            let _flag = DropFlag(d);
            aio::sleep(Duration::from_secs(3600)).await;
            r.set(true);
        });
        aio::sleep(ms(5)).await; // the sleeper is now waiting on its timer
        assert!(!sleeper.done());
        assert!(sleeper.cancel());
        assert!(
            !sleeper.done(),
            "cancellation takes effect at the task's next turn"
        );
        let result = sleeper.await;
        result
    });
    assert_eq!(result, Err(TaskError::Cancelled));
    assert!(dropped.get(), "the task's future was dropped");
    assert!(!reached_end.get());
    // The hour-long timer went with it: the loop did not wait for it.
    assert!(lp.time() - start < Duration::from_secs(60));
}

#[test]
fn cancelling_a_task_before_it_starts_never_polls_it() {
    let polled = Rc::new(Cell::new(false));
    let p = polled.clone();
    let (cancel_result, state) = aio::run(async move {
        let t = aio::create_task(async move { p.set(true) });
        let first = t.cancel();
        aio::yield_now().await;
        (first, (t.done(), t.cancelled(), t.result()))
    });
    assert!(cancel_result);
    assert_eq!(state, (true, true, Err(TaskError::Cancelled)));
    assert!(!polled.get());
}

#[test]
fn cancel_after_completion_returns_false_and_keeps_the_value() {
    let (cancelled, value) = aio::run(async {
        let t = aio::create_task(async { 7 });
        aio::yield_now().await;
        (t.cancel(), t.result())
    });
    assert!(!cancelled);
    assert_eq!(value, Ok(7));
}

#[test]
fn result_before_done_and_after_taking_are_errors() {
    let (before, first, second) = aio::run(async {
        let t = aio::create_task(async { 1 });
        let before = t.result();
        aio::yield_now().await;
        (before, t.result(), t.result())
    });
    assert_eq!(before, Err(TaskError::NotDone));
    assert_eq!(first, Ok(1));
    assert_eq!(second, Err(TaskError::AlreadyTaken));
}

// ----- timeouts --------------------------------------------------------------

#[test]
fn nested_wait_for_inner_timeout_fires_first() {
    let out = aio::run(async {
        aio::wait_for(aio::wait_for(aio::sleep(ms(10_000)), ms(5)), ms(10_000)).await
    });
    let inner = out.expect("the outer timeout did not pass");
    assert_eq!(inner.unwrap_err().timeout(), ms(5));
}

#[test]
fn nested_wait_for_outer_timeout_fires_first_and_drops_the_inner_one() {
    let lp = EventLoop::new();
    let start = lp.time();
    let out = lp.run(async {
        aio::wait_for(aio::wait_for(aio::sleep(ms(10_000)), ms(9_000)), ms(5)).await
    });
    assert_eq!(out.unwrap_err().timeout(), ms(5));
    assert!(
        lp.time() - start < ms(8_000),
        "no timer of the inner wait_for was left to wait for"
    );
}

#[test]
fn wait_for_returns_the_value_when_in_time() {
    let out = aio::run(async {
        aio::wait_for(
            async {
                aio::sleep(ms(1)).await;
                "done"
            },
            ms(10_000),
        )
        .await
    });
    assert_eq!(out, Ok("done"));
}

#[test]
fn wait_for_on_a_borrowed_task_times_out_and_the_task_can_then_be_cancelled() {
    let (timed_out, cancel_requested, outcome) = aio::run(async {
        let mut slow = aio::create_task_named("slow", aio::sleep(ms(10_000)));
        let out = aio::wait_for(&mut slow, ms(1)).await;
        let timed_out = out.is_err();
        let cancel_requested = slow.cancel();
        (timed_out, cancel_requested, slow.await)
    });
    assert!(timed_out);
    assert!(cancel_requested);
    assert_eq!(outcome, Err(TaskError::Cancelled));
}

#[test]
fn a_dropped_task_handle_does_not_stop_the_task() {
    let ran = Rc::new(Cell::new(false));
    let r = ran.clone();
    aio::run(async move {
        drop(aio::create_task(async move {
            aio::sleep(ms(1)).await;
            r.set(true);
        }));
        aio::sleep(ms(5)).await;
    });
    assert!(ran.get());
}

// ----- panics ----------------------------------------------------------------

#[test]
fn a_panicking_task_fails_alone_among_healthy_ones() {
    let lp = EventLoop::new();
    let reports = collect_reports(&lp);
    let results = lp.run(async {
        let tasks: Vec<_> = (0..10)
            .map(|i| {
                aio::create_task(async move {
                    aio::yield_now().await;
                    if i == 3 {
                        panic!("task {i} failed");
                    }
                    aio::yield_now().await;
                    i
                })
            })
            .collect();
        aio::gather(tasks).await
    });
    for (i, r) in results.into_iter().enumerate() {
        if i == 3 {
            assert_eq!(
                r,
                Err(TaskError::Panicked {
                    message: "task 3 failed".into()
                })
            );
        } else {
            assert_eq!(r, Ok(i));
        }
    }
    assert!(reports.borrow().is_empty(), "the error was retrieved");
}

#[test]
fn a_panic_in_the_main_future_propagates_out_of_run_and_the_loop_stays_usable() {
    let lp = EventLoop::new();
    let caught = catch_unwind(AssertUnwindSafe(|| lp.run(async { panic!("main broke") })));
    assert_eq!(panic_text(&*caught.unwrap_err()), "main broke");
    assert_eq!(lp.run(async { 5 }), 5);
}

// ----- neglected tasks -------------------------------------------------------

#[test]
fn dropping_the_loop_reports_each_pending_task_by_name() {
    let lp = EventLoop::new();
    let reports = collect_reports(&lp);
    let pending = lp.create_task_named("sleeper", aio::sleep(Duration::from_secs(3600)));
    lp.run(aio::sleep(ms(1)));
    assert!(!pending.done());
    drop(lp);
    assert_eq!(
        *reports.borrow(),
        [LoopReport::PendingTaskDestroyed {
            task: "sleeper".into()
        }]
    );
    assert!(pending.cancelled(), "its handle sees it cancelled");
    assert_eq!(
        reports.borrow()[0].to_string(),
        "task 'sleeper' was destroyed but it is pending"
    );
}

#[test]
fn a_panic_nobody_retrieves_is_reported_once() {
    let lp = EventLoop::new();
    let reports = collect_reports(&lp);
    lp.run(async {
        drop(aio::create_task_named("lost", async {
            panic!("nobody looked")
        }));
        let seen = aio::create_task_named("seen", async { panic!("looked at") });
        let kept = aio::create_task_named("kept", async { panic!("checked, then dropped") });
        aio::yield_now().await;
        assert!(seen.await.is_err());
        assert!(kept.done());
        drop(kept);
    });
    assert_eq!(
        *reports.borrow(),
        [
            LoopReport::ExceptionNeverRetrieved {
                task: "lost".into(),
                message: "nobody looked".into()
            },
            LoopReport::ExceptionNeverRetrieved {
                task: "kept".into(),
                message: "checked, then dropped".into()
            },
        ]
    );
}

#[test]
fn asyncio_run_drops_the_tasks_left_when_main_returns() {
    let dropped = Rc::new(Cell::new(false));
    let d = dropped.clone();
    aio::run(async move {
        aio::create_task(async move {
            let _flag = DropFlag(d);
            aio::sleep(Duration::from_secs(3600)).await;
        });
        aio::yield_now().await;
    });
    assert!(dropped.get());
}

#[test]
fn asyncio_run_drops_leftover_tasks_also_when_main_panics() {
    let dropped = Rc::new(Cell::new(false));
    let d = dropped.clone();
    let caught = catch_unwind(AssertUnwindSafe(|| {
        aio::run(async move {
            aio::create_task(async move {
                let _flag = DropFlag(d);
                aio::sleep(Duration::from_secs(3600)).await;
            });
            aio::yield_now().await;
            panic!("main gave up");
        })
    }));
    assert_eq!(panic_text(&*caught.unwrap_err()), "main gave up");
    assert!(dropped.get());
}

// ----- deadlock --------------------------------------------------------------

#[test]
fn a_loop_where_every_task_waits_panics_naming_each_task() {
    let lp = EventLoop::new();
    let _reports = collect_reports(&lp);
    let caught = catch_unwind(AssertUnwindSafe(|| {
        lp.run(async {
            let never = Rc::new(Event::new().named("never-set"));
            let n = never.clone();
            let waiter = aio::create_task_named("waiter", async move { n.wait().await });
            waiter.await.unwrap();
            drop(never);
        })
    }));
    let message = panic_text(&*caught.unwrap_err());
    assert!(
        message.starts_with(aio::DEADLOCK_MESSAGE_PREFIX),
        "{message}"
    );
    assert!(
        message.contains("task 'main' waits on task 'waiter'"),
        "{message}"
    );
    assert!(
        message.contains("task 'waiter' waits on Event.wait 'never-set'"),
        "{message}"
    );
}

#[test]
fn queue_get_on_an_empty_queue_nobody_fills_is_a_deadlock() {
    let caught = catch_unwind(|| {
        aio::run(async {
            let q: Queue<u8> = Queue::new(1).named("inbox");
            q.get().await.unwrap()
        })
    });
    let message = panic_text(&*caught.unwrap_err());
    assert!(
        message.contains("task 'main' waits on Queue.get 'inbox'"),
        "{message}"
    );
}

// ----- queue -----------------------------------------------------------------

#[test]
fn queue_join_returns_once_every_item_is_marked_done() {
    let processed = Rc::new(RefCell::new(Vec::new()));
    let p = processed.clone();
    let unfinished_after_join = aio::run(async move {
        let q = Rc::new(Queue::new(3).named("jobs"));
        let workers: Vec<_> = (0..2)
            .map(|w| {
                let (q, p) = (q.clone(), p.clone());
                aio::create_task_named(format!("worker-{w}"), async move {
                    loop {
                        let job: u32 = q.get().await.unwrap();
                        aio::sleep(ms(1)).await;
                        p.borrow_mut().push(job);
                        q.task_done();
                    }
                })
            })
            .collect();
        for job in 0..20 {
            q.put(job).await.unwrap();
            assert!(q.len() <= 3);
        }
        q.join().await;
        let left = q.unfinished_tasks();
        for w in &workers {
            w.cancel();
        }
        left
    });
    assert_eq!(unfinished_after_join, 0);
    let mut done = processed.borrow().clone();
    done.sort_unstable();
    assert_eq!(done, (0..20).collect::<Vec<_>>());
}

#[test]
fn queue_nowait_operations_report_full_and_empty() {
    let q = Queue::new(1);
    assert_eq!(q.get_nowait(), Err(GetError::Empty));
    assert_eq!(q.put_nowait('a'), Ok(()));
    assert!(q.is_full());
    assert_eq!(q.put_nowait('b'), Err(PutError::Full('b')));
    assert_eq!(q.get_nowait(), Ok('a'));
    assert_eq!(q.unfinished_tasks(), 1);
    q.task_done();
    assert_eq!(q.unfinished_tasks(), 0);
    let too_many = catch_unwind(AssertUnwindSafe(|| q.task_done()));
    assert_eq!(
        panic_text(&*too_many.unwrap_err()),
        "task_done() called too many times"
    );
}

#[test]
fn a_full_queue_makes_put_wait_for_a_get() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let l = log.clone();
    aio::run(async move {
        let q = Rc::new(Queue::new(1));
        let (q2, l2) = (q.clone(), l.clone());
        let producer = aio::create_task(async move {
            for i in 0..3 {
                q2.put(i).await.unwrap();
                l2.borrow_mut().push(format!("put {i}"));
            }
        });
        for _ in 0..3 {
            aio::yield_now().await;
            let v = q.get().await.unwrap();
            l.borrow_mut().push(format!("got {v}"));
        }
        producer.await.unwrap();
    });
    let log = log.borrow();
    // Never more than one item ahead of the consumer.
    for i in 0..3 {
        let put = log.iter().position(|e| *e == format!("put {i}")).unwrap();
        if i > 0 {
            let got_prev = log
                .iter()
                .position(|e| *e == format!("got {}", i - 1))
                .unwrap();
            assert!(got_prev < put, "{log:?}");
        }
    }
    assert_eq!(log.len(), 6);
}

// ----- timers ----------------------------------------------------------------

#[test]
fn sleeping_tasks_wake_in_deadline_order() {
    let order = Rc::new(RefCell::new(Vec::new()));
    let o = order.clone();
    aio::run(async move {
        // Deadlines 20 ms apart: far more than the time between the tasks'
        // first polls, even on a loaded machine.
        let tasks: Vec<_> = [60u64, 20, 40, 0, 10]
            .into_iter()
            .map(|d| {
                let o = o.clone();
                aio::create_task(async move {
                    aio::sleep(ms(d)).await;
                    o.borrow_mut().push(d);
                })
            })
            .collect();
        aio::gather(tasks).await;
    });
    assert_eq!(*order.borrow(), [0, 10, 20, 40, 60]);
}

#[test]
fn call_soon_and_call_later_run_in_order_and_cancelled_ones_never_run() {
    let lp = EventLoop::new();
    let order = Rc::new(RefCell::new(Vec::new()));
    let push = |tag: &'static str| {
        let o = order.clone();
        move || o.borrow_mut().push(tag)
    };
    lp.call_later(ms(60), push("later 60"));
    lp.call_later(ms(20), push("later 20 first"));
    lp.call_later(ms(20), push("later 20 second"));
    let cancelled = lp.call_later(ms(40), push("cancelled"));
    lp.call_soon(push("soon 1"));
    lp.call_soon(push("soon 2"));
    cancelled.cancel();
    lp.run(aio::sleep(ms(80)));
    assert!(cancelled.cancelled());
    assert_eq!(
        *order.borrow(),
        [
            "soon 1",
            "soon 2",
            "later 20 first",
            "later 20 second",
            "later 60"
        ]
    );
}

#[test]
fn sleep_waits_at_least_its_duration_on_the_real_clock() {
    let lp = EventLoop::new();
    let start = std::time::Instant::now();
    lp.run(aio::sleep(ms(20)));
    assert!(start.elapsed() >= ms(20));
}

// ----- wait ------------------------------------------------------------------

#[test]
fn wait_returns_per_return_when() {
    aio::run(async {
        // Each task finishes when its gate opens: no timing involved.
        let gates: Vec<Rc<Event>> = (0..3).map(|_| Rc::new(Event::new())).collect();
        let task = |name: &'static str, gate: &Rc<Event>, fail: bool| {
            let gate = gate.clone();
            aio::create_task_named(name, async move {
                gate.wait().await;
                if fail {
                    panic!("{name} failed");
                }
            })
        };
        let tasks = vec![
            task("fast", &gates[0], false),
            task("broken", &gates[1], true),
            task("slow", &gates[2], false),
        ];
        let names = |ts: &[aio::Task<()>]| ts.iter().map(|t| t.name()).collect::<Vec<_>>();

        gates[0].set();
        let (done, pending) = aio::wait(tasks, ReturnWhen::FirstCompleted).await;
        assert_eq!(names(&done), ["fast"]);
        assert_eq!(names(&pending), ["broken", "slow"]);

        gates[1].set();
        let (done, pending) = aio::wait(pending, ReturnWhen::FirstException).await;
        assert_eq!(names(&done), ["broken"]);
        assert_eq!(names(&pending), ["slow"]);
        assert!(done[0].result().is_err());

        let (done, pending) = aio::wait_timeout(pending, ReturnWhen::AllCompleted, ms(2)).await;
        assert!(done.is_empty(), "the timeout passed first");
        assert_eq!(names(&pending), ["slow"]);

        gates[2].set();
        let (done, pending) = aio::wait(pending, ReturnWhen::AllCompleted).await;
        assert_eq!(names(&done), ["slow"]);
        assert!(pending.is_empty());

        let (done, pending) =
            aio::wait(Vec::<aio::Task<()>>::new(), ReturnWhen::AllCompleted).await;
        assert!(done.is_empty() && pending.is_empty());
    });
}

// ----- primitives ------------------------------------------------------------

#[test]
fn lock_keeps_check_then_await_then_act_atomic() {
    let balance = Rc::new(Cell::new(100));
    let b = balance.clone();
    aio::run(async move {
        let lock = Rc::new(Lock::new().named("account"));
        let tasks: Vec<_> = (0..3)
            .map(|_| {
                let (lock, b) = (lock.clone(), b.clone());
                aio::create_task(async move {
                    let _held = lock.lock().await;
                    if b.get() >= 80 {
                        aio::sleep(ms(1)).await;
                        b.set(b.get() - 80);
                    }
                })
            })
            .collect();
        aio::gather(tasks).await;
        assert!(!lock.locked());
    });
    assert_eq!(balance.get(), 20);
}

#[test]
fn lock_is_handed_over_in_arrival_order() {
    let order = Rc::new(RefCell::new(Vec::new()));
    let o = order.clone();
    aio::run(async move {
        let lock = Rc::new(Lock::new());
        let held = lock.lock().await;
        let tasks: Vec<_> = (0..4)
            .map(|i| {
                let (lock, o) = (lock.clone(), o.clone());
                aio::create_task(async move {
                    let _g = lock.lock().await;
                    o.borrow_mut().push(i);
                    aio::yield_now().await;
                })
            })
            .collect();
        aio::yield_now().await; // all four queue up
        assert!(lock.try_lock().is_none());
        drop(held);
        aio::gather(tasks).await;
    });
    assert_eq!(*order.borrow(), [0, 1, 2, 3]);
}

#[test]
fn a_cancelled_lock_waiter_passes_the_lock_on() {
    aio::run(async {
        let lock = Rc::new(Lock::new());
        let held = lock.lock().await;
        let l1 = lock.clone();
        let first = aio::create_task(async move { drop(l1.lock().await) });
        let l2 = lock.clone();
        let second = aio::create_task(async move { drop(l2.lock().await) });
        aio::yield_now().await;
        drop(held); // handed to `first`...
        first.cancel(); // ...which is cancelled before it runs
        assert_eq!(first.await, Err(TaskError::Cancelled));
        assert_eq!(second.await, Ok(()));
        assert!(!lock.locked());
    });
}

#[test]
fn semaphore_admits_at_most_its_permits() {
    let most = Rc::new(Cell::new(0));
    let m = most.clone();
    aio::run(async move {
        let sem = Rc::new(Semaphore::new(3).named("slots"));
        let inside = Rc::new(Cell::new(0));
        let tasks: Vec<_> = (0..10)
            .map(|_| {
                let (sem, inside, m) = (sem.clone(), inside.clone(), m.clone());
                aio::create_task(async move {
                    let _p = sem.acquire().await;
                    inside.set(inside.get() + 1);
                    m.set(m.get().max(inside.get()));
                    aio::sleep(ms(1)).await;
                    inside.set(inside.get() - 1);
                })
            })
            .collect();
        aio::gather(tasks).await;
        assert_eq!(sem.available_permits(), 3);
    });
    assert_eq!(most.get(), 3);
}

#[test]
fn event_wakes_every_waiter_and_clear_blocks_later_ones() {
    aio::run(async {
        let ev = Rc::new(Event::new());
        let woken = Rc::new(Cell::new(0));
        let tasks: Vec<_> = (0..3)
            .map(|_| {
                let (ev, woken) = (ev.clone(), woken.clone());
                aio::create_task(async move {
                    ev.wait().await;
                    woken.set(woken.get() + 1);
                })
            })
            .collect();
        aio::yield_now().await;
        assert_eq!(woken.get(), 0);
        ev.set();
        ev.clear(); // waiters woken by `set` still return
        aio::gather(tasks).await;
        assert_eq!(woken.get(), 3);
        assert!(!ev.is_set());
        let late = aio::wait_for(ev.wait(), ms(2)).await;
        assert!(late.is_err());
    });
}

#[test]
fn condition_notify_wakes_the_given_number_of_waiters() {
    aio::run(async {
        let cond = Rc::new(Condition::new().named("cond"));
        let woken = Rc::new(Cell::new(0));
        let tasks: Vec<_> = (0..3)
            .map(|_| {
                let (cond, woken) = (cond.clone(), woken.clone());
                aio::create_task(async move {
                    let g = cond.lock().await;
                    let _g = cond.wait(g).await;
                    woken.set(woken.get() + 1);
                })
            })
            .collect();
        aio::yield_now().await;
        {
            let _g = cond.lock().await;
            cond.notify(2);
        }
        aio::yield_now().await; // both notified tasks take the lock in turn
        assert_eq!(woken.get(), 2);
        {
            let _g = cond.lock().await;
            cond.notify_all();
        }
        aio::gather(tasks).await;
        assert_eq!(woken.get(), 3);
    });
}

#[test]
fn condition_notify_without_the_lock_panics() {
    let cond = Condition::new();
    let caught = catch_unwind(AssertUnwindSafe(|| cond.notify(1)));
    assert_eq!(
        panic_text(&*caught.unwrap_err()),
        "cannot notify on an un-acquired lock"
    );
}

// ----- other threads and foreign futures -------------------------------------

#[test]
fn run_in_executor_returns_results_and_panics_of_blocking_work() {
    let (ok, failed) = aio::run(async {
        let ok = aio::run_in_executor(|| {
            weft_sync::time::sleep(ms(20));
            6 * 7
        });
        let failed = aio::run_in_executor(|| -> u8 { panic!("worker failed") });
        (ok.await, failed.await)
    });
    assert_eq!(ok, Ok(42));
    assert_eq!(
        failed,
        Err(TaskError::Panicked {
            message: "worker failed".into()
        })
    );
}

/// A hand-written future completed from another thread: ordinary async Rust.
struct Flag {
    shared: Arc<Mutex<(bool, Option<Waker>)>>,
}

impl Future for Flag {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut s = self.shared.lock().unwrap();
        if s.0 {
            Poll::Ready(())
        } else {
            s.1 = Some(cx.waker().clone());
            Poll::Pending
        }
    }
}

#[test]
fn a_waker_woken_from_another_thread_resumes_its_task() {
    let shared = Arc::new(Mutex::new((false, None::<Waker>)));
    let s = shared.clone();
    let setter = thread::spawn(move || {
        thread::sleep(ms(20));
        let waker = {
            let mut g = s.lock().unwrap();
            g.0 = true;
            g.1.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    });
    let out = aio::run(async move {
        let t = aio::create_task_named("flag-waiter", Flag { shared });
        t.await
    });
    setter.join().unwrap();
    assert_eq!(out, Ok(()));
}

struct CountingWaker(AtomicUsize);

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn primitives_wake_a_foreign_waker_outside_any_loop() {
    let ev = Event::new();
    let counter = Arc::new(CountingWaker(AtomicUsize::new(0)));
    let waker = Waker::from(counter.clone());
    let mut cx = Context::from_waker(&waker);
    let mut wait = Box::pin(ev.wait());
    assert!(wait.as_mut().poll(&mut cx).is_pending());
    ev.set();
    assert_eq!(counter.0.load(Ordering::SeqCst), 1);
    assert!(wait.as_mut().poll(&mut cx).is_ready());
}

// ----- misuse ----------------------------------------------------------------

#[test]
fn running_a_loop_from_its_own_task_panics() {
    let lp = Rc::new(EventLoop::new());
    let inner = lp.clone();
    let caught = catch_unwind(AssertUnwindSafe(|| {
        lp.run(async move { inner.run(async {}) })
    }));
    assert_eq!(
        panic_text(&*caught.unwrap_err()),
        "this event loop is already running"
    );
}

#[test]
fn sleeping_outside_a_loop_panics_with_a_clear_message() {
    let counter = Arc::new(CountingWaker(AtomicUsize::new(0)));
    let waker = Waker::from(counter);
    let mut cx = Context::from_waker(&waker);
    let mut s = aio::sleep(ms(1));
    let caught = catch_unwind(AssertUnwindSafe(|| Pin::new(&mut s).poll(&mut cx)));
    assert!(panic_text(&*caught.unwrap_err()).starts_with("no running event loop"));
}

#[test]
fn current_task_name_names_main_and_tasks() {
    let names = aio::run(async {
        let main = aio::current_task_name();
        let t = aio::create_task(async { aio::current_task_name() });
        let unnamed = t.await.unwrap();
        (main, unnamed)
    });
    assert_eq!(names.0.as_deref(), Some("main"));
    assert!(names.1.unwrap().starts_with("Task-"));
    assert_eq!(aio::current_task_name(), None);
}

// ----- wave 2: TaskGroup, timeout, shield, as_completed, shutdown, Barrier, Handle ----

#[test]
fn a_task_group_of_a_hundred_thousand_tasks_joins_them_all() {
    let sum = aio::run(async {
        let tg = aio::TaskGroup::new();
        let tasks: Vec<_> = (0..100_000u64)
            .map(|i| tg.create_task(async move { i }))
            .collect();
        tg.join().await.unwrap();
        assert_eq!(tg.running(), 0);
        tasks.into_iter().map(|t| t.result().unwrap()).sum::<u64>()
    });
    assert_eq!(sum, 100_000 * 99_999 / 2);
}

#[test]
fn a_task_group_failure_cancels_the_pending_siblings_and_reports_nothing_to_the_handler() {
    let lp = EventLoop::new();
    let reports = collect_reports(&lp);
    let failures = lp.run(async {
        let tg = aio::TaskGroup::new();
        let ok = tg.create_task_named("ok", async { 1 });
        let tasks: Vec<_> = ["x", "y"]
            .into_iter()
            .map(|name| tg.create_task_named(name, async move { panic!("{name} broke") }))
            .collect();
        let sleeper = tg.create_task_named("sleeper", aio::sleep(ms(60_000)));
        let failures = tg.join().await.unwrap_err();
        // x failed first: its siblings still pending were cancelled before
        // they ran, as asyncio cancels them; a cancellation is no failure.
        assert!(tasks[1].cancelled() && sleeper.cancelled());
        assert_eq!(ok.result(), Ok(1));
        // A finished group takes no more tasks (Python: "TaskGroup is finished").
        let late = catch_unwind(AssertUnwindSafe(|| drop(tg.create_task(async { 1 }))));
        assert!(panic_text(&*late.unwrap_err()).contains("has finished"));
        failures
    });
    assert_eq!(
        failures.failures(),
        [(
            "x".to_string(),
            TaskError::Panicked {
                message: "x broke".into()
            }
        )]
    );
    drop(lp);
    assert!(reports.borrow().is_empty(), "{:?}", reports.borrow());
}

#[test]
fn timeout_at_none_never_expires_until_rescheduled() {
    let (first, second) = aio::run(async {
        let scope = aio::timeout_at(None);
        let first = scope.run(aio::sleep(ms(5))).await;
        scope.reschedule(Some(aio::get_running_loop().time() + ms(5)));
        let second = scope.run(aio::sleep(ms(60_000))).await;
        (first, second)
    });
    assert_eq!(first, Ok(()));
    assert!(second.is_err());
}

#[test]
fn shield_survives_the_cancellation_of_its_awaiting_task() {
    let done = Rc::new(Cell::new(false));
    let d = done.clone();
    aio::run(async move {
        let waiter = aio::create_task(async move {
            aio::shield(async move {
                aio::sleep(ms(5)).await;
                d.set(true);
            })
            .await
        });
        aio::yield_now().await;
        waiter.cancel();
        aio::sleep(ms(20)).await;
        assert!(waiter.cancelled());
    });
    assert!(done.get());
}

#[test]
fn as_completed_hands_out_failed_and_cancelled_tasks_too() {
    let order = aio::run(async {
        let slow = aio::create_task_named("slow", aio::sleep(ms(60_000)));
        let broken = aio::create_task_named("broken", async {
            aio::sleep(ms(1)).await;
            panic!("boom")
        });
        slow.cancel();
        let mut done = aio::as_completed([slow, broken]);
        let mut order = Vec::new();
        while let Some(t) = done.next().await {
            order.push((t.name(), t.result().is_err()));
        }
        order
    });
    assert_eq!(
        order,
        [("slow".to_string(), true), ("broken".to_string(), true)]
    );
}

#[test]
fn queue_shutdown_immediate_drains_and_releases_join_and_getters() {
    aio::run(async {
        let q = Rc::new(Queue::new(0).named("q"));
        q.put_nowait(1).unwrap();
        q.put_nowait(2).unwrap();
        let getter = {
            let q = Rc::new(Queue::<u8>::new(0));
            let g = q.clone();
            let t = aio::create_task(async move { g.get().await });
            aio::yield_now().await;
            q.shutdown(false);
            t
        };
        assert_eq!(getter.await.unwrap(), Err(aio::QueueShutDown(())));
        let qj = q.clone();
        let joiner = aio::create_task(async move { qj.join().await });
        aio::yield_now().await;
        q.shutdown(true);
        joiner.await.unwrap();
        assert!(q.is_empty());
        assert_eq!(q.unfinished_tasks(), 0);
        assert_eq!(q.get_nowait(), Err(GetError::ShutDown));
        assert_eq!(q.put_nowait(3), Err(PutError::ShutDown(3)));
    });
}

#[test]
fn barrier_rounds_repeat_and_abort_breaks_the_waiters() {
    aio::run(async {
        let b = Rc::new(aio::Barrier::new(2));
        for _ in 0..2 {
            let b2 = b.clone();
            let t = aio::create_task(async move { b2.wait().await });
            let mine = b.wait().await.unwrap();
            let theirs = t.await.unwrap().unwrap();
            assert_eq!(mine + theirs, 1, "arrival indexes 0 and 1");
        }
        let b2 = b.clone();
        let waiting = aio::create_task(async move { b2.wait().await });
        aio::yield_now().await;
        assert_eq!(b.n_waiting(), 1);
        b.abort();
        assert_eq!(waiting.await.unwrap(), Err(aio::BrokenBarrierError));
        assert_eq!(b.wait().await, Err(aio::BrokenBarrierError));
    });
}

#[test]
fn a_handle_is_send_and_refuses_callbacks_once_its_loop_is_gone() {
    fn is_send_sync<T: Send + Sync>() {}
    is_send_sync::<aio::Handle>();
    let handle = aio::run(async { aio::get_running_loop() });
    assert_eq!(handle.call_soon_threadsafe(|| {}), Err(aio::LoopClosed));
    let caught = catch_unwind(AssertUnwindSafe(|| handle.time()));
    assert!(panic_text(&*caught.unwrap_err()).contains("only on its loop's thread"));
}

#[test]
fn call_soon_threadsafe_wakes_a_loop_sleeping_on_a_long_timer() {
    let start = std::time::Instant::now();
    let got = aio::run(async {
        let handle = aio::get_running_loop();
        let event = Rc::new(Event::new());
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let t = std::thread::spawn(move || {
            rx.recv().unwrap();
            handle
                .call_soon_threadsafe(|| {
                    aio::create_task(async { "from the thread" });
                })
                .unwrap();
        });
        let e = event.clone();
        let timer = aio::create_task(async move {
            aio::sleep(ms(60_000)).await;
            e.set();
        });
        tx.send(()).unwrap();
        // The callback's task runs while the loop sleeps towards 60 s.
        let got = aio::run_in_executor(move || t.join().unwrap()).await;
        timer.cancel();
        got
    });
    assert_eq!(got, Ok(()));
    assert!(start.elapsed() < Duration::from_secs(30));
}
