//! The loop's timers: a binary heap of deadlines over a slab of entries.
//!
//! A timer fires once, when the loop's clock reaches its deadline; timers
//! with equal deadlines fire in the order they were set, in the same batch
//! (so under a checker the order their tasks then run in is explored).
//! A cancelled timer leaves a stale heap entry that is skipped when it
//! surfaces; the heap is compacted when stale entries outnumber live ones.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use weft_sync::time::Instant;

use super::waiter::Waiter;

/// Stale heap entries tolerated before a compaction is considered.
const COMPACT_MIN_STALE: usize = 64;

/// Identifies one timer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TimerKey {
    index: u32,
    generation: u32,
}

struct TimerSlot {
    generation: u32,
    entry: Option<TimerEntry>,
}

struct TimerEntry {
    seq: u64,
    waiter: Option<Waiter>,
    fired: bool,
}

/// The timer heap and its entries.
#[derive(Default)]
pub(crate) struct Timers {
    heap: BinaryHeap<Reverse<(Instant, u64, u32)>>,
    slots: Vec<TimerSlot>,
    free: Vec<u32>,
    next_seq: u64,
    /// Timers set and neither fired nor cancelled.
    live: usize,
    /// Heap entries whose timer was cancelled.
    stale: usize,
}

impl Timers {
    /// Whether a timer is set that has not fired.
    pub(crate) fn has_live(&self) -> bool {
        self.live > 0
    }

    /// Sets a timer that wakes `waiter` at `deadline`.
    pub(crate) fn insert(&mut self, deadline: Instant, waiter: Waiter) -> TimerKey {
        let seq = self.next_seq;
        self.next_seq += 1;
        let entry = TimerEntry {
            seq,
            waiter: Some(waiter),
            fired: false,
        };
        let index = match self.free.pop() {
            Some(index) => {
                self.slots[index as usize].entry = Some(entry);
                index
            }
            None => {
                let index = u32::try_from(self.slots.len()).expect("fewer than 2^32 timers");
                self.slots.push(TimerSlot {
                    generation: 0,
                    entry: Some(entry),
                });
                index
            }
        };
        self.heap.push(Reverse((deadline, seq, index)));
        self.live += 1;
        TimerKey {
            index,
            generation: self.slots[index as usize].generation,
        }
    }

    fn entry_mut(&mut self, key: TimerKey) -> Option<&mut TimerEntry> {
        let slot = self.slots.get_mut(key.index as usize)?;
        if slot.generation != key.generation {
            return None;
        }
        slot.entry.as_mut()
    }

    /// Whether the timer has fired (`None` for a timer that no longer exists).
    pub(crate) fn fired(&mut self, key: TimerKey) -> Option<bool> {
        self.entry_mut(key).map(|e| e.fired)
    }

    /// The waiter of a timer that has not fired, to refresh it.
    pub(crate) fn waiter_mut(&mut self, key: TimerKey) -> Option<&mut Option<Waiter>> {
        self.entry_mut(key)
            .filter(|e| !e.fired)
            .map(|e| &mut e.waiter)
    }

    /// Removes a timer (fired or not) and returns its waiter for the caller
    /// to drop outside any borrow.
    pub(crate) fn remove(&mut self, key: TimerKey) -> Option<Waiter> {
        let slot = self.slots.get_mut(key.index as usize)?;
        if slot.generation != key.generation {
            return None;
        }
        let entry = slot.entry.take()?;
        slot.generation = slot.generation.wrapping_add(1);
        self.free.push(key.index);
        if !entry.fired {
            self.live -= 1;
            self.stale += 1;
            self.maybe_compact();
        }
        entry.waiter
    }

    fn is_live(slots: &[TimerSlot], seq: u64, index: u32) -> bool {
        matches!(
            &slots[index as usize].entry,
            Some(e) if e.seq == seq && !e.fired
        )
    }

    fn maybe_compact(&mut self) {
        if self.stale >= COMPACT_MIN_STALE && self.stale > self.live {
            let slots = &self.slots;
            self.heap
                .retain(|Reverse((_, seq, index))| Self::is_live(slots, *seq, *index));
            self.stale = 0;
        }
    }

