//! The shuttle engine: the only file that names shuttle.
//!
//! weft drives shuttle through its own [`Scheduler`] wrapper, which records
//! every decision (so a failure can be replayed exactly from weft's trace
//! file), honours weft's time budget between executions, and in replay mode
//! follows a recorded schedule and reports where it no longer fits.

use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};
use std::rc::Rc;
use std::time::{Duration, Instant};

use shuttle::scheduler::{
    DfsScheduler, PctScheduler, RandomScheduler, Schedule, Scheduler, Task, TaskId,
};
use shuttle::{Config, FailurePersistence, MaxSteps, Runner};

use crate::dpor::access::ReadEffects;
use crate::dpor::search::Search;
use crate::explore::{
    Backend, Decision, ExploreConfig, FailureKind, SchedulerKind, SHUTTLE_DEFAULT_ITERATIONS,
};

pub(crate) use shuttle::sync::atomic;
pub(crate) use shuttle::sync::{
    Mutex as RawMutex, MutexGuard as RawMutexGuard, RwLock as RawRwLock,
    RwLockReadGuard as RawReadGuard, RwLockWriteGuard as RawWriteGuard,
};

/// The backend of this build.
pub(crate) const BACKEND: Backend = Backend::Shuttle;
/// shuttle has no thread limit.
pub(crate) const MAX_SPAWNED_THREADS: Option<usize> = None;
/// shuttle has no race detector: weft's vector clocks check `UnsafeCell`.
pub(crate) const WEFT_DETECTS_RACES: bool = true;
/// shuttle's locks go on working after a panic poisoned them.
pub(crate) const POISON_BREAKS_LOCKS: bool = false;

/// Non-atomic access to an engine atomic (`get_mut`, `with_mut`,
/// `unsync_load`), which loom and shuttle offer differently.
pub(crate) trait RawUnsync<T> {
    /// A reference to the value: shuttle keeps it in the atomic.
    fn raw_get_mut(&mut self) -> Option<&mut T>;
    /// Runs `f` on the value.
    fn raw_with_mut<R>(&mut self, f: impl FnOnce(&mut T) -> R) -> R;
    /// Reads the value without synchronization.
    ///
    /// # Safety
    ///
    /// No concurrent write (weft's clocks check it on shuttle).
    unsafe fn raw_unsync_load(&self) -> T;
}

macro_rules! shuttle_unsync {
    ($([$($gen:tt)*] $name:ident, $t:ty;)*) => {$(
        impl<$($gen)*> RawUnsync<$t> for atomic::$name<$($gen)*> {
            fn raw_get_mut(&mut self) -> Option<&mut $t> {
                Some(self.get_mut())
            }
            fn raw_with_mut<R>(&mut self, f: impl FnOnce(&mut $t) -> R) -> R {
                f(self.get_mut())
            }
            unsafe fn raw_unsync_load(&self) -> $t {
                // shuttle runs every access sequentially consistent; the
                // race check is weft's (the caller records the access).
                self.load(std::sync::atomic::Ordering::Relaxed)
            }
        }
    )*};
}

shuttle_unsync! {
    [] AtomicBool, bool;
    [] AtomicUsize, usize; [] AtomicIsize, isize; [] AtomicU8, u8; [] AtomicI8, i8;
    [] AtomicU16, u16; [] AtomicI16, i16; [] AtomicU32, u32; [] AtomicI32, i32;
    [] AtomicU64, u64; [] AtomicI64, i64; [T] AtomicPtr, *mut T;
}

/// One reference of a modelled `Arc` on shuttle, where weft's clocks model
/// the count: its drop is a scheduling point, as loom's `Arc` drop is, so
/// that which owner drops last (and runs the value's `Drop`) is explored.
/// Without it a thread that spawns and then drops its clone always drops
/// first, and a `Drop` impl that misses the owners' synchronization passes.
pub(crate) struct ArcToken;

impl ArcToken {
    /// The first reference.
    pub(crate) fn new(_live: bool) -> ArcToken {
        ArcToken
    }

    /// Another reference.
    pub(crate) fn clone_token(&self, _live: impl FnOnce() -> bool) -> ArcToken {
        ArcToken
    }

    /// Nothing: weft's clocks acquire.
    pub(crate) fn acquire_unique(&mut self, _live: bool) {}

