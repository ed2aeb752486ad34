//! `LazyLock` under a checker: one value per execution.
//!
//! A `static` initialised in one execution must be fresh in the next (as
//! loom's `lazy_static!` is), or the second execution would start from the
//! first one's state and its objects. Each execution's values are owned by
//! a per-execution store and dropped when the execution's main closure
//! returns, before the leak checks (an `Arc` in a static is no leak).

use std::any::Any;
use std::cell::RefCell;
use std::fmt;
use std::ops::Deref;
use std::sync::Mutex as StdMutex;
use std::thread::ThreadId as OsThreadId;

use super::recorder;
use super::Mutex;

std::thread_local! {
    /// The running execution's values: (generation, boxed cells).
    static VALUES: RefCell<(u64, Vec<Box<dyn Any>>)> = RefCell::new((0, Vec::new()));
}

/// Which execution is being recorded on this OS thread (0: none), also
/// while a failed one is torn down.
pub(crate) fn execution_generation() -> u64 {
    recorder::with(|e| e.generation).unwrap_or(0)
}

/// A value initialised on first access. Same as [`std::sync::LazyLock`];
/// under a checker the value is per execution: each execution initialises
/// it afresh (the initializer is explored like any code), and the value is
/// dropped when the execution's main closure returns.
///
/// Differences from std under a checker: the initializer is `Fn` (it runs
/// once per execution) and `T: 'static`; a reference to the value must not
/// outlive the execution that created it (as with loom's `lazy_static!`).
///
/// # Examples
///
/// ```
/// use weft_sync::sync::LazyLock;
///
/// static TABLE: LazyLock<Vec<u32>> = LazyLock::new(|| vec![1, 2, 3]);
/// assert_eq!(TABLE.len(), 3);
/// ```
pub struct LazyLock<T, F = fn() -> T> {
    init: F,
    /// Per OS thread that runs executions: which execution's cell it uses.
    /// The cells are owned by that thread's `VALUES` store.
    current: StdMutex<Vec<(OsThreadId, u64, *const Cell<T>)>>,
    /// The value used outside any execution (std's semantics).
    outside: std::sync::OnceLock<T>,
}

// SAFETY: the raw pointers are only dereferenced on the OS thread that
// stored them (the entry is looked up by OS thread id), while the execution
// that owns their cell runs; otherwise `LazyLock` shares `T` as std's does.
unsafe impl<T: Send + Sync, F: Send> Sync for LazyLock<T, F> {}
// SAFETY: as for `Sync`: the pointers are keys into per-thread stores.
unsafe impl<T: Send, F: Send> Send for LazyLock<T, F> {}

impl<T, F> LazyLock<T, F> {
    /// Creates a lazy value with `init` as its initializer.
    pub const fn new(init: F) -> LazyLock<T, F> {
        LazyLock {
            init,
            current: StdMutex::new(Vec::new()),
            outside: std::sync::OnceLock::new(),
        }
    }
}

impl<T: 'static, F: Fn() -> T> LazyLock<T, F> {
    /// The value, initialised first if this execution has not yet.
    #[track_caller]
    pub fn force(this: &LazyLock<T, F>) -> &T {
        let generation = execution_generation();
        if generation == 0 {
            return this.outside.get_or_init(&this.init);
        }
        let os = std::thread::current().id();
        let cell = {
            let mut current = this.current.lock().unwrap_or_else(|e| e.into_inner());
            match current.iter_mut().find(|e| e.0 == os) {
                Some(e) if e.1 == generation => e.2,
                found => {
                    let cell = new_cell::<T>(generation);
                    match found {
                        Some(e) => *e = (os, generation, cell),
                        None => current.push((os, generation, cell)),
                    }
                    cell
                }
            }
        };
        // SAFETY: `cell` was stored by this OS thread for the running
        // execution, and `VALUES` owns its box until that execution ends
        // (the box does not move when the store grows).
        let cell = unsafe { &*cell };
        let mut value = cell.lock().unwrap_or_else(|e| e.into_inner());
        let ptr: *const T = &**value.get_or_insert_with(|| Box::new((this.init)()));
        drop(value);
        // SAFETY: the value is boxed, set once (above, under the lock) and
        // dropped only with its cell when the execution ends.
        unsafe { &*ptr }
    }
}

/// One execution's value. A modelled mutex, not a `OnceLock`: its lock
/// hand-over orders the initializer (and the objects it creates) before
/// every other thread's use, and a mutex made by one thread may be locked
/// by another that never synchronized with it (an atomic may not: loom
/// checks its creation as a non-atomic write).
type Cell<T> = Mutex<Option<Box<T>>>;

#[track_caller]
fn new_cell<T: 'static>(generation: u64) -> *const Cell<T> {
    let cell: Box<Cell<T>> = Box::new(Mutex::new(None).named("LazyLock"));
    let ptr: *const Cell<T> = &*cell;
    VALUES.with(|v| {
        let mut v = v.borrow_mut();
        if v.0 != generation {
            // A failed execution's values: its engine state is gone.
            std::mem::forget(std::mem::take(&mut v.1));
            v.0 = generation;
        }
        v.1.push(cell);
    });
    ptr
}

/// The execution's main closure returned: drops its lazy values (their
/// destructors still run inside the execution).
pub(crate) fn execution_ended() {
    let generation = execution_generation();
    let values = VALUES.with(|v| {
        let mut v = v.borrow_mut();
        if v.0 == generation {
            std::mem::take(&mut v.1)
        } else {
            Vec::new()
        }
    });
    drop(values);
}

impl<T: 'static, F: Fn() -> T> Deref for LazyLock<T, F> {
    type Target = T;

    #[track_caller]
    fn deref(&self) -> &T {
        LazyLock::force(self)
    }
}

impl<T, F> fmt::Debug for LazyLock<T, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LazyLock").finish_non_exhaustive()
    }
}
