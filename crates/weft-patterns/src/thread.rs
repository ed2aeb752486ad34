//! Python's `threading.Thread` start and join, in Rust's shape: named
//! threads through a [`Builder`], and a join that returns the thread's
//! panic as a [`JoinError`] value carrying the panic message.
//!
//! Threads are `weft_sync`'s, so a checker schedules them and names them
//! in its reports after [`Builder::name`].
//!
//! # Examples
//!
//! ```
//! # weft_sync::explore::doc_example(|| {
//! use weft_patterns::thread;
//!
//! let ok = thread::Builder::new().name("adder").spawn(|| 1 + 1).unwrap();
//! assert_eq!(ok.join(), Ok(2));
//!
//! let mut total = 0;
//! thread::scope(|s| {
//!     let h = s.spawn(|| 40);
//!     total = h.join().unwrap() + 2;
//! });
//! assert_eq!(total, 42);
//! # });
//! ```
//!
//! A thread's panic is its join's error. (Under a checker, a panic that
//! escapes a model thread is itself the failure the model reports.)
//!
//! ```
//! # weft_sync::explore::doc_example_panics("out of range", || {
//! use weft_patterns::thread::{self, JoinError};
//!
//! let bad = thread::Builder::new()
//!     .name("faulty")
//!     .spawn(|| -> u32 { panic!("out of range") })
//!     .unwrap();
//! assert_eq!(
//!     bad.join(),
//!     Err(JoinError::Panicked {
//!         thread: "faulty".into(),
//!         message: "out of range".into(),
//!     })
//! );
//! # });
//! ```

use std::fmt;
use std::io;

use weft_sync::record::panic_message;
use weft_sync::thread as sys;

/// The name reported for a thread that was given none (std's too).
const UNNAMED: &str = "<unnamed>";

/// Why [`JoinHandle::join`] returned no value.
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

impl JoinError {
    fn panicked(thread: Option<&str>, payload: &(dyn std::any::Any + Send)) -> Self {
        JoinError::Panicked {
            thread: thread.unwrap_or(UNNAMED).to_string(),
            message: panic_message(payload),
        }
    }
}

/// Configures a thread before it starts: Python's `Thread(name=..)`.
#[derive(Debug, Default)]
#[must_use = "a builder does nothing until `spawn`"]
pub struct Builder {
    name: Option<String>,
    stack_size: Option<usize>,
}

impl Builder {
    /// A builder for an unnamed thread with the default stack size.
    pub fn new() -> Self {
        Builder::default()
    }

    /// Names the thread (in panic messages, [`JoinError`]s and a checker's
    /// reports).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The thread's stack size in bytes (ignored under a checker).
    pub fn stack_size(mut self, size: usize) -> Self {
        self.stack_size = Some(size);
        self
    }

    fn system(&self) -> sys::Builder {
        let mut builder = sys::Builder::new();
        if let Some(name) = &self.name {
            builder = builder.name(name.clone());
        }
        if let Some(size) = self.stack_size {
            builder = builder.stack_size(size);
        }
        builder
    }

    /// Starts the thread running `f`: Python's `start()`.
    ///
    /// # Errors
    ///
    /// When the operating system cannot create the thread.
    #[track_caller]
    pub fn spawn<F, T>(self, f: F) -> io::Result<JoinHandle<T>>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let inner = self.system().spawn(f)?;
        Ok(JoinHandle {
            inner,
            name: self.name,
        })
    }

    /// Starts the thread in `scope`: it may borrow from outside the scope.
    ///
    /// # Errors
    ///
    /// When the operating system cannot create the thread.
    #[track_caller]
    pub fn spawn_scoped<'scope, 'env, F, T>(
        self,
        scope: Scope<'scope, 'env>,
        f: F,
    ) -> io::Result<ScopedJoinHandle<'scope, T>>
    where
        F: FnOnce() -> T + Send + 'scope,
        T: Send + 'scope,
    {
        let inner = self.system().spawn_scoped(scope.inner, f)?;
        Ok(ScopedJoinHandle {
            inner,
            name: self.name,
        })
    }
}