    /// Drops the reference: a scheduling point (not a yield hint: shuttle's
    /// schedulers treat a yield as a thread waiting for others), except
    /// after the execution stopped.
    pub(crate) fn release(self, live: bool) {
        if live {
            shuttle_engine::runtime::thread::continuation::switch_if_not_stopping();
        }
    }
}

/// A model thread's join handle.
pub(crate) type RawJoinHandle<T> = shuttle::thread::JoinHandle<T>;

/// Spawns a model thread.
pub(crate) fn spawn<F, T>(name: Option<String>, f: F) -> RawJoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let mut b = shuttle::thread::Builder::new();
    if let Some(name) = name {
        b = b.name(name);
    }
    b.spawn(f)
        .expect("shuttle spawns model threads without I/O")
}

/// Lets another model thread run.
pub(crate) fn yield_now() {
    shuttle::thread::yield_now()
}

/// A scheduling point before an operation shuttle has no primitive for
/// (`JoinHandle::is_finished`): any thread may run first. Not a yield:
/// shuttle's schedulers treat a yield as a thread waiting for others.
pub(crate) fn scheduling_point() {
    shuttle_engine::runtime::thread::continuation::switch_if_not_stopping();
}

/// One waiter of a weft condvar, woken by [`RawWaiter::wake`] whether that
/// comes before or after it blocks.
///
/// `woken` lives under a lock of the waiter's own, which the waiter holds
/// from before it releases the caller's mutex until shuttle's
/// `Condvar::wait` has registered it: shuttle may switch threads inside
/// that wait before it registers, and a wake landing there was lost. (A
/// parked thread would not need the lock, but in shuttle it may wake
/// spuriously, which would dilute the schedulers' choices.)
pub(crate) struct RawWaiter {
    woken: RawMutex<bool>,
    raw: shuttle::sync::Condvar,
}

impl RawWaiter {
    /// A waiter for the current model thread, which blocks in [`RawWaiter::wait`].
    pub(crate) fn new() -> Self {
        RawWaiter {
            woken: RawMutex::new(false),
            raw: shuttle::sync::Condvar::new(),
        }
    }

    /// A waiter that never blocks: it only asks [`RawWaiter::is_woken`].
    pub(crate) fn polling() -> Self {
        RawWaiter::new()
    }

    fn flag(&self) -> RawMutexGuard<'_, bool> {
        self.woken
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether [`RawWaiter::wake`] was called.
    pub(crate) fn is_woken(&self) -> bool {
        *self.flag()
    }

    /// Wakes the waiter, now or when it next blocks. The flag's lock is let
    /// go before the notification, which loses nothing (a waiter that
    /// missed the flag is queued in shuttle's wait by the time the lock is
    /// free): the woken waiter takes that lock again as it returns from the
    /// wait, and a waker that still held it there, across the scheduling
    /// point before its release, blocked the waiter on a lock no recording
    /// sees. The DPOR search took that blocked attempt for a step
    /// independent of everything, and ran orders it had explored already.
    pub(crate) fn wake(&self) {
        *self.flag() = true;
        self.raw.notify_one();
    }

    /// Releases `guard`, blocks until woken, and locks `mutex` again.
    pub(crate) fn wait<'a, T>(
        &self,
        mutex: &'a RawMutex<T>,
        guard: RawMutexGuard<'a, T>,
    ) -> std::sync::LockResult<RawMutexGuard<'a, T>> {
        let mut woken = self.flag();
        drop(guard);
        while !*woken {
            woken = self
                .raw
                .wait(woken)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        drop(woken);
        mutex.lock()
    }
}

/// A plain cell: weft's clocks check its accesses on shuttle.
#[derive(Debug)]
pub(crate) struct RawCell<T>(core::cell::UnsafeCell<T>);

impl<T> RawCell<T> {
    pub(crate) fn new(value: T) -> Self {
        RawCell(core::cell::UnsafeCell::new(value))
    }

    pub(crate) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        f(self.0.get())
    }

    pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        f(self.0.get())
    }

    pub(crate) fn into_inner(self) -> T {
        self.0.into_inner()
    }

    /// A read pointer; weft's clocks checked the read when it was taken.
    pub(crate) fn get(&self) -> RawConstPtr<T> {
        RawConstPtr(self.0.get())
    }

    /// A write pointer; weft's clocks checked the write when it was taken.
    pub(crate) fn get_mut(&self) -> RawMutPtr<T> {
        RawMutPtr(self.0.get())
    }
}

