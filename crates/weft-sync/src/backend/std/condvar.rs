use std::sync::LockResult;
use std::time::Duration;

use super::mutex::{rejoin, split, Token};
use super::MutexGuard;
use crate::sync::WaitTimeoutResult;

/// A condition variable. Same as [`std::sync::Condvar`].
///
/// # Examples
///
/// ```
/// use weft_sync::sync::{Arc, Condvar, Mutex};
/// use weft_sync::thread;
///
/// let pair = Arc::new((Mutex::new(false), Condvar::new().named("ready")));
/// let pair2 = Arc::clone(&pair);
/// thread::spawn(move || {
///     *pair2.0.lock().unwrap() = true;
///     pair2.1.notify_one();
/// });
/// let mut ready = pair.0.lock().unwrap();
/// while !*ready {
///     ready = pair.1.wait(ready).unwrap();
/// }
/// ```
#[repr(transparent)]
#[derive(Debug, Default)]
pub struct Condvar(std::sync::Condvar);

impl Condvar {
    /// Creates a condition variable with no waiters.
    #[inline]
    #[track_caller]
    pub fn new() -> Self {
        Condvar(std::sync::Condvar::new())
    }

    /// Names the condition variable in failure reports; a no-op in std mode.
    #[inline]
    #[must_use]
    pub fn named(self, _name: impl Into<String>) -> Self {
        self
    }

    /// Names one element of an array of primitives in failure reports:
    /// `named_indexed("slot", 3)` is `slot[3]`; a no-op in std mode (nothing is formatted).
    #[inline]
    #[must_use]
    pub fn named_indexed(self, _name: &str, _index: usize) -> Self {
        self
    }

    /// Releases the lock, waits for a notification, then re-acquires the lock.
    /// Wakeups may be spurious: wait in a loop, or use [`Condvar::wait_while`].
    ///
    /// # Errors
    ///
    /// A poisoned mutex returns the guard inside the error.
    #[inline]
    #[track_caller]
    pub fn wait<'a, T>(&self, guard: MutexGuard<'a, T>) -> LockResult<MutexGuard<'a, T>> {
        let (guard, token) = split(guard);
        rejoined(self.0.wait(guard), token)
    }

    /// Waits while `condition` holds.
    ///
    /// # Errors
    ///
    /// A poisoned mutex returns the guard inside the error.
    #[inline]
    #[track_caller]
    pub fn wait_while<'a, T, F>(
        &self,
        guard: MutexGuard<'a, T>,
        condition: F,
    ) -> LockResult<MutexGuard<'a, T>>
    where
        F: FnMut(&mut T) -> bool,
    {
        let (guard, token) = split(guard);
        rejoined(self.0.wait_while(guard, condition), token)
    }

    /// Like [`Condvar::wait`], but gives up after `timeout`.
    ///
    /// # Errors
    ///
    /// A poisoned mutex returns the guard inside the error.
    #[inline]
    #[track_caller]
    pub fn wait_timeout<'a, T>(
        &self,
        guard: MutexGuard<'a, T>,
        timeout: Duration,
    ) -> LockResult<(MutexGuard<'a, T>, WaitTimeoutResult)> {
        let (guard, token) = split(guard);
        rejoined_timeout(map_timeout(self.0.wait_timeout(guard, timeout)), token)
    }

    /// Waits while `condition` holds, for at most `timeout`.
    ///
    /// # Errors
    ///
    /// A poisoned mutex returns the guard inside the error.
    #[inline]
    #[track_caller]
    pub fn wait_timeout_while<'a, T, F>(
        &self,
        guard: MutexGuard<'a, T>,
        timeout: Duration,
        condition: F,
    ) -> LockResult<(MutexGuard<'a, T>, WaitTimeoutResult)>
    where
        F: FnMut(&mut T) -> bool,
    {
        let (guard, token) = split(guard);
        rejoined_timeout(
            map_timeout(self.0.wait_timeout_while(guard, timeout, condition)),
            token,
        )
    }

    /// Wakes one waiting thread.
    #[inline]
    #[track_caller]
    pub fn notify_one(&self) {
        self.0.notify_one()
    }

    /// Wakes every waiting thread.
    #[inline]
    #[track_caller]
    pub fn notify_all(&self) {
        self.0.notify_all()
    }
}

#[inline]
fn map_timeout<G>(
    result: LockResult<(G, std::sync::WaitTimeoutResult)>,
) -> LockResult<(G, WaitTimeoutResult)> {
    match result {
        Ok((guard, t)) => Ok((guard, WaitTimeoutResult::new(t.timed_out()))),
        Err(poison) => {
            let (guard, t) = poison.into_inner();
            Err(std::sync::PoisonError::new((
                guard,
                WaitTimeoutResult::new(t.timed_out()),
            )))
        }
    }
}

/// A condvar wait's result with weft's guard again (the same guard
/// without the `lockdep` feature: this compiles to nothing).
#[inline]
fn rejoined<T>(
    result: LockResult<std::sync::MutexGuard<'_, T>>,
    token: Token,
) -> LockResult<MutexGuard<'_, T>> {
    match result {
        Ok(guard) => Ok(rejoin(guard, token)),
        Err(poison) => Err(std::sync::PoisonError::new(rejoin(
            poison.into_inner(),
            token,
        ))),
    }
}

/// [`rejoined`] for a timed wait.
#[inline]
fn rejoined_timeout<T>(
    result: LockResult<(std::sync::MutexGuard<'_, T>, WaitTimeoutResult)>,
    token: Token,
) -> LockResult<(MutexGuard<'_, T>, WaitTimeoutResult)> {
    match result {
        Ok((guard, t)) => Ok((rejoin(guard, token), t)),
        Err(poison) => {
            let (guard, t) = poison.into_inner();
            Err(std::sync::PoisonError::new((rejoin(guard, token), t)))
        }
    }
}
