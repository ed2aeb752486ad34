//! Races in one execution, and the threads that can start their reversal
//! (source-DPOR's race detection, Abdulla et al., POPL'14, section 4).
//!
//! Happens-before here is the order the execution itself imposes: program
//! order, spawn, and the order of every two conflicting steps. Two steps
//! race when they conflict, belong to different threads, and nothing else
//! orders them: running the later one first leads to a different
//! Mazurkiewicz trace, which the search must explore.

use super::access::{dependent, Access, Effects, Key, LockSide, Thread};

/// One scheduling step of an execution: who ran, and what it did.
#[derive(Clone, Debug, Default)]
pub(crate) struct Step {
    pub(crate) thread: Thread,
    pub(crate) effects: Effects,
}

/// A race: step `first` and a later step that conflicts with it, with the
/// threads whose next step, run at the state before `first`, starts a
/// reversal of the race (source-DPOR's initials of `notdep(first).later`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Race {
    pub(crate) first: usize,
    pub(crate) later: usize,
    pub(crate) initials: Vec<Thread>,
}

/// The branch to add at a race's first node so that the race is reversed:
/// `None` when an initial of the reversal is already a branch there or
/// asleep (`known`), or when none can run there. The later step's own
/// thread is preferred. (A thread that is an initial of the reversal but
/// cannot run at the node is blocked by the first step's own thread, a
/// lock it releases in that step: such a race cannot be reversed.)
pub(crate) fn reversal(
    runnable: &[Thread],
    initials: &[Thread],
    later: Thread,
    known: impl Fn(Thread) -> bool,
) -> Option<Thread> {
    if initials.iter().any(|t| known(*t)) {
        return None;
    }
    let runnable = |t: &Thread| runnable.contains(t);
    initials
        .iter()
        .copied()
        .filter(runnable)
        .find(|t| *t == later)
        .or_else(|| initials.iter().copied().find(runnable))
}

/// Vector clocks, one row per step, stored flat: per thread, how many of
/// its steps happen before (or are) the step the row belongs to. (One
/// allocation, kept from one execution to the next, not one per step:
/// the analysis runs after every execution and is most of the search's
/// own cost.)
#[derive(Debug, Default)]
struct Clocks {
    width: usize,
    data: Vec<u32>,
}

impl Clocks {
    /// Keeps the first `rows` rows.
    fn truncate(&mut self, rows: usize) {
        self.data.truncate(rows * self.width);
    }

    fn row(&self, i: usize) -> &[u32] {
        &self.data[i * self.width..(i + 1) * self.width]
    }

    fn push(&mut self, row: &[u32]) {
        self.data.extend_from_slice(row);
    }
}

/// `clock` := the join of `clock` and `other`.
fn join(clock: &mut [u32], other: &[u32]) {
    for (a, b) in clock.iter_mut().zip(other) {
        *a = (*a).max(*b);
    }
}

/// Happens-before over the steps of one execution.
#[derive(Debug, Default)]
struct Order {
    /// By step: its clock (including itself).
    clocks: Clocks,
    /// By step: its thread's clock before it, with spawn (not with the
    /// steps it conflicts with).
    before: Clocks,
    /// By step: its number within its thread, from 1.
    index: Vec<u32>,
}

impl Order {
    /// Whether step `a` happens before `clock`'s step (or is it).
    fn covers(&self, clock: &[u32], a: usize, steps: &[Step]) -> bool {
        clock[steps[a].thread] >= self.index[a]
    }
}

/// Every race of `steps`, an execution in the order it ran.
#[cfg(test)]
pub(crate) fn races(steps: &[Step]) -> Vec<Race> {
    Analysis::default().races_from(steps, 0)
}

