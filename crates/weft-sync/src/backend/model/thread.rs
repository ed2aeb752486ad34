//! Model threads: spawned through the engine, named and recorded by weft.

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;
use std::io;
use std::marker::PhantomData;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, OnceLock as StdOnceLock, PoisonError};
use std::time::Duration;

use super::condvar::Wake;
use super::engine::{self, RawJoinHandle, RawMutex};
use super::recorder::{self, NO_OBJECT};
use super::{Condvar, Mutex};
use crate::record::{Loc, Op, WaitKind};

pub use super::thread_local::{AccessError, LocalKey};
pub use std::thread::Result;

/// A thread's identity within an execution. Same role as [`std::thread::ThreadId`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ThreadId(usize);

struct Parker {
    token: Mutex<bool>,
    cv: Condvar,
}

struct Inner {
    id: usize,
    name: Option<Cow<'static, str>>,
    /// Created by the first `park` or `unpark`, under an engine lock made
    /// with the handle: whichever thread creates the parker, the engine
    /// sees its creation ordered before the other thread's use (a std
    /// `OnceLock` hid it, and loom reported the parker's condvar atomic as
    /// a causality violation).
    parker: RawMutex<Option<Arc<Parker>>>,
}

/// A handle to a thread. Same as [`std::thread::Thread`].
#[derive(Clone)]
pub struct Thread(Arc<Inner>);

impl Thread {
    fn new(id: usize, name: Option<Cow<'static, str>>) -> Thread {
        Thread(Arc::new(Inner {
            id,
            name,
            parker: RawMutex::new(None),
        }))
    }

    /// The thread's name, if it was given one (`main` for the model's main thread).
    pub fn name(&self) -> Option<&str> {
        self.0.name.as_deref()
    }

    /// The thread's identity.
    pub fn id(&self) -> ThreadId {
        ThreadId(self.0.id)
    }

    #[track_caller]
    fn parker(&self) -> Arc<Parker> {
        let me = recorder::current();
        let mut parker = self.0.parker.lock().unwrap_or_else(PoisonError::into_inner);
        recorder::resume(me);
        let p = parker
            .get_or_insert_with(|| {
                let label = format!("{}.parker", self.name().unwrap_or("thread"));
                Arc::new(Parker {
                    token: Mutex::new(false).named(label.clone()),
                    cv: Condvar::new().named(label),
                })
            })
            .clone();
        drop(parker);
        recorder::resume(me);
        p
    }

    /// Wakes the thread if it is parked, or makes its next `park` return at once.
    #[track_caller]
    pub fn unpark(&self) {
        let at = Loc::caller();
        recorder::event(Op::Unpark { target: self.0.id }, NO_OBJECT, at);
        let p = self.parker();
        let mut token = p.token.lock().unwrap_or_else(|e| e.into_inner());
        *token = true;
        // Only a parked thread needs the notification (it parks under the
        // token's lock).
        p.cv.notify_waiting_after(token, Wake::One);
    }
}

impl fmt::Debug for Thread {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Thread")
            .field("id", &self.0.id)
            .field("name", &self.0.name)
            .finish()
    }
}

/// A thread of the current execution: whether it was given a name, and
/// its handle once somebody asked for it. Handles are made lazily: most
/// models never ask, and an allocation per spawn per execution shows in
/// the checker's overhead.
#[derive(Default)]
struct Slot {
    named: bool,
    handle: Option<Thread>,
}

thread_local! {
    // The current execution's threads, by weft thread id.
    static HANDLES: RefCell<Vec<Slot>> = const { RefCell::new(Vec::new()) };
}

/// Forgets the previous execution's thread handles; registers `main`.
pub(crate) fn reset_handles() {
    HANDLES.with(|h| {
        let mut h = h.borrow_mut();
        h.clear();
        h.push(Slot {
            named: true,
            handle: None,
        });
    });
}

fn register(id: usize, named: bool) {
    HANDLES.with(|h| {
        let mut h = h.borrow_mut();
        if h.len() <= id {
            h.resize_with(id + 1, Slot::default);
        }
        h[id] = Slot {
            named,
            handle: None,
        };
    });
}

