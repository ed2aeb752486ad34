//! A modelled `Arc` and `Weak`: the reference count's synchronization is
//! visible to the checker, and a never-freed allocation is a leak.
//!
//! std's `Arc` decrements with Release and acquires before it drops the
//! value, so the thread that runs `T::drop` sees everything every other
//! owner did. A checker that does not see those two edges reports a false
//! data race in every `Drop` impl that reads shared slots. Here each drop
//! is a Release read-modify-write of the allocation's count and the last
//! one an Acquire: on loom through a loom atomic (loom checks the cells),
//! on shuttle through weft's vector clocks (weft checks the cells, and
//! adds no scheduling point: shuttle runs one thread at a time, so the
//! count cannot change between the decrement and the drop).
//!
//! The value lives in a std `Arc`, whose count stays the source of truth
//! for memory: after a failure the engine may be gone, and teardown then
//! only touches std's count (a deadlock never aborts the test binary, which
//! is why weft did not take loom's `Arc`).

use std::borrow::Borrow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::mem::ManuallyDrop;
use std::ops::Deref;
use std::pin::Pin;
use std::sync::atomic::Ordering;

use super::engine;
use super::recorder;
use crate::record::{Loc, ObjectKind, Op, Value};

/// The modelled identity of one allocation.
struct Count {
    /// The allocation's object id (`NO_OBJECT` outside an execution).
    id: usize,
    /// The execution that created it (0: none): only that execution's
    /// engine may be asked to synchronize.
    generation: u64,
}

impl Count {
    #[track_caller]
    fn new() -> (std::sync::Arc<Count>, ManuallyDrop<engine::ArcToken>) {
        let generation = recorder::generation();
        let at = Loc::caller();
        let id = if generation == 0 {
            recorder::NO_OBJECT
        } else {
            recorder::new_object(ObjectKind::Arc, at)
        };
        recorder::arc_created(id, at);
        let token = engine::ArcToken::new(generation != 0);
        (
            std::sync::Arc::new(Count { id, generation }),
            ManuallyDrop::new(token),
        )
    }

    /// Reads the strong count (`read`) as asked at `at`: in a step of its
    /// own, after a scheduling point, since other owners' clones and drops
    /// change it, and recorded as a read of the count, which the DPOR
    /// search orders against them. (Read unseen, the search explored one
    /// answer and called the model verified.)
    fn observe(&self, at: Loc, read: impl FnOnce() -> usize) -> usize {
        if !self.live() {
            return read();
        }
        recorder::scheduling_point();
        let n = read();
        recorder::arc_observed(self.id, at, n);
        n
    }

    /// Whether this allocation belongs to the running, healthy execution.
    fn live(&self) -> bool {
        self.generation != 0 && recorder::generation() == self.generation
    }

    /// A reference goes away: its engine token first (loom's scheduling
    /// point), then the step and clocks. `strong` is std's strong count
    /// before the reference goes, read right after that scheduling point,
    /// so that the thread that sees 1 is the one that drops the value.
    fn decrement(&self, token: engine::ArcToken, at: Option<Loc>, strong: impl FnOnce() -> usize) {
        if self.generation == 0 {
            token.release(false);
            return;
        }
        let me = recorder::current();
        let live = self.live();
        token.release(live);
        if !live {
            return;
        }
        recorder::resume(me);
        let strong = strong();
        // One recorder access for the step, the clocks (on shuttle) and
        // the leak bookkeeping: `Arc` drops are frequent.
        recorder::arc_released(me, self.id, self.generation, at, strong, strong == 1);
    }
}

/// A thread-safe reference-counted pointer. Same as [`std::sync::Arc`];
/// under a checker the count's Release decrement and Acquire before drop
/// are modelled, and an allocation still alive when the execution ends is
/// a [`Leak`](crate::explore::FailureKind::Leak).
///
/// Unsized values (`Arc<dyn Trait>`, `Arc<[T]>`) are made with
/// [`Arc::from_std`], as with loom: std's unsizing coercion is unstable.
///
/// # Examples
///
/// ```
/// use weft_sync::sync::Arc;
///
/// let a = Arc::new(5);
/// let b = Arc::clone(&a);
/// assert_eq!(*b, 5);
/// assert_eq!(Arc::strong_count(&a), 2);
/// ```
pub struct Arc<T: ?Sized> {
    value: std::sync::Arc<T>,
    count: std::sync::Arc<Count>,
    /// This reference as the engine counts it (loom: a reference of a
    /// `loom::sync::Arc<()>`); taken out exactly once, by `Drop` or by
    /// the methods that consume the `Arc`.
    token: ManuallyDrop<engine::ArcToken>,
}

