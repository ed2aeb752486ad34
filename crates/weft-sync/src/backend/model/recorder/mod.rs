//! The current execution's recording: threads, objects, steps, who holds
//! and waits for what, vector clocks, and failures weft detects itself.
//!
//! Model threads are coroutines on the OS thread that runs the exploration,
//! so the execution lives in a thread-local of that OS thread. Context
//! switches happen only inside engine operations, and every weft primitive
//! restores `current` after each engine operation that can switch, so
//! `current` always names the model thread that is running weft code.
//!
//! Each concept has its file, over the state this one keeps: the log and
//! the holds (`log`), vector clocks and data races (`races`), replay
//! matching (`replay`), the virtual clock (`virtual_time`), panic capture
//! (`panic_capture`), failures weft detects (`failure`), `Arc` leaks
//! (`arcs`), spurious wakeups (`spurious_wakeups`), deadlocks found while
//! other threads still run (`partial_deadlock`) and what the DPOR search
//! sees (`effects`). Besides this file's state they use each other only
//! one way, never in a circle: `arcs` records its steps through `log`,
//! `log` applies `races`, `replay` and `partial_deadlock`, and those
//! four fail through `failure`.

mod arcs;
mod effects;
mod failure;
mod log;
mod panic_capture;
mod partial_deadlock;
mod races;
mod replay;
mod spurious_wakeups;
mod virtual_time;

use std::cell::{Cell, RefCell};
use std::time::Duration;

use super::clock::VectorClock;
use crate::explore::Access;
use crate::record::{ExecutionLog, Loc, ThreadInfo, ThreadState};
use panic_capture::CapturedPanic;
use races::CellHistory;

pub(crate) use arcs::{arc_cloned, arc_created, arc_observed, arc_released, leaked_arc};
pub(crate) use effects::{effects_since, touch};
pub(crate) use failure::{fail, DetectedFailure, ALL_BLOCKED};
pub(crate) use log::{
    atomic_access, done_waiting, event, fence, lock_acquired, lock_released, name_object,
    new_object, new_thread, object_name, thread_finished, thread_joined, wait_for, woken,
};
pub(crate) use panic_capture::{
    capture_panic, escaped_capture, escaped_panic, run_thread, unwinding,
};
pub(crate) use races::{acquire, cell_access, race_message, release};
pub(crate) use spurious_wakeups::{may_wake_spuriously, woke_spuriously};
pub(crate) use virtual_time::{now, pass_deadline, read_clock, spin_yield};

/// The id of an object created outside any execution: never recorded.
pub(crate) const NO_OBJECT: usize = usize::MAX;