/// The handle of thread `id`, made on first use (one per thread per
/// execution, so that `unpark` through any copy reaches the same parker).
fn handle(id: usize) -> Thread {
    HANDLES.with(|h| {
        let mut h = h.borrow_mut();
        if h.len() <= id {
            h.resize_with(id + 1, Slot::default);
        }
        let slot = &mut h[id];
        slot.handle
            .get_or_insert_with(|| {
                let name: Option<Cow<'static, str>> = if id == 0 {
                    Some(Cow::Borrowed("main"))
                } else if slot.named {
                    recorder::with(|e| e.log.threads.get(id).map(|t| t.name.clone()))
                        .flatten()
                        .map(Cow::Owned)
                } else {
                    None
                };
                Thread::new(id, name)
            })
            .clone()
    })
}

/// The handle of the thread running now.
pub fn current() -> Thread {
    handle(recorder::current())
}

/// A handle to join a spawned thread. Same as [`std::thread::JoinHandle`].
pub struct JoinHandle<T> {
    raw: RawJoinHandle<T>,
    id: usize,
    thread: StdOnceLock<Thread>,
}

impl<T> JoinHandle<T> {
    /// Waits for the thread to finish and returns its result.
    ///
    /// # Errors
    ///
    /// The thread's panic payload, if it panicked.
    #[track_caller]
    pub fn join(self) -> Result<T> {
        let at = Loc::caller();
        let me = recorder::current();
        let child = self.id;
        recorder::wait_for(WaitKind::Join, NO_OBJECT, Some(child), at);
        let r = self.raw.join();
        recorder::done_waiting(me);
        recorder::thread_joined(child);
        recorder::event(Op::Join { child }, NO_OBJECT, at);
        r
    }

    /// The thread's handle.
    pub fn thread(&self) -> &Thread {
        self.thread.get_or_init(|| handle(self.id))
    }

    /// Whether the thread's closure has returned: a scheduling point and
    /// a recorded step, which the DPOR search reorders with the thread's
    /// end, so that both answers are explored.
    #[track_caller]
    pub fn is_finished(&self) -> bool {
        is_finished(self.id, Loc::caller())
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("thread", &self.id)
            .finish()
    }
}

/// Whether thread `child` has finished, asked at `at`.
fn is_finished(child: usize, at: Loc) -> bool {
    // The answer is read after the scheduling point, in the step it
    // begins: the thread asked about may run to its end first.
    recorder::scheduling_point();
    let finished = recorder::with(|e| {
        e.log.threads.get(child).map(|t| t.state) == Some(crate::record::ThreadState::Finished)
    })
    .unwrap_or(false);
    recorder::event(Op::IsFinished { child, finished }, NO_OBJECT, at);
    finished
}

/// Marks the thread finished when its closure returns or unwinds; the
/// finish step is located where the user's code spawned the thread (the
/// closure that ended), not in weft.
struct Finish(usize, Loc);

impl Drop for Finish {
    fn drop(&mut self) {
        if recorder::unwinding() {
            // A failed execution being torn down: keep the thread as it was
            // (blocked, holding its locks), which is what the report shows.
            if !recorder::torn_down() {
                recorder::thread_finished(self.0);
            }
            return;
        }
        // The thread's `thread_local!` values are dropped on it, as std does.
        super::thread_local::thread_ended(self.0);
        recorder::event(Op::Finish, NO_OBJECT, self.1);
        recorder::thread_finished(self.0);
    }
}

/// Thread factory. Same as [`std::thread::Builder`].
#[derive(Debug, Default)]
#[must_use]
pub struct Builder {
    name: Option<String>,
}

impl Builder {
    /// A builder with no name.
    pub fn new() -> Builder {
        Builder::default()
    }

    /// Names the thread (`"worker"`); reports and traces use the name.
    pub fn name(mut self, name: impl Into<String>) -> Builder {
        self.name = Some(name.into());
        self
    }

    /// Accepted for compatibility; model threads have the engine's stacks.
    pub fn stack_size(self, _size: usize) -> Builder {
        self
    }

