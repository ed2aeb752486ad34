//! The parent's handle on a child, whichever kind it is.
//!
//! A child is three parts that different threads may hold: the input (frames
//! to the child), the output (frames from it) and the control (pid, signals,
//! exit status). [`spawn`] is the one place that decides what a child is: a
//! real OS process in std mode ([`os_child`](super::os_child)), an isolated
//! thread under a checker ([`isolated`](super::isolated)).

use std::ffi::OsString;
use std::io;

use weft_sync::capability;

use super::entry::EntryPoint;
use super::error::ExitStatus;
use super::frame::FrameError;
use super::{isolated, os_child};

/// Whether processes are real OS processes (on real threads) rather than
/// isolated threads (under a checker, which cannot explore another
/// process). The decision, made here only.
pub(crate) fn real_processes() -> bool {
    capability::real_threads()
}

/// What to start.
#[derive(Clone, Debug)]
pub(crate) struct SpawnSpec {
    /// The process's name (its thread's name under a checker).
    pub(crate) name: String,
    /// Command-line arguments for the re-executed binary.
    pub(crate) child_args: Vec<OsString>,
}

/// Frames from the parent to the child. Dropping it closes the child's input:
/// the child then exits once it has answered what it received.
pub(crate) trait ChildInput: Send {
    /// Sends one whole frame. `code` is the entry point the frame names: an
    /// isolated child receives it with the frame (the code a real child finds
    /// in its own copy of the binary); a real child ignores it.
    fn send(&mut self, frame: Vec<u8>, code: Option<&'static dyn EntryPoint>) -> io::Result<()>;
}

/// Frames from the child to the parent.
pub(crate) trait ChildOutput: Send {
    /// The next whole frame; `Ok(None)` once the child has closed its end
    /// (it exited or died).
    fn recv(&mut self, limit: u64) -> Result<Option<Vec<u8>>, FrameError>;
}

/// The child's identity and life.
pub(crate) trait ChildControl: Send + Sync {
    /// The OS process id; `None` for an isolated child.
    fn pid(&self) -> Option<u32>;
    /// Sends `signal`; `Ok(false)` if the child had already ended.
    fn signal(&self, signal: i32) -> io::Result<bool>;
    /// The exit status if the child has ended (reaping it), else `None`.
    fn try_wait(&self) -> io::Result<Option<ExitStatus>>;
    /// Blocks until the child ends, reaps it and returns its status. Several
    /// threads may wait; all get the same status.
    fn wait(&self) -> io::Result<ExitStatus>;
}

/// A started child.
pub(crate) struct Child {
    pub(crate) input: Box<dyn ChildInput>,
    pub(crate) output: Box<dyn ChildOutput>,
    pub(crate) control: std::sync::Arc<dyn ChildControl>,
}

/// How a child gets started; [`spawn`] except in the pool's own unit tests.
pub(crate) type Spawner = fn(&SpawnSpec) -> io::Result<Child>;

/// Starts a child: a real process in std mode, an isolated thread under a checker.
///
/// # Errors
///
/// The OS's error when the process (or thread) cannot be started.
pub(crate) fn spawn(spec: &SpawnSpec) -> io::Result<Child> {
    if real_processes() {
        os_child::spawn(spec)
    } else {
        isolated::spawn(spec)
    }
}
