//! What weft's own primitives cost to explore: executions weft's DPOR
//! search (shuttle) needs to prove small models of channels and of
//! `park`/`unpark` and `OnceLock`, kept under bounds that their former
//! internals broke.
//!
//! Under a checker a channel is a mutex over its queue and two condvars
//! (a receiver waits on one, a sender of a full bounded channel on the
//! other). Every send notified the receiver's condvar, and every receive
//! from a bounded channel the senders', whether or not a thread waited
//! there: a notification nobody waits for changes nothing, but it is a
//! step the search orders against every other operation on the channel.
//! Now a channel notifies only a condvar a thread waits on (it looks
//! under the channel's lock, under which a waiter queues). Two producers
//! sending two messages each to one receiver: 1,235,458 executions before,
//! 95,433 after (too long for a test; its smaller cousins are below).
//!
//! A thread's parking token is a mutex and a condvar too, and every
//! `unpark` notified the condvar, parked thread or not; it notifies only a
//! parked thread now. A `OnceLock` notified the threads waiting for its
//! initialisation whether or not one waited; it notifies only waiters now.
//!
//! A thread woken from a condvar wait (a parker's, a barrier's, a
//! channel's) runs engine steps inside the wait that record nothing
//! before it returns: unordered, they let the search reverse a race
//! between the notify and what the thread did after its wait at nodes
//! where the thread still waited, and each such run repeated an explored
//! trace to its end. The notify now hands the woken thread on, as a
//! thread's end hands on its joiner (`Key::Wake`), and the waker lets go
//! of the waiter's own lock before it notifies (held across a scheduling
//! point, it blocked the woken waiter on a lock the recording never saw).

use weft::sync::atomic::{AtomicBool, Ordering};
use weft::sync::mpsc::{channel, sync_channel};
use weft::sync::{Arc, Barrier, OnceLock};
use weft::thread;

use super::support::dpor_executions;

#[test]
fn two_producers_of_one_message_each_are_proven_in_few_executions() {
    let executions = dpor_executions("channel_two_producers", || {
        let (tx, rx) = channel::<u32>();
        let producers: Vec<_> = (0..2)
            .map(|i| {
                let tx = tx.clone();
                thread::spawn(move || tx.send(i).unwrap())
            })
            .collect();
        drop(tx);
        let mut got: Vec<u32> = rx.iter().collect();
        got.sort_unstable();
        assert_eq!(got, [0, 1]);
        for producer in producers {
            producer.join().unwrap();
        }
    });
    // 591 now; 1,023 before a lock attempt that blocks was no longer tried
    // where the lock was held (README, "weft's own exhaustive search");
    // 4,322 when every send notified the receiver's condvar.
    assert!(executions <= 700, "{executions} executions");
}

#[test]
fn three_round_trips_are_proven_in_few_executions() {
    let executions = dpor_executions("channel_ping_pong", || {
        let (ping, pings) = channel::<u32>();
        let (pong, pongs) = channel::<u32>();
        let echo = thread::spawn(move || {
            for _ in 0..3 {
                let v = pings.recv().unwrap();
                pong.send(v + 1).unwrap();
            }
        });
        for i in 0..3 {
            ping.send(i).unwrap();
            assert_eq!(pongs.recv().unwrap(), i + 1);
        }
        echo.join().unwrap();
    });
    // 128 now; 1,458 before a lock attempt that blocks was no longer tried
    // where the lock was held; 12,288 when every send notified the
    // receiver's condvar.
    assert!(executions <= 160, "{executions} executions");
}

#[test]
fn three_messages_through_a_channel_of_one_slot_are_proven_in_few_executions() {
    let executions = dpor_executions("channel_one_slot", || {
        let (tx, rx) = sync_channel::<u32>(1);
        let producer = thread::spawn(move || {
            for i in 0..3 {
                tx.send(i).unwrap();
            }
        });
        let got: Vec<u32> = rx.iter().collect();
        assert_eq!(got, [0, 1, 2]);
        producer.join().unwrap();
    });
    // 96 now; 729 before a lock attempt that blocks was no longer tried
    // where the lock was held; 5,460 when every send and receive notified
    // the other side's condvar.
    assert!(executions <= 120, "{executions} executions");
}

#[test]
fn a_parked_thread_unparked_by_two_is_proven_in_few_executions() {
    let executions = dpor_executions("park_two_unparkers", || {
        let ready = Arc::new(AtomicBool::new(false).named("ready"));
        let seen = ready.clone();
        let parked = thread::spawn(move || {
            while !seen.load(Ordering::Acquire) {
                thread::park();
            }
        });
        let handle = parked.thread().clone();
        let other = thread::spawn(move || handle.unpark());
        ready.store(true, Ordering::Release);
        parked.thread().unpark();
        parked.join().unwrap();
        other.join().unwrap();
    });
    // 38 to 50 now; 82 before a wake ordered the woken thread after it;
    // 140 to 186 when every unpark notified the parker's condvar.
    assert!(executions <= 60, "{executions} executions");
}

#[test]
fn three_threads_initialising_a_once_lock_are_proven_in_few_executions() {
    let executions = dpor_executions("once_lock_three_initialisers", || {
        let cell = Arc::new(OnceLock::new().named("cell"));
        let others: Vec<_> = (0..2)
            .map(|i| {
                let cell = cell.clone();
                thread::spawn(move || *cell.get_or_init(|| i))
            })
            .collect();
        let mine = *cell.get_or_init(|| 2);
        for other in others {
            assert_eq!(other.join().unwrap(), mine, "one value for all");
        }
    });
    // 92 now; 173 before a lock attempt that blocks was no longer tried
    // where the lock was held; 218 when every initialisation notified the
    // cell's condvar.
    assert!(executions <= 115, "{executions} executions");
}

#[test]
fn two_parked_threads_unparked_by_main_are_proven_in_few_executions() {
    let executions = dpor_executions("two_parked", || {
        let parked: Vec<_> = (0..2).map(|_| thread::spawn(thread::park)).collect();
        for p in &parked {
            p.thread().unpark();
        }
        for p in parked {
            p.join().unwrap();
        }
    });
    // 18 now; 31 on one worker before a wake ordered the woken
    // thread's steps after it.
    assert!(executions <= 22, "{executions} executions");
}

#[test]
fn three_threads_meeting_at_a_barrier_are_proven_in_few_executions() {
    let executions = dpor_executions("barrier_of_three", || {
        let barrier = Arc::new(Barrier::new(3).named("barrier"));
        let others: Vec<_> = (0..2)
            .map(|_| {
                let b = barrier.clone();
                thread::spawn(move || b.wait().is_leader())
            })
            .collect();
        let mut leaders = usize::from(barrier.wait().is_leader());
        for o in others {
            leaders += usize::from(o.join().unwrap());
        }
        assert_eq!(leaders, 1);
    });
    // 18 now; 75 before a lock attempt that blocks was no longer tried
    // where the lock was held; 92 on one worker before a wake ordered the woken
    // threads' steps after it.
    assert!(executions <= 24, "{executions} executions");
}
