//! Compile-time gates for code that only makes sense on real threads
//! (std mode): the one place besides the arms that reads which backend is
//! selected, so that no other crate names a checker feature. See the
//! README, "Tests on every backend".

/// Unit tests that need real threads (a wall clock, OS threads that run
/// in parallel, processes): compiled as written in std mode; under a
/// checker the module is replaced by one `#[ignore]`d test, `needs_real_threads`,
/// whose reason is `reason`, so that the run shows the tests were skipped
/// and why instead of reporting them ok.
///
/// The module gets its `#[cfg(test)]` from the macro.
///
/// # Examples
///
/// ```
/// weft_sync::real_threads_tests! {
///     "reads the wall clock, which exists only on real threads";
///     mod tests {
///         #[test]
///         fn the_clock_moves() {
///             let t0 = std::time::Instant::now();
///             std::thread::sleep(std::time::Duration::from_millis(1));
///             assert!(t0.elapsed().as_millis() >= 1);
///         }
///     }
/// }
/// ```
// The example shows a test module: its `#[test]` is the point.
#[allow(clippy::test_attr_in_doctest)]
#[cfg(not(any(feature = "loom", feature = "shuttle")))]
#[macro_export]
macro_rules! real_threads_tests {
    ($reason:literal; $(#[$attr:meta])* mod $name:ident { $($body:tt)* }) => {
        #[cfg(test)]
        $(#[$attr])*
        mod $name {
            $($body)*
        }
    };
}

/// Unit tests that need real threads (see the std-mode docs): under a
/// checker, one ignored test that says why.
#[cfg(any(feature = "loom", feature = "shuttle"))]
#[macro_export]
macro_rules! real_threads_tests {
    ($reason:literal; $(#[$attr:meta])* mod $name:ident { $($body:tt)* }) => {
        #[cfg(test)]
        mod $name {
            #[test]
            #[ignore = $reason]
            fn needs_real_threads() {}
        }
    };
}

/// Items (test helpers, mostly) that exist only on real threads: the
/// tokens as written in std mode, nothing under a checker.
///
/// # Examples
///
/// ```
/// use std::cell::Cell;
///
/// let ran = Cell::new(false);
/// weft_sync::cfg_real_threads! {
///     ran.set(true);
/// }
/// assert_eq!(ran.get(), weft_sync::capability::real_threads());
/// ```
#[cfg(not(any(feature = "loom", feature = "shuttle")))]
#[macro_export]
macro_rules! cfg_real_threads {
    ($($tokens:tt)*) => {
        $($tokens)*
    };
}

/// Items that exist only on real threads (see the std-mode docs): nothing
/// under a checker.
#[cfg(any(feature = "loom", feature = "shuttle"))]
#[macro_export]
macro_rules! cfg_real_threads {
    ($($tokens:tt)*) => {};
}
