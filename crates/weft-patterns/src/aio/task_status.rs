//! What the loop knows of a task, whatever its output type: its key, its
//! status, why it has no value, and what it waits on.
//!
//! A leaf: it imports nothing else of `aio`, so the loop's parts (the core,
//! tasks, waiters, wakers, timers, the deadlock report) all build on it
//! without importing each other for these names.

use std::any::Any;
use std::fmt;
use std::rc::Rc;
use std::task::Waker;

/// Identifies a task: a slab index and the generation of that slot, so
/// that a stale key (a wakeup for a finished task) is ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TaskKey {
    pub(crate) index: u32,
    pub(crate) generation: u32,
}

/// Why a task has no value to give.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TaskError {
    /// The task was cancelled with [`Task::cancel`](super::Task::cancel) (or its loop was
    /// dropped) before it finished.
    #[error("task was cancelled")]
    Cancelled,
    /// The task panicked; `message` is the panic's message.
    #[error("task panicked: {message}")]
    Panicked {
        /// The panic message.
        message: String,
    },
    /// [`Task::result`](super::Task::result) was called before the task finished.
    #[error("task is not done")]
    NotDone,
    /// The task's value was already taken (by `.await` or [`Task::result`](super::Task::result)).
    #[error("task result was already taken")]
    AlreadyTaken,
    /// The loop's executor could not run the work of a
    /// [`run_in_executor`](super::run_in_executor) (it was shut down, or
    /// broke).
    #[error("executor failed")]
    Executor(#[source] crate::executor::FutureError),
}

/// What the loop needs to know of a task, whatever its output type.
pub(crate) trait TaskStatus {
    /// The task's name (`Task-3` when it was not given one).
    fn name(&self) -> String;
    /// Ends the task without a value: cancelled, or panicked.
    fn fail(&self, error: TaskError);
    /// Whether dropping the task while pending is reported (tasks behind
    /// `call_soon` / `call_later` and the main future are not).
    fn reports_pending(&self) -> bool;
}

/// What a task waits on, as the deadlock report names it.
#[derive(Clone)]
pub(crate) enum WaitsOn {
    /// Another task's completion.
    Task(Rc<dyn TaskStatus>),
    /// A timer.
    Sleep,
    /// A primitive of this module (`Event.wait`, `Queue.get`, ...), named
    /// when the user named it.
    Object {
        /// The primitive and operation, e.g. `Queue.get`.
        what: &'static str,
        /// The primitive's name.
        name: Option<Rc<str>>,
    },
}

impl WaitsOn {
    /// A primitive's wait.
    pub(crate) fn object(what: &'static str, name: Option<&Rc<str>>) -> WaitsOn {
        WaitsOn::Object {
            what,
            name: name.cloned(),
        }
    }
}

impl fmt::Display for WaitsOn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaitsOn::Task(status) => write!(f, "task '{}'", status.name()),
            WaitsOn::Sleep => f.write_str("a timer"),
            WaitsOn::Object {
                what,
                name: Some(name),
            } => write!(f, "{what} '{name}'"),
            WaitsOn::Object { what, name: None } => f.write_str(what),
        }
    }
}

/// The status of a loop's main future (the one passed to `run`).
pub(crate) struct MainStatus;

impl TaskStatus for MainStatus {
    fn name(&self) -> String {
        "main".to_string()
    }

    fn fail(&self, _error: TaskError) {}

    fn reports_pending(&self) -> bool {
        false
    }
}

/// What wakers, waiters and the running-loop registry need of a loop,
/// without naming the loop's type (so that they do not import the core,
/// which imports them).
pub(crate) trait LoopRef {
    /// Puts a task on the ready queue unless it is there already.
    fn schedule(&self, key: TaskKey);
    /// Notes what a task waits on, for the deadlock report.
    fn set_waits_on(&self, key: TaskKey, waits_on: WaitsOn);
    /// The task being polled, if `waker` is its own waker.
    fn current_task_for(&self, waker: &Waker) -> Option<TaskKey>;
    /// Identifies the loop's cross-thread queue (its address).
    fn remote_id(&self) -> *const ();
    /// The loop itself, for the modules that know its type.
    fn into_any(self: Rc<Self>) -> Rc<dyn Any>;
}
