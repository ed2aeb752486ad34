//! The running loop, from inside its tasks: `asyncio.create_task`,
//! `asyncio.get_running_loop`, `asyncio.current_task`.

use std::future::Future;
use std::rc::Rc;

use super::context::NO_RUNNING_LOOP;
use super::core::Core;
use super::handle::Handle;
use super::task::{self, Task};

/// The loop running on this thread (Python's `asyncio.get_running_loop`).
///
/// # Panics
///
/// When no loop runs on this thread.
pub fn get_running_loop() -> Handle {
    Handle::new(&Core::current().expect(NO_RUNNING_LOOP))
}

/// Schedules `future` as a new task of the running loop (Python's
/// `asyncio.create_task`).
///
/// # Panics
///
/// When no loop runs on this thread.
pub fn create_task<F>(future: F) -> Task<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let core = Core::current().expect(NO_RUNNING_LOOP);
    task::spawn(&core, None, true, future)
}

/// Schedules `future` as a new task of the running loop, named `name`.
///
/// # Panics
///
/// When no loop runs on this thread.
pub fn create_task_named<F>(name: impl Into<String>, future: F) -> Task<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let core = Core::current().expect(NO_RUNNING_LOOP);
    task::spawn(&core, Some(Rc::from(name.into())), true, future)
}

/// The name of the task being polled on this thread's running loop
/// (`main` for the future passed to `run`), or `None` outside a task.
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use weft_patterns::aio;
///
/// let name = aio::run(async {
///     aio::create_task_named("worker", async { aio::current_task_name() }).await
/// });
/// assert_eq!(name, Ok(Some("worker".to_string())));
/// # });
/// ```
pub fn current_task_name() -> Option<String> {
    let core = Core::current()?;
    let key = core.current_key()?;
    core.task_name(key)
}