/// A read pointer into a [`RawCell`] (the shape of loom's `ConstPtr`).
#[derive(Debug)]
pub(crate) struct RawConstPtr<T>(*const T);

impl<T> RawConstPtr<T> {
    /// # Safety
    ///
    /// The caller's: no write to the cell while the reference lives.
    pub(crate) unsafe fn deref(&self) -> &T {
        // SAFETY: the caller's contract.
        unsafe { &*self.0 }
    }

    pub(crate) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        f(self.0)
    }
}

/// A write pointer into a [`RawCell`] (the shape of loom's `MutPtr`).
#[derive(Debug)]
pub(crate) struct RawMutPtr<T>(*mut T);

impl<T> RawMutPtr<T> {
    /// # Safety
    ///
    /// The caller's: no other access to the cell while the reference lives.
    #[allow(clippy::mut_from_ref)]
    pub(crate) unsafe fn deref(&self) -> &mut T {
        // SAFETY: the caller's contract.
        unsafe { &mut *self.0 }
    }

    pub(crate) fn with<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        f(self.0)
    }
}

/// A nondeterministic choice in `0..n`, made by shuttle's scheduler and
/// recorded in the schedule.
pub(crate) fn choose(n: usize) -> usize {
    use shuttle::rand::Rng;
    if n <= 1 {
        return 0;
    }
    if let Some(value) = choose_directly(n) {
        return value;
    }
    shuttle::rand::thread_rng().gen_range(0..n)
}

/// Under the DPOR search (and the replay of one of its traces) a choice is
/// a branch of the search, recorded as its value: `None` otherwise.
fn choose_directly(n: usize) -> Option<usize> {
    let shared = SHARED.with(|s| s.borrow().clone())?;
    if !shared.borrow().direct_choices {
        return None;
    }
    let value = match DPOR.with(|d| d.borrow().clone()) {
        Some(state) => {
            let chosen = {
                let mut st = state.borrow_mut();
                let st = &mut *st;
                st.read_last(None);
                st.explorer.choose(n)
            };
            chosen.unwrap_or_else(|nondeterminism| panic!("weft: {nondeterminism}"))
        }
        None if shared.borrow().guided => {
            // A guided replay: the guide's value where it fits, else 0.
            let mut s = shared.borrow_mut();
            match s.next_guided(false) {
                Some(Decision::Random(v)) if (v as usize) < n => v as usize,
                _ => 0,
            }
        }
        None => {
            // Replaying: the trace has the value.
            let mut s = shared.borrow_mut();
            let pos = s.replay_pos;
            match s.replay.as_ref().and_then(|r| r.get(pos).copied()) {
                Some(Decision::Random(v)) if (v as usize) < n => {
                    s.replay_pos += 1;
                    v as usize
                }
                _ => {
                    s.diverged.get_or_insert_with(|| {
                        format!(
                            "decision {}: the program asks for `choose({n})`, which the schedule does not have there",
                            pos + 1
                        )
                    });
                    s.stop = true;
                    0
                }
            }
        }
    };
    shared
        .borrow_mut()
        .decisions
        .push(Decision::Random(value as u64));
    Some(value)
}

/// shuttle stops between executions: no payload stops it.
pub(crate) fn is_stop(_payload: &(dyn std::any::Any + Send)) -> bool {
    false
}

/// How an engine run ended.
pub(crate) struct EngineRun {
    pub(crate) executions: usize,
    pub(crate) complete: bool,
    pub(crate) panic: Option<String>,
    /// The scheduler stopped because a time budget (hard or soft) was spent.
    pub(crate) budget_spent: bool,
    /// The DFS scheduler stopped with its iterations spent, maybe before
    /// its search ended.
    pub(crate) limit_reached: bool,
    /// A thread unwinding a panic ran alone while another could have run
    /// (see `WeftScheduler::next_task`).
    pub(crate) unwinding_serialized: bool,
    /// PCT stopped after one execution in which the model made no
    /// scheduling decision: it has one schedule.
    pub(crate) single_schedule: bool,
    /// Knuth's estimate of the executions of a complete search of every
    /// interleaving, from the random scheduler's uniform paths.
    pub(crate) estimated_tree: Option<f64>,
    /// Times the DPOR search held back a thread it took for a spinner
    /// (`Explorer::spinners_held`); 0 for other searches.
    pub(crate) spinners_held: usize,
    /// loom's path of a captured execution: never on shuttle, whose
    /// schedules are its decisions.
    pub(crate) loom_path: Option<String>,
}

