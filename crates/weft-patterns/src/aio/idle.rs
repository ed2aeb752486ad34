//! The loop with nothing ready: wait for a timer or another thread, or
//! report a deadlock.

use std::rc::Rc;
use std::sync::Arc;

use weft_sync::sync::PoisonError;

use super::core::Core;
use super::deadlock;
use super::slab::OWN_WAKER_REFS;
use super::task_status::{TaskStatus, WaitsOn};

impl Core {
    /// Whether some task's waker is held outside the loop's own slab: then
    /// another thread may wake it, and the loop must wait rather than
    /// declare a deadlock.
    fn wakers_held_elsewhere(&self) -> bool {
        self.state
            .borrow()
            .slab
            .live_entries()
            .any(|e| Arc::strong_count(&e.waker_arc) > OWN_WAKER_REFS)
    }

    /// Called when no task is ready (after remote wakeups were collected
    /// and due timers fired). Returns when something may have become ready:
    /// time moved to the next timer, or another thread woke a task.
    ///
    /// # Panics
    ///
    /// With no timer set and nothing able to wake a task, panics with the
    /// deadlock report.
    pub(crate) fn idle(&self) {
        let next_timer = self.state.borrow_mut().timers.next_deadline();
        let mut remote = self.remote.lock();
        if remote.has_work() {
            return;
        }
        let held_elsewhere = self.wakers_held_elsewhere() || self.remote.has_handles();
        match next_timer {
            Some(deadline) => {
                let now = self.now();
                if deadline <= now {
                    return;
                }
                let wait = deadline.saturating_duration_since(now);
                if self.is_model && !held_elsewhere {
                    // Every task waits on a timer: jump to the next one.
                    drop(remote);
                    self.advance(wait);
                    return;
                }
                remote.sleeping = true;
                let (mut remote, result) = self
                    .remote
                    .condvar()
                    .wait_timeout(remote, wait)
                    .unwrap_or_else(PoisonError::into_inner);
                remote.sleeping = false;
                drop(remote);
                if self.is_model && result.timed_out() {
                    // The checker chose "the timer fires first": move the
                    // loop's clock there, whatever the build's clock did.
                    let now = self.now();
                    if now < deadline {
                        self.advance(deadline.saturating_duration_since(now));
                    }
                }
            }
            None if held_elsewhere => {
                remote.sleeping = true;
                let mut remote = self
                    .remote
                    .condvar()
                    .wait(remote)
                    .unwrap_or_else(PoisonError::into_inner);
                remote.sleeping = false;
            }
            None => {
                drop(remote);
                let message = self.deadlock_message();
                // Under a checker this is reported as a Deadlock failure.
                weft_sync::record::deadlock(message);
            }
        }
    }

    fn deadlock_message(&self) -> String {
        let tasks: Vec<(Rc<dyn TaskStatus>, Option<WaitsOn>)> = self
            .state
            .borrow()
            .slab
            .live_entries()
            .map(|e| (Rc::clone(&e.status), e.waits_on.clone()))
            .collect();
        let named: Vec<(String, Option<WaitsOn>)> =
            tasks.into_iter().map(|(s, w)| (s.name(), w)).collect();
        deadlock::message(&named)
    }
}
