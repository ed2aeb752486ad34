/// A cell for shared mutable state that the caller synchronises.
/// Same as [`core::cell::UnsafeCell`], accessed through closures so that
/// loom and weft can check every access for data races under a checker.
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
#[repr(transparent)]
#[derive(Debug, Default)]
pub struct UnsafeCell<T>(core::cell::UnsafeCell<T>);

impl<T> UnsafeCell<T> {
    /// Creates a new cell holding `value`.
    #[inline]
    #[track_caller]
    pub fn new(value: T) -> Self {
        UnsafeCell(core::cell::UnsafeCell::new(value))
    }

    /// Names the cell in failure reports; a no-op in std mode.
    #[inline]
    #[must_use]
    pub fn named(self, _name: impl Into<String>) -> Self {
        self
    }

    /// Names one element of an array of primitives in failure reports:
    /// `named_indexed("slot", 3)` is `slot[3]`; a no-op in std mode (nothing is formatted).
    #[inline]
    #[must_use]
    pub fn named_indexed(self, _name: &str, _index: usize) -> Self {
        self
    }

    /// Reads through a shared pointer; under a checker, a read that races
    /// with a write is reported as a data race.
    #[inline]
    #[track_caller]
    pub fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        f(self.0.get())
    }

    /// Writes through a unique pointer; under a checker, a write that races
    /// with any other access is reported as a data race.
    #[inline]
    #[track_caller]
    pub fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        f(self.0.get())
    }

    /// A read pointer; under a checker the read is checked. Same as loom's
    /// `UnsafeCell::get`.
    #[inline]
    #[track_caller]
    pub fn get(&self) -> ConstPtr<T> {
        ConstPtr(self.0.get())
    }

    /// A write pointer; under a checker the write is checked. Same as
    /// loom's `UnsafeCell::get_mut`.
    #[inline]
    #[track_caller]
    pub fn get_mut(&self) -> MutPtr<T> {
        MutPtr(self.0.get())
    }

    /// Consumes the cell and returns the value.
    #[inline]
    pub fn into_inner(self) -> T {
        self.0.into_inner()
    }
}

impl<T> From<T> for UnsafeCell<T> {
    #[inline]
    fn from(value: T) -> Self {
        UnsafeCell::new(value)
    }
}

/// A read pointer from [`UnsafeCell::get`]: a plain `*const T` in std mode.
/// Same as loom's `ConstPtr`.
#[repr(transparent)]
#[derive(Debug)]
pub struct ConstPtr<T>(*const T);

impl<T> ConstPtr<T> {
    /// A shared reference to the value.
    ///
    /// # Safety
    ///
    /// As dereferencing a `*const T`: no write to the cell while the
    /// reference lives.
    #[inline]
    pub unsafe fn deref(&self) -> &T {
        // SAFETY: the caller's contract.
        unsafe { &*self.0 }
    }

    /// Runs `f` with the raw pointer.
    #[inline]
    pub fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        f(self.0)
    }
}

/// A write pointer from [`UnsafeCell::get_mut`]: a plain `*mut T` in std
/// mode. Same as loom's `MutPtr`.
#[repr(transparent)]
#[derive(Debug)]
pub struct MutPtr<T>(*mut T);

impl<T> MutPtr<T> {
    /// A mutable reference to the value.
    ///
    /// # Safety
    ///
    /// As dereferencing a `*mut T`: no other access to the cell while the
    /// reference lives.
    #[inline]
    #[allow(clippy::mut_from_ref)]
    pub unsafe fn deref(&self) -> &mut T {
        // SAFETY: the caller's contract.
        unsafe { &mut *self.0 }
    }

    /// Runs `f` with the raw pointer.
    #[inline]
    pub fn with<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        f(self.0)
    }
}
