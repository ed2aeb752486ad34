//! [`Task`]: a future scheduled on the loop, awaitable for its result.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::task::{Context, Poll};

use super::core::Core;
use super::report::LoopReport;
use super::task_status::{TaskError, TaskKey, TaskStatus, WaitsOn};
use super::waiter::{refresh_slot, Waiter};

enum Outcome<T> {
    Pending,
    Ready(T),
    Failed(TaskError),
    Taken,
}

/// The state shared by a task's slot in the loop and its [`Task`] handle.
pub(crate) struct JoinState<T> {
    outcome: RefCell<Outcome<T>>,
    joiner: RefCell<Option<Waiter>>,
    name: Option<Rc<str>>,
    seq: u64,
    core: Weak<Core>,
    key: TaskKey,
    reports_pending: bool,
    /// The handle was dropped: nobody will look at the outcome.
    detached: Cell<bool>,
    /// A failure was handed to the handle's owner.
    error_seen: Cell<bool>,
    /// The order in which the task finished among its loop's tasks.
    finished_seq: Cell<u64>,
}

impl<T> JoinState<T> {
    /// Stores the task's value and wakes its awaiter.
    pub(crate) fn complete(&self, value: T) {
        *self.outcome.borrow_mut() = Outcome::Ready(value);
        self.note_finished();
        self.wake_joiner();
    }

    fn note_finished(&self) {
        if let Some(core) = self.core.upgrade() {
            self.finished_seq.set(core.next_completion());
        }
    }

    fn wake_joiner(&self) {
        let joiner = self.joiner.borrow_mut().take();
        if let Some(w) = joiner {
            w.wake();
        }
    }

    fn is_done(&self) -> bool {
        !matches!(*self.outcome.borrow(), Outcome::Pending)
    }

    fn take(&self) -> Result<T, TaskError> {
        let mut outcome = self.outcome.borrow_mut();
        match &*outcome {
            Outcome::Pending => Err(TaskError::NotDone),
            Outcome::Failed(e) => {
                self.error_seen.set(true);
                Err(e.clone())
            }
            Outcome::Taken => Err(TaskError::AlreadyTaken),
            Outcome::Ready(_) => match std::mem::replace(&mut *outcome, Outcome::Taken) {
                Outcome::Ready(v) => Ok(v),
                _ => unreachable!("matched Ready above"),
            },
        }
    }

    /// Reports a panic nobody will ever see (asyncio's "Task exception was
    /// never retrieved").
    fn report_unseen_panic(&self) {
        let message = match &*self.outcome.borrow() {
            Outcome::Failed(TaskError::Panicked { message }) if !self.error_seen.get() => {
                message.clone()
            }
            _ => return,
        };
        self.error_seen.set(true);
        let report = LoopReport::ExceptionNeverRetrieved {
            task: self.name(),
            message,
        };
        Core::report_to(self.core.upgrade().as_deref(), &report);
    }
}

impl<T> TaskStatus for JoinState<T> {
    fn name(&self) -> String {
        match &self.name {
            Some(n) => n.to_string(),
            None => format!("Task-{}", self.seq),
        }
    }

    fn fail(&self, error: TaskError) {
        *self.outcome.borrow_mut() = Outcome::Failed(error);
        self.note_finished();
        self.wake_joiner();
        if self.detached.get() {
            self.report_unseen_panic();
        }
    }

    fn reports_pending(&self) -> bool {
        self.reports_pending
    }
}

/// Schedules `future` on `core` as a new task.
pub(crate) fn spawn<F>(
    core: &Rc<Core>,
    name: Option<Rc<str>>,
    reports_pending: bool,
    future: F,
) -> Task<F::Output>
where
    F: Future + 'static,
{
    let (key, seq) = core.reserve_slot();
    let join = Rc::new(JoinState {
        outcome: RefCell::new(Outcome::Pending),
        joiner: RefCell::new(None),
        name,
        seq,
        core: Rc::downgrade(core),
        key,
        reports_pending,
        detached: Cell::new(false),
        error_seen: Cell::new(false),
        finished_seq: Cell::new(0),
    });
    let slot_join = Rc::clone(&join);
    let body: Pin<Box<dyn Future<Output = ()>>> = Box::pin(async move {
        let value = future.await;
        slot_join.complete(value);
    });
    let status: Rc<dyn TaskStatus> = join.clone();
    core.fill_slot(key, body, status);
    Task { join }
}

/// A future scheduled on an [`EventLoop`](super::EventLoop): Python's
/// `asyncio.Task`.
///
/// Await it for `Ok(value)`, or `Err` when it panicked or was cancelled.
/// Dropping the handle does not cancel the task: it keeps running
/// (detached), and if it then panics the loop reports the panic as never
/// retrieved (see [`LoopReport`]).
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use weft_patterns::aio::{self, TaskError};
///
/// let (ok, failed) = aio::run(async {
///     let ok = aio::create_task(async { 6 * 7 });
///     let failed = aio::create_task_named("broken", async { panic!("boom") });
///     (ok.await, failed.await)
/// });
/// assert_eq!(ok, Ok(42));
/// assert_eq!(failed, Err::<(), _>(TaskError::Panicked { message: "boom".into() }));
/// # });
/// ```
pub struct Task<T> {
    join: Rc<JoinState<T>>,
}

