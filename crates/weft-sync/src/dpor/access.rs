//! What one scheduling step did to shared state, as the DPOR search sees
//! it: the objects it read or wrote, the threads it spawned, whether it
//! yielded.

use smallvec::SmallVec;

use crate::record::Op;

/// A model thread (its id: `main` is 0, then in spawn order).
pub(crate) type Thread = usize;

/// How an engine adapter reads what the recorded steps since a mark did:
/// `(mark, the thread that ran them, where to write it)`, written where
/// the search wants it (`Explorer::last_to_fill`), only passed over when
/// it does not (it knows them, or there is no step yet). The model
/// layer's `effects_since` is one.
pub(crate) type ReadEffects = fn(&mut usize, Option<Thread>, Option<&mut Effects>);

/// A piece of shared state two steps can conflict on. (Its ids are 32
/// bits: every step's accesses are copied into the search's nodes and
/// sleep sets, and a small key keeps those copies cheap.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Key {
    /// A recorded object (atomic, condvar, channel, cell, `Arc`, ...).
    Object(u32),
    /// The lock of a recorded object: a mutex's or an `RwLock`'s, or the
    /// lock inside a channel or a barrier (which reports as the object
    /// itself, but is apart from its data: the data accesses happen
    /// between the lock's acquire and release).
    Lock(u32),
    /// Whether a thread has finished (its `finish` writes it, a `join`
    /// reads it).
    Finished(u32),
    /// A thread's park token (`park` and `unpark` of it write it).
    Parker(u32),
    /// A thread's wake from a condvar wait: the notify that wakes it
    /// writes it (as a thread's end writes [`Key::Finished`]), and the
    /// thread's steps until it is done waiting read it (as a join does).
    Wake(u32),
    /// The execution's virtual clock: a timeout or a sleep that moves it
    /// writes it, a deadline computed or an `Instant::now` reads it.
    Clock,
}

/// An object's or a thread's id as a [`Key`]'s.
pub(crate) fn id(n: usize) -> u32 {
    u32::try_from(n).expect("fewer than 2^32 objects and threads")
}

impl Key {
    /// A small dense number for the key, unique to it: object ids and
    /// thread ids are dense, so tables indexed by it stay small.
    pub(crate) fn slot(self) -> usize {
        let (n, kind) = match self {
            Key::Object(o) => (o, 0),
            Key::Lock(o) => (o, 1),
            Key::Finished(t) => (t, 2),
            Key::Parker(t) => (t, 3),
            Key::Wake(t) => (t, 4),
            Key::Clock => (0, 5),
        };
        n as usize * 6 + kind
    }
}

/// One access to a [`Key`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Access {
    pub(crate) key: Key,
    /// A write conflicts with every access to its key; two reads do not.
    pub(crate) write: bool,
    /// A lock's release, or a blocking acquire. The two conflict (the
    /// release orders the next acquire) but never race: an acquire cannot
    /// run before the release it waits for. The race that matters is
    /// between the two acquisitions, which the search reverses instead.
    /// A thread's end and a join of it are the same pair. A `try_lock`
    /// that acquired is no such pair with the release before it: run
    /// before that release, it fails ([`LockSide::TryAcquire`]).
    pub(crate) lock: Option<LockSide>,
}

/// The side of a lock hand-over an access is (see [`Access::lock`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LockSide {
    /// Takes a lock: the thread holds it until its release.
    Acquire,
    /// Gives a lock back, or ends the thread (what a join waits for).
    Release,
    /// Took a lock without waiting (a `try_lock`, `try_read` or
    /// `try_write` that acquired): held as an acquisition is, but it races
    /// with the release before it, since inside the critical section that
    /// release ends it would have run and failed. (As an `Acquire`, the
    /// search never tried it there, and said "verified" of models that
    /// fail when it fails.)
    TryAcquire,
    /// Waits for a release and holds nothing after it: a join. (Without
    /// it, a join raced with the thread's end, and the search tried the
    /// join first at every step before that end, each time an execution
    /// that repeated one already explored.)
    Await,
    /// Tried to take a lock another thread held, and blocked (see
    /// [`Effects::block`]): it read the lock's state, so it races with the
    /// acquisition that made the lock held. The release it waits for is
    /// no conflict of its own: the attempt changed nothing, and ordered
    /// before that release it kept the release out of the reversals that
    /// run it first (so that the thread takes the lock).
    Blocked,
}

