//! Races in one execution, and the threads that can start their reversal
//! (source-DPOR's race detection, Abdulla et al., POPL'14, section 4).
//!
//! Happens-before here is the order the execution itself imposes: program
//! order, spawn, and the order of every two conflicting steps. Two steps
//! race when they conflict, belong to different threads, and nothing else
//! orders them: running the later one first leads to a different
//! Mazurkiewicz trace, which the search must explore.

use rustc_hash::FxHashMap;

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
/// allocation per execution, not one per step: the analysis runs after
/// every execution and is most of the search's own cost.)
struct Clocks {
    width: usize,
    data: Vec<u32>,
}

impl Clocks {
    fn new(width: usize, rows: usize) -> Self {
        Clocks {
            width,
            data: Vec::with_capacity(width * rows),
        }
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
    races_from(steps, 0)
}

/// The races of `steps` (an execution in the order it ran) whose later
/// step is `from` or after. The explorer passes the first step this
/// execution did not replay: a race between replayed steps was already
/// found, with the same initials, by the execution that ran them first.
pub(crate) fn races_from(steps: &[Step], from: usize) -> Vec<Race> {
    // By thread (ids are small and dense): its latest clock, its steps.
    let threads = steps.iter().map(|s| s.thread).max().map_or(0, |t| t + 1);
    let threads = steps
        .iter()
        .flat_map(|s| s.effects.spawned.iter().copied())
        .map(|t| t + 1)
        .fold(threads, usize::max);
    let mut order = Order {
        clocks: Clocks::new(threads, steps.len()),
        before: Clocks::new(threads, steps.len()),
        index: Vec::with_capacity(steps.len()),
    };
    let mut thread_clock = Clocks {
        width: threads,
        data: vec![0; threads * threads],
    };
    let mut counts: Vec<u32> = vec![0; threads];
    // By key: the steps that accessed it, and how. A step's access is
    // dropped once a later step of the same thread accesses the key the
    // same way: every step that conflicts with the earlier one conflicts
    // with the later one alike, and is ordered after the earlier one
    // through it (program order), so the earlier adds nothing.
    let mut history: FxHashMap<Key, Vec<(usize, Access)>> = FxHashMap::default();
    let mut found: Vec<(usize, usize)> = Vec::new();
    // By thread: the locks it holds, and the step that acquired each.
    let mut held: Vec<Vec<(Key, usize)>> = vec![Vec::new(); threads];
    // By step: the acquisitions of the locks its thread held as it began.
    let mut holding: Vec<Vec<usize>> = Vec::with_capacity(steps.len());
    let mut conflicting: Vec<usize> = Vec::new();
    let mut handed: Vec<usize> = Vec::new();
    let mut clock: Vec<u32> = vec![0; threads];
    for (k, step) in steps.iter().enumerate() {
        let t = step.thread;
        holding.push(held[t].iter().map(|(_, a)| *a).collect());
        for a in &step.effects.accesses {
            match a.lock {
                Some(LockSide::Acquire) => held[t].push((a.key, k)),
                Some(LockSide::Release) => {
                    if let Some(i) = held[t].iter().rposition(|(key, _)| *key == a.key) {
                        held[t].remove(i);
                    }
                }
                None => {}
            }
        }
        order.before.push(thread_clock.row(t));
        counts[t] += 1;
        order.index.push(counts[t]);
        // The earlier steps of other threads this one conflicts with, and
        // those it only takes a lock from (ordered, never a race).
        conflicting.clear();
        handed.clear();
        for a in &step.effects.accesses {
            if let Some(h) = history.get(&a.key) {
                for (j, b) in h {
                    if (b.write || a.write) && steps[*j].thread != t {
                        if a.hand_over(b) {
                            handed.push(*j);
                        } else {
                            conflicting.push(*j);
                        }
                    }
                }
            }
        }
        conflicting.sort_unstable_by(|a, b| b.cmp(a));
        conflicting.dedup();
        // Latest first: an earlier conflicting step that happens before a
        // later one is ordered through it, and is no race. The lock
        // hand-overs are left out here: the acquisitions before them race.
        clock.copy_from_slice(thread_clock.row(t));
        for &j in &conflicting {
            if k >= from && !order.covers(&clock, j, steps) {
                found.push((j, k));
                // Inside a critical section, the race cannot be reversed
                // where it is if this step's thread needs the same lock:
                // it must run before the section began. (Adding the race
                // for every lock held over-approximates: more branches,
                // never fewer.)
                found.extend(holding[j].iter().map(|&a| (a, k)));
            }
            join(&mut clock, order.clocks.row(j));
        }
        for &j in &handed {
            join(&mut clock, order.clocks.row(j));
        }
        clock[t] = order.index[k];
        for a in &step.effects.accesses {
            let h = history.entry(a.key).or_default();
            h.retain(|(j, b)| !(steps[*j].thread == t && b == a));
            h.push((k, *a));
        }
        for &child in &step.effects.spawned {
            thread_clock.data[child * threads..(child + 1) * threads].copy_from_slice(&clock);
        }
        thread_clock.data[t * threads..(t + 1) * threads].copy_from_slice(&clock);
        order.clocks.push(&clock);
    }
    found.sort_unstable();
    found.dedup();
    found
        .into_iter()
        .map(|(first, later)| Race {
            first,
            later,
            initials: initials(steps, &order, first, later),
        })
        .collect()
}

/// The threads whose first step in `v = notdep(first).later` has nothing
/// in `v` before it: `v` is the steps after `first` that do not happen
/// after it, then `later`.
fn initials(steps: &[Step], order: &Order, first: usize, later: usize) -> Vec<Thread> {
    let v: Vec<usize> = (first + 1..later)
        .filter(|&m| !order.covers(order.clocks.row(m), first, steps))
        .collect();
    let mut seen: Vec<Thread> = Vec::new();
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
                key: Key::Object(o),
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
}
