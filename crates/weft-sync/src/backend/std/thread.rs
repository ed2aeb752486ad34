//! Threads are std's own in production; `Builder` is a thin wrapper whose
//! `name` also takes a `&str` (`Builder::new().name("worker")`).

use std::io;

pub use super::thread_local::{AccessError, LocalKey};
pub use std::thread::{
    available_parallelism, current, park, park_timeout, scope, sleep, spawn, yield_now, JoinHandle,
    Result, Scope, ScopedJoinHandle, Thread, ThreadId,
};

/// Thread factory. Same as [`std::thread::Builder`], except that
/// [`Builder::name`] takes anything that converts into a `String`.
#[derive(Debug)]
#[must_use]
pub struct Builder(std::thread::Builder);

impl Builder {
    /// A builder with no name and the default stack size.
    #[inline]
    pub fn new() -> Builder {
        Builder(std::thread::Builder::new())
    }

    /// Names the thread (`"worker"`); reports and traces use the name.
    #[inline]
    pub fn name(self, name: impl Into<String>) -> Builder {
        Builder(self.0.name(name.into()))
    }

    /// Sets the stack size of the new thread.
    #[inline]
    pub fn stack_size(self, size: usize) -> Builder {
        Builder(self.0.stack_size(size))
    }

    /// Spawns the thread. Same as [`std::thread::Builder::spawn`].
    ///
    /// # Errors
    ///
    /// When the OS cannot create the thread.
    #[inline]
    pub fn spawn<F, T>(self, f: F) -> io::Result<JoinHandle<T>>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        self.0.spawn(f)
    }

    /// Spawns a scoped thread. Same as [`std::thread::Builder::spawn_scoped`].
    ///
    /// # Errors
    ///
    /// When the OS cannot create the thread.
    #[inline]
    pub fn spawn_scoped<'scope, 'env, F, T>(
        self,
        scope: &'scope Scope<'scope, 'env>,
        f: F,
    ) -> io::Result<ScopedJoinHandle<'scope, T>>
    where
        F: FnOnce() -> T + Send + 'scope,
        T: Send + 'scope,
    {
        self.0.spawn_scoped(scope, f)
    }
}

impl Default for Builder {
    fn default() -> Self {
        Builder::new()
    }
}
