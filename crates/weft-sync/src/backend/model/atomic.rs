//! Atomics that record every access (with the value) under a checker.

use std::sync::atomic::Ordering;

use super::engine::atomic as raw;
use super::recorder;
use crate::record::{Loc, ObjectKind, Op, Value};

pub use std::sync::atomic::compiler_fence;

/// A memory fence. Same as [`std::sync::atomic::fence`]; modelled by loom.
#[track_caller]
pub fn fence(order: Ordering) {
    let me = recorder::current();
    raw::fence(order);
    recorder::resume(me);
    recorder::event(Op::Fence, recorder::NO_OBJECT, Loc::caller());
}

/// Records an access that read (acquire) and/or wrote (release).
#[inline]
fn record(id: usize, me: usize, op: Op, reads: bool, writes: bool, at: Loc) {
    recorder::resume(me);
    if reads {
        recorder::acquire(id);
    }
    if writes {
        recorder::release(id);
    }
    recorder::event(op, id, at);
}

macro_rules! atomic_common {
    ($name:ident, $t:ty, $val:expr) => {
        #[doc = concat!("Same as [`std::sync::atomic::", stringify!($name), "`]; every access is recorded under a checker.")]
        pub struct $name {
            id: usize,
            raw: raw::$name,
        }

        impl $name {
            /// Creates a new atomic holding `value`.
            #[track_caller]
            pub fn new(value: $t) -> Self {
                $name {
                    id: recorder::new_object(ObjectKind::Atomic, Loc::caller()),
                    raw: raw::$name::new(value),
                }
            }

            /// Names the atomic in failure reports.
            #[must_use]
            pub fn named(self, name: impl Into<String>) -> Self {
                recorder::name_object(self.id, name.into());
                self
            }

            /// Loads the value.
            #[track_caller]
            pub fn load(&self, order: Ordering) -> $t {
                let me = recorder::current();
                let v = self.raw.load(order);
                record(self.id, me, Op::Load($val(v)), true, false, Loc::caller());
                v
            }

            /// Stores `value`.
            #[track_caller]
            pub fn store(&self, value: $t, order: Ordering) {
                let me = recorder::current();
                self.raw.store(value, order);
                record(self.id, me, Op::Store($val(value)), false, true, Loc::caller());
            }

            /// Stores `value`, returning the previous value.
            #[track_caller]
            pub fn swap(&self, value: $t, order: Ordering) -> $t {
                let me = recorder::current();
                let v = self.raw.swap(value, order);
                record(self.id, me, Op::Rmw($val(v)), true, true, Loc::caller());
                v
            }

            /// Stores `new` if the value is `current`.
            ///
            /// # Errors
            ///
            /// Returns the actual value when it is not `current`.
            #[track_caller]
            pub fn compare_exchange(
                &self,
                current: $t,
                new: $t,
                success: Ordering,
                failure: Ordering,
            ) -> Result<$t, $t> {
                let me = recorder::current();
                let r = self.raw.compare_exchange(current, new, success, failure);
                record(self.id, me, Op::CompareExchange { ok: r.is_ok() }, true, r.is_ok(), Loc::caller());
                r
            }

            /// Like `compare_exchange`, but may fail spuriously.
            ///
            /// # Errors
            ///
            /// Returns the actual value when the exchange did not happen.
            #[track_caller]
            pub fn compare_exchange_weak(
                &self,
                current: $t,
                new: $t,
                success: Ordering,
                failure: Ordering,
            ) -> Result<$t, $t> {
                let me = recorder::current();
                let r = self.raw.compare_exchange_weak(current, new, success, failure);
                record(self.id, me, Op::CompareExchange { ok: r.is_ok() }, true, r.is_ok(), Loc::caller());
                r
            }

            /// Applies `f` until the update succeeds (a load, then
            /// compare-exchanges, each recorded).
            ///
            /// # Errors
            ///
            /// Returns the last value seen when `f` returns `None`.
            #[track_caller]
            pub fn fetch_update<F>(
                &self,
                set_order: Ordering,
                fetch_order: Ordering,
                mut f: F,
            ) -> Result<$t, $t>
            where
                F: FnMut($t) -> Option<$t>,
            {
                let mut prev = self.load(fetch_order);
                while let Some(next) = f(prev) {
                    match self.compare_exchange_weak(prev, next, set_order, fetch_order) {
                        Ok(v) => return Ok(v),
                        Err(actual) => prev = actual,
                    }
                }
                Err(prev)
            }

            /// Consumes the atomic and returns the value.
            pub fn into_inner(self) -> $t {
                self.raw.into_inner()
            }
        }

        impl Default for $name {
            #[track_caller]
            fn default() -> Self {
                $name::new(Default::default())
            }
        }

        impl From<$t> for $name {
            #[track_caller]
            fn from(value: $t) -> Self {
                $name::new(value)
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($name))
                    .field("name", &recorder::object_name(self.id))
                    .finish_non_exhaustive()
            }
        }
    };
}

