//! Trace files: a failing execution as JSON, format `weft-trace/1`.
//!
//! Every failure can be written as a trace file, by default
//! `target/weft/traces/<model>-<hash>.json`: the failure, its threads, objects and
//! steps, the backend, scheduler, seed and schedule, and weft's version.
//! `docs/trace-format.md` documents every field.
//!
//! ```
//! use weft_check::trace::{default_trace_dir, read_trace, write_trace, Trace};
//! use weft_check::{Backend, FailureKind, Model};
//!
//! let failure = Model::new().name("doc_trace").iterations(1).explore(|| panic!("boom")).unwrap_err();
//! let trace = Trace::from_failure(&failure);
//! assert_eq!(trace.failure.kind, FailureKind::Assertion);
//!
//! let dir = std::env::temp_dir().join(format!("weft-doc-trace-{}", std::process::id()));
//! let path = write_trace(&dir, &trace).unwrap();
//! let back = read_trace(&path).unwrap();
//! assert_eq!(back, trace);
//! back.check_model("doc_trace").unwrap();
//! back.check_backend(Backend::current()).unwrap();
//! assert_eq!(back.to_failure().message(), "boom");
//! if std::env::var_os("WEFT_TRACE_DIR").is_none() {
//!     assert!(default_trace_dir().ends_with("weft/traces"));
//! }
//! # std::fs::remove_dir_all(&dir).unwrap();
//! ```
//!
//! Reading refuses each kind of bad input with a [`TraceError`] that names
//! the file and the problem: missing, unreadable, empty, truncated, not
//! JSON, JSON but not a weft trace, another format version, invalid or
//! inconsistent content; [`Trace::check_model`] and
//! [`Trace::check_backend`] refuse a trace of another model or backend.
//!
//! A trace that reads without error satisfies what weft relies on when it
//! rebuilds the failure: `threads[i].id == i`, `objects[i].id == i`, a
//! thread waits only for a thread in `threads`, and the backend and seed
//! agree with the schedule. Other ids (of steps, holds, races) may name
//! nothing; readers look them up with a fallback.

mod convert;
mod error;
mod flip_point;
mod format;
mod read;
mod schedule;
mod weak_memory;
mod write;

pub use error::{TraceError, TraceOrigin};
pub use flip_point::FlipPointRecord;
pub use format::{
    AccessRecord, AtomicRecord, BlockedRecord, CycleEdgeRecord, FailureRecord, HeldRecord,
    LocationRecord, MinimizedRecord, NamedLockRecord, ObjectRecord, OpRecord, RaceRecord,
    StepRecord, ThreadRecord, Trace, TraceFormat, WaitingRecord, FORMAT,
};
pub use read::read_trace;
pub use schedule::{decode_schedule, encode_schedule};
pub use weak_memory::{OrderingChangeRecord, RepairRecord, WeakMemoryRecord};
pub use write::{default_trace_dir, trace_file_path, trace_file_stem, write_trace};
