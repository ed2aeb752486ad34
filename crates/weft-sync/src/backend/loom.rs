//! The loom engine: the only file that names loom.
//!
//! weft's model arm (`model/`) is written once against the names below.

use std::panic::{self, AssertUnwindSafe};

use crate::explore::{Backend, ExploreConfig, ScheduleRecord};

pub(crate) use loom::sync::atomic;
pub(crate) use loom::sync::{
    Mutex as RawMutex, MutexGuard as RawMutexGuard, RwLock as RawRwLock,
    RwLockReadGuard as RawReadGuard, RwLockWriteGuard as RawWriteGuard,
};

/// The backend of this build.
pub(crate) const BACKEND: Backend = Backend::Loom;
/// loom models at most this many threads besides main.
pub(crate) const MAX_SPAWNED_THREADS: Option<usize> = Some(loom::MAX_THREADS - 1);
/// loom checks `UnsafeCell` accesses itself; weft's clocks are not needed.
pub(crate) const WEFT_DETECTS_RACES: bool = false;
/// loom's `Mutex` and `RwLock` keep their value in std's, whose guard a
/// panic poisons; loom then unwraps that poison on the next lock (and on
/// `into_inner` and `get_mut`), which would panic inside loom.
pub(crate) const POISON_BREAKS_LOCKS: bool = true;

/// Non-atomic access to an engine atomic (`get_mut`, `with_mut`,
/// `unsync_load`), which loom and shuttle offer differently.
pub(crate) trait RawUnsync<T> {
    /// A reference to the value, if the engine keeps it in the atomic
    /// (loom keeps it in its execution state: `None`).
    fn raw_get_mut(&mut self) -> Option<&mut T>;
    /// Runs `f` on the value, checked by the engine as a non-atomic write.
    fn raw_with_mut<R>(&mut self, f: impl FnOnce(&mut T) -> R) -> R;
    /// Reads the value without synchronization.
    ///
    /// # Safety
    ///
    /// No concurrent write (loom's contract for `unsync_load`).
    unsafe fn raw_unsync_load(&self) -> T;
}

macro_rules! loom_unsync {
    ($([$($gen:tt)*] $name:ident, $t:ty;)*) => {$(
        impl<$($gen)*> RawUnsync<$t> for atomic::$name<$($gen)*> {
            fn raw_get_mut(&mut self) -> Option<&mut $t> {
                None
            }
            fn raw_with_mut<R>(&mut self, f: impl FnOnce(&mut $t) -> R) -> R {
                self.with_mut(f)
            }
            unsafe fn raw_unsync_load(&self) -> $t {
                // SAFETY: the caller's contract.
                unsafe { self.unsync_load() }
            }
        }
    )*};
}

loom_unsync! {
    [] AtomicUsize, usize; [] AtomicIsize, isize; [] AtomicU8, u8; [] AtomicI8, i8;
    [] AtomicU16, u16; [] AtomicI16, i16; [] AtomicU32, u32; [] AtomicI32, i32;
    [] AtomicU64, u64; [] AtomicI64, i64; [T] AtomicPtr, *mut T;
}

/// loom's `AtomicBool` has `unsync_load` but no `with_mut`: the value is
/// read unsynchronized and written back with a relaxed store if it changed.
impl RawUnsync<bool> for atomic::AtomicBool {
    fn raw_get_mut(&mut self) -> Option<&mut bool> {
        None
    }
    fn raw_with_mut<R>(&mut self, f: impl FnOnce(&mut bool) -> R) -> R {
        // SAFETY: `&mut self`: no other thread can access the atomic.
        let before = unsafe { self.unsync_load() };
        let mut value = before;
        let r = f(&mut value);
        if value != before {
            self.store(value, std::sync::atomic::Ordering::Relaxed);
        }
        r
    }
    unsafe fn raw_unsync_load(&self) -> bool {
        // SAFETY: the caller's contract.
        unsafe { self.unsync_load() }
    }
}

/// One reference of a modelled `Arc`, as loom's own `Arc` counts it: its
/// clone and drop are loom's scheduling points and its last drop loom's
/// acquire, so weft's `Arc` explores exactly the interleavings of loom's.
pub(crate) struct ArcToken(Option<loom::sync::Arc<()>>);

impl ArcToken {
    /// The first reference (`None` outside an execution: loom has none).
    pub(crate) fn new(live: bool) -> ArcToken {
        ArcToken(live.then(|| loom::sync::Arc::new(())))
    }

    /// Another reference.
    pub(crate) fn clone_token(&self, live: impl FnOnce() -> bool) -> ArcToken {
        ArcToken(self.0.as_ref().filter(|_| live()).cloned())
    }

