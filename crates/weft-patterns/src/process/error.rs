//! How a process ended, and what can go wrong with one.

use std::fmt;
use std::io;

/// How a child process ended.
///
/// Under a checker, where a process is an isolated thread, the status is
/// simulated with the same values: `Exited(0)` after a normal end,
/// `Signaled(9)` after [`Process::kill`](super::Process::kill), and so on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExitStatus {
    /// It exited with this code.
    Exited(i32),
    /// This signal ended it.
    Signaled(i32),
}

impl ExitStatus {
    /// Whether it exited with code 0.
    pub fn success(self) -> bool {
        self == ExitStatus::Exited(0)
    }

    /// The exit code, if it exited.
    pub fn code(self) -> Option<i32> {
        match self {
            ExitStatus::Exited(code) => Some(code),
            ExitStatus::Signaled(_) => None,
        }
    }

    /// The signal that ended it, if one did.
    pub fn signal(self) -> Option<i32> {
        match self {
            ExitStatus::Exited(_) => None,
            ExitStatus::Signaled(signal) => Some(signal),
        }
    }
}

impl fmt::Display for ExitStatus {
    /// `exited with code 3`, or `was killed by signal 9 (SIGKILL)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ExitStatus::Exited(code) => write!(f, "exited with code {code}"),
            ExitStatus::Signaled(signal) => match signal_name(signal) {
                Some(name) => write!(f, "was killed by signal {signal} ({name})"),
                None => write!(f, "was killed by signal {signal}"),
            },
        }
    }
}

/// The usual name of a signal number on this platform (`SIGKILL` for 9 on
/// Linux), or `None` for one without a well-known name.
pub fn signal_name(signal: i32) -> Option<&'static str> {
    let name = match signal {
        libc::SIGHUP => "SIGHUP",
        libc::SIGINT => "SIGINT",
        libc::SIGQUIT => "SIGQUIT",
        libc::SIGILL => "SIGILL",
        libc::SIGTRAP => "SIGTRAP",
        libc::SIGABRT => "SIGABRT",
        libc::SIGBUS => "SIGBUS",
        libc::SIGFPE => "SIGFPE",
        libc::SIGKILL => "SIGKILL",
        libc::SIGUSR1 => "SIGUSR1",
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGUSR2 => "SIGUSR2",
        libc::SIGPIPE => "SIGPIPE",
        libc::SIGALRM => "SIGALRM",
        libc::SIGTERM => "SIGTERM",
        libc::SIGXCPU => "SIGXCPU",
        libc::SIGSYS => "SIGSYS",
        _ => return None,
    };
    Some(name)
}

/// `process `name` (pid 42)`, or `process `name`` when there is no OS pid.
fn describe(name: &str, pid: Option<u32>) -> String {
    match pid {
        Some(pid) => format!("process `{name}` (pid {pid})"),
        None => format!("process `{name}`"),
    }
}

fn died_message(name: &str, pid: Option<u32>, status: &ExitStatus) -> String {
    let who = describe(name, pid);
    if status.success() {
        format!(
            "{who} exited with code 0 without replying \
             (does its binary call `weft_patterns::process::main` first in `main`?)"
        )
    } else {
        format!("{who} {status} before replying")
    }
}

/// What can go wrong with a [`Process`](super::Process).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProcessError {
    /// The entry point panicked in the child; the panic message is kept.
    #[error("process `{name}` panicked: {message}")]
    Panicked {
        /// The process's name.
        name: String,
        /// The panic message.
        message: String,
    },
    /// The child ended (a signal, `abort`, `exit`) before it sent its result.
    #[error("{}", died_message(name, *pid, status))]
    Died {
        /// The process's name.
        name: String,
        /// Its OS process id (`None` under a checker).
        pid: Option<u32>,
        /// How it ended.
        status: ExitStatus,
    },
    /// The arguments, or the result, could not be serialised or deserialised.
    #[error("process `{name}`: {message}")]
    Serialization {
        /// The process's name.
        name: String,
        /// What could not be serialised, and why.
        message: String,
    },
    /// The child does not know the entry point: the binary does not list it
    /// in its call to [`process::main`](super::main).
    #[error(
        "process `{name}`: entry point `{entry}` is not registered in the child \
         (list it in `weft_patterns::process::main`)"
    )]
    UnknownEntry {
        /// The process's name.
        name: String,
        /// The entry point's name.
        entry: String,
    },
    /// The child's arguments select a test (`--exact <path>`, see
    /// [`TestEntry`](super::TestEntry)) that this binary does not have: the
    /// child would have run nothing.
    #[error(
        "process `{name}`: this binary has no test `{test}` for the child to run \
         (derive the path with `weft::process_entry!()` in the test itself)"
    )]
    UnknownTest {
        /// The process's name.
        name: String,
        /// The test path the arguments name.
        test: String,
    },
    /// [`Process::start`](super::Process::start) was called twice.
    #[error("process `{name}` was already started")]
    AlreadyStarted {
        /// The process's name.
        name: String,
    },
    /// The process was never started.
    #[error("process `{name}` was never started")]
    NotStarted {
        /// The process's name.
        name: String,
    },
    /// This binary runs as a child process (`WEFT_PROCESS_CHILD` is set) but
    /// its `main` did not call [`process::main`](super::main) first.
    #[error(
        "this binary was started as a weft child process but its `main` does not call \
         `weft_patterns::process::main` first"
    )]
    NotDispatched,
    /// The child could not be started.
    #[error("failed to spawn process `{name}`")]
    Spawn {
        /// The process's name.
        name: String,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// Signalling or waiting for the child failed.
    #[error("failed to signal or wait for process `{name}`")]
    Control {
        /// The process's name.
        name: String,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The child broke the protocol (a malformed or oversized message).
    #[error("process `{name}` broke the protocol: {message}")]
    Protocol {
        /// The process's name.
        name: String,
        /// What was wrong.
        message: String,
    },
}
