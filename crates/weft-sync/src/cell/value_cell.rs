use std::fmt;

use crate::backend::UnsafeCell;

/// A mutable memory location. Same as [`std::cell::Cell`]; under a checker
/// every access is race-checked like an [`UnsafeCell`]'s (`get` reads;
/// `set`, `replace`, `take` and `swap` write), as loom's `Cell` is. In std
/// mode it is a `core::cell::UnsafeCell` with no overhead.
///
/// `Cell` is not `Sync`; a race needs a type that shares one unsoundly
/// (an `unsafe impl Sync`), which is what the checker is there to catch.
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use weft_sync::cell::Cell;
///
/// let c = Cell::new(1);
/// c.set(2);
/// assert_eq!(c.take(), 2);
/// assert_eq!(c.into_inner(), 0);
/// # });
/// ```
pub struct Cell<T> {
    value: UnsafeCell<T>,
}

impl<T> Cell<T> {
    /// Creates a cell holding `value`.
    #[inline]
    #[track_caller]
    pub fn new(value: T) -> Cell<T> {
        Cell {
            value: UnsafeCell::new(value),
        }
    }

    /// Names the cell in failure reports (a no-op in std mode).
    #[inline]
    #[must_use]
    pub fn named(self, name: impl Into<String>) -> Cell<T> {
        Cell {
            value: self.value.named(name),
        }
    }

    /// Sets the value, dropping the old one.
    #[inline]
    #[track_caller]
    pub fn set(&self, value: T) {
        drop(self.replace(value));
    }

    /// Swaps the values of two cells.
    #[inline]
    #[track_caller]
    pub fn swap(&self, other: &Cell<T>) {
        if std::ptr::eq(self, other) {
            return;
        }
        self.value.with_mut(|a| {
            other.value.with_mut(|b| {
                // SAFETY: `Cell` is not `Sync` and hands out no references, so
                // nothing else accesses either value during the swap; the
                // two cells are distinct (checked above).
                unsafe { std::ptr::swap(a, b) }
            })
        })
    }

    /// Replaces the value, returning the old one.
    #[inline]
    #[track_caller]
    pub fn replace(&self, value: T) -> T {
        // SAFETY: `Cell` hands out no references into its value, so the
        // write is the only access in progress on this thread; another
        // thread's access is what the checker reports.
        self.value
            .with_mut(|p| unsafe { std::ptr::replace(p, value) })
    }

    /// Consumes the cell and returns the value.
    #[inline]
    pub fn into_inner(self) -> T {
        self.value.into_inner()
    }

    /// A mutable reference through a unique borrow: no race is possible.
    #[inline]
    pub fn get_mut(&mut self) -> &mut T {
        // SAFETY: `&mut self` proves no other access exists, and the
        // reference borrows `self` for as long as it lives.
        self.value.with_mut(|p| unsafe { &mut *p })
    }
}

impl<T: Copy> Cell<T> {
    /// A copy of the value.
    #[inline]
    #[track_caller]
    pub fn get(&self) -> T {
        // SAFETY: as in `replace`: no reference into the value exists.
        self.value.with(|p| unsafe { *p })
    }
}

impl<T: Default> Cell<T> {
    /// Takes the value, leaving `T::default()`.
    #[inline]
    #[track_caller]
    pub fn take(&self) -> T {
        self.replace(T::default())
    }
}

impl<T: Default> Default for Cell<T> {
    #[track_caller]
    fn default() -> Cell<T> {
        Cell::new(T::default())
    }
}

impl<T: Copy> Clone for Cell<T> {
    #[track_caller]
    fn clone(&self) -> Cell<T> {
        Cell::new(self.get())
    }
}

impl<T> From<T> for Cell<T> {
    #[track_caller]
    fn from(value: T) -> Cell<T> {
        Cell::new(value)
    }
}

impl<T: Copy + PartialEq> PartialEq for Cell<T> {
    fn eq(&self, other: &Cell<T>) -> bool {
        self.get() == other.get()
    }
}

impl<T: Copy + Eq> Eq for Cell<T> {}

impl<T: Copy + fmt::Debug> fmt::Debug for Cell<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cell").field("value", &self.get()).finish()
    }
}
