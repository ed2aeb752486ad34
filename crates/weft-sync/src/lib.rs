//! weft's swappable primitives.
//!
//! Write concurrent code once against [`sync`], [`thread`], [`cell`],
//! [`time`], [`hint`], [`alloc`], [`future`] and the [`thread_local!`] and
//! [`lazy_static!`] macros. With no checker feature they are the standard
//! library's own types at zero cost; with `--features loom` or
//! `--features shuttle` they are model-checked versions that record every
//! operation (thread, object, operation, source location) so that a failure
//! can be explained.
//!
//! ```
//! # weft_sync::explore::doc_example(|| {
//! use weft_sync::sync::{Arc, Mutex};
//! use weft_sync::thread;
//!
//! let shared = Arc::new(Mutex::new(Vec::new()).named("log"));
//! let s = Arc::clone(&shared);
//! thread::spawn(move || s.lock().unwrap().push(1)).join().unwrap();
//! assert_eq!(*shared.lock().unwrap(), [1]);
//! # });
//! ```
//!
//! The model runner that explores these interleavings is in `weft-check`
//! (`weft::model`).

// The arms' items are `pub` so that the public modules can re-export them by
// name; the facade itself stays private.
#[allow(unreachable_pub)]
mod backend;

pub mod alloc;
pub mod capability;
pub mod cell;
#[cfg_attr(not(feature = "shuttle"), allow(dead_code))]
mod dpor;
#[cfg_attr(not(feature = "shuttle"), allow(dead_code))]
mod estimate;
pub mod explore;
pub mod future;
pub mod hint;
pub mod knot;
mod lazy_static;
pub mod lockdep;
pub mod ordering_override;
pub mod process;
pub mod rand;
pub mod reach;
pub mod record;
pub mod sync;
pub mod thread;
pub mod time;
mod workers;