/// The race analysis of the executions of one search, kept from one
/// execution to the next. It runs after every execution, and most of an
/// execution replays the previous one: the happens-before of the
/// replayed steps is kept, and only the steps after them are analysed
/// anew (their changes to the per-key history are undone first, from a
/// trail).
#[derive(Debug, Default)]
pub(crate) struct Analysis {
    /// The happens-before of the steps analysed last, by step.
    order: Order,
    /// By key slot ([`Key::slot`]): the steps that accessed it, and how.
    history: Vec<Vec<(usize, Access)>>,
    /// How to undo each change to `history`, with the step that made it.
    trail: Vec<(usize, Undo)>,
    /// By step: the acquisitions of the locks its thread held as it
    /// began, as a range of `holding`.
    holding_at: Vec<(u32, u32)>,
    holding: Vec<usize>,
    /// By thread: the locks it holds, and the step that acquired each.
    held: Vec<Vec<(Key, usize)>>,
    conflicting: Vec<usize>,
    handed: Vec<usize>,
    found: Vec<(usize, usize)>,
    /// For [`initials`]: the steps of `v`, the threads seen.
    v: Vec<usize>,
    seen: Vec<Thread>,
    /// Scratch of each analysis, kept for its memory: by thread, its
    /// latest clock and its step count; the clock of the step at hand.
    thread_clock: Vec<u32>,
    counts: Vec<u32>,
    clock: Vec<u32>,
}

/// A change to the per-key history, to undo.
#[derive(Debug)]
enum Undo {
    /// An entry was pushed on this slot's list.
    Pushed(usize),
    /// This entry was removed from this slot's list at this index.
    Removed(usize, usize, (usize, Access)),
}

