//! [`TaskGroup`]: structured concurrency, Python's `asyncio.TaskGroup`.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::future::poll_fn;
use std::panic;
use std::rc::Rc;
use std::task::Poll;

use super::catch_unwind::catch_unwind;
use super::context::NO_RUNNING_LOOP;
use super::core::Core;
use super::task::{self, Canceller, Task};
use super::task_status::{TaskError, TaskStatus, WaitsOn};
use super::waiter::{refresh_slot, Waiter};

/// Every failure of a [`TaskGroup`]'s tasks (Python's `ExceptionGroup`
/// that `async with TaskGroup()` raises), in the order they happened.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{} task(s) of the group failed", .failures.len())]
pub struct TaskGroupError {
    failures: Vec<(String, TaskError)>,
}

impl TaskGroupError {
    /// Each failed task's name and its error, in the order they failed.
    pub fn failures(&self) -> &[(String, TaskError)] {
        &self.failures
    }
}

struct Member {
    /// For the task's name, read only when it failed.
    status: Rc<dyn TaskStatus>,
    canceller: Canceller,
}

#[derive(Default)]
struct GroupState {
    members: RefCell<Vec<Member>>,
    /// Failures as (member index, error).
    failures: RefCell<Vec<(usize, TaskError)>>,
    /// Tasks created and not yet finished (returned, failed or cancelled).
    running: Cell<usize>,
    /// A task failed: the others were cancelled, new ones are refused.
    aborting: Cell<bool>,
    /// `join` returned: the group takes no more tasks.
    finished: Cell<bool>,
    joiner: RefCell<Option<Waiter>>,
    name: Option<Rc<str>>,
}

impl GroupState {
    /// Records a failure; the first one cancels every other task.
    fn fail(&self, index: usize, error: TaskError) {
        self.failures.borrow_mut().push((index, error));
        if !self.aborting.replace(true) {
            let cancellers: Vec<Canceller> = self
                .members
                .borrow()
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != index)
                .map(|(_, m)| m.canceller.clone())
                .collect();
            for c in cancellers {
                c.cancel();
            }
        }
    }

    fn member_done(&self) {
        self.running.set(self.running.get() - 1);
        if self.running.get() == 0 {
            let joiner = self.joiner.borrow_mut().take();
            if let Some(w) = joiner {
                w.wake();
            }
        }
    }
}

/// Counts a member out when its future ends, however it ends (returned,
/// panicked, or dropped by a cancellation).
struct Membership {
    group: Rc<GroupState>,
}

impl Drop for Membership {
    fn drop(&mut self) {
        self.group.member_done();
    }
}

/// A group of tasks that finish together (Python's `asyncio.TaskGroup`):
/// [`join`](TaskGroup::join) waits for every task created in it; when one
/// fails (panics), the group cancels all the others, and `join` returns
/// every failure.
///
/// As in asyncio, the first failure cancels the siblings that are still
/// pending before they run again, so `join` usually reports that one
/// failure; every failure that did happen is in it.
///
/// Clone it to let tasks create siblings; the clones are the same group.
///
/// Differences from Python: the code that creates the tasks is not a
/// task of the group, so a failure does not cancel it (Python cancels the
/// body of `async with`); it learns of the failure from `join`. A task
/// created after a failure is cancelled before it starts (Python raises
/// `RuntimeError`).
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use std::time::Duration;
/// use weft_patterns::aio::{self, TaskError, TaskGroup};
///
/// let (failures, slow) = aio::run(async {
///     let group = TaskGroup::new().named("fetch");
///     let ok = group.create_task_named("ok", async { 1 });
///     group.create_task_named("broken", async {
///         aio::sleep(Duration::from_millis(1)).await;
///         panic!("connection reset")
///     });
///     let slow = group.create_task_named("slow", aio::sleep(Duration::from_secs(60)));
///     let failures = group.join().await.unwrap_err();
///     assert_eq!(ok.await, Ok(1));
///     (failures, slow.cancelled())
/// });
/// let panicked = TaskError::Panicked { message: "connection reset".into() };
/// assert_eq!(failures.failures(), [("broken".to_string(), panicked)]);
/// assert!(slow, "the failure cancelled its sibling");
/// # });
/// ```
#[derive(Clone)]
pub struct TaskGroup {
    state: Rc<GroupState>,
}

