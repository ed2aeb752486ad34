//! The loop's state and its scheduler: the tasks ([`Slab`]), the ready
//! queue ([`ReadyQueue`]), the timers and the clock, polling, and shutdown;
//! what the loop does when nothing is ready is in `idle.rs`.
//!
//! Everything here lives on the loop's thread (`Rc`, `RefCell`): a task
//! is a slot in a `Vec`, scheduling it is a push on a `VecDeque`, with no
//! lock on the hot path. Only wakeups from other threads go through
//! [`Remote`] (a weft `Mutex`, visible to a checker).
//!
//! No `RefCell` borrow is held while user code runs (a poll, a destructor,
//! a foreign waker, the exception handler): whatever may call back into the
//! loop is taken out of the state first.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use weft_sync::capability;
use weft_sync::record::panic_message;
use weft_sync::time::{Duration, Instant};

use super::context;
use super::ready::ReadyQueue;
use super::report::{self, LoopReport, SharedHandler};
use super::slab::{Slab, TaskEntry};
use super::task_status::{LoopRef, MainStatus, TaskError, TaskKey, TaskStatus, WaitsOn};
use super::timers::{TimerKey, Timers};
use super::waiter::Waiter;
use super::waker::{Remote, RemoteCallback, TaskWaker};
use crate::executor::ThreadPool;

/// The task being polled, and the data pointer of its waker.
#[derive(Clone, Copy)]
struct Current {
    key: TaskKey,
    waker_data: *const (),
}

/// What the loop's `RefCell` holds.
pub(super) struct State {
    pub(super) slab: Slab,
    pub(super) ready: ReadyQueue,
    pub(super) timers: Timers,
    next_seq: u64,
    /// The executors of `run_in_executor`; the last is the default.
    executors: Vec<Rc<ThreadPool>>,
}

/// One event loop's state.
pub(crate) struct Core {
    pub(super) state: RefCell<State>,
    current: Cell<Option<Current>>,
    pub(crate) remote: Arc<Remote>,
    /// Whether a checker runs this build (time is virtual, never slept).
    pub(super) is_model: bool,
    /// Virtual time skipped by the loop under a checker.
    offset: Cell<Duration>,
    running: Cell<bool>,
    /// Tasks finished so far, to order completions (`as_completed`).
    completions: Cell<u64>,
    handler: RefCell<Option<SharedHandler>>,
}

impl Core {
    pub(crate) fn new() -> Rc<Core> {
        Rc::new(Core {
            state: RefCell::new(State {
                slab: Slab::default(),
                ready: ReadyQueue::default(),
                timers: Timers::default(),
                next_seq: 1,
                executors: Vec::new(),
            }),
            current: Cell::new(None),
            remote: Arc::new(Remote::new()),
            is_model: !capability::real_threads(),
            offset: Cell::new(Duration::ZERO),
            running: Cell::new(false),
            completions: Cell::new(0),
            handler: RefCell::new(None),
        })
    }

    // ----- the clock -------------------------------------------------------

    /// The loop's time: the clock of the build plus the virtual time the
    /// loop skipped (always zero in std mode).
    pub(crate) fn now(&self) -> Instant {
        Instant::now() + self.offset.get()
    }

    pub(super) fn advance(&self, by: Duration) {
        self.offset.set(self.offset.get() + by);
    }

    // ----- tasks -----------------------------------------------------------

    /// Takes a free slot for a new task; [`Core::fill_slot`] completes it.
    pub(crate) fn reserve_slot(&self) -> (TaskKey, u64) {
        let mut st = self.state.borrow_mut();
        let seq = st.next_seq;
        st.next_seq += 1;
        (st.slab.reserve(), seq)
    }

    /// Puts a task in its reserved slot and schedules it.
    pub(crate) fn fill_slot(
        &self,
        key: TaskKey,
        future: Pin<Box<dyn Future<Output = ()>>>,
        status: Rc<dyn TaskStatus>,
    ) {
        self.fill(key, Some(future), status, true);
    }

    fn fill(
        &self,
        key: TaskKey,
        future: Option<Pin<Box<dyn Future<Output = ()>>>>,
        status: Rc<dyn TaskStatus>,
        scheduled: bool,
    ) {
        let waker_arc = Arc::new(TaskWaker::new(key, Arc::clone(&self.remote)));
        let waker = Waker::from(Arc::clone(&waker_arc));
        let mut st = self.state.borrow_mut();
        st.slab.fill(
            key,
            TaskEntry {
                future,
                status,
                waker,
                waker_arc,
                scheduled,
                cancel_requested: false,
                waits_on: None,
            },
        );
        if scheduled {
            st.ready.push(key);
        }
    }

