//! The loop's state and its scheduler: tasks in a slab, the ready queue,
//! the timers and the clock.
//!
//! Everything here lives on the loop's thread (`Rc`, `RefCell`): a task
//! is a slot in a `Vec`, scheduling it is a push on a `VecDeque`, with no
//! lock on the hot path. Only wakeups from other threads go through
//! [`Remote`] (a weft `Mutex`, visible to a checker).
//!
//! No `RefCell` borrow is held while user code runs (a poll, a destructor,
//! a foreign waker, the exception handler): whatever may call back into the
//! loop is taken out of the state first.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use weft_sync::capability;
use weft_sync::record::panic_message;
use weft_sync::sync::PoisonError;
use weft_sync::time::{Duration, Instant};

use super::callback;
use super::context;
use super::deadlock;
use super::report::{self, LoopReport, SharedHandler};
use super::run_in_executor;
use super::task::MainStatus;
use super::task_status::{TaskError, TaskKey, TaskStatus, WaitsOn};
use super::timers::{TimerKey, Timers};
use super::waiter::Waiter;
use super::waker::{Remote, TaskWaker};
use crate::executor::ThreadPool;

/// Picks which of `n` ready tasks runs next (`n >= 2`): the one place the
/// loop's scheduling choice is made.
///
/// `weft_sync::rand::choose`: under shuttle a recorded random choice that
/// the scheduler explores (and replays), so that races between two tasks'
/// await points are found; `0` (FIFO) in std mode and on loom, which
/// explores thread interleavings but not choices.
fn choose_ready(n: usize) -> usize {
    weft_sync::rand::choose(n)
}

/// The task being polled, and the data pointer of its waker.
#[derive(Clone, Copy)]
struct Current {
    key: TaskKey,
    waker_data: *const (),
}

/// A live task in the slab.
struct TaskEntry {
    /// `None` while the task is being polled, and always for the main
    /// future (which `run` polls in place).
    future: Option<Pin<Box<dyn Future<Output = ()>>>>,
    status: Rc<dyn TaskStatus>,
    waker: Waker,
    /// The `Arc` behind `waker`: its strong count tells whether anything
    /// besides this entry holds the task's waker.
    waker_arc: Arc<TaskWaker>,
    scheduled: bool,
    cancel_requested: bool,
    waits_on: Option<WaitsOn>,
}

/// References to `waker_arc` the entry itself holds (`waker_arc`, `waker`).
const OWN_WAKER_REFS: usize = 2;

struct Slot {
    generation: u32,
    task: Option<TaskEntry>,
}

struct State {
    slots: Vec<Slot>,
    free: Vec<u32>,
    ready: VecDeque<TaskKey>,
    timers: Timers,
    next_seq: u64,
    /// The executors of `run_in_executor`; the last is the default.
    executors: Vec<Rc<ThreadPool>>,
}

impl State {
    fn entry_mut(&mut self, key: TaskKey) -> Option<&mut TaskEntry> {
        let slot = self.slots.get_mut(key.index as usize)?;
        if slot.generation != key.generation {
            return None;
        }
        slot.task.as_mut()
    }

    fn remove(&mut self, key: TaskKey) -> Option<TaskEntry> {
        let slot = self.slots.get_mut(key.index as usize)?;
        if slot.generation != key.generation {
            return None;
        }
        let entry = slot.task.take()?;
        slot.generation = slot.generation.wrapping_add(1);
        self.free.push(key.index);
        Some(entry)
    }

    fn live_entries(&self) -> impl Iterator<Item = &TaskEntry> {
        self.slots.iter().filter_map(|s| s.task.as_ref())
    }
}

/// One event loop's state.
pub(crate) struct Core {
    state: RefCell<State>,
    current: Cell<Option<Current>>,
    pub(crate) remote: Arc<Remote>,
    /// Whether a checker runs this build (time is virtual, never slept).
    is_model: bool,
    /// Virtual time skipped by the loop under a checker.
    offset: Cell<Duration>,
    running: Cell<bool>,
    /// Tasks finished so far, to order completions (`as_completed`).
    completions: Cell<u64>,
    handler: RefCell<Option<SharedHandler>>,
}

