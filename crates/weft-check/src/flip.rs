//! The flip point: the single swap of two conflicting steps that turns
//! the minimal failing schedule into a passing one.
//!
//! A minimal failing schedule still asks the reader to find the order that
//! matters. This module finds it. The candidates are pairs of steps of two
//! threads on one object, at least one of which changes it (the DPOR
//! dependency relation, on recorded steps), where the first step's thread
//! can wait until the second step has run: no step between them needs it
//! (a join of it, a lock it hands over). For each, nearest the failure
//! first, a guide postpones the first step's thread from that step until
//! the second step has run, and the caller replays it. The first replay
//! that passes *and* is seen to have run the second step first names the
//! flip point: "had step 7 (`b`: store `state`) run after step 8 (`a`:
//! load `state`), the model passes".
//!
//! A deadlock's blocked lock waits take part as steps numbered after the
//! last one ([`blocked_steps`]): the swap that undoes a lock-order cycle is
//! one thread's lock run after the other's blocked one.
//!
//! It knows nothing of any engine: steps are matched with the decisions
//! they ran under through marks (how many steps had been recorded at each
//! decision), and the caller replays a guide (followed where it fits, as
//! [`crate::minimize`]'s guides are) and returns the decisions and marks
//! of the execution when it passed.
//!
//! ```text
//! steps       1 a: load x   2 b: load x   3 b: store x   4 a: store x
//! candidates  (3,4) b's store, a's store: swapped, still loses one
//!             (2,4) b's load run after a's store: passes, the flip point
//!             (1,3) a's load, b's store
//! ```

use std::time::{Duration, Instant};

use weft_sync::explore::Decision;
use weft_sync::record::{Event, ExecutionLog, Op, ThreadState, WaitKind};

/// Two steps of the failing schedule, by index into its steps: `first`
/// ran before `second`; the candidate flip runs `second` first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Pair {
    pub(crate) first: usize,
    pub(crate) second: usize,
}

/// How a step touches its object, for the conflict relation: `None` when
/// it touches no shared object a swap could reorder.
fn access(e: &Event) -> Option<(usize, bool)> {
    let object = e.object?;
    let write = match e.op {
        Op::Load(_) | Op::CellRead => false,
        // Nothing shared, or an order no swap can undo (a thread's start
        // and end, a user's trace line, a choice).
        Op::Spawn { .. }
        | Op::Join { .. }
        | Op::Finish
        | Op::Panic
        | Op::Trace(_)
        | Op::Choose { .. } => return None,
        _ => true,
    };
    Some((object, write))
}

/// Whether `second` can never run before `first` because `first` is what
/// lets it happen: a lock handed over (a release, then the acquire that
/// waited for it), a notification and the wakeup it caused, a message and
/// its receipt, a barrier's arrivals and its passing. Swapping those is
/// no explanation; the race that matters is between the acquisitions.
fn hand_over(first: &Op, second: &Op) -> bool {
    matches!(
        first,
        Op::Unlock
            | Op::ReadUnlock
            | Op::WriteUnlock
            | Op::Wait
            | Op::NotifyOne
            | Op::NotifyAll
            | Op::Send
            | Op::BarrierWait
            | Op::Finish
            | Op::Unpark { .. }
    ) && matches!(
        second,
        Op::Lock
            | Op::ReadLock
            | Op::WriteLock
            | Op::Acquire
            | Op::Woken { .. }
            | Op::Recv
            | Op::BarrierPass
            | Op::Join { .. }
            | Op::Park
    )
}

/// Whether a step of another thread in the window needs one of the
/// postponed thread's steps before it (so the postponed thread could not
/// really wait): a join of it, or a hand-over from it on one object.
fn needs_postponed(steps: &[Event], pair: Pair) -> bool {
    let postponed = steps[pair.first].thread;
    (pair.first + 1..=pair.second).any(|k| {
        let later = &steps[k];
        later.thread != postponed
            && (matches!(later.op, Op::Join { child } if child == postponed)
                || (pair.first..k).any(|m| {
                    let earlier = &steps[m];
                    earlier.thread == postponed
                        && earlier.object.is_some()
                        && earlier.object == later.object
                        && hand_over(&earlier.op, &later.op)
                }))
    })
}