impl Access {
    /// Whether the two accesses (of the same key) conflict: one of them
    /// writes, unless it is the release a blocked attempt waited for. A
    /// blocked attempt races with every acquisition, a reader's too (which
    /// is no write: readers share the lock, but a writer waits for them).
    pub(crate) fn conflicts(&self, other: &Access) -> bool {
        use LockSide::{Acquire, Blocked, Release, TryAcquire};
        match (self.lock, other.lock) {
            (Some(Blocked), Some(Release)) | (Some(Release), Some(Blocked)) => false,
            (Some(Blocked), Some(Acquire | TryAcquire))
            | (Some(Acquire | TryAcquire), Some(Blocked)) => true,
            _ => self.write || other.write,
        }
    }

    /// Whether the two accesses conflict but are not to be reordered: a
    /// release and a blocking acquire of the same lock, or two releases
    /// (ordered by the acquisitions before them, whose race is reversed).
    pub(crate) fn hand_over(&self, other: &Access) -> bool {
        matches!(
            (self.lock, other.lock),
            (Some(LockSide::Release), Some(side)) | (Some(side), Some(LockSide::Release))
                if side != LockSide::TryAcquire
        )
    }
}

/// What a scheduling step (everything a thread does between two
/// scheduling decisions) did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Effects {
    pub(crate) accesses: SmallVec<[Access; 4]>,
    /// Threads the step spawned: their steps happen after it.
    pub(crate) spawned: SmallVec<[Thread; 1]>,
    /// The step yielded (`yield_now`, `spin_loop`, `sleep`), or polled and
    /// found nothing (a `try_recv`, a timed-out wait, a failed `try_lock`):
    /// the thread is not run again by default until another thread has
    /// written something.
    pub(crate) yielded: bool,
    /// The keys of the write accesses that belong to polls which changed
    /// nothing (a failed compare-exchange or `try_lock`, an empty
    /// `try_recv`, a timed-out wait): they conflict as writes, so that
    /// both orders are explored, but wake no spinner.
    pub(crate) idle: SmallVec<[Key; 1]>,
    /// The step's first operation on an object: the object and the kind
    /// of operation (whatever it found: a failed and a successful
    /// compare-exchange are one kind). A spin loop's turns all begin with
    /// the same one.
    pub(crate) first: Option<(u32, u8)>,
    /// Keys the step changed though it accesses them as reads: an `Arc`
    /// clone, or a drop that is not the last, moves the count (which a
    /// `strong_count` loop polls) but commutes with the other clones and
    /// drops.
    pub(crate) moved: SmallVec<[Key; 1]>,
    /// The lock (or thread end) the step's thread has begun to wait for,
    /// as the recording tells: if the step blocked ([`Effects::block`]),
    /// the attempt read that lock's state and found it held.
    pub(crate) waits_for: Option<Key>,
    /// The step was an attempt that blocked ([`Effects::block`]).
    pub(crate) blocked: bool,
    /// The locks the step took for reading (an `RwLock`'s read lock),
    /// which other readers hold at the same time; every other acquisition
    /// excludes the others ([`Effects::acquired`]).
    pub(crate) shared: SmallVec<[Key; 1]>,
}

impl Effects {
    /// Notes `op` on `object` as the step's first operation on an
    /// object, if it is ([`Effects::first`]).
    pub(crate) fn note_first(&mut self, op: &Op, object: Option<usize>) {
        if self.first.is_none() {
            // A thread's end is no object: asking about it (or joining it)
            // is an operation on the thread, apart from object ids.
            let on = object.map(id).or(match op {
                Op::IsFinished { child, .. } | Op::Join { child } => Some(id(*child) | 1 << 31),
                _ => None,
            });
            self.first = on.map(|o| (o, kind(op)));
        }
    }

    /// Adds what `op` on `object`, done by `thread`, did.
    pub(crate) fn add(&mut self, thread: Thread, op: &Op, object: Option<usize>) {
        self.note_first(op, object);
        // Polling that found nothing: a loop around it waits for another
        // thread, like a spin loop. (Its access is the operation's own.)
        let found_nothing = matches!(
            op,
            Op::RecvEmpty
                | Op::IsFinished {
                    finished: false,
                    ..
                }
                | Op::Woken { timed_out: true }
                | Op::TryLock { acquired: false }
                | Op::CompareExchange { ok: false }
        );
        let lock = object.map(|o| Key::Lock(id(o)));
        match op {
            Op::Spawn { child } => self.spawned.push(*child),
            Op::ReadLock => {
                self.shared.extend(lock);
                self.note_moved(lock);
            }
            Op::ReadUnlock => self.note_moved(lock),
            Op::Yield | Op::Sleep => self.yielded = true,
            _ => self.yielded |= found_nothing,
        }
        // Joining a condvar's queue is a write (a notify races with it),
        // but no change a spinner waits for: a `wait_timeout` loop whose
        // waits time out polls, as a `try_recv` loop does.
        let idle = found_nothing || matches!(op, Op::Wait);
        if let Some(a) = access_of(thread, op, object) {
            if !self.accesses.contains(&a) {
                if idle && a.write {
                    self.idle.push(a.key);
                }
                self.accesses.push(a);
            }
        }
    }

