//! The current execution's recording: threads, objects, steps, who holds
//! and waits for what, vector clocks, and failures weft detects itself.
//!
//! Model threads are coroutines on the OS thread that runs the exploration,
//! so the execution lives in a thread-local of that OS thread. Context
//! switches happen only inside engine operations, and every weft primitive
//! restores `current` after each engine operation that can switch, so
//! `current` always names the model thread that is running weft code.

use crate::dpor::access::Effects;
use std::cell::{Cell, RefCell};
use std::sync::atomic::Ordering;
use std::time::Duration;

use super::clock::VectorClock;
use super::engine;
use crate::explore::{Access, AccessKind, FailureKind, Race};
use crate::record::{
    AtomicAccess, Event, ExecutionLog, Held, Loc, ObjectInfo, ObjectKind, Op, ThreadInfo,
    ThreadState, Value, WaitKind, Waiting,
};

/// The id of an object created outside any execution: never recorded.
pub(crate) const NO_OBJECT: usize = usize::MAX;

/// A failure weft detected itself (not a panic of the user's code).
#[derive(Clone, Debug)]
pub(crate) struct DetectedFailure {
    pub(crate) kind: FailureKind,
    pub(crate) message: String,
    pub(crate) thread: Option<usize>,
    pub(crate) location: Option<Loc>,
    pub(crate) race: Option<Race>,
}

/// A panic seen by weft's panic hook during the execution.
#[derive(Clone, Debug)]
pub(crate) struct CapturedPanic {
    pub(crate) message: String,
    pub(crate) location: Option<Loc>,
    pub(crate) thread: usize,
    /// Steps recorded before the panic: a report of it ends there.
    pub(crate) steps: usize,
    /// The threads as they were at the panic (before unwinding released
    /// their locks).
    pub(crate) threads: Vec<ThreadInfo>,
}

#[derive(Default)]
struct CellHistory {
    /// The last write: thread, its epoch, where, and whether it was atomic
    /// (an atomic's store, checked only against non-atomic accesses).
    last_write: Option<(usize, u32, Loc, bool)>,
    /// Non-atomic reads since the last write.
    reads: Vec<(usize, u32, Loc)>,
}

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

/// `clocks[into] = max(clocks[into], clocks[from])`, without copying a clock.
#[inline]
fn join_clocks(clocks: &mut [VectorClock], into: usize, from: usize) {
    if into == from || into >= clocks.len() || from >= clocks.len() {
        return;
    }
    if from < into {
        let (low, high) = clocks.split_at_mut(into);
        high[0].join(&low[from]);
    } else {
        let (low, high) = clocks.split_at_mut(from);
        low[into].join(&high[0]);
    }
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
        spurious_wakeups,
        woke_spuriously: Vec::new(),
        touched: Vec::new(),
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

/// What the steps recorded since `*mark` did, for the DPOR search (see
/// `crate::dpor`); moves `mark` past them. Nothing when no execution is
/// being recorded (before its first step).
pub(crate) fn effects_since(mark: &mut usize) -> Effects {
    with(|e| {
        let steps = &e.log.steps;
        let mut effects = Effects::default();
        for ev in steps.iter().skip(*mark) {
            let arc = ev
                .object
                .and_then(|o| e.log.objects.get(o))
                .is_some_and(|o| o.kind == ObjectKind::Arc);
            match &ev.op {
                // An `Arc` drop that is not the last one commutes with the
                // others: only which one is last (and drops the value)
                // matters, so the last is a write and the others reads.
                Op::Rmw(Value::Int(count)) if arc => {
                    effects.add_access(ev.object, *count <= 1);
                }
                op => effects.add(ev.thread, op, ev.object),
            }
        }
        *mark = steps.len();
        for o in e.touched.drain(..) {
            effects.add_access(Some(o), true);
        }
        effects
    })
    .unwrap_or_default()
}

/// Notes that `object` changed here, where the engine may have switched
/// threads since the step that names the operation was recorded (a
/// condvar's queue changes after the scheduling point inside `wait` and
/// `notify`): the DPOR search must see the change in the step where it
/// takes effect.
pub(crate) fn touch(object: usize) {
    if object != NO_OBJECT {
        with(|e| e.touched.push(object));
    }
}

/// Whether the running model thread is unwinding a panic (its guards then
/// poison their locks). Both engines run model threads as coroutines on
/// one OS thread, so `std::thread::panicking()` stays true in every model
/// thread while one of them unwinds: the thread is unwinding only if the
/// panic is its own (the hook recorded it, and the thread has recorded no
/// step outside unwinding since, which it would after catching it).
pub(crate) fn unwinding() -> bool {
    std::thread::panicking()
        && with(|e| matches!(e.unwinding.get(e.current), Some(Some(_)))).unwrap_or(true)
}

/// Whether the execution failed and is being torn down by the engine:
/// destructors must not touch engine state any more.
pub(crate) fn torn_down() -> bool {
    with(|e| e.torn_down).unwrap_or(false)
}

/// Runs a model thread's closure; a panic that escapes it fails the
/// execution (both checkers fail the model on an uncaught panic). The
/// execution is torn down from then on: the engine will drop the other
/// threads' stacks (loom), and destructors must not touch its state.
pub(crate) fn run_thread<T>(f: impl FnOnce() -> T) -> T {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(v) => v,
        Err(payload) => {
            let message = crate::record::panic_message(payload.as_ref());
            with(|e| {
                e.torn_down = true;
                if e.escaped.is_none() {
                    // Another thread may still be unwinding from an earlier
                    // panic, and this one be its consequence (a poisoned
                    // lock, a closed channel): the earliest panic in flight
                    // is the failure.
                    let root = e.unwinding.iter().flatten().min().copied();
                    e.escaped = Some(match root {
                        Some(i) => (e.panics[i].message.clone(), Some(i)),
                        None => (message, None),
                    });
                }
            });
            engine::end_with_panic(payload)
        }
    }
}

