//! The errors of misused synchronization primitives.

/// Why a `release` was refused. The primitive is left unchanged.
///
/// Python raises `RuntimeError` (locks) or `ValueError` (bounded
/// semaphores) for these; here they are values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReleaseError {
    /// The lock was not held by anyone.
    #[error("release an unlocked lock")]
    Unlocked,
    /// The re-entrant lock is held by another thread.
    #[error("release a lock held by another thread")]
    NotOwner,
    /// A bounded semaphore would go past its initial value.
    #[error("release a bounded semaphore past its initial value {bound}")]
    TooManyReleases {
        /// The semaphore's initial (and maximum) value.
        bound: usize,
    },
}

/// A [`Condition`](super::Condition) was waited on or notified by a thread
/// that does not hold its lock (Python's `RuntimeError: cannot wait on
/// un-acquired lock`). Nothing was waited for or notified.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("use a condition without holding its lock")]
pub struct NotHeldError;