    /// Spawns the thread.
    ///
    /// # Errors
    ///
    /// Never under a checker; the `Result` matches std's signature.
    #[track_caller]
    pub fn spawn<F, T>(self, f: F) -> io::Result<JoinHandle<T>>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let at = Loc::caller();
        let parent = recorder::current();
        let id = recorder::new_thread(self.name.clone(), at);
        register(id, self.name.is_some());
        recorder::event(Op::Spawn { child: id }, NO_OBJECT, at);
        let raw = engine::spawn(self.name, move || {
            recorder::resume(id);
            let _finish = Finish(id, at);
            recorder::run_thread(f)
        });
        recorder::resume(parent);
        Ok(JoinHandle {
            raw,
            id,
            thread: StdOnceLock::new(),
        })
    }

    /// Spawns a scoped thread.
    ///
    /// # Errors
    ///
    /// Never under a checker; the `Result` matches std's signature.
    #[track_caller]
    pub fn spawn_scoped<'scope, 'env, F, T>(
        self,
        scope: &'scope Scope<'scope, 'env>,
        f: F,
    ) -> io::Result<ScopedJoinHandle<'scope, T>>
    where
        F: FnOnce() -> T + Send + 'scope,
        T: Send + 'scope,
    {
        Ok(scope.spawn_with(self, f))
    }
}

/// Spawns a thread. Same as [`std::thread::spawn`].
#[track_caller]
pub fn spawn<F, T>(f: F) -> JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    Builder::new()
        .spawn(f)
        .expect("model threads spawn without I/O")
}

/// How many threads the program could usefully run: under a checker always
/// 2, so that a model sizes its pools alike on every run and machine (and
/// small: every thread multiplies the interleavings). Same signature as
/// [`std::thread::available_parallelism`].
///
/// # Errors
///
/// Never under a checker; the `Result` matches std's signature.
pub fn available_parallelism() -> io::Result<std::num::NonZeroUsize> {
    Ok(std::num::NonZeroUsize::new(2).expect("2 is not zero"))
}

/// Lets another thread run. Same as [`std::thread::yield_now`].
#[track_caller]
pub fn yield_now() {
    yield_now_at(Loc::caller());
}

pub(crate) fn yield_now_at(at: Loc) {
    let me = recorder::current();
    recorder::spin_yield();
    recorder::event(Op::Yield, NO_OBJECT, at);
    engine::yield_now();
    recorder::resume(me);
}

/// Under a checker: advances the virtual clock past `dur` from now (even
/// for a zero `dur`: a sleep always lets some time pass) and yields.
#[track_caller]
pub fn sleep(dur: Duration) {
    let me = recorder::current();
    recorder::event(Op::Sleep, NO_OBJECT, Loc::caller());
    recorder::pass_deadline(recorder::now().saturating_add(dur));
    engine::yield_now();
    recorder::resume(me);
}

/// Blocks until the thread is unparked. Same as [`std::thread::park`].
///
/// Like std's, it may return without an unpark when the model explores
/// spurious wakeups (`Model::spurious_wakeups(true)`), once per thread and
/// execution; otherwise only an unpark ends it.
#[track_caller]
pub fn park() {
    let me = current();
    recorder::event(Op::Park, NO_OBJECT, Loc::caller());
    let p = me.parker();
    let mut token = p.token.lock().unwrap_or_else(|e| e.into_inner());
    while !*token {
        let may_wake_spuriously = recorder::may_wake_spuriously();
        token = p.cv.wait(token).unwrap_or_else(|e| e.into_inner());
        if !*token && may_wake_spuriously && !recorder::may_wake_spuriously() {
            // The parker's wait just spent this thread's spurious wakeup:
            // return without the token, as std's park may.
            return;
        }
    }
    *token = false;
}

/// Blocks until unparked or until `dur` has passed; under a checker both
/// outcomes are explored.
#[track_caller]
pub fn park_timeout(dur: Duration) {
    let me = current();
    recorder::event(Op::Park, NO_OBJECT, Loc::caller());
    let p = me.parker();
    let mut token = p.token.lock().unwrap_or_else(|e| e.into_inner());
    if !*token {
        token =
            p.cv.wait_timeout(token, dur)
                .map(|(g, _)| g)
                .unwrap_or_else(|e| e.into_inner().0);
    }
    *token = false;
}

type ErasedHandle = Box<dyn FnOnce() + Send>;

/// A scope for threads that may borrow from the enclosing stack. Same as
/// [`std::thread::Scope`].
pub struct Scope<'scope, 'env: 'scope> {
    // Joiners of threads not yet joined by their handle.
    pending: std::sync::Mutex<Vec<(usize, ErasedHandle)>>,
    _scope: PhantomData<&'scope mut &'scope ()>,
    _env: PhantomData<&'env mut &'env ()>,
}

