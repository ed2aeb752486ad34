//! `Process`: one function run in a child process, Python's `multiprocessing.Process`.

use std::ffi::OsString;
use std::fmt;

use serde::de::DeserializeOwned;
use serde::Serialize;

use weft_sync::time::Duration;

use super::carry;
use super::child::{self, real_processes, ChildControl, ChildOutput, SpawnSpec};
use super::dispatch::undispatched_child;
use super::entry::Entry;
use super::error::{ExitStatus, ProcessError};
use super::frame::{self, FrameError};
use super::message::{
    decode_results, too_large, Batch, CallFailure, Request, Response, DEFAULT_MAX_MESSAGE_SIZE,
};
use super::test_entry::NoSuchTest;

/// An entry point run in a child process, with its argument: Python's
/// `multiprocessing.Process`, plus a result.
///
/// In std mode the child is a real OS process: the current binary,
/// re-executed into [`process::main`](super::main), which must be called
/// first in `main` and list the entry point. The argument goes to the child
/// and the result comes back encoded with postcard over a pipe. A panic, an
/// abort or a crash in the child cannot take the parent down: [`join`]
/// returns it as a [`ProcessError`]. Unix only.
///
/// Under a checker the child is an isolated thread that talks to the parent
/// only over channels, with the same encoded messages, so that the protocol
/// is model-checked; [`pid`] is then `None` and signals are simulated.
///
/// Dropping a started process that was not joined kills it (`SIGKILL`) and
/// reaps it, so that no child outlives its handle.
///
/// [`join`]: Process::join
/// [`pid`]: Process::pid
///
/// # Examples
///
/// ```no_run
/// use weft_patterns::process::{self, Entry, Process};
///
/// fn greet(name: String) -> String {
///     format!("hello {name}")
/// }
/// static GREET: Entry<String, String> = weft_patterns::process_entry!(greet);
///
/// fn main() {
///     process::main(&[&GREET]);
///     let mut p = Process::new(&GREET, "bob".to_string()).with_name("greeter");
///     p.start().unwrap();
///     println!("started {} as pid {:?}", p.name(), p.pid());
///     assert_eq!(p.join().unwrap(), "hello bob");
/// }
/// ```
pub struct Process<A: 'static, R: 'static> {
    entry: &'static Entry<A, R>,
    name: String,
    args: Option<A>,
    child_args: Vec<OsString>,
    max_message_size: u64,
    daemon: bool,
    started: Option<Started>,
}

/// A started child, as the parent sees it.
struct Started {
    output: Box<dyn ChildOutput>,
    control: std::sync::Arc<dyn ChildControl>,
}

