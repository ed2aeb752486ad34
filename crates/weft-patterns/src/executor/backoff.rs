//! A short spin-then-yield before a thread blocks, on real threads only.
//!
//! Blocking costs a system call to sleep and another to be woken, several
//! microseconds; a tiny task finishes sooner than that. So a thread about to
//! block first looks again a few times, spinning briefly and then yielding.
//! Under a checker there is no spinning at all: the blocking protocol alone
//! is what the model explores, and every extra look would only multiply the
//! interleavings.

use weft_sync::hint::{spin_before_block, spin_loop};
use weft_sync::thread::yield_now;

/// Rounds of busy spinning (1, 2, 4, ... `spin_loop` hints each).
const SPIN_ROUNDS: u32 = 6;
/// Rounds of `yield_now` after the spinning.
const YIELD_ROUNDS: u32 = 4;

/// Counts the looks a thread takes before it blocks.
#[derive(Debug)]
pub(crate) struct Backoff {
    round: u32,
}

impl Backoff {
    /// A fresh backoff: the next [`Backoff::snooze`] spins.
    pub(crate) fn new() -> Self {
        Backoff { round: 0 }
    }

    /// Whether threads look again before blocking: on real threads only
    /// ([`spin_before_block`]).
    pub(crate) fn enabled() -> bool {
        spin_before_block()
    }

    /// Waits a little (spins, later yields) and returns `true`, or returns
    /// `false` when the caller should stop looking and block. Always
    /// `false` under a checker.
    pub(crate) fn snooze(&mut self) -> bool {
        if !Backoff::enabled() || self.round >= SPIN_ROUNDS + YIELD_ROUNDS {
            return false;
        }
        if self.round < SPIN_ROUNDS {
            for _ in 0..1u32 << self.round {
                spin_loop();
            }
        } else {
            yield_now();
        }
        self.round += 1;
        true
    }
}
