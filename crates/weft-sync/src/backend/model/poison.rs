//! weft's own poisoning, shared by `Mutex` and `RwLock` (engines differ:
//! shuttle has no `is_poisoned`).

use std::sync::{LockResult, PoisonError};

/// `value` as a lock result: an error carrying it when the lock is poisoned.
pub(super) fn result<V>(poisoned: bool, value: V) -> LockResult<V> {
    if poisoned {
        Err(PoisonError::new(value))
    } else {
        Ok(value)
    }
}
