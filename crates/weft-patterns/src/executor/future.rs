//! [`Future<T>`]: the handle to a task's eventual result, Python's
//! `concurrent.futures.Future`; and its producing side, [`Promise<T>`].
//!
//! A pool makes both for each task. Code that bridges a callback API makes
//! them with [`Future::pending`], hands the [`Future`] to its caller and
//! completes it later through the [`Promise`] (Python's
//! `Future()` with `set_result`/`set_exception`).
//!
//! # Examples
//!
//! ```
//! # weft_sync::explore::doc_example(|| {
//! use weft_patterns::executor::{FutureState, ThreadPool};
//!
//! let pool = ThreadPool::new(2);
//! let future = pool.submit(|| 6 * 7).unwrap();
//! future.add_done_callback(|f| assert!(f.done()));
//! // No timeout: under a checker time is virtual, and a timed wait may
//! // end by its timeout in some explored interleaving.
//! assert_eq!(future.result(None), Ok(42));
//! assert_eq!(future.state(), FutureState::Succeeded);
//! # });
//! ```
//!
//! # The contract between a future and its promise
//!
//! Every executor builds its futures with `promise()` (the public
//! [`Future::pending`]), which returns the [`Future`] and a [`Promise`],
//! the producing side, which the executor keeps with the task:
//!
//! - `Promise::set_running(&self) -> bool` before running the task: `false`
//!   means the future was cancelled, and the task must not run.
//! - then exactly one of `Promise::set_result(self, value)` or
//!   `Promise::set_error(self, error)`. They may also be called without
//!   `set_running` (a pool that fails queued tasks); on a cancelled future
//!   they do nothing.
//! - `Promise::cancel(self)` cancels a future whose task never started
//!   (`shutdown(cancel_futures)`).
//! - A promise dropped without any of these fails its future with
//!   [`FutureError::BrokenPool`] (a pool's promise) or
//!   [`FutureError::Abandoned`] (one from [`Future::pending`]): a future
//!   never waits forever for a result that nobody can give any more.
//!
//! Completion runs the future's callbacks in the completing thread, after
//! waking its waiters, with no lock held.
//!
//! A pool that wants the task in the same allocation as its future (the
//! thread pool does: one allocation per task) uses
//! `future_with_work(work) -> (Future<T>, std::sync::Arc<Inner<T, W>>)`, reaches `work`
//! through `Inner::work`, and turns the shared state into the future's one
//! promise with `Promise::from_shared`.
//!
//! # How it works
//!
//! The state is one atomic word: the phase (pending, running, succeeded,
//! failed, cancelled) and two flags, `LISTENERS` (someone waits, watches or
//! registered a callback: completion must take the listeners' lock) and
//! `TAKEN` (the value was moved out). The value sits in an `UnsafeCell`
//! written once by the promise before it publishes the phase with a release
//! store. So an uncontended future costs one allocation and a few atomic
//! operations: no lock and no condition variable unless a thread really has
//! to block or a callback is registered.

use std::any::Any;
use std::fmt;
use std::mem;
use std::panic::{catch_unwind, AssertUnwindSafe};

use weft_sync::cell::UnsafeCell;
use weft_sync::sync::atomic::{AtomicUsize, Ordering};
use weft_sync::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use weft_sync::time::Duration;

use super::backoff::Backoff;
use weft_sync::time::Deadline;

use super::error::FutureError;
use super::watcher::Watcher;
use crate::timed_wait::wait_until_counted;

/// The phase bits of the state word.
const PHASE: usize = 0b111;
const PENDING: usize = 0;
const RUNNING: usize = 1;
const SUCCEEDED: usize = 2;
const FAILED: usize = 3;
const CANCELLED: usize = 4;
/// Set (under the listeners' lock) by anyone who waits, watches or adds a
/// callback before the future is done: completion must then take the lock
/// and notify. Never cleared.
const LISTENERS: usize = 1 << 3;
/// Set once by the call that moves the value out.
const TAKEN: usize = 1 << 4;

