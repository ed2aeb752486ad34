//! Python's `threading.Barrier`.

use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::sync::PoisonError;

use weft_sync::sync::{Condvar, Mutex};
use weft_sync::time::Duration;

use weft_sync::time::Deadline;

use crate::timed_wait::wait_until;

/// A barrier was broken (aborted, reset, timed out, or its action panicked)
/// while or before this thread waited. Python's `BrokenBarrierError`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("pass a broken barrier")]
pub struct BrokenBarrierError;

/// Where a barrier is in its cycle (Python's `_state`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Parties are arriving.
    Filling,
    /// The last party arrived: the waiters of this cycle are leaving, and
    /// new arrivals wait until they all have. This is the generation that
    /// keeps a fast thread's next cycle apart from this one.
    Draining,
    /// [`Barrier::reset`] while threads waited: they leave with an error,
    /// then the barrier fills again.
    Resetting,
    /// Broken until [`Barrier::reset`].
    Broken,
}

#[derive(Debug)]
struct State {
    phase: Phase,
    /// Threads inside `wait`, arrived in this cycle or still leaving it.
    count: usize,
}

type Action = Box<dyn Fn() + Send + Sync>;

/// A barrier for a fixed number of parties, reusable cycle after cycle.
/// Same as Python's `threading.Barrier`: each [`wait`](Barrier::wait)
/// returns the thread's arrival index in its cycle (`0` for the first,
/// `parties - 1` for the last), and the barrier can be broken.
///
/// # Misuse
///
/// - [`Barrier::abort`] breaks the barrier: every thread waiting, and every
///   later `wait`, gets [`BrokenBarrierError`] until [`Barrier::reset`].
/// - A `wait` that times out breaks the barrier too (as in Python), so the
///   other waiters do not wait forever for a party that left.
/// - [`Barrier::reset`] while threads wait makes them fail with
///   [`BrokenBarrierError`]; the barrier then starts a fresh cycle.
/// - When the action panics, the last thread's `wait` panics with it and the
///   barrier is broken.
/// - More than `parties` threads at once: the extra ones wait for the next
///   cycle.
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use weft_patterns::threading::Barrier;
/// use weft_sync::sync::Arc;
/// use weft_sync::thread;
///
/// let barrier = Arc::new(Barrier::new(2).named("start"));
/// let b = Arc::clone(&barrier);
/// let other = thread::spawn(move || b.wait(None).unwrap());
/// let mine = barrier.wait(None).unwrap();
/// let theirs = other.join().unwrap();
/// assert_eq!(mine + theirs, 1); // one arrived first (0), one last (1)
/// # });
/// ```
pub struct Barrier {
    parties: usize,
    action: Option<Action>,
    state: Mutex<State>,
    changed: Condvar,
}

impl Barrier {
    /// A barrier that releases its waiters when `parties` threads wait.
    ///
    /// # Panics
    ///
    /// When `parties` is 0 (Python raises `ValueError`).
    #[track_caller]
    pub fn new(parties: usize) -> Self {
        assert!(parties > 0, "a barrier needs at least one party");
        Barrier {
            parties,
            action: None,
            state: Mutex::new(State {
                phase: Phase::Filling,
                count: 0,
            }),
            changed: Condvar::new(),
        }
    }

    /// A barrier whose last arriving thread runs `action` before the others
    /// are released (Python's `Barrier(parties, action)`). The action runs
    /// with the barrier's lock held: it must not use the barrier.
    ///
    /// # Panics
    ///
    /// When `parties` is 0.
    #[track_caller]
    pub fn with_action(parties: usize, action: impl Fn() + Send + Sync + 'static) -> Self {
        Barrier {
            action: Some(Box::new(action)),
            ..Barrier::new(parties)
        }
    }