/// The message of the panic that escaped a model thread and ended the
/// execution, if one did (the engine may not have seen it: see
/// `end_with_panic`).
pub(crate) fn escaped_panic(execution: &Execution) -> Option<String> {
    execution
        .escaped
        .as_ref()
        .map(|(message, _)| message.clone())
}

/// The recorded panic that ended the execution, when the hook saw it.
pub(crate) fn escaped_capture(execution: &Execution) -> Option<&CapturedPanic> {
    execution
        .escaped
        .as_ref()
        .and_then(|(_, i)| *i)
        .and_then(|i| execution.panics.get(i))
}

/// Registers a new object.
pub(crate) fn new_object(kind: ObjectKind, created_at: Loc) -> usize {
    with(|e| {
        let id = e.log.objects.len();
        e.log.objects.push(ObjectInfo {
            id,
            kind,
            name: None,
            created_at,
        });
        id
    })
    .unwrap_or(NO_OBJECT)
}

/// Names an object.
pub(crate) fn name_object(id: usize, name: String) {
    if id == NO_OBJECT {
        return;
    }
    with(|e| {
        if let Some(o) = e.log.objects.get_mut(id) {
            o.name = Some(name);
        }
    });
}

/// The display name of an object (for messages).
pub(crate) fn object_name(id: usize) -> String {
    with(|e| e.log.object_name(id)).unwrap_or_else(|| "an object".to_string())
}

/// Records one step by the current thread. Panics (failing the execution)
/// past the step limit, or when a replay's steps no longer match.
#[inline]
pub(crate) fn event(op: Op, object: usize, location: Loc) {
    if let Some(message) = with(|e| e.push_event(op, object, location)).flatten() {
        step_failed(message);
    }
}

/// `thread` acquired the lock `object` (a mutex, or an `RwLock` shared or
/// exclusive) after waiting for it: one recorder access for the whole of
/// it, since locks are the hottest path of a model.
#[inline]
pub(crate) fn lock_acquired(thread: usize, object: usize, at: Loc, shared: bool, op: Op) {
    let problem = with(|e| {
        if e.torn_down {
            return None;
        }
        e.stop_waiting(thread);
        if object != NO_OBJECT {
            e.acquire_clock(object);
            if !shared {
                // A writer is ordered after every reader before it.
                e.acquire_reader_clock(object);
            }
            e.log.threads[thread]
                .holds
                .push(Held { object, at, shared });
        }
        e.push_event(op, object, at)
    })
    .flatten();
    if let Some(message) = problem {
        step_failed(message);
    }
}

