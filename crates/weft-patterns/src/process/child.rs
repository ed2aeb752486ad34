//! The parent's handle on a child, whichever kind it is.
//!
//! A child is three parts that different threads may hold: the input (frames
//! to the child), the output (frames from it) and the control (pid, signals,
//! exit status). [`spawn`] is the one place that decides what a child is: a
//! real OS process in std mode ([`os_child`](super::os_child)), an isolated
//! thread under a checker ([`isolated`](super::isolated)).

use std::ffi::OsString;
use std::io;

use super::carry::{Carried, Outgoing};
use super::entry::EntryPoint;
use super::error::ExitStatus;
use super::frame::FrameError;
use super::{isolated, os_child};

pub(crate) use weft_sync::process::real_processes;

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

    /// Hands the child the queue and pipe ends its next request's argument
    /// names (see `carry`). A real child inherits descriptors at spawn
    /// instead, so only an isolated child takes them here.
    fn carry(&mut self, carried: Vec<Carried>) -> io::Result<()> {
        if carried.is_empty() {
            Ok(())
        } else {
            Err(io::Error::other(
                "this child cannot receive queue or pipe ends",
            ))
        }
    }
}

/// Frames from the child to the parent.
pub(crate) trait ChildOutput: Send {
    /// The next whole frame; `Ok(None)` once the child has closed its end
    /// (it exited or died).
    fn recv(&mut self, limit: u64) -> Result<Option<Vec<u8>>, FrameError>;

    /// Waits at most `timeout` until [`recv`](ChildOutput::recv) would not
    /// block (a frame, or the end, is there); whether it would not.
    fn wait(&mut self, timeout: weft_sync::time::Duration) -> bool;
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
    spawn_with(spec, Vec::new(), false)
}

/// Starts a child that receives `ends` (the queue and pipe ends its
/// argument names, in the order the argument's encoding met them); a
/// `daemon` child is killed when its parent ends.
///
/// # Errors
///
/// As [`spawn`].
pub(crate) fn spawn_with(spec: &SpawnSpec, ends: Vec<Outgoing>, daemon: bool) -> io::Result<Child> {
    if real_processes() {
        let fds = ends
            .iter()
            .map(|end| match end {
                Outgoing::Fd(fd) => Ok(*fd),
                _ => Err(io::Error::other(
                    "a checker's queue cannot reach a real process",
                )),
            })
            .collect::<io::Result<Vec<_>>>()?;
        os_child::spawn_inheriting(spec, &fds, daemon)
    } else {
        let mut child = isolated::spawn(spec)?;
        child
            .input
            .carry(ends.into_iter().map(Outgoing::into_carried).collect())?;
        Ok(child)
    }
}
