//! [`Timer`]: Python's `threading.Timer`: a function run on its own thread
//! after an interval, unless cancelled first.

use std::fmt;
use std::io;

use weft_sync::sync::{Arc, Condvar, Mutex, PoisonError};
use weft_sync::thread as sys;
use weft_sync::time::{Deadline, Duration};

use super::thread::JoinError;
use crate::timed_wait::wait_until;

/// Where a timer is: waiting, cancelled before it fired, or fired.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Waiting,
    Cancelled,
    Fired,
}

/// What the timer thread and [`Timer::cancel`] share.
#[derive(Debug)]
struct Shared {
    phase: Mutex<Phase>,
    /// Notified by `cancel`.
    cancelled: Condvar,
}

/// Python's `threading.Timer`: runs a function on its own thread after an
/// interval, unless [`cancel`](Timer::cancel)led first.
///
/// Cancelling and firing are decided under one lock, so exactly one of
/// them wins: when [`Timer::cancel`] returns `true` the function has not
/// run and never will; when it returns `false` the function has run or is
/// running.
///
/// The interval runs on weft's clock: under a checker it is virtual, and
/// both a cancel that comes first and a timer that fires first are
/// explored.
///
/// A started timer is a non-daemon thread: dropping the `Timer` waits for
/// it (for the interval and the function, unless cancelled), as Python's
/// interpreter waits for a timer before it exits. Cancel it first not to
/// wait.
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use weft_patterns::threading::{Event, Timer};
/// use weft_sync::sync::Arc;
/// use weft_sync::time::Duration;
///
/// let rang = Arc::new(Event::new());
/// let r = Arc::clone(&rang);
/// let mut alarm = Timer::new(Duration::from_millis(10), move || r.set());
/// alarm.start().unwrap();
/// alarm.join().unwrap();
/// assert!(rang.is_set());
///
/// let rang = Arc::new(Event::new());
/// let r = Arc::clone(&rang);
/// let mut alarm = Timer::new(Duration::from_secs(3600), move || r.set());
/// alarm.start().unwrap();
/// // The cancel wins (or, under a checker's virtual clock, in some
/// // interleavings the hour has passed and the function ran first).
/// let cancelled = alarm.cancel();
/// alarm.join().unwrap();
/// assert_eq!(rang.is_set(), !cancelled);
/// # });
/// ```
pub struct Timer {
    interval: Duration,
    function: Option<Box<dyn FnOnce() + Send>>,
    name: String,
    shared: Arc<Shared>,
    handle: Option<sys::JoinHandle<()>>,
}

impl Timer {
    /// A timer that will run `function` `interval` after it is started:
    /// Python's `Timer(interval, function)`. Its thread is named `Timer`.
    pub fn new<F>(interval: Duration, function: F) -> Timer
    where
        F: FnOnce() + Send + 'static,
    {
        Timer {
            interval,
            function: Some(Box::new(function)),
            name: "Timer".to_owned(),
            shared: Arc::new(Shared {
                phase: Mutex::new(Phase::Waiting).named("timer.phase"),
                cancelled: Condvar::new().named("timer.cancelled"),
            }),
            handle: None,
        }
    }

    /// Names the timer's thread (in reports and [`JoinError`]s).
    pub fn name(mut self, name: impl Into<String>) -> Timer {
        self.name = name.into();
        self
    }

    /// Starts the timer's thread: the interval counts from now. Python's
    /// `start()`.
    ///
    /// # Errors
    ///
    /// When the operating system cannot create the thread.
    ///
    /// # Panics
    ///
    /// When the timer was started already, as Python raises
    /// `RuntimeError("threads can only be started once")`.
    #[track_caller]
    pub fn start(&mut self) -> io::Result<()> {
        let Some(function) = self.function.take() else {
            panic!("threads can only be started once");
        };
        let shared = Arc::clone(&self.shared);
        let deadline = Deadline::after(Some(self.interval));
        let handle = sys::Builder::new().name(self.name.clone()).spawn(move || {
            if shared.wait_to_fire(&deadline) {
                function();
            }
        })?;
        self.handle = Some(handle);
        Ok(())
    }

    /// Stops the timer if it has not fired yet: Python's `cancel()`.
    /// Returns `true` if the function has not run and now never will
    /// (also for a timer not started yet, which then never fires), `false`
    /// if it has fired already: the function has run or is running.
    pub fn cancel(&self) -> bool {
        let mut phase = self
            .shared
            .phase
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        match *phase {
            Phase::Fired => false,
            Phase::Cancelled => true,
            Phase::Waiting => {
                *phase = Phase::Cancelled;
                drop(phase);
                self.shared.cancelled.notify_all();
                true
            }
        }
    }

    /// Waits for the timer's thread to end: after the function has run, or
    /// at once after a cancel. Python's `join()`. Does nothing for a timer
    /// not started.
    ///
    /// # Errors
    ///
    /// [`JoinError::Panicked`] when the function panicked.
    #[track_caller]
    pub fn join(&mut self) -> Result<(), JoinError> {
        let Some(handle) = self.handle.take() else {
            return Ok(());
        };
        handle.join().map_err(|payload| JoinError::Panicked {
            thread: self.name.clone(),
            message: weft_sync::record::panic_message(payload.as_ref()),
        })
    }

    /// Whether the timer's thread is running: started, and neither
    /// cancelled-and-exited nor done with the function. Python's
    /// `is_alive()`.
    pub fn is_alive(&self) -> bool {
        self.handle.as_ref().is_some_and(|h| !h.is_finished())
    }

    /// Whether the timer has fired (its function has started).
    pub fn fired(&self) -> bool {
        *self
            .shared
            .phase
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            == Phase::Fired
    }
}

impl Shared {
    /// The timer thread's wait: until the deadline, or until cancelled.
    /// Returns whether the timer fired; firing and cancelling are decided
    /// under the one lock, so they exclude each other.
    fn wait_to_fire(&self, deadline: &Deadline) -> bool {
        let mut phase = self.phase.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if *phase == Phase::Cancelled {
                return false;
            }
            let timed_out;
            (phase, timed_out) = wait_until(&self.cancelled, phase, deadline);
            if timed_out {
                if *phase == Phase::Cancelled {
                    return false;
                }
                *phase = Phase::Fired;
                return true;
            }
        }
    }
}

impl Drop for Timer {
    /// Waits for a started timer's thread (a non-daemon thread); its
    /// panic, if any, is dropped.
    fn drop(&mut self) {
        let _ = self.join();
    }
}

impl fmt::Debug for Timer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Timer")
            .field("interval", &self.interval)
            .field("name", &self.name)
            .field("started", &self.handle.is_some())
            .finish_non_exhaustive()
    }
}