impl Analysis {
    /// The races of `steps` (an execution in the order it ran) whose later
    /// step is `from` or after. The explorer passes the first step this
    /// execution did not replay: a race between replayed steps was already
    /// found, with the same initials, by the execution that ran them first.
    /// The steps before `from` must be those the last call analysed (a
    /// replay of the same schedule).
    pub(crate) fn races_from(&mut self, steps: &[Step], from: usize) -> Vec<Race> {
        // By thread (ids are small and dense): its latest clock, its steps.
        let threads = steps.iter().map(|s| s.thread).max().map_or(0, |t| t + 1);
        let threads = steps
            .iter()
            .flat_map(|s| s.effects.spawned.iter().copied())
            .map(|t| t + 1)
            .fold(threads, usize::max);
        let mut start = from.min(self.order.index.len()).min(steps.len());
        if threads > self.order.clocks.width {
            // Wider clocks: nothing kept fits.
            self.order.clocks.width = threads;
            self.order.before.width = threads;
            start = 0;
        }
        let width = self.order.clocks.width;
        self.rewind(start);
        // The state after the kept steps: each thread's latest clock (its
        // last step's, or its spawn's), its step count, its locks.
        let mut thread_clock = Clocks {
            width,
            data: std::mem::take(&mut self.thread_clock),
        };
        thread_clock.data.clear();
        thread_clock.data.resize(width * width, 0);
        let mut counts = std::mem::take(&mut self.counts);
        counts.clear();
        counts.resize(width, 0);
        self.held.iter_mut().for_each(Vec::clear);
        if self.held.len() < width {
            self.held.resize_with(width, Vec::new);
        }
        for (k, step) in steps[..start].iter().enumerate() {
            let t = step.thread;
            counts[t] = self.order.index[k];
            for &c in step.effects.spawned.iter().chain([&t]) {
                thread_clock.data[c * width..(c + 1) * width]
                    .copy_from_slice(self.order.clocks.row(k));
            }
            hold(&mut self.held[t], step, k);
        }
        self.found.clear();
        let mut clock = std::mem::take(&mut self.clock);
        clock.clear();
        clock.resize(width, 0);
        for (k, step) in steps.iter().enumerate().skip(start) {
            let t = step.thread;
            let held_from = self.holding.len() as u32;
            self.holding.extend(self.held[t].iter().map(|(_, a)| *a));
            self.holding_at.push((held_from, self.holding.len() as u32));
            hold(&mut self.held[t], step, k);
            self.order.before.push(thread_clock.row(t));
            counts[t] += 1;
            self.order.index.push(counts[t]);
            // The earlier steps of other threads this one conflicts with,
            // and those it only takes a lock from (ordered, never a race).
            self.conflicting.clear();
            self.handed.clear();
            for a in &step.effects.accesses {
                let Some(h) = self.history.get(a.key.slot()) else {
                    continue;
                };
                for (j, b) in h {
                    if a.conflicts(b) && steps[*j].thread != t {
                        if a.hand_over(b) {
                            self.handed.push(*j);
                        } else {
                            self.conflicting.push(*j);
                        }
                    }
                }
            }
            self.conflicting.sort_unstable_by(|a, b| b.cmp(a));
            self.conflicting.dedup();
            // Latest first: an earlier conflicting step that happens
            // before a later one is ordered through it, and is no race.
            // The lock hand-overs are left out here: the acquisitions
            // before them race.
            clock.copy_from_slice(thread_clock.row(t));
            for &j in &self.conflicting {
                if k >= from && !self.order.covers(&clock, j, steps) {
                    // Inside a critical section, the race cannot be
                    // reversed where it is if this step's thread needs the
                    // same lock: it must run before the section began.
                    // (Adding the race for every lock held
                    // over-approximates: more branches, never fewer.)
                    let (lo, hi) = self.holding_at[j];
                    let held = &self.holding[lo as usize..hi as usize];
                    // And where this step takes a lock `j`'s thread holds
                    // as `j` begins, one of the two holding it alone, the
                    // race is not reversed at `j` at all: run there, this
                    // step blocks (a blocked attempt, which repeated an
                    // explored trace to its end). The acquisition of that
                    // lock before `j` takes the race.
                    let blocked_at_j = step.effects.accesses.iter().any(|a| {
                        // A blocking acquisition (a `try_lock` run there
                        // fails instead, which is explored), not a
                        // reader's beside a reader.
                        a.lock == Some(LockSide::Acquire)
                            && held.iter().any(|&h| {
                                steps[h].effects.acquired(a.key).is_some_and(|reader| {
                                    !reader || !step.effects.shared.contains(&a.key)
                                })
                            })
                    });
                    if !blocked_at_j {
                        self.found.push((j, k));
                    }
                    self.found.extend(
                        self.holding[lo as usize..hi as usize]
                            .iter()
                            .map(|&a| (a, k)),
                    );
                }
                join(&mut clock, self.order.clocks.row(j));
            }
            for &j in &self.handed {
                join(&mut clock, self.order.clocks.row(j));
            }
            clock[t] = self.order.index[k];
            // A step's access is dropped once a later step of the same
            // thread accesses the key the same way: every step that
            // conflicts with the earlier one conflicts with the later one
            // alike, and is ordered after the earlier one through it
            // (program order), so the earlier adds nothing.
            for a in &step.effects.accesses {
                let slot = a.key.slot();
                if self.history.len() <= slot {
                    self.history.resize_with(slot + 1, Vec::new);
                }
                let h = &mut self.history[slot];
                let mut i = 0;
                while i < h.len() {
                    let (j, b) = h[i];
                    if steps[j].thread == t && b == *a {
                        let entry = h.remove(i);
                        self.trail.push((k, Undo::Removed(slot, i, entry)));
                    } else {
                        i += 1;
                    }
                }
                h.push((k, *a));
                self.trail.push((k, Undo::Pushed(slot)));
            }
            for &child in &step.effects.spawned {
                thread_clock.data[child * width..(child + 1) * width].copy_from_slice(&clock);
            }
            thread_clock.data[t * width..(t + 1) * width].copy_from_slice(&clock);
            self.order.clocks.push(&clock);
        }
        self.thread_clock = thread_clock.data;
        self.counts = counts;
        self.clock = clock;
        self.found.sort_unstable();
        self.found.dedup();
        let mut races = Vec::with_capacity(self.found.len());
        for i in 0..self.found.len() {
            let (first, later) = self.found[i];
            races.push(Race {
                first,
                later,
                initials: initials(
                    steps,
                    &self.order,
                    first,
                    later,
                    &mut self.v,
                    &mut self.seen,
                ),
            });
        }
        races
    }