impl<A, R> Process<A, R>
where
    A: Serialize + DeserializeOwned + 'static,
    R: Serialize + DeserializeOwned + 'static,
{
    /// A process that will run `entry(args)`, named after the entry point
    /// until [`with_name`](Process::with_name) names it. Nothing starts yet.
    pub fn new(entry: &'static Entry<A, R>, args: A) -> Self {
        Process {
            entry,
            name: entry.name().to_string(),
            args: Some(args),
            child_args: Vec::new(),
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            daemon: false,
            started: None,
        }
    }

    /// Names the process (in errors; under a checker, its thread).
    #[must_use]
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Command-line arguments for the re-executed binary, which gets none by
    /// default. A libtest binary needs its test's
    /// [`TestEntry::child_args`](super::TestEntry::child_args) (see
    /// [`process::main`](super::main)); an `--exact <path>` the binary does
    /// not list makes [`start`](Process::start) fail with
    /// [`ProcessError::UnknownTest`].
    #[must_use]
    pub fn child_args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.child_args = args.into_iter().map(Into::into).collect();
        self
    }

    /// The largest encoded argument or result, in bytes
    /// ([`DEFAULT_MAX_MESSAGE_SIZE`] unless set); a larger one fails with
    /// [`ProcessError::Serialization`] instead of being sent.
    #[must_use]
    pub fn max_message_size(mut self, bytes: u64) -> Self {
        self.max_message_size = bytes;
        self
    }

    /// Makes the child a daemon, Python's `daemon = True`: it is killed
    /// (`SIGKILL`) as soon as its parent ends, however the parent ends,
    /// even by `std::process::exit` or a crash, which run no `Drop`. (A
    /// handle dropped unjoined kills its child anyway.) Set before
    /// [`start`](Process::start).
    ///
    /// On Linux this is `PR_SET_PDEATHSIG`, which fires when the *thread*
    /// that started the child ends: start daemons from a thread that lives
    /// as long as they should. Elsewhere, and under a checker (where an
    /// isolated child cannot outlive the model), it changes nothing.
    #[must_use]
    pub fn daemon(mut self, daemon: bool) -> Self {
        self.daemon = daemon;
        self
    }

    /// Whether the child is a daemon (see [`daemon`](Process::daemon)).
    pub fn is_daemon(&self) -> bool {
        self.daemon
    }

    /// The process's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Starts the child and sends it the argument (with the queue and pipe
    /// ends it holds, which the child then shares).
    ///
    /// # Errors
    ///
    /// `UnknownTest` when [`child_args`](Process::child_args) select a test
    /// this binary does not have; `AlreadyStarted` on a second call; `Serialization` when the argument
    /// cannot be encoded or exceeds the message limit; `Spawn` when the OS
    /// refuses; `NotDispatched` when this binary is itself a child whose
    /// `main` forgot to call [`process::main`](super::main) (which would
    /// otherwise start children without end).
    pub fn start(&mut self) -> Result<(), ProcessError> {
        let Some(args) = self.args.as_ref().filter(|_| self.started.is_none()) else {
            return Err(ProcessError::AlreadyStarted {
                name: self.name.clone(),
            });
        };
        if real_processes() && undispatched_child() {
            return Err(ProcessError::NotDispatched);
        }
        let serialization = |message: String| ProcessError::Serialization {
            name: self.name.clone(),
            message,
        };
        let mut batch = Batch::default();
        // Queues and connections in the argument go to the outbox: `ends`.
        let _ = carry::take_error();
        let (pushed, ends) =
            carry::collecting(|| batch.push(args, "the argument", self.max_message_size));
        pushed.map_err(|e| {
            serialization(match carry::take_error() {
                Some(why) => format!("the argument could not be serialised: {why}"),
                None => e.message(),
            })
        })?;
        let request = Request::Run {
            entry: self.entry.name().to_string(),
            args: batch,
            limit: self.max_message_size,
        };
        let frame = frame::encode(&request)
            .map_err(|e| serialization(format!("the request could not be serialised: {e}")))?;
        let size = frame::payload_len(&frame);
        if size > self.max_message_size {
            return Err(serialization(too_large(
                "the argument",
                size,
                self.max_message_size,
            )));
        }
        let spec = SpawnSpec {
            name: self.name.clone(),
            child_args: self.child_args.clone(),
        };
        let mut child =
            child::spawn_with(&spec, ends, self.daemon).map_err(|source| {
                match source
                    .get_ref()
                    .and_then(|e| e.downcast_ref::<NoSuchTest>())
                {
                    Some(NoSuchTest(test)) => ProcessError::UnknownTest {
                        name: self.name.clone(),
                        test: test.clone(),
                    },
                    None => ProcessError::Spawn {
                        name: self.name.clone(),
                        source,
                    },
                }
            })?;
        // A failed send means the child is already gone: `join` says how it ended.
        let _ = child.input.send(frame, Some(self.entry));
        // Closing the input tells the child this was its only request.
        drop(child.input);
        self.args = None;
        self.started = Some(Started {
            output: child.output,
            control: child.control,
        });
        Ok(())
    }

    /// The child's OS process id: `None` before [`start`](Process::start)
    /// and under a checker.
    pub fn pid(&self) -> Option<u32> {
        self.started.as_ref().and_then(|s| s.control.pid())
    }

    /// Whether the child has started and not yet ended.
    pub fn is_alive(&self) -> bool {
        self.started
            .as_ref()
            .is_some_and(|s| matches!(s.control.try_wait(), Ok(None)))
    }

    /// How the child ended, if it has (without blocking); `None` while it
    /// runs or before it starts.
    pub fn exit_status(&self) -> Option<ExitStatus> {
        self.started
            .as_ref()
            .and_then(|s| s.control.try_wait().ok().flatten())
    }

    /// Python's `exitcode`: `None` while the child runs (or before it
    /// starts), its exit code once it exited, `-N` once signal `N` killed it.
    pub fn exitcode(&self) -> Option<i32> {
        self.exit_status().map(|status| match status {
            ExitStatus::Exited(code) => code,
            ExitStatus::Signaled(signal) => -signal,
        })
    }

    /// Asks the child to stop: `SIGTERM`. Does nothing if it already ended.
    ///
    /// # Errors
    ///
    /// `NotStarted` before [`start`](Process::start); `Control` if the OS
    /// refuses the signal.
    pub fn terminate(&self) -> Result<(), ProcessError> {
        self.signal(libc::SIGTERM)
    }

    /// Kills the child: `SIGKILL`. Does nothing if it already ended.
    ///
    /// # Errors
    ///
    /// As [`terminate`](Process::terminate).
    pub fn kill(&self) -> Result<(), ProcessError> {
        self.signal(libc::SIGKILL)
    }

    fn signal(&self, signal: i32) -> Result<(), ProcessError> {
        let started = self
            .started
            .as_ref()
            .ok_or_else(|| ProcessError::NotStarted {
                name: self.name.clone(),
            })?;
        started
            .control
            .signal(signal)
            .map(drop)
            .map_err(|source| ProcessError::Control {
                name: self.name.clone(),
                source,
            })
    }

    /// Waits at most `timeout` for the child's result, Python's
    /// `join(timeout)`: `Ok` with what [`join`](Process::join) returns once
    /// the child has answered or ended in time, `Err` with the process
    /// itself, still running, when it has not (join it, or wait again,
    /// later). Under a checker time is virtual: the timeout may or may not
    /// fire, and both are explored.
    ///
    /// # Errors
    ///
    /// `Err(self)` on timeout; inside `Ok`, the errors of [`join`](Process::join).
    #[allow(clippy::result_large_err)]
    pub fn join_timeout(mut self, timeout: Duration) -> Result<Result<R, ProcessError>, Self> {
        let ready = match self.started.as_mut() {
            None => true,
            Some(started) => started.output.wait(timeout),
        };
        if ready {
            Ok(self.join())
        } else {
            Err(self)
        }
    }

    /// Waits for the child to end and returns its result.
    ///
    /// # Errors
    ///
    /// - `Panicked` with the child's panic message;
    /// - `Died` with the exit status when the child ended without replying
    ///   (killed by a signal, aborted, exited);
    /// - `Serialization` when the result could not be encoded, decoded, or
    ///   exceeds the message limit;
    /// - `UnknownEntry` when the binary's `process::main` does not list the entry point;
    /// - `NotStarted` before [`start`](Process::start).
    pub fn join(mut self) -> Result<R, ProcessError> {
        let name = std::mem::take(&mut self.name);
        let Some(mut started) = self.started.take() else {
            return Err(ProcessError::NotStarted { name });
        };
        let reply = started.output.recv(self.max_message_size);
        let status = started
            .control
            .wait()
            .map_err(|source| ProcessError::Control {
                name: name.clone(),
                source,
            })?;
        let pid = started.control.pid();
        let frame = match reply {
            Ok(Some(frame)) => frame,
            Ok(None) | Err(FrameError::Truncated) | Err(FrameError::Io(_)) => {
                return Err(ProcessError::Died { name, pid, status });
            }
            Err(e) => {
                return Err(ProcessError::Protocol {
                    name,
                    message: e.to_string(),
                })
            }
        };
        let response = frame::decode::<Response>(&frame).map_err(|e| ProcessError::Protocol {
            name: name.clone(),
            message: e.to_string(),
        })?;
        let mut results = match response {
            Response::Ran { outcomes, results } if outcomes.len() == 1 => {
                decode_results::<R>(outcomes, &results).map_err(|message| {
                    ProcessError::Protocol {
                        name: name.clone(),
                        message,
                    }
                })?
            }
            Response::Ran { outcomes, .. } => {
                let message = format!("expected 1 result, got {}", outcomes.len());
                return Err(ProcessError::Protocol { name, message });
            }
            Response::UnknownEntry(entry) => {
                return Err(ProcessError::UnknownEntry { name, entry })
            }
            Response::TooLarge { size, limit } => {
                let message = too_large("the result", size, limit);
                return Err(ProcessError::Serialization { name, message });
            }
        };
        match results.pop() {
            Some(Ok(result)) => Ok(result),
            Some(Err(CallFailure::Panicked(message))) => {
                Err(ProcessError::Panicked { name, message })
            }
            Some(Err(CallFailure::Serialization(message))) => {
                Err(ProcessError::Serialization { name, message })
            }
            None => unreachable!("one outcome was checked above"),
        }
    }
}

impl<A: 'static, R: 'static> Drop for Process<A, R> {
    fn drop(&mut self) {
        if let Some(started) = self.started.take() {
            let _ = started.control.signal(libc::SIGKILL);
            let _ = started.control.wait();
        }
    }
}

impl<A: 'static, R: 'static> fmt::Debug for Process<A, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Process")
            .field("name", &self.name)
            .field("daemon", &self.daemon)
            .field("entry", &self.entry.name())
            .field("pid", &self.started.as_ref().and_then(|s| s.control.pid()))
            .field("started", &self.started.is_some())
            .finish()
    }
}
