//! Why a trace could not be read, written or checked.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use weft_sync::explore::Backend;

use super::format::FORMAT;

/// Where trace text came from, for error messages: a file, or text handed
/// to [`Trace::from_json`](super::Trace::from_json).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TraceOrigin {
    /// A trace file.
    File(PathBuf),
    /// JSON text passed in memory.
    Text,
}

impl TraceOrigin {
    pub(crate) fn file(path: &Path) -> TraceOrigin {
        TraceOrigin::File(path.to_path_buf())
    }

    pub(crate) fn from_option(path: Option<&Path>) -> TraceOrigin {
        path.map_or(TraceOrigin::Text, TraceOrigin::file)
    }
}

impl fmt::Display for TraceOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TraceOrigin::File(path) => write!(f, "trace file `{}`", path.display()),
            TraceOrigin::Text => f.write_str("trace text"),
        }
    }
}

/// A trace file that could not be read, written or used.
///
/// Each variant is one bad input and says which file and what is wrong with
/// it; the underlying I/O or JSON error, when there is one, is the
/// [`source`](std::error::Error::source).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TraceError {
    /// The file does not exist.
    #[error("{origin} does not exist")]
    Missing {
        /// The file.
        origin: TraceOrigin,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// The file exists but could not be read (permissions, a directory, ...).
    #[error("cannot read {origin}")]
    Unreadable {
        /// The file.
        origin: TraceOrigin,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// The file is empty or holds only whitespace.
    #[error("{origin} is empty")]
    Empty {
        /// The file.
        origin: TraceOrigin,
    },
    /// The JSON ends early: the file was cut off while being written or copied.
    #[error("{origin} is truncated: its JSON ends early")]
    Truncated {
        /// The file.
        origin: TraceOrigin,
        /// The JSON error, with the line and column where the text ends.
        #[source]
        source: serde_json::Error,
    },
    /// The file is not JSON at all.
    #[error("{origin} is not JSON")]
    NotJson {
        /// The file.
        origin: TraceOrigin,
        /// The JSON error, with the line and column of the first bad byte.
        #[source]
        source: serde_json::Error,
    },
    /// The file is JSON, but not a weft trace (another tool's file).
    #[error("{origin} is not a weft trace: {reason}")]
    NotATrace {
        /// The file.
        origin: TraceOrigin,
        /// What is missing or foreign: "it has no \"format\" field", ...
        reason: String,
    },
    /// A weft trace of a format version this weft does not read.
    #[error("{origin} is {found}; this weft reads {FORMAT}")]
    UnsupportedVersion {
        /// The file.
        origin: TraceOrigin,
        /// The file's `format`, e.g. `weft-trace/2`.
        found: String,
    },
    /// A `weft-trace/1` file whose content does not fit the format: a
    /// missing or mistyped field, an unknown enum value, a bad schedule.
    #[error("{origin} is not a valid {FORMAT} trace")]
    Invalid {
        /// The file.
        origin: TraceOrigin,
        /// The JSON error, naming the field, line and column.
        #[source]
        source: serde_json::Error,
    },
    /// A `weft-trace/1` file whose parts contradict each other (a thread
    /// listed at the wrong index, a wait for a thread that does not exist).
    #[error("{origin} is inconsistent: {reason}")]
    Inconsistent {
        /// The file.
        origin: TraceOrigin,
        /// What contradicts what.
        reason: String,
    },
    /// A trace of another model than the one asked for.
    #[error("{origin} is a trace of model `{found}`, not of `{expected}`")]
    WrongModel {
        /// The file.
        origin: TraceOrigin,
        /// The model asked for.
        expected: String,
        /// The model the trace records.
        found: String,
    },
    /// A trace recorded on another backend than this build's.
    #[error("{origin} was recorded on {recorded}, but this build runs on {current}: {hint}")]
    WrongBackend {
        /// The file.
        origin: TraceOrigin,
        /// The backend the trace was recorded on.
        recorded: Backend,
        /// This build's backend.
        current: Backend,
        /// What to run instead, e.g. "run with --features shuttle".
        hint: String,
    },
    /// A schedule string that is not a weft schedule encoding.
    #[error("invalid schedule `{schedule}`: {reason}")]
    InvalidSchedule {
        /// The schedule, shortened to its first 60 characters.
        schedule: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The trace directory could not be created.
    #[error("cannot create the trace directory `{}`", dir.display())]
    CreateDir {
        /// The directory.
        dir: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// The trace file could not be written.
    #[error("cannot write trace file `{}`", path.display())]
    Write {
        /// The file (or its temporary sibling) being written.
        path: PathBuf,
        /// The I/O or serialisation error.
        #[source]
        source: io::Error,
    },
}

impl TraceError {
    /// The file the error is about, if it is about one.
    pub fn path(&self) -> Option<&Path> {
        match self {
            TraceError::Missing { origin, .. }
            | TraceError::Unreadable { origin, .. }
            | TraceError::Empty { origin }
            | TraceError::Truncated { origin, .. }
            | TraceError::NotJson { origin, .. }
            | TraceError::NotATrace { origin, .. }
            | TraceError::UnsupportedVersion { origin, .. }
            | TraceError::Invalid { origin, .. }
            | TraceError::Inconsistent { origin, .. }
            | TraceError::WrongModel { origin, .. }
            | TraceError::WrongBackend { origin, .. } => match origin {
                TraceOrigin::File(path) => Some(path),
                TraceOrigin::Text => None,
            },
            TraceError::CreateDir { dir, .. } => Some(dir),
            TraceError::Write { path, .. } => Some(path),
            TraceError::InvalidSchedule { .. } => None,
        }
    }
}