impl TaskGroup {
    /// Creates an empty group.
    pub fn new() -> Self {
        TaskGroup {
            state: Rc::new(GroupState::default()),
        }
    }

    /// Names the group in deadlock reports (`TaskGroup.join 'name'`).
    #[must_use]
    pub fn named(self, name: impl Into<String>) -> Self {
        let state = Rc::try_unwrap(self.state)
            .ok()
            .expect("name a TaskGroup before cloning it");
        TaskGroup {
            state: Rc::new(GroupState {
                name: Some(Rc::from(name.into())),
                ..state
            }),
        }
    }

    /// Creates a task in the group (named `Task-<n>`), on the running loop.
    ///
    /// # Panics
    ///
    /// When no loop runs on this thread, or after [`join`](TaskGroup::join)
    /// returned.
    pub fn create_task<F>(&self, future: F) -> Task<F::Output>
    where
        F: std::future::Future + 'static,
        F::Output: 'static,
    {
        self.spawn(None, future)
    }

    /// Creates a task named `name` in the group.
    ///
    /// # Panics
    ///
    /// As [`create_task`](TaskGroup::create_task).
    pub fn create_task_named<F>(&self, name: impl Into<String>, future: F) -> Task<F::Output>
    where
        F: std::future::Future + 'static,
        F::Output: 'static,
    {
        self.spawn(Some(Rc::from(name.into())), future)
    }

    fn spawn<F>(&self, name: Option<Rc<str>>, future: F) -> Task<F::Output>
    where
        F: std::future::Future + 'static,
        F::Output: 'static,
    {
        assert!(
            !self.state.finished.get(),
            "this TaskGroup has finished: it takes no more tasks"
        );
        let core = Core::current().expect(NO_RUNNING_LOOP);
        let index = self.state.members.borrow().len();
        let state = Rc::clone(&self.state);
        self.state.running.set(self.state.running.get() + 1);
        let membership = Membership {
            group: Rc::clone(&self.state),
        };
        let task = task::spawn(&core, name, true, async move {
            let _membership = membership;
            match catch_unwind(future).await {
                Ok(value) => value,
                Err(message) => {
                    let error = TaskError::Panicked {
                        message: message.clone(),
                    };
                    state.fail(index, error);
                    panic::resume_unwind(Box::new(message))
                }
            }
        });
        // The group collects the task's failure.
        task.mark_error_seen();
        self.state.members.borrow_mut().push(Member {
            status: task.status(),
            canceller: task.canceller(),
        });
        if self.state.aborting.get() {
            task.canceller().cancel();
        }
        task
    }

    /// Waits until every task of the group has finished (Python's exit of
    /// `async with TaskGroup()`). Tasks may create more tasks meanwhile.
    ///
    /// # Errors
    ///
    /// [`TaskGroupError`] with every failure, when a task panicked. The
    /// tasks the group cancelled because of it are not failures.
    ///
    /// # Panics
    ///
    /// When polled outside a running loop while a task runs.
    ///
    /// # Cancel safety
    ///
    /// Dropping it leaves the tasks running; `join` may be called again.
    pub async fn join(&self) -> Result<(), TaskGroupError> {
        let state = &self.state;
        poll_fn(|cx| {
            if state.running.get() == 0 {
                return Poll::Ready(());
            }
            let name = state.name.clone();
            refresh_slot(&mut state.joiner.borrow_mut(), cx, || {
                WaitsOn::object("TaskGroup.join", name.as_ref())
            });
            Poll::Pending
        })
        .await;
        state.finished.set(true);
        let members = state.members.borrow();
        let failures: Vec<(String, TaskError)> = state
            .failures
            .borrow()
            .iter()
            .map(|(i, e)| (members[*i].status.name(), e.clone()))
            .collect();
        if failures.is_empty() {
            Ok(())
        } else {
            Err(TaskGroupError { failures })
        }
    }

    /// Tasks of the group not finished yet.
    pub fn running(&self) -> usize {
        self.state.running.get()
    }
}

impl Default for TaskGroup {
    fn default() -> Self {
        TaskGroup::new()
    }
}

impl fmt::Debug for TaskGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskGroup")
            .field("name", &self.state.name)
            .field("running", &self.state.running.get())
            .field("failures", &self.state.failures.borrow().len())
            .finish()
    }
}
