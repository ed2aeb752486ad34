//! Atomics that record every access (with the value) under a checker.
//!
//! On shuttle, where weft checks races itself, each access also has its C11
//! happens-before effect on weft's vector clocks: Relaxed creates no edge,
//! Release/Acquire pairs and fences do, read-modify-writes continue release
//! sequences. shuttle runs every access sequentially consistent, so these
//! clocks are what makes a Relaxed publication a data race there too.

use std::cell::UnsafeCell;
use std::sync::atomic::Ordering;

use super::engine::atomic as raw;
use super::engine::RawUnsync;
use super::recorder;
use crate::explore::AccessKind;
use crate::ordering_override::{self as overrides, SiteKind};
use crate::record::{AtomicAccess, Loc, ObjectKind, Op, Value};

pub use std::sync::atomic::compiler_fence;

/// The detail of an atomic step: `method(order)` with the values.
fn access(
    method: &'static str,
    order: Ordering,
    read: Option<Value>,
    written: Option<Value>,
) -> AtomicAccess {
    AtomicAccess {
        method,
        order,
        failure_order: None,
        read,
        written,
        expected: None,
    }
}

/// The value a read-modify-write `method` leaves when it read `old` and
/// was given `operand` (as std computes it).
macro_rules! rmw_result {
    (fetch_add, $old:expr, $v:expr) => {
        $old.wrapping_add($v)
    };
    (fetch_sub, $old:expr, $v:expr) => {
        $old.wrapping_sub($v)
    };
    (fetch_and, $old:expr, $v:expr) => {
        $old & $v
    };
    (fetch_nand, $old:expr, $v:expr) => {
        !($old & $v)
    };
    (fetch_or, $old:expr, $v:expr) => {
        $old | $v
    };
    (fetch_xor, $old:expr, $v:expr) => {
        $old ^ $v
    };
    (fetch_max, $old:expr, $v:expr) => {
        std::cmp::max($old, $v)
    };
    (fetch_min, $old:expr, $v:expr) => {
        std::cmp::min($old, $v)
    };
}

/// A memory fence. Same as [`std::sync::atomic::fence`]; modelled by loom,
/// and by weft's clocks on shuttle.
#[track_caller]
pub fn fence(order: Ordering) {
    let at = Loc::caller();
    let (order, _) = overrides::effective(SiteKind::Fence, order, at);
    let me = recorder::current();
    raw::fence(order);
    recorder::fence(me, order, at);
}

/// The `fence(SeqCst)` an ordering repair hint puts next to an access at
/// `at` (`ordering_override::Strengthen::fence`), recorded as a step there.
fn repair_fence(at: Loc) {
    let me = recorder::current();
    raw::fence(Ordering::SeqCst);
    recorder::fence(me, Ordering::SeqCst, at);
}

/// A value written through `get_mut` on an engine that keeps atomic values
/// in its own state (loom): applied to the engine at the next access.
///
/// `get_mut` must hand out `&mut T`, and loom only lends its value inside a
/// closure (`with_mut`); the shadow holds the value in between.
struct Shadow<T>(UnsafeCell<Option<T>>);

// SAFETY: the shadow is written only through `&mut` (get_mut) and taken
// by the next access; model threads never run in parallel (they are
// coroutines of one OS thread under both checkers).
unsafe impl<T: Send> Sync for Shadow<T> {}

impl<T: Copy> Shadow<T> {
    const fn new() -> Self {
        Shadow(UnsafeCell::new(None))
    }

    fn take(&self) -> Option<T> {
        // SAFETY: see the `Sync` impl: no access overlaps this one.
        unsafe { (*self.0.get()).take() }
    }
}