/// Starts an unnamed thread running `f`.
///
/// # Panics
///
/// When the operating system cannot create the thread.
#[track_caller]
pub fn spawn<F, T>(f: F) -> JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    match Builder::new().spawn(f) {
        Ok(handle) => handle,
        Err(e) => panic!("failed to spawn a thread: {e}"),
    }
}

/// A running thread's handle: [`join`](JoinHandle::join) waits for it.
/// Dropping the handle detaches the thread.
pub struct JoinHandle<T> {
    inner: sys::JoinHandle<T>,
    name: Option<String>,
}

impl<T> JoinHandle<T> {
    /// Waits for the thread to finish: Python's `join()`, with its result.
    ///
    /// # Errors
    ///
    /// [`JoinError::Panicked`] with the thread's name and panic message.
    #[track_caller]
    pub fn join(self) -> Result<T, JoinError> {
        self.inner
            .join()
            .map_err(|payload| JoinError::panicked(self.name.as_deref(), payload.as_ref()))
    }

    /// The thread's name, if it was given one.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// Whether the thread has finished: Python's `not is_alive()`.
    pub fn is_finished(&self) -> bool {
        self.inner.is_finished()
    }

    /// The thread itself (for `unpark`).
    pub fn thread(&self) -> &sys::Thread {
        self.inner.thread()
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// Runs `f` with a [`Scope`] whose threads may borrow local data; every
/// thread spawned in it is joined before `scope` returns.
///
/// # Panics
///
/// When a thread that was not joined explicitly panicked (as
/// [`std::thread::scope`]); a thread joined through
/// [`ScopedJoinHandle::join`] reports its panic as a [`JoinError`] instead.
#[track_caller]
pub fn scope<'env, F, T>(f: F) -> T
where
    F: for<'scope> FnOnce(Scope<'scope, 'env>) -> T,
{
    sys::scope(|inner| f(Scope { inner }))
}

/// A scope to spawn borrowing threads in; see [`scope`]. It is `Copy`, so
/// its threads can capture it to spawn more.
#[derive(Clone, Copy)]
pub struct Scope<'scope, 'env: 'scope> {
    inner: &'scope sys::Scope<'scope, 'env>,
}

impl<'scope> Scope<'scope, '_> {
    /// Starts an unnamed thread in the scope.
    ///
    /// # Panics
    ///
    /// When the operating system cannot create the thread.
    #[track_caller]
    pub fn spawn<F, T>(self, f: F) -> ScopedJoinHandle<'scope, T>
    where
        F: FnOnce() -> T + Send + 'scope,
        T: Send + 'scope,
    {
        ScopedJoinHandle {
            inner: self.inner.spawn(f),
            name: None,
        }
    }
}

impl fmt::Debug for Scope<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scope").finish_non_exhaustive()
    }
}

/// The handle of a thread spawned in a [`Scope`].
pub struct ScopedJoinHandle<'scope, T> {
    inner: sys::ScopedJoinHandle<'scope, T>,
    name: Option<String>,
}

impl<T> ScopedJoinHandle<'_, T> {
    /// Waits for the thread to finish, with its result.
    ///
    /// # Errors
    ///
    /// [`JoinError::Panicked`] with the thread's name and panic message.
    #[track_caller]
    pub fn join(self) -> Result<T, JoinError> {
        self.inner
            .join()
            .map_err(|payload| JoinError::panicked(self.name.as_deref(), payload.as_ref()))
    }

    /// The thread's name, if it was given one.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// Whether the thread has finished.
    pub fn is_finished(&self) -> bool {
        self.inner.is_finished()
    }
}

impl<T> fmt::Debug for ScopedJoinHandle<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScopedJoinHandle")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}
