//! The backend facade: the only module that names std, loom or shuttle.
//!
//! Exactly one arm is compiled. With no checker feature, `std/` wraps the
//! standard library at zero cost. With `loom` or `shuttle`, `model/` builds
//! weft's recorded, checkable primitives once, on the small engine arm
//! (`loom.rs` or `shuttle.rs`) that names the checker. Everything outside
//! `backend/` is written against the names this module exports.

#[cfg(all(feature = "loom", feature = "shuttle"))]
compile_error!(
    "weft: the `loom` and `shuttle` features exclude each other; pick one: \
     `cargo test --features loom` or `cargo test --features shuttle` \
     (and never `--all-features`)"
);

mod gate;

#[cfg(not(any(feature = "loom", feature = "shuttle")))]
#[path = "std/mod.rs"]
mod imp;

#[cfg(feature = "loom")]
#[path = "loom.rs"]
mod engine;

#[cfg(all(feature = "shuttle", not(feature = "loom")))]
#[path = "shuttle.rs"]
mod engine;

#[cfg(any(feature = "loom", feature = "shuttle"))]
#[path = "model/mod.rs"]
mod imp;

pub use imp::*;