macro_rules! atomic_common {
    ([$($gen:tt)*] $name:ident, $t:ty, $val:expr, $doc:expr) => {
        #[doc = $doc]
        pub struct $name<$($gen)*> {
            id: usize,
            raw: raw::$name<$($gen)*>,
            shadow: Shadow<$t>,
        }

        impl<$($gen)*> $name<$($gen)*> {
            /// Creates a new atomic holding `value`.
            #[track_caller]
            pub fn new(value: $t) -> Self {
                $name {
                    id: recorder::new_object(ObjectKind::Atomic, Loc::caller()),
                    raw: raw::$name::new(value),
                    shadow: Shadow::new(),
                }
            }

            /// Names the atomic in failure reports.
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

            /// Applies a value written through `get_mut` (loom only).
            #[inline]
            fn flush(&self) {
                if let Some(v) = self.shadow.take() {
                    let me = recorder::current();
                    self.raw.store(v, Ordering::Relaxed);
                    recorder::resume(me);
                }
            }

            /// Loads the value.
            #[track_caller]
            pub fn load(&self, order: Ordering) -> $t {
                self.flush();
                let at = Loc::caller();
                let (order, fenced) = overrides::effective(SiteKind::Load, order, at);
                if fenced {
                    repair_fence(at);
                }
                let me = recorder::current();
                let v = self.raw.load(order);
                recorder::atomic_access(me, self.id, Op::Load($val(v)), at, (Some(order), None), access("load", order, Some($val(v)), None));
                v
            }

            /// Stores `value`.
            #[track_caller]
            pub fn store(&self, value: $t, order: Ordering) {
                self.flush();
                let at = Loc::caller();
                let (order, fenced) = overrides::effective(SiteKind::Store, order, at);
                let me = recorder::current();
                self.raw.store(value, order);
                recorder::atomic_access(me, self.id, Op::Store($val(value)), at, (None, Some(order)), access("store", order, None, Some($val(value))));
                if fenced {
                    repair_fence(at);
                }
            }

            /// Stores `value`, returning the previous value.
            #[track_caller]
            pub fn swap(&self, value: $t, order: Ordering) -> $t {
                self.flush();
                let at = Loc::caller();
                let (order, _) = overrides::effective(SiteKind::Rmw, order, at);
                let me = recorder::current();
                let v = self.raw.swap(value, order);
                recorder::atomic_access(me, self.id, Op::Rmw($val(v)), at, (Some(order), Some(order)), access("swap", order, Some($val(v)), Some($val(value))));
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
                self.flush();
                let at = Loc::caller();
                let (success, failure) = overrides::effective_cas(success, failure, at);
                let me = recorder::current();
                let r = self.raw.compare_exchange(current, new, success, failure);
                self.record_cas(me, "compare_exchange", (current, new, r), success, failure, at);
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
                self.flush();
                let at = Loc::caller();
                let (success, failure) = overrides::effective_cas(success, failure, at);
                let me = recorder::current();
                let r = self.raw.compare_exchange_weak(current, new, success, failure);
                self.record_cas(me, "compare_exchange_weak", (current, new, r), success, failure, at);
                r
            }

            #[allow(clippy::type_complexity)]
            fn record_cas(
                &self,
                me: usize,
                method: &'static str,
                (current, new, r): ($t, $t, Result<$t, $t>),
                success: Ordering,
                failure: Ordering,
                at: Loc,
            ) {
                let ok = r.is_ok();
                let (read, write) = if ok {
                    (Some(success), Some(success))
                } else {
                    (Some(failure), None)
                };
                let seen = match r {
                    Ok(v) | Err(v) => v,
                };
                let detail = AtomicAccess {
                    method,
                    order: success,
                    failure_order: Some(failure),
                    read: Some($val(seen)),
                    written: ok.then(|| $val(new)),
                    expected: Some($val(current)),
                };
                recorder::atomic_access(me, self.id, Op::CompareExchange { ok }, at, (read, write), detail);
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

            /// A mutable reference to the value: the atomic is not shared
            /// (`&mut self`). Checked as a non-atomic write: it must be
            /// ordered after every other thread's access (a `Drop` impl
            /// that reads a slot without the acquire it needs is a data
            /// race, as on loom).
            #[track_caller]
            pub fn get_mut(&mut self) -> &mut $t {
                let me = recorder::current();
                self.unsync_access(AccessKind::Write, Loc::caller());
                if let Some(v) = self.shadow.take() {
                    self.raw.raw_with_mut(|slot| *slot = v);
                    recorder::resume(me);
                }
                if self.raw.raw_get_mut().is_none() {
                    // loom lends its value only inside a closure: hand out
                    // a copy, written back at the next access.
                    let v = self.raw.raw_with_mut(|v| *v);
                    recorder::resume(me);
                    let shadow = self.shadow.0.get_mut();
                    *shadow = Some(v);
                    return shadow.as_mut().expect("just set");
                }
                self.raw.raw_get_mut().expect("the engine lends its value")
            }

            /// Runs `f` on a mutable reference to the value (loom's
            /// `with_mut`); checked like [`get_mut`](Self::get_mut).
            #[track_caller]
            pub fn with_mut<R>(&mut self, f: impl FnOnce(&mut $t) -> R) -> R {
                let me = recorder::current();
                self.unsync_access(AccessKind::Write, Loc::caller());
                if let Some(v) = self.shadow.take() {
                    self.raw.raw_with_mut(|slot| *slot = v);
                }
                let r = self.raw.raw_with_mut(f);
                recorder::resume(me);
                r
            }

            /// Loads the value without synchronization (loom's `unsync_load`).
            ///
            /// # Safety
            ///
            /// No other thread may write the atomic concurrently: the load
            /// is checked as a non-atomic read, and a write that
            /// happens-before does not order with it is a data race.
            #[track_caller]
            pub unsafe fn unsync_load(&self) -> $t {
                self.flush();
                let me = recorder::current();
                // SAFETY: the caller's contract.
                let v = unsafe { self.raw.raw_unsync_load() };
                recorder::resume(me);
                // Recorded after the engine's scheduling point (shuttle's
                // load is one), so the check sees the writes made before it.
                self.unsync_access(AccessKind::Read, Loc::caller());
                v
            }

            /// Consumes the atomic and returns the value.
            #[track_caller]
            pub fn into_inner(mut self) -> $t {
                *self.get_mut()
            }

            #[track_caller]
            fn unsync_access(&self, kind: AccessKind, at: Loc) {
                let op = match kind {
                    AccessKind::Read => Op::CellRead,
                    AccessKind::Write => Op::CellWrite,
                };
                recorder::event(op, self.id, at);
                recorder::cell_access(self.id, kind, at);
            }
        }

        impl<$($gen)*> std::fmt::Debug for $name<$($gen)*> {
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
                    self.flush();
                    let at = Loc::caller();
                    let (order, _) = overrides::effective(SiteKind::Rmw, order, at);
                    let me = recorder::current();
                    let v = self.raw.$method(value, order);
                    let written = rmw_result!($method, v, value);
                    let detail = access(stringify!($method), order, Some($val(v)), Some($val(written)));
                    recorder::atomic_access(me, self.id, Op::Rmw($val(v)), at, (Some(order), Some(order)), detail);
                    v
                }
            )*
        }
    };
}