fn phase(state: usize) -> usize {
    state & PHASE
}

fn is_done(state: usize) -> bool {
    phase(state) >= SUCCEEDED
}

/// Where a future is in its life. It starts `Pending`, may become
/// `Running`, and ends exactly once in one of the three final states.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FutureState {
    /// Waiting for a worker; can still be cancelled.
    Pending,
    /// Its task is running.
    Running,
    /// Its task returned a value (final).
    Succeeded,
    /// Its task panicked or its pool broke (final).
    Failed,
    /// Cancelled before its task started (final).
    Cancelled,
}

impl FutureState {
    /// Whether the state is final: succeeded, failed or cancelled.
    pub fn is_done(self) -> bool {
        matches!(
            self,
            FutureState::Succeeded | FutureState::Failed | FutureState::Cancelled
        )
    }

    fn from_word(state: usize) -> FutureState {
        match phase(state) {
            PENDING => FutureState::Pending,
            RUNNING => FutureState::Running,
            SUCCEEDED => FutureState::Succeeded,
            FAILED => FutureState::Failed,
            _ => FutureState::Cancelled,
        }
    }
}

/// What the promise left in the cell.
enum Outcome<T> {
    Empty,
    Value(T),
    Error(FutureError),
}

/// A callback added with [`Future::add_done_callback`].
type Callback<T> = Box<dyn FnOnce(&Future<T>) + Send>;

/// Who must hear about completion; guarded by `Inner::listeners`.
struct Listeners<T> {
    callbacks: Vec<Callback<T>>,
    watchers: Vec<(Arc<Watcher>, usize)>,
    /// Threads waiting on `Inner::completed`: completion notifies it only
    /// when one does (a notification nobody waits for is still a step a
    /// checker orders against every wait).
    waiting: usize,
}

/// What a producer may keep in a future's allocation, type-erased.
pub(crate) type ErasedWork = dyn Any + Send + Sync;

/// The state a future and its promise share, followed by `work`: what the
/// producer keeps in the same allocation (a thread pool's task, so that a
/// task costs one allocation; `()` for a plain [`promise`]). Futures and
/// promises see it erased.
pub(crate) struct Inner<T, W: ?Sized = ErasedWork> {
    state: AtomicUsize,
    /// Written only by the promise, before it publishes SUCCEEDED or FAILED
    /// (release); after that read only: shared reads of an error, or one
    /// move of the value by whoever sets TAKEN.
    outcome: UnsafeCell<Outcome<T>>,
    listeners: Mutex<Listeners<T>>,
    /// Notified (under `listeners`) when the future completes.
    completed: Condvar,
    /// The producer's part; the future never touches it.
    work: W,
}

// SAFETY: `Inner` is shared between the future's owner and the promise's
// thread. The only non-`Sync` part is `outcome`, and the state protocol makes
// every access to it exclusive or read-only: the promise writes it before
// publishing a final phase (release) and never touches it after; readers
// look only after an acquire load saw SUCCEEDED or FAILED; an error is then
// only read (shared reads are fine), and a value is moved out only by the
// one caller whose `fetch_or(TAKEN)` found TAKEN clear. A `T` only ever
// moves between threads, never is shared by reference, so `T: Send`
// suffices, as for `Mutex<T>`. `work` is the producer's and must be `Sync`
// by itself.
unsafe impl<T: Send, W: ?Sized + Sync> Sync for Inner<T, W> {}

impl<T, W: ?Sized> Inner<T, W> {
    /// The producer's part of the allocation.
    pub(crate) fn work(&self) -> &W {
        &self.work
    }
}

