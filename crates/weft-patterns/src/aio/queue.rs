//! [`Queue`]: a FIFO between tasks, bounded or not.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::fmt;
use std::rc::Rc;

use super::wait_list::{wake_all, Notified, OnCancel, WaitList};

/// `put_nowait` on a full queue; gives the item back.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct QueueFull<T>(pub T);

impl<T> fmt::Debug for QueueFull<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("QueueFull(..)")
    }
}

impl<T> fmt::Display for QueueFull<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("queue is full")
    }
}

impl<T> std::error::Error for QueueFull<T> {}

/// `get_nowait` on an empty queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("queue is empty")]
pub struct QueueEmpty;

/// A first-in first-out queue between tasks: Python's `asyncio.Queue`.
///
/// `maxsize` bounds it (`put` waits while it is full); 0 means unbounded.
/// Every item put counts as unfinished until a consumer calls
/// [`task_done`](Queue::task_done) for it; [`join`](Queue::join) waits
/// until none is unfinished.
///
/// For one loop's tasks (not `Send`); share it with `Rc`.
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use std::rc::Rc;
/// use weft_patterns::aio::{self, Queue};
///
/// let total = aio::run(async {
///     let jobs = Rc::new(Queue::new(2).named("jobs"));
///     let q = jobs.clone();
///     let consumer = aio::create_task(async move {
///         let mut total = 0;
///         loop {
///             let n: u32 = q.get().await;
///             total += n;
///             q.task_done();
///             if n == 0 {
///                 return total;
///             }
///         }
///     });
///     for n in [3, 4, 5, 0] {
///         jobs.put(n).await; // waits while 2 items are queued
///     }
///     jobs.join().await;
///     consumer.await.unwrap()
/// });
/// assert_eq!(total, 12);
/// # });
/// ```
pub struct Queue<T> {
    items: RefCell<VecDeque<T>>,
    maxsize: usize,
    unfinished: Cell<usize>,
    getters: RefCell<WaitList>,
    putters: RefCell<WaitList>,
    finished: RefCell<WaitList>,
    name: Option<Rc<str>>,
}

impl<T> Queue<T> {
    /// Creates a queue holding at most `maxsize` items (0: no bound).
    pub fn new(maxsize: usize) -> Self {
        Queue {
            items: RefCell::new(VecDeque::new()),
            maxsize,
            unfinished: Cell::new(0),
            getters: RefCell::new(WaitList::default()),
            putters: RefCell::new(WaitList::default()),
            finished: RefCell::new(WaitList::default()),
            name: None,
        }
    }

    /// Names the queue in deadlock reports.
    #[must_use]
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = Some(Rc::from(name.into()));
        self
    }

    /// The bound given to [`Queue::new`] (0: none).
    pub fn maxsize(&self) -> usize {
        self.maxsize
    }

    /// Items in the queue now (Python's `qsize`).
    pub fn len(&self) -> usize {
        self.items.borrow().len()
    }

    /// Whether the queue holds no item.
    pub fn is_empty(&self) -> bool {
        self.items.borrow().is_empty()
    }

    /// Whether the queue holds `maxsize` items (never, when unbounded).
    pub fn is_full(&self) -> bool {
        self.maxsize > 0 && self.len() >= self.maxsize
    }

    /// Puts `item` at the back without waiting.
    ///
    /// # Errors
    ///
    /// [`QueueFull`] with the item when the queue is full.
    pub fn put_nowait(&self, item: T) -> Result<(), QueueFull<T>> {
        if self.is_full() {
            return Err(QueueFull(item));
        }
        self.items.borrow_mut().push_back(item);
        self.unfinished.set(self.unfinished.get() + 1);
        let getter = self.getters.borrow_mut().notify_one();
        if let Some(w) = getter {
            w.wake();
        }
        Ok(())
    }

    /// Takes the item at the front without waiting.
    ///
    /// # Errors
    ///
    /// [`QueueEmpty`] when there is none.
    pub fn get_nowait(&self) -> Result<T, QueueEmpty> {
        let item = self.items.borrow_mut().pop_front().ok_or(QueueEmpty)?;
        let putter = self.putters.borrow_mut().notify_one();
        if let Some(w) = putter {
            w.wake();
        }
        Ok(item)
    }

    /// Puts `item` at the back, waiting while the queue is full.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future before it finished drops the item; a wakeup it
    /// was handed passes to the next waiting `put`.
    pub async fn put(&self, item: T) {
        let mut item = item;
        loop {
            match self.put_nowait(item) {
                Ok(()) => return,
                Err(QueueFull(back)) => item = back,
            }
            Notified::new(
                &self.putters,
                "Queue.put",
                self.name.as_ref(),
                OnCancel::PassOn,
            )
            .await;
        }
    }

    /// Takes the item at the front, waiting while the queue is empty.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: no item is lost; a wakeup the dropped future was
    /// handed passes to the next waiting `get`.
    pub async fn get(&self) -> T {
        loop {
            if let Ok(item) = self.get_nowait() {
                return item;
            }
            Notified::new(
                &self.getters,
                "Queue.get",
                self.name.as_ref(),
                OnCancel::PassOn,
            )
            .await;
        }
    }

    /// Marks one item taken with `get` as processed.
    ///
    /// # Panics
    ///
    /// When called more times than items were put (Python raises
    /// `ValueError`).
    pub fn task_done(&self) {
        let unfinished = self.unfinished.get();
        assert!(unfinished > 0, "task_done() called too many times");
        self.unfinished.set(unfinished - 1);
        if unfinished == 1 {
            let joiners = self.finished.borrow_mut().notify_all();
            wake_all(joiners);
        }
    }

    /// Items put and not yet marked with `task_done`.
    pub fn unfinished_tasks(&self) -> usize {
        self.unfinished.get()
    }

    /// Waits until every item put has been marked with `task_done`.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    pub async fn join(&self) {
        if self.unfinished.get() == 0 {
            return;
        }
        Notified::new(
            &self.finished,
            "Queue.join",
            self.name.as_ref(),
            OnCancel::Nothing,
        )
        .await;
    }
}

impl<T> fmt::Debug for Queue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Queue")
            .field("name", &self.name)
            .field("len", &self.len())
            .field("maxsize", &self.maxsize)
            .field("unfinished", &self.unfinished.get())
            .finish()
    }
}