macro_rules! atomic_value {
    ($name:ident, $t:ty) => {
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
    };
}

macro_rules! atomic_int {
    ($name:ident, $t:ty) => {
        atomic_common!(
            [] $name,
            $t,
            |v: $t| Value::Int(v as i128),
            concat!("Same as [`std::sync::atomic::", stringify!($name), "`]; every access is recorded under a checker.")
        );
        atomic_value!($name, $t);
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

atomic_common!(
    [] AtomicBool,
    bool,
    Value::Bool,
    "Same as [`std::sync::atomic::AtomicBool`]; every access is recorded under a checker."
);
atomic_value!(AtomicBool, bool);
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

fn ptr_value<T>(p: *mut T) -> Value {
    Value::Ptr(p as usize)
}

atomic_common!(
    [T] AtomicPtr,
    *mut T,
    ptr_value,
    "Same as [`std::sync::atomic::AtomicPtr`]; every access is recorded under a checker."
);

// SAFETY: as std's `AtomicPtr`: the pointer is shared, never the pointee.
unsafe impl<T> Send for AtomicPtr<T> {}
// SAFETY: as std's `AtomicPtr`; the shadow is `Sync` by its own argument.
unsafe impl<T> Sync for AtomicPtr<T> {}

impl<T> Default for AtomicPtr<T> {
    #[track_caller]
    fn default() -> Self {
        AtomicPtr::new(std::ptr::null_mut())
    }
}
