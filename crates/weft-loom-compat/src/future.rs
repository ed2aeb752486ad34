//! `loom::future`: `block_on` over weft's threads, and `AtomicWaker`.
//!
//! ```
//! loom::model(|| {
//!     assert_eq!(loom::future::block_on(async { 1 + 1 }), 2);
//! });
//! ```

use std::fmt;
use std::task::Waker;

use weft::sync::Mutex;

pub use weft::future::block_on;

/// loom's `AtomicWaker` (futures' `AtomicWaker`): one registered waker, a
/// `wake` takes and wakes it. Built on weft's modelled `Mutex`.
///
/// # Examples
///
/// ```
/// loom::model(|| {
///     let w = loom::future::AtomicWaker::new();
///     assert!(w.take_waker().is_none());
///     w.wake();
/// });
/// ```
pub struct AtomicWaker {
    waker: Mutex<Option<Waker>>,
}

impl AtomicWaker {
    /// An `AtomicWaker` with no waker registered.
    #[track_caller]
    pub fn new() -> AtomicWaker {
        AtomicWaker {
            waker: Mutex::new(None).named("AtomicWaker"),
        }
    }

    /// Registers `waker`, replacing the previous one.
    #[track_caller]
    pub fn register(&self, waker: Waker) {
        *self.waker.lock().unwrap_or_else(|e| e.into_inner()) = Some(waker);
    }

    /// Registers a clone of `waker`.
    #[track_caller]
    pub fn register_by_ref(&self, waker: &Waker) {
        self.register(waker.clone());
    }

    /// Wakes the registered waker, if any.
    #[track_caller]
    pub fn wake(&self) {
        if let Some(w) = self.take_waker() {
            w.wake();
        }
    }

    /// Takes the registered waker.
    #[track_caller]
    pub fn take_waker(&self) -> Option<Waker> {
        self.waker.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

impl Default for AtomicWaker {
    #[track_caller]
    fn default() -> AtomicWaker {
        AtomicWaker::new()
    }
}

impl fmt::Debug for AtomicWaker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AtomicWaker").finish_non_exhaustive()
    }
}
