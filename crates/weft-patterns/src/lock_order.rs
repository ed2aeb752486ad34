//! Acquiring several locks without deadlock: take them in one global order,
//! whatever order the caller names them in.
//!
//! Two threads that lock `a` then `b`, and `b` then `a`, can deadlock; two
//! threads that both lock in one fixed order cannot. This module gives that
//! order two ways:
//!
//! - [`lock_all`] locks plain [`weft_sync::sync::Mutex`]es in the order of
//!   their addresses. An address is a stable rank: a borrowed mutex cannot
//!   move, and every thread sees the same addresses. Nothing to declare.
//! - [`OrderedMutex`] carries an explicit rank, declared by the program
//!   (`OrderedMutex::new(&order, 2, value)`), and checks it: its
//!   [`lock`](OrderedMutex::lock) panics, naming both locks, when a thread
//!   takes a lock while holding one of an equal or higher rank. Under a
//!   checker that is an assertion failure in *every* execution that breaks
//!   the order, also those that happened not to deadlock. [`lock_all`]
//!   orders `OrderedMutex`es by rank.
//!
//! The guards come back in the caller's order.
//!
//! # Examples
//!
//! ```
//! # weft_sync::explore::doc_example(|| {
//! use weft_patterns::lock_order::{self, LockOrder, OrderedMutex};
//! use weft_sync::sync::Mutex;
//!
//! // Plain mutexes, any order: locked by address, guards in argument order.
//! let (from, to) = (Mutex::new(100), Mutex::new(0));
//! let [mut a, mut b] = lock_order::lock_all([&to, &from]).unwrap();
//! (*a, *b) = (*a + 30, *b - 30);
//! drop((a, b));
//! assert_eq!((*from.lock().unwrap(), *to.lock().unwrap()), (70, 30));
//!
//! // Ranked, checked mutexes.
//! let order = LockOrder::new();
//! let low = OrderedMutex::new(&order, 1, "low").named("config");
//! let high = OrderedMutex::new(&order, 2, "high").named("cache");
//! let [h, l] = lock_order::lock_all([&high, &low]).unwrap(); // takes `low` first
//! assert_eq!((*h, *l), ("high", "low"));
//! drop((h, l));
//! let _h = high.lock().unwrap();
//! let wrong = std::panic::catch_unwind(|| low.lock().map(|_| ()));
//! assert!(wrong.is_err()); // `config` (rank 1) while holding `cache` (rank 2)
//! # });
//! ```

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::panic::Location;
use std::sync::{Arc, LockResult, PoisonError};

use weft_sync::sync::{Mutex, MutexGuard};
use weft_sync::thread::{self, ThreadId};

/// What a model does when its lock-order graph closes a cycle
/// (`Model::lock_order(Policy::Warn)`): the lock-order check
/// ([`weft_sync::lockdep`]) checks the ranks declared here too, so its
/// policy is at hand beside them.
pub use weft_sync::lockdep::Policy;

/// A lock that [`lock_all`] can take in the global order.
pub trait Lockable {
    /// What locking it returns.
    type Guard<'a>
    where
        Self: 'a;

    /// Its place in the global order: locks are taken by increasing key.
    /// The second member is the lock's address, unique among live locks.
    fn order_key(&self) -> (u64, usize);

    /// Locks it, blocking.
    ///
    /// # Errors
    ///
    /// A poisoned lock returns the guard inside the error.
    fn lock_for_order(&self) -> LockResult<Self::Guard<'_>>;
}

impl<T> Lockable for Mutex<T> {
    type Guard<'a>
        = MutexGuard<'a, T>
    where
        T: 'a;

    fn order_key(&self) -> (u64, usize) {
        (0, self as *const Mutex<T> as usize)
    }

    #[track_caller]
    fn lock_for_order(&self) -> LockResult<MutexGuard<'_, T>> {
        self.lock()
    }
}