    /// Adds a write of `object` that conflicts as one but is no change a
    /// spinner waits for (a condvar's queue joined or left by a waiter),
    /// unless the step changed `object` anyway.
    pub(crate) fn add_idle_write(&mut self, object: Option<usize>) {
        if let Some(o) = object {
            self.add_idle_write_key(Key::Object(id(o)));
        }
    }

    /// Adds a write of `key` that conflicts as one but is no change a
    /// spinner waits for (see [`Effects::add_idle_write`]).
    pub(crate) fn add_idle_write_key(&mut self, key: Key) {
        let a = Access {
            key,
            write: true,
            lock: None,
        };
        if !self.accesses.contains(&a) {
            self.accesses.push(a);
            self.idle.push(key);
        }
    }

    /// Marks the step's acquisition of the lock `object` as taken by a
    /// `try_lock` ([`LockSide::TryAcquire`]).
    pub(crate) fn tried(&mut self, object: usize) {
        let key = Key::Lock(id(object));
        for a in &mut self.accesses {
            if a.key == key && a.lock == Some(LockSide::Acquire) {
                a.lock = Some(LockSide::TryAcquire);
            }
        }
    }

    /// Adds a read or a write of `object`, whatever the operation.
    pub(crate) fn add_access(&mut self, object: Option<usize>, write: bool) {
        if let Some(o) = object {
            let a = Access {
                key: Key::Object(id(o)),
                write,
                lock: None,
            };
            if !self.accesses.contains(&a) {
                self.accesses.push(a);
            }
        }
    }

    /// Marks the step as an attempt that blocked: the engine runs a thread
    /// at the scheduling point that begins a lock's acquisition (or a
    /// join) before it knows that the lock is held, and the thread then
    /// blocks having recorded nothing. As an empty step it commuted with
    /// everything: its thread, asleep with it, never woke, and the orders
    /// behind it were lost. Its thread now sleeps no more with it
    /// ([`Effects::sleeps`]), and the attempt reads the lock it waits for
    /// ([`LockSide::Blocked`]): its race with the acquisition that made
    /// the lock held is reversed, the attempt run first taking the lock.
    /// (Without the access, that race was found only through the thread's
    /// later, successful acquisition, which other hand-overs of the lock
    /// could order after it.)
    pub(crate) fn block(&mut self) {
        self.blocked = true;
        if let Some(key) = self.waits_for {
            self.accesses.push(Access {
                key,
                write: false,
                lock: Some(LockSide::Blocked),
            });
        }
    }

    /// Whether the step took lock `key` (blocking, or with a `try_lock`
    /// that got it), and if so, whether as a reader: `Some(true)` for an
    /// `RwLock`'s read lock, which other readers hold at the same time,
    /// `Some(false)` for every acquisition that excludes the others.
    pub(crate) fn acquired(&self, key: Key) -> Option<bool> {
        self.accesses
            .iter()
            .any(|a| {
                a.key == key && matches!(a.lock, Some(LockSide::Acquire | LockSide::TryAcquire))
            })
            .then(|| self.shared.contains(&key))
    }

    /// Whether a thread whose step from a node this is may sleep in the
    /// node's other branches: not after an attempt that blocked. Its
    /// thread was not really enabled there, and what it does next (take
    /// the lock, once released) is not this step.
    pub(crate) fn sleeps(&self) -> bool {
        !self.blocked
    }

    /// Adds a read of `object` that changes it all the same (see
    /// [`Effects::moved`]).
    pub(crate) fn add_moving_read(&mut self, object: Option<usize>) {
        self.add_access(object, false);
        self.note_moved(object.map(|o| Key::Object(id(o))));
    }

    /// Notes `key` as changed by a read ([`Effects::moved`]).
    fn note_moved(&mut self, key: Option<Key>) {
        if let Some(key) = key.filter(|k| !self.moved.contains(k)) {
            self.moved.push(key);
        }
    }