    /// Adds the slot of `run`'s main future, scheduled.
    pub(crate) fn insert_main(&self) -> TaskKey {
        let (key, _) = self.reserve_slot();
        self.fill(key, None, Rc::new(MainStatus), true);
        key
    }

    /// Removes the main future's slot when `run` returns or unwinds.
    pub(crate) fn remove_main(&self, key: TaskKey) {
        let entry = self.state.borrow_mut().slab.remove(key);
        drop(entry);
    }

    /// Puts a task on the ready queue unless it is there already.
    pub(crate) fn schedule(&self, key: TaskKey) {
        let mut st = self.state.borrow_mut();
        let st = &mut *st;
        if let Some(entry) = st.slab.entry_mut(key) {
            if !entry.scheduled {
                entry.scheduled = true;
                st.ready.push(key);
            }
        }
    }

    /// Numbers a task's completion: 1, 2, ... in the order tasks finish.
    pub(crate) fn next_completion(&self) -> u64 {
        let n = self.completions.get() + 1;
        self.completions.set(n);
        n
    }

    /// Marks a task for cancellation at its next turn.
    pub(crate) fn request_cancel(&self, key: TaskKey) -> bool {
        let mut st = self.state.borrow_mut();
        let st = &mut *st;
        let Some(entry) = st.slab.entry_mut(key) else {
            return false;
        };
        entry.cancel_requested = true;
        if !entry.scheduled {
            entry.scheduled = true;
            st.ready.push(key);
        }
        true
    }

    /// The task being polled, if `waker` is its own waker.
    ///
    /// Compares the waker's data pointer with the one of the task's waker
    /// (the `Arc<TaskWaker>`); the vtable is not compared, since the same
    /// vtable may have several addresses across codegen units.
    pub(crate) fn current_task_for(&self, waker: &Waker) -> Option<TaskKey> {
        match self.current.get() {
            Some(c) if std::ptr::eq(c.waker_data, waker.data()) => Some(c.key),
            _ => None,
        }
    }

    /// The task being polled.
    pub(crate) fn current_key(&self) -> Option<TaskKey> {
        self.current.get().map(|c| c.key)
    }

    /// The name of a live task.
    pub(crate) fn task_name(&self, key: TaskKey) -> Option<String> {
        let status = {
            let mut st = self.state.borrow_mut();
            Rc::clone(&st.slab.entry_mut(key)?.status)
        };
        Some(status.name())
    }

    /// Notes what a task waits on, for the deadlock report.
    pub(crate) fn set_waits_on(&self, key: TaskKey, waits_on: WaitsOn) {
        let old = {
            let mut st = self.state.borrow_mut();
            match st.slab.entry_mut(key) {
                Some(entry) => entry.waits_on.replace(waits_on),
                None => None,
            }
        };
        drop(old);
    }

    // ----- running ---------------------------------------------------------

    /// Marks the loop running; `false` if it already was.
    pub(crate) fn start_running(&self) -> bool {
        !self.running.replace(true)
    }

    /// Marks the loop stopped and forgets the polled task.
    pub(crate) fn stop_running(&self) {
        self.running.set(false);
        self.current.set(None);
    }

    /// How many tasks are ready now.
    pub(crate) fn ready_len(&self) -> usize {
        self.state.borrow().ready.len()
    }

    /// Takes the next ready task: the first in std mode, a checker's choice
    /// under a checker.
    pub(crate) fn pop_ready(&self) -> Option<TaskKey> {
        let explore = self.is_model;
        self.state.borrow_mut().ready.pop(explore)
    }

    /// Schedules the tasks other threads woke, and returns the callbacks
    /// they sent (for the caller to schedule as tasks).
    pub(crate) fn collect_remote(&self) -> Vec<RemoteCallback> {
        let (woken, callbacks) = self.remote.take();
        for key in woken {
            self.schedule(key);
        }
        callbacks
    }

    /// Fires the timers that are due and wakes their tasks.
    pub(crate) fn fire_due_timers(&self) {
        if !self.state.borrow().timers.has_live() {
            return;
        }
        let now = self.now();
        let mut due = Vec::new();
        self.state.borrow_mut().timers.fire_due(now, &mut due);
        for w in due {
            w.wake();
        }
    }

