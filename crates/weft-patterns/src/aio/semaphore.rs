//! [`Semaphore`]: at most N tasks at a time.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::rc::Rc;

use super::wait_list::{Notified, OnCancel, Release, WaitList};

/// A counter of permits: Python's `asyncio.Semaphore`.
///
/// [`acquire`](Semaphore::acquire) takes a permit, waiting while none is
/// left; the permit goes back when its [`SemaphorePermit`] drops. Fair:
/// permits go to waiting tasks in arrival order.
///
/// For one loop's tasks (not `Send`); share it with `Rc`.
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use std::cell::Cell;
/// use std::rc::Rc;
/// use weft_patterns::aio::{self, Semaphore};
///
/// aio::run(async {
///     let slots = Rc::new(Semaphore::new(2));
///     let inside = Rc::new(Cell::new(0));
///     let most = Rc::new(Cell::new(0));
///     let tasks: Vec<_> = (0..5)
///         .map(|_| {
///             let (slots, inside, most) = (slots.clone(), inside.clone(), most.clone());
///             aio::create_task(async move {
///                 let _permit = slots.acquire().await;
///                 inside.set(inside.get() + 1);
///                 most.set(most.get().max(inside.get()));
///                 aio::yield_now().await;
///                 inside.set(inside.get() - 1);
///             })
///         })
///         .collect();
///     aio::gather(tasks).await;
///     assert_eq!(most.get(), 2);
/// });
/// # });
/// ```
pub struct Semaphore {
    permits: Cell<usize>,
    waiters: RefCell<WaitList>,
    name: Option<Rc<str>>,
}

impl Semaphore {
    /// Creates a semaphore with `permits` permits.
    pub fn new(permits: usize) -> Self {
        Semaphore {
            permits: Cell::new(permits),
            waiters: RefCell::new(WaitList::default()),
            name: None,
        }
    }

    /// Names the semaphore in deadlock reports.
    #[must_use]
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = Some(Rc::from(name.into()));
        self
    }

    /// Permits available now.
    pub fn available_permits(&self) -> usize {
        self.permits.get()
    }

    /// Whether an `acquire` now would wait (Python's `locked()`).
    pub fn locked(&self) -> bool {
        self.permits.get() == 0 || self.waiters.borrow().has_waiting()
    }

    /// Takes a permit, waiting as long as needed.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a task dropped while waiting loses its place, and a
    /// permit handed to it in that moment passes to the next waiter.
    pub async fn acquire(&self) -> SemaphorePermit<'_> {
        if let Some(permit) = self.try_acquire() {
            return permit;
        }
        Notified::new(
            &self.waiters,
            "Semaphore.acquire",
            self.name.as_ref(),
            OnCancel::Release(self),
        )
        .await;
        // Handed over: the releaser did not put the permit back.
        SemaphorePermit { semaphore: self }
    }

    /// Takes a permit if one is free and nobody waits for one.
    pub fn try_acquire(&self) -> Option<SemaphorePermit<'_>> {
        if self.locked() {
            return None;
        }
        self.permits.set(self.permits.get() - 1);
        Some(SemaphorePermit { semaphore: self })
    }

    /// Adds a permit (Python's `release()`; a dropped permit does this).
    pub fn add_permit(&self) {
        Release::release(self);
    }
}

impl Release for Semaphore {
    /// Hands a permit to the first waiter, or puts it back.
    fn release(&self) {
        let next = self.waiters.borrow_mut().notify_one();
        match next {
            Some(w) => w.wake(),
            None => self.permits.set(self.permits.get() + 1),
        }
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Semaphore")
            .field("name", &self.name)
            .field("permits", &self.permits.get())
            .finish()
    }
}

/// One permit of a [`Semaphore`]; dropping it gives the permit back.
#[must_use = "the permit is given back when it drops"]
pub struct SemaphorePermit<'a> {
    semaphore: &'a Semaphore,
}

impl SemaphorePermit<'_> {
    /// Keeps the permit taken for good (the semaphore has one fewer).
    pub fn forget(self) {
        std::mem::forget(self);
    }
}

impl Drop for SemaphorePermit<'_> {
    fn drop(&mut self) {
        Release::release(self.semaphore);
    }
}

impl fmt::Debug for SemaphorePermit<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SemaphorePermit")
            .field("semaphore", &self.semaphore.name)
            .finish()
    }
}
