//! `thread_local!` under a checker: one value per model thread.
//!
//! Model threads are coroutines on one OS thread, so std's `thread_local!`
//! would silently give every model thread the same value. A [`LocalKey`]
//! keeps one value per (execution, model thread) instead, created on first
//! use and dropped when that model thread ends (the main thread's when the
//! execution's main closure returns), as loom's keys are.

use std::any::Any;
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;

use super::recorder;

/// Same as [`std::thread::AccessError`]: the value was accessed while (or
/// after) its thread's values were being destroyed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AccessError;

impl fmt::Display for AccessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("already destroyed")
    }
}

impl std::error::Error for AccessError {}

/// A key to a thread-local value, declared with [`thread_local!`](crate::thread_local).
/// Same as [`std::thread::LocalKey`]; under a checker each model thread of
/// each execution has its own value.
pub struct LocalKey<T: 'static> {
    init: fn() -> T,
}

enum Slot {
    Initializing,
    Alive(Box<dyn Any>),
    Destroyed,
}

/// (execution generation, key address, model thread) → value.
type Slots = HashMap<(u64, usize, usize), Slot>;

std::thread_local! {
    static SLOTS: RefCell<(u64, Slots)> = RefCell::new((0, HashMap::new()));
}

impl<T: 'static> LocalKey<T> {
    #[doc(hidden)]
    pub const fn __new(init: fn() -> T) -> LocalKey<T> {
        LocalKey { init }
    }

    /// Runs `f` with this model thread's value, creating it first if needed.
    ///
    /// # Panics
    ///
    /// If the value is being (or was) destroyed, as std's `with` does.
    #[track_caller]
    pub fn with<F, R>(&'static self, f: F) -> R
    where
        F: FnOnce(&T) -> R,
    {
        self.try_with(f)
            .expect("cannot access a Thread Local Storage value during or after destruction")
    }

    /// Runs `f` with this model thread's value, creating it first if needed.
    ///
    /// # Errors
    ///
    /// [`AccessError`] if the value is being (or was) destroyed.
    pub fn try_with<F, R>(&'static self, f: F) -> Result<R, AccessError>
    where
        F: FnOnce(&T) -> R,
    {
        let key = (
            super::lazy_lock::execution_generation(),
            self as *const LocalKey<T> as usize,
            recorder::current(),
        );
        let found = SLOTS.with(|s| {
            let mut s = s.borrow_mut();
            forget_older(&mut s, key.0);
            match s.1.get(&key) {
                Some(Slot::Alive(b)) => Ok(Some(slot_ptr::<T>(b))),
                Some(Slot::Destroyed) => Err(AccessError),
                Some(Slot::Initializing) => {
                    panic!("a thread_local! initializer accessed its own key")
                }
                None => {
                    s.1.insert(key, Slot::Initializing);
                    Ok(None)
                }
            }
        })?;
        let ptr = match found {
            Some(ptr) => ptr,
            None => {
                // The borrow is released: the initializer may use other keys.
                let value: Box<dyn Any> = Box::new((self.init)());
                let ptr = slot_ptr::<T>(&value);
                SLOTS.with(|s| s.borrow_mut().1.insert(key, Slot::Alive(value)));
                ptr
            }
        };
        // SAFETY: the value is boxed (its address is stable when the map
        // grows) and leaves the map only in `thread_ended`, which runs when
        // this model thread's closure has returned, or for the main thread
        // after the model's closure returned: never while `f` runs on it.
        Ok(f(unsafe { &*ptr }))
    }
}

impl<T: 'static> LocalKey<std::cell::Cell<T>> {
    /// Sets this thread's value. Same as std's `LocalKey<Cell<T>>::set`.
    pub fn set(&'static self, value: T) {
        self.with(|c| c.set(value));
    }

    /// A copy of this thread's value.
    pub fn get(&'static self) -> T
    where
        T: Copy,
    {
        self.with(std::cell::Cell::get)
    }

    /// Takes this thread's value, leaving `T::default()`.
    pub fn take(&'static self) -> T
    where
        T: Default,
    {
        self.with(std::cell::Cell::take)
    }

    /// Replaces this thread's value, returning the old one.
    pub fn replace(&'static self, value: T) -> T {
        self.with(|c| c.replace(value))
    }
}

impl<T: 'static> LocalKey<std::cell::RefCell<T>> {
    /// Runs `f` with a shared borrow of this thread's value.
    pub fn with_borrow<F, R>(&'static self, f: F) -> R
    where
        F: FnOnce(&T) -> R,
    {
        self.with(|c| f(&c.borrow()))
    }

    /// Runs `f` with a mutable borrow of this thread's value.
    pub fn with_borrow_mut<F, R>(&'static self, f: F) -> R
    where
        F: FnOnce(&mut T) -> R,
    {
        self.with(|c| f(&mut c.borrow_mut()))
    }

    /// Sets this thread's value.
    pub fn set(&'static self, value: T) {
        self.with(|c| *c.borrow_mut() = value);
    }

    /// Takes this thread's value, leaving `T::default()`.
    pub fn take(&'static self) -> T
    where
        T: Default,
    {
        self.with(std::cell::RefCell::take)
    }

    /// Replaces this thread's value, returning the old one.
    pub fn replace(&'static self, value: T) -> T {
        self.with(|c| c.replace(value))
    }
}

fn slot_ptr<T: 'static>(b: &Box<dyn Any>) -> *const T {
    b.downcast_ref::<T>()
        .expect("a LocalKey's slot holds its own type") as *const T
}

/// Values of an earlier execution on this OS thread that failed (a
/// finished execution dropped its values) are forgotten, never dropped:
/// their engine state is gone.
fn forget_older(slots: &mut (u64, Slots), generation: u64) {
    if generation != 0 && slots.0 != generation {
        slots.0 = generation;
        let old = std::mem::take(&mut slots.1);
        std::mem::forget(old);
    }
}

/// Drops the values of model `thread` of the running execution, on that
/// thread (their destructors may use the model); a value created by
/// another value's destructor is dropped in the next round, as in std.
pub(crate) fn thread_ended(thread: usize) {
    for _ in 0..16 {
        let generation = super::lazy_lock::execution_generation();
        let values: Vec<Box<dyn Any>> = SLOTS.with(|s| {
            let mut s = s.borrow_mut();
            let mut taken = Vec::new();
            for (k, slot) in s.1.iter_mut() {
                if k.0 == generation && k.2 == thread && matches!(slot, Slot::Alive(_)) {
                    if let Slot::Alive(b) = std::mem::replace(slot, Slot::Destroyed) {
                        taken.push(b);
                    }
                }
            }
            taken
        });
        if values.is_empty() {
            break;
        }
        drop(values);
    }
}

/// The execution's main closure returned: drops main's values.
pub(crate) fn execution_ended() {
    thread_ended(0);
    let generation = super::lazy_lock::execution_generation();
    // Values of threads that panicked (their `Finish` skipped the drop),
    // dropped outside the borrow: a destructor may use another key.
    let rest: Vec<Slot> = SLOTS.with(|s| {
        let mut s = s.borrow_mut();
        let keys: Vec<_> = s.1.keys().filter(|k| k.0 == generation).copied().collect();
        keys.into_iter().filter_map(|k| s.1.remove(&k)).collect()
    });
    drop(rest);
}

impl<T: 'static> fmt::Debug for LocalKey<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalKey").finish_non_exhaustive()
    }
}

/// Declares thread-local statics. Same as [`std::thread_local!`]; under a
/// checker each model thread has its own value (see [`LocalKey`]).
///
/// # Examples
///
/// ```
/// use std::cell::Cell;
///
/// weft_sync::thread_local! {
///     static DEPTH: Cell<u32> = Cell::new(0);
/// }
///
/// DEPTH.with(|d| d.set(d.get() + 1));
/// assert_eq!(DEPTH.with(Cell::get), 1);
/// ```
#[macro_export]
macro_rules! thread_local {
    () => {};
    ($(#[$attr:meta])* $vis:vis static $name:ident: $t:ty = const { $init:expr }; $($rest:tt)*) => {
        $crate::__weft_thread_local_inner!($(#[$attr])* $vis $name, $t, $init);
        $crate::thread_local!($($rest)*);
    };
    ($(#[$attr:meta])* $vis:vis static $name:ident: $t:ty = const { $init:expr }) => {
        $crate::__weft_thread_local_inner!($(#[$attr])* $vis $name, $t, $init);
    };
    ($(#[$attr:meta])* $vis:vis static $name:ident: $t:ty = $init:expr; $($rest:tt)*) => {
        $crate::__weft_thread_local_inner!($(#[$attr])* $vis $name, $t, $init);
        $crate::thread_local!($($rest)*);
    };
    ($(#[$attr:meta])* $vis:vis static $name:ident: $t:ty = $init:expr) => {
        $crate::__weft_thread_local_inner!($(#[$attr])* $vis $name, $t, $init);
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __weft_thread_local_inner {
    ($(#[$attr:meta])* $vis:vis $name:ident, $t:ty, $init:expr) => {
        $(#[$attr])* $vis static $name: $crate::thread::LocalKey<$t> = {
            fn __init() -> $t {
                $init
            }
            $crate::thread::LocalKey::__new(__init)
        };
    };
}
