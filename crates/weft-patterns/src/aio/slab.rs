//! The loop's tasks: a slab of entries keyed by [`TaskKey`] (an index and
//! the generation of its slot, so that a stale key finds nothing).

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::Waker;

use super::task_status::{TaskKey, TaskStatus, WaitsOn};
use super::waker::TaskWaker;

/// A live task in the slab.
pub(super) struct TaskEntry {
    /// `None` while the task is being polled, and always for the main
    /// future (which `run` polls in place).
    pub(super) future: Option<Pin<Box<dyn Future<Output = ()>>>>,
    pub(super) status: Rc<dyn TaskStatus>,
    pub(super) waker: Waker,
    /// The `Arc` behind `waker`: its strong count tells whether anything
    /// besides this entry holds the task's waker.
    pub(super) waker_arc: Arc<TaskWaker>,
    pub(super) scheduled: bool,
    pub(super) cancel_requested: bool,
    pub(super) waits_on: Option<WaitsOn>,
}

/// References to `waker_arc` the entry itself holds (`waker_arc`, `waker`).
pub(super) const OWN_WAKER_REFS: usize = 2;

struct Slot {
    generation: u32,
    task: Option<TaskEntry>,
}

/// The live tasks of one loop.
#[derive(Default)]
pub(super) struct Slab {
    slots: Vec<Slot>,
    free: Vec<u32>,
}

impl Slab {
    /// Takes a free slot for a new task, to [`fill`](Slab::fill).
    pub(super) fn reserve(&mut self) -> TaskKey {
        let index = match self.free.pop() {
            Some(index) => index,
            None => {
                let index = u32::try_from(self.slots.len()).expect("fewer than 2^32 tasks");
                self.slots.push(Slot {
                    generation: 0,
                    task: None,
                });
                index
            }
        };
        // Kept off the free list until it is filled.
        let generation = self.slots[index as usize].generation;
        TaskKey { index, generation }
    }

    /// Puts a task in its reserved slot.
    pub(super) fn fill(&mut self, key: TaskKey, entry: TaskEntry) {
        self.slots[key.index as usize].task = Some(entry);
    }

    /// The live task of `key`.
    pub(super) fn entry_mut(&mut self, key: TaskKey) -> Option<&mut TaskEntry> {
        let slot = self.slots.get_mut(key.index as usize)?;
        if slot.generation != key.generation {
            return None;
        }
        slot.task.as_mut()
    }

    /// Removes the task of `key`, freeing its slot.
    pub(super) fn remove(&mut self, key: TaskKey) -> Option<TaskEntry> {
        let slot = self.slots.get_mut(key.index as usize)?;
        if slot.generation != key.generation {
            return None;
        }
        let entry = slot.task.take()?;
        slot.generation = slot.generation.wrapping_add(1);
        self.free.push(key.index);
        Some(entry)
    }

    /// Every live task.
    pub(super) fn live_entries(&self) -> impl Iterator<Item = &TaskEntry> {
        self.slots.iter().filter_map(|s| s.task.as_ref())
    }

    /// Removes every task, in slot order.
    pub(super) fn take_all(&mut self) -> Vec<TaskEntry> {
        let mut entries = Vec::new();
        for (index, slot) in self.slots.iter_mut().enumerate() {
            if let Some(entry) = slot.task.take() {
                slot.generation = slot.generation.wrapping_add(1);
                self.free.push(index as u32);
                entries.push(entry);
            }
        }
        entries
    }
}
