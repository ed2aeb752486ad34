//! Hints to the scheduler.

/// Signals a spin-wait iteration. Same as [`std::hint::spin_loop`]; under a
/// checker it yields, so that spin loops terminate in the model.
#[inline]
#[track_caller]
pub fn spin_loop() {
    crate::backend::spin_loop()
}

/// Whether a thread about to block should first spin (or yield) a little,
/// looking again for what it waits for.
///
/// `true` on real threads (std mode): another thread runs in parallel and
/// may provide the thing within microseconds, sooner than a sleep and a
/// wakeup take. `false` under a checker: one model thread runs at a time,
/// so a spin cannot see progress, and every extra look only multiplies the
/// interleavings to explore. The blocking protocol alone is what a model
/// should check.
///
/// # Examples
///
/// ```
/// use weft_sync::hint;
///
/// let mut looks = 0;
/// if hint::spin_before_block() {
///     while looks < 10 {
///         hint::spin_loop(); // then look again for the work
///         looks += 1;
///     }
/// }
/// // ... then block on a condvar
/// # let _ = looks;
/// ```
#[inline]
pub fn spin_before_block() -> bool {
    crate::backend::SPIN_BEFORE_BLOCK
}