/// One execution's state.
pub(crate) struct Execution {
    pub(crate) log: ExecutionLog,
    current: usize,
    max_steps: usize,
    clocks: Vec<VectorClock>,
    /// By object id (ids are dense indices into `log.objects`); an empty
    /// clock is an object nothing was released to yet.
    object_clocks: Vec<VectorClock>,
    /// By object id: what the readers of an `RwLock` released, which only
    /// a writer acquires (two readers are not ordered by the lock).
    reader_clocks: Vec<VectorClock>,
    /// By thread: the clock of its last release fence (empty: none), which
    /// its later relaxed stores carry (C11 fence-to-atomic synchronization).
    fence_release: Vec<VectorClock>,
    /// By thread: what its relaxed loads read from release stores; an
    /// acquire fence makes it the thread's own (atomic-to-fence).
    fence_acquire: Vec<VectorClock>,
    /// By object id, like `object_clocks`.
    cells: Vec<CellHistory>,
    /// `Arc` allocations of this execution not yet freed: object id and
    /// where each was created (a leak when the execution ends).
    live_arcs: Vec<(usize, Loc)>,
    /// Which execution this is on this OS thread: objects created in an
    /// earlier one must not touch the engine (their engine state is gone).
    pub(crate) generation: u64,
    /// The last cell access, so that loom's race panic can be mapped to it.
    pub(crate) last_cell_access: Option<(usize, Access)>,
    pub(crate) failure: Option<DetectedFailure>,
    pub(crate) panics: Vec<CapturedPanic>,
    pub(crate) torn_down: bool,
    /// Whether the model asked for `choose(n)` with `n > 1`.
    pub(crate) used_choice: bool,
    /// The panic that ended the execution: its message, and its index in
    /// `panics` when the hook saw it.
    escaped: Option<(String, Option<usize>)>,
    /// By thread: the index in `panics` of the panic it is unwinding from
    /// (cleared when the thread records a step outside unwinding: it
    /// caught the panic).
    unwinding: Vec<Option<usize>>,
    expected: Option<Vec<(usize, String, Option<usize>)>>,
    pub(crate) now: Duration,
    /// By thread id: whether it read the clock since its last yield, and
    /// how far its next such yield moves the clock (see
    /// [`virtual_time::spin_yield`]).
    clock_spins: Vec<(bool, Duration)>,
    /// How this thread's step used the virtual clock, for the DPOR search:
    /// read it (a deadline computed, `Instant::now`), passed a deadline
    /// (a timeout, a sleep: the clock becomes the later of itself and the
    /// deadline), or moved it on (a clock-reading yield). The clock is
    /// shared: a read that comes after another thread's timeout sees
    /// another time.
    clock_read: bool,
    clock_passed: bool,
    clock_moved: bool,
    /// Whether a `Condvar::wait` may return without a notification
    /// ([`ExploreConfig::spurious_wakeups`](crate::explore::ExploreConfig::spurious_wakeups)).
    spurious_wakeups: bool,
    /// By thread id: whether the thread already woke spuriously in this
    /// execution (each thread may once, so that a waiting loop still ends).
    woke_spuriously: Vec<bool>,
    /// Objects changed since the DPOR search last looked, by operations
    /// that record no step where they take effect (a condvar's waiter
    /// queue: see `touch`).
    touched: Vec<usize>,
    /// `Arc` allocations whose count this thread's step changed without a
    /// step of its own (a clone's increment): the DPOR search orders them
    /// against the steps that read the count.
    arcs_cloned: Vec<usize>,
    /// Locks this thread's step took with a `try_lock` (or `try_read`,
    /// `try_write`): the DPOR search races them with the release before
    /// them, which a blocking acquisition only waits for.
    tried: Vec<usize>,
    /// Threads this thread's step woke from a condvar wait (a channel's,
    /// a barrier's, a parker's, a `Condvar`'s): the DPOR search orders
    /// each one's resumption after the step (see `woken`).
    woke: Vec<usize>,
}

thread_local! {
    static EXECUTION: RefCell<Option<Execution>> = const { RefCell::new(None) };
    /// How many steps, objects and threads the last execution recorded on
    /// this OS thread: the next one reserves that much at once instead of
    /// growing (and copying) its vectors step by step.
    static LAST_SIZES: Cell<(usize, usize, usize)> = const { Cell::new((0, 0, 0)) };
    static GENERATION: Cell<u64> = const { Cell::new(0) };
    /// The last passing execution, whose buffers the next one reuses.
    static SPARE: RefCell<Option<Execution>> = const { RefCell::new(None) };
}

/// Grows `v` so that `v[index]` exists.
#[inline]
fn slot<T: Default>(v: &mut Vec<T>, index: usize) -> &mut T {
    if v.len() <= index {
        v.resize_with(index + 1, T::default);
    }
    &mut v[index]
}

/// `v`, emptied, keeping its allocation.
fn cleared<T>(mut v: Vec<T>) -> Vec<T> {
    v.clear();
    v
}