    /// The keys the step changed: its writes, but for polls which found
    /// nothing, and the reads that move a count.
    pub(crate) fn changed(&self) -> impl Iterator<Item = Key> + '_ {
        self.accesses
            .iter()
            .filter(|a| a.write && !self.idle.contains(&a.key))
            .map(|a| a.key)
            .chain(self.moved.iter().copied())
    }
}

/// The access `op` on `object` is, done by `thread`: none for an
/// operation that touches nothing shared (a spawn, a yield, a fence, a
/// panic, a trace line). One classification for the DPOR search's steps
/// ([`Effects::add`]) and the coverage figure's pairs.
pub(crate) fn access_of(thread: Thread, op: &Op, object: Option<usize>) -> Option<Access> {
    let access = |key, write| Access {
        key,
        write,
        lock: None,
    };
    let object = object.map(id);
    let on_object = |write| object.map(|o| access(Key::Object(o), write));
    let on_lock = |side, write| {
        object.map(|o| Access {
            key: Key::Lock(o),
            write,
            lock: side,
        })
    };
    match op {
        Op::Spawn { .. } | Op::Yield | Op::Sleep => None,
        Op::Join { child } => Some(Access {
            key: Key::Finished(id(*child)),
            write: false,
            lock: Some(LockSide::Await),
        }),
        // Asking can come before the end: a race, explored both ways.
        Op::IsFinished { child, .. } => Some(access(Key::Finished(id(*child)), false)),
        Op::Finish => Some(Access {
            key: Key::Finished(id(thread)),
            write: true,
            lock: Some(LockSide::Release),
        }),
        Op::Park => Some(access(Key::Parker(id(thread)), true)),
        Op::Unpark { target } => Some(access(Key::Parker(id(*target)), true)),
        // Under sequential consistency a fence orders nothing more, and
        // a panic, a user's trace line or a choice (a branch of the
        // search of its own) touches nothing shared.
        Op::Fence | Op::Panic | Op::Trace(_) | Op::Choose { .. } => None,
        Op::Lock | Op::WriteLock => on_lock(Some(LockSide::Acquire), true),
        Op::Unlock | Op::WriteUnlock => on_lock(Some(LockSide::Release), true),
        // A reader's acquisition and release commute with another
        // reader's (shuttle's `RwLock` is unfair: a waiting writer does
        // not hold new readers back), so they are reads of the lock; they
        // still move its count of readers, which a `try_write` loop polls
        // (`Effects::moved`). Taken for writes, the order of a reader's
        // release and another reader's acquisition was never reversed:
        // it was taken for a lock's hand-over, which the order of the
        // acquisitions decides, but two readers hold the lock at once.
        Op::ReadLock => on_lock(Some(LockSide::Acquire), false),
        Op::ReadUnlock => on_lock(Some(LockSide::Release), false),
        // Acquired or not, a `try_lock` races with everything on the
        // lock, releases too: run after the release, it succeeds.
        Op::TryLock { .. } | Op::Acquire => on_lock(None, true),
        Op::Load(_) | Op::CellRead => on_object(false),
        // Everything else on an object changes it (or, like a failed
        // compare-exchange or a `try_lock` that got nothing, is treated
        // as if it did: more conflicts explore more, never less).
        _ => on_object(true),
    }
}

/// The kind of an operation, whatever it found (see [`Effects::first`]).
fn kind(op: &Op) -> u8 {
    match op {
        Op::Acquire => 0,
        Op::Lock => 1,
        Op::TryLock { .. } => 2,
        Op::Unlock => 3,
        Op::ReadLock => 4,
        Op::WriteLock => 5,
        Op::ReadUnlock => 6,
        Op::WriteUnlock => 7,
        Op::Wait => 8,
        Op::Woken { .. } => 9,
        Op::NotifyOne => 10,
        Op::NotifyAll => 11,
        Op::Load(_) => 12,
        Op::Store(_) => 13,
        Op::Rmw(_) => 14,
        Op::CompareExchange { .. } => 15,
        Op::Send => 16,
        // A `try_recv` that found a message is the same poll as one that
        // found none.
        Op::Recv | Op::RecvEmpty => 17,
        Op::IsFinished { .. } => 18,
        _ => 19,
    }
}

