//! Python's `threading.Event`.

use std::fmt;
use std::sync::PoisonError;

use weft_sync::sync::{Condvar, Mutex};
use weft_sync::time::Duration;

use weft_sync::time::Deadline;

use crate::timed_wait::{notify_counted, wait_until_counted, Wake};

/// The flag, and how many times it went from clear to set: a waiter that
/// saw the flag clear is woken by a later set even if the flag was cleared
/// again before it ran.
#[derive(Clone, Copy, Debug)]
struct Flag {
    set: bool,
    sets: u64,
    /// Threads waiting: `set` notifies only when one does (a notification
    /// nobody waits for is still a step a checker orders against every
    /// wait on the condvar).
    waiting: usize,
}

/// A flag threads wait on: [`set`](Event::set) wakes every waiter,
/// [`clear`](Event::clear) resets it. Same as Python's `threading.Event`.
///
/// The flag is only read and written under the event's own lock, so a
/// `set` is never lost on a thread that is about to wait.
///
/// # Misuse
///
/// None is possible: every method may be called by any thread at any time.
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use std::time::Duration;
/// use weft_patterns::threading::Event;
/// use weft_sync::sync::Arc;
/// use weft_sync::thread;
///
/// let ready = Arc::new(Event::new().named("ready"));
/// assert!(!ready.wait(Some(Duration::from_millis(1)))); // times out
/// let r = Arc::clone(&ready);
/// let setter = thread::spawn(move || r.set());
/// assert!(ready.wait(None));
/// assert!(ready.is_set());
/// setter.join().unwrap();
/// # });
/// ```
pub struct Event {
    flag: Mutex<Flag>,
    changed: Condvar,
}

impl Event {
    /// An event whose flag is clear.
    #[track_caller]
    pub fn new() -> Self {
        Event {
            flag: Mutex::new(Flag {
                set: false,
                sets: 0,
                waiting: 0,
            }),
            changed: Condvar::new(),
        }
    }

    /// Names the event in failure reports; a no-op in std mode.
    #[must_use]
    pub fn named(self, name: impl Into<String>) -> Self {
        let name = name.into();
        Event {
            flag: self.flag.named(name.clone()),
            changed: self.changed.named(name),
        }
    }

    /// Sets the flag and wakes every waiting thread.
    #[track_caller]
    pub fn set(&self) {
        let mut flag = self.flag.lock().unwrap_or_else(PoisonError::into_inner);
        if flag.set {
            return;
        }
        flag.set = true;
        flag.sets += 1;
        notify_counted(&self.changed, flag.waiting, flag, Wake::All);
    }

    /// Clears the flag: later waits block until the next [`Event::set`].
    #[track_caller]
    pub fn clear(&self) {
        self.flag.lock().unwrap_or_else(PoisonError::into_inner).set = false;
    }

    /// Whether the flag is set.
    #[track_caller]
    pub fn is_set(&self) -> bool {
        self.flag.lock().unwrap_or_else(PoisonError::into_inner).set
    }

    /// Waits until the flag is set, for at most `timeout`. Returns `true`
    /// when the flag was set or a [`Event::set`] happened during the wait
    /// (even if cleared again since), `false` when it timed out.
    #[track_caller]
    pub fn wait(&self, timeout: Option<Duration>) -> bool {
        let deadline = Deadline::after(timeout);
        let mut flag = self.flag.lock().unwrap_or_else(PoisonError::into_inner);
        let seen = flag.sets;
        let mut expired = false;
        loop {
            if flag.set || flag.sets != seen {
                return true;
            }
            if expired {
                return false;
            }
            (flag, expired) =
                wait_until_counted(&self.changed, flag, &deadline, |f| &mut f.waiting);
        }
    }
}

impl Default for Event {
    #[track_caller]
    fn default() -> Self {
        Event::new()
    }
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event")
            .field("set", &self.is_set())
            .finish()
    }
}
