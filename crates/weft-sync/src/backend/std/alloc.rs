//! Memory allocation: std's own in production.

pub use std::alloc::{alloc, alloc_zeroed, dealloc, Layout};

/// A value whose drop a checker tracks (loom's `alloc::Track`); in std mode
/// a transparent wrapper.
///
/// # Examples
///
/// ```
/// use weft_sync::alloc::Track;
///
/// let mut t = Track::new(1);
/// *t.get_mut() += 1;
/// assert_eq!(t.into_inner(), 2);
/// ```
#[repr(transparent)]
#[derive(Debug, Default)]
pub struct Track<T>(T);

impl<T> Track<T> {
    /// Tracks `value`.
    #[inline]
    #[track_caller]
    pub fn new(value: T) -> Track<T> {
        Track(value)
    }

    /// A reference to the value.
    #[inline]
    pub fn get_ref(&self) -> &T {
        &self.0
    }

    /// A mutable reference to the value.
    #[inline]
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.0
    }

    /// Stops tracking and returns the value.
    #[inline]
    pub fn into_inner(self) -> T {
        self.0
    }
}