/// The decisions of the current execution, and replay state, shared between
/// the scheduler (inside shuttle) and weft's driver (same OS thread).
#[derive(Default)]
struct Shared {
    decisions: Vec<Decision>,
    replay: Option<Vec<Decision>>,
    replay_pos: usize,
    diverged: Option<String>,
    stop: bool,
    budget_spent: bool,
    executions: usize,
    /// The running execution failed with a panic weft reports itself:
    /// schedule nothing more, so that shuttle ends the execution without
    /// seeing the panic (and printing its own banner before weft's report).
    abandoned: bool,
    /// A thread unwinding a panic was kept running while others could run.
    unwinding_serialized: bool,
    /// `choose` is a decision of the DPOR search (or of its replay), not a
    /// random number from shuttle.
    direct_choices: bool,
    /// PCT stopped: the model made no scheduling decision.
    single_schedule: bool,
    /// The other workers' stop flag (`ExploreConfig::stop`): raised as
    /// soon as a panic escapes, so that they stop while this worker
    /// builds its report.
    stop_all: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
    /// The tree's size, estimated from the executions' paths when the
    /// scheduler picks uniformly among the runnable threads (random).
    estimate: Option<crate::estimate::TreeEstimate>,
    /// A guided replay (`ReplayPlan::guided`): the schedule is a wish, not
    /// a contract; where it does not fit, the running thread goes on.
    guided: bool,
    /// Guided replay: the next thread decision and random value to use.
    guide_task: usize,
    guide_random: usize,
    /// Preemptions in the running execution: switches away from a thread
    /// that could have gone on (and did not yield).
    preemptions: usize,
    /// For each of `decisions`, the steps recorded before it was made: a
    /// recorded step ran under the last decision made before it.
    marks: Vec<usize>,
}

impl Shared {
    /// Guided replay: the next recorded decision of one kind (threads or
    /// random values), skipping those of the other.
    fn next_guided(&mut self, task: bool) -> Option<Decision> {
        let replay = self.replay.as_ref()?;
        let pos = if task {
            &mut self.guide_task
        } else {
            &mut self.guide_random
        };
        while let Some(d) = replay.get(*pos).copied() {
            *pos += 1;
            if matches!(d, Decision::Task(_)) == task {
                return Some(d);
            }
        }
        None
    }
}

/// Preemptions in the current (or last) execution.
pub(crate) fn execution_preemptions() -> Option<usize> {
    SHARED.with(|s| s.borrow().as_ref().map(|s| s.borrow().preemptions))
}

thread_local! {
    static SHARED: RefCell<Option<Rc<RefCell<Shared>>>> = const { RefCell::new(None) };
    /// Counts the steps recorded in the running execution (the model
    /// layer's recorder, handed over as a function to keep this module
    /// free of it).
    static STEPS_RECORDED: std::cell::Cell<Option<fn() -> usize>> = const { std::cell::Cell::new(None) };
}

/// Sets how the decisions' marks count recorded steps (see `Shared::marks`).
pub(crate) fn count_steps_with(steps_recorded: fn() -> usize) {
    STEPS_RECORDED.with(|c| c.set(Some(steps_recorded)));
}

fn steps_recorded() -> usize {
    STEPS_RECORDED.with(|c| c.get().map_or(0, |f| f()))
}

/// For each decision of the execution that ran last on this thread, the
/// steps recorded before it was made.
pub(crate) fn decision_marks() -> Vec<usize> {
    SHARED.with(|s| {
        s.borrow()
            .as_ref()
            .map(|s| s.borrow().marks.clone())
            .unwrap_or_default()
    })
}

/// The random scheduler's estimate of the whole tree, from the executions
/// finished so far (read between scheduling decisions: by a progress line).
pub(crate) fn estimated_tree_so_far() -> Option<f64> {
    SHARED.with(|s| {
        let s = s.try_borrow().ok()?;
        let shared = s.as_ref()?.try_borrow().ok()?;
        shared.estimate.as_ref()?.leaves()
    })
}

/// The decisions shuttle made so far in the current execution.
pub(crate) fn current_decisions() -> Vec<Decision> {
    SHARED.with(|s| {
        s.borrow()
            .as_ref()
            .map(|s| s.borrow().decisions.clone())
            .unwrap_or_default()
    })
}

