//! Child processes, Python's `multiprocessing`: a function run in a
//! separate process, whose crash cannot take the caller down
//! ([`Process`]), and the channels between processes ([`Queue`],
//! [`pipe`]).
//!
//! ```
//! use weft_patterns::process::{self, Entry, Process, ProcessError};
//!
//! fn greet(name: String) -> String {
//!     format!("hello {name}")
//! }
//! fn fail(_: ()) -> u32 {
//!     panic!("no luck")
//! }
//! static GREET: Entry<String, String> = weft_patterns::process_entry!(greet);
//! static FAIL: Entry<(), u32> = weft_patterns::process_entry!(fail);
//!
//! fn main() {
//!     // First in `main`: a re-executed child runs its entry point here and exits.
//!     process::main(&[&GREET, &FAIL]);
//! # weft_sync::explore::doc_example(|| {
//!
//!     let mut p = Process::new(&GREET, "bob".to_string());
//!     p.start().unwrap();
//!     assert_eq!(p.join().unwrap(), "hello bob");
//!
//!     let mut q = Process::new(&FAIL, ()).with_name("unlucky");
//!     q.start().unwrap();
//!     match q.join() {
//!         Err(ProcessError::Panicked { name, message }) => {
//!             assert_eq!((name.as_str(), message.as_str()), ("unlucky", "no luck"))
//!         }
//!         other => panic!("{other:?}"),
//!     }
//! # });
//! }
//! ```
//!
//! # How it works
//!
//! In std mode a [`Process`] is a real OS process: the current binary
//! (`std::env::current_exe()`) is started again, no shell involved, with
//! [`CHILD_ENV`] naming two pipes; its [`main`] call finds the [`Entry`] by
//! name, reads the postcard-encoded argument from one pipe, runs the
//! function (catching a panic) and writes the encoded result to the other.
//! No temporary files. Signals ([`Process::terminate`], [`Process::kill`])
//! are real. Unix only.
//!
//! Under a checker (`--features loom` or `shuttle`) a process is an isolated
//! thread instead: it shares no memory with its parent and receives and sends
//! the very same encoded frames over weft channels, so the checker explores
//! the protocol (requests, replies, a child that dies between two messages)
//! like any other concurrent code. [`exit`] and [`abort`] end such a thread
//! as if its process had exited or aborted.
//!
//! A [`Queue`] or a [`Connection`] passed inside a process's argument
//! reaches the child as the same channel: an OS pipe the child inherits
//! (its descriptor numbers travel in [`CHILD_ENV`]), or, under a checker, an
//! in-process channel handed to the isolated thread.
//!
//! Test binaries are re-executed too: see [`main`] for a `harness = false`
//! test file, and [`TestEntry`] (`process_entry!()`) for libtest's harness.
//! The process-pool executor built on these children is
//! [`crate::executor::ProcessPool`].
//!
//! # Limitations
//!
//! - Unix only (pipes, `fork`/`exec`, signals).
//! - Every entry point a child may run must be listed in its binary's call
//!   to [`main`]; an unlisted one fails with [`ProcessError::UnknownEntry`].
//!   Entry points are plain `fn`s: closures that capture cannot cross.
//! - The parent must not be killed by `SIGPIPE` when it writes to a child
//!   that died: Rust ignores that signal by default; a program that
//!   restores it would die instead of getting an error.
//! - A child's stdin is `/dev/null`; its stdout and stderr are the parent's.
//! - Queues and pipes: one reading process per channel, and messages up to
//!   4 KiB when several processes write at once (see [`Queue`]).
//! - Under loom, an entry point that panics or calls [`exit`] while it holds a queue
//!   or pipe end aborts the run: the end's `Drop` is a scheduling point,
//!   and loom cannot switch threads while one unwinds (shuttle can). Return
//!   from the entry point instead, which ends the process just the same.
//! - Under a checker a signal cannot interrupt a computation: the isolated
//!   child ends at its next message (see the `isolated` module). Use
//!   [`exit`] and [`abort`], not `std::process`'s, in entry points that
//!   models run.

mod carry;
mod channel_error;
mod child;
mod dispatch;
mod entry;
mod error;
mod exit;
mod frame;
mod handle;
mod isolated;
mod message;
mod os_child;
mod pipe;
mod queue;
mod test_entry;
mod wire;

#[doc(hidden)]
pub use carry::Inbox;
pub use channel_error::{RecvError, SendError};
pub use dispatch::{main, CHILD_ENV};
pub use entry::{Entry, EntryPoint};
#[doc(hidden)]
pub use entry::{Invocation, Results};
pub use error::{signal_name, ExitStatus, ProcessError};
pub use exit::{abort, exit};
pub use handle::Process;
pub use message::DEFAULT_MAX_MESSAGE_SIZE;
pub use pipe::{pipe, Connection};
pub use queue::Queue;
pub use test_entry::TestEntry;

pub(crate) use child::{spawn, Child, ChildControl, SpawnSpec, Spawner};
pub(crate) use frame::{decode, encode, payload_len, FrameError};
weft_sync::cfg_real_threads! {
    #[cfg(test)]
    pub(crate) use isolated::spawn as spawn_isolated;
}
pub(crate) use message::{
    decode_results, too_large, Batch, CallFailure, Outcome, Request, Response,
};