/// A weak reference to an [`Arc`]'s value. Same as [`std::sync::Weak`].
///
/// On loom, an `Arc` made by [`Weak::upgrade`] is a new reference of its
/// own to loom (loom's `Arc` has no weak references): when it is the last
/// one dropped, the value's drop is ordered after the other owners only
/// through the program's own synchronization.
pub struct Weak<T: ?Sized> {
    value: std::sync::Weak<T>,
    count: Option<std::sync::Arc<Count>>,
}

thread_local! {
    /// `Arc::into_raw` pointers and their counts, for `from_raw`.
    #[allow(clippy::type_complexity)]
    static RAW: RefCell<HashMap<usize, (std::sync::Arc<Count>, ManuallyDrop<engine::ArcToken>)>> =
        RefCell::new(HashMap::new());
}

impl<T> Arc<T> {
    /// Allocates `value`.
    #[track_caller]
    pub fn new(value: T) -> Arc<T> {
        let (count, token) = Count::new();
        Arc {
            value: std::sync::Arc::new(value),
            count,
            token,
        }
    }

    /// Allocates `value`, pinned.
    #[track_caller]
    pub fn pin(value: T) -> Pin<Arc<T>> {
        // SAFETY: the value is never moved out of its allocation.
        unsafe { Pin::new_unchecked(Arc::new(value)) }
    }

    /// The value, if this is the only strong reference.
    ///
    /// # Errors
    ///
    /// Returns `this` when other strong references exist.
    #[track_caller]
    pub fn try_unwrap(this: Arc<T>) -> Result<T, Arc<T>> {
        let at = Loc::caller();
        if this
            .count
            .observe(at, || std::sync::Arc::strong_count(&this.value))
            != 1
        {
            return Err(this);
        }
        let (value, count, token) = Arc::into_parts(this);
        count.decrement(token, Some(at), || std::sync::Arc::strong_count(&value));
        // The decrement is a scheduling point: a `Weak::upgrade` may have
        // run meanwhile, and then this reference is still shared.
        std::sync::Arc::try_unwrap(value).map_err(|value| {
            let token = engine::ArcToken::new(count.live());
            Arc {
                value,
                count,
                token: ManuallyDrop::new(token),
            }
        })
    }

    /// The value, if this is the only strong reference; `None` otherwise
    /// (and the reference is dropped).
    #[track_caller]
    pub fn into_inner(this: Arc<T>) -> Option<T> {
        Arc::try_unwrap(this).ok()
    }
}

impl<T: ?Sized> Arc<T> {
    /// Wraps a unique std `Arc`, for unsized values.
    ///
    /// # Panics
    ///
    /// If `std` has other references (as loom's `from_std`).
    #[track_caller]
    pub fn from_std(mut std: std::sync::Arc<T>) -> Arc<T> {
        assert!(
            std::sync::Arc::get_mut(&mut std).is_some(),
            "Arc provided to `from_std` is not unique"
        );
        let (count, token) = Count::new();
        Arc {
            value: std,
            count,
            token,
        }
    }

    /// The parts of `this`, which is not dropped.
    fn into_parts(this: Arc<T>) -> (std::sync::Arc<T>, std::sync::Arc<Count>, engine::ArcToken) {
        let mut this = ManuallyDrop::new(this);
        // SAFETY: `this` is never used or dropped again, and each field is
        // read once.
        unsafe {
            (
                std::ptr::read(&this.value),
                std::ptr::read(&this.count),
                ManuallyDrop::take(&mut this.token),
            )
        }
    }

    /// Makes a weak reference.
    pub fn downgrade(this: &Arc<T>) -> Weak<T> {
        Weak {
            value: std::sync::Arc::downgrade(&this.value),
            count: Some(this.count.clone()),
        }
    }

    /// Strong references to the value: a step of its own, ordered by the
    /// checker against the other owners' clones and drops.
    #[track_caller]
    pub fn strong_count(this: &Arc<T>) -> usize {
        this.count
            .observe(Loc::caller(), || std::sync::Arc::strong_count(&this.value))
    }

    /// Weak references to the value. (Not ordered by the checker:
    /// `Weak` references are no steps; README, Limitations.)
    pub fn weak_count(this: &Arc<T>) -> usize {
        std::sync::Arc::weak_count(&this.value)
    }