/// Locks every lock of `locks` in the global order (see the [module
/// docs](self)) and returns their guards in the order of `locks`.
///
/// # Errors
///
/// When a lock is poisoned, every guard inside the error (every lock is
/// taken either way).
///
/// # Panics
///
/// When the same lock is named twice (that would deadlock), or, for
/// [`OrderedMutex`]es, when two have the same rank or this thread already
/// holds one of a rank at least as high as one of them.
#[track_caller]
pub fn lock_all<'a, L, const N: usize>(locks: [&'a L; N]) -> LockResult<[L::Guard<'a>; N]>
where
    L: Lockable + ?Sized,
{
    fn into_array<G, const N: usize>(guards: Vec<G>) -> [G; N] {
        match guards.try_into() {
            Ok(array) => array,
            Err(_) => unreachable!("one guard per lock"),
        }
    }
    match lock_slice(&locks) {
        Ok(guards) => Ok(into_array(guards)),
        Err(poisoned) => Err(PoisonError::new(into_array(poisoned.into_inner()))),
    }
}

/// [`lock_all`] for a number of locks known only at run time.
///
/// # Errors
///
/// As [`lock_all`].
///
/// # Panics
///
/// As [`lock_all`].
#[track_caller]
pub fn lock_slice<'a, L>(locks: &[&'a L]) -> LockResult<Vec<L::Guard<'a>>>
where
    L: Lockable + ?Sized,
{
    let mut order: Vec<usize> = (0..locks.len()).collect();
    order.sort_by_key(|&i| locks[i].order_key());
    for pair in order.windows(2) {
        let (a, b) = (locks[pair[0]].order_key(), locks[pair[1]].order_key());
        assert!(
            a.1 != b.1,
            "lock_order: the same lock is named twice (arguments {} and {})",
            pair[0],
            pair[1]
        );
    }
    let mut slots: Vec<Option<L::Guard<'a>>> = (0..locks.len()).map(|_| None).collect();
    let mut poisoned = false;
    // Taken in a global order: lockdep adds no edges among them (addresses
    // may sort the other way in another execution; that is no inversion).
    let group = weft_sync::lockdep::OrderedGroup::begin();
    for &i in &order {
        slots[i] = Some(match locks[i].lock_for_order() {
            Ok(guard) => guard,
            Err(p) => {
                poisoned = true;
                p.into_inner()
            }
        });
    }
    drop(group);
    let guards = slots.into_iter().flatten().collect();
    if poisoned {
        Err(PoisonError::new(guards))
    } else {
        Ok(guards)
    }
}

/// One lock a thread holds (or is about to take), for the order check.
#[derive(Clone, Debug)]
struct Held {
    thread: ThreadId,
    lock: usize,
    rank: u64,
    name: Arc<str>,
    at: &'static Location<'static>,
}

/// A lock hierarchy: the [`OrderedMutex`]es whose ranks are checked
/// against each other, and which of them each thread holds.
///
/// Cloning it gives another handle to the same hierarchy. The record is a
/// `weft_sync` mutex (named `lock_order`), so it works under a checker,
/// where threads are not OS threads.
#[derive(Clone)]
pub struct LockOrder {
    held: Arc<Mutex<Vec<Held>>>,
}

impl LockOrder {
    /// A hierarchy with no locks yet.
    #[track_caller]
    pub fn new() -> Self {
        LockOrder {
            held: Arc::new(Mutex::new(Vec::new()).named("lock_order")),
        }
    }

    fn held(&self) -> MutexGuard<'_, Vec<Held>> {
        self.held.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Default for LockOrder {
    #[track_caller]
    fn default() -> Self {
        LockOrder::new()
    }
}

impl fmt::Debug for LockOrder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LockOrder")
            .field("held", &self.held().len())
            .finish()
    }
}

/// A [`Mutex`] with a rank in a [`LockOrder`]; its [`lock`] checks that the
/// thread holds no lock of the same hierarchy with an equal or higher rank.
///
/// Ranks are strict: locks held at the same time need distinct ranks, and
/// are taken by increasing rank (lowest first). [`lock_all`] does that for
/// you.
///
/// [`lock`]: OrderedMutex::lock
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use weft_patterns::lock_order::{LockOrder, OrderedMutex};
///
/// let order = LockOrder::new();
/// let accounts = OrderedMutex::new(&order, 1, vec![10, 20]).named("accounts");
/// let journal = OrderedMutex::new(&order, 2, Vec::<String>::new()).named("journal");
/// let a = accounts.lock().unwrap();
/// journal.lock().unwrap().push(format!("total {}", a.iter().sum::<i32>()));
/// # });
/// ```
pub struct OrderedMutex<T> {
    rank: u64,
    name: Arc<str>,
    order: LockOrder,
    inner: Mutex<T>,
}

impl<T> OrderedMutex<T> {
    /// A mutex of rank `rank` in `order`, holding `value`.
    #[track_caller]
    pub fn new(order: &LockOrder, rank: u64, value: T) -> Self {
        OrderedMutex {
            rank,
            name: format!("rank {rank}").into(),
            order: order.clone(),
            inner: Mutex::new(value),
        }
    }

    /// Names the mutex in order violations and in failure reports.
    #[must_use]
    pub fn named(self, name: impl Into<String>) -> Self {
        let name: String = name.into();
        OrderedMutex {
            inner: self.inner.named(name.clone()),
            name: name.into(),
            ..self
        }
    }