/// Why a replay stopped following its schedule, if it did.
pub(crate) fn replay_divergence() -> Option<String> {
    SHARED.with(|s| {
        s.borrow()
            .as_ref()
            .and_then(|s| s.borrow().diverged.clone())
    })
}

struct WeftScheduler {
    inner: Option<Box<dyn Scheduler>>,
    shared: Rc<RefCell<Shared>>,
    budget: Option<Duration>,
    soft_budget: Option<(Duration, usize)>,
    start: Instant,
    /// PCT: the inner scheduler needs a step to vary. A model with no
    /// scheduling decision at all (no second thread, no choice) has one
    /// schedule; shuttle's PCT would assert that it "did not exercise any
    /// concurrency" on its second execution instead of ending.
    pct: bool,
    /// Choices between runnable threads the inner scheduler made, over
    /// every execution so far (what PCT counts as steps).
    inner_decisions: usize,
    /// A shard (K, N) of the random scheduler's executions: how many of
    /// the unsharded run's executions to pass over before the next one
    /// (K−1 at first, then N−1). The random scheduler draws each
    /// execution's seed as it starts one: passing over an execution is one
    /// draw.
    shard: Option<(u64, u64)>,
    pass_over: u64,
}

impl Drop for WeftScheduler {
    fn drop(&mut self) {
        // shuttle's random scheduler prints "failing seed: ... set the
        // environment variable SHUTTLE_RANDOM_SEED" when it is dropped
        // with an execution under way: after a failure, and after weft
        // stopped a passing exploration at its budget. Under weft that
        // advice is wrong (weft's report says how to replay) and the report
        // must be the only failure text, so the inner scheduler is never
        // dropped: its few hundred bytes are leaked once per exploration.
        if let Some(inner) = self.inner.take() {
            std::mem::forget(inner);
        }
    }
}

impl Scheduler for WeftScheduler {
    fn new_execution(&mut self) -> Option<Schedule> {
        let mut s = self.shared.borrow_mut();
        let soft_spent = self
            .soft_budget
            .is_some_and(|(b, min)| s.executions >= min && self.start.elapsed() >= b);
        // A spent budget still runs the first execution: a search that
        // ran none would pass having checked nothing (as loom's runs one).
        let hard_spent = s.executions > 0 && self.budget.is_some_and(|b| self.start.elapsed() >= b);
        if s.stop || soft_spent || hard_spent {
            s.budget_spent |= !s.stop;
            s.stop = true;
            return None;
        }
        s.decisions.clear();
        s.marks.clear();
        s.replay_pos = 0;
        s.guide_task = 0;
        s.guide_random = 0;
        s.preemptions = 0;
        s.abandoned = false;
        if self.pct && s.executions > 0 && self.inner_decisions == 0 {
            s.single_schedule = true;
            return None;
        }
        match &mut self.inner {
            Some(inner) => {
                if let Some((_, n)) = self.shard {
                    for _ in 0..self.pass_over {
                        // The unsharded run would end here too.
                        inner.new_execution()?;
                    }
                    self.pass_over = n - 1;
                }
                let schedule = inner.new_execution();
                if schedule.is_some() {
                    s.executions += 1;
                    if let Some(e) = &mut s.estimate {
                        e.begin_path();
                    }
                }
                schedule
            }
            None => {
                // Replay: exactly one execution.
                if s.executions > 0 {
                    return None;
                }
                s.executions += 1;
                Some(Schedule::new(0))
            }
        }
    }