/// How far apart (in steps) the two steps of a candidate may be.
pub(crate) const MAX_DISTANCE: usize = 256;

/// The candidate swaps of `steps`, nearest the failure first (the later
/// second step first, then the later first step): pairs of steps of two
/// threads on one object, at least one of them a write, where running the
/// second step first is possible: the first step's thread can wait until
/// the second step has run (no step between them needs it to go on).
///
/// At most `max` pairs, and two steps at most [`MAX_DISTANCE`] apart: a
/// long execution (a livelock's thousands of steps) costs no more than a
/// short one.
pub(crate) fn candidates(steps: &[Event], max: usize) -> Vec<Pair> {
    let mut out = Vec::new();
    for second in (0..steps.len()).rev() {
        let Some((object, second_writes)) = access(&steps[second]) else {
            continue;
        };
        for first in (second.saturating_sub(MAX_DISTANCE)..second).rev() {
            if out.len() >= max {
                return out;
            }
            let Some((o, first_writes)) = access(&steps[first]) else {
                continue;
            };
            let pair = Pair { first, second };
            if o == object
                && steps[first].thread != steps[second].thread
                && (first_writes || second_writes)
                && !hand_over(&steps[first].op, &steps[second].op)
                && !needs_postponed(steps, pair)
            {
                out.push(pair);
            }
        }
    }
    out
}

/// The operations the threads of a deadlock were blocked in, as steps
/// numbered after the last recorded one (in thread order): the steps that
/// never ran. A lock wait is an `acquire` of the lock; other waits (a join,
/// a condition variable) are not reordered by a swap and are left out.
pub(crate) fn blocked_steps(log: &ExecutionLog) -> Vec<Event> {
    let last = log.steps.last().map_or(0, |e| e.step);
    log.threads
        .iter()
        .filter(|t| t.state == ThreadState::Blocked)
        .filter_map(|t| {
            let w = t.waiting.as_ref()?;
            if !matches!(
                w.kind,
                WaitKind::Lock | WaitKind::ReadLock | WaitKind::WriteLock
            ) {
                return None;
            }
            Some((t.id, w.object?, w.at))
        })
        .enumerate()
        .map(|(i, (thread, object, at))| Event {
            step: last + 1 + i,
            thread,
            op: Op::Acquire,
            object: Some(object),
            location: at,
            atomic: None,
        })
        .collect()
}

/// For each step, the index in `decisions` of the thread decision it ran
/// under: the last one made before it was recorded (`marks[d]` is how many
/// steps had been recorded when decision `d` was made). The steps from
/// `recorded` on never ran (a deadlock's blocked locks, see
/// [`blocked_steps`]): each goes to its thread's last decision, the one
/// that ran it into the wait. `None` when the marks do not fit the
/// decisions or the steps (another execution's).
pub(crate) fn align(
    decisions: &[Decision],
    marks: &[usize],
    steps: &[Event],
    recorded: usize,
) -> Option<Vec<usize>> {
    // Marks past `recorded` are fine: the report's log may leave out the
    // last steps the engine saw (a panicking thread's own end).
    if marks.len() != decisions.len() || marks.windows(2).any(|w| w[0] > w[1]) {
        return None;
    }
    // One sweep: the decisions made before step `i` are those whose mark
    // is at most `i`.
    let mut out = Vec::with_capacity(steps.len());
    let (mut d, mut last_task) = (0, None);
    for (i, e) in steps.iter().enumerate() {
        let found = if i < recorded {
            while d < marks.len() && marks[d] <= i {
                if let Decision::Task(t) = decisions[d] {
                    last_task = Some((d, t));
                }
                d += 1;
            }
            match last_task {
                Some((d, t)) if t == e.thread => Some(d),
                Some(_) => None,
                // The main thread's steps before any decision.
                None if e.thread == 0 => Some(0),
                None => None,
            }
        } else {
            decisions
                .iter()
                .rposition(|&x| x == Decision::Task(e.thread))
        };
        out.push(found?);
    }
    Some(out)
}