    /// Forgets what the last analysis learned from step `start` on.
    fn rewind(&mut self, start: usize) {
        if start == 0 {
            self.history.iter_mut().for_each(Vec::clear);
            self.trail.clear();
        }
        while let Some(&(k, _)) = self.trail.last() {
            if k < start {
                break;
            }
            match self.trail.pop().map(|(_, u)| u) {
                Some(Undo::Pushed(slot)) => {
                    self.history[slot].pop();
                }
                Some(Undo::Removed(slot, i, entry)) => self.history[slot].insert(i, entry),
                None => {}
            }
        }
        self.order.clocks.truncate(start);
        self.order.before.truncate(start);
        self.order.index.truncate(start);
        let held = self
            .holding_at
            .get(start)
            .map_or(self.holding.len(), |h| h.0 as usize);
        self.holding.truncate(held);
        self.holding_at.truncate(start);
    }
}

/// Updates `held`, the locks step `k`'s thread holds, by what `step` took
/// and released.
fn hold(held: &mut Vec<(Key, usize)>, step: &Step, k: usize) {
    for a in &step.effects.accesses {
        match a.lock {
            Some(LockSide::Acquire | LockSide::TryAcquire) => held.push((a.key, k)),
            Some(LockSide::Release) => {
                if let Some(i) = held.iter().rposition(|(key, _)| *key == a.key) {
                    held.remove(i);
                }
            }
            Some(LockSide::Await | LockSide::Blocked) | None => {}
        }
    }
}

