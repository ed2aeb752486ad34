//! loom 0.7's public API, on weft.
//!
//! A project whose concurrency tests are written against loom switches them
//! to weft without editing them: it patches the `loom` dependency to this
//! package,
//!
//! ```toml
//! [patch.crates-io]
//! loom = { path = "path/to/weft/crates/weft-loom-compat" }
//! ```
//!
//! and runs its suite as before (`RUSTFLAGS="--cfg loom" cargo test`). Every
//! `loom::model` then runs on weft's shuttle backend (the default feature;
//! as a path dependency with the `loom` feature instead of a patch, on
//! weft's loom backend: a patch replaces crates.io's loom for weft too, see
//! docs/porting-from-loom.md), and a failure is weft's report: the threads, the
//! interleaving step by step, the objects by name, and a trace file to
//! replay with `WEFT_REPLAY=<trace>` or `cargo weft replay`.
//!
//! ```
//! use loom::sync::atomic::{AtomicUsize, Ordering};
//! use loom::sync::Arc;
//! use loom::thread;
//!
//! loom::model(|| {
//!     let n = Arc::new(AtomicUsize::new(0));
//!     let n2 = n.clone();
//!     let t = thread::spawn(move || n2.fetch_add(1, Ordering::SeqCst));
//!     n.fetch_add(1, Ordering::SeqCst);
//!     t.join().unwrap();
//!     assert_eq!(n.load(Ordering::SeqCst), 2);
//! });
//! ```
//!
//! # Differences from loom
//!
//! - `model::Builder`'s fields map to weft's settings: `preemption_bound`,
//!   `max_branches` (weft's step limit), `max_duration` (time budget) and
//!   `max_permutations` (iterations); `checkpoint_file`,
//!   `checkpoint_interval`, `location`, `log`, `max_threads` and
//!   `expect_explicit_explore` are accepted and have no effect (weft writes
//!   a trace of the failing execution; its reports always carry locations).
//! - [`explore`], [`stop_exploring`] and [`skip_branch`] are no-ops: weft
//!   explores every branch, which finds at least what loom finds.
//! - The `futures` and `checkpoint` features are accepted and do nothing.
//!
//! docs/porting-from-loom.md in weft's repository maps every `loom::` item
//! to its weft name, for a port that names weft directly.
//!
//! # Why this package names loom
//!
//! weft's own crates name a checker only inside `weft_sync::backend`. This
//! package is the one exception, on purpose: it *is* loom's API (its
//! package name is `loom`, its items are `loom::model`, `loom::sync`, ...),
//! so that a suite written against loom, such as `port-example/`, runs on
//! weft unedited. It chooses no backend itself: it forwards the `loom` and
//! `shuttle` features to weft, whose facade decides.

pub mod alloc;
pub mod cell;
pub mod future;
pub mod hint;
pub mod model;
pub mod sync;
pub mod thread;

pub use model::model;
pub use weft::{lazy_static, thread_local};

/// The most threads a model may have, main included (loom's limit; weft's
/// shuttle backend has none).
pub const MAX_THREADS: usize = 5;

/// Marks the start of the region loom explores when
/// `Builder::expect_explicit_explore` is set. A no-op: weft explores the
/// whole model.
pub fn explore() {}

/// Marks the end of the region loom explores. A no-op: weft explores the
/// whole model.
pub fn stop_exploring() {}

/// Asks loom to skip the current branch. A no-op: weft explores it (more
/// coverage, never less).
pub fn skip_branch() {}
