//! [`Barrier`]: tasks that wait until a number of them arrive.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::rc::Rc;

use super::wait_list::{wake_all, Notified, OnCancel, WaitList};

/// A [`Barrier`] was [aborted](Barrier::abort) (Python's
/// `BrokenBarrierError`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("barrier is broken")]
pub struct BrokenBarrierError;

/// Tasks wait at it until `parties` of them have arrived, then all go on
/// (Python's `asyncio.Barrier`). It can be used again: the next `parties`
/// arrivals form the next round.
///
/// For one loop's tasks (not `Send`); share it with `Rc`.
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use std::cell::RefCell;
/// use std::rc::Rc;
/// use weft_patterns::aio::{self, Barrier};
///
/// let log = aio::run(async {
///     let barrier = Rc::new(Barrier::new(3).named("start"));
///     let log = Rc::new(RefCell::new(Vec::new()));
///     let tasks: Vec<_> = (0..3)
///         .map(|i| {
///             let (barrier, log) = (barrier.clone(), log.clone());
///             aio::create_task(async move {
///                 log.borrow_mut().push(format!("{i} ready"));
///                 barrier.wait().await.unwrap();
///                 log.borrow_mut().push(format!("{i} go"));
///             })
///         })
///         .collect();
///     aio::gather(tasks).await;
///     Rc::try_unwrap(log).unwrap().into_inner()
/// });
/// assert!(log[..3].iter().all(|l| l.ends_with("ready")), "{log:?}");
/// assert!(log[3..].iter().all(|l| l.ends_with("go")), "{log:?}");
/// # });
/// ```
pub struct Barrier {
    parties: usize,
    /// Tasks waiting in the current round.
    count: Cell<usize>,
    /// Rounds completed so far.
    generation: Cell<u64>,
    broken: Cell<bool>,
    waiters: RefCell<WaitList>,
    name: Option<Rc<str>>,
}

impl Barrier {
    /// A barrier for rounds of `parties` tasks.
    ///
    /// # Panics
    ///
    /// When `parties` is 0 (Python raises `ValueError`).
    pub fn new(parties: usize) -> Self {
        assert!(parties > 0, "a barrier needs at least one party");
        Barrier {
            parties,
            count: Cell::new(0),
            generation: Cell::new(0),
            broken: Cell::new(false),
            waiters: RefCell::new(WaitList::default()),
            name: None,
        }
    }

    /// Names the barrier in deadlock reports.
    #[must_use]
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = Some(Rc::from(name.into()));
        self
    }

    /// The number of tasks a round needs.
    pub fn parties(&self) -> usize {
        self.parties
    }

    /// Tasks waiting in the current round.
    pub fn n_waiting(&self) -> usize {
        self.count.get()
    }

    /// Whether the barrier was aborted.
    pub fn broken(&self) -> bool {
        self.broken.get()
    }

    /// Breaks the barrier: every waiting task, and every later `wait`,
    /// fails with [`BrokenBarrierError`] (Python's `abort`).
    pub fn abort(&self) {
        self.broken.set(true);
        let waiters = self.waiters.borrow_mut().notify_all();
        wake_all(waiters);
    }

    /// Waits until `parties` tasks wait, and returns this task's arrival
    /// index in its round, `0..parties` (Python's `wait`).
    ///
    /// # Errors
    ///
    /// [`BrokenBarrierError`] when the barrier is (or, while this waits,
    /// gets) aborted.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a task dropped while waiting leaves the round, which
    /// then needs another task to arrive.
    pub async fn wait(&self) -> Result<usize, BrokenBarrierError> {
        if self.broken.get() {
            return Err(BrokenBarrierError);
        }
        let index = self.count.get();
        if index + 1 == self.parties {
            self.count.set(0);
            self.generation.set(self.generation.get() + 1);
            let waiters = self.waiters.borrow_mut().notify_all();
            wake_all(waiters);
            return Ok(index);
        }
        self.count.set(index + 1);
        let round = self.generation.get();
        let arrival = Arrival {
            barrier: self,
            round,
        };
        loop {
            Notified::new(
                &self.waiters,
                "Barrier.wait",
                self.name.as_ref(),
                OnCancel::Nothing,
            )
            .await;
            if self.generation.get() != round {
                std::mem::forget(arrival);
                return Ok(index);
            }
            if self.broken.get() {
                return Err(BrokenBarrierError);
            }
        }
    }
}

/// A task waiting in a round; dropped before the round completes, it
/// leaves the round.
struct Arrival<'a> {
    barrier: &'a Barrier,
    round: u64,
}

impl Drop for Arrival<'_> {
    fn drop(&mut self) {
        let b = self.barrier;
        if b.generation.get() == self.round && !b.broken.get() {
            b.count.set(b.count.get() - 1);
        }
    }
}

impl fmt::Debug for Barrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Barrier")
            .field("name", &self.name)
            .field("parties", &self.parties)
            .field("n_waiting", &self.count.get())
            .field("broken", &self.broken.get())
            .finish()
    }
}