impl Core {
    pub(crate) fn new() -> Rc<Core> {
        let core = Rc::new(Core {
            state: RefCell::new(State {
                slots: Vec::new(),
                free: Vec::new(),
                ready: VecDeque::new(),
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
        });
        context::register(&core);
        core
    }

    // ----- the clock -------------------------------------------------------

    /// The loop's time: the clock of the build plus the virtual time the
    /// loop skipped (always zero in std mode).
    pub(crate) fn now(&self) -> Instant {
        Instant::now() + self.offset.get()
    }

    fn advance(&self, by: Duration) {
        self.offset.set(self.offset.get() + by);
    }

    // ----- tasks -----------------------------------------------------------

    /// Takes a free slot for a new task; [`Core::fill_slot`] completes it.
    pub(crate) fn reserve_slot(&self) -> (TaskKey, u64) {
        let mut st = self.state.borrow_mut();
        let seq = st.next_seq;
        st.next_seq += 1;
        let index = match st.free.pop() {
            Some(index) => index,
            None => {
                let index = u32::try_from(st.slots.len()).expect("fewer than 2^32 tasks");
                st.slots.push(Slot {
                    generation: 0,
                    task: None,
                });
                index
            }
        };
        let generation = st.slots[index as usize].generation;
        // Keep the slot off the free list until it is filled.
        (TaskKey { index, generation }, seq)
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
        st.slots[key.index as usize].task = Some(TaskEntry {
            future,
            status,
            waker,
            waker_arc,
            scheduled,
            cancel_requested: false,
            waits_on: None,
        });
        if scheduled {
            st.ready.push_back(key);
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
        let entry = self.state.borrow_mut().remove(key);
        drop(entry);
    }

    /// Puts a task on the ready queue unless it is there already.
    pub(crate) fn schedule(&self, key: TaskKey) {
        let mut st = self.state.borrow_mut();
        let st = &mut *st;
        if let Some(entry) = st.entry_mut(key) {
            if !entry.scheduled {
                entry.scheduled = true;
                st.ready.push_back(key);
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
        let Some(entry) = st.entry_mut(key) else {
            return false;
        };
        entry.cancel_requested = true;
        if !entry.scheduled {
            entry.scheduled = true;
            st.ready.push_back(key);
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
            Rc::clone(&st.entry_mut(key)?.status)
        };
        Some(status.name())
    }

    /// Notes what a task waits on, for the deadlock report.
    pub(crate) fn set_waits_on(&self, key: TaskKey, waits_on: WaitsOn) {
        let old = {
            let mut st = self.state.borrow_mut();
            match st.entry_mut(key) {
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
        let mut st = self.state.borrow_mut();
        let n = st.ready.len();
        if self.is_model && n > 1 {
            let i = choose_ready(n);
            st.ready.remove(i)
        } else {
            st.ready.pop_front()
        }
    }

    /// Schedules the tasks other threads woke, and the callbacks they sent
    /// (each as a `call_soon` task named `call_soon_threadsafe`).
    pub(crate) fn collect_remote(self: &Rc<Self>) {
        let (woken, callbacks) = self.remote.take();
        for key in woken {
            self.schedule(key);
        }
        for callback in callbacks {
            drop(callback::call_soon_named(
                self,
                "call_soon_threadsafe",
                callback,
            ));
        }
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
            let Some(entry) = st.entry_mut(key) else {
                return; // a stale key: the task finished
            };
            entry.scheduled = false;
            if entry.cancel_requested {
                let entry = st.remove(key);
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
                let entry = st.entry_mut(key).expect("a task's slot outlives its poll");
                entry.future = Some(future);
                entry.waker = waker;
            }
            Ok(Poll::Ready(())) => {
                let entry = self.state.borrow_mut().remove(key);
                drop_quietly(future);
                drop(waker);
                drop(entry);
            }
            Err(payload) => {
                let message = panic_message(&*payload);
                drop_quietly(payload);
                let entry = self.state.borrow_mut().remove(key);
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
        if let Some(entry) = self.state.borrow_mut().entry_mut(key) {
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

    // ----- idle: timers, other threads, or a deadlock ----------------------

    /// Whether some task's waker is held outside the loop's own slab: then
    /// another thread may wake it, and the loop must wait rather than
    /// declare a deadlock.
    fn wakers_held_elsewhere(&self) -> bool {
        self.state
            .borrow()
            .live_entries()
            .any(|e| Arc::strong_count(&e.waker_arc) > OWN_WAKER_REFS)
    }

    /// Called when no task is ready (after remote wakeups were collected
    /// and due timers fired). Returns when something may have become ready:
    /// time moved to the next timer, or another thread woke a task.
    ///
    /// # Panics
    ///
    /// With no timer set and nothing able to wake a task, panics with the
    /// deadlock report.
    pub(crate) fn idle(&self) {
        let next_timer = self.state.borrow_mut().timers.next_deadline();
        let mut remote = self.remote.lock();
        if remote.has_work() {
            return;
        }
        let held_elsewhere = self.wakers_held_elsewhere() || self.remote.has_handles();
        match next_timer {
            Some(deadline) => {
                let now = self.now();
                if deadline <= now {
                    return;
                }
                let wait = deadline.saturating_duration_since(now);
                if self.is_model && !held_elsewhere {
                    // Every task waits on a timer: jump to the next one.
                    drop(remote);
                    self.advance(wait);
                    return;
                }
                remote.sleeping = true;
                let (mut remote, result) = self
                    .remote
                    .condvar()
                    .wait_timeout(remote, wait)
                    .unwrap_or_else(PoisonError::into_inner);
                remote.sleeping = false;
                drop(remote);
                if self.is_model && result.timed_out() {
                    // The checker chose "the timer fires first": move the
                    // loop's clock there, whatever the build's clock did.
                    let now = self.now();
                    if now < deadline {
                        self.advance(deadline.saturating_duration_since(now));
                    }
                }
            }
            None if held_elsewhere => {
                remote.sleeping = true;
                let mut remote = self
                    .remote
                    .condvar()
                    .wait(remote)
                    .unwrap_or_else(PoisonError::into_inner);
                remote.sleeping = false;
            }
            None => {
                drop(remote);
                let message = self.deadlock_message();
                // Under a checker this is reported as a Deadlock failure.
                weft_sync::record::deadlock(message);
            }
        }
    }

    fn deadlock_message(&self) -> String {
        let tasks: Vec<(Rc<dyn TaskStatus>, Option<WaitsOn>)> = self
            .state
            .borrow()
            .live_entries()
            .map(|e| (Rc::clone(&e.status), e.waits_on.clone()))
            .collect();
        let named: Vec<(String, Option<WaitsOn>)> =
            tasks.into_iter().map(|(s, w)| (s.name(), w)).collect();
        deadlock::message(&named)
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

    /// The default executor, created at the first call.
    pub(crate) fn default_executor(&self) -> Rc<ThreadPool> {
        if let Some(pool) = self.state.borrow().executors.last() {
            return Rc::clone(pool);
        }
        let pool = Rc::new(run_in_executor::default_executor());
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
                let mut entries = Vec::new();
                for (index, slot) in st.slots.iter_mut().enumerate() {
                    if let Some(entry) = slot.task.take() {
                        slot.generation = slot.generation.wrapping_add(1);
                        st.free.push(index as u32);
                        entries.push(entry);
                    }
                }
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

fn timers_exist(timers: &Timers) -> bool {
    timers.has_live()
}

/// Drops `value`, swallowing a panic of its destructor.
fn drop_quietly<T>(value: T) {
    let _ = panic::catch_unwind(AssertUnwindSafe(move || drop(value)));
}