/// A handle to join a scoped thread. Same as [`std::thread::ScopedJoinHandle`].
pub struct ScopedJoinHandle<'scope, T> {
    scope: &'scope Scope<'scope, 'scope>,
    id: usize,
    slot: Arc<std::sync::Mutex<Option<T>>>,
    thread: StdOnceLock<Thread>,
}

impl<'scope, 'env> Scope<'scope, 'env> {
    /// Spawns a thread that may borrow from outside the scope.
    #[track_caller]
    pub fn spawn<F, T>(&'scope self, f: F) -> ScopedJoinHandle<'scope, T>
    where
        F: FnOnce() -> T + Send + 'scope,
        T: Send + 'scope,
    {
        self.spawn_with(Builder::new(), f)
    }

    #[track_caller]
    fn spawn_with<F, T>(&'scope self, builder: Builder, f: F) -> ScopedJoinHandle<'scope, T>
    where
        F: FnOnce() -> T + Send + 'scope,
        T: Send + 'scope,
    {
        let slot: Arc<std::sync::Mutex<Option<T>>> = Arc::new(std::sync::Mutex::new(None));
        let out = slot.clone();
        let body: Box<dyn FnOnce() + Send + 'scope> = Box::new(move || {
            let v = f();
            *out.lock().unwrap_or_else(|e| e.into_inner()) = Some(v);
        });
        // SAFETY: `scope` joins every thread spawned here before it returns
        // (including when its closure panics), so the erased closure and
        // everything it borrows for 'scope are gone before 'scope ends.
        let body: Box<dyn FnOnce() + Send + 'static> = unsafe { std::mem::transmute(body) };
        let handle = builder
            .spawn(body)
            .expect("model threads spawn without I/O");
        let id = handle.id;
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        pending.push((
            id,
            Box::new(move || {
                let _ = handle.join();
            }),
        ));
        drop(pending);
        // SAFETY: only the lifetime changes; the handle never outlives the
        // scope's borrow ('scope: this reference is valid while the scope is).
        let scope: &'scope Scope<'scope, 'scope> = unsafe { std::mem::transmute(self) };
        ScopedJoinHandle {
            scope,
            id,
            slot,
            thread: StdOnceLock::new(),
        }
    }

    fn join_all(&self) {
        let pending: Vec<_> =
            std::mem::take(&mut *self.pending.lock().unwrap_or_else(|e| e.into_inner()));
        for (_, join) in pending {
            join();
        }
    }
}

impl<T> ScopedJoinHandle<'_, T> {
    /// Waits for the thread to finish and returns its result.
    ///
    /// # Errors
    ///
    /// The thread's panic payload, if it panicked.
    #[track_caller]
    pub fn join(self) -> Result<T> {
        let join = {
            let mut pending = self.scope.pending.lock().unwrap_or_else(|e| e.into_inner());
            pending
                .iter()
                .position(|(id, _)| *id == self.id)
                .map(|i| pending.remove(i).1)
        };
        if let Some(join) = join {
            join();
        }
        match self.slot.lock().unwrap_or_else(|e| e.into_inner()).take() {
            Some(v) => Ok(v),
            None => Err(Box::new("the scoped thread panicked")),
        }
    }

    /// The thread's handle.
    pub fn thread(&self) -> &Thread {
        self.thread.get_or_init(|| handle(self.id))
    }

    /// Whether the thread's closure has returned (see
    /// [`JoinHandle::is_finished`]).
    #[track_caller]
    pub fn is_finished(&self) -> bool {
        is_finished(self.id, Loc::caller())
    }
}

impl fmt::Debug for Scope<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scope").finish_non_exhaustive()
    }
}

impl<T> fmt::Debug for ScopedJoinHandle<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScopedJoinHandle")
            .field("thread", &self.id)
            .finish_non_exhaustive()
    }
}

/// Runs `f` with a scope whose threads are all joined before it returns.
/// Same as [`std::thread::scope`].
#[track_caller]
pub fn scope<'env, F, T>(f: F) -> T
where
    F: for<'scope> FnOnce(&'scope Scope<'scope, 'env>) -> T,
{
    let scope = Scope {
        pending: std::sync::Mutex::new(Vec::new()),
        _scope: PhantomData,
        _env: PhantomData,
    };
    let result = panic::catch_unwind(AssertUnwindSafe(|| f(&scope)));
    scope.join_all();
    match result {
        Ok(v) => v,
        Err(payload) => panic::resume_unwind(payload),
    }
}
