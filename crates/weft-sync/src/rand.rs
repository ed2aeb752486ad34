//! Nondeterminism the checker controls.

/// A choice in `0..n` that the checker explores: under shuttle a recorded
/// random choice its scheduler varies (and replays); in production, and on
/// loom (which explores thread interleavings, not choices), always `0`.
///
/// Use it where a real program's choice is arbitrary (which ready task runs
/// next) and every option must be correct.
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// let next = weft_sync::rand::choose(3);
/// assert!(next < 3);
/// # });
/// ```
#[inline]
#[track_caller]
pub fn choose(n: usize) -> usize {
    crate::backend::choose(n)
}