/// The guide that runs `pair.second` before `pair.first`: the decisions
/// as they were up to `first`'s, then those up to `second`'s without any
/// of `first`'s thread, then that thread's, then the rest.
pub(crate) fn swapped(
    decisions: &[Decision],
    at: &[usize],
    steps: &[Event],
    pair: Pair,
) -> Vec<Decision> {
    let postponed = steps[pair.first].thread;
    let (from, to) = (at[pair.first], at[pair.second]);
    let window = &decisions[from..=to.max(from)];
    let is_postponed = |d: &&Decision| matches!(d, Decision::Task(t) if *t == postponed);
    decisions[..from]
        .iter()
        .chain(window.iter().filter(|d| !is_postponed(d)))
        .chain(window.iter().filter(is_postponed))
        .chain(&decisions[to.max(from) + 1..])
        .copied()
        .collect()
}

/// What the search for a flip point did.
#[derive(Debug)]
pub(crate) struct Search {
    /// The first candidate whose swapped guide passed.
    pub(crate) flip: Option<Pair>,
    /// Guides replayed.
    pub(crate) replays: usize,
    /// Time spent.
    pub(crate) elapsed: Duration,
    /// Whether the budget ran out before every candidate was tried.
    pub(crate) budget_spent: bool,
}

impl Search {
    /// No search was made.
    pub(crate) fn none() -> Search {
        Search {
            flip: None,
            replays: 0,
            elapsed: Duration::ZERO,
            budget_spent: false,
        }
    }
}

/// The flip point's default budget: half a second, or 200 replays (a
/// minimal schedule has a few dozen candidates at most).
pub(crate) const BUDGET: crate::minimize::Budget = crate::minimize::Budget {
    time: Duration::from_millis(500),
    replays: 200,
};

/// Where each thread's steps ran in an execution known by its decisions
/// and their marks (see [`align`]): for step `k`, recorded before the last
/// decision, the thread of the last thread decision made before it. The
/// steps after the last decision are its thread's, and not counted.
fn threads_of_steps(decisions: &[Decision], marks: &[usize]) -> Vec<Option<usize>> {
    // A decision made once the execution's recording had ended (the
    // engine's last, at teardown) counts nothing: the marks stop there.
    let counted = 1 + marks.windows(2).take_while(|w| w[0] <= w[1]).count();
    let marks = &marks[..counted.min(marks.len())];
    let known = marks.last().copied().unwrap_or(0);
    let mut out = Vec::with_capacity(known);
    let (mut d, mut last_task) = (0, None);
    for k in 0..known {
        while d < marks.len().min(decisions.len()) && marks[d] <= k {
            if let Decision::Task(t) = decisions[d] {
                last_task = Some(t);
            }
            d += 1;
        }
        out.push(last_task);
    }
    out
}

/// Whether a passing execution (its `decisions` and `marks`) ran the swap
/// of `pair` of the failing `steps`: the second step's thread took its
/// step before the first step's thread took its own (each step known by
/// its thread and its rank among that thread's steps, the program being
/// the same up to there). The second step must be seen to run; the first
/// may run after the last decision, or never.
fn ran_swapped(steps: &[Event], pair: Pair, decisions: &[Decision], marks: &[usize]) -> bool {
    let rank = |i: usize| {
        let t = steps[i].thread;
        (t, steps[..i].iter().filter(|e| e.thread == t).count())
    };
    let threads = threads_of_steps(decisions, marks);
    let position = |(t, n): (usize, usize)| {
        threads
            .iter()
            .enumerate()
            .filter(|(_, &u)| u == Some(t))
            .nth(n)
            .map(|(k, _)| k)
    };
    match (position(rank(pair.first)), position(rank(pair.second))) {
        (Some(a), Some(b)) => b < a,
        // The first step ran after the last decision, or never: not before.
        (None, Some(_)) => true,
        (_, None) => false,
    }
}