    /// Polls one task (not the main future).
    pub(crate) fn poll_task(&self, key: TaskKey) {
        let (mut future, waker) = {
            let mut st = self.state.borrow_mut();
            let Some(entry) = st.slab.entry_mut(key) else {
                return; // a stale key: the task finished
            };
            entry.scheduled = false;
            if entry.cancel_requested {
                let entry = st.slab.remove(key);
                drop(st);
                if let Some(entry) = entry {
                    self.finish(entry, TaskError::Cancelled);
                }
                return;
            }
            let Some(future) = entry.future.take() else {
                return; // the main future: `run` polls it
            };
            entry.waits_on = None;
            (
                future,
                std::mem::replace(&mut entry.waker, Waker::noop().clone()),
            )
        };
        if self.is_model {
            self.trace_turn(key);
        }
        self.current.set(Some(Current {
            key,
            waker_data: waker.data(),
        }));
        let polled = panic::catch_unwind(AssertUnwindSafe(|| {
            future.as_mut().poll(&mut Context::from_waker(&waker))
        }));
        self.current.set(None);
        match polled {
            Ok(Poll::Pending) => {
                let mut st = self.state.borrow_mut();
                let entry = st
                    .slab
                    .entry_mut(key)
                    .expect("a task's slot outlives its poll");
                entry.future = Some(future);
                entry.waker = waker;
            }
            Ok(Poll::Ready(())) => {
                let entry = self.state.borrow_mut().slab.remove(key);
                drop_quietly(future);
                drop(waker);
                drop(entry);
            }
            Err(payload) => {
                let message = panic_message(&*payload);
                drop_quietly(payload);
                let entry = self.state.borrow_mut().slab.remove(key);
                drop_quietly(future);
                drop(waker);
                if let Some(entry) = entry {
                    entry.status.fail(TaskError::Panicked { message });
                }
            }
        }
    }

    /// Ends a task that did not finish: drops its future, then fails it.
    fn finish(&self, mut entry: TaskEntry, error: TaskError) {
        if let Some(future) = entry.future.take() {
            drop_quietly(future);
        }
        entry.status.fail(error);
    }

    /// Polls the main future (the one `run` holds).
    pub(crate) fn poll_main<F: Future>(
        &self,
        key: TaskKey,
        future: Pin<&mut F>,
    ) -> Poll<F::Output> {
        let waker = {
            let mut st = self.state.borrow_mut();
            let entry = st
                .slab
                .entry_mut(key)
                .expect("the main slot lives while run does");
            entry.scheduled = false;
            entry.waits_on = None;
            std::mem::replace(&mut entry.waker, Waker::noop().clone())
        };
        if self.is_model {
            self.trace_turn(key);
        }
        self.current.set(Some(Current {
            key,
            waker_data: waker.data(),
        }));
        // A panic here unwinds out of `run`, whose guard clears `current`
        // and removes the main slot.
        let polled = future.poll(&mut Context::from_waker(&waker));
        self.current.set(None);
        if let Some(entry) = self.state.borrow_mut().slab.entry_mut(key) {
            entry.waker = waker;
        }
        polled
    }

    /// Under a checker, emits which task takes its turn as a `tracing`
    /// event, for traces to show tasks by name between recorded steps.
    fn trace_turn(&self, key: TaskKey) {
        if !tracing::enabled!(target: "weft::aio", tracing::Level::DEBUG) {
            return;
        }
        if let Some(name) = self.task_name(key) {
            tracing::debug!(target: "weft::aio", task = %name, "aio: task '{name}' runs");
        }
    }

    // ----- timers ----------------------------------------------------------

    /// Sets a timer that wakes `waiter` at `deadline`.
    pub(crate) fn add_timer(&self, deadline: Instant, waiter: Waiter) -> TimerKey {
        self.state.borrow_mut().timers.insert(deadline, waiter)
    }

    /// Whether the timer fired; a timer that no longer exists counts as fired.
    pub(crate) fn timer_fired(&self, key: TimerKey) -> bool {
        self.state.borrow_mut().timers.fired(key).unwrap_or(true)
    }

    /// Makes a pending timer wake whoever polls with `cx` now.
    pub(crate) fn refresh_timer(&self, key: TimerKey, cx: &Context<'_>) {
        // Take the waiter out: refreshing may borrow the state again.
        let taken = self
            .state
            .borrow_mut()
            .timers
            .waiter_mut(key)
            .map(|slot| slot.take());
        let Some(mut waiter) = taken else { return };
        super::waiter::refresh_slot(&mut waiter, cx, || WaitsOn::Sleep);
        if let Some(slot) = self.state.borrow_mut().timers.waiter_mut(key) {
            *slot = waiter;
        }
    }

