//! [`Event`]: a flag tasks can wait for.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::rc::Rc;

use super::wait_list::{wake_all, Notified, OnCancel, WaitList};

/// A flag that tasks wait for until it is set: Python's `asyncio.Event`.
///
/// [`set`](Event::set) wakes every waiting task; [`clear`](Event::clear)
/// resets the flag, and later waits block again. A task woken by `set`
/// returns from `wait` even if the flag was cleared before it ran.
///
/// For one loop's tasks (not `Send`); share it with `Rc`.
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use std::rc::Rc;
/// use weft_patterns::aio::{self, Event};
///
/// aio::run(async {
///     let ready = Rc::new(Event::new().named("ready"));
///     let r = ready.clone();
///     let waiter = aio::create_task(async move {
///         r.wait().await;
///         "woken"
///     });
///     aio::yield_now().await;
///     ready.set();
///     assert_eq!(waiter.await, Ok("woken"));
/// });
/// # });
/// ```
pub struct Event {
    flag: Cell<bool>,
    waiters: RefCell<WaitList>,
    name: Option<Rc<str>>,
}

impl Event {
    /// Creates an event, not set.
    pub fn new() -> Self {
        Event {
            flag: Cell::new(false),
            waiters: RefCell::new(WaitList::default()),
            name: None,
        }
    }

    /// Names the event in deadlock reports.
    #[must_use]
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = Some(Rc::from(name.into()));
        self
    }

    /// Whether the flag is set.
    pub fn is_set(&self) -> bool {
        self.flag.get()
    }

    /// Sets the flag and wakes every waiting task.
    pub fn set(&self) {
        if self.flag.replace(true) {
            return;
        }
        let woken = self.waiters.borrow_mut().notify_all();
        wake_all(woken);
    }

    /// Resets the flag.
    pub fn clear(&self) {
        self.flag.set(false);
    }

    /// Waits until the flag is set (returns at once if it is).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: dropping the future only stops waiting.
    pub async fn wait(&self) {
        if self.flag.get() {
            return;
        }
        Notified::new(
            &self.waiters,
            "Event.wait",
            self.name.as_ref(),
            OnCancel::Nothing,
        )
        .await;
    }
}

impl Default for Event {
    fn default() -> Self {
        Event::new()
    }
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event")
            .field("name", &self.name)
            .field("is_set", &self.flag.get())
            .finish()
    }
}