/// Tries the candidates of the failing schedule (`decisions`, with their
/// `marks`, recorded as `steps`, of which the first `recorded` ran; see
/// [`align`]), nearest the failure first, replaying each swapped guide
/// with `replay`, which returns the decisions and marks of the execution
/// if it passed, `None` if it failed. A candidate is the flip point when
/// its replay passed having run the swap.
pub(crate) fn search(
    decisions: &[Decision],
    marks: &[usize],
    steps: &[Event],
    recorded: usize,
    budget: crate::minimize::Budget,
    mut replay: impl FnMut(&[Decision]) -> Option<(Vec<Decision>, Vec<usize>)>,
) -> Search {
    let start = Instant::now();
    let mut done = Search::none();
    let Some(at) = align(decisions, marks, steps, recorded) else {
        return done;
    };
    let mut tried = std::collections::HashSet::new();
    for pair in candidates(steps, budget.replays.saturating_mul(4)) {
        let guide = swapped(decisions, &at, steps, pair);
        if guide == decisions || !tried.insert(guide.clone()) {
            continue;
        }
        if done.replays >= budget.replays || start.elapsed() >= budget.time {
            done.budget_spent = true;
            break;
        }
        done.replays += 1;
        if let Some((ran, ran_marks)) = replay(&guide) {
            if ran_swapped(steps, pair, &ran, &ran_marks) {
                done.flip = Some(pair);
                break;
            }
        }
    }
    done.elapsed = start.elapsed();
    done
}

#[cfg(test)]
mod tests {
    use super::*;
    use weft_sync::record::{Loc, Value};

    fn step(n: usize, thread: usize, op: Op, object: Option<usize>) -> Event {
        Event {
            step: n,
            thread,
            op,
            object,
            location: Loc {
                file: "toy.rs",
                line: n as u32,
                column: 1,
            },
            atomic: None,
        }
    }

    fn load(n: usize, t: usize, o: usize) -> Event {
        step(n, t, Op::Load(Value::Int(0)), Some(o))
    }

    fn store(n: usize, t: usize, o: usize) -> Event {
        step(n, t, Op::Store(Value::Int(1)), Some(o))
    }

    fn tasks(ts: &[usize]) -> Vec<Decision> {
        ts.iter().map(|&t| Decision::Task(t)).collect()
    }

    /// A toy lost update: threads 1 and 2 each load `x` (object 0) and
    /// store what they read plus one; it fails when both load before
    /// either stores. One step per decision, as shuttle yields before
    /// each operation.
    fn lost_update() -> (Vec<Decision>, Vec<usize>, Vec<Event>) {
        let steps = vec![load(1, 1, 0), load(2, 2, 0), store(3, 2, 0), store(4, 1, 0)];
        (tasks(&[1, 2, 2, 1]), vec![0, 1, 2, 3], steps)
    }

    /// Runs the toy lost update under a guide, one step per decision in
    /// the guide's thread order (a thread that has ended is passed over):
    /// if it passed, the decisions that ran and their marks.
    fn lost_update_replay(guide: &[Decision]) -> Option<(Vec<Decision>, Vec<usize>)> {
        let mut pc = [0usize; 3];
        let (mut x, mut read) = (0, [0; 3]);
        let (mut ran, mut marks) = (Vec::new(), Vec::new());
        for d in guide {
            let Decision::Task(t) = *d else { continue };
            match pc[t] {
                0 => read[t] = x,
                1 => x = read[t] + 1,
                _ => continue,
            }
            marks.push(ran.len());
            ran.push(*d);
            pc[t] += 1;
        }
        (x == 2).then_some((ran, marks))
    }