macro_rules! rmw {
    ($name:ident, $t:ty, $val:expr, $($method:ident),*) => {
        impl $name {
            $(
                #[doc = concat!("Same as std's `", stringify!($method), "`: returns the previous value.")]
                #[track_caller]
                pub fn $method(&self, value: $t, order: Ordering) -> $t {
                    let me = recorder::current();
                    let v = self.raw.$method(value, order);
                    record(self.id, me, Op::Rmw($val(v)), true, true, Loc::caller());
                    v
                }
            )*
        }
    };
}

macro_rules! atomic_int {
    ($name:ident, $t:ty) => {
        atomic_common!($name, $t, |v: $t| Value::Int(v as i128));
        rmw!(
            $name,
            $t,
            |v: $t| Value::Int(v as i128),
            fetch_add,
            fetch_sub,
            fetch_and,
            fetch_nand,
            fetch_or,
            fetch_xor,
            fetch_max,
            fetch_min
        );
    };
}

atomic_common!(AtomicBool, bool, Value::Bool);
rmw!(
    AtomicBool,
    bool,
    Value::Bool,
    fetch_and,
    fetch_nand,
    fetch_or,
    fetch_xor
);
atomic_int!(AtomicUsize, usize);
atomic_int!(AtomicIsize, isize);
atomic_int!(AtomicU8, u8);
atomic_int!(AtomicI8, i8);
atomic_int!(AtomicU16, u16);
atomic_int!(AtomicI16, i16);
atomic_int!(AtomicU32, u32);
atomic_int!(AtomicI32, i32);
atomic_int!(AtomicU64, u64);
atomic_int!(AtomicI64, i64);

/// Same as [`std::sync::atomic::AtomicPtr`]; every access is recorded under a checker.
pub struct AtomicPtr<T> {
    id: usize,
    raw: raw::AtomicPtr<T>,
}

fn ptr_value<T>(p: *mut T) -> Value {
    Value::Ptr(p as usize)
}

impl<T> AtomicPtr<T> {
    /// Creates a new atomic pointer.
    #[track_caller]
    pub fn new(p: *mut T) -> Self {
        AtomicPtr {
            id: recorder::new_object(ObjectKind::Atomic, Loc::caller()),
            raw: raw::AtomicPtr::new(p),
        }
    }

    /// Names the atomic in failure reports.
    #[must_use]
    pub fn named(self, name: impl Into<String>) -> Self {
        recorder::name_object(self.id, name.into());
        self
    }

    /// Loads the pointer.
    #[track_caller]
    pub fn load(&self, order: Ordering) -> *mut T {
        let me = recorder::current();
        let v = self.raw.load(order);
        record(
            self.id,
            me,
            Op::Load(ptr_value(v)),
            true,
            false,
            Loc::caller(),
        );
        v
    }

    /// Stores the pointer.
    #[track_caller]
    pub fn store(&self, p: *mut T, order: Ordering) {
        let me = recorder::current();
        self.raw.store(p, order);
        record(
            self.id,
            me,
            Op::Store(ptr_value(p)),
            false,
            true,
            Loc::caller(),
        );
    }

    /// Stores the pointer, returning the previous one.
    #[track_caller]
    pub fn swap(&self, p: *mut T, order: Ordering) -> *mut T {
        let me = recorder::current();
        let v = self.raw.swap(p, order);
        record(
            self.id,
            me,
            Op::Rmw(ptr_value(v)),
            true,
            true,
            Loc::caller(),
        );
        v
    }

    /// Stores `new` if the pointer is `current`.
    ///
    /// # Errors
    ///
    /// Returns the actual pointer when it is not `current`.
    #[track_caller]
    pub fn compare_exchange(
        &self,
        current: *mut T,
        new: *mut T,
        success: Ordering,
        failure: Ordering,
    ) -> Result<*mut T, *mut T> {
        let me = recorder::current();
        let r = self.raw.compare_exchange(current, new, success, failure);
        record(
            self.id,
            me,
            Op::CompareExchange { ok: r.is_ok() },
            true,
            r.is_ok(),
            Loc::caller(),
        );
        r
    }

    /// Like `compare_exchange`, but may fail spuriously.
    ///
    /// # Errors
    ///
    /// Returns the actual pointer when the exchange did not happen.
    #[track_caller]
    pub fn compare_exchange_weak(
        &self,
        current: *mut T,
        new: *mut T,
        success: Ordering,
        failure: Ordering,
    ) -> Result<*mut T, *mut T> {
        let me = recorder::current();
        let r = self
            .raw
            .compare_exchange_weak(current, new, success, failure);
        record(
            self.id,
            me,
            Op::CompareExchange { ok: r.is_ok() },
            true,
            r.is_ok(),
            Loc::caller(),
        );
        r
    }

    /// Consumes the atomic and returns the pointer.
    pub fn into_inner(self) -> *mut T {
        self.raw.into_inner()
    }
}

impl<T> Default for AtomicPtr<T> {
    #[track_caller]
    fn default() -> Self {
        AtomicPtr::new(std::ptr::null_mut())
    }
}

impl<T> std::fmt::Debug for AtomicPtr<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AtomicPtr")
            .field("name", &recorder::object_name(self.id))
            .finish_non_exhaustive()
    }
}