    fn next_task(
        &mut self,
        runnable: &[&Task],
        current: Option<TaskId>,
        is_yielding: bool,
    ) -> Option<TaskId> {
        let mut s = self.shared.borrow_mut();
        if s.abandoned {
            return None;
        }
        // A thread unwinding a panic runs alone until it has caught it or
        // ended. The threads share one OS thread, so while one unwinds,
        // `std::thread::panicking()` is true in all of them: their guards
        // would poison locks they hold, and shuttle cannot finish unwinding
        // two stacks at teardown (the panic count of the OS thread stayed
        // raised, and every later execution saw poisoned locks).
        let alone;
        let runnable = match current.filter(|_| runnable.len() > 1 && std::thread::panicking()) {
            Some(me) => match runnable.iter().find(|t| t.id() == me) {
                Some(task) => {
                    s.unwinding_serialized = true;
                    alone = [*task];
                    &alone[..]
                }
                None => runnable,
            },
            None => runnable,
        };
        let chosen = match &mut self.inner {
            Some(inner) => {
                self.inner_decisions += usize::from(runnable.len() > 1);
                if let Some(e) = &mut s.estimate {
                    e.branch(runnable.len());
                }
                inner.next_task(runnable, current, is_yielding)?
            }
            None if s.guided => {
                let ids = || runnable.iter().map(|t| usize::from(t.id()));
                let wanted = match s.next_guided(true) {
                    Some(Decision::Task(t)) => Some(t),
                    _ => None,
                };
                let current_id = current.map(usize::from);
                let chosen = match wanted {
                    Some(t) if ids().any(|id| id == t) => t,
                    _ => match current_id {
                        Some(c) if !is_yielding && ids().any(|id| id == c) => c,
                        // Round robin from the thread that cannot or will
                        // not go on.
                        _ => {
                            let after = current_id.unwrap_or(0);
                            ids()
                                .filter(|&id| id > after)
                                .min()
                                .or_else(|| ids().min())
                                .expect("shuttle asks only when a thread can run")
                        }
                    },
                };
                TaskId::from(chosen)
            }
            None => {
                let pos = s.replay_pos;
                let recorded = s.replay.as_ref().and_then(|r| r.get(pos).copied());
                match recorded {
                    Some(Decision::Task(t))
                        if runnable.iter().any(|task| usize::from(task.id()) == t) =>
                    {
                        s.replay_pos += 1;
                        TaskId::from(t)
                    }
                    other => {
                        let runnable_ids: Vec<usize> =
                            runnable.iter().map(|t| usize::from(t.id())).collect();
                        s.diverged.get_or_insert_with(|| match other {
                            Some(Decision::Task(t)) => format!(
                                "decision {}: the schedule runs thread {t} next, but only threads {runnable_ids:?} can run",
                                pos + 1
                            ),
                            Some(Decision::Random(_)) => format!(
                                "decision {}: the schedule expects a random choice, but the program switches threads",
                                pos + 1
                            ),
                            None => format!(
                                "decision {}: the schedule ended, but the program goes on (threads {runnable_ids:?} can run)",
                                pos + 1
                            ),
                        });
                        s.stop = true;
                        return None;
                    }
                }
            }
        };
        if current
            .is_some_and(|c| c != chosen && !is_yielding && runnable.iter().any(|t| t.id() == c))
        {
            s.preemptions += 1;
        }
        s.decisions.push(Decision::Task(usize::from(chosen)));
        s.marks.push(steps_recorded());
        Some(chosen)
    }

    fn next_u64(&mut self) -> u64 {
        let mut s = self.shared.borrow_mut();
        let value = match &mut self.inner {
            Some(inner) => inner.next_u64(),
            None if s.guided => match s.next_guided(false) {
                Some(Decision::Random(v)) => v,
                _ => 0,
            },
            None => {
                let pos = s.replay_pos;
                match s.replay.as_ref().and_then(|r| r.get(pos).copied()) {
                    Some(Decision::Random(v)) => {
                        s.replay_pos += 1;
                        v
                    }
                    _ => {
                        s.diverged.get_or_insert_with(|| {
                            format!(
                                "decision {}: the program asks for a random choice the schedule does not have",
                                pos + 1
                            )
                        });
                        0
                    }
                }
            }
        };
        s.decisions.push(Decision::Random(value));
        s.marks.push(steps_recorded());
        value
    }
}

/// weft's DPOR search (`crate::dpor`) as a shuttle scheduler: the thin
/// adapter that hands it shuttle's runnable tasks and what the last step
/// recorded, and runs the task it picks.
struct DporScheduler {
    state: Rc<RefCell<DporState>>,
}

struct DporState {
    /// The sequential search, or this OS thread's share of a parallel one,
    /// each within `Model::iterations`.
    explorer: Search,
    /// How many recorded steps the search has seen in this execution.
    mark: usize,
    /// Reads the recording (the model layer's `effects_since`).
    effects_since: ReadEffects,
}

impl DporState {
    /// Writes what the step `thread` ran since the last decision did where
    /// the search wants it, read from the recording unless the search
    /// knows it (a replayed step).
    fn read_last(&mut self, thread: Option<usize>) {
        let slot = self.explorer.last_to_fill();
        (self.effects_since)(&mut self.mark, thread, slot);
    }
}

thread_local! {
    /// The running DPOR search, for `execution_ended`.
    static DPOR: RefCell<Option<Rc<RefCell<DporState>>>> = const { RefCell::new(None) };
}