    /// Removes a timer, fired or not.
    pub(crate) fn remove_timer(&self, key: TimerKey) {
        let waiter = self.state.borrow_mut().timers.remove(key);
        drop(waiter);
    }

    // ----- executors -------------------------------------------------------

    /// The default executor, made by `make` at the first call.
    pub(crate) fn default_executor(&self, make: impl FnOnce() -> ThreadPool) -> Rc<ThreadPool> {
        if let Some(pool) = self.state.borrow().executors.last() {
            return Rc::clone(pool);
        }
        let pool = Rc::new(make());
        self.state.borrow_mut().executors.push(Rc::clone(&pool));
        pool
    }

    /// Makes `pool` the default executor; the previous ones are shut down
    /// with the loop.
    pub(crate) fn set_default_executor(&self, pool: ThreadPool) {
        self.state.borrow_mut().executors.push(Rc::new(pool));
    }

    // ----- reports ---------------------------------------------------------

    /// Replaces the exception handler.
    pub(crate) fn set_handler(&self, handler: Option<SharedHandler>) {
        *self.handler.borrow_mut() = handler;
    }

    /// Hands a report to `core`'s handler, or the default one.
    pub(crate) fn report_to(core: Option<&Core>, report: &LoopReport) {
        let handler = core.and_then(|c| c.handler.borrow().clone());
        let delivered = panic::catch_unwind(AssertUnwindSafe(|| match handler {
            Some(h) => h(report),
            None => report::default_handler(report),
        }));
        drop_quietly(delivered);
    }

    // ----- shutdown --------------------------------------------------------

    /// Drops every task still in the loop, reporting the pending ones when
    /// `report` is set, and shuts the executors down (waiting for them).
    pub(crate) fn shutdown(&self, report: bool) {
        // Refuse callbacks from other threads from now on. Not while this
        // thread unwinds: under a checker, blocking on the lock then would
        // abort the process (the loop is gone either way).
        if !std::thread::panicking() {
            drop_quietly(self.remote.close());
        }
        // Destructors may create tasks or timers: repeat until empty.
        for _ in 0..16 {
            let (entries, timers, threads) = {
                let mut st = self.state.borrow_mut();
                let st = &mut *st;
                let entries = st.slab.take_all();
                st.ready.clear();
                (
                    entries,
                    std::mem::take(&mut st.timers),
                    std::mem::take(&mut st.executors),
                )
            };
            if entries.is_empty() && threads.is_empty() && !timers_exist(&timers) {
                break;
            }
            for entry in entries {
                if report && entry.status.reports_pending() && !entry.cancel_requested {
                    let report = LoopReport::PendingTaskDestroyed {
                        task: entry.status.name(),
                    };
                    Self::report_to(Some(self), &report);
                }
                self.finish(entry, TaskError::Cancelled);
            }
            drop_quietly(timers);
            // Dropping a pool waits for its work and its workers.
            drop_quietly(threads);
        }
    }
}

impl LoopRef for Core {
    fn schedule(&self, key: TaskKey) {
        Core::schedule(self, key);
    }

    fn set_waits_on(&self, key: TaskKey, waits_on: WaitsOn) {
        Core::set_waits_on(self, key, waits_on);
    }

    fn current_task_for(&self, waker: &Waker) -> Option<TaskKey> {
        Core::current_task_for(self, waker)
    }

    fn remote_id(&self) -> *const () {
        Arc::as_ptr(&self.remote).cast()
    }

    fn into_any(self: Rc<Self>) -> Rc<dyn Any> {
        self
    }
}

impl Core {
    /// The loop running on this (model) thread, if any.
    pub(crate) fn current() -> Option<Rc<Core>> {
        context::current().and_then(Self::downcast)
    }

    /// The loop created on this (model) thread whose cross-thread queue is
    /// `remote`, if it still exists.
    pub(crate) fn find(remote: &Arc<Remote>) -> Option<Rc<Core>> {
        context::find(Arc::as_ptr(remote).cast()).and_then(Self::downcast)
    }

    fn downcast(any: Rc<dyn LoopRef>) -> Option<Rc<Core>> {
        any.into_any().downcast::<Core>().ok()
    }
}

fn timers_exist(timers: &Timers) -> bool {
    timers.has_live()
}

/// Drops `value`, swallowing a panic of its destructor.
fn drop_quietly<T>(value: T) {
    let _ = panic::catch_unwind(AssertUnwindSafe(move || drop(value)));
}