    #[test]
    fn candidates_are_conflicts_of_two_threads_nearest_the_failure_first() {
        let (_, _, steps) = lost_update();
        // (0, 1) is no candidate: two loads; nor (0, 3): one thread.
        assert_eq!(
            candidates(&steps, usize::MAX),
            vec![
                Pair {
                    first: 2,
                    second: 3
                },
                Pair {
                    first: 1,
                    second: 3
                },
                Pair {
                    first: 0,
                    second: 2
                },
            ]
        );
    }

    #[test]
    fn a_swap_the_window_forbids_is_no_candidate() {
        // Thread 1 stores, finishes; main joins it and loads: the load
        // cannot run before the store, main waits for thread 1 in between.
        let steps = vec![
            store(1, 1, 0),
            step(2, 1, Op::Finish, None),
            step(3, 0, Op::Join { child: 1 }, None),
            load(4, 0, 0),
        ];
        assert_eq!(candidates(&steps, usize::MAX), Vec::<Pair>::new());
    }

    #[test]
    fn a_deadlocks_blocked_lock_is_a_step_after_the_last() {
        use weft_sync::record::{Held, ThreadInfo, Waiting};
        let at = Loc {
            file: "toy.rs",
            line: 9,
            column: 1,
        };
        let thread = |id, waits: Option<(WaitKind, usize)>| ThreadInfo {
            id,
            name: format!("t{id}"),
            state: if waits.is_some() {
                ThreadState::Blocked
            } else {
                ThreadState::Finished
            },
            holds: vec![Held {
                object: 7,
                at,
                shared: false,
            }],
            waiting: waits.map(|(kind, object)| Waiting {
                kind,
                object: Some(object),
                thread: None,
                at,
                woken: false,
            }),
            spawned_at: None,
            joined: false,
        };
        let log = ExecutionLog {
            threads: vec![
                thread(0, Some((WaitKind::Join, 1))),
                thread(1, Some((WaitKind::Lock, 8))),
                thread(2, None),
            ],
            objects: Vec::new(),
            steps: vec![step(1, 1, Op::Lock, Some(7)), step(2, 2, Op::Lock, Some(8))],
        };
        let blocked = blocked_steps(&log);
        assert_eq!(blocked.len(), 1);
        assert_eq!(
            (
                blocked[0].step,
                blocked[0].thread,
                &blocked[0].op,
                blocked[0].object
            ),
            (3, 1, &Op::Acquire, Some(8))
        );
        // Thread 2's lock, then thread 1's blocked acquire of the same lock.
        let mut steps = log.steps.clone();
        steps.extend(blocked);
        assert_eq!(
            candidates(&steps, usize::MAX),
            vec![Pair {
                first: 1,
                second: 2
            }]
        );
    }

    #[test]
    fn steps_of_one_thread_and_hand_overs_are_no_candidates() {
        let steps = vec![
            step(1, 1, Op::Lock, Some(5)),
            step(2, 1, Op::Unlock, Some(5)),
            step(3, 2, Op::Lock, Some(5)),
            store(4, 2, 0),
            store(5, 2, 0),
        ];
        assert_eq!(candidates(&steps, usize::MAX), Vec::<Pair>::new());
    }