/// The current thread releases the lock `object`: the event, the hold and
/// the clock, in one recorder access.
#[inline]
pub(crate) fn lock_released(object: usize, at: Loc, op: Op) {
    if object == NO_OBJECT {
        return;
    }
    let shared = matches!(op, Op::ReadUnlock);
    let problem = with(|e| {
        if e.torn_down {
            return None;
        }
        let problem = e.push_event(op, object, at);
        let me = e.current;
        let holds = &mut e.log.threads[me].holds;
        if let Some(i) = holds.iter().rposition(|h| h.object == object) {
            holds.remove(i);
        }
        if shared {
            // C11: a read-unlock is ordered before the next write-lock,
            // not before another reader's read-lock.
            e.release_reader_clock(object);
        } else {
            e.release_clock(object);
        }
        problem
    })
    .flatten();
    if let Some(message) = problem {
        step_failed(message);
    }
}

impl Execution {
    /// Appends a step; `Some(message)` when the execution must fail (step
    /// limit, or a replay that no longer matches).
    fn push_event(&mut self, op: Op, object: usize, location: Loc) -> Option<String> {
        self.push_step(op, object, location, None)
    }

    /// [`Execution::push_event`], with an atomic operation's detail.
    fn push_step(
        &mut self,
        op: Op,
        object: usize,
        location: Loc,
        atomic: Option<AtomicAccess>,
    ) -> Option<String> {
        if self.torn_down {
            // The interleaving ends at the failing step: nothing the engine
            // does while tearing the execution down is part of it.
            return None;
        }
        let step = self.log.steps.len() + 1;
        let thread = self.current;
        let object = (object != NO_OBJECT).then_some(object);
        // Steps taken while unwinding after a panic (guards and `Arc`s
        // dropped) are not part of the recorded failure: the trace ends at
        // the panic, so they are not compared.
        let unwinding = std::thread::panicking();
        if !unwinding {
            if let Some(caught) = self.unwinding.get_mut(thread) {
                *caught = None;
            }
        }
        if let Some(expected) = self.expected.as_ref().filter(|_| !unwinding) {
            let matches = expected
                .get(step - 1)
                .is_some_and(|(t, name, o)| *t == thread && name == op.name() && *o == object);
            if !matches && self.failure.is_none() {
                let found = format!(
                    "`{}` does {} on {} at {location}",
                    self.log.thread_name(thread),
                    op.name(),
                    object
                        .map(|o| format!("`{}`", self.log.object_name(o)))
                        .unwrap_or_else(|| "nothing".into())
                );
                let wanted = match expected.get(step - 1) {
                    Some((t, name, o)) => format!(
                        "the trace has thread {t} doing {name}{}",
                        o.map(|o| format!(" on object {o}")).unwrap_or_default()
                    ),
                    None => "the trace ended there".to_string(),
                };
                let message = format!(
                    "the schedule diverged at step {step}: {found}, but {wanted}; the program changed since the trace was recorded: run the model again to record a new trace"
                );
                self.failure = Some(DetectedFailure {
                    kind: FailureKind::ReplayDiverged,
                    message: message.clone(),
                    thread: Some(thread),
                    location: Some(location),
                    race: None,
                });
                self.torn_down = true;
                return Some(message);
            }
        }
        self.log.steps.push(Event {
            step,
            thread,
            op,
            object,
            location,
            atomic,
        });
        if step > self.max_steps && self.failure.is_none() {
            let message = format!(
                "the execution ran more than {} steps without finishing: a livelock, or a loop that never ends (raise the limit with WEFT_MAX_STEPS if it is legitimately long)",
                self.max_steps
            );
            self.failure = Some(DetectedFailure {
                kind: FailureKind::StepLimit,
                message: message.clone(),
                thread: Some(thread),
                location: Some(location),
                race: None,
            });
            self.torn_down = true;
            return Some(message);
        }
        None
    }

