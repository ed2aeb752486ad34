//! Linearizability checking for weft (work in progress: the check).
pub mod check;
mod history;
mod spec;

pub use history::{thread_name, History, HistoryError, Operation, Part};
pub use spec::Spec;