impl<T> Task<T> {
    /// The task's name: the one given to `create_task_named`, else `Task-<n>`.
    pub fn name(&self) -> String {
        self.join.name()
    }

    /// Whether the task has finished: returned, panicked, or been cancelled.
    pub fn done(&self) -> bool {
        self.join.is_done()
    }

    /// Whether the task ended by cancellation.
    pub fn cancelled(&self) -> bool {
        matches!(
            *self.join.outcome.borrow(),
            Outcome::Failed(TaskError::Cancelled)
        )
    }

    /// Asks the loop to cancel the task: at its next turn the loop drops
    /// its future (running its destructors) instead of polling it, and the
    /// task ends with [`TaskError::Cancelled`]. Like Python's, this only
    /// requests: `done()` stays false until the loop has run the
    /// cancellation.
    ///
    /// Returns `false` when the task had already finished.
    pub fn cancel(&self) -> bool {
        if self.join.is_done() {
            return false;
        }
        match self.join.core.upgrade() {
            Some(core) => core.request_cancel(self.join.key),
            None => false,
        }
    }

    /// Takes the task's value now, without waiting.
    ///
    /// # Errors
    ///
    /// [`TaskError::NotDone`] before the task finished;
    /// [`TaskError::Cancelled`] or [`TaskError::Panicked`] when it ended so
    /// (every call returns that error again); [`TaskError::AlreadyTaken`]
    /// when the value was taken before.
    pub fn result(&self) -> Result<T, TaskError> {
        self.join.take()
    }
}

impl<T: 'static> Task<T> {
    /// Registers the polling task to be woken when this one finishes, and
    /// says whether it has.
    pub(crate) fn poll_done(&self, cx: &mut Context<'_>) -> Poll<()> {
        if self.join.is_done() {
            return Poll::Ready(());
        }
        let status: Rc<dyn TaskStatus> = self.join.clone();
        refresh_slot(&mut self.join.joiner.borrow_mut(), cx, || {
            WaitsOn::Task(status)
        });
        Poll::Pending
    }
}

impl<T> Task<T> {
    /// Forgets the registered awaiter (a `wait` that returned without it).
    pub(crate) fn clear_joiner(&self) {
        let joiner = self.join.joiner.borrow_mut().take();
        drop(joiner);
    }

    /// What the loop knows of the task, whatever its output type.
    pub(crate) fn status(&self) -> Rc<dyn TaskStatus>
    where
        T: 'static,
    {
        self.join.clone()
    }

    /// A way to cancel the task that does not keep its output type.
    pub(crate) fn canceller(&self) -> Canceller {
        Canceller {
            core: self.join.core.clone(),
            key: self.join.key,
        }
    }

    /// Declares the task's failure seen by someone else than its handle
    /// (a `TaskGroup` collects it): dropping the handle reports nothing.
    pub(crate) fn mark_error_seen(&self) {
        self.join.error_seen.set(true);
    }

    /// The order in which the task finished among its loop's tasks (0 while
    /// it runs).
    pub(crate) fn finished_seq(&self) -> u64 {
        self.join.finished_seq.get()
    }

    /// Whether the task ended by panicking.
    pub(crate) fn panicked(&self) -> bool {
        matches!(
            *self.join.outcome.borrow(),
            Outcome::Failed(TaskError::Panicked { .. })
        )
    }
}

impl<T: 'static> Future for Task<T> {
    type Output = Result<T, TaskError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.poll_done(cx) {
            Poll::Ready(()) => Poll::Ready(self.join.take()),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<T> Drop for Task<T> {
    fn drop(&mut self) {
        self.join.detached.set(true);
        self.clear_joiner();
        self.join.report_unseen_panic();
    }
}

impl<T> fmt::Debug for Task<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &*self.join.outcome.borrow() {
            Outcome::Pending => "pending",
            Outcome::Ready(_) => "finished",
            Outcome::Failed(TaskError::Cancelled) => "cancelled",
            Outcome::Failed(_) => "failed",
            Outcome::Taken => "finished (result taken)",
        };
        f.debug_struct("Task")
            .field("name", &self.name())
            .field("state", &state)
            .finish()
    }
}

/// Cancels one task, whatever its output type.
#[derive(Clone)]
pub(crate) struct Canceller {
    core: Weak<Core>,
    key: TaskKey,
}

impl Canceller {
    /// Requests the task's cancellation; `false` if it already finished.
    pub(crate) fn cancel(&self) -> bool {
        self.core
            .upgrade()
            .is_some_and(|core| core.request_cancel(self.key))
    }
}
