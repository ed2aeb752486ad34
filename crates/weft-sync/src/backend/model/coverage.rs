//! Gathers the coverage figure ([`Coverage`]) of the exploration running
//! on this OS thread, one finished execution at a time.
//!
//! Per execution it walks the recorded steps once: for each object (and
//! each lock) it keeps the last write and the reads since, and notes each
//! adjacent conflicting pair of different threads as two interned class
//! numbers. A pair that a spawn or a join orders (a thread's work before
//! it spawns the other, or after it joins it) can never come the other
//! way round and is not counted: small vector clocks that only spawns and
//! joins advance tell those apart. The classes' names are built once per class, and the
//! [`Coverage`] (named classes) once per exploration.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use smallvec::SmallVec;

use crate::dpor::access::{access_of, id, Key};
use crate::record::{Coverage, ExecutionLog, Loc, Op, OpClass};

/// An operation's class, interned: its index in `Tracker::classes`.
type Class = u32;

/// FxHash (rustc's): the keys are a few small integers, hashed per step,
/// where std's SipHash showed in the model's executions per second.
#[derive(Default)]
struct Fx(u64);

impl Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;

/// An operation class's key: its location's file (by address: one
/// `&'static str` per file), line and column, the operation's name (by
/// address), and the object class.
type ClassKey = (usize, u32, u32, usize, u32);

/// What one key (an object, or an object's lock) saw so far in the
/// execution: the last write and the reads after it, as (thread, class).
#[derive(Default)]
struct KeyState {
    last_write: Option<Access>,
    reads: SmallVec<[Access; 2]>,
}

/// One counted access: its thread, its class, and its thread's epoch in
/// the spawn/join clocks.
#[derive(Clone, Copy)]
struct Access {
    thread: usize,
    class: Class,
    epoch: u32,
}

