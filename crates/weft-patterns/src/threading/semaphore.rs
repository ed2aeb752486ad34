//! Python's `threading.Semaphore`.

use std::fmt;
use std::sync::PoisonError;

use weft_sync::sync::{Condvar, Mutex};
use weft_sync::time::Duration;

use weft_sync::time::Deadline;

use super::lock::acquire_deadline;
use super::teardown;
use super::ReleaseError;
use crate::timed_wait::wait_until_counted;

/// A counter of permits: `acquire` takes one, waiting while there are none;
/// `release` gives some back. Same as Python's `threading.Semaphore`.
///
/// # Misuse
///
/// - Any thread may release, and release more than it acquired: the value
///   simply grows (use [`BoundedSemaphore`](super::BoundedSemaphore) to
///   refuse that). `release(0)` does nothing.
/// - A value that would overflow `usize` panics.
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use weft_patterns::threading::Semaphore;
///
/// let slots = Semaphore::new(2).named("slots");
/// assert!(slots.acquire(true, None));
/// let permit = slots.permit(); // the second slot, given back on drop
/// assert!(!slots.acquire(false, None)); // none left
/// drop(permit);
/// slots.release(1);
/// assert_eq!(slots.value(), 2);
/// # });
/// ```
pub struct Semaphore {
    value: Mutex<Permits>,
    available: Condvar,
    /// The bound of a [`BoundedSemaphore`](super::BoundedSemaphore).
    bound: Option<usize>,
}

/// The permits, and how many threads wait for one: a release notifies
/// only when one does (a notification nobody waits for is still a step a
/// checker orders against every wait on the condvar).
#[derive(Clone, Copy, Debug)]
struct Permits {
    value: usize,
    waiting: usize,
}

impl Semaphore {
    /// A semaphore with `value` permits.
    #[track_caller]
    pub fn new(value: usize) -> Self {
        Semaphore {
            value: Mutex::new(Permits { value, waiting: 0 }),
            available: Condvar::new(),
            bound: None,
        }
    }

    #[track_caller]
    pub(crate) fn bounded(value: usize) -> Self {
        Semaphore {
            bound: Some(value),
            ..Semaphore::new(value)
        }
    }

    /// Names the semaphore in failure reports; a no-op in std mode.
    #[must_use]
    pub fn named(self, name: impl Into<String>) -> Self {
        let name = name.into();
        Semaphore {
            value: self.value.named(name.clone()),
            available: self.available.named(name),
            bound: self.bound,
        }
    }

    /// Takes a permit: Python's `acquire(blocking, timeout)`. Waits while
    /// there is none when `blocking`, for at most `timeout` if given;
    /// returns whether a permit was taken.
    ///
    /// # Panics
    ///
    /// When `blocking` is false and a timeout is given (Python raises
    /// `ValueError`).
    #[track_caller]
    pub fn acquire(&self, blocking: bool, timeout: Option<Duration>) -> bool {
        self.acquire_until(acquire_deadline(blocking, timeout))
    }

    #[track_caller]
    fn acquire_until(&self, deadline: Deadline) -> bool {
        let mut permits = self.value.lock().unwrap_or_else(PoisonError::into_inner);
        let mut expired = false;
        loop {
            if permits.value > 0 {
                permits.value -= 1;
                return true;
            }
            if expired {
                return false;
            }
            (permits, expired) =
                wait_until_counted(&self.available, permits, &deadline, |p| &mut p.waiting);
        }
    }

    /// Gives `n` permits back, waking up to `n` waiting threads.
    ///
    /// # Panics
    ///
    /// When the value would overflow `usize`.
    #[track_caller]
    pub fn release(&self, n: usize) {
        let mut permits = self.value.lock().unwrap_or_else(PoisonError::into_inner);
        permits.value = permits
            .value
            .checked_add(n)
            .expect("semaphore value overflows usize");
        let wake = n.min(permits.waiting);
        drop(permits);
        self.wake(wake);
    }

    /// Gives `n` permits back unless that takes the value past the bound.
    #[track_caller]
    pub(crate) fn release_bounded(&self, n: usize) -> Result<(), ReleaseError> {
        let mut permits = self.value.lock().unwrap_or_else(PoisonError::into_inner);
        let bound = self.bound.unwrap_or(usize::MAX);
        match permits.value.checked_add(n) {
            Some(v) if v <= bound => permits.value = v,
            _ => return Err(ReleaseError::TooManyReleases { bound }),
        }
        let wake = n.min(permits.waiting);
        drop(permits);
        self.wake(wake);
        Ok(())
    }

    /// The bound of a bounded semaphore.
    pub(crate) fn bound(&self) -> Option<usize> {
        self.bound
    }

    #[track_caller]
    fn wake(&self, n: usize) {
        match n {
            0 => {}
            1 => self.available.notify_one(),
            _ => self.available.notify_all(),
        }
    }

    /// The permits available now.
    #[track_caller]
    pub fn value(&self) -> usize {
        self.value
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .value
    }

    /// Takes a permit, blocking; the permit gives it back when dropped
    /// (Python's `with semaphore:`).
    #[track_caller]
    pub fn permit(&self) -> SemaphorePermit<'_> {
        self.acquire_until(Deadline::never());
        SemaphorePermit { semaphore: self }
    }

    /// Takes a permit if one is available, without blocking.
    #[track_caller]
    pub fn try_permit(&self) -> Option<SemaphorePermit<'_>> {
        self.acquire_until(Deadline::now())
            .then(|| SemaphorePermit { semaphore: self })
    }

    /// Takes a permit, waiting for at most `timeout`.
    #[track_caller]
    pub fn permit_timeout(&self, timeout: Duration) -> Option<SemaphorePermit<'_>> {
        self.acquire_until(Deadline::after(Some(timeout)))
            .then(|| SemaphorePermit { semaphore: self })
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Semaphore")
            .field("value", &self.value())
            .field("bound", &self.bound)
            .finish()
    }
}

/// A permit taken from a [`Semaphore`] or a
/// [`BoundedSemaphore`](super::BoundedSemaphore); dropping it gives the
/// permit back.
#[must_use = "the permit is given back as soon as it is dropped"]
pub struct SemaphorePermit<'a> {
    semaphore: &'a Semaphore,
}

impl Drop for SemaphorePermit<'_> {
    fn drop(&mut self) {
        if teardown::unwinding_in_a_model() {
            return;
        }
        // A bounded semaphore refuses only when permits were released
        // explicitly on top of this one (misuse); the value is then at its
        // bound already, which is what giving this one back would reach.
        let _ = self.semaphore.release_bounded(1);
    }
}

impl fmt::Debug for SemaphorePermit<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SemaphorePermit").finish_non_exhaustive()
    }
}
