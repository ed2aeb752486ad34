//! weft's own poisoning, shared by `Mutex` and `RwLock` (engines differ:
//! shuttle has no `is_poisoned`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{LockResult, PoisonError};

use super::{engine, recorder};
use crate::explore::FailureKind;
use crate::record::{Loc, Op, Value};

/// `value` as a lock result: an error carrying it when the lock is poisoned.
pub(super) fn result<V>(poisoned: bool, value: V) -> LockResult<V> {
    if poisoned {
        Err(PoisonError::new(value))
    } else {
        Ok(value)
    }
}

/// The value a lock's `into_inner` or `get_mut` takes out of the engine's
/// lock (`take`), as the caller's lock result: the engine's own poisoning
/// is ignored, weft's (`poisoned`, set when a holder panicked) decides.
/// The engine is checked first: `take` runs only if it can.
#[track_caller]
pub(super) fn value<V>(
    poisoned: &AtomicBool,
    object: usize,
    take: impl FnOnce() -> LockResult<V>,
) -> LockResult<V> {
    let poisoned = poisoned.load(Ordering::Relaxed);
    check_engine_can_use(poisoned, object, Loc::caller());
    result(poisoned, take().unwrap_or_else(PoisonError::into_inner))
}

/// The user's `is_poisoned` of lock `object` (its flag `poisoned`), asked
/// at `at`: a scheduling point, then a recorded read of the lock object
/// that the DPOR search orders against the panicking release that
/// poisons it ([`poisoned_by_panic`]). Read unseen, it explored one answer.
pub(super) fn observed(poisoned: &AtomicBool, object: usize, at: Loc) -> bool {
    recorder::scheduling_point();
    let p = poisoned.load(Ordering::Relaxed);
    recorder::event(Op::Load(Value::Bool(p)), object, at);
    p
}

/// A holder of lock `object` panicked: sets its flag `poisoned`, a change
/// of the lock object in the releasing step (see [`observed`]).
pub(super) fn poisoned_by_panic(poisoned: &AtomicBool, object: usize) {
    poisoned.store(true, Ordering::Relaxed);
    recorder::touch(object);
}

/// Fails the execution with a clear `Unsupported` failure when the engine
/// cannot use a poisoned lock (loom panics inside its own code, with
/// "called `Result::unwrap()` on an `Err` value: PoisonError"): call it
/// before handing a poisoned lock (`object`) to the engine.
pub(super) fn check_engine_can_use(poisoned: bool, object: usize, at: Loc) {
    if !(engine::POISON_BREAKS_LOCKS && poisoned) {
        return;
    }
    let name = recorder::object_name(object);
    recorder::fail(recorder::DetectedFailure {
        kind: FailureKind::Unsupported,
        message: format!(
            "`{name}` was poisoned by a panic that the model caught, and loom cannot use a poisoned lock again (its lock wraps std's and unwraps the poison): run this model on shuttle, or do not catch panics while holding the lock"
        ),
        thread: Some(recorder::current()),
        location: Some(at),
        race: None,
    });
}
