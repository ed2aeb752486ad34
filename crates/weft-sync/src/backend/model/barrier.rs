use std::fmt;

use super::recorder;
use super::{Condvar, Mutex};
use crate::record::{Loc, ObjectKind, Op, WaitKind};
use crate::sync::BarrierWaitResult;

struct State {
    arrived: usize,
    generation: u64,
}

/// A barrier: `n` threads wait until all `n` have arrived. Same as
/// [`std::sync::Barrier`]; built on weft's mutex and condvar so that loom,
/// whose own `Barrier` is unimplemented, checks it too.
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use weft_sync::sync::{Arc, Barrier};
/// use weft_sync::thread;
///
/// let barrier = Arc::new(Barrier::new(2));
/// let b = Arc::clone(&barrier);
/// let h = thread::spawn(move || b.wait().is_leader());
/// let leader_here = barrier.wait().is_leader();
/// assert!(leader_here ^ h.join().unwrap());
/// # });
/// ```
pub struct Barrier {
    id: usize,
    n: usize,
    state: Mutex<State>,
    cv: Condvar,
}

impl Barrier {
    /// Creates a barrier for `n` threads.
    #[track_caller]
    pub fn new(n: usize) -> Self {
        let id = recorder::new_object(ObjectKind::Barrier, Loc::caller());
        Barrier {
            id,
            n,
            state: Mutex::for_object(
                State {
                    arrived: 0,
                    generation: 0,
                },
                id,
            ),
            cv: Condvar::for_object(id, WaitKind::Barrier),
        }
    }

    /// Names the barrier in failure reports.
    #[must_use]
    pub fn named(self, name: impl Into<String>) -> Self {
        recorder::name_object(self.id, name.into());
        self
    }

    /// Names one element of an array of primitives in failure reports:
    /// `named_indexed("slot", 3)` is `slot[3]`.
    #[must_use]
    pub fn named_indexed(self, name: &str, index: usize) -> Self {
        self.named(format!("{name}[{index}]"))
    }

    /// Blocks until all `n` threads have called `wait`; one of them is the leader.
    #[track_caller]
    pub fn wait(&self) -> BarrierWaitResult {
        let at = Loc::caller();
        let mut s = self.state.lock_at(at).unwrap_or_else(|e| e.into_inner());
        recorder::event(Op::BarrierWait, self.id, at);
        s.arrived += 1;
        if s.arrived >= self.n {
            s.arrived = 0;
            s.generation += 1;
            drop(s);
            self.cv.notify_all();
            recorder::event(Op::BarrierPass, self.id, at);
            return BarrierWaitResult::new(true);
        }
        let generation = s.generation;
        while s.generation == generation {
            s = self.cv.wait_at(s, at).unwrap_or_else(|e| e.into_inner());
        }
        drop(s);
        recorder::event(Op::BarrierPass, self.id, at);
        BarrierWaitResult::new(false)
    }
}

impl fmt::Debug for Barrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Barrier")
            .field("name", &recorder::object_name(self.id))
            .field("n", &self.n)
            .finish_non_exhaustive()
    }
}