impl<T> Inner<T> {
    fn lock_listeners(&self) -> MutexGuard<'_, Listeners<T>> {
        // Poison is impossible in practice (no user code runs under this
        // lock) and harmless: the lists stay consistent.
        self.listeners
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Moves from PENDING to CANCELLED. Returns the previous state word, or
    /// `Err(already_cancelled)` when the phase was not PENDING.
    fn try_cancel(&self) -> Result<usize, bool> {
        let mut current = self.state.load(Ordering::Relaxed);
        loop {
            match phase(current) {
                PENDING => {}
                CANCELLED => return Err(true),
                _ => return Err(false),
            }
            let cancelled = (current & !PHASE) | CANCELLED;
            match self.state.compare_exchange_weak(
                current,
                cancelled,
                Ordering::AcqRel,
                Ordering::Relaxed,
            ) {
                Ok(previous) => return Ok(previous),
                Err(actual) => current = actual,
            }
        }
    }

    /// Wakes the waiters, tells the watchers and runs the callbacks of a
    /// future that just completed. Called once, by the completing thread,
    /// when the state had LISTENERS set; `future` is the handle the
    /// callbacks receive.
    fn notify_listeners(&self, future: &Future<T>) {
        let (callbacks, watchers) = {
            let mut listeners = self.lock_listeners();
            if listeners.waiting > 0 {
                self.completed.notify_all();
            }
            (
                mem::take(&mut listeners.callbacks),
                mem::take(&mut listeners.watchers),
            )
        };
        for (watcher, index) in watchers {
            watcher.notify(index);
        }
        for callback in callbacks {
            run_callback(callback, future);
        }
    }
}

/// Runs a done-callback; a panic in it is caught and ignored (Python logs and
/// ignores a callback's exception), so that the other callbacks run and the
/// completing worker lives on. The panic hook has already reported it.
fn run_callback<T>(callback: impl FnOnce(&Future<T>), future: &Future<T>) {
    let _ = catch_unwind(AssertUnwindSafe(|| callback(future)));
}

/// The eventual result of a task: Python's `concurrent.futures.Future`.
///
/// A `Future` is a unique handle (not `Clone`), like a
/// [`JoinHandle`](weft_sync::thread::JoinHandle): its value is moved out
/// once, so `T` need not be `Clone`. [`Future::result`] returns the value
/// the first time it succeeds and [`FutureError::AlreadyTaken`] after that;
/// errors (cancelled, panicked, broken pool) are returned on every call.
/// Share a future between threads by reference (it is `Sync` when `T` is
/// `Send`); [`wait`](super::wait) and [`as_completed`](super::as_completed)
/// take futures by value or by reference.
///
/// Dropping a future does not cancel its task.
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use weft_patterns::executor::{FutureError, ThreadPool};
///
/// let pool = ThreadPool::new(1);
/// let future = pool.submit(|| String::from("done")).unwrap();
/// assert_eq!(future.result(None).as_deref(), Ok("done"));
/// assert_eq!(future.result(None), Err(FutureError::AlreadyTaken));
/// # });
/// ```
pub struct Future<T> {
    inner: std::sync::Arc<Inner<T>>,
}

/// The producing side of a [`Future`]: completes it once, with a value
/// ([`Promise::set_result`]), an error ([`Promise::set_error`]) or a
/// cancellation ([`Promise::cancel`]). A pool holds one with each task;
/// [`Future::pending`] makes one for code that completes a future itself.
///
/// Dropping a promise that has not completed its future fails the future
/// with [`FutureError::Abandoned`] (with [`FutureError::BrokenPool`] for a
/// pool's task), so a waiter never waits for a result nobody can give.
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use weft_patterns::executor::{Future, FutureError};
///
/// let (future, promise) = Future::<u32>::pending();
/// promise.set_result(7);
/// assert_eq!(future.result(None), Ok(7));
///
/// let (future, promise) = Future::<u32>::pending();
/// drop(promise);
/// assert!(matches!(future.result(None), Err(FutureError::Abandoned)));
/// # });
/// ```
pub struct Promise<T> {
    /// `None` once the promise has completed (or cancelled) its future.
    inner: Option<std::sync::Arc<Inner<T>>>,
    /// Made by [`Future::pending`]: dropped unused, it fails the future
    /// with [`FutureError::Abandoned`] rather than as a broken pool.
    standalone: bool,
}