/// The pairs seen in the exploration, by interned class.
#[derive(Default)]
struct Tracker {
    /// Object classes: by creation site, then by given name.
    objects: HashMap<Loc, Vec<(Option<String>, u32)>>,
    object_names: Vec<String>,
    /// By object class: whether its objects are unnamed.
    unnamed: Vec<bool>,
    /// The last execution's objects (creation site, class), which the
    /// next execution most often creates again in the same order.
    last_objects: Vec<(Loc, u32)>,
    /// Operation classes.
    class_ids: FxMap<ClassKey, Class>,
    classes: Vec<(Loc, &'static str, u32)>,
    /// (first class, first thread, second class, second thread) with the
    /// classes in order, or the threads when the classes are equal: the
    /// order seen (1: as keyed, 2: reversed).
    pairs: FxMap<(Class, Class), u8>,
    /// This execution's scratch: object id → object class, key → state.
    object_class: Vec<u32>,
    keys: Vec<KeyState>,
    /// Spawn/join vector clocks, `threads × threads`, row by thread.
    clocks: Vec<u32>,
}

thread_local! {
    static TRACKER: RefCell<Option<Tracker>> = const { RefCell::new(None) };
}

/// Starts gathering for an exploration; returns the tracker of an
/// exploration this one runs inside (a model in a model), to give back to
/// [`finish`].
pub(crate) fn start() -> Outer {
    Outer(TRACKER.with(|t| t.borrow_mut().replace(Tracker::default())))
}

/// The tracker of an exploration that another one runs inside, set aside
/// until the inner one finishes.
pub(crate) struct Outer(Option<Tracker>);

/// Adds the pairs of one finished execution.
pub(crate) fn observe(log: &ExecutionLog) {
    TRACKER.with(|t| {
        if let Some(t) = t.borrow_mut().as_mut() {
            t.observe(log);
        }
    });
}

/// The exploration's figure, and the outer exploration's tracker back in
/// place.
pub(crate) fn finish(outer: Outer) -> Option<Coverage> {
    let tracker = TRACKER.with(|t| std::mem::replace(&mut *t.borrow_mut(), outer.0))?;
    Some(tracker.coverage())
}

/// How an operation counts: the key it touches and whether it writes, or
/// `None` when it does not count (a release, an attempt to lock, a spawn,
/// a join, ...).
fn access(thread: usize, op: &Op, object: Option<usize>) -> Option<(Key, bool)> {
    let object = object?;
    match op {
        Op::Lock | Op::WriteLock | Op::TryLock { acquired: true } => {
            return Some((Key::Lock(id(object)), true))
        }
        Op::ReadLock => return Some((Key::Lock(id(object)), false)),
        Op::Acquire
        | Op::TryLock { acquired: false }
        | Op::Unlock
        | Op::ReadUnlock
        | Op::WriteUnlock => return None,
        _ => {}
    }
    // (The classification alone: a step's whole `Effects`, built and
    // dropped at every step of every execution, showed in the speed.)
    access_of(thread, op, Some(object)).and_then(|a| match a.key {
        Key::Object(o) if o == id(object) => Some((a.key, a.write)),
        _ => None,
    })
}

impl Tracker {
    fn observe(&mut self, log: &ExecutionLog) {
        self.object_class.clear();
        for (i, info) in log.objects.iter().enumerate() {
            if let Some(&(at, id)) = self.last_objects.get(i) {
                if at == info.created_at && info.name.is_none() && self.object_unnamed(id) {
                    self.object_class.push(id);
                    continue;
                }
                if at == info.created_at
                    && info.name.as_deref() == Some(self.object_names[id as usize].as_str())
                {
                    self.object_class.push(id);
                    continue;
                }
            }
            let sites = self.objects.entry(info.created_at).or_default();
            let id = match sites.iter().find(|(n, _)| *n == info.name) {
                Some((_, id)) => *id,
                None => {
                    let id = u32::try_from(self.object_names.len()).unwrap_or(u32::MAX);
                    sites.push((info.name.clone(), id));
                    self.object_names.push(info.display_name());
                    self.unnamed.push(info.name.is_none());
                    id
                }
            };
            self.object_class.push(id);
            if let Some(last) = self.last_objects.get_mut(i) {
                *last = (info.created_at, id);
            } else {
                self.last_objects.push((info.created_at, id));
            }
        }
        for k in &mut self.keys {
            k.last_write = None;
            k.reads.clear();
        }
        let n = log.threads.len().max(1);
        self.clocks.clear();
        self.clocks.resize(n * n, 0);
        self.clocks[0] = 1;
        for step in &log.steps {
            match step.op {
                Op::Spawn { child } if child < n && step.thread < n => {
                    let (p, c) = (step.thread, child);
                    self.clocks.copy_within(p * n..p * n + n, c * n);
                    self.clocks[c * n + c] = 1;
                    self.clocks[p * n + p] += 1;
                    continue;
                }
                Op::Join { child } if child < n && step.thread < n => {
                    let (p, c) = (step.thread, child);
                    for i in 0..n {
                        self.clocks[p * n + i] = self.clocks[p * n + i].max(self.clocks[c * n + i]);
                    }
                    continue;
                }
                _ => {}
            }
            let Some((key, write)) = access(step.thread, &step.op, step.object) else {
                continue;
            };
            if step.thread >= n {
                continue;
            }
            let (object, lock) = match key {
                Key::Object(o) => (o as usize, 0),
                Key::Lock(o) => (o as usize, 1),
                _ => continue,
            };
            let Some(&object_class) = self.object_class.get(object) else {
                continue;
            };
            let op = step.op.name();
            let next = u32::try_from(self.classes.len()).unwrap_or(u32::MAX);
            let loc = step.location;
            let key = (
                loc.file.as_ptr() as usize,
                loc.line,
                loc.column,
                op.as_ptr() as usize,
                object_class,
            );
            let class = *self.class_ids.entry(key).or_insert(next);
            if class == next {
                self.classes.push((step.location, op, object_class));
            }
            let slot = object * 2 + lock;
            if self.keys.len() <= slot {
                self.keys.resize_with(slot + 1, KeyState::default);
            }
            let state = &mut self.keys[slot];
            let me = Access {
                thread: step.thread,
                class,
                epoch: self.clocks[step.thread * n + step.thread],
            };
            let row = &self.clocks[step.thread * n..step.thread * n + n];
            if let Some(w) = state.last_write {
                // A write after reads is adjacent to those reads, not to
                // the write before them.
                if !write || state.reads.is_empty() {
                    note(&mut self.pairs, row, w, me);
                }
            }
            if write {
                for &r in &state.reads {
                    note(&mut self.pairs, row, r, me);
                }
                state.reads.clear();
                state.last_write = Some(me);
            } else {
                state.reads.push(me);
            }
        }
    }

    /// Whether object class `id` is of an unnamed object.
    fn object_unnamed(&self, id: u32) -> bool {
        self.unnamed.get(id as usize).copied().unwrap_or(false)
    }

    fn coverage(&self) -> Coverage {
        let name = |c: Class| {
            let (location, op, object) = self.classes[c as usize];
            OpClass {
                op,
                object: self.object_names[object as usize].clone(),
                location,
            }
        };
        let mut coverage = Coverage::new();
        for (&(a, b), &order) in &self.pairs {
            // Thread numbers matter only to tell the two orders of a
            // class with itself apart: 0 and 1 say which was first.
            if order & 1 != 0 {
                coverage.saw(name(a), 0, name(b), 1);
            }
            if order & 2 != 0 {
                coverage.saw(name(b), 1, name(a), 0);
            }
        }
        coverage
    }
}

/// Notes that `first` came before `second`, if they are of two threads
/// and no spawn or join ordered them (`row`: the spawn/join clock of
/// `second`'s thread).
fn note(pairs: &mut FxMap<(Class, Class), u8>, row: &[u32], first: Access, second: Access) {
    let (t1, c1, t2, c2) = (first.thread, first.class, second.thread, second.class);
    if t1 == t2 || row.get(t1).is_some_and(|&seen| seen >= first.epoch) {
        return;
    }
    let forward = if c1 == c2 { t1 < t2 } else { c1 < c2 };
    let (key, order) = if forward {
        ((c1, c2), 1)
    } else {
        ((c2, c1), 2)
    };
    *pairs.entry(key).or_default() |= order;
}
