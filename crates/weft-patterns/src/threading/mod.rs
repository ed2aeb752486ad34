//! Python's `threading`, with Python's names: threads, timers,
//! thread-local data and the synchronization primitives, built only on
//! `weft_sync`'s primitives so that a checker sees every one of their
//! operations.
//!
//! | Python | here | misuse |
//! | --- | --- | --- |
//! | `Thread(target, name, daemon)`, `start`, `join`, `is_alive` | [`Thread`] (`Thread::new(f).name(..).daemon(..).start()`) | start twice, join unstarted: do not compile; a panic: [`JoinError`] |
//! | `Timer(interval, function)`, `start`, `cancel` | [`Timer`] | start twice: a panic |
//! | `local()` | [`local`] → [`Local`] | none |
//! | `Lock` | [`Lock`] (+ [`LockGuard`]) | release when unlocked: [`ReleaseError::Unlocked`] |
//! | `RLock` | [`RLock`] (+ [`RLockGuard`]) | release by a non-owner: [`ReleaseError::NotOwner`] |
//! | `Condition` | [`Condition`] (+ [`ConditionGuard`]) | wait/notify without the lock: [`NotHeldError`] |
//! | `Semaphore` | [`Semaphore`] (+ [`SemaphorePermit`]) | none: the value grows |
//! | `BoundedSemaphore` | [`BoundedSemaphore`] | release past the bound: [`ReleaseError::TooManyReleases`] |
//! | `Event` | [`Event`] | none |
//! | `Barrier` | [`Barrier`] | abort, reset or timeout: [`BrokenBarrierError`] for every waiter |
//!
//! Where Python takes `blocking=True, timeout=-1`, these take
//! `(blocking: bool, timeout: Option<Duration>)`, `None` meaning no limit;
//! the waits take `timeout: Option<Duration>`. Timeouts run on
//! [`weft_sync::time::Instant`], which is virtual under a checker, where a
//! timed wait may end by timeout or by wakeup and both are explored.
//! Each primitive also has an RAII form (`lock()`, `permit()`) for Python's
//! `with` statement.
//!
//! # Examples
//!
//! ```
//! # weft_sync::explore::doc_example(|| {
//! use weft_patterns::threading::{Event, Semaphore};
//! use weft_sync::sync::Arc;
//! use weft_sync::thread;
//!
//! let slots = Arc::new(Semaphore::new(1).named("slots"));
//! let done = Arc::new(Event::new().named("done"));
//! let (s, d) = (Arc::clone(&slots), Arc::clone(&done));
//! let worker = thread::spawn(move || {
//!     let _permit = s.permit();
//!     d.set();
//! });
//! assert!(done.wait(None));
//! worker.join().unwrap();
//! assert_eq!(slots.value(), 1);
//! # });
//! ```

mod barrier;
mod bounded_semaphore;
mod condition;
mod error;
mod event;
mod local;
mod lock;
mod rlock;
mod semaphore;
pub(crate) mod teardown;
mod thread;
mod timer;

pub use barrier::{Barrier, BrokenBarrierError};
pub use bounded_semaphore::BoundedSemaphore;
pub use condition::{Condition, ConditionGuard, ConditionLock};
pub use error::{NotHeldError, ReleaseError};
pub use event::Event;
pub use local::{local, Local};
pub use lock::{Lock, LockGuard};
pub use rlock::{RLock, RLockGuard};
pub use semaphore::{Semaphore, SemaphorePermit};
pub use thread::{JoinError, New, Started, Thread};
pub use timer::Timer;