/// A new pending future and the promise that completes it, for a pool.
pub(crate) fn promise<T>() -> (Future<T>, Promise<T>) {
    let (future, shared) = future_with_work::<T, ()>(());
    (future, Promise::from_shared(shared))
}

/// A new pending future whose allocation also holds `work`, and the shared
/// state (un-erased, so the producer can reach `work`). Turn the shared
/// state into the future's [`Promise`] with [`Promise::from_shared`].
pub(crate) fn future_with_work<T, W>(work: W) -> (Future<T>, std::sync::Arc<Inner<T, W>>)
where
    W: Any + Send + Sync,
{
    // std's `Arc`: the future is type-erased (`Inner<T, dyn Any>`), which
    // needs std's unsizing coercion. Its state is published through
    // `state` (Release/Acquire) and `listeners`, which the checker sees.
    let shared = std::sync::Arc::new(Inner {
        state: AtomicUsize::new(PENDING).named("future.state"),
        outcome: UnsafeCell::new(Outcome::Empty).named("future.outcome"),
        listeners: Mutex::new(Listeners {
            callbacks: Vec::new(),
            watchers: Vec::new(),
            waiting: 0,
        })
        .named("future.listeners"),
        completed: Condvar::new().named("future.completed"),
        work,
    });
    let inner: std::sync::Arc<Inner<T>> = shared.clone();
    (Future { inner }, shared)
}

impl<T> Future<T> {
    /// A future that nobody runs, and the [`Promise`] that completes it
    /// later: for code that bridges a callback API (or another executor)
    /// to weft's futures. Python's bare `Future()` with
    /// `set_running_or_notify_cancel`, `set_result` and `set_exception`.
    ///
    /// The future works as a pool's does: [`Future::result`] waits,
    /// callbacks run on completion, [`wait`](super::wait) and
    /// [`as_completed`](super::as_completed) watch it, and
    /// [`Future::cancel`] succeeds until [`Promise::set_running`].
    ///
    /// # Examples
    ///
    /// ```
    /// # weft_sync::explore::doc_example(|| {
    /// use weft_patterns::executor::Future;
    /// use weft_sync::thread;
    ///
    /// // A callback API that calls `done` with the answer on a thread of
    /// // its own.
    /// fn fetch(done: impl FnOnce(String) + Send + 'static) -> thread::JoinHandle<()> {
    ///     thread::spawn(move || done("answer".to_string()))
    /// }
    ///
    /// let (future, promise) = Future::pending();
    /// let api = fetch(move |answer| promise.set_result(answer));
    /// assert_eq!(future.result(None).unwrap(), "answer");
    /// api.join().unwrap();
    /// # });
    /// ```
    pub fn pending() -> (Future<T>, Promise<T>) {
        let (future, mut promise) = promise();
        promise.standalone = true;
        (future, promise)
    }

    /// Waits for the task and returns its value, at most `timeout` long
    /// (`None`: as long as it takes). Python's `result(timeout)`.
    ///
    /// The value is moved out: the first successful call returns it, later
    /// calls return [`FutureError::AlreadyTaken`]. A timeout leaves the
    /// future as it was.
    ///
    /// # Errors
    ///
    /// - [`FutureError::Timeout`] if the future is not done within `timeout`;
    /// - [`FutureError::Cancelled`] if it was cancelled;
    /// - [`FutureError::Panicked`] with the panic's message if the task
    ///   panicked;
    /// - [`FutureError::BrokenPool`] (or another error of its pool) if the
    ///   task could not complete;
    /// - [`FutureError::AlreadyTaken`] if an earlier call took the value.
    ///
    /// # Examples
    ///
    /// ```
    /// # weft_sync::explore::doc_example(|| {
    /// use weft_patterns::executor::ThreadPool;
    ///
    /// let pool = ThreadPool::new(1);
    /// let future = pool.submit(|| vec![1, 2, 3]).unwrap();
    /// assert_eq!(future.result(None), Ok(vec![1, 2, 3]));
    /// # });
    /// ```
    pub fn result(&self, timeout: Option<Duration>) -> Result<T, FutureError> {
        let state = self.wait_done(timeout).ok_or(FutureError::Timeout)?;
        match phase(state) {
            SUCCEEDED => self.take_value(),
            FAILED => Err(self.read_error()),
            _ => Err(FutureError::Cancelled),
        }
    }

