//! Atomics as `#[repr(transparent)]` newtypes over `std::sync::atomic`.

use std::sync::atomic as std_atomic;
use std::sync::atomic::Ordering;

pub use std_atomic::{compiler_fence, fence};

macro_rules! atomic_common {
    ($name:ident, $std:ident, $t:ty) => {
        #[doc = concat!("Same as [`std::sync::atomic::", stringify!($std), "`]; recorded and checked under a checker.")]
        #[repr(transparent)]
        #[derive(Debug, Default)]
        pub struct $name(std_atomic::$std);

        impl $name {
            /// Creates a new atomic holding `value`.
            #[inline]
            #[track_caller]
            pub fn new(value: $t) -> Self {
                $name(std_atomic::$std::new(value))
            }

            /// Names the atomic in failure reports; a no-op in std mode.
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

            /// Loads the value.
            #[inline]
            #[track_caller]
            pub fn load(&self, order: Ordering) -> $t {
                self.0.load(order)
            }

            /// Stores `value`.
            #[inline]
            #[track_caller]
            pub fn store(&self, value: $t, order: Ordering) {
                self.0.store(value, order)
            }

            /// Stores `value`, returning the previous value.
            #[inline]
            #[track_caller]
            pub fn swap(&self, value: $t, order: Ordering) -> $t {
                self.0.swap(value, order)
            }

            /// Stores `new` if the value is `current`.
            ///
            /// # Errors
            ///
            /// Returns the actual value when it is not `current`.
            #[inline]
            #[track_caller]
            pub fn compare_exchange(
                &self,
                current: $t,
                new: $t,
                success: Ordering,
                failure: Ordering,
            ) -> Result<$t, $t> {
                self.0.compare_exchange(current, new, success, failure)
            }

            /// Like `compare_exchange`, but may fail spuriously.
            ///
            /// # Errors
            ///
            /// Returns the actual value when the exchange did not happen.
            #[inline]
            #[track_caller]
            pub fn compare_exchange_weak(
                &self,
                current: $t,
                new: $t,
                success: Ordering,
                failure: Ordering,
            ) -> Result<$t, $t> {
                self.0.compare_exchange_weak(current, new, success, failure)
            }

            /// Applies `f` until the update succeeds.
            ///
            /// # Errors
            ///
            /// Returns the last value seen when `f` returns `None`.
            #[inline]
            #[track_caller]
            pub fn fetch_update<F>(
                &self,
                set_order: Ordering,
                fetch_order: Ordering,
                f: F,
            ) -> Result<$t, $t>
            where
                F: FnMut($t) -> Option<$t>,
            {
                self.0.fetch_update(set_order, fetch_order, f)
            }


            /// A mutable reference to the value (`&mut self`: not shared).
            #[inline]
            pub fn get_mut(&mut self) -> &mut $t {
                self.0.get_mut()
            }

            /// Runs `f` on a mutable reference to the value (loom's `with_mut`).
            #[inline]
            pub fn with_mut<R>(&mut self, f: impl FnOnce(&mut $t) -> R) -> R {
                f(self.0.get_mut())
            }

            /// Loads the value without synchronization (loom's `unsync_load`).
            ///
            /// # Safety
            ///
            /// No other thread may write the atomic concurrently.
            #[inline]
            pub unsafe fn unsync_load(&self) -> $t {
                // SAFETY: the caller's contract; the pointer is valid for
                // as long as `self` is.
                unsafe { self.0.as_ptr().read() }
            }

            /// Consumes the atomic and returns the value.
            #[inline]
            pub fn into_inner(self) -> $t {
                self.0.into_inner()
            }
        }

        impl From<$t> for $name {
            #[track_caller]
            fn from(value: $t) -> Self {
                $name::new(value)
            }
        }
    };
}

macro_rules! atomic_bits {
    ($name:ident, $t:ty) => {
        impl $name {
            /// Bitwise and, returning the previous value.
            #[inline]
            #[track_caller]
            pub fn fetch_and(&self, value: $t, order: Ordering) -> $t {
                self.0.fetch_and(value, order)
            }

            /// Bitwise nand, returning the previous value.
            #[inline]
            #[track_caller]
            pub fn fetch_nand(&self, value: $t, order: Ordering) -> $t {
                self.0.fetch_nand(value, order)
            }

            /// Bitwise or, returning the previous value.
            #[inline]
            #[track_caller]
            pub fn fetch_or(&self, value: $t, order: Ordering) -> $t {
                self.0.fetch_or(value, order)
            }

            /// Bitwise xor, returning the previous value.
            #[inline]
            #[track_caller]
            pub fn fetch_xor(&self, value: $t, order: Ordering) -> $t {
                self.0.fetch_xor(value, order)
            }
        }
    };
}

