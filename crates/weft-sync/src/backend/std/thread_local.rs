//! `thread_local!` in production: std's own.

pub use std::thread::{AccessError, LocalKey};

/// Declares thread-local statics. Same as [`std::thread_local!`] (in std
/// mode it is std's); under a checker each model thread has its own value.
///
/// # Examples
///
/// ```
/// use std::cell::Cell;
///
/// weft_sync::thread_local! {
///     static DEPTH: Cell<u32> = Cell::new(0);
/// }
///
/// DEPTH.with(|d| d.set(d.get() + 1));
/// assert_eq!(DEPTH.with(Cell::get), 1);
/// ```
#[macro_export]
macro_rules! thread_local {
    ($($tokens:tt)*) => {
        ::std::thread_local!($($tokens)*);
    };
}