    /// Waits for the future (at most `timeout`) and returns why it has no
    /// value, or `None` if its task succeeded. Python's `exception(timeout)`,
    /// with cancellation and timeout reported as errors too. Does not take
    /// the value.
    ///
    /// # Examples
    ///
    /// ```
    /// # weft_sync::explore::doc_example(|| {
    /// use weft_patterns::executor::{FutureError, ThreadPool};
    ///
    /// let pool = ThreadPool::new(1);
    /// let ok = pool.submit(|| 1).unwrap();
    /// let bad = pool.submit(|| -> i32 { panic!("no") }).unwrap();
    /// assert_eq!(ok.exception(None), None);
    /// assert_eq!(bad.exception(None), Some(FutureError::Panicked("no".into())));
    /// # });
    /// ```
    pub fn exception(&self, timeout: Option<Duration>) -> Option<FutureError> {
        let Some(state) = self.wait_done(timeout) else {
            return Some(FutureError::Timeout);
        };
        match phase(state) {
            SUCCEEDED => None,
            FAILED => Some(self.read_error()),
            _ => Some(FutureError::Cancelled),
        }
    }

    /// Whether the future is done: succeeded, failed or cancelled.
    pub fn done(&self) -> bool {
        is_done(self.inner.state.load(Ordering::Acquire))
    }

    /// Whether its task is running now.
    pub fn running(&self) -> bool {
        phase(self.inner.state.load(Ordering::Acquire)) == RUNNING
    }

    /// Whether the future was cancelled.
    pub fn cancelled(&self) -> bool {
        phase(self.inner.state.load(Ordering::Acquire)) == CANCELLED
    }

    /// Where the future is now.
    pub fn state(&self) -> FutureState {
        FutureState::from_word(self.inner.state.load(Ordering::Acquire))
    }

    /// Cancels the future if its task has not started. Returns `true` if the
    /// future is (now or already) cancelled, `false` if its task is running
    /// or done. Python's `cancel()`. Cancelling wakes the waiters and runs
    /// the callbacks in this thread.
    ///
    /// # Examples
    ///
    /// ```
    /// # weft_sync::explore::doc_example(|| {
    /// use weft_patterns::executor::{FutureError, ThreadPool};
    /// use weft_sync::sync::mpsc::channel;
    ///
    /// let pool = ThreadPool::new(1);
    /// let (release, gate) = channel::<()>();
    /// let blocker = pool.submit(move || gate.recv().unwrap()).unwrap();
    /// let queued = pool.submit(|| 1).unwrap();
    /// assert!(queued.cancel());
    /// release.send(()).unwrap();
    /// assert_eq!(blocker.result(None), Ok(()));
    /// assert_eq!(queued.result(None), Err(FutureError::Cancelled));
    /// # });
    /// ```
    pub fn cancel(&self) -> bool {
        match self.inner.try_cancel() {
            Ok(previous) => {
                if previous & LISTENERS != 0 {
                    self.inner.notify_listeners(self);
                }
                true
            }
            Err(already_cancelled) => already_cancelled,
        }
    }

