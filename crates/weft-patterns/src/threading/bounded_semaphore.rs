//! Python's `threading.BoundedSemaphore`.

use std::fmt;

use weft_sync::time::Duration;

use super::{ReleaseError, Semaphore, SemaphorePermit};

/// A [`Semaphore`] whose value may never go past its initial value. Same as
/// Python's `threading.BoundedSemaphore`: releasing more than was acquired
/// is a bug it reports.
///
/// # Misuse
///
/// A [`release`](BoundedSemaphore::release) that would take the value past
/// the initial value returns [`ReleaseError::TooManyReleases`] and releases
/// nothing.
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use weft_patterns::threading::{BoundedSemaphore, ReleaseError};
///
/// let pool = BoundedSemaphore::new(1).named("connections");
/// assert!(pool.acquire(true, None));
/// pool.release(1).unwrap();
/// assert_eq!(pool.release(1), Err(ReleaseError::TooManyReleases { bound: 1 }));
/// assert_eq!(pool.value(), 1);
/// # });
/// ```
pub struct BoundedSemaphore {
    inner: Semaphore,
}

impl BoundedSemaphore {
    /// A semaphore with `value` permits, never more.
    #[track_caller]
    pub fn new(value: usize) -> Self {
        BoundedSemaphore {
            inner: Semaphore::bounded(value),
        }
    }

    /// Names the semaphore in failure reports; a no-op in std mode.
    #[must_use]
    pub fn named(self, name: impl Into<String>) -> Self {
        BoundedSemaphore {
            inner: self.inner.named(name),
        }
    }

    /// Takes a permit, as [`Semaphore::acquire`].
    ///
    /// # Panics
    ///
    /// When `blocking` is false and a timeout is given.
    #[track_caller]
    pub fn acquire(&self, blocking: bool, timeout: Option<Duration>) -> bool {
        self.inner.acquire(blocking, timeout)
    }

    /// Gives `n` permits back, waking up to `n` waiting threads.
    ///
    /// # Errors
    ///
    /// [`ReleaseError::TooManyReleases`] when the value would go past the
    /// initial value; nothing is released then.
    #[track_caller]
    pub fn release(&self, n: usize) -> Result<(), ReleaseError> {
        self.inner.release_bounded(n)
    }

    /// The initial value, which the value never exceeds.
    pub fn bound(&self) -> usize {
        self.inner.bound().unwrap_or(usize::MAX)
    }

    /// The permits available now.
    #[track_caller]
    pub fn value(&self) -> usize {
        self.inner.value()
    }

    /// Takes a permit, blocking; it is given back when dropped.
    #[track_caller]
    pub fn permit(&self) -> SemaphorePermit<'_> {
        self.inner.permit()
    }

    /// Takes a permit if one is available, without blocking.
    #[track_caller]
    pub fn try_permit(&self) -> Option<SemaphorePermit<'_>> {
        self.inner.try_permit()
    }

    /// Takes a permit, waiting for at most `timeout`.
    #[track_caller]
    pub fn permit_timeout(&self, timeout: Duration) -> Option<SemaphorePermit<'_>> {
        self.inner.permit_timeout(timeout)
    }
}

impl fmt::Debug for BoundedSemaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BoundedSemaphore")
            .field("value", &self.inner.value())
            .field("bound", &self.bound())
            .finish()
    }
}
