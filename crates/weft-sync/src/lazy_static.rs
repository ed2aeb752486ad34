//! `lazy_static!`, loom's and the `lazy_static` crate's macro, over
//! [`LazyLock`](crate::sync::LazyLock): under a checker each execution has
//! its own value; in std mode it is std's `LazyLock`.

/// Declares lazily initialised statics. Same as the `lazy_static` crate's
/// (and loom's) `lazy_static!`; under a checker the value is per execution
/// (a static initialised in one execution is fresh in the next).
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use weft_sync::sync::atomic::{AtomicUsize, Ordering};
///
/// weft_sync::lazy_static! {
///     static ref HITS: AtomicUsize = AtomicUsize::new(0);
/// }
///
/// HITS.fetch_add(1, Ordering::Relaxed);
/// assert_eq!(HITS.load(Ordering::Relaxed), 1);
/// # });
/// ```
#[macro_export]
macro_rules! lazy_static {
    ($(#[$attr:meta])* static ref $name:ident : $t:ty = $init:expr; $($rest:tt)*) => {
        $crate::__weft_lazy_static_inner!($(#[$attr])* () $name, $t, $init);
        $crate::lazy_static!($($rest)*);
    };
    ($(#[$attr:meta])* pub static ref $name:ident : $t:ty = $init:expr; $($rest:tt)*) => {
        $crate::__weft_lazy_static_inner!($(#[$attr])* (pub) $name, $t, $init);
        $crate::lazy_static!($($rest)*);
    };
    ($(#[$attr:meta])* pub ($($vis:tt)+) static ref $name:ident : $t:ty = $init:expr; $($rest:tt)*) => {
        $crate::__weft_lazy_static_inner!($(#[$attr])* (pub ($($vis)+)) $name, $t, $init);
        $crate::lazy_static!($($rest)*);
    };
    () => {};
}

#[doc(hidden)]
#[macro_export]
macro_rules! __weft_lazy_static_inner {
    ($(#[$attr:meta])* ($($vis:tt)*) $name:ident, $t:ty, $init:expr) => {
        #[allow(missing_copy_implementations, non_camel_case_types, dead_code)]
        $(#[$attr])*
        $($vis)* struct $name {
            __private_field: (),
        }
        #[doc(hidden)]
        $($vis)* static $name: $name = $name { __private_field: () };
        impl ::core::ops::Deref for $name {
            type Target = $t;
            #[track_caller]
            fn deref(&self) -> &$t {
                fn __init() -> $t {
                    $init
                }
                static LAZY: $crate::sync::LazyLock<$t> = $crate::sync::LazyLock::new(__init);
                &*LAZY
            }
        }
    };
}
