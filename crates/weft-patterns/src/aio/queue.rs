//! [`Queue`]: a FIFO between tasks, bounded or not.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::fmt;
use std::rc::Rc;

use super::wait_list::{wake_all, Notified, OnCancel, WaitList};

/// Why `put_nowait` did not queue an item; gives the item back (Python's
/// `QueueFull` and `QueueShutDown`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum PutError<T> {
    /// The queue holds `maxsize` items (Python's `QueueFull`).
    Full(T),
    /// The queue was [shut down](Queue::shutdown) (Python's `QueueShutDown`).
    ShutDown(T),
}

impl<T> PutError<T> {
    /// The item that was not queued.
    pub fn into_inner(self) -> T {
        match self {
            PutError::Full(item) | PutError::ShutDown(item) => item,
        }
    }
}

impl<T> fmt::Debug for PutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PutError::Full(_) => f.write_str("Full(..)"),
            PutError::ShutDown(_) => f.write_str("ShutDown(..)"),
        }
    }
}

impl<T> fmt::Display for PutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PutError::Full(_) => f.write_str("queue is full"),
            PutError::ShutDown(_) => f.write_str("queue is shut down"),
        }
    }
}

impl<T> std::error::Error for PutError<T> {}

/// Why `get_nowait` returned no item (Python's `QueueEmpty` and
/// `QueueShutDown`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GetError {
    /// The queue holds no item (Python's `QueueEmpty`).
    #[error("queue is empty")]
    Empty,
    /// The queue was [shut down](Queue::shutdown) and holds no item
    /// (Python's `QueueShutDown`).
    #[error("queue is shut down")]
    ShutDown,
}

/// `put` or `get` on a queue that was [shut down](Queue::shutdown)
/// (Python's `QueueShutDown`); `put` gives its item back in it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct QueueShutDown<T = ()>(pub T);

impl<T> fmt::Debug for QueueShutDown<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("QueueShutDown(..)")
    }
}

impl<T> fmt::Display for QueueShutDown<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("queue is shut down")
    }
}

impl<T> std::error::Error for QueueShutDown<T> {}

