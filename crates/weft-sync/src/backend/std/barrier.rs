use crate::sync::BarrierWaitResult;

/// A barrier: `n` threads wait until all `n` have arrived. Same as
/// [`std::sync::Barrier`].
///
/// # Examples
///
/// ```
/// use weft_sync::sync::{Arc, Barrier};
/// use weft_sync::thread;
///
/// let barrier = Arc::new(Barrier::new(2));
/// let b = Arc::clone(&barrier);
/// let h = thread::spawn(move || b.wait().is_leader());
/// let leader_here = barrier.wait().is_leader();
/// assert!(leader_here ^ h.join().unwrap());
/// ```
#[derive(Debug)]
pub struct Barrier(std::sync::Barrier);

impl Barrier {
    /// Creates a barrier for `n` threads.
    #[inline]
    #[track_caller]
    pub fn new(n: usize) -> Self {
        Barrier(std::sync::Barrier::new(n))
    }

    /// Names the barrier in failure reports; a no-op in std mode.
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

    /// Blocks until all `n` threads have called `wait`; one of them is the leader.
    #[inline]
    #[track_caller]
    pub fn wait(&self) -> BarrierWaitResult {
        BarrierWaitResult::new(self.0.wait().is_leader())
    }
}