    /// Names the barrier in failure reports; a no-op in std mode.
    #[must_use]
    pub fn named(self, name: impl Into<String>) -> Self {
        let name = name.into();
        Barrier {
            parties: self.parties,
            action: self.action,
            state: self.state.named(name.clone()),
            changed: self.changed.named(name),
        }
    }

    /// The number of threads the barrier waits for.
    pub fn parties(&self) -> usize {
        self.parties
    }

    /// The threads waiting in the current cycle.
    #[track_caller]
    pub fn n_waiting(&self) -> usize {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if state.phase == Phase::Filling {
            state.count
        } else {
            0
        }
    }

    /// Whether the barrier is broken.
    #[track_caller]
    pub fn broken(&self) -> bool {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .phase
            == Phase::Broken
    }

    /// Waits until `parties` threads wait, for at most `timeout`; returns
    /// this thread's arrival index in the cycle, `0..parties`.
    ///
    /// # Errors
    ///
    /// [`BrokenBarrierError`] when the barrier is or becomes broken or
    /// reset before the cycle completes, or when this wait times out (which
    /// breaks the barrier for every other waiter too).
    ///
    /// # Panics
    ///
    /// With the action's panic, in the thread that ran it.
    #[track_caller]
    pub fn wait(&self, timeout: Option<Duration>) -> Result<usize, BrokenBarrierError> {
        let deadline = Deadline::after(timeout);
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        // A new cycle starts only when the last one's threads have all left.
        while matches!(state.phase, Phase::Draining | Phase::Resetting) {
            state = self
                .changed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        if state.phase == Phase::Broken {
            return Err(BrokenBarrierError);
        }
        let index = state.count;
        state.count += 1;
        let result = if index + 1 == self.parties {
            if let Some(action) = &self.action {
                if let Err(payload) = panic::catch_unwind(AssertUnwindSafe(action)) {
                    state.phase = Phase::Broken;
                    self.leave(&mut state);
                    drop(state);
                    self.changed.notify_all();
                    panic::resume_unwind(payload);
                }
            }
            state.phase = Phase::Draining;
            self.changed.notify_all();
            Ok(index)
        } else {
            let mut expired = false;
            while state.phase == Phase::Filling && !expired {
                (state, expired) = wait_until(&self.changed, state, &deadline);
            }
            match state.phase {
                Phase::Draining => Ok(index),
                Phase::Filling => {
                    state.phase = Phase::Broken;
                    self.changed.notify_all();
                    Err(BrokenBarrierError)
                }
                Phase::Resetting | Phase::Broken => Err(BrokenBarrierError),
            }
        };
        self.leave(&mut state);
        result
    }

    /// The end of a `wait`: the last thread to leave a draining or
    /// resetting cycle opens the next one.
    #[track_caller]
    fn leave(&self, state: &mut State) {
        state.count -= 1;
        if state.count == 0 && matches!(state.phase, Phase::Draining | Phase::Resetting) {
            state.phase = Phase::Filling;
            self.changed.notify_all();
        }
    }

    /// Returns the barrier to its initial state. Threads waiting in the
    /// current cycle fail with [`BrokenBarrierError`]; a broken barrier
    /// works again.
    #[track_caller]
    pub fn reset(&self) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if state.count > 0 {
            if matches!(state.phase, Phase::Filling | Phase::Broken) {
                state.phase = Phase::Resetting;
            }
        } else {
            state.phase = Phase::Filling;
        }
        drop(state);
        self.changed.notify_all();
    }

    /// Breaks the barrier: every waiting thread, and every later `wait`
    /// until [`Barrier::reset`], fails with [`BrokenBarrierError`].
    #[track_caller]
    pub fn abort(&self) {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .phase = Phase::Broken;
        self.changed.notify_all();
    }
}

impl fmt::Debug for Barrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        f.debug_struct("Barrier")
            .field("parties", &self.parties)
            .field("phase", &state.phase)
            .field("count", &state.count)
            .field("action", &self.action.is_some())
            .finish()
    }
}