impl Scheduler for DporScheduler {
    fn new_execution(&mut self) -> Option<Schedule> {
        let mut st = self.state.borrow_mut();
        if !st.explorer.start_execution() {
            return None;
        }
        st.mark = 0;
        Some(Schedule::new(0))
    }

    fn next_task(
        &mut self,
        runnable: &[&Task],
        current: Option<TaskId>,
        _is_yielding: bool,
    ) -> Option<TaskId> {
        // Inline: this runs at every scheduling point.
        let ids: smallvec::SmallVec<[usize; 8]> =
            runnable.iter().map(|t| usize::from(t.id())).collect();
        let chosen = {
            let mut st = self.state.borrow_mut();
            let st = &mut *st;
            st.read_last(current.map(usize::from));
            st.explorer.schedule(&ids, current.map(usize::from))
        };
        match chosen {
            Ok(t) => Some(TaskId::from(t)),
            Err(nondeterminism) => panic!("weft: {nondeterminism}"),
        }
    }

    fn next_u64(&mut self) -> u64 {
        // `choose` is answered 0, always (the verdict says so): replaying
        // a prefix must give the same answers.
        0
    }
}

/// The execution's body has ended: the DPOR search, if one runs, takes
/// what its last step did (the recording goes right after).
pub(crate) fn execution_ended(effects_since: ReadEffects) {
    let state = DPOR.with(|d| d.borrow().clone());
    if let Some(state) = state {
        let mut st = state.borrow_mut();
        let st = &mut *st;
        effects_since(&mut st.mark, None, st.explorer.last_to_fill());
        st.explorer.end_execution();
    }
}

/// Installs shuttle's panic hook before weft's, so that weft's hook sees
/// panics first and shuttle's stays quiet for weft's runs.
pub(crate) fn init() {
    let mut config = Config::new();
    config.failure_persistence = FailurePersistence::None;
    config.silence_warnings = true;
    Runner::new(RandomScheduler::new_from_seed(0, 1), config).run(|| {});
}

