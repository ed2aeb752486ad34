//! Partial deadlocks: which blocked threads can never run again, whatever
//! the threads still running do.
//!
//! A deadlock need not stop every thread. When `ab` holds `lock_a` and
//! waits for `lock_b` while `ba` holds `lock_b` and waits for `lock_a`,
//! the two are stuck for good even if a third thread runs on forever. The
//! checker's own detection (every thread blocked) sees that only if the
//! third thread ever stops; weft asks [`stuck_threads`] each time a thread
//! starts to wait, and fails the execution as a deadlock the moment a
//! cycle forms.
//!
//! A blocked thread [`Need`]s other threads to act before it can run:
//!
//! - [`Need::EachOf`]: every one of them must act. A lock waits for each
//!   holder to release it (an `RwLock` writer for every reader), a join
//!   for its thread to finish. The waiter is stuck as soon as one of them
//!   is.
//! - [`Need::AnyOf`]: one of them suffices, and no other thread could.
//!   The waiter is stuck only when all of them are (a knot).
//! - [`Need::Anyone`]: weft cannot name who could wake it (a condvar
//!   notification, a channel message, a barrier arrival: the `Sender` or
//!   the barrier can move to any thread, including one not spawned yet,
//!   without weft seeing it). Never stuck: reporting it could be a false
//!   alarm.
//!
//! The stuck set is the largest set of blocked threads in which every
//! thread's need can only be met by threads of the set: none of them can
//! go first, so none ever goes. Running threads are never in it.
//!
//! **At the end of an execution cut short** (the step limit: a thread ran
//! on and on), the future is no longer open: [`stuck_at_end`] counts a
//! condvar, channel or barrier wait that nothing woke by then as a need no
//! thread met ([`Need::AnyOf`] of none). So a cycle through channels or
//! barriers beside a thread that runs forever is named at the step limit,
//! as the partial deadlock it is, instead of as the running thread's
//! step limit alone.
//!
//! ```
//! use weft_sync::knot::{stuck, Need};
//!
//! // 0 and 1 wait for each other's lock, 2 joins 0, 3 runs.
//! let needs = vec![
//!     Some(Need::EachOf(vec![1])),
//!     Some(Need::EachOf(vec![0])),
//!     Some(Need::EachOf(vec![0])),
//!     None,
//! ];
//! assert_eq!(stuck(&needs), vec![0, 1, 2]);
//! ```

use crate::record::{ExecutionLog, ThreadInfo, ThreadState, WaitKind};

/// What a blocked thread needs from other threads (by thread id) to run again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Need {
    /// Every one of these threads must act (release a lock, finish).
    EachOf(Vec<usize>),
    /// One of these threads must act, and no other thread could. Of
    /// none: no thread can.
    AnyOf(Vec<usize>),
    /// Some thread must act, and weft cannot tell which.
    Anyone,
}