    /// Its rank.
    pub fn rank(&self) -> u64 {
        self.rank
    }

    /// Its name (`rank N` unless [named](OrderedMutex::named)).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Locks it, blocking, after checking the order.
    ///
    /// # Errors
    ///
    /// A poisoned lock returns the guard inside the error.
    ///
    /// # Panics
    ///
    /// When the current thread holds a lock of the same [`LockOrder`] whose
    /// rank is equal or higher; the message names both locks, their ranks,
    /// the thread and where each was locked:
    ///
    /// ```text
    /// lock order violated: thread `worker` locks `config` (rank 1) at src/a.rs:12
    /// while holding `cache` (rank 2), locked at src/a.rs:10; take locks by increasing rank
    /// ```
    #[track_caller]
    pub fn lock(&self) -> LockResult<OrderedMutexGuard<'_, T>> {
        let at = Location::caller();
        let me = thread::current().id();
        let mut held = self.order.held();
        let conflict = held
            .iter()
            .filter(|h| h.thread == me && h.rank >= self.rank)
            .max_by_key(|h| h.rank)
            .cloned();
        if let Some(conflict) = conflict {
            drop(held);
            let current = thread::current();
            panic!(
                "lock order violated: thread `{}` locks `{}` (rank {}) at {}:{} \
                 while holding `{}` (rank {}), locked at {}:{}; take locks by increasing rank",
                current.name().unwrap_or("<unnamed>"),
                self.name,
                self.rank,
                at.file(),
                at.line(),
                conflict.name,
                conflict.rank,
                conflict.at.file(),
                conflict.at.line(),
            );
        }
        // Recorded before blocking: only this thread reads its own entries,
        // and it does nothing else until the lock is taken.
        held.push(Held {
            thread: me,
            lock: self.address(),
            rank: self.rank,
            name: Arc::clone(&self.name),
            at,
        });
        drop(held);
        match self.inner.lock() {
            Ok(guard) => Ok(self.guard(guard)),
            Err(p) => Err(PoisonError::new(self.guard(p.into_inner()))),
        }
    }

    fn guard<'a>(&'a self, inner: MutexGuard<'a, T>) -> OrderedMutexGuard<'a, T> {
        OrderedMutexGuard { mutex: self, inner }
    }

    fn address(&self) -> usize {
        self as *const OrderedMutex<T> as usize
    }

    /// Consumes the mutex and returns the value.
    ///
    /// # Errors
    ///
    /// A poisoned lock returns the value inside the error.
    pub fn into_inner(self) -> LockResult<T> {
        self.inner.into_inner()
    }

    /// A mutable reference to the value; no locking is needed.
    ///
    /// # Errors
    ///
    /// A poisoned lock returns the reference inside the error.
    pub fn get_mut(&mut self) -> LockResult<&mut T> {
        self.inner.get_mut()
    }
}

impl<T> Lockable for OrderedMutex<T> {
    type Guard<'a>
        = OrderedMutexGuard<'a, T>
    where
        T: 'a;

    fn order_key(&self) -> (u64, usize) {
        (self.rank, self.address())
    }

    #[track_caller]
    fn lock_for_order(&self) -> LockResult<OrderedMutexGuard<'_, T>> {
        self.lock()
    }
}

impl<T: fmt::Debug> fmt::Debug for OrderedMutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OrderedMutex")
            .field("name", &self.name)
            .field("rank", &self.rank)
            .field("inner", &self.inner)
            .finish()
    }
}

/// A locked [`OrderedMutex`]; dropping it unlocks and forgets the hold.
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct OrderedMutexGuard<'a, T> {
    mutex: &'a OrderedMutex<T>,
    inner: MutexGuard<'a, T>,
}

impl<T> Deref for OrderedMutexGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.inner
    }
}

impl<T> DerefMut for OrderedMutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.inner
    }
}

impl<T> Drop for OrderedMutexGuard<'_, T> {
    fn drop(&mut self) {
        if crate::threading::teardown::unwinding_in_a_model() {
            return;
        }
        let me = thread::current().id();
        let lock = self.mutex.address();
        let mut held = self.mutex.order.held();
        if let Some(i) = held.iter().rposition(|h| h.thread == me && h.lock == lock) {
            held.remove(i);
        }
        // `inner` unlocks after this.
    }
}

impl<T: fmt::Debug> fmt::Debug for OrderedMutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OrderedMutexGuard")
            .field("name", &self.mutex.name)
            .field("value", &*self.inner)
            .finish()
    }
}