    fn stop_waiting(&mut self, thread: usize) {
        self.current = thread;
        let t = &mut self.log.threads[thread];
        t.state = ThreadState::Running;
        t.waiting = None;
    }

    fn acquire_clock(&mut self, object: usize) {
        if engine::WEFT_DETECTS_RACES {
            let me = self.current;
            if let Some(c) = self.object_clocks.get(object) {
                self.clocks[me].join(c);
            }
        }
    }

    fn release_clock(&mut self, object: usize) {
        if engine::WEFT_DETECTS_RACES {
            let me = self.current;
            slot(&mut self.object_clocks, object).join(&self.clocks[me]);
            self.clocks[me].tick(me);
        }
    }

    fn acquire_reader_clock(&mut self, object: usize) {
        if engine::WEFT_DETECTS_RACES {
            let me = self.current;
            if let Some(c) = self.reader_clocks.get(object) {
                self.clocks[me].join(c);
            }
        }
    }

    fn release_reader_clock(&mut self, object: usize) {
        if engine::WEFT_DETECTS_RACES {
            let me = self.current;
            slot(&mut self.reader_clocks, object).join(&self.clocks[me]);
            self.clocks[me].tick(me);
        }
    }

    /// The happens-before effect of one atomic access under C11's rules:
    /// `read` is the ordering of its load part, `write` of its store part.
    fn atomic_clocks(
        &mut self,
        object: usize,
        at: Loc,
        read: Option<Ordering>,
        write: Option<Ordering>,
    ) -> Option<Race> {
        let me = self.current;
        let mut race = None;
        if let Some(order) = read {
            if is_acquire(order) {
                self.acquire_clock(object);
            } else if let Some(c) = self.object_clocks.get(object) {
                // A relaxed load synchronizes only through a later acquire fence.
                slot(&mut self.fence_acquire, me).join(c);
            }
        }
        if let Some(order) = write {
            let release = is_release(order);
            let carried = if release {
                &self.clocks[me]
            } else {
                // A relaxed store carries what a release fence before it published.
                match self.fence_release.get(me) {
                    Some(c) => c,
                    None => &EMPTY_CLOCK,
                }
            };
            let target = slot(&mut self.object_clocks, object);
            if read.is_some() {
                // A read-modify-write continues the release sequence of
                // the store it read from.
                target.join(carried);
            } else {
                // A plain store starts a new one: the readers of this
                // store learn only what its own thread published.
                target.clone_from(carried);
            }
            // Non-atomic accesses (`get_mut`, `unsync_load`) and atomic
            // writes must be ordered with each other.
            race = self.check_cell(object, AccessKind::Write, at, true);
            if release {
                self.clocks[me].tick(me);
            }
        }
        race
    }

    fn fence_clocks(&mut self, order: Ordering) {
        let me = self.current;
        if is_acquire(order) {
            if let Some(pending) = self.fence_acquire.get(me) {
                self.clocks[me].join(pending);
            }
        }
        if is_release(order) {
            slot(&mut self.fence_release, me).clone_from(&self.clocks[me]);
            self.clocks[me].tick(me);
        }
    }
}

static EMPTY_CLOCK: VectorClock = VectorClock::new();

fn is_acquire(order: Ordering) -> bool {
    matches!(
        order,
        Ordering::Acquire | Ordering::AcqRel | Ordering::SeqCst
    )
}

fn is_release(order: Ordering) -> bool {
    matches!(
        order,
        Ordering::Release | Ordering::AcqRel | Ordering::SeqCst
    )
}

/// One atomic access by `thread`: its happens-before effect under C11
/// (on shuttle, where weft checks races) and its step, in one recorder
/// access. `read`/`write` are the orderings of its load and store parts.
#[inline]
pub(crate) fn atomic_access(
    thread: usize,
    object: usize,
    op: Op,
    at: Loc,
    (read, write): (Option<Ordering>, Option<Ordering>),
    detail: AtomicAccess,
) {
    let outcome = with(|e| {
        e.current = thread;
        let race = if engine::WEFT_DETECTS_RACES && object != NO_OBJECT {
            e.atomic_clocks(object, at, read, write)
        } else {
            None
        };
        (e.push_step(op, object, at, Some(detail)), race)
    });
    match outcome {
        Some((Some(message), _)) => step_failed(message),
        Some((None, Some(race))) => fail_race(race),
        _ => {}
    }
}

