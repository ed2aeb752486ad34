//! A one-shot slot: one thread `put`s a value, another `take`s it. Written
//! against loom's API the way loom's documentation teaches, through a private
//! facade (`sync`) that is loom under `cfg(loom)` and std otherwise.

mod sync;

use sync::{AtomicUsize, Ordering, UnsafeCell};

const EMPTY: usize = 0;
const WRITING: usize = 1;
const FULL: usize = 2;

/// A slot for one value, written once and read once.
#[derive(Debug)]
pub struct Slot<T> {
    state: AtomicUsize,
    value: UnsafeCell<Option<T>>,
    /// The ordering of the publishing store: `Release` is correct; the
    /// `broken` constructor uses `Relaxed`, the classic missing-Release bug.
    publish: Ordering,
}

// SAFETY: the state machine gives the value to one thread at a time.
unsafe impl<T: Send> Sync for Slot<T> {}

impl<T> Slot<T> {
    /// An empty slot.
    pub fn new() -> Slot<T> {
        Slot::with_publish(Ordering::Release)
    }

    /// An empty slot with the missing-Release bug.
    pub fn broken() -> Slot<T> {
        Slot::with_publish(Ordering::Relaxed)
    }

    fn with_publish(publish: Ordering) -> Slot<T> {
        Slot {
            state: AtomicUsize::new(EMPTY),
            value: UnsafeCell::new(None),
            publish,
        }
    }

    /// Puts `v`; gives it back if the slot was used.
    pub fn put(&self, v: T) -> Result<(), T> {
        if self
            .state
            .compare_exchange(EMPTY, WRITING, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            return Err(v);
        }
        // SAFETY: WRITING gives this thread the value exclusively.
        self.value.with_mut(|p| unsafe { *p = Some(v) });
        self.state.store(FULL, self.publish);
        Ok(())
    }

    /// Takes the value, if one was put and not yet taken.
    pub fn take(&self) -> Option<T> {
        if self.state.load(Ordering::Acquire) != FULL {
            return None;
        }
        // SAFETY: FULL was published by `put` after its write; only one
        // taker per slot in this crate's contract.
        self.value.with_mut(|p| unsafe { (*p).take() })
    }
}

impl<T> Default for Slot<T> {
    fn default() -> Self {
        Slot::new()
    }
}
