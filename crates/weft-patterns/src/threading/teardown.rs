//! Guards that release in their destructor, and a checker's teardown.

use weft_sync::explore::Backend;

/// Whether a guard's destructor must leave its primitive alone: the thread
/// is unwinding under a checker. There a panic ends the execution and the
/// engine tears it down (a deadlock unwinds every blocked thread): a model
/// operation in a destructor would panic again and abort the test binary,
/// and would record steps that never happened. On real threads a guard
/// always releases, as Python's `with` does on an exception.
pub(crate) fn unwinding_in_a_model() -> bool {
    std::thread::panicking() && Backend::current() != Backend::Std
}