/// A memory fence by `thread`: C11's fence synchronization, and its step.
pub(crate) fn fence(thread: usize, order: Ordering, at: Loc) {
    let problem = with(|e| {
        e.current = thread;
        if engine::WEFT_DETECTS_RACES {
            e.fence_clocks(order);
        }
        e.push_event(Op::Fence, NO_OBJECT, at)
    })
    .flatten();
    if let Some(message) = problem {
        step_failed(message);
    }
}

/// Which execution is being recorded (0: none); see [`Execution::generation`].
pub(crate) fn generation() -> u64 {
    with(|e| if e.torn_down { 0 } else { e.generation }).unwrap_or(0)
}

/// A new `Arc` allocation of this execution, created at `at`.
pub(crate) fn arc_created(object: usize, at: Loc) {
    if object == NO_OBJECT {
        return;
    }
    with(|e| e.live_arcs.push((object, at)));
}

/// `thread` dropped a reference to the `Arc` allocation `object` of
/// execution `generation` (nothing, if that execution is over or failed):
/// a Release decrement (`count` before it), and when it was the `last`
/// one, the Acquire before the value is dropped. `at` defaults to the
/// allocation's creation site (drop glue has no caller location).
pub(crate) fn arc_released(
    thread: usize,
    object: usize,
    generation: u64,
    at: Option<Loc>,
    count: usize,
    last: bool,
) {
    let problem = with(|e| {
        if e.generation != generation || e.torn_down {
            return None;
        }
        e.current = thread;
        let at = at.or_else(|| e.log.objects.get(object).map(|o| o.created_at))?;
        if engine::WEFT_DETECTS_RACES {
            // std's `fetch_sub(1, Release)`: an atomic read-modify-write,
            // which continues the count's release sequence. Nothing reads
            // the count unsynchronized, so it never reports a race.
            let _ = e.atomic_clocks(object, at, Some(Ordering::Relaxed), Some(Ordering::Release));
            if last {
                // Acquire: every earlier owner's decrement is now ordered
                // before the value's drop.
                e.acquire_clock(object);
            }
        }
        if last {
            if let Some(i) = e.live_arcs.iter().rposition(|(o, _)| *o == object) {
                e.live_arcs.swap_remove(i);
            }
        }
        let before = Value::Int(count as i128);
        let detail = AtomicAccess {
            method: "fetch_sub",
            order: Ordering::Release,
            failure_order: None,
            read: Some(before),
            written: Some(Value::Int(count as i128 - 1)),
            expected: None,
        };
        e.push_step(Op::Rmw(before), object, at, Some(detail))
    })
    .flatten();
    if let Some(message) = problem {
        step_failed(message);
    }
}

/// The first `Arc` allocation still live, with where it was created.
pub(crate) fn leaked_arc() -> Option<(usize, Loc)> {
    with(|e| e.live_arcs.iter().min_by_key(|(o, _)| *o).copied()).flatten()
}

/// Ends the execution because of a step (the step limit, or a replay
/// whose steps no longer match). A step recorded while the thread unwinds
/// (a guard or an `Arc` dropped after a panic) cannot panic again, which
/// would abort the test binary: the failure is already set, and the
/// unwinding goes on.
fn step_failed(message: String) {
    if !std::thread::panicking() {
        panic!("weft: {message}");
    }
}

/// Fails the execution with a failure weft detected.
pub(crate) fn fail(failure: DetectedFailure) -> ! {
    let message = failure.message.clone();
    if !active() {
        // Outside an execution there is nothing to record: a plain panic.
        panic!("{message}");
    }
    with(|e| {
        if e.failure.is_none() {
            e.failure = Some(failure);
        }
        e.torn_down = true;
    });
    panic!("weft: {message}");
}

