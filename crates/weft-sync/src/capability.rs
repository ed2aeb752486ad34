//! What the running backend's threads can do, for code that must behave
//! differently on real threads and under a checker.
//!
//! Patterns ask here, never which backend runs: the facade (`backend/`)
//! stays the only switch.
//!
//! ```
//! use weft_sync::capability;
//!
//! // Spin a little before blocking only where another thread can run at
//! // the same time and make progress meanwhile.
//! let spin_first = capability::real_threads();
//! # let _ = spin_first;
//! ```

/// Whether threads are the operating system's: preemptive, running in
/// parallel, each with its own thread-locals, on a real clock (production,
/// std mode). Under a checker, threads are scheduled one at a time by the
/// checker on one OS thread, time is virtual, and spinning only adds steps
/// to explore; a separate OS process cannot be explored at all.
pub fn real_threads() -> bool {
    crate::backend::REAL_THREADS
}