    /// The earliest deadline of a live timer.
    pub(crate) fn next_deadline(&mut self) -> Option<Instant> {
        while let Some(Reverse((deadline, seq, index))) = self.heap.peek().copied() {
            if Self::is_live(&self.slots, seq, index) {
                return Some(deadline);
            }
            self.heap.pop();
            self.stale -= 1;
        }
        None
    }

    /// Fires every live timer due at `now`, in deadline order, and collects
    /// their waiters into `due`.
    pub(crate) fn fire_due(&mut self, now: Instant, due: &mut Vec<Waiter>) {
        while let Some(Reverse((deadline, seq, index))) = self.heap.peek().copied() {
            if deadline > now {
                break;
            }
            self.heap.pop();
            match &mut self.slots[index as usize].entry {
                Some(e) if e.seq == seq && !e.fired => {
                    e.fired = true;
                    self.live -= 1;
                    if let Some(w) = e.waiter.take() {
                        due.push(w);
                    }
                }
                _ => self.stale -= 1,
            }
        }
    }
}

weft_sync::real_threads_tests! {
    "timers read the real clock: under a checker time exists only inside a model";
    mod tests {
            use std::sync::Arc;
            use std::task::{Wake, Waker};

            use weft_sync::sync::Mutex;
            use weft_sync::time::{Duration, Instant};

            use super::{Timers, COMPACT_MIN_STALE};
            use crate::aio::waiter::Waiter;

            /// A waker that records its tag when woken.
            struct Tag(u32, Arc<Mutex<Vec<u32>>>);

            impl Wake for Tag {
                fn wake(self: Arc<Self>) {
                    self.1.lock().unwrap().push(self.0);
                }
            }

            fn waiter() -> Waiter {
                Waiter::Waker(Waker::noop().clone())
            }

            fn wake_all(due: &mut Vec<Waiter>) {
                for w in due.drain(..) {
                    w.wake();
                }
            }

            #[test]
            fn timers_fire_in_deadline_order_then_insertion_order() {
                let t0 = Instant::now();
                let at = |ms| t0 + Duration::from_millis(ms);
                let woken = Arc::new(Mutex::new(Vec::new()));
                let tagged = |tag| Waiter::Waker(Waker::from(Arc::new(Tag(tag, woken.clone()))));
                let mut timers = Timers::default();
                let late = timers.insert(at(30), tagged(30));
                let first = timers.insert(at(10), tagged(1));
                let second = timers.insert(at(10), tagged(2));
                let early = timers.insert(at(5), tagged(5));
                assert_eq!(timers.next_deadline(), Some(at(5)));
                let mut due = Vec::new();
                timers.fire_due(at(10), &mut due);
                wake_all(&mut due);
                assert_eq!(*woken.lock().unwrap(), [5, 1, 2]);
                assert_eq!(timers.fired(early), Some(true));
                assert_eq!(timers.fired(second), Some(true));
                assert_eq!(timers.fired(late), Some(false));
                assert!(timers.has_live());
                timers.remove(first);
                assert_eq!(timers.fired(first), None, "a removed timer is gone");
                timers.fire_due(at(29), &mut due);
                assert!(due.is_empty());
                timers.fire_due(at(30), &mut due);
                wake_all(&mut due);
                assert_eq!(*woken.lock().unwrap(), [5, 1, 2, 30]);
                assert!(!timers.has_live());
            }

            #[test]
            fn cancelled_timers_are_skipped_and_compacted() {
                let t0 = Instant::now();
                let mut timers = Timers::default();
                let keys: Vec<_> = (0..200u64)
                    .map(|i| timers.insert(t0 + Duration::from_millis(i), waiter()))
                    .collect();
                for k in &keys[..190] {
                    timers.remove(*k);
                }
                assert!(timers.heap.len() < 200, "the heap was compacted");
                assert!(timers.stale < COMPACT_MIN_STALE);
                assert_eq!(
                    timers.next_deadline(),
                    Some(t0 + Duration::from_millis(190))
                );
                let mut due = Vec::new();
                timers.fire_due(t0 + Duration::from_secs(1), &mut due);
                assert_eq!(due.len(), 10);
                assert!(!timers.has_live());
                assert_eq!(timers.stale, 0);
            }
    }
}