    /// Runs `callback` once the future is done, exactly once: in the thread
    /// that completes (or cancels) the future, or right here if it is
    /// already done. Callbacks run in the order they were added. A panic in a
    /// callback is caught and ignored, as Python logs and ignores a
    /// callback's exception. A callback may call [`Future::result`], which
    /// takes the value away from the future's other users.
    ///
    /// # Examples
    ///
    /// ```
    /// # weft_sync::explore::doc_example(|| {
    /// use weft_patterns::executor::ThreadPool;
    /// use weft_sync::sync::mpsc::channel;
    ///
    /// let pool = ThreadPool::new(1);
    /// let future = pool.submit(|| 5).unwrap();
    /// let (tx, rx) = channel();
    /// future.add_done_callback(move |f| tx.send(f.done()).unwrap());
    /// assert_eq!(rx.recv(), Ok(true));
    /// # });
    /// ```
    pub fn add_done_callback<C>(&self, callback: C)
    where
        C: FnOnce(&Future<T>) + Send + 'static,
    {
        if !self.done() {
            let mut listeners = self.inner.lock_listeners();
            let previous = self.inner.state.fetch_or(LISTENERS, Ordering::Acquire);
            if !is_done(previous) {
                // The completing thread sees LISTENERS and takes this
                // callback under the same lock: it runs exactly once.
                listeners.callbacks.push(Box::new(callback));
                return;
            }
        }
        run_callback(callback, self);
    }

    /// Registers `watcher` to hear `index` when the future completes.
    /// Returns `false` (and registers nothing) if it is already done.
    pub(crate) fn watch(&self, watcher: &Arc<Watcher>, index: usize) -> bool {
        // A look without the lock first only on real threads (the fast
        // path of a done future): under a checker it is one more step to
        // interleave with the completing worker's, and the locked
        // `fetch_or` below sees a done future just as well (see
        // `wait_done`).
        if Backoff::enabled() && self.done() {
            return false;
        }
        let mut listeners = self.inner.lock_listeners();
        let previous = self.inner.state.fetch_or(LISTENERS, Ordering::Acquire);
        if is_done(previous) {
            return false;
        }
        listeners.watchers.push((Arc::clone(watcher), index));
        true
    }

    /// Forgets `watcher`, if it is still registered.
    pub(crate) fn unwatch(&self, watcher: &Arc<Watcher>) {
        if self.done() {
            // Completion took (or is taking) the list; nothing to remove.
            return;
        }
        self.inner
            .lock_listeners()
            .watchers
            .retain(|(w, _)| !Arc::ptr_eq(w, watcher));
    }

    /// Waits until the future is done, at most `timeout`; returns the state
    /// word, or `None` on timeout.
    fn wait_done(&self, timeout: Option<Duration>) -> Option<usize> {
        // A look without the lock first: a poll (zero timeout) needs no
        // more, and on real threads it is the fast path of a done future
        // and the spin before blocking. Under a checker a waiter goes
        // straight to the locked look below, which sees a done future just
        // as well: a separate look before it would be one more step to
        // interleave with the completing worker's, for the same outcome
        // (`Backoff::enabled`, `weft_sync::hint::spin_before_block`).
        if timeout == Some(Duration::ZERO) || Backoff::enabled() {
            let state = self.inner.state.load(Ordering::Acquire);
            if is_done(state) {
                return Some(state);
            }
            if timeout == Some(Duration::ZERO) {
                return None;
            }
            let mut backoff = Backoff::new();
            while backoff.snooze() {
                let state = self.inner.state.load(Ordering::Acquire);
                if is_done(state) {
                    return Some(state);
                }
            }
        }
        let deadline = Deadline::after(timeout);
        let mut guard = self.inner.lock_listeners();
        // Set LISTENERS and look at the phase in one step, under the lock:
        // either completion comes later in the word's modification order and
        // sees LISTENERS, then takes the lock (so it waits until this thread
        // sleeps on the condvar) and notifies; or it came earlier and this
        // read sees the final phase.
        let mut state = self.inner.state.fetch_or(LISTENERS, Ordering::Acquire);
        loop {
            if is_done(state) {
                return Some(state);
            }
            let (g, timed_out) =
                wait_until_counted(&self.inner.completed, guard, &deadline, |l| &mut l.waiting);
            guard = g;
            state = self.inner.state.load(Ordering::Acquire);
            if timed_out {
                return is_done(state).then_some(state);
            }
        }
    }