/// The threads that can never run again, in id order: `needs[t]` is what
/// thread `t` waits for, `None` when it runs (or finished).
///
/// A thread that needs each of no thread (a lock nobody holds any more:
/// its waiter was woken and has not run yet) is not stuck; one that needs
/// any of no thread is.
pub fn stuck(needs: &[Option<Need>]) -> Vec<usize> {
    let mut in_set: Vec<bool> = needs
        .iter()
        .map(|n| match n {
            Some(Need::EachOf(ts)) => !ts.is_empty(),
            Some(Need::AnyOf(_)) => true,
            Some(Need::Anyone) | None => false,
        })
        .collect();
    // The largest fixed point: drop any thread a thread outside the set
    // could still wake, until none is left to drop.
    loop {
        let mut changed = false;
        for (t, need) in needs.iter().enumerate() {
            if !in_set[t] {
                continue;
            }
            let inside = |u: &usize| in_set.get(*u).copied().unwrap_or(false);
            let still_stuck = match need {
                Some(Need::EachOf(ts)) => ts.iter().any(inside),
                Some(Need::AnyOf(ts)) => ts.iter().all(inside),
                _ => false,
            };
            if !still_stuck {
                in_set[t] = false;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    (0..needs.len()).filter(|&t| in_set[t]).collect()
}

/// What each thread of `log` waits for, as [`stuck`] reads it: lock and
/// join waits name their threads exactly; every other wait is
/// [`Need::Anyone`].
pub fn needs_of(log: &ExecutionLog) -> Vec<Option<Need>> {
    log.threads.iter().map(|t| need_of(log, t)).collect()
}

/// The threads of `log` that can never run again (see [`stuck`]).
pub fn stuck_threads(log: &ExecutionLog) -> Vec<usize> {
    stuck(&needs_of(log))
}

/// What each thread of `log` waited for when the execution was cut short
/// (at the step limit), as [`stuck_at_end`] reads it: as [`needs_of`],
/// except that a condvar, channel or barrier wait nothing had woken by
/// then needs [`Need::AnyOf`] of no thread, since no thread met it in the
/// execution; only the future it was cut from could have.
pub fn needs_at_end(log: &ExecutionLog) -> Vec<Option<Need>> {
    log.threads
        .iter()
        .map(|t| match need_of(log, t) {
            Some(Need::Anyone)
                if t.waiting.as_ref().is_some_and(|w| {
                    matches!(
                        w.kind,
                        WaitKind::Condvar | WaitKind::Recv | WaitKind::Send | WaitKind::Barrier
                    )
                }) =>
            {
                Some(Need::AnyOf(Vec::new()))
            }
            need => need,
        })
        .collect()
}

/// The threads of a `log` cut short that no thread could have woken by
/// its end (see [`needs_at_end`]): the partial deadlock a step limit
/// reveals. Only for an execution that ended: while it runs, a running
/// thread may still send the message, so [`stuck_threads`] is the one to
/// ask.
pub fn stuck_at_end(log: &ExecutionLog) -> Vec<usize> {
    stuck(&needs_at_end(log))
}

/// What `t` waits for, if it waits.
pub fn need_of(log: &ExecutionLog, t: &ThreadInfo) -> Option<Need> {
    if t.state == ThreadState::Finished {
        return None;
    }
    let w = t.waiting.as_ref()?;
    if w.woken {
        return None;
    }
    Some(match w.kind {
        WaitKind::Lock | WaitKind::ReadLock | WaitKind::WriteLock => {
            let Some(object) = w.object else {
                return Some(Need::Anyone);
            };
            let holders = log
                .threads
                .iter()
                .filter(|u| holds_against(u, object, w.kind))
                .map(|u| u.id)
                .collect();
            Need::EachOf(holders)
        }
        WaitKind::Join => match w.thread {
            Some(joined) => Need::EachOf(vec![joined]),
            None => Need::Anyone,
        },
        _ => Need::Anyone,
    })
}

/// Whether `u` holds `object` in a way a `kind` wait must wait out. A
/// reader waits out writers only; every other lock wait, every holder.
/// Guards cannot move to another thread, so the thread that acquired a
/// lock is the one that releases it.
pub(crate) fn holds_against(u: &ThreadInfo, object: usize, kind: WaitKind) -> bool {
    u.state != ThreadState::Finished
        && u.holds
            .iter()
            .any(|h| h.object == object && !(h.shared && kind == WaitKind::ReadLock))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Held, Loc, Waiting};

    fn each(ts: &[usize]) -> Option<Need> {
        Some(Need::EachOf(ts.to_vec()))
    }

    fn any(ts: &[usize]) -> Option<Need> {
        Some(Need::AnyOf(ts.to_vec()))
    }

    #[test]
    fn a_lock_cycle_is_stuck_beside_a_running_thread() {
        assert_eq!(stuck(&[each(&[1]), each(&[0]), None]), vec![0, 1]);
    }

    #[test]
    fn a_thread_waiting_on_a_stuck_thread_is_stuck_too() {
        assert_eq!(
            stuck(&[each(&[2]), each(&[2]), each(&[3]), each(&[2]), None]),
            vec![0, 1, 2, 3]
        );
    }

    #[test]
    fn a_chain_ending_in_a_running_thread_is_not_stuck() {
        assert_eq!(stuck(&[each(&[1]), each(&[2]), None]), Vec::<usize>::new());
    }

    #[test]
    fn a_thread_waiting_for_a_lock_it_holds_is_stuck() {
        assert_eq!(stuck(&[None, each(&[1])]), vec![1]);
    }

    #[test]
    fn a_writer_is_stuck_when_one_reader_is() {
        // 0 writes, waiting out readers 1 (stuck on 0) and 2 (running).
        assert_eq!(stuck(&[each(&[1, 2]), each(&[0]), None]), vec![0, 1]);
    }

    #[test]
    fn a_lock_nobody_holds_is_no_wait() {
        assert_eq!(stuck(&[each(&[]), each(&[0])]), Vec::<usize>::new());
    }

    #[test]
    fn a_knot_is_stuck_only_when_every_waker_is() {
        // 0 and 1 each wait for a message only the other can send.
        assert_eq!(stuck(&[any(&[1]), any(&[0]), None]), vec![0, 1]);
        // 0 may also be woken by 2, which runs.
        assert_eq!(stuck(&[any(&[1, 2]), any(&[0]), None]), Vec::<usize>::new());
    }

    #[test]
    fn a_need_no_thread_can_meet_is_stuck() {
        // 0 waits for what no thread can do, 1 joins 0, 2 runs.
        assert_eq!(stuck(&[any(&[]), each(&[0]), None]), vec![0, 1]);
    }

    #[test]
    fn anyone_is_never_stuck() {
        assert_eq!(
            stuck(&[Some(Need::Anyone), each(&[0]), None]),
            Vec::<usize>::new()
        );
    }

    #[test]
    fn out_of_range_threads_are_not_stuck() {
        assert_eq!(stuck(&[each(&[7])]), Vec::<usize>::new());
    }

    fn thread(
        id: usize,
        holds: &[(usize, bool)],
        waiting: Option<(WaitKind, usize)>,
    ) -> ThreadInfo {
        let at = Loc {
            file: "t.rs",
            line: 1,
            column: 1,
        };
        ThreadInfo {
            id,
            name: format!("t{id}"),
            state: if waiting.is_some() {
                ThreadState::Blocked
            } else {
                ThreadState::Running
            },
            holds: holds
                .iter()
                .map(|&(object, shared)| Held { object, at, shared })
                .collect(),
            waiting: waiting.map(|(kind, target)| Waiting {
                kind,
                object: (kind != WaitKind::Join).then_some(target),
                thread: (kind == WaitKind::Join).then_some(target),
                at,
                woken: false,
            }),
            spawned_at: None,
            joined: false,
        }
    }

    fn log(threads: Vec<ThreadInfo>) -> ExecutionLog {
        ExecutionLog {
            threads,
            ..ExecutionLog::default()
        }
    }

    #[test]
    fn the_log_gives_lock_edges_to_holders() {
        let l = log(vec![
            thread(0, &[], None),
            thread(1, &[(10, false)], Some((WaitKind::Lock, 11))),
            thread(2, &[(11, false)], Some((WaitKind::Lock, 10))),
        ]);
        assert_eq!(stuck_threads(&l), vec![1, 2]);
    }

    #[test]
    fn a_reader_does_not_wait_for_other_readers() {
        // 1 read-holds 10 and waits for 11; 2 holds 11 and read-waits 10:
        // readers share, so 2 is not stuck, and then neither is 1.
        let l = log(vec![
            thread(0, &[], None),
            thread(1, &[(10, true)], Some((WaitKind::Lock, 11))),
            thread(2, &[(11, false)], Some((WaitKind::ReadLock, 10))),
        ]);
        assert_eq!(needs_of(&l)[2], Some(Need::EachOf(vec![])));
        assert_eq!(stuck_threads(&l), Vec::<usize>::new());
        // A writer waits for the reader.
        let l = log(vec![
            thread(0, &[], None),
            thread(1, &[(10, true)], Some((WaitKind::Lock, 11))),
            thread(2, &[(11, false)], Some((WaitKind::WriteLock, 10))),
        ]);
        assert_eq!(stuck_threads(&l), vec![1, 2]);
    }

    #[test]
    fn joins_are_edges_and_condvars_are_not() {
        let l = log(vec![
            thread(0, &[], Some((WaitKind::Join, 1))),
            thread(1, &[], Some((WaitKind::Join, 0))),
        ]);
        assert_eq!(stuck_threads(&l), vec![0, 1]);
        let l = log(vec![
            thread(0, &[(10, false)], Some((WaitKind::Condvar, 12))),
            thread(1, &[], Some((WaitKind::Lock, 10))),
            thread(2, &[], Some((WaitKind::Recv, 13))),
        ]);
        assert_eq!(needs_of(&l)[0], Some(Need::Anyone));
        assert_eq!(needs_of(&l)[2], Some(Need::Anyone));
        assert_eq!(stuck_threads(&l), Vec::<usize>::new());
    }

    #[test]
    fn at_the_end_a_wait_nothing_woke_is_stuck() {
        // 0 and 1 wait to receive, 2 waits at a barrier, 3 for `lock`
        // 10 that 2 holds, 4 joins 3, 5 runs, 6 was woken (not run yet).
        let mut woken = thread(6, &[], Some((WaitKind::Recv, 13)));
        woken.waiting.as_mut().unwrap().woken = true;
        let l = log(vec![
            thread(0, &[], Some((WaitKind::Recv, 12))),
            thread(1, &[], Some((WaitKind::Recv, 13))),
            thread(2, &[(10, false)], Some((WaitKind::Barrier, 14))),
            thread(3, &[], Some((WaitKind::Lock, 10))),
            thread(4, &[], Some((WaitKind::Join, 3))),
            thread(5, &[], None),
            woken,
        ]);
        // While it runs, none of it is certain: a running thread may send.
        assert_eq!(stuck_threads(&l), Vec::<usize>::new());
        assert_eq!(stuck_at_end(&l), vec![0, 1, 2, 3, 4]);
        assert_eq!(needs_at_end(&l)[6], None);
        // A woken lock waiter whose lock is free again is no waiter either.
        let mut t = thread(0, &[], Some((WaitKind::Lock, 10)));
        t.waiting.as_mut().unwrap().woken = true;
        assert_eq!(need_of(&log(vec![t.clone()]), &t), None);
    }

    #[test]
    fn at_the_end_a_lock_whose_holder_runs_is_no_knot() {
        let l = log(vec![
            thread(0, &[(10, false)], None),
            thread(1, &[], Some((WaitKind::Lock, 10))),
            thread(2, &[], Some((WaitKind::Condvar, 11))),
        ]);
        assert_eq!(stuck_at_end(&l), vec![2]);
    }

    #[test]
    fn a_finished_thread_is_no_holder_and_no_waiter() {
        let mut done = thread(1, &[(10, false)], Some((WaitKind::Lock, 11)));
        done.state = ThreadState::Finished;
        let l = log(vec![thread(0, &[], Some((WaitKind::Lock, 10))), done]);
        assert_eq!(needs_of(&l), vec![Some(Need::EachOf(vec![])), None]);
        assert_eq!(stuck_threads(&l), Vec::<usize>::new());
    }
}
