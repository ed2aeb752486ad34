//! [`Thread`]: Python's `threading.Thread`: a target run on a named thread
//! that is started, then joined, whose panic is its join's error.

use std::fmt;
use std::io;
use std::marker::PhantomData;

use weft_sync::record::panic_message;
use weft_sync::thread as sys;

/// The name reported for a thread that was given none (std's too).
const UNNAMED: &str = "<unnamed>";

/// Why [`Thread::join`] returned no value.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JoinError {
    /// The thread panicked.
    #[error("join thread `{thread}`, which panicked: {message}")]
    Panicked {
        /// The thread's name, or `<unnamed>`.
        thread: String,
        /// The panic message (`<non-string panic payload>` when the payload
        /// was neither a `&str` nor a `String`).
        message: String,
    },
}

/// A [`Thread`] not started yet: set its [`name`](Thread::name) and
/// [`daemon`](Thread::daemon) flag, then [`start`](Thread::start) it.
#[derive(Debug)]
pub enum New {}

/// A started [`Thread`]: [`join`](Thread::join) it, ask whether it
/// [`is_alive`](Thread::is_alive).
#[derive(Debug)]
pub enum Started {}

/// Python's `threading.Thread`: a target run on its own thread.
///
/// Made with [`Thread::new`] (Python's `Thread(target=...)`), configured
/// with [`name`](Thread::name) and [`daemon`](Thread::daemon), and started
/// with [`start`](Thread::start), which returns the started thread: a
/// `Thread<T, Started>`, which [`join`](Thread::join)s (returning the
/// target's value, or its panic as a [`JoinError`]) and reports
/// [`is_alive`](Thread::is_alive), [`name`](Thread::name) and
/// [`daemon`](Thread::daemon). Starting twice or joining a thread never
/// started, Python's `RuntimeError`s, do not compile.
///
/// Python's interpreter waits for every non-daemon thread before it exits;
/// here a started thread that is not a daemon is joined when it is
/// dropped (its panic, if any, is dropped with it), and a daemon thread
/// is detached.
///
/// The thread is `weft_sync`'s, so a checker schedules it and names it in
/// its reports.
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use weft_patterns::threading::Thread;
///
/// let worker = Thread::new(|| 6 * 7).name("worker").start().unwrap();
/// assert_eq!(worker.name(), "worker");
/// assert!(!worker.daemon());
/// assert_eq!(worker.join(), Ok(42));
/// # });
/// ```
///
/// A panic is the join's error, with the thread's name:
///
/// ```
/// # weft_sync::explore::doc_example_panics("out of range", || {
/// use weft_patterns::threading::{JoinError, Thread};
///
/// let bad = Thread::new(|| -> u32 { panic!("out of range") })
///     .name("faulty")
///     .start()
///     .unwrap();
/// assert_eq!(
///     bad.join(),
///     Err(JoinError::Panicked {
///         thread: "faulty".into(),
///         message: "out of range".into(),
///     })
/// );
/// # });
/// ```
#[must_use = "a thread does nothing until `start`, and a started one is joined when dropped"]
pub struct Thread<T, S = New> {
    name: Option<String>,
    daemon: bool,
    stack_size: Option<usize>,
    /// The target, until started.
    target: Option<Box<dyn FnOnce() -> T + Send>>,
    /// The running thread, once started (until joined).
    handle: Option<sys::JoinHandle<T>>,
    state: PhantomData<S>,
}

impl<T: Send + 'static> Thread<T, New> {
    /// A thread that will run `target`, not started yet: Python's
    /// `Thread(target=...)`.
    pub fn new<F>(target: F) -> Self
    where
        F: FnOnce() -> T + Send + 'static,
    {
        Thread {
            name: None,
            daemon: false,
            stack_size: None,
            target: Some(Box::new(target)),
            handle: None,
            state: PhantomData,
        }
    }

    /// Names the thread (in panic messages, [`JoinError`]s and a checker's
    /// reports): Python's `name=`.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Makes it a daemon thread, detached when its handle is dropped
    /// instead of joined: Python's `daemon=`. Not a daemon by default.
    pub fn daemon(mut self, daemon: bool) -> Self {
        self.daemon = daemon;
        self
    }

    /// The thread's stack size in bytes (ignored under a checker).
    pub fn stack_size(mut self, size: usize) -> Self {
        self.stack_size = Some(size);
        self
    }

    /// Starts the thread running its target: Python's `start()`.
    ///
    /// # Errors
    ///
    /// When the operating system cannot create the thread.
    #[track_caller]
    pub fn start(mut self) -> io::Result<Thread<T, Started>> {
        let mut builder = sys::Builder::new();
        if let Some(name) = &self.name {
            builder = builder.name(name.clone());
        }
        if let Some(size) = self.stack_size {
            builder = builder.stack_size(size);
        }
        let target = self.target.take().expect("a new thread has its target");
        let handle = builder.spawn(target)?;
        Ok(Thread {
            name: self.name.take(),
            daemon: self.daemon,
            stack_size: self.stack_size,
            target: None,
            handle: Some(handle),
            state: PhantomData,
        })
    }
}

impl<T> Thread<T, Started> {
    /// Waits for the thread to finish and returns its target's value:
    /// Python's `join()`.
    ///
    /// # Errors
    ///
    /// [`JoinError::Panicked`] with the thread's name and panic message.
    #[track_caller]
    pub fn join(mut self) -> Result<T, JoinError> {
        let handle = self.handle.take().expect("a started thread is joined once");
        handle.join().map_err(|payload| JoinError::Panicked {
            thread: self.name().to_owned(),
            message: panic_message(payload.as_ref()),
        })
    }

    /// Whether the thread is still running its target: Python's
    /// `is_alive()`.
    pub fn is_alive(&self) -> bool {
        self.handle.as_ref().is_some_and(|h| !h.is_finished())
    }

    /// The thread's name, `<unnamed>` if it was given none.
    pub fn name(&self) -> &str {
        self.name.as_deref().unwrap_or(UNNAMED)
    }

    /// Whether it is a daemon thread (detached when dropped).
    pub fn daemon(&self) -> bool {
        self.daemon
    }

    /// The system thread (for `unpark`, or its id).
    pub fn thread(&self) -> &sys::Thread {
        self.handle
            .as_ref()
            .expect("a started thread has its handle until joined")
            .thread()
    }
}

impl<T, S> Drop for Thread<T, S> {
    /// A started thread that is not a daemon is joined (its result or
    /// panic dropped); a daemon is detached; a thread never started runs
    /// nothing.
    fn drop(&mut self) {
        if let Some(handle) = self.handle.take() {
            if !self.daemon {
                let _ = handle.join();
            }
        }
    }
}

impl<T, S> fmt::Debug for Thread<T, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Thread")
            .field("name", &self.name)
            .field("daemon", &self.daemon)
            .field("started", &self.handle.is_some())
            .finish_non_exhaustive()
    }
}