/// The threads whose first step in `v = notdep(first).later` has nothing
/// in `v` before it: `v` is the steps after `first` that do not happen
/// after it, then `later`.
fn initials(
    steps: &[Step],
    order: &Order,
    first: usize,
    later: usize,
    v: &mut Vec<usize>,
    seen: &mut Vec<Thread>,
) -> Vec<Thread> {
    v.clear();
    v.extend((first + 1..later).filter(|&m| !order.covers(order.clocks.row(m), first, steps)));
    seen.clear();
    let mut out: Vec<Thread> = Vec::new();
    for (i, &m) in v.iter().enumerate() {
        let t = steps[m].thread;
        if seen.contains(&t) {
            continue;
        }
        seen.push(t);
        if !v[..i]
            .iter()
            .any(|&p| order.covers(order.clocks.row(m), p, steps))
        {
            out.push(t);
        }
    }
    // `later` itself, ordered after `first` only by their conflict (which
    // the reversal removes): its clock in `v` is its thread's clock and
    // the steps of `v` it conflicts with.
    let t = steps[later].thread;
    if !seen.contains(&t) {
        let before = order.before.row(later);
        let ordered = v.iter().any(|&p| {
            order.covers(before, p, steps)
                || dependent(&steps[p].effects.accesses, &steps[later].effects.accesses)
        });
        if !ordered {
            out.push(t);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(thread: Thread, accesses: &[(usize, bool)]) -> Step {
        let mut s = Step {
            thread,
            ..Step::default()
        };
        for &(o, write) in accesses {
            s.effects.accesses.push(Access {
                key: Key::Object(super::super::access::id(o)),
                write,
                lock: None,
            });
        }
        s
    }

    #[test]
    fn two_writes_by_two_threads_race_and_two_reads_do_not() {
        let steps = [step(0, &[(1, true)]), step(1, &[(1, true)])];
        let r = races(&steps);
        assert_eq!(
            r,
            [Race {
                first: 0,
                later: 1,
                initials: vec![1]
            }]
        );
        let steps = [step(0, &[(1, false)]), step(1, &[(1, false)])];
        assert!(races(&steps).is_empty());
    }

    #[test]
    fn a_race_ordered_through_a_third_step_is_no_race() {
        // 0 writes x; 1 reads x then writes y; 2 reads y then writes x.
        // (0 -> 2 on x) is ordered through 1: 0 -> 1 (x), 1 -> 2 (y)... but
        // 1's write of y comes after its read of x in the same step here,
        // so 0 happens before 2 and only the adjacent pairs race.
        let steps = [
            step(0, &[(1, true)]),
            step(1, &[(1, false), (2, true)]),
            step(2, &[(2, false), (1, true)]),
        ];
        let r: Vec<(usize, usize)> = races(&steps).iter().map(|r| (r.first, r.later)).collect();
        assert_eq!(r, [(0, 1), (1, 2)]);
    }

    #[test]
    fn program_order_is_not_a_race_and_initials_skip_ordered_steps() {
        // 0: a writes x. 1: b writes y. 2: b writes x (races with 0).
        // Reversal: b's first step (y) is the initial, b's later step is not.
        let steps = [
            step(0, &[(1, true)]),
            step(1, &[(2, true)]),
            step(1, &[(1, true)]),
        ];
        let r = races(&steps);
        assert_eq!(r.len(), 1);
        assert_eq!((r[0].first, r[0].later), (0, 2));
        assert_eq!(r[0].initials, [1]);
    }

    #[test]
    fn a_spawned_thread_happens_after_its_spawn() {
        let mut spawn = step(0, &[(1, true)]);
        spawn.effects.spawned.push(1);
        let steps = [spawn, step(1, &[(1, true)])];
        assert!(races(&steps).is_empty());
    }

    #[test]
    fn initials_exclude_a_thread_whose_first_step_waits_on_another_in_v() {
        // 0: a writes x. 1: c writes y. 2: b reads y then writes x.
        // b's step depends on c's (y): the initial is c, not b.
        let steps = [
            step(0, &[(1, true)]),
            step(2, &[(2, true)]),
            step(1, &[(2, false), (1, true)]),
        ];
        let r = races(&steps);
        let race = r.iter().find(|r| (r.first, r.later) == (0, 2)).unwrap();
        assert_eq!(race.initials, [2]);
    }

    #[test]
    fn a_join_is_ordered_after_the_end_it_waits_for_and_races_nothing() {
        use crate::record::Op;
        let mut spawn = step(0, &[]);
        spawn.effects.add(0, &Op::Spawn { child: 1 }, None);
        let mut child = step(1, &[(3, true)]);
        child.effects.add(1, &Op::Finish, None);
        let mut join = step(0, &[]);
        join.effects.add(0, &Op::Join { child: 1 }, None);
        // Main reads what the child wrote only after joining it: ordered.
        let read = step(0, &[(3, false)]);
        assert!(races(&[spawn.clone(), child.clone(), join, read]).is_empty());
        // Asking whether it finished is no join: it races with the end.
        let mut ask = step(0, &[]);
        ask.effects.add(
            0,
            &Op::IsFinished {
                child: 1,
                finished: true,
            },
            None,
        );
        let r = races(&[spawn, child, ask]);
        assert_eq!(
            r.iter().map(|r| (r.first, r.later)).collect::<Vec<_>>(),
            [(1, 2)]
        );
    }

    fn lock(thread: Thread, lock: u32, side: LockSide) -> Step {
        let mut s = step(thread, &[]);
        s.effects.accesses.push(Access {
            key: Key::Lock(lock),
            write: true,
            lock: Some(side),
        });
        s
    }

    /// Thread 1 writes object 1 holding lock 7; thread 2 takes lock 7
    /// and writes object 1 in the same step (`shared`: both take it as
    /// an `RwLock`'s read lock).
    fn writes_under_one_lock(shared: bool) -> Vec<Step> {
        let mut spawn = step(0, &[]);
        spawn.effects.spawned.extend([1, 2]);
        let mut first = lock(1, 7, LockSide::Acquire);
        let mut second = lock(2, 7, LockSide::Acquire);
        second.effects.accesses.push(Access {
            key: Key::Object(1),
            write: true,
            lock: None,
        });
        if shared {
            first.effects.shared.push(Key::Lock(7));
            second.effects.shared.push(Key::Lock(7));
        }
        vec![
            spawn,
            first,
            step(1, &[(1, true)]),
            lock(1, 7, LockSide::Release),
            second,
        ]
    }

    #[test]
    fn a_race_with_a_step_that_takes_the_lock_held_is_reversed_where_the_lock_was_taken() {
        // Run before step 2, step 4 would block on lock 7: the race is
        // reversed before thread 1 took the lock (step 1), not at step 2,
        // where the search only ran a blocked attempt that repeated an
        // explored trace.
        let r = races(&writes_under_one_lock(false));
        let pairs: Vec<(usize, usize)> = r.iter().map(|r| (r.first, r.later)).collect();
        assert_eq!(pairs, [(1, 4)], "{r:?}");
        assert_eq!(r[0].initials, [2]);
    }

    #[test]
    fn readers_of_one_lock_race_inside_it() {
        // Two read locks do not exclude each other: step 4 can run before
        // step 2, inside thread 1's read section.
        let r = races(&writes_under_one_lock(true));
        let pairs: Vec<(usize, usize)> = r.iter().map(|r| (r.first, r.later)).collect();
        assert_eq!(pairs, [(1, 4), (2, 4)], "{r:?}");
    }

    #[test]
    fn an_analysis_that_keeps_a_replayed_prefix_finds_what_a_fresh_one_finds() {
        // Executions that share prefixes, as a search runs them: each is
        // analysed from where it stopped replaying the one before, by one
        // analysis, and compared with a fresh analysis of the whole.
        let mut spawn = step(0, &[(1, true)]);
        spawn.effects.spawned.push(1);
        spawn.effects.spawned.push(2);
        let a = vec![
            spawn.clone(),
            lock(1, 7, LockSide::Acquire),
            step(1, &[(1, true), (2, false)]),
            lock(1, 7, LockSide::Release),
            step(2, &[(2, true)]),
            lock(2, 7, LockSide::Acquire),
            step(2, &[(1, false)]),
            lock(2, 7, LockSide::Release),
            step(0, &[(1, true)]),
        ];
        let mut b = a[..2].to_vec();
        b.extend([
            step(2, &[(2, true)]),
            step(1, &[(1, true), (2, false)]),
            step(0, &[(2, true)]),
            lock(1, 7, LockSide::Release),
            lock(2, 7, LockSide::Acquire),
            step(2, &[(1, false)]),
            lock(2, 7, LockSide::Release),
        ]);
        // A third thread spawned late widens the clocks.
        let mut late = step(0, &[(3, true)]);
        late.effects.spawned.push(3);
        let mut c = b[..4].to_vec();
        c.extend([
            late,
            step(3, &[(3, true), (1, true)]),
            step(2, &[(1, true)]),
        ]);
        let mut d = c[..1].to_vec();
        d.extend([step(2, &[(2, true)]), step(1, &[(2, true)])]);
        // A step analysed last time replaced the history entry of an
        // earlier step of its thread; rewound, the entry is back.
        let mut e = a[..1].to_vec();
        e.extend([
            step(1, &[(5, true)]),
            step(1, &[(5, true)]),
            step(2, &[(5, true)]),
        ]);
        let mut f = e[..2].to_vec();
        f.push(step(2, &[(5, true)]));
        let mut kept = Analysis::default();
        for (steps, from) in [
            (&a, 0),
            (&b, 2),
            (&c, 4),
            (&d, 1),
            (&a, 1),
            (&e, 1),
            (&f, 2),
        ] {
            let incremental = kept.races_from(steps, from);
            let whole: Vec<Race> = races(steps)
                .into_iter()
                .filter(|r| r.later >= from)
                .collect();
            assert_eq!(incremental, whole, "from {from}");
            assert!(!whole.is_empty());
        }
    }
}