    /// Moves the value out of a SUCCEEDED future.
    fn take_value(&self) -> Result<T, FutureError> {
        let previous = self.inner.state.fetch_or(TAKEN, Ordering::Acquire);
        if previous & TAKEN != 0 {
            return Err(FutureError::AlreadyTaken);
        }
        // SAFETY: the phase is SUCCEEDED (seen with acquire, so the promise's
        // write is visible and the promise never touches the cell again) and
        // this call is the one whose fetch_or found TAKEN clear: no other
        // access to the cell can happen, now or later (others see TAKEN).
        let outcome = self
            .inner
            .outcome
            .with_mut(|cell| unsafe { mem::replace(&mut *cell, Outcome::Empty) });
        match outcome {
            Outcome::Value(value) => Ok(value),
            _ => unreachable!("a succeeded future holds its value until taken"),
        }
    }

    /// A copy of the error of a FAILED future.
    fn read_error(&self) -> FutureError {
        // SAFETY: the phase is FAILED (seen with acquire): the promise's write
        // is visible and final, and nobody writes the cell of a failed future
        // any more (only SUCCEEDED values are moved out), so shared reads
        // cannot race.
        self.inner.outcome.with(|cell| match unsafe { &*cell } {
            Outcome::Error(error) => error.clone(),
            _ => unreachable!("a failed future holds its error"),
        })
    }
}

impl<T> fmt::Debug for Future<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Future")
            .field("state", &self.state())
            .finish()
    }
}

impl<T> Promise<T> {
    /// The promise of the future [`future_with_work`] made with `shared`.
    /// There must be only one promise per future.
    pub(crate) fn from_shared<W: Any + Send + Sync>(
        shared: std::sync::Arc<Inner<T, W>>,
    ) -> Promise<T> {
        let inner: std::sync::Arc<Inner<T>> = shared;
        Promise {
            inner: Some(inner),
            standalone: false,
        }
    }

    /// Marks the work as started, so that [`Future::cancel`] no longer
    /// succeeds. Returns `false` if the future was cancelled (or already
    /// completed): the work must not start. Python's
    /// `set_running_or_notify_cancel`. Optional: a promise may complete its
    /// future without it.
    pub fn set_running(&self) -> bool {
        let Some(inner) = &self.inner else {
            return false;
        };
        // Guess the state of a fresh future instead of loading it first:
        // when nobody listens yet the exchange succeeds at once, one atomic
        // step (a load before it would be one more step for a checker to
        // interleave with the waiters'); otherwise it returns the word.
        let mut current = PENDING;
        loop {
            match phase(current) {
                PENDING => {}
                RUNNING => return true,
                _ => return false,
            }
            let running = (current & !PHASE) | RUNNING;
            match inner.state.compare_exchange_weak(
                current,
                running,
                Ordering::AcqRel,
                Ordering::Relaxed,
            ) {
                Ok(_) => return true,
                Err(actual) => current = actual,
            }
        }
    }

    /// Completes the future with `value`, waking its waiters and running
    /// its callbacks in this thread. Does nothing if the future was
    /// cancelled. Python's `set_result`.
    pub fn set_result(mut self, value: T) {
        if let Some(inner) = self.inner.take() {
            finish(inner, Outcome::Value(value), SUCCEEDED);
        }
    }

    /// Completes the future with `error` (for a failure of one's own,
    /// [`FutureError::Failed`]), waking its waiters and running its
    /// callbacks in this thread. Does nothing if the future was cancelled.
    /// Python's `set_exception`.
    pub fn set_error(mut self, error: FutureError) {
        if let Some(inner) = self.inner.take() {
            finish(inner, Outcome::Error(error), FAILED);
        }
    }

    /// [`Promise::set_result`] for a promise whose
    /// [`Promise::set_running`] returned `true`: the phase can then only be
    /// RUNNING, so completion is one atomic add, with no load and no
    /// compare-exchange loop (see [`finish_running`]).
    pub(crate) fn set_result_after_running(mut self, value: T) {
        if let Some(inner) = self.inner.take() {
            finish_running(inner, Outcome::Value(value), SUCCEEDED);
        }
    }

