//! Python's `asyncio`: a single-threaded event loop whose tasks take turns
//! at `.await` points, checkable under a model checker.
//!
//! ```
//! # weft_sync::explore::doc_example(|| {
//! use std::time::Duration;
//! use weft_patterns::aio;
//!
//! async fn worker(name: &'static str, delay: Duration) -> &'static str {
//!     aio::sleep(delay).await;
//!     name
//! }
//!
//! let finished = aio::run(async {
//!     let a = aio::create_task_named("A", worker("A", Duration::from_millis(2)));
//!     let b = aio::create_task_named("B", worker("B", Duration::from_millis(1)));
//!     aio::gather([a, b]).await
//! });
//! assert_eq!(finished, [Ok("A"), Ok("B")]);
//! # });
//! ```
//!
//! | Python | here |
//! | --- | --- |
//! | `asyncio.run(main())` | [`run`], or [`EventLoop::run`] |
//! | `asyncio.get_running_loop()`, the loop object | [`get_running_loop`] → [`Handle`] (`Send`), [`EventLoop::handle`] |
//! | `asyncio.create_task(coro, name=)` | [`create_task`], [`create_task_named`] (or on [`EventLoop`] / [`Handle`]) |
//! | `Task`: `await`, `cancel`, `done`, `result` | [`Task`], [`TaskError`] |
//! | `asyncio.current_task().get_name()` | [`current_task_name`] |
//! | `asyncio.TaskGroup`, `ExceptionGroup` | [`TaskGroup`], [`TaskGroupError`] |
//! | `asyncio.sleep(d)`, `sleep(0)` | [`sleep`], [`yield_now`] |
//! | `asyncio.gather(*tasks, return_exceptions=True)` | [`gather`] |
//! | `asyncio.wait_for(aw, timeout)`, `TimeoutError` | [`wait_for`] → [`TimeoutError`] |
//! | `asyncio.timeout(delay)`, `asyncio.timeout_at(when)`, `Timeout.reschedule` | [`timeout`], [`timeout_at`] → [`Timeout`] |
//! | `asyncio.shield(aw)` | [`shield`] → [`Shield`] |
//! | `asyncio.wait(tasks, return_when=)` | [`wait`], [`wait_timeout`], [`ReturnWhen`] |
//! | `asyncio.as_completed(tasks)` | [`as_completed`] → [`AsCompleted`] |
//! | `loop.call_soon`, `loop.call_later`, `Handle`, `TimerHandle` | [`Handle::call_soon`], [`Handle::call_later`] → [`CallbackHandle`] |
//! | `loop.call_soon_threadsafe` | [`Handle::call_soon_threadsafe`] → [`LoopClosed`] when closed |
//! | `asyncio.run_coroutine_threadsafe(coro, loop)` | [`run_coroutine_threadsafe`] → [`executor::Future`](crate::executor::Future) |
//! | `loop.run_in_executor(None, f)`, `asyncio.to_thread(f)` | [`run_in_executor`], [`to_thread`] → [`ExecutorFuture`] |
//! | `loop.set_default_executor(pool)` | [`set_default_executor`] (a [`ThreadPool`](crate::executor::ThreadPool)) |
//! | `asyncio.Queue`: `put`, `get`, `*_nowait`, `task_done`, `join`, `shutdown(immediate)` | [`Queue`] |
//! | `QueueFull`, `QueueEmpty`, `QueueShutDown` | [`PutError::Full`], [`GetError::Empty`], [`QueueShutDown`] |
//! | `asyncio.Lock` (fair: the first waiter wins), `Event`, `Semaphore`, `Condition` | [`Lock`], [`Event`], [`Semaphore`], [`Condition`] |
//! | `asyncio.Barrier`, `BrokenBarrierError` | [`Barrier`], [`BrokenBarrierError`] |
//! | `loop.set_exception_handler` | [`EventLoop::set_exception_handler`], [`LoopReport`] |
//!
//! # Ordinary async Rust
//!
//! Tasks are `std::future::Future`s polled with `std::task::Waker`s, so
//! any executor-agnostic async code runs on the loop, and the futures
//! here ([`sleep`] and the primitives) wake any waker they are given. A
//! waker woken from another thread reaches the loop through a weft `Mutex`
//! and `Condvar`, which is how [`run_in_executor`] hands results back.
//!
//! # The current loop
//!
//! [`sleep`], [`create_task`] and the other free functions find the loop
//! that runs the calling task through a thread-local registry of running
//! loops keyed by model thread (`weft_sync::thread::current().id()` under a
//! checker, where all model threads share one OS thread's thread-locals;
//! no key in std mode). A [`Handle`] can be passed explicitly instead.
//!
//! # Under a checker
//!
//! Built on `weft_sync`, the loop is checked like any weft code:
//!
//! - the order in which ready tasks run is a choice the checker explores
//!   (`weft_sync::rand::choose`: on shuttle; loom explores threads, not
//!   choices, so there the order stays FIFO, and the verdict says that
//!   `choose` was not explored), so a
//!   check-then-await-then-act race between two tasks is found;
//! - time is virtual: when every task waits on a timer the loop's clock
//!   jumps to the next one (the loop keeps its own offset on top of
//!   `weft_sync::time::Instant`, and never sleeps for real); timers due at
//!   the same time fire together, and the order of their tasks is explored,
//!   so a `wait_for` racing its timeout is explored both ways;
//! - when every task waits and nothing can wake one, the loop panics with
//!   a report that starts with [`DEADLOCK_MESSAGE_PREFIX`] and names every
//!   task and what it waits on;
//! - each task's turn is a `tracing` debug event (`aio: task 'name' runs`,
//!   target `weft::aio`, emitted under a checker only, when a subscriber
//!   listens), for a trace to show which task ran between recorded steps.
//!
//! # Neglected tasks
//!
//! As in asyncio, a task destroyed while pending (its loop dropped first)
//! and a panic nobody retrieved are reported to the loop's exception
//! handler: by default a `tracing::warn!`, plus a line on stderr in debug
//! builds. See [`LoopReport`].

