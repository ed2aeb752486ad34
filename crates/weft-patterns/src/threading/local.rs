//! [`Local`]: Python's `threading.local()`: one value per thread, on
//! weft's modelled [`thread_local!`](weft_sync::thread_local).

use std::any::Any;
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::marker::PhantomData;
// std's `Arc` and `Weak`: a local's identity only, never shared data. Each
// thread's entry holds a `Weak` to it, which keeps the allocation (and so
// the address used as the key) from being reused while any entry of the
// local exists; the values themselves never leave their thread.
use std::sync::{Arc, Weak};

/// The identity of one [`Local`]: its allocation's address is the key.
#[derive(Debug)]
struct Key;

/// One thread's value of one local: `None` while a `with` on it runs.
struct Slot {
    key: Weak<Key>,
    value: Option<Box<dyn Any>>,
}

weft_sync::thread_local! {
    /// This thread's values of every [`Local`], by the local's address.
    static VALUES: RefCell<HashMap<usize, Slot>> = RefCell::new(HashMap::new());
}

/// A value per thread: Python's `threading.local()`. Every thread that
/// touches a `Local` sees its own value, made by the local's initializer on
/// the thread's first access and dropped when the thread exits.
///
/// Built on weft's [`thread_local!`](weft_sync::thread_local), so under a
/// checker each model thread has its own values too (std's thread-locals
/// would be shared by every model thread on the checker's one OS thread).
/// Clones share the values: a clone is the same local.
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use weft_patterns::threading::{self, Thread};
///
/// let requests = threading::local::<u32>();
/// requests.set(7);
/// let theirs = requests.clone();
/// let other = Thread::new(move || {
///     theirs.with(|n| *n += 1); // this thread's own value: 0, then 1
///     theirs.get()
/// })
/// .start()
/// .unwrap();
/// assert_eq!(other.join(), Ok(1));
/// assert_eq!(requests.get(), 7); // untouched by the other thread
/// # });
/// ```
pub struct Local<T> {
    key: Arc<Key>,
    init: Arc<dyn Fn() -> T + Send + Sync>,
    /// Values are made, used and dropped on their own thread only.
    values: PhantomData<fn() -> T>,
}

/// A new [`Local`] whose value starts as `T::default()` in every thread:
/// Python's `threading.local()`.
pub fn local<T: Default + 'static>() -> Local<T> {
    Local::new()
}

impl<T: 'static> Local<T> {
    /// A local whose value starts as `T::default()` in every thread.
    pub fn new() -> Local<T>
    where
        T: Default,
    {
        Local::with_init(T::default)
    }

    /// A local whose value starts as `init()` in every thread, called on
    /// the thread's first access (Python's subclass `__init__`).
    pub fn with_init<F>(init: F) -> Local<T>
    where
        F: Fn() -> T + Send + Sync + 'static,
    {
        Local {
            key: Arc::new(Key),
            init: Arc::new(init),
            values: PhantomData,
        }
    }

    /// Runs `f` on this thread's value (made first if this thread has
    /// none) and returns what `f` returns.
    ///
    /// # Panics
    ///
    /// If `f` uses this same local again (a nested `with`, `get` or
    /// `set`), as a `RefCell` borrowed twice does; other locals are fine.
    /// Also when called from a thread-local destructor after this thread's
    /// values are gone.
    pub fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        let address = self.address();
        let (taken, dead) = VALUES.with(|values| {
            let mut values = values.borrow_mut();
            // The entries of locals that no longer exist, dropped below
            // once the map is no longer borrowed.
            let dead_keys: Vec<usize> = values
                .iter()
                .filter(|(_, slot)| slot.key.strong_count() == 0)
                .map(|(key, _)| *key)
                .collect();
            let dead: Vec<Slot> = dead_keys
                .iter()
                .filter_map(|key| values.remove(key))
                .collect();
            let taken = match values.get_mut(&address) {
                Some(slot) => match slot.value.take() {
                    Some(value) => Some(value),
                    None => panic!("threading::Local used inside its own `with`"),
                },
                None => None,
            };
            (taken, dead)
        });
        drop(dead);
        let value = match taken {
            Some(value) => value,
            None => {
                let value: Box<dyn Any> = Box::new((self.init)());
                VALUES.with(|values| {
                    values.borrow_mut().insert(
                        address,
                        Slot {
                            key: Arc::downgrade(&self.key),
                            value: None,
                        },
                    )
                });
                value
            }
        };
        // Put the value back when done, even if `f` panics.
        let mut slot = PutBack {
            address,
            value: Some(value),
        };
        let typed = slot
            .value
            .as_mut()
            .and_then(|value| value.downcast_mut::<T>())
            .expect("a local's values all have its type");
        f(typed)
    }

    /// This thread's value, cloned.
    pub fn get(&self) -> T
    where
        T: Clone,
    {
        self.with(|value| value.clone())
    }

    /// Replaces this thread's value and returns the old one.
    pub fn set(&self, value: T) -> T {
        self.with(|slot| std::mem::replace(slot, value))
    }

    /// The key of this local's values in each thread's map.
    fn address(&self) -> usize {
        Arc::as_ptr(&self.key) as usize
    }
}

/// Returns a value taken out of this thread's map for a `with`.
struct PutBack {
    address: usize,
    value: Option<Box<dyn Any>>,
}

impl Drop for PutBack {
    fn drop(&mut self) {
        let value = self.value.take();
        let _ = VALUES.try_with(|values| {
            if let Ok(mut values) = values.try_borrow_mut() {
                if let Some(slot) = values.get_mut(&self.address) {
                    slot.value = value;
                }
            }
        });
    }
}

impl<T: Default + 'static> Default for Local<T> {
    fn default() -> Local<T> {
        Local::new()
    }
}

impl<T> Clone for Local<T> {
    /// The same local: the clone sees the same per-thread values.
    fn clone(&self) -> Local<T> {
        Local {
            key: Arc::clone(&self.key),
            init: Arc::clone(&self.init),
            values: PhantomData,
        }
    }
}

impl<T> fmt::Debug for Local<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Local").finish_non_exhaustive()
    }
}