    /// [`Promise::set_error`] for a promise whose [`Promise::set_running`]
    /// returned `true`; see [`Promise::set_result_after_running`].
    pub(crate) fn set_error_after_running(mut self, error: FutureError) {
        if let Some(inner) = self.inner.take() {
            finish_running(inner, Outcome::Error(error), FAILED);
        }
    }

    /// Cancels the future if its work has not started
    /// ([`Promise::set_running`]); returns whether the future is cancelled.
    pub fn cancel(mut self) -> bool {
        let Some(inner) = self.inner.take() else {
            return false;
        };
        match inner.try_cancel() {
            Ok(previous) => {
                if previous & LISTENERS != 0 {
                    let future = Future { inner };
                    future.inner.notify_listeners(&future);
                }
                true
            }
            Err(already_cancelled) => already_cancelled,
        }
    }
}

/// Stores the outcome and publishes the final `phase`, unless the future was
/// cancelled first (then the outcome is dropped).
fn finish<T>(inner: std::sync::Arc<Inner<T>>, outcome: Outcome<T>, final_phase: usize) {
    // SAFETY: the promise is the cell's only writer and this is its last act
    // (it was consumed); no reader looks at the cell before the final phase
    // is published below with release, and a cancelled future's cell is
    // never read.
    inner.outcome.with_mut(|cell| unsafe { *cell = outcome });
    let mut current = inner.state.load(Ordering::Relaxed);
    loop {
        if is_done(current) {
            // Only the promise sets SUCCEEDED or FAILED, so this is CANCELLED.
            debug_assert_eq!(phase(current), CANCELLED);
            // SAFETY: the future is cancelled, so no reader ever looks at the
            // cell, and the promise is still its only writer.
            let dropped = inner
                .outcome
                .with_mut(|cell| unsafe { mem::replace(&mut *cell, Outcome::Empty) });
            drop(dropped);
            return;
        }
        let done = (current & !PHASE) | final_phase;
        match inner
            .state
            .compare_exchange_weak(current, done, Ordering::AcqRel, Ordering::Relaxed)
        {
            Ok(_) => break,
            Err(actual) => current = actual,
        }
    }
    if current & LISTENERS != 0 {
        let future = Future { inner };
        future.inner.notify_listeners(&future);
    }
}

/// Stores the outcome and publishes the final `phase` of a RUNNING future
/// with one `fetch_add`. Once a promise's `set_running` succeeded, nothing
/// else changes the phase: a cancel needs PENDING, and only this promise
/// completes the future; other threads only set the LISTENERS flag (and
/// TAKEN, after completion). So adding `final_phase - RUNNING` moves the
/// phase from RUNNING to `final_phase` (the phase bits cannot carry into
/// the flags: `final_phase` fits in them) and keeps the flags.
fn finish_running<T>(inner: std::sync::Arc<Inner<T>>, outcome: Outcome<T>, final_phase: usize) {
    // SAFETY: as in `finish`: the promise is the cell's only writer and
    // this is its last act; no reader looks at the cell before the final
    // phase is published below with release.
    inner.outcome.with_mut(|cell| unsafe { *cell = outcome });
    let previous = inner
        .state
        .fetch_add(final_phase - RUNNING, Ordering::AcqRel);
    debug_assert_eq!(phase(previous), RUNNING, "completed a future not running");
    if previous & LISTENERS != 0 {
        let future = Future { inner };
        future.inner.notify_listeners(&future);
    }
}

impl<T> Drop for Promise<T> {
    fn drop(&mut self) {
        if let Some(inner) = self.inner.take() {
            let error = if self.standalone {
                FutureError::Abandoned
            } else {
                FutureError::BrokenPool("task dropped before it completed".into())
            };
            finish(inner, Outcome::Error(error), FAILED);
        }
    }
}

impl<T> fmt::Debug for Promise<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self
            .inner
            .as_ref()
            .map(|inner| FutureState::from_word(inner.state.load(Ordering::Acquire)));
        f.debug_struct("Promise").field("state", &state).finish()
    }
}