/// A first-in first-out queue between tasks: Python's `asyncio.Queue`.
///
/// `maxsize` bounds it (`put` waits while it is full); 0 means unbounded.
/// Every item put counts as unfinished until a consumer calls
/// [`task_done`](Queue::task_done) for it; [`join`](Queue::join) waits
/// until none is unfinished. [`shutdown`](Queue::shutdown) closes it
/// (Python 3.13's `Queue.shutdown`).
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
///             let n: u32 = q.get().await.unwrap();
///             total += n;
///             q.task_done();
///             if n == 0 {
///                 return total;
///             }
///         }
///     });
///     for n in [3, 4, 5, 0] {
///         jobs.put(n).await.unwrap(); // waits while 2 items are queued
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
    shut_down: Cell<bool>,
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
            shut_down: Cell::new(false),
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
    /// [`PutError::ShutDown`] with the item after [`shutdown`](Queue::shutdown);
    /// [`PutError::Full`] with the item when the queue is full.
    pub fn put_nowait(&self, item: T) -> Result<(), PutError<T>> {
        if self.shut_down.get() {
            return Err(PutError::ShutDown(item));
        }
        if self.is_full() {
            return Err(PutError::Full(item));
        }
        self.items.borrow_mut().push_back(item);
        self.unfinished.set(self.unfinished.get() + 1);
        let getter = self.getters.borrow_mut().notify_one();
        if let Some(w) = getter {
            w.wake();
        }
        Ok(())
    }

    /// Takes the item at the front without waiting. A queue shut down
    /// with `immediate == false` still hands out the items it holds.
    ///
    /// # Errors
    ///
    /// [`GetError::Empty`] when there is none; [`GetError::ShutDown`] when
    /// there is none and the queue was shut down.
    pub fn get_nowait(&self) -> Result<T, GetError> {
        let item = self.items.borrow_mut().pop_front();
        let Some(item) = item else {
            return Err(if self.shut_down.get() {
                GetError::ShutDown
            } else {
                GetError::Empty
            });
        };
        let putter = self.putters.borrow_mut().notify_one();
        if let Some(w) = putter {
            w.wake();
        }
        Ok(item)
    }

    /// Puts `item` at the back, waiting while the queue is full.
    ///
    /// # Errors
    ///
    /// [`QueueShutDown`] with the item when the queue is (or, while this
    /// waits, gets) [shut down](Queue::shutdown).
    ///
    /// # Cancel safety
    ///
    /// Dropping the future before it finished drops the item; a wakeup it
    /// was handed passes to the next waiting `put`.
    pub async fn put(&self, item: T) -> Result<(), QueueShutDown<T>> {
        let mut item = item;
        loop {
            match self.put_nowait(item) {
                Ok(()) => return Ok(()),
                Err(PutError::ShutDown(back)) => return Err(QueueShutDown(back)),
                Err(PutError::Full(back)) => item = back,
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
    /// # Errors
    ///
    /// [`QueueShutDown`] when the queue is empty and [shut
    /// down](Queue::shutdown) (also when that happens while this waits).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: no item is lost; a wakeup the dropped future was
    /// handed passes to the next waiting `get`.
    pub async fn get(&self) -> Result<T, QueueShutDown> {
        loop {
            match self.get_nowait() {
                Ok(item) => return Ok(item),
                Err(GetError::ShutDown) => return Err(QueueShutDown(())),
                Err(GetError::Empty) => {}
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

    /// Shuts the queue down (Python 3.13's `Queue.shutdown`): `put` fails
    /// with [`QueueShutDown`] from now on, and so does `get` once the
    /// queue is empty; every task waiting in `put` or `get` (on an empty
    /// queue) wakes up to that error.
    ///
    /// With `immediate`, the queue is also drained: the items it holds are
    /// dropped and each counts as done for [`join`](Queue::join), so a
    /// `join` waiting only on them returns. Without, consumers still get
    /// every item queued before the shutdown.
    ///
    /// # Examples
    ///
    /// ```
    /// # weft_sync::explore::doc_example(|| {
    /// use std::rc::Rc;
    /// use weft_patterns::aio::{self, Queue, QueueShutDown};
    ///
    /// let got = aio::run(async {
    ///     let q = Rc::new(Queue::new(0).named("lines"));
    ///     let consumer = {
    ///         let q = q.clone();
    ///         aio::create_task(async move {
    ///             let mut got = Vec::new();
    ///             while let Ok(line) = q.get().await {
    ///                 got.push(line);
    ///             }
    ///             got
    ///         })
    ///     };
    ///     q.put("a").await.unwrap();
    ///     q.put("b").await.unwrap();
    ///     q.shutdown(false);
    ///     assert_eq!(q.put("c").await, Err(QueueShutDown("c")));
    ///     consumer.await.unwrap()
    /// });
    /// assert_eq!(got, ["a", "b"]);
    /// # });
    /// ```
    pub fn shutdown(&self, immediate: bool) {
        self.shut_down.set(true);
        if immediate {
            let drained = std::mem::take(&mut *self.items.borrow_mut());
            let unfinished = self.unfinished.get().saturating_sub(drained.len());
            self.unfinished.set(unfinished);
            drop(drained);
            if unfinished == 0 {
                let joiners = self.finished.borrow_mut().notify_all();
                wake_all(joiners);
            }
        }
        let getters = self.getters.borrow_mut().notify_all();
        wake_all(getters);
        let putters = self.putters.borrow_mut().notify_all();
        wake_all(putters);
    }

    /// Whether [`shutdown`](Queue::shutdown) was called.
    pub fn is_shut_down(&self) -> bool {
        self.shut_down.get()
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
