use std::fmt;

use super::engine::RawCell;
use super::recorder;
use crate::explore::AccessKind;
use crate::record::{Loc, ObjectKind, Op};

/// A cell for shared mutable state that the caller synchronises. Every
/// access is checked for data races: by loom itself, or on shuttle by
/// weft's vector clocks.
///
/// # Examples
///
/// ```
/// use weft_sync::cell::UnsafeCell;
///
/// let cell = UnsafeCell::new(1).named("slot");
/// // SAFETY: no other reference to the cell exists.
/// cell.with_mut(|p| unsafe { *p += 1 });
/// assert_eq!(cell.with(|p| unsafe { *p }), 2);
/// ```
pub struct UnsafeCell<T> {
    id: usize,
    raw: RawCell<T>,
}

impl<T> UnsafeCell<T> {
    /// Creates a new cell holding `value`.
    #[track_caller]
    pub fn new(value: T) -> Self {
        UnsafeCell {
            id: recorder::new_object(ObjectKind::Cell, Loc::caller()),
            raw: RawCell::new(value),
        }
    }

    /// Names the cell in failure reports.
    #[must_use]
    pub fn named(self, name: impl Into<String>) -> Self {
        recorder::name_object(self.id, name.into());
        self
    }

    /// Reads through a shared pointer; a read that races with a write is a data race.
    #[track_caller]
    pub fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        let at = Loc::caller();
        recorder::event(Op::CellRead, self.id, at);
        recorder::cell_access(self.id, AccessKind::Read, at);
        self.raw.with(f)
    }

    /// Writes through a unique pointer; a write that races with any access is a data race.
    #[track_caller]
    pub fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        let at = Loc::caller();
        recorder::event(Op::CellWrite, self.id, at);
        recorder::cell_access(self.id, AccessKind::Write, at);
        self.raw.with_mut(f)
    }

    /// A mutable reference through a unique borrow: no race is possible.
    pub fn get_mut(&mut self) -> &mut T {
        // SAFETY: `&mut self` proves no other access exists.
        self.raw.with_mut(|p| unsafe { &mut *p })
    }

    /// Consumes the cell and returns the value.
    pub fn into_inner(self) -> T {
        self.raw.into_inner()
    }
}

impl<T: Default> Default for UnsafeCell<T> {
    #[track_caller]
    fn default() -> Self {
        UnsafeCell::new(T::default())
    }
}

impl<T> fmt::Debug for UnsafeCell<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnsafeCell")
            .field("name", &recorder::object_name(self.id))
            .finish_non_exhaustive()
    }
}
