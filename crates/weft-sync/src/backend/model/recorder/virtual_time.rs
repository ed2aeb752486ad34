//! The execution's virtual clock, which timed operations move, and a
//! thread that waits for it by reading it and yielding.

use std::time::Duration;

use super::with;

/// The virtual clock of the execution, read by a timed operation (its
/// deadline, or whether it passed).
pub(crate) fn now() -> Duration {
    with(|e| {
        e.clock_read = true;
        e.now
    })
    .unwrap_or_default()
}

/// The least time a timed operation takes: it returns strictly after its
/// deadline, as on a real clock. A timeout that left the clock exactly at
/// the deadline made `deadline.checked_duration_since(now)` `Some(0)`, and
/// a loop waiting for the rest of the time waited for zero forever.
const TICK: Duration = Duration::from_nanos(1);

/// A timed operation (a timed-out wait, a sleep) reached `deadline`: the
/// clock moves strictly past it, and never backwards (the clock is shared,
/// and another thread may have slept further already).
pub(crate) fn pass_deadline(deadline: Duration) {
    with(|e| {
        e.clock_passed = true;
        e.now = e.now.max(deadline.saturating_add(TICK));
    });
}

/// The virtual clock, read by the model (`Instant::now`): the current
/// thread's next yield moves it (see [`spin_yield`]).
pub(crate) fn read_clock() -> Duration {
    with(|e| {
        let me = e.current;
        if e.clock_spins.len() <= me {
            e.clock_spins.resize(me + 1, (false, FIRST_SPIN));
        }
        e.clock_spins[me].0 = true;
        e.clock_read = true;
        e.now
    })
    .unwrap_or_default()
}

/// How far the first clock-reading yield moves the clock.
const FIRST_SPIN: Duration = Duration::from_micros(1);

/// The current thread yields (`yield_now`, `spin_loop`). If it read the
/// clock since its last yield, it may be waiting for the clock itself
/// (`while Instant::now() < deadline { yield_now() }`), which no other
/// thread moves: the clock moves on, 1 µs, then twice as far at each such
/// yield in a row (a 5 ms deadline is passed in 13 turns, an hour's in
/// 32). Time may always pass between two steps, so this adds no
/// behaviour a real clock lacks; without it the loop ran to the step
/// limit. A yield with no clock read since restarts at 1 µs.
pub(crate) fn spin_yield() {
    with(|e| {
        let me = e.current;
        let Some((read, quantum)) = e.clock_spins.get_mut(me) else {
            return;
        };
        if std::mem::take(read) {
            e.now = e.now.saturating_add(*quantum);
            e.clock_moved = true;
            *quantum = quantum.saturating_mul(2);
        } else {
            *quantum = FIRST_SPIN;
        }
    });
}
