//! Spurious wakeups of `Condvar::wait`, each thread's at most once per
//! execution.

use super::{slot, with};

/// Whether the current thread's wait may end spuriously: wakeups are
/// explored and the thread has not woken spuriously yet in this execution.
pub(crate) fn may_wake_spuriously() -> bool {
    with(|e| e.spurious_wakeups && !e.woke_spuriously.get(e.current).copied().unwrap_or(false))
        .unwrap_or(false)
}

/// The current thread woke spuriously: it may not again in this execution.
pub(crate) fn woke_spuriously() {
    with(|e| {
        let me = e.current;
        *slot(&mut e.woke_spuriously, me) = true;
    });
}
