//! Hints to the scheduler.

/// Signals a spin-wait iteration. Same as [`std::hint::spin_loop`]; under a
/// checker it yields, so that spin loops terminate in the model.
#[inline]
#[track_caller]
pub fn spin_loop() {
    crate::backend::spin_loop()
}