/// Registers a thread about to be spawned by the current thread.
pub(crate) fn new_thread(name: Option<String>, spawned_at: Loc) -> usize {
    let limit = engine::MAX_SPAWNED_THREADS;
    let result = with(|e| {
        let id = e.log.threads.len();
        if let Some(max) = limit {
            if id > max {
                return Err(format!(
                    "this model spawns a {}th thread at {spawned_at}, but {} models at most {max} threads besides main; run it on shuttle (cargo test --features shuttle), which has no limit, or spawn fewer threads",
                    id,
                    crate::explore::Backend::current()
                ));
            }
        }
        let parent = e.current;
        e.log.threads.push(ThreadInfo {
            id,
            name: name.unwrap_or_else(|| format!("thread-{id}")),
            state: ThreadState::Running,
            holds: Vec::new(),
            waiting: None,
            spawned_at: Some(spawned_at),
            joined: false,
        });
        // The child starts knowing everything its parent did.
        let mut child_clock = e.clocks[parent].clone();
        child_clock.tick(id);
        e.clocks.push(child_clock);
        e.clocks[parent].tick(parent);
        Ok(id)
    });
    match result {
        Some(Ok(id)) => id,
        Some(Err(message)) => fail(DetectedFailure {
            kind: FailureKind::Unsupported,
            message,
            thread: Some(current()),
            location: Some(spawned_at),
            race: None,
        }),
        None => NO_OBJECT,
    }
}

/// Marks a thread finished.
pub(crate) fn thread_finished(thread: usize) {
    with(|e| {
        if let Some(t) = e.log.threads.get_mut(thread) {
            t.state = ThreadState::Finished;
            t.waiting = None;
        }
    });
}

/// The current thread joined `child`: it now knows everything `child` did.
pub(crate) fn thread_joined(child: usize) {
    with(|e| {
        let me = e.current;
        if let Some(t) = e.log.threads.get_mut(child) {
            t.joined = true;
        }
        join_clocks(&mut e.clocks, me, child);
    });
}

/// The current thread starts waiting.
#[inline]
pub(crate) fn wait_for(kind: WaitKind, object: usize, thread: Option<usize>, at: Loc) {
    with(|e| {
        let me = e.current;
        let t = &mut e.log.threads[me];
        t.state = ThreadState::Blocked;
        t.waiting = Some(Waiting {
            kind,
            object: (object != NO_OBJECT).then_some(object),
            thread,
            at,
        });
    });
}

/// `thread` stopped waiting (it returns to running weft code).
#[inline]
pub(crate) fn done_waiting(thread: usize) {
    with(|e| e.stop_waiting(thread));
}

/// Acquire: the current thread learns everything released to `object`.
#[inline]
pub(crate) fn acquire(object: usize) {
    if !engine::WEFT_DETECTS_RACES || object == NO_OBJECT {
        return;
    }
    with(|e| e.acquire_clock(object));
}

/// Release: `object` learns everything the current thread did.
#[inline]
pub(crate) fn release(object: usize) {
    if !engine::WEFT_DETECTS_RACES || object == NO_OBJECT {
        return;
    }
    with(|e| e.release_clock(object));
}

/// Checks a cell access against the accesses before it; on shuttle a
/// conflicting access that happens-before does not order is a data race.
pub(crate) fn cell_access(object: usize, kind: AccessKind, location: Loc) {
    if object == NO_OBJECT {
        return;
    }
    let race = with(|e| {
        let me = e.current;
        e.last_cell_access = Some((
            object,
            Access {
                thread: me,
                kind,
                location,
            },
        ));
        if !engine::WEFT_DETECTS_RACES {
            return None;
        }
        e.check_cell(object, kind, location, false)
    })
    .flatten();
    if let Some(race) = race {
        fail_race(race);
    }
}

/// A data race in words, as every report says it (weft's clocks or loom's).
pub(crate) fn race_message(log: &ExecutionLog, race: &Race) -> String {
    format!(
        "data race on `{}`: {} by `{}` at {} and {} by `{}` at {}, and no happens-before orders them",
        log.object_name(race.object),
        race.first.kind,
        log.thread_name(race.first.thread),
        race.first.location,
        race.second.kind,
        log.thread_name(race.second.thread),
        race.second.location
    )
}

