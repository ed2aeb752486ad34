//! `future::{block_on, spawn, yield_now}`: async code model-checked on
//! both checkers (a small executor on real threads in std mode).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use weft::future::{block_on, spawn, yield_now};
use weft::sync::{Arc, Mutex};
use weft::thread;

/// A one-shot channel written for the model: the receiver's future
/// registers its waker, the sender stores the value and wakes it.
struct Oneshot<T> {
    state: Mutex<(Option<T>, Option<Waker>)>,
}

impl<T> Oneshot<T> {
    fn new() -> Arc<Oneshot<T>> {
        Arc::new(Oneshot {
            state: Mutex::new((None, None)).named("oneshot"),
        })
    }

    fn send(&self, v: T) {
        let waker = {
            let mut s = self.state.lock().unwrap();
            s.0 = Some(v);
            s.1.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }
}

struct Recv<T>(Arc<Oneshot<T>>);

impl<T> Future for Recv<T> {
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let mut s = self.0.state.lock().unwrap();
        match s.0.take() {
            Some(v) => Poll::Ready(v),
            None => {
                s.1 = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

/// `block_on` of a future that awaits a value sent by another thread.
#[test]
fn block_on_a_value_sent_by_another_thread_is_verified() {
    weft::model(|| {
        let ch = Oneshot::new();
        let tx = Arc::clone(&ch);
        let t = thread::spawn(move || tx.send(42));
        assert_eq!(block_on(Recv(ch)), 42);
        t.join().unwrap();
    });
}

/// Spawned tasks and `yield_now`, awaited from `block_on`.
#[test]
fn spawned_tasks_are_awaited() {
    weft::model(|| {
        let total = Arc::new(Mutex::new(0));
        let t2 = Arc::clone(&total);
        let task = spawn(async move {
            yield_now().await;
            *t2.lock().unwrap() += 1;
            5
        });
        let v = block_on(async {
            yield_now().await;
            task.await
        });
        assert_eq!(v, 5);
        assert_eq!(*total.lock().unwrap(), 1);
    });
}

/// A lost wakeup in a hand-written future: the sender stores the value
/// without waking the registered waker. `block_on` parks forever in the
/// interleaving where the receiver polls first: a deadlock.
#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn a_future_that_is_never_woken_is_a_deadlock() {
    let failure = weft::Model::new()
        .name("future_lost_wakeup")
        .expect_failure(weft::FailureKind::Deadlock)
        .check(|| {
            let ch = Oneshot::<u32>::new();
            let tx = Arc::clone(&ch);
            let t = thread::Builder::new()
                .name("sender")
                .spawn(move || {
                    // Bug: stores the value but forgets the waker.
                    tx.state.lock().unwrap().0 = Some(1);
                })
                .unwrap();
            assert_eq!(block_on(Recv(ch)), 1);
            t.join().unwrap();
        })
        .into_caught()
        .expect("the declared failure");
    assert_eq!(failure.kind(), weft::FailureKind::Deadlock, "{failure}");
}
