//! The cycles [`Policy::Warn`](super::Policy::Warn)
//! printed: each once per process, however many workers, explorations or
//! executions find it again.

use std::sync::Mutex;

use super::LockCycle;

static WARNED: Mutex<Vec<LockCycle>> = Mutex::new(Vec::new());

/// Whether two cycles are the same orders at the same lines (whoever took
/// them, in whichever execution).
fn same(a: &LockCycle, b: &LockCycle) -> bool {
    let key = |c: &LockCycle| {
        let mut k: Vec<_> = c
            .edges
            .iter()
            .map(|e| (e.held.clone(), e.held_at, e.acquired.clone(), e.acquired_at))
            .collect();
        k.sort();
        k
    };
    key(a) == key(b)
}

/// Prints `cycle` to stderr as a warning, unless this process already did.
#[cfg_attr(
    not(any(feature = "loom", feature = "shuttle", feature = "lockdep")),
    allow(dead_code)
)]
pub(crate) fn warn(cycle: LockCycle) {
    let mut warned = WARNED.lock().unwrap_or_else(|e| e.into_inner());
    if warned.iter().any(|w| same(w, &cycle)) {
        return;
    }
    eprintln!("warning: weft: {}", cycle.message());
    warned.push(cycle);
}

/// The cycles this process warned of under
/// [`Policy::Warn`](super::Policy::Warn), oldest first,
/// each once.
///
/// # Examples
///
/// ```
/// // Nothing closed a cycle in this process.
/// assert!(weft_sync::lockdep::warned().is_empty());
/// ```
pub fn warned() -> Vec<LockCycle> {
    WARNED.lock().unwrap_or_else(|e| e.into_inner()).clone()
}