fn fail_race(race: Race) -> ! {
    let message = with(|e| race_message(&e.log, &race)).unwrap_or_default();
    fail(DetectedFailure {
        kind: FailureKind::DataRace,
        message,
        thread: Some(race.second.thread),
        location: Some(race.second.location),
        race: Some(race),
    })
}

impl Execution {
    /// Checks one access against the cell's history and records it. An
    /// `atomic` access is an atomic's store: it races only with non-atomic
    /// accesses (`get_mut`, `unsync_load`), never with another atomic one.
    fn check_cell(
        &mut self,
        object: usize,
        kind: AccessKind,
        location: Loc,
        atomic: bool,
    ) -> Option<Race> {
        let me = self.current;
        let clock = &self.clocks[me];
        let epoch = clock.get(me);
        let hist = slot(&mut self.cells, object);
        let ordered = |t: usize, at: u32| t == me || at <= clock.get(t);
        let mut race = None;
        if let Some((t, at, loc, was_atomic)) = hist.last_write {
            // Two atomic accesses never race with each other.
            if !(ordered(t, at) || atomic && was_atomic) {
                race = Some(Access {
                    thread: t,
                    kind: AccessKind::Write,
                    location: loc,
                });
            }
        }
        if race.is_none() && kind == AccessKind::Write {
            if let Some(&(t, _, loc)) = hist.reads.iter().find(|(t, at, _)| !ordered(*t, *at)) {
                race = Some(Access {
                    thread: t,
                    kind: AccessKind::Read,
                    location: loc,
                });
            }
        }
        match kind {
            AccessKind::Write => {
                hist.last_write = Some((me, epoch, location, atomic));
                hist.reads.clear();
            }
            AccessKind::Read => {
                hist.reads.retain(|(t, _, _)| *t != me);
                hist.reads.push((me, epoch, location));
            }
        }
        race.map(|first| Race {
            object,
            first,
            second: Access {
                thread: me,
                kind,
                location,
            },
        })
    }
}

/// The virtual clock of the execution.
pub(crate) fn now() -> Duration {
    with(|e| e.now).unwrap_or_default()
}

/// The least time a timed operation takes: it returns strictly after its
/// deadline, as on a real clock. A timeout that left the clock exactly at
/// the deadline made `deadline.checked_duration_since(now)` `Some(0)`, and
/// a loop waiting for the rest of the time waited for zero forever.
const TICK: Duration = Duration::from_nanos(1);

/// A timed operation (a timed-out wait, a sleep) reached `deadline`: the
/// clock moves strictly past it, and never backwards (the clock is shared,
/// and another thread may have slept further already).
pub(crate) fn pass_deadline(deadline: Duration) {
    with(|e| e.now = e.now.max(deadline.saturating_add(TICK)));
}

/// Whether the current thread's wait may end spuriously: wakeups are
/// explored and the thread has not woken spuriously yet in this execution.
pub(crate) fn may_wake_spuriously() -> bool {
    with(|e| e.spurious_wakeups && !e.woke_spuriously.get(e.current).copied().unwrap_or(false))
        .unwrap_or(false)
}

/// The current thread woke spuriously: it may not again in this execution.
pub(crate) fn woke_spuriously() {
    with(|e| {
        let me = e.current;
        *slot(&mut e.woke_spuriously, me) = true;
    });
}

/// Records a panic seen by the hook; returns whether one was recorded.
pub(crate) fn capture_panic(message: String, location: Option<Loc>, torn_down: bool) -> bool {
    with(|e| {
        let thread = e.current;
        let index = e.panics.len();
        *slot(&mut e.unwinding, thread) = Some(index);
        e.panics.push(CapturedPanic {
            message,
            location,
            thread,
            steps: e.log.steps.len(),
            threads: e.log.threads.clone(),
        });
        if torn_down {
            e.torn_down = true;
        }
    })
    .is_some()
}