/// Starts recording a new execution on this OS thread; thread 0 is `main`.
///
/// The previous execution's buffers are reused when it passed (see
/// [`recycle`]): a model runs thousands of executions, and allocating
/// every log and clock vector anew each time shows in the overhead.
pub(crate) fn begin(
    max_steps: usize,
    expected: Option<Vec<(usize, String, Option<usize>)>>,
    spurious_wakeups: bool,
) {
    let mut exec = Execution {
        log: ExecutionLog::default(),
        current: 0,
        max_steps,
        clocks: Vec::new(),
        object_clocks: Vec::new(),
        reader_clocks: Vec::new(),
        fence_release: Vec::new(),
        fence_acquire: Vec::new(),
        cells: Vec::new(),
        live_arcs: Vec::new(),
        generation: GENERATION.with(|g| {
            g.set(g.get() + 1);
            g.get()
        }),
        last_cell_access: None,
        failure: None,
        panics: Vec::new(),
        torn_down: false,
        used_choice: false,
        escaped: None,
        unwinding: Vec::new(),
        expected,
        now: Duration::ZERO,
        clock_spins: Vec::new(),
        clock_read: false,
        clock_passed: false,
        clock_moved: false,
        spurious_wakeups,
        woke_spuriously: Vec::new(),
        touched: Vec::new(),
        arcs_cloned: Vec::new(),
        tried: Vec::new(),
        woke: Vec::new(),
    };
    match SPARE.with(|s| s.borrow_mut().take()) {
        Some(old) => {
            exec.log.steps = cleared(old.log.steps);
            exec.log.objects = cleared(old.log.objects);
            exec.log.threads = cleared(old.log.threads);
            exec.clocks = cleared(old.clocks);
            exec.object_clocks = cleared(old.object_clocks);
            exec.reader_clocks = cleared(old.reader_clocks);
            exec.fence_release = cleared(old.fence_release);
            exec.fence_acquire = cleared(old.fence_acquire);
            exec.cells = cleared(old.cells);
            exec.live_arcs = cleared(old.live_arcs);
            exec.woke_spuriously = cleared(old.woke_spuriously);
        }
        None => {
            let (steps, objects, threads) = LAST_SIZES.with(Cell::get);
            exec.log.steps.reserve(steps);
            exec.log.objects.reserve(objects);
            exec.log.threads.reserve(threads.max(1));
            exec.clocks.reserve(threads.max(1));
        }
    }
    exec.log.threads.push(ThreadInfo {
        id: 0,
        name: "main".to_string(),
        state: ThreadState::Running,
        holds: Vec::new(),
        waiting: None,
        spawned_at: None,
        joined: false,
    });
    let mut main_clock = VectorClock::default();
    main_clock.tick(0);
    exec.clocks.push(main_clock);
    EXECUTION.with(|e| *e.borrow_mut() = Some(exec));
}

/// Stops recording and returns what was recorded.
pub(crate) fn finish() -> Option<Execution> {
    let execution = EXECUTION.with(|e| e.try_borrow_mut().ok().and_then(|mut e| e.take()));
    if let Some(e) = &execution {
        let sizes = (e.log.steps.len(), e.log.objects.len(), e.log.threads.len());
        LAST_SIZES.with(|s| s.set(sizes));
    }
    execution
}

/// Stops recording an execution that passed and keeps its buffers for the
/// next one.
pub(crate) fn recycle() {
    if let Some(e) = finish() {
        SPARE.with(|s| *s.borrow_mut() = Some(e));
    }
}

/// The steps recorded so far in the current execution (0 when none is
/// being recorded): the engine notes it at each scheduling decision, so
/// that a step can be matched with the decision it ran under.
pub(crate) fn steps_recorded() -> usize {
    with(|e| e.log.steps.len()).unwrap_or(0)
}

/// Runs `f` on the current execution, if there is one and it is not
/// already borrowed (a panic hook inside a recording call, say).
#[inline]
pub(crate) fn with<R>(f: impl FnOnce(&mut Execution) -> R) -> Option<R> {
    EXECUTION.with(|e| match e.try_borrow_mut() {
        Ok(mut guard) => guard.as_mut().map(f),
        Err(_) => None,
    })
}

/// Whether an execution is being recorded on this OS thread.
pub(crate) fn active() -> bool {
    with(|_| ()).is_some()
}

/// The model thread running weft code now.
#[inline]
pub(crate) fn current() -> usize {
    with(|e| e.current).unwrap_or(0)
}

/// Marks `thread` as the running one (after an engine operation returned to it).
#[inline]
pub(crate) fn resume(thread: usize) {
    with(|e| e.current = thread);
}

/// A scheduling point before a read of state weft keeps itself (an
/// `Arc`'s count, a poison flag, whether a thread finished): another
/// thread may run first, and the read that follows is a step of its own,
/// which the DPOR search orders against the writes it observes.
pub(crate) fn scheduling_point() {
    let me = current();
    super::engine::scheduling_point();
    resume(me);
}

/// Whether the execution failed and is being torn down by the engine:
/// destructors must not touch engine state any more.
pub(crate) fn torn_down() -> bool {
    with(|e| e.torn_down).unwrap_or(false)
}

/// Which execution is being recorded (0: none); see [`Execution::generation`].
pub(crate) fn generation() -> u64 {
    with(|e| if e.torn_down { 0 } else { e.generation }).unwrap_or(0)
}
