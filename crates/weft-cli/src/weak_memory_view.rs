//! A weak-memory failure's stale read, laid out for `cargo weft show` and
//! the HTML page (`html/weak_memory.js` draws it): the load, the store it
//! read from (none for the initial value), the newer store it did not
//! see, the report's explanation and the repair hint.

use serde::Serialize;
use weft_check::Failure;

/// The stale read of a failure, by step number.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct WeakMemoryView {
    /// The atomic's name.
    pub(crate) object: String,
    /// The stale load's step.
    pub(crate) load_step: usize,
    /// The step of the store it read from; `None` for the initial value.
    pub(crate) read_from_step: Option<usize>,
    /// The newer store's step.
    pub(crate) newer_step: usize,
    /// The explanation, as the failure report words it (several lines).
    pub(crate) text: String,
    /// The repair hint, when one was found.
    pub(crate) hint: Option<String>,
}

impl WeakMemoryView {
    /// The view of `failure`'s stale read, if it has one.
    pub(crate) fn new(failure: &Failure) -> Option<WeakMemoryView> {
        let stale = failure.stale_read()?;
        Some(WeakMemoryView {
            object: failure.log().object_name(stale.object),
            load_step: stale.load,
            read_from_step: stale.read_from,
            newer_step: stale.newer,
            text: failure.weak_memory_explanation()?,
            hint: failure
                .repair()
                .filter(|r| !r.changes.is_empty())
                .map(ToString::to_string),
        })
    }
}