    /// loom's `Arc::get_mut`: a scheduling point, and an acquire of every
    /// earlier owner's release.
    pub(crate) fn acquire_unique(&mut self, live: bool) {
        if let Some(arc) = self.0.as_mut().filter(|_| live) {
            let _ = loom::sync::Arc::get_mut(arc);
        }
    }

    /// Drops the reference through loom (`live`), or forgets it: after a
    /// failure loom's state is gone, and touching it would abort.
    pub(crate) fn release(self, live: bool) {
        if live {
            drop(self.0);
        } else {
            std::mem::forget(self.0);
        }
    }
}

/// A model thread's join handle.
pub(crate) type RawJoinHandle<T> = loom::thread::JoinHandle<T>;

/// Spawns a model thread.
pub(crate) fn spawn<F, T>(name: Option<String>, f: F) -> RawJoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let mut b = loom::thread::Builder::new();
    if let Some(name) = name {
        b = b.name(name);
    }
    b.spawn(f).expect("loom spawns model threads without I/O")
}

/// Lets another model thread run; loom deprioritises the caller.
pub(crate) fn yield_now() {
    loom::thread::yield_now()
}

/// Nothing: loom branches only at operations on its own objects, and a
/// thread's end is none that another thread can read without joining it
/// (README, Limitations: `JoinHandle::is_finished` on loom).
pub(crate) fn scheduling_point() {}

/// One waiter of a weft condvar, woken by [`RawWaiter::wake`] whether that
/// comes before or after it blocks.
///
/// loom's own `Condvar::wait` has a scheduling point before it registers
/// the waiter, so a notify from a thread that does not hold the mutex can
/// fall in between and be lost: a deadlock the program does not have. A
/// parked thread keeps an early wakeup as loom's park token instead. The
/// handle is loom's thread, not an object the waiter creates, so the
/// notifier touches nothing whose creation loom would need to see ordered
/// before the wakeup (a waiter's own atomic, reached through weft's
/// unmodelled queue, was reported as "Causality violation").
pub(crate) struct RawWaiter {
    /// The thread to unpark: `None` for a waiter that never blocks (a timed
    /// wait), since loom's unpark makes a thread blocked on anything (a
    /// mutex it is taking back) runnable, which loom then asserts against.
    thread: Option<loom::thread::Thread>,
    woken: std::sync::atomic::AtomicBool,
}