/// Whether two steps conflict: they access a key in common, and one of
/// them writes it.
pub(crate) fn dependent(a: &[Access], b: &[Access]) -> bool {
    a.iter()
        .any(|x| b.iter().any(|y| x.key == y.key && x.conflicts(y)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Value;

    fn effects(ops: &[(Thread, Op, Option<usize>)]) -> Effects {
        let mut e = Effects::default();
        for (t, op, o) in ops {
            e.add(*t, op, *o);
        }
        e
    }

    #[test]
    fn two_loads_are_independent_and_a_store_conflicts_with_both() {
        let load = effects(&[(0, Op::Load(Value::Int(0)), Some(3))]);
        let store = effects(&[(1, Op::Store(Value::Int(1)), Some(3))]);
        let other = effects(&[(1, Op::Store(Value::Int(1)), Some(4))]);
        assert!(!dependent(&load.accesses, &load.accesses));
        assert!(dependent(&load.accesses, &store.accesses));
        assert!(dependent(&store.accesses, &store.accesses));
        assert!(!dependent(&store.accesses, &other.accesses));
    }

    #[test]
    fn join_reads_what_finish_writes_and_unpark_writes_the_target_parker() {
        let finish = effects(&[(2, Op::Finish, None)]);
        let join = effects(&[(0, Op::Join { child: 2 }, None)]);
        let join_other = effects(&[(0, Op::Join { child: 1 }, None)]);
        assert!(dependent(&finish.accesses, &join.accesses));
        assert!(!dependent(&finish.accesses, &join_other.accesses));
        let park = effects(&[(1, Op::Park, None)]);
        let unpark = effects(&[(0, Op::Unpark { target: 1 }, None)]);
        assert!(dependent(&park.accesses, &unpark.accesses));
    }

    #[test]
    fn spawns_and_yields_are_noted_and_accesses_kept_once() {
        let e = effects(&[
            (0, Op::Spawn { child: 1 }, None),
            (0, Op::Yield, None),
            (0, Op::Lock, Some(5)),
            (0, Op::Unlock, Some(5)),
        ]);
        assert_eq!(e.spawned.as_slice(), [1]);
        assert!(e.yielded);
        assert_eq!(e.accesses.len(), 2);
        assert_eq!(
            e.changed().collect::<Vec<_>>(),
            [Key::Lock(5), Key::Lock(5)]
        );
        assert!(e.accesses[0].hand_over(&e.accesses[1]));
        assert!(e.accesses[1].hand_over(&e.accesses[1]));
        assert!(!e.accesses[0].hand_over(&e.accesses[0]));
    }

    #[test]
    fn a_poll_that_found_nothing_conflicts_as_a_write_but_changes_nothing() {
        for op in [
            Op::CompareExchange { ok: false },
            Op::TryLock { acquired: false },
            Op::RecvEmpty,
            Op::Woken { timed_out: true },
        ] {
            let e = effects(&[(0, op.clone(), Some(3))]);
            assert!(e.yielded, "{op:?}");
            assert!(e.accesses.iter().all(|a| a.write), "{op:?}");
            assert_eq!(e.changed().count(), 0, "{op:?}");
        }
        let e = effects(&[(0, Op::CompareExchange { ok: true }, Some(3))]);
        assert!(!e.yielded);
        assert_eq!(e.changed().collect::<Vec<_>>(), [Key::Object(3)]);
        // Joining a condvar's queue, or a queue change the engine noted,
        // conflicts but changes nothing; a notify on it does.
        let mut e = effects(&[(0, Op::Wait, Some(4))]);
        e.add_idle_write(Some(5));
        assert_eq!(e.accesses.len(), 2);
        assert!(!e.yielded);
        assert_eq!(e.changed().count(), 0);
        let mut e = effects(&[(0, Op::NotifyOne, Some(5))]);
        e.add_idle_write(Some(5));
        assert_eq!(e.changed().collect::<Vec<_>>(), [Key::Object(5)]);
    }

    #[test]
    fn a_release_hands_over_to_a_blocking_lock_but_races_with_a_tried_one() {
        let release = effects(&[(1, Op::Unlock, Some(7))]);
        let lock = effects(&[(0, Op::Lock, Some(7))]);
        let mut tried = effects(&[(0, Op::Lock, Some(7))]);
        tried.tried(7);
        assert_eq!(tried.accesses[0].lock, Some(LockSide::TryAcquire));
        assert!(release.accesses[0].hand_over(&lock.accesses[0]));
        assert!(lock.accesses[0].hand_over(&release.accesses[0]));
        assert!(!release.accesses[0].hand_over(&tried.accesses[0]));
        assert!(!tried.accesses[0].hand_over(&release.accesses[0]));
        // Another lock's acquisition is left as it is.
        let mut other = effects(&[(0, Op::Lock, Some(8))]);
        other.tried(7);
        assert_eq!(other.accesses[0].lock, Some(LockSide::Acquire));
    }

    #[test]
    fn a_read_lock_is_shared_and_every_other_acquisition_exclusive() {
        let key = Key::Lock(7);
        let read = effects(&[(0, Op::ReadLock, Some(7))]);
        let write = effects(&[(0, Op::WriteLock, Some(7))]);
        let lock = effects(&[(0, Op::Lock, Some(7))]);
        let mut tried = effects(&[(0, Op::Lock, Some(7))]);
        tried.tried(7);
        let mut tried_read = effects(&[(0, Op::ReadLock, Some(7))]);
        tried_read.tried(7);
        assert_eq!(read.acquired(key), Some(true));
        assert_eq!(write.acquired(key), Some(false));
        assert_eq!(lock.acquired(key), Some(false));
        // A `try_lock` that took it holds it as a blocking one would.
        assert_eq!(tried.acquired(key), Some(false));
        assert_eq!(tried_read.acquired(key), Some(true));
        assert_eq!(lock.acquired(Key::Lock(8)), None);
        let release = effects(&[(0, Op::Unlock, Some(7))]);
        assert_eq!(release.acquired(key), None);
    }

    #[test]
    fn readers_commute_and_a_writer_conflicts_with_each() {
        let read = effects(&[(0, Op::ReadLock, Some(7))]);
        let unread = effects(&[(1, Op::ReadUnlock, Some(7))]);
        let mut try_read = effects(&[(1, Op::ReadLock, Some(7))]);
        try_read.tried(7);
        let write = effects(&[(2, Op::WriteLock, Some(7))]);
        let unwrite = effects(&[(2, Op::WriteUnlock, Some(7))]);
        // One reader's acquisition (blocking or tried) and another's
        // release commute: both hold the lock at once.
        assert!(!dependent(&read.accesses, &unread.accesses));
        assert!(!dependent(&read.accesses, &read.accesses));
        assert!(!dependent(&try_read.accesses, &unread.accesses));
        // A writer's acquisition races with a reader's, and is handed the
        // lock by a reader's release; a tried read races with a writer's
        // release (run after it, it succeeds).
        assert!(dependent(&write.accesses, &read.accesses));
        assert!(!write.accesses[0].hand_over(&read.accesses[0]));
        assert!(write.accesses[0].hand_over(&unread.accesses[0]));
        assert!(dependent(&try_read.accesses, &unwrite.accesses));
        assert!(!try_read.accesses[0].hand_over(&unwrite.accesses[0]));
        // Both change the count of readers a `try_write` loop polls.
        assert_eq!(read.changed().collect::<Vec<_>>(), [Key::Lock(7)]);
        assert_eq!(unread.changed().collect::<Vec<_>>(), [Key::Lock(7)]);
        // A writer's attempt blocked by a reader races with the reader's
        // acquisition, not with its release.
        let mut attempt = Effects {
            waits_for: Some(Key::Lock(7)),
            ..Effects::default()
        };
        attempt.block();
        assert!(dependent(&attempt.accesses, &read.accesses));
        assert!(dependent(&attempt.accesses, &try_read.accesses));
        assert!(!dependent(&attempt.accesses, &unread.accesses));
    }

    #[test]
    fn a_blocked_attempt_reads_the_lock_it_waits_for() {
        let acquire = effects(&[(1, Op::Lock, Some(7))]);
        let release = effects(&[(1, Op::Unlock, Some(7))]);
        let mut attempt = Effects {
            waits_for: Some(Key::Lock(7)),
            ..Effects::default()
        };
        // Not blocked: it recorded nothing, and conflicts with nothing.
        assert!(!dependent(&attempt.accesses, &acquire.accesses));
        attempt.block();
        // It conflicts with the acquisition that made the lock held (a
        // race), not with the release it waits for (which a reversal may
        // run before it), nor with another blocked attempt; it changes
        // nothing, and its thread sleeps with it nowhere.
        assert!(dependent(&attempt.accesses, &acquire.accesses));
        assert!(!attempt.accesses[0].hand_over(&acquire.accesses[0]));
        assert!(!dependent(&attempt.accesses, &release.accesses));
        assert!(!dependent(&release.accesses, &attempt.accesses));
        assert!(!dependent(&attempt.accesses, &attempt.accesses));
        assert!(!attempt.sleeps());
        assert_eq!(attempt.changed().count(), 0);
    }
}