macro_rules! atomic_int {
    ($name:ident, $std:ident, $t:ty) => {
        atomic_common!($name, $std, $t);
        atomic_bits!($name, $t);

        impl $name {
            /// Adds (wrapping), returning the previous value.
            #[inline]
            #[track_caller]
            pub fn fetch_add(&self, value: $t, order: Ordering) -> $t {
                self.0.fetch_add(value, order)
            }

            /// Subtracts (wrapping), returning the previous value.
            #[inline]
            #[track_caller]
            pub fn fetch_sub(&self, value: $t, order: Ordering) -> $t {
                self.0.fetch_sub(value, order)
            }

            /// Stores the maximum, returning the previous value.
            #[inline]
            #[track_caller]
            pub fn fetch_max(&self, value: $t, order: Ordering) -> $t {
                self.0.fetch_max(value, order)
            }

            /// Stores the minimum, returning the previous value.
            #[inline]
            #[track_caller]
            pub fn fetch_min(&self, value: $t, order: Ordering) -> $t {
                self.0.fetch_min(value, order)
            }
        }
    };
}

atomic_common!(AtomicBool, AtomicBool, bool);
atomic_bits!(AtomicBool, bool);
atomic_int!(AtomicUsize, AtomicUsize, usize);
atomic_int!(AtomicIsize, AtomicIsize, isize);
atomic_int!(AtomicU8, AtomicU8, u8);
atomic_int!(AtomicI8, AtomicI8, i8);
atomic_int!(AtomicU16, AtomicU16, u16);
atomic_int!(AtomicI16, AtomicI16, i16);
atomic_int!(AtomicU32, AtomicU32, u32);
atomic_int!(AtomicI32, AtomicI32, i32);
atomic_int!(AtomicU64, AtomicU64, u64);
atomic_int!(AtomicI64, AtomicI64, i64);

/// Same as [`std::sync::atomic::AtomicPtr`]; recorded and checked under a checker.
#[repr(transparent)]
#[derive(Debug, Default)]
pub struct AtomicPtr<T>(std_atomic::AtomicPtr<T>);

impl<T> AtomicPtr<T> {
    /// Creates a new atomic pointer.
    #[inline]
    #[track_caller]
    pub fn new(p: *mut T) -> Self {
        AtomicPtr(std_atomic::AtomicPtr::new(p))
    }

    /// Names the atomic in failure reports; a no-op in std mode.
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

    /// Loads the pointer.
    #[inline]
    #[track_caller]
    pub fn load(&self, order: Ordering) -> *mut T {
        self.0.load(order)
    }

    /// Stores the pointer.
    #[inline]
    #[track_caller]
    pub fn store(&self, p: *mut T, order: Ordering) {
        self.0.store(p, order)
    }

    /// Stores the pointer, returning the previous one.
    #[inline]
    #[track_caller]
    pub fn swap(&self, p: *mut T, order: Ordering) -> *mut T {
        self.0.swap(p, order)
    }

    /// Stores `new` if the pointer is `current`.
    ///
    /// # Errors
    ///
    /// Returns the actual pointer when it is not `current`.
    #[inline]
    #[track_caller]
    pub fn compare_exchange(
        &self,
        current: *mut T,
        new: *mut T,
        success: Ordering,
        failure: Ordering,
    ) -> Result<*mut T, *mut T> {
        self.0.compare_exchange(current, new, success, failure)
    }

    /// Like `compare_exchange`, but may fail spuriously.
    ///
    /// # Errors
    ///
    /// Returns the actual pointer when the exchange did not happen.
    #[inline]
    #[track_caller]
    pub fn compare_exchange_weak(
        &self,
        current: *mut T,
        new: *mut T,
        success: Ordering,
        failure: Ordering,
    ) -> Result<*mut T, *mut T> {
        self.0.compare_exchange_weak(current, new, success, failure)
    }

    /// A mutable reference to the value (`&mut self`: not shared).
    #[inline]
    pub fn get_mut(&mut self) -> &mut *mut T {
        self.0.get_mut()
    }

    /// Runs `f` on a mutable reference to the value (loom's `with_mut`).
    #[inline]
    pub fn with_mut<R>(&mut self, f: impl FnOnce(&mut *mut T) -> R) -> R {
        f(self.0.get_mut())
    }

    /// Loads the value without synchronization (loom's `unsync_load`).
    ///
    /// # Safety
    ///
    /// No other thread may write the atomic concurrently.
    #[inline]
    pub unsafe fn unsync_load(&self) -> *mut T {
        // SAFETY: the caller's contract; the pointer is valid for
        // as long as `self` is.
        unsafe { self.0.as_ptr().read() }
    }

    /// Consumes the atomic and returns the pointer.
    #[inline]
    pub fn into_inner(self) -> *mut T {
        self.0.into_inner()
    }
}