mod as_completed;
mod barrier;
mod callback;
mod catch_unwind;
mod condition;
mod context;
mod core;
mod deadlock;
mod event;
mod event_loop;
mod gather;
mod handle;
mod idle;
mod lock;
mod queue;
mod ready;
mod report;
mod run_in_executor;
mod running;
mod semaphore;
mod shield;
mod slab;
mod sleep;
mod task;
mod task_group;
mod task_status;
mod timeout;
mod timers;
mod wait;
mod wait_list;
mod waiter;
mod waker;
mod yield_now;

pub use as_completed::{as_completed, AsCompleted};
pub use barrier::{Barrier, BrokenBarrierError};
pub use callback::CallbackHandle;
pub use condition::Condition;
pub use deadlock::DEADLOCK_MESSAGE_PREFIX;
pub use event::Event;
pub use event_loop::{run, EventLoop};
pub use gather::{gather, Gather};
pub use handle::{run_coroutine_threadsafe, Handle, LoopClosed};
pub use lock::{Lock, LockGuard};
pub use queue::{GetError, PutError, Queue, QueueShutDown};
pub use report::{ExceptionHandler, LoopReport};
pub use run_in_executor::{run_in_executor, set_default_executor, to_thread, ExecutorFuture};
pub use running::{create_task, create_task_named, current_task_name, get_running_loop};
pub use semaphore::{Semaphore, SemaphorePermit};
pub use shield::{shield, Shield};
pub use sleep::{sleep, Sleep};
pub use task::Task;
pub use task_group::{TaskGroup, TaskGroupError};
pub use task_status::TaskError;
pub use timeout::{timeout, timeout_at, wait_for, Timeout, TimeoutError};
pub use wait::{wait, wait_timeout, ReturnWhen, Wait};
pub use yield_now::{yield_now, YieldNow};
