/// Whether a timed wait timed out. Same as [`std::sync::WaitTimeoutResult`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WaitTimeoutResult(bool);

impl WaitTimeoutResult {
    pub(crate) fn new(timed_out: bool) -> Self {
        WaitTimeoutResult(timed_out)
    }

    /// Whether the wait returned because its timeout elapsed.
    #[inline]
    pub fn timed_out(&self) -> bool {
        self.0
    }
}

/// Which thread of a barrier is the leader. Same as [`std::sync::BarrierWaitResult`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BarrierWaitResult(bool);

impl BarrierWaitResult {
    pub(crate) fn new(leader: bool) -> Self {
        BarrierWaitResult(leader)
    }

    /// Whether this thread is the barrier's leader (exactly one per generation).
    #[inline]
    pub fn is_leader(&self) -> bool {
        self.0
    }
}
