//! The child's side: `process::main`, which turns a re-executed binary into
//! a child, and the loop that serves the parent's requests.

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};

use super::carry::Inbox;
use super::entry::{EntryPoint, Results};
use super::frame::{self, FrameError};
use super::message::{Batch, Request, Response};
use super::os_child::{ChildEnv, ChildPipes};

/// The environment variable that marks a re-executed binary as a child; its
/// value names the two pipe descriptors it talks over, the pid of the
/// parent that set it, and the queue and pipe ends the child inherits
/// (`"<read>,<write>,<parent>[,<end>...]"`).
pub const CHILD_ENV: &str = "WEFT_PROCESS_CHILD";

/// Set (once, never cleared) when this OS process has become a child and
/// serves its parent: it may then start children of its own. A plain
/// atomic: it describes this OS process, which only real processes have.
static SERVING: AtomicBool = AtomicBool::new(false);

/// Whether this OS process was started as a weft child but has not called
/// [`main`]: starting a child from it would start children without end.
/// The variable alone does not make a child: a process that a child
/// started some other way inherits it, with another parent.
pub(crate) fn undispatched_child() -> bool {
    if SERVING.load(Ordering::SeqCst) {
        return false;
    }
    match std::env::var_os(CHILD_ENV) {
        None => false,
        Some(value) => ChildEnv::parse(&value).map_or(true, |env| env.is_ours()),
    }
}

/// Exit code of a child whose connection to its parent failed.
pub(crate) const PROTOCOL_FAILURE_EXIT: i32 = 70;

/// Runs this binary as a child process if it was started as one, and then
/// exits; otherwise returns at once.
///
/// Call it first in `main`, before any thread starts, with every
/// [`Entry`](super::Entry) the program runs in a child: a
/// [`Process`](super::Process) or a [`ProcessPool`](crate::executor::ProcessPool)
/// re-executes the current binary (`std::env::current_exe()`) with
/// [`CHILD_ENV`] set, and this call is where the child takes over: it reads
/// requests from its parent, runs the named entry points and sends the
/// results back, then exits without running the rest of `main`. Under a
/// checker no child is ever re-executed and this call does nothing.
///
/// # Test binaries
///
/// A test binary is re-executed too, so it needs the same call first:
///
/// - With `harness = false` (the way weft's own `tests/process.rs` works),
///   the test file has its own `main`: call `process::main` there, then run
///   the tests.
/// - With libtest's harness there is no `main` of yours. Begin each test
///   that starts processes with `let here = weft_patterns::process_entry!();`
///   and `here.main(&[..])`, and make the child run only that test:
///   `Process::new(..).child_args(here.child_args())` (for a pool,
///   `ProcessPoolBuilder::child_args`). The child's libtest runs that one
///   test, whose first line dispatches and exits. The path is derived from
///   the test, and checked before any child starts (see
///   [`TestEntry`](super::TestEntry)).
///
/// # Examples
///
/// ```no_run
/// use weft_patterns::process::{self, Entry, Process};
///
/// fn square(x: u64) -> u64 {
///     x * x
/// }
/// static SQUARE: Entry<u64, u64> = weft_patterns::process_entry!(square);
///
/// fn main() {
///     process::main(&[&SQUARE]); // a child runs here and exits
///     let mut p = Process::new(&SQUARE, 7);
///     p.start().unwrap();
///     assert_eq!(p.join().unwrap(), 49);
/// }
/// ```
///
/// # Panics
///
/// Never in the parent. A child whose connection cannot be set up (a
/// malformed [`CHILD_ENV`]) prints why on stderr and exits with code 70.
pub fn main(entries: &[&'static dyn EntryPoint]) {
    let Some(value) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    // The variable stays set: removing it is unsound once other threads
    // run (a libtest binary calls this from a test thread). Children this
    // one starts get their own value (`Command::env`); a process it starts
    // any other way inherits this one, names another parent, and is not a
    // child (`ChildEnv::is_ours`).
    let env = ChildEnv::parse(&value);
    match &env {
        Ok(env) if !env.is_ours() && !env.parent_is_gone() => return,
        Ok(env) if !env.is_ours() => {
            eprintln!("weft child process: the parent exited before this child started");
            std::process::exit(PROTOCOL_FAILURE_EXIT)
        }
        _ => {}
    }
    SERVING.store(true, Ordering::SeqCst);
    let code = match env.and_then(|env| ChildPipes::from_env(&env, entries)) {
        Ok(mut pipes) => match serve(&mut pipes) {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("weft child process: lost the connection to the parent: {e}");
                PROTOCOL_FAILURE_EXIT
            }
        },
        Err(e) => {
            eprintln!("weft child process: bad {CHILD_ENV}: {e}");
            PROTOCOL_FAILURE_EXIT
        }
    };
    std::process::exit(code)
}

/// The child's end of a connection.
pub(crate) trait ChildEnd {
    /// The next whole frame from the parent; `Ok(None)` when its input is closed.
    fn recv(&mut self) -> Result<Option<Vec<u8>>, FrameError>;
    /// Sends one whole frame to the parent.
    fn send(&mut self, frame: Vec<u8>) -> io::Result<()>;
    /// The entry point registered under `name`.
    fn resolve(&self, name: &str) -> Option<&'static dyn EntryPoint>;
    /// The queue and pipe ends received for the next request (each once).
    fn inbox(&mut self) -> Inbox;
}

/// Finds `name` among `entries`.
pub(crate) fn lookup(
    entries: &[&'static dyn EntryPoint],
    name: &str,
) -> Option<&'static dyn EntryPoint> {
    entries.iter().copied().find(|e| e.name() == name)
}

/// Answers the parent's requests until `Stop` or the end of the input.
///
/// # Errors
///
/// The connection failed or carried a malformed message; the child should
/// then exit with [`PROTOCOL_FAILURE_EXIT`].
pub(crate) fn serve(end: &mut impl ChildEnd) -> Result<(), FrameError> {
    while let Some(frame) = end.recv()? {
        let (entry, args, limit) = match frame::decode::<Request>(&frame)? {
            Request::Stop => return Ok(()),
            Request::Run { entry, args, limit } => (entry, args, limit),
        };
        drop(frame);
        let response = match end.resolve(&entry) {
            None => Response::UnknownEntry(entry),
            Some(code) => {
                let mut results = Results(Batch::with_capacity(args.len(), 16));
                let mut inbox = end.inbox();
                let outcomes = args
                    .iter()
                    .map(|arg| code.invoke(arg, limit, &mut results, &mut inbox).0)
                    .collect();
                // Ends nobody claimed close here.
                drop(inbox);
                Response::Ran {
                    outcomes,
                    results: results.0,
                }
            }
        };
        drop(args);
        let mut reply =
            frame::encode(&response).map_err(|e| FrameError::Malformed(e.to_string()))?;
        let size = frame::payload_len(&reply);
        if size > limit {
            reply = frame::encode(&Response::TooLarge { size, limit })
                .map_err(|e| FrameError::Malformed(e.to_string()))?;
        }
        end.send(reply)?;
    }
    Ok(())
}
