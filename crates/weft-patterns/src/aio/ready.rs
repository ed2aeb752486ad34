//! The ready queue, and the one place the loop's scheduling choice is
//! made.

use std::collections::VecDeque;

use super::task_status::TaskKey;

/// Picks which of `n` ready tasks runs next (`n >= 2`): the one place the
/// loop's scheduling choice is made.
///
/// `weft_sync::rand::choose`: under shuttle a recorded random choice that
/// the scheduler explores (and replays), so that races between two tasks'
/// await points are found; `0` (FIFO) in std mode and on loom, which
/// explores thread interleavings but not choices.
fn choose_ready(n: usize) -> usize {
    weft_sync::rand::choose(n)
}

/// Tasks ready to run, in the order they were woken.
#[derive(Default)]
pub(super) struct ReadyQueue {
    queue: VecDeque<TaskKey>,
}

impl ReadyQueue {
    /// Schedules a task (the caller checks that it is not queued yet).
    pub(super) fn push(&mut self, key: TaskKey) {
        self.queue.push_back(key);
    }

    /// How many tasks are ready.
    pub(super) fn len(&self) -> usize {
        self.queue.len()
    }

    /// Takes the next task: the first one, or with `explore` (under a
    /// checker) the one the checker chooses.
    pub(super) fn pop(&mut self, explore: bool) -> Option<TaskKey> {
        let n = self.queue.len();
        if explore && n > 1 {
            self.queue.remove(choose_ready(n))
        } else {
            self.queue.pop_front()
        }
    }

    /// Forgets every task.
    pub(super) fn clear(&mut self) {
        self.queue.clear();
    }
}
