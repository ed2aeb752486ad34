//! What a checker run records: events with source locations, the objects
//! and threads they name, and what each thread holds and waits for.
//!
//! In std mode nothing is recorded; under a checker every operation of a
//! weft primitive appends an [`Event`] to the current execution's
//! [`ExecutionLog`], from which weft-check builds failure reports.

mod coverage;
mod event;
mod hooks;
mod location;
mod log;
mod object;
mod panic;
mod thread;

pub use coverage::{Coverage, OpClass};
pub use event::{
    ordering_from_name, ordering_name, AtomicAccess, Event, Op, Value, ATOMIC_METHODS,
};
pub use hooks::{deadlock, tearing_down, user_event};
pub use location::Loc;
pub use log::ExecutionLog;
pub use object::{ObjectInfo, ObjectKind};
pub use panic::panic_message;
pub use thread::{Held, ThreadInfo, ThreadState, WaitKind, Waiting};
