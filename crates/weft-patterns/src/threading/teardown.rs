//! Guards that release in their destructor, and a checker's teardown.

/// Whether a guard's destructor must leave its primitive alone: the
/// checker is tearing a failed execution down (a deadlock unwinds every
/// blocked thread). A model operation in a destructor would then panic
/// again and abort the test binary, and would record steps that never
/// happened. A panic that a model catches is not a teardown: the guard
/// releases, as it always does on real threads (and as Python's `with`
/// does on an exception).
pub(crate) fn unwinding_in_a_model() -> bool {
    std::thread::panicking() && weft_sync::record::tearing_down()
}
