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

    /// A mutable reference through a unique borrow: no race is possible.
    #[inline]
    pub fn get_mut(&mut self) -> &mut T {
        self.0.get_mut()
    }

    /// Consumes the cell and returns the value.
    #[inline]
    pub fn into_inner(self) -> T {
        self.0.into_inner()
    }
}
