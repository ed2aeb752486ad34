//! What a child process is on the running backend, for code that starts
//! processes and must work both in production and under a checker.
//!
//! A checker explores the interleavings of threads it schedules inside one
//! OS process; it cannot explore another OS process. So under a checker a
//! "process" is modelled as an isolated thread that shares no memory with
//! its parent and talks to it only over channels, and in production it is
//! a real OS process. Code asks [`real_processes`] which of the two it must
//! build, never which backend runs: the facade stays the only switch.
//!
//! # Examples
//!
//! ```
//! use weft_sync::process;
//!
//! // What a message channel between two processes is made of.
//! let transport = if process::real_processes() {
//!     "an OS pipe, inherited by the child across exec"
//! } else {
//!     "an in-process channel the checker schedules"
//! };
//! # let _ = transport;
//! ```

/// Whether processes are the operating system's: `fork`/`exec`, separate
/// address spaces, pipes, real signals (production, std mode). Under a
/// checker (`--features loom` or `shuttle`) it is `false`: a child process
/// must be modelled in-process, as an isolated thread with channels, so
/// that the checker can explore the messages it exchanges.
pub fn real_processes() -> bool {
    crate::backend::REAL_PROCESSES
}
