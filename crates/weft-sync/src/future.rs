//! Running async code in a model: [`block_on`], [`spawn`], [`yield_now`].
//!
//! Written once over weft's threads and primitives, so the same code is a
//! small executor on real threads in std mode and is model-checked under
//! a checker: `block_on` parks its (model) thread until the future's waker
//! unparks it, `spawn` runs a future on a new thread with `block_on`, and
//! `yield_now` is a scheduling point. The checkers' own `future` modules
//! map here (the porting guide in the repository's docs/ lists them).
//!
//! ```
//! # weft_sync::explore::doc_example(|| {
//! use weft_sync::future::{block_on, spawn, yield_now};
//!
//! let h = spawn(async {
//!     yield_now().await;
//!     21
//! });
//! assert_eq!(block_on(async { h.await * 2 }), 42);
//! # });
//! ```

use std::fmt;
use std::future::Future;
use std::pin::{pin, Pin};
use std::task::{Context, Poll, Wake, Waker};

use crate::sync::Mutex;
use crate::thread::{self, Thread};

/// Wakes a `block_on` by unparking its thread: the parker's token makes a
/// wake that comes before the `park` return at once (no lost wakeup).
///
/// No "woken" atomic flag beside the token: in the weak-memory checker
/// (0.7.3), once a thread's `swap` has read a flag's initial value, another
/// thread's `store(true)` made before a mutex hand-over to it is not seen
/// by its later `load` or `swap` (even `SeqCst`): a correct `block_on` with
/// such a flag was a false deadlock there.
struct Unparker {
    thread: Thread,
}

impl Wake for Unparker {
    fn wake(self: std::sync::Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &std::sync::Arc<Self>) {
        self.thread.unpark();
    }
}

/// Runs `future` to completion on the current thread, parking it while
/// the future is pending, as the checkers' own `block_on`; under a checker a future that is never woken is a
/// deadlock (the thread parks forever).
#[track_caller]
pub fn block_on<F: Future>(future: F) -> F::Output {
    // The waker's `Arc` is std's: it only carries the thread handle, whose
    // parker is weft's and seen by the checker.
    let waker = Waker::from(std::sync::Arc::new(Unparker {
        thread: thread::current(),
    }));
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(v) = future.as_mut().poll(&mut cx) {
            return v;
        }
        // A stale token (an earlier wake) only costs one more poll.
        thread::park();
    }
}

/// A future that is pending once: it lets other threads (and tasks) run.
/// Same as the random checker's `future::yield_now`.
pub fn yield_now() -> YieldNow {
    YieldNow { yielded: false }
}

/// The future returned by [`yield_now`].
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        thread::yield_now();
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

struct Shared<T> {
    output: Option<T>,
    /// The task's closure has ended (returned or panicked).
    ended: bool,
    waker: Option<Waker>,
}

/// Marks the task ended and wakes its awaiter, also when the task panics.
struct WakeOnExit<T>(std::sync::Arc<Mutex<Shared<T>>>);

impl<T> Drop for WakeOnExit<T> {
    fn drop(&mut self) {
        let waker = {
            let mut s = self.0.lock().unwrap_or_else(|e| e.into_inner());
            s.ended = true;
            s.waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }
}

/// Runs `future` on a new thread (a model thread under a checker) with
/// [`block_on`]. Same as the random checker's `future::spawn`, except that the task
/// is a thread: await its [`JoinHandle`] (or drop it after the task ends)
/// before the model returns, or the model fails with a leaked thread.
#[track_caller]
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let shared = std::sync::Arc::new(Mutex::new(Shared {
        output: None,
        ended: false,
        waker: None,
    }));
    let done = WakeOnExit(shared.clone());
    let thread = thread::Builder::new()
        .name("task")
        .spawn(move || {
            let v = block_on(future);
            done.0.lock().unwrap_or_else(|e| e.into_inner()).output = Some(v);
            drop(done);
        })
        .expect("spawning a task's thread");
    JoinHandle {
        shared,
        thread: Some(thread),
    }
}

/// A spawned task's output, as a future. Same as the random checker's
/// `future::JoinHandle` (its output is the task's value; a task that
/// panicked propagates the panic when awaited).
#[must_use = "await the task before the model returns"]
pub struct JoinHandle<T> {
    shared: std::sync::Arc<Mutex<Shared<T>>>,
    thread: Option<thread::JoinHandle<()>>,
}

impl<T> Future for JoinHandle<T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let (output, ended) = {
            let mut s = self.shared.lock().unwrap_or_else(|e| e.into_inner());
            if !s.ended {
                s.waker = Some(cx.waker().clone());
                return Poll::Pending;
            }
            (s.output.take(), s.ended)
        };
        debug_assert!(ended);
        // The task's closure has ended: joining its thread is short.
        let joined = self.thread.take().map(|t| t.join());
        match (output, joined) {
            (Some(v), _) => Poll::Ready(v),
            (None, Some(Err(payload))) => std::panic::resume_unwind(payload),
            (None, _) => panic!("a task's JoinHandle polled after it returned its output"),
        }
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle").finish_non_exhaustive()
    }
}