    #[test]
    fn each_step_goes_to_the_decision_it_ran_under() {
        // Thread 1's two steps ran under its first decision; its second
        // recorded nothing (a thread's start does not either); a random
        // value in between.
        let decisions = vec![
            Decision::Task(1),
            Decision::Task(2),
            Decision::Task(1),
            Decision::Random(4),
            Decision::Task(2),
        ];
        let marks = vec![0, 2, 2, 2, 2];
        let steps = vec![load(1, 1, 0), load(2, 1, 0), store(3, 2, 0)];
        assert_eq!(align(&decisions, &marks, &steps, 3), Some(vec![0, 0, 4]));
        // Marks that put thread 1's steps after thread 2's decision.
        assert_eq!(align(&decisions, &[0, 0, 2, 2, 2], &steps, 3), None);
        let decisions_ok = decisions.clone();
        // A step that never ran goes to its thread's last decision.
        let mut blocked = steps.clone();
        blocked.push(store(4, 1, 0));
        assert_eq!(
            align(&decisions_ok, &marks, &blocked, 3),
            Some(vec![0, 0, 4, 2])
        );
        // Marks that do not fit the decisions.
        assert_eq!(align(&decisions_ok, &marks[1..], &steps, 3), None);
        assert_eq!(align(&decisions_ok, &[0, 2, 1, 2, 2], &steps, 3), None);
        // Marks past the recorded steps (a last step the log left out).
        assert_eq!(
            align(&tasks(&[1, 2, 2]), &[0, 2, 5], &steps, 3),
            Some(vec![0, 0, 1])
        );
    }

    #[test]
    fn the_swap_postpones_the_first_steps_thread_past_the_second_step() {
        let (decisions, marks, steps) = lost_update();
        let at = align(&decisions, &marks, &steps, steps.len()).unwrap();
        assert_eq!(at, vec![0, 1, 2, 3]);
        let guide = swapped(
            &decisions,
            &at,
            &steps,
            Pair {
                first: 0,
                second: 2,
            },
        );
        assert_eq!(guide, tasks(&[2, 2, 1, 1]));
        let guide = swapped(
            &decisions,
            &at,
            &steps,
            Pair {
                first: 2,
                second: 3,
            },
        );
        assert_eq!(guide, tasks(&[1, 2, 1, 2]));
        let guide = swapped(
            &decisions,
            &at,
            &steps,
            Pair {
                first: 1,
                second: 3,
            },
        );
        assert_eq!(guide, tasks(&[1, 1, 2, 2]));
    }

    #[test]
    fn the_flip_point_is_the_first_swap_that_passes() {
        let (decisions, marks, steps) = lost_update();
        assert!(
            lost_update_replay(&decisions).is_none(),
            "the toy fails as found"
        );
        let found = search(&decisions, &marks, &steps, 4, BUDGET, lost_update_replay);
        // Swapping the two stores still loses an update; thread 2's load
        // run after thread 1's store passes.
        assert_eq!(
            found.flip,
            Some(Pair {
                first: 1,
                second: 3
            })
        );
        assert_eq!(found.replays, 2);
        assert!(!found.budget_spent);
    }

    #[test]
    fn a_pass_that_did_not_run_the_swap_is_no_flip_point() {
        let (decisions, marks, steps) = lost_update();
        // Every replay "passes", running the failing order itself: thread
        // 1's load before thread 2's store, and so on.
        let found = search(&decisions, &marks, &steps, 4, BUDGET, |_| {
            Some((decisions.clone(), vec![0, 1, 2, 3, 4]))
        });
        assert_eq!(found.flip, None);
        assert_eq!(found.replays, 3);
        // Run as swapped, it is one.
        let pair = Pair {
            first: 1,
            second: 3,
        };
        assert!(ran_swapped(
            &steps,
            pair,
            &tasks(&[1, 1, 2, 2]),
            &[0, 1, 2, 3, 4]
        ));
        assert!(!ran_swapped(&steps, pair, &decisions, &[0, 1, 2, 3, 4]));
    }

    #[test]
    fn no_flip_point_when_no_swap_passes_and_the_budget_is_kept() {
        let (decisions, marks, steps) = lost_update();
        let found = search(&decisions, &marks, &steps, 4, BUDGET, |_| None);
        assert_eq!(found.flip, None);
        assert_eq!(found.replays, 3);
        let found = search(
            &decisions,
            &marks,
            &steps,
            4,
            crate::minimize::Budget {
                time: Duration::from_secs(1),
                replays: 1,
            },
            |_| None,
        );
        assert_eq!(found.replays, 1);
        assert!(found.budget_spent);
    }
}