    /// A mutable reference, if this is the only reference: whether it is
    /// is read in a step of its own, as [`Arc::strong_count`].
    #[track_caller]
    pub fn get_mut(this: &mut Arc<T>) -> Option<&mut T> {
        let at = Loc::caller();
        let unique = this.count.live() && {
            recorder::scheduling_point();
            let strong = std::sync::Arc::strong_count(&this.value);
            if strong != 1 {
                recorder::arc_observed(this.count.id, at, strong);
            }
            strong == 1
        };
        if unique {
            let me = recorder::current();
            this.token.acquire_unique(true);
            recorder::resume(me);
            // As std: uniqueness is checked with an Acquire, so the caller
            // sees what the dropped references' threads did.
            recorder::atomic_access(
                recorder::current(),
                this.count.id,
                Op::Load(Value::Int(1)),
                at,
                (Some(Ordering::Acquire), None),
                crate::record::AtomicAccess {
                    method: "load",
                    order: Ordering::Acquire,
                    failure_order: None,
                    read: Some(Value::Int(1)),
                    written: None,
                    expected: None,
                },
            );
        }
        std::sync::Arc::get_mut(&mut this.value)
    }

    /// Whether both point to the same allocation.
    pub fn ptr_eq(this: &Arc<T>, other: &Arc<T>) -> bool {
        std::sync::Arc::ptr_eq(&this.value, &other.value)
    }

    /// A raw pointer to the value.
    pub fn as_ptr(this: &Arc<T>) -> *const T {
        std::sync::Arc::as_ptr(&this.value)
    }

    /// Consumes the `Arc` into a raw pointer (see [`Arc::from_raw`]).
    pub fn into_raw(this: Arc<T>) -> *const T {
        let (value, count, token) = Arc::into_parts(this);
        let ptr = std::sync::Arc::into_raw(value);
        RAW.with(|r| {
            r.borrow_mut()
                .insert(ptr.cast::<()>() as usize, (count, ManuallyDrop::new(token)));
        });
        ptr
    }

    /// Rebuilds an `Arc` from [`Arc::into_raw`].
    ///
    /// # Safety
    ///
    /// As [`std::sync::Arc::from_raw`]: `ptr` came from `into_raw` and is
    /// rebuilt once.
    #[track_caller]
    pub unsafe fn from_raw(ptr: *const T) -> Arc<T> {
        let (count, token) = RAW
            .with(|r| r.borrow_mut().remove(&(ptr.cast::<()>() as usize)))
            .unwrap_or_else(|| {
                let count = Count {
                    id: recorder::NO_OBJECT,
                    generation: 0,
                };
                (
                    std::sync::Arc::new(count),
                    ManuallyDrop::new(engine::ArcToken::new(false)),
                )
            });
        Arc {
            // SAFETY: the caller's contract.
            value: unsafe { std::sync::Arc::from_raw(ptr) },
            count,
            token,
        }
    }
}

impl<T: Clone> Arc<T> {
    /// A mutable reference, cloning the value first if it is shared.
    #[track_caller]
    pub fn make_mut(this: &mut Arc<T>) -> &mut T {
        let strong = this
            .count
            .observe(Loc::caller(), || std::sync::Arc::strong_count(&this.value));
        if strong != 1 || std::sync::Arc::weak_count(&this.value) != 0 {
            *this = Arc::new((*this.value).clone());
        }
        Arc::get_mut(this).expect("unique after the clone")
    }

    /// The value, cloned if it is shared.
    #[track_caller]
    pub fn unwrap_or_clone(this: Arc<T>) -> T {
        Arc::try_unwrap(this).unwrap_or_else(|a| (*a).clone())
    }
}

impl<T: ?Sized> Clone for Arc<T> {
    fn clone(&self) -> Arc<T> {
        // A new reference is Relaxed, as std's: no edge, only loom's
        // scheduling point (its `Arc` clone is one).
        let me = recorder::current();
        let token = self.token.clone_token(|| self.count.live());
        recorder::resume(me);
        if self.count.live() {
            recorder::arc_cloned(self.count.id);
        }
        Arc {
            value: self.value.clone(),
            count: self.count.clone(),
            token: ManuallyDrop::new(token),
        }
    }
}

impl<T: ?Sized> Drop for Arc<T> {
    #[track_caller]
    fn drop(&mut self) {
        // SAFETY: taken once, here; `self` is gone after this.
        let token = unsafe { ManuallyDrop::take(&mut self.token) };
        // Drop glue has no caller location: the allocation's site names it.
        let value = &self.value;
        self.count
            .decrement(token, None, || std::sync::Arc::strong_count(value));
    }
}