/// Explores `execution` (one call = one execution) with the configured scheduler.
pub(crate) fn run(
    config: &ExploreConfig,
    replay: Option<Vec<Decision>>,
    execution: impl Fn(usize) -> bool + Send + Sync + 'static,
    effects_since: ReadEffects,
) -> EngineRun {
    let iterations = config.iterations.unwrap_or(SHUTTLE_DEFAULT_ITERATIONS);
    let seed = config.seed.unwrap_or(0);
    let replaying = replay.is_some();
    let dpor = (config.scheduler == SchedulerKind::Dpor && !replaying).then(|| {
        Rc::new(RefCell::new(DporState {
            explorer: Search::for_this_thread(config.iterations),
            mark: 0,
            effects_since,
        }))
    });
    DPOR.with(|d| *d.borrow_mut() = dpor.clone());
    let inner: Option<Box<dyn Scheduler>> = if replaying {
        None
    } else if let Some(state) = &dpor {
        Some(Box::new(DporScheduler {
            state: state.clone(),
        }))
    } else {
        Some(match config.scheduler {
            SchedulerKind::Random => Box::new(RandomScheduler::new_from_seed(seed, iterations)),
            SchedulerKind::Pct { depth } => {
                Box::new(PctScheduler::new_from_seed(seed, depth, iterations))
            }
            SchedulerKind::Dfs => Box::new(DfsScheduler::new(Some(iterations), true)),
            SchedulerKind::Dpor => unreachable!("the DPOR search is set up above"),
            // The workers' driver (`crate::workers`) gives each round of a
            // portfolio its strategy; asked directly, it samples randomly.
            SchedulerKind::Portfolio => Box::new(RandomScheduler::new_from_seed(seed, iterations)),
        })
    };
    let uniform = config.scheduler == SchedulerKind::Random && !replaying;
    let shared = Rc::new(RefCell::new(Shared {
        replay,
        guided: config.replay.as_ref().is_some_and(|r| r.guided),
        direct_choices: config.scheduler == SchedulerKind::Dpor,
        stop_all: config.stop.clone(),
        estimate: uniform.then(crate::estimate::TreeEstimate::default),
        ..Shared::default()
    }));
    SHARED.with(|s| *s.borrow_mut() = Some(shared.clone()));
    let scheduler = WeftScheduler {
        inner,
        shared: shared.clone(),
        budget: config.time_budget,
        soft_budget: config.soft_budget,
        start: Instant::now(),
        pct: matches!(config.scheduler, SchedulerKind::Pct { .. }) && !replaying,
        inner_decisions: 0,
        shard: config
            .shard
            .filter(|&(k, n)| uniform && (1..=n).contains(&k)),
        pass_over: config.shard.map_or(0, |(k, _)| k.saturating_sub(1)),
    };
    let mut shuttle_config = Config::new();
    shuttle_config.failure_persistence = FailurePersistence::None;
    shuttle_config.silence_warnings = true;
    // weft's own step limit (recorded steps) fires first and names the loop;
    // shuttle's counts every scheduling decision and is only a backstop.
    shuttle_config.max_steps =
        MaxSteps::FailAfter(config.max_steps.saturating_mul(20).max(1_000_000));

    let runner = Runner::new(scheduler, shuttle_config);
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        runner.run(move || {
            if !execution(execution_index()) {
                request_stop();
            }
        })
    }));
    let mut s = shared.borrow_mut();
    // The last execution's path ended with it, unless it was abandoned
    // (failed): then it is not a whole path.
    let abandoned = s.abandoned;
    let estimated_tree = s.estimate.as_mut().and_then(|e| {
        if abandoned {
            e.discard_path();
        }
        e.end_path();
        e.leaves()
    });
    let executions = s.executions;
    let stopped = s.stop;
    let budget_spent = s.budget_spent;
    let unwinding_serialized = s.unwinding_serialized;
    let single_schedule = s.single_schedule;
    drop(s);
    let dfs = matches!(config.scheduler, SchedulerKind::Dfs) && !replaying;
    let (complete, limit_reached, spinners_held) = match &dpor {
        Some(state) => {
            let st = state.borrow();
            (
                !stopped && st.explorer.is_finished(),
                !stopped && st.explorer.limit_hit(),
                st.explorer.spinners_held(),
            )
        }
        None => (
            !stopped && dfs && executions < iterations,
            !stopped && dfs && executions >= iterations,
            0,
        ),
    };
    DPOR.with(|d| *d.borrow_mut() = None);
    match result {
        Ok(_) => EngineRun {
            executions,
            complete,
            panic: None,
            budget_spent,
            limit_reached,
            unwinding_serialized,
            single_schedule,
            estimated_tree,
            spinners_held,
            loom_path: None,
        },
        Err(payload) => EngineRun {
            executions,
            complete: false,
            panic: Some(crate::record::panic_message(payload.as_ref())),
            budget_spent,
            limit_reached: false,
            unwinding_serialized,
            single_schedule,
            estimated_tree,
            spinners_held,
            loom_path: None,
        },
    }
}

/// Asks the scheduler to start no further execution.
/// Ends the current execution after a panic escaped a model thread:
/// shuttle is asked for no further step (it then tears the execution down
/// without a failure, and prints nothing), and weft reports the panic from
/// its recording. Never returns to the panicking thread.
pub(crate) fn end_with_panic(payload: Box<dyn std::any::Any + Send>) -> ! {
    let mut stopped = false;
    SHARED.with(|s| {
        if let Some(s) = s.borrow().as_ref() {
            let mut s = s.borrow_mut();
            s.abandoned = true;
            s.stop = true;
            stopped = true;
            if let Some(all) = &s.stop_all {
                all.store(true, std::sync::atomic::Ordering::SeqCst);
            }
        }
    });
    if stopped {
        // The scheduler answers this scheduling point with "nothing": the
        // execution ends here, and its teardown unwinds this stack.
        shuttle::thread::yield_now();
    }
    panic::resume_unwind(payload)
}

pub(crate) fn request_stop() {
    SHARED.with(|s| {
        if let Some(s) = s.borrow().as_ref() {
            s.borrow_mut().stop = true;
        }
    })
}

/// 1-based index of the running execution.
pub(crate) fn execution_index() -> usize {
    SHARED.with(|s| {
        s.borrow()
            .as_ref()
            .map(|s| s.borrow().executions)
            .unwrap_or(0)
    })
}

/// Classifies an engine panic message that weft did not raise itself.
pub(crate) fn classify_engine_panic(message: &str) -> Option<FailureKind> {
    if message.starts_with("deadlock!") || message.starts_with("deadlock while dropping") {
        Some(FailureKind::Deadlock)
    } else if message.starts_with("exceeded max_steps bound") {
        Some(FailureKind::StepLimit)
    } else {
        None
    }
}
