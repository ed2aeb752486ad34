/// A cell written at most once. Same as [`std::sync::OnceLock`].
///
/// # Examples
///
/// ```
/// use weft_sync::sync::OnceLock;
///
/// let cell = OnceLock::new();
/// assert_eq!(*cell.get_or_init(|| 7), 7);
/// assert_eq!(cell.set(8), Err(8));
/// ```
#[repr(transparent)]
#[derive(Debug, Default)]
pub struct OnceLock<T>(std::sync::OnceLock<T>);

impl<T> OnceLock<T> {
    /// Creates an empty cell.
    #[inline]
    #[track_caller]
    pub fn new() -> Self {
        OnceLock(std::sync::OnceLock::new())
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

    /// The value, if it has been set.
    #[inline]
    #[track_caller]
    pub fn get(&self) -> Option<&T> {
        self.0.get()
    }

    /// Sets the value if the cell is empty.
    ///
    /// # Errors
    ///
    /// Returns `value` back when the cell was already set.
    #[inline]
    #[track_caller]
    pub fn set(&self, value: T) -> Result<(), T> {
        self.0.set(value)
    }

    /// The value, initialising it with `f` if the cell is empty. Concurrent
    /// callers block until the one running `f` is done.
    #[inline]
    #[track_caller]
    pub fn get_or_init<F: FnOnce() -> T>(&self, f: F) -> &T {
        self.0.get_or_init(f)
    }

    /// Consumes the cell and returns its value, if set.
    #[inline]
    pub fn into_inner(self) -> Option<T> {
        self.0.into_inner()
    }
}
