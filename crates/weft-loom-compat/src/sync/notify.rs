use weft::sync::{Condvar, Mutex};

/// loom's `Notify`: `notify` stores one wakeup that a `wait` consumes (an
/// earlier `notify` is not lost), built on weft's modelled `Mutex` and
/// `Condvar`.
///
/// # Examples
///
/// ```
/// loom::model(|| {
///     let n = loom::sync::Notify::new();
///     n.notify();
///     n.wait();
/// });
/// ```
#[derive(Debug)]
pub struct Notify {
    notified: Mutex<bool>,
    cv: Condvar,
}

impl Notify {
    /// A `Notify` with no stored wakeup.
    #[track_caller]
    pub fn new() -> Notify {
        Notify {
            notified: Mutex::new(false).named("Notify"),
            cv: Condvar::new().named("Notify"),
        }
    }

    /// Stores a wakeup, waking a waiter if there is one.
    #[track_caller]
    pub fn notify(&self) {
        *self.notified.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.cv.notify_one();
    }

    /// Waits for a wakeup and consumes it.
    #[track_caller]
    pub fn wait(&self) {
        let mut n = self.notified.lock().unwrap_or_else(|e| e.into_inner());
        while !*n {
            n = self.cv.wait(n).unwrap_or_else(|e| e.into_inner());
        }
        *n = false;
    }
}

impl Default for Notify {
    #[track_caller]
    fn default() -> Notify {
        Notify::new()
    }
}
