use std::fmt;

use super::engine::{RawCell, RawConstPtr, RawMutPtr};
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
/// # weft_sync::explore::doc_example(|| {
/// use weft_sync::cell::UnsafeCell;
///
/// let cell = UnsafeCell::new(1).named("slot");
/// // SAFETY: no other reference to the cell exists.
/// cell.with_mut(|p| unsafe { *p += 1 });
/// assert_eq!(cell.with(|p| unsafe { *p }), 2);
/// # });
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

    /// Names one element of an array of primitives in failure reports:
    /// `named_indexed("slot", 3)` is `slot[3]`.
    #[must_use]
    pub fn named_indexed(self, name: &str, index: usize) -> Self {
        self.named(format!("{name}[{index}]"))
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

    /// A read guard: the read is checked when the guard is taken (and, on
    /// loom, for as long as it lives). Same as loom's `UnsafeCell::get`.
    #[track_caller]
    pub fn get(&self) -> ConstPtr<T> {
        let at = Loc::caller();
        recorder::event(Op::CellRead, self.id, at);
        recorder::cell_access(self.id, AccessKind::Read, at);
        ConstPtr {
            raw: self.raw.get(),
        }
    }

    /// A write guard: the write is checked when the guard is taken (and, on
    /// loom, for as long as it lives). Same as loom's `UnsafeCell::get_mut`.
    #[track_caller]
    pub fn get_mut(&self) -> MutPtr<T> {
        let at = Loc::caller();
        recorder::event(Op::CellWrite, self.id, at);
        recorder::cell_access(self.id, AccessKind::Write, at);
        MutPtr {
            raw: self.raw.get_mut(),
        }
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

impl<T> From<T> for UnsafeCell<T> {
    #[track_caller]
    fn from(value: T) -> Self {
        UnsafeCell::new(value)
    }
}

impl<T> fmt::Debug for UnsafeCell<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnsafeCell")
            .field("name", &recorder::object_name(self.id))
            .finish_non_exhaustive()
    }
}

/// A checked read pointer from [`UnsafeCell::get`]. Same as loom's
/// `ConstPtr`: a raw `*const T` whose read the checker sees.
#[derive(Debug)]
pub struct ConstPtr<T> {
    raw: RawConstPtr<T>,
}

impl<T> ConstPtr<T> {
    /// A shared reference to the value.
    ///
    /// # Safety
    ///
    /// As dereferencing a `*const T`: no write to the cell while the
    /// reference lives.
    pub unsafe fn deref(&self) -> &T {
        // SAFETY: the caller's contract.
        unsafe { self.raw.deref() }
    }

    /// Runs `f` with the raw pointer.
    pub fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        self.raw.with(f)
    }
}

/// A checked write pointer from [`UnsafeCell::get_mut`]. Same as loom's
/// `MutPtr`: a raw `*mut T` whose write the checker sees.
#[derive(Debug)]
pub struct MutPtr<T> {
    raw: RawMutPtr<T>,
}

impl<T> MutPtr<T> {
    /// A mutable reference to the value.
    ///
    /// # Safety
    ///
    /// As dereferencing a `*mut T`: no other access to the cell while the
    /// reference lives.
    #[allow(clippy::mut_from_ref)]
    pub unsafe fn deref(&self) -> &mut T {
        // SAFETY: the caller's contract.
        unsafe { self.raw.deref() }
    }

    /// Runs `f` with the raw pointer.
    pub fn with<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        self.raw.with(f)
    }
}