impl RawWaiter {
    /// A waiter for the current model thread, which blocks in [`RawWaiter::wait`].
    pub(crate) fn new() -> Self {
        RawWaiter {
            thread: Some(loom::thread::current()),
            woken: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// A waiter that never blocks: it only asks [`RawWaiter::is_woken`].
    pub(crate) fn polling() -> Self {
        RawWaiter {
            thread: None,
            woken: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// Whether [`RawWaiter::wake`] was called.
    pub(crate) fn is_woken(&self) -> bool {
        self.woken.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Wakes the waiter, now or when it next blocks.
    pub(crate) fn wake(&self) {
        self.woken.store(true, std::sync::atomic::Ordering::SeqCst);
        if let Some(thread) = &self.thread {
            thread.unpark();
        }
    }

    /// Releases `guard`, blocks until woken, and locks `mutex` again.
    pub(crate) fn wait<'a, T>(
        &self,
        mutex: &'a RawMutex<T>,
        guard: RawMutexGuard<'a, T>,
    ) -> std::sync::LockResult<RawMutexGuard<'a, T>> {
        drop(guard);
        while !self.is_woken() {
            loom::thread::park();
        }
        mutex.lock()
    }
}

/// A cell whose accesses loom checks for causality violations.
#[derive(Debug)]
pub(crate) struct RawCell<T>(loom::cell::UnsafeCell<T>);

impl<T> RawCell<T> {
    pub(crate) fn new(value: T) -> Self {
        RawCell(loom::cell::UnsafeCell::new(value))
    }

    pub(crate) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        self.0.with(f)
    }

    pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        self.0.with_mut(f)
    }

    pub(crate) fn into_inner(self) -> T {
        self.0.into_inner()
    }

    /// A read guard: loom checks the read for as long as it lives.
    pub(crate) fn get(&self) -> RawConstPtr<T> {
        self.0.get()
    }

    /// A write guard: loom checks the write for as long as it lives.
    pub(crate) fn get_mut(&self) -> RawMutPtr<T> {
        self.0.get_mut()
    }
}

/// loom's checked read pointer.
pub(crate) type RawConstPtr<T> = loom::cell::ConstPtr<T>;
/// loom's checked write pointer.
pub(crate) type RawMutPtr<T> = loom::cell::MutPtr<T>;

/// A nondeterministic choice in `0..n`. loom has no choice primitive, so
/// this is always 0 (documented: loom explores thread interleavings, not
/// choices; shuttle explores choices).
pub(crate) fn choose(_n: usize) -> usize {
    0
}

/// The payload that ends a loom exploration early (budget spent, replay done).
pub(crate) struct StopExploring;

/// Whether a panic payload is weft's own way of stopping the engine.
pub(crate) fn is_stop(payload: &(dyn std::any::Any + Send)) -> bool {
    payload.is::<StopExploring>()
}

/// loom's decisions are its own: no marks are kept (see `decision_marks`).
pub(crate) fn count_steps_with(_steps_recorded: fn() -> usize) {}

/// loom records no decisions (`current_decisions`): no marks either.
pub(crate) fn decision_marks() -> Vec<usize> {
    Vec::new()
}

/// loom's search is not a random walk: no estimate of its tree.
pub(crate) fn estimated_tree_so_far() -> Option<f64> {
    None
}

/// How an engine run ended.
pub(crate) struct EngineRun {
    pub(crate) executions: usize,
    pub(crate) complete: bool,
    pub(crate) panic: Option<String>,
    /// The engine stopped because a time budget was spent (weft's driver
    /// honours loom's budget itself: always false here).
    pub(crate) budget_spent: bool,
    /// The engine stopped at its execution limit (weft's driver honours
    /// loom's itself: always false here).
    pub(crate) limit_reached: bool,
    /// Whether a thread unwinding a panic was kept running alone (shuttle
    /// only: always false here).
    pub(crate) unwinding_serialized: bool,
    /// PCT stopped on a model with one schedule (shuttle only: always
    /// false here).
    pub(crate) single_schedule: bool,
    /// No estimate of the tree: loom's search is not a random walk.
    pub(crate) estimated_tree: Option<f64>,
    /// weft's DPOR search runs on shuttle only: always 0 here.
    pub(crate) spinners_held: usize,
    /// The path loom wrote for the execution `ExploreConfig::loom_path_at`
    /// names, if the search reached it.
    pub(crate) loom_path: Option<String>,
}

/// Explores `execution` (one call = one execution) with loom's DPOR search.
/// `execution` returns `false` to stop the exploration early (budget spent).
pub(crate) fn run(
    config: &ExploreConfig,
    _replay: Option<Vec<crate::explore::Decision>>,
    execution: impl Fn(usize) -> bool + Send + Sync + 'static,
    _effects_since: crate::dpor::access::ReadEffects,
) -> EngineRun {
    // `Builder::new` reads the `LOOM_*` variables; weft-check validated them
    // first (and refused the ones weft cannot honour), so it does not panic.
    // LOOM_MAX_BRANCHES and LOOM_LOCATION take effect as loom reads them;
    // LOOM_MAX_PREEMPTIONS, LOOM_MAX_DURATION and LOOM_MAX_PERMUTATIONS
    // arrive through `config` (under the WEFT_* variables).
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = config.preemption_bound;
    // loom's branch bound stays loom's default (1,000, or LOOM_MAX_BRANCHES):
    // it ends a livelocked execution after 1,000 thread switches, which weft
    // reports as a step limit naming the looping threads. Raising it (weft
    // once used twice WEFT_MAX_STEPS) makes each livelocked execution
    // thousands of times longer and loom's search over them effectively
    // endless, and in debug builds overflows loom's version vectors.
    //
    // weft honours the time budget and execution limit itself, between
    // executions (loom checks its own only every 20,000 executions).
    builder.max_duration = None;
    builder.max_permutations = None;
    builder.checkpoint_file = None;
    // loom's checkpoint, the record of an execution's branches, is how a
    // replay runs one execution: loom starts its search at a path read
    // from the file. Written before the execution at every
    // `checkpoint_interval`-th one, it captures execution `n` when the
    // interval is `n` (the search stops at the failure there, before
    // another is written); never written when the interval is never
    // reached.
    let replayed = match config.replay.as_ref().map(|r| &r.schedule) {
        Some(ScheduleRecord::Loom {
            path: Some(path), ..
        }) => Some(path.as_str()),
        _ => None,
    };
    let checkpoint = match (replayed, config.loom_path_at) {
        (Some(path), _) => Some((
            Checkpoint::new(Some(path)).unwrap_or_else(|e| {
                panic!("weft: cannot write loom's path to a temporary file to replay it: {e}")
            }),
            usize::MAX,
        )),
        // Without the file, nothing is captured: a replay then re-runs the
        // search up to the execution, as before paths were kept.
        (None, Some(n)) => Checkpoint::new(None).ok().map(|c| (c, n.max(1))),
        (None, None) => None,
    };
    if let Some((file, interval)) = &checkpoint {
        builder.checkpoint_file = Some(file.0.clone());
        builder.checkpoint_interval = *interval;
    }

    let counter = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let stopped = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (c, s) = (counter.clone(), stopped.clone());
    let result = panic::catch_unwind(AssertUnwindSafe(move || {
        builder.check(move || {
            if s.load(std::sync::atomic::Ordering::SeqCst) {
                // loom has no way to end an exploration early, and an
                // execution that skips the body confuses its search: unwind
                // out of `check` before anything ran.
                panic::panic_any(StopExploring);
            }
            let n = c.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            if !execution(n) {
                // Either nothing ran (the budget is spent) or the body ran
                // to its end with every thread finished: unwinding here
                // leaves loom nothing to clean up.
                s.store(true, std::sync::atomic::Ordering::SeqCst);
                panic::panic_any(StopExploring);
            }
        })
    }));
    let executions = counter.load(std::sync::atomic::Ordering::SeqCst);
    let stopped = stopped.load(std::sync::atomic::Ordering::SeqCst);
    // The file exists once loom reached the execution (a replay's is the
    // path it was given).
    let loom_path = checkpoint
        .filter(|_| replayed.is_none())
        .and_then(|(file, _)| std::fs::read_to_string(&file.0).ok());
    match result {
        Ok(()) => EngineRun {
            executions,
            complete: !stopped && config.preemption_bound.is_none(),
            panic: None,
            budget_spent: false,
            limit_reached: false,
            unwinding_serialized: false,
            single_schedule: false,
            estimated_tree: None,
            spinners_held: 0,
            loom_path,
        },
        Err(payload) if payload.is::<StopExploring>() => EngineRun {
            executions,
            complete: false,
            panic: None,
            budget_spent: false,
            limit_reached: false,
            unwinding_serialized: false,
            single_schedule: false,
            estimated_tree: None,
            spinners_held: 0,
            loom_path,
        },
        Err(payload) => EngineRun {
            executions,
            complete: false,
            panic: Some(crate::record::panic_message(payload.as_ref())),
            budget_spent: false,
            limit_reached: false,
            unwinding_serialized: false,
            single_schedule: false,
            estimated_tree: None,
            spinners_held: 0,
            loom_path,
        },
    }
}

/// A file for loom's checkpoint, removed when dropped.
struct Checkpoint(std::path::PathBuf);

impl Checkpoint {
    /// A fresh file name (loom reads a file that exists as the path to
    /// start from), holding `path` if given.
    fn new(path: Option<&str>) -> std::io::Result<Checkpoint> {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let file =
            std::env::temp_dir().join(format!("weft-loom-path-{}-{n}.json", std::process::id()));
        let _ = std::fs::remove_file(&file);
        if let Some(path) = path {
            std::fs::write(&file, path)?;
        }
        Ok(Checkpoint(file))
    }
}

impl Drop for Checkpoint {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Classifies an engine panic message that weft did not raise itself.
pub(crate) fn classify_engine_panic(message: &str) -> Option<crate::explore::FailureKind> {
    use crate::explore::FailureKind;
    if message.starts_with("deadlock;") {
        Some(FailureKind::Deadlock)
    } else if message.contains("Causality violation") {
        Some(FailureKind::DataRace)
    } else if message.contains("Model exceeded maximum number of branches") {
        Some(FailureKind::StepLimit)
    } else {
        None
    }
}

/// A panic escaped a model thread: loom fails the model with it (and
/// prints nothing of its own).
pub(crate) fn end_with_panic(payload: Box<dyn std::any::Any + Send>) -> ! {
    panic::resume_unwind(payload)
}

/// loom searches with its own DPOR: nothing to hand over.
pub(crate) fn execution_ended(_effects_since: crate::dpor::access::ReadEffects) {}

/// Nothing to prepare for loom.
pub(crate) fn init() {}

/// loom's schedule is its exploration order: no decisions to record.
/// loom does not count preemptions per execution: its bound is the
/// measure (see `ScheduleRecord::Loom::preemption_bound`).
pub(crate) fn execution_preemptions() -> Option<usize> {
    None
}

pub(crate) fn current_decisions() -> Vec<crate::explore::Decision> {
    Vec::new()
}

/// loom replays by re-exploring: divergence is found by comparing steps.
pub(crate) fn replay_divergence() -> Option<String> {
    None
}