impl<T: ?Sized> Deref for Arc<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: ?Sized> AsRef<T> for Arc<T> {
    fn as_ref(&self) -> &T {
        &self.value
    }
}

impl<T: ?Sized> Borrow<T> for Arc<T> {
    fn borrow(&self) -> &T {
        &self.value
    }
}

impl<T: Default> Default for Arc<T> {
    #[track_caller]
    fn default() -> Arc<T> {
        Arc::new(T::default())
    }
}

impl<T> From<T> for Arc<T> {
    #[track_caller]
    fn from(value: T) -> Arc<T> {
        Arc::new(value)
    }
}

impl From<&str> for Arc<str> {
    #[track_caller]
    fn from(s: &str) -> Arc<str> {
        Arc::from_std(std::sync::Arc::from(s))
    }
}

impl From<String> for Arc<str> {
    #[track_caller]
    fn from(s: String) -> Arc<str> {
        Arc::from_std(std::sync::Arc::from(s))
    }
}

impl<T> From<Vec<T>> for Arc<[T]> {
    #[track_caller]
    fn from(v: Vec<T>) -> Arc<[T]> {
        Arc::from_std(std::sync::Arc::from(v))
    }
}

impl<T: ?Sized> From<Box<T>> for Arc<T> {
    #[track_caller]
    fn from(b: Box<T>) -> Arc<T> {
        Arc::from_std(std::sync::Arc::from(b))
    }
}

impl<T: ?Sized + PartialEq> PartialEq for Arc<T> {
    fn eq(&self, other: &Arc<T>) -> bool {
        *self.value == *other.value
    }
}

impl<T: ?Sized + Eq> Eq for Arc<T> {}

impl<T: ?Sized + PartialOrd> PartialOrd for Arc<T> {
    fn partial_cmp(&self, other: &Arc<T>) -> Option<std::cmp::Ordering> {
        (*self.value).partial_cmp(&*other.value)
    }
}

impl<T: ?Sized + Ord> Ord for Arc<T> {
    fn cmp(&self, other: &Arc<T>) -> std::cmp::Ordering {
        (*self.value).cmp(&*other.value)
    }
}

impl<T: ?Sized + Hash> Hash for Arc<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (*self.value).hash(state)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for Arc<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.value, f)
    }
}

impl<T: ?Sized + fmt::Display> fmt::Display for Arc<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.value, f)
    }
}

impl<T: ?Sized> fmt::Pointer for Arc<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Pointer::fmt(&self.value, f)
    }
}

impl<T: ?Sized> Unpin for Arc<T> {}

impl<T> Weak<T> {
    /// A weak reference to nothing: `upgrade` always returns `None`.
    pub const fn new() -> Weak<T> {
        Weak {
            value: std::sync::Weak::new(),
            count: None,
        }
    }
}

impl<T: ?Sized> Weak<T> {
    /// A strong reference, if the value is still alive: whether it is is
    /// read in a step of its own, as [`Arc::strong_count`].
    #[track_caller]
    pub fn upgrade(&self) -> Option<Arc<T>> {
        let value = match &self.count {
            Some(count) => {
                let mut value = None;
                count.observe(Loc::caller(), || {
                    value = self.value.upgrade();
                    // The count this upgrade saw, before its own reference.
                    value
                        .as_ref()
                        .map_or(0, |v| std::sync::Arc::strong_count(v) - 1)
                });
                value
            }
            None => self.value.upgrade(),
        }?;
        let count = self.count.clone()?;
        let token = engine::ArcToken::new(count.live());
        Some(Arc {
            value,
            count,
            token: ManuallyDrop::new(token),
        })
    }

    /// Strong references to the value (a step, as
    /// [`Arc::strong_count`]).
    #[track_caller]
    pub fn strong_count(&self) -> usize {
        match &self.count {
            Some(count) => count.observe(Loc::caller(), || self.value.strong_count()),
            None => self.value.strong_count(),
        }
    }

    /// Weak references to the value.
    pub fn weak_count(&self) -> usize {
        self.value.weak_count()
    }

    /// Whether both point to the same allocation.
    pub fn ptr_eq(&self, other: &Weak<T>) -> bool {
        self.value.ptr_eq(&other.value)
    }
}

impl<T: ?Sized> Clone for Weak<T> {
    fn clone(&self) -> Weak<T> {
        Weak {
            value: self.value.clone(),
            count: self.count.clone(),
        }
    }
}

impl<T> Default for Weak<T> {
    fn default() -> Weak<T> {
        Weak::new()
    }
}

impl<T: ?Sized> fmt::Debug for Weak<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(Weak)")
    }
}
