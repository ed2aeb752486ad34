//! One condition-variable wait bounded by a [`Deadline`], shared by the
//! patterns that block with a timeout, and its notifier's side when the
//! waiters are counted.

use weft_sync::sync::{Condvar, MutexGuard, PoisonError};
use weft_sync::time::Deadline;

/// Waits once on `condvar`, at most until `deadline`, and returns the guard
/// and whether the wait ended because the deadline had come. A wait that
/// timed out must not be retried: under a checker a timeout may fire
/// before the (virtual) clock has moved, so only the caller's last look at
/// its condition decides. The wait may also end with neither (a spurious
/// wakeup on real threads): callers wait in a loop.
///
/// A poisoned mutex is used as is: the callers' state is consistent at
/// every unlock, because no user code runs while they hold the lock.
#[track_caller]
pub(crate) fn wait_until<'a, G>(
    condvar: &Condvar,
    guard: MutexGuard<'a, G>,
    deadline: &Deadline,
) -> (MutexGuard<'a, G>, bool) {
    match deadline.remaining() {
        None => (
            condvar.wait(guard).unwrap_or_else(PoisonError::into_inner),
            false,
        ),
        Some(left) if left.is_zero() => (guard, true),
        Some(left) => {
            let (guard, result) = condvar
                .wait_timeout(guard, left)
                .unwrap_or_else(PoisonError::into_inner);
            (guard, result.timed_out())
        }
    }
}

/// [`wait_until`], counted: `*waiting(state)` is how many threads wait on
/// `condvar`, one more for the length of this wait. A notifier that reads
/// it under the same lock notifies only when it is not zero: a
/// notification nobody waits for changes nothing, but under a checker it
/// is a step ordered against every wait on the condvar. The count rises
/// under the lock before the wait lets go of it, so a notifier that reads
/// zero came before this thread's last look at its condition: no wakeup
/// is lost.
#[track_caller]
pub(crate) fn wait_until_counted<'a, G>(
    condvar: &Condvar,
    mut guard: MutexGuard<'a, G>,
    deadline: &Deadline,
    waiting: fn(&mut G) -> &mut usize,
) -> (MutexGuard<'a, G>, bool) {
    *waiting(&mut guard) += 1;
    let (mut guard, expired) = wait_until(condvar, guard, deadline);
    *waiting(&mut guard) -= 1;
    (guard, expired)
}

/// Whom [`notify_counted`] wakes.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Wake {
    /// One waiting thread (`notify_one`).
    One,
    /// Every waiting thread (`notify_all`).
    All,
}

/// The notifier's side of [`wait_until_counted`]: lets go of `guard`,
/// then wakes one or every thread waiting on `condvar` if `waiting`, the
/// count read under `guard`, is not zero. A waiter counts itself under
/// the same lock before it waits, so none is missed.
#[track_caller]
pub(crate) fn notify_counted<G>(
    condvar: &Condvar,
    waiting: usize,
    guard: MutexGuard<'_, G>,
    wake: Wake,
) {
    drop(guard);
    match (waiting, wake) {
        (0, _) => {}
        (_, Wake::One) => condvar.notify_one(),
        (_, Wake::All) => condvar.notify_all(),
    }
}
