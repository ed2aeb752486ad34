//! Schedule minimization: delta debugging over a failing schedule.
//!
//! A failing execution found by a schedule search (random, PCT, DPOR) is a
//! list of decisions, most of them irrelevant to the bug. This module
//! shrinks it, first to the fewest preemptions and then to the fewest
//! steps, by replaying edited decision lists and keeping an edit when the
//! replay fails the same way (the caller decides what "the same" is: the
//! failure's kind and location). It knows nothing of any engine: the
//! caller replays a guide, which is followed where it fits the program
//! (a guided replay; where it does not fit or runs out, the running thread
//! goes on), and reports the execution that actually ran.
//!
//! The edits, on the runs of consecutive decisions of one thread (blocks):
//!
//! - **the preempted thread goes on**: at a switch from `a` to `b`, `a`'s
//!   next block moves up to just after the switch (or, if `a` never ran
//!   again, the guide ends there and `a` runs on);
//! - **the preempting thread waits**: the block of `b` moves down to just
//!   before `b`'s next block (or to the end);
//! - **a thread deferred**: one block moves to the end;
//! - **a shorter prefix**: the guide keeps only its first blocks, and the
//!   rest runs without preemptions.
//!
//! An edit is kept when the replay fails the same way with fewer
//! preemptions, or as many and fewer steps; the search restarts from it
//! and ends when no edit helps or the budget is spent.

use std::time::{Duration, Instant};

use weft_sync::explore::Decision;

/// One failing execution, as the minimizer compares them.
#[derive(Clone, Debug)]
pub(crate) struct Run<T> {
    /// Its decisions, exactly as they ran (a strict replay reruns them).
    pub(crate) decisions: Vec<Decision>,
    /// Its preemptions.
    pub(crate) preemptions: usize,
    /// Its recorded steps.
    pub(crate) steps: usize,
    /// What the caller keeps with it (the failure).
    pub(crate) payload: T,
}

impl<T> Run<T> {
    fn size(&self) -> (usize, usize) {
        (self.preemptions, self.steps)
    }
}

/// How much shrinking may cost.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Budget {
    /// Wall-clock time.
    pub(crate) time: Duration,
    /// Replayed executions.
    pub(crate) replays: usize,
}

/// Shrinking's default budget: a second, or 2,000 replays.
pub(crate) const DEFAULT_BUDGET: Budget = Budget {
    time: Duration::from_secs(1),
    replays: 2_000,
};

/// What shrinking did.
#[derive(Debug)]
pub(crate) struct Shrinking<T> {
    /// The smallest failing run found (the first one if nothing helped).
    pub(crate) best: Run<T>,
    /// Executions replayed.
    pub(crate) replays: usize,
    /// Time spent.
    pub(crate) elapsed: Duration,
    /// Whether the budget ran out before no edit helped.
    pub(crate) budget_spent: bool,
}

/// Shrinks `first` by replaying edited guides with `replay`, which returns
/// the run that actually happened if it failed the same way, `None` if it
/// passed or failed otherwise.
pub(crate) fn shrink<T>(
    first: Run<T>,
    budget: Budget,
    mut replay: impl FnMut(&[Decision]) -> Option<Run<T>>,
) -> Shrinking<T> {
    let start = Instant::now();
    let mut best = first;
    let mut replays = 0;
    let mut budget_spent = false;
    let mut tried: std::collections::HashSet<Vec<Decision>> = std::collections::HashSet::new();
    'search: loop {
        for guide in edits(&best.decisions) {
            if !tried.insert(guide.clone()) {
                continue;
            }
            if replays >= budget.replays || start.elapsed() >= budget.time {
                budget_spent = true;
                break 'search;
            }
            replays += 1;
            if let Some(run) = replay(&guide) {
                if run.size() < best.size() {
                    best = run;
                    continue 'search;
                }
            }
        }
        break;
    }
    Shrinking {
        best,
        replays,
        elapsed: start.elapsed(),
        budget_spent,
    }
}

/// A run of consecutive thread decisions of one thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Block {
    thread: usize,
    start: usize,
    len: usize,
}

fn blocks(tasks: &[usize]) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::new();
    for (i, &t) in tasks.iter().enumerate() {
        match out.last_mut() {
            Some(b) if b.thread == t => b.len += 1,
            _ => out.push(Block {
                thread: t,
                start: i,
                len: 1,
            }),
        }
    }
    out
}

/// The guides to try from `decisions`, those that remove a preemption
/// first, then shorter prefixes (shortest first).
fn edits(decisions: &[Decision]) -> Vec<Vec<Decision>> {
    let tasks: Vec<usize> = decisions
        .iter()
        .filter_map(|d| match d {
            Decision::Task(t) => Some(*t),
            Decision::Random(_) => None,
        })
        .collect();
    let randoms: Vec<Decision> = decisions
        .iter()
        .filter(|d| matches!(d, Decision::Random(_)))
        .copied()
        .collect();
    let bs = blocks(&tasks);
    let guide = |order: &[Block]| -> Vec<Decision> {
        order
            .iter()
            .flat_map(|b| tasks[b.start..b.start + b.len].iter())
            .map(|&t| Decision::Task(t))
            .chain(randoms.iter().copied())
            .collect()
    };
    let mut out = Vec::new();
    for k in 0..bs.len().saturating_sub(1) {
        let (a, b) = (bs[k].thread, bs[k + 1].thread);
        // The preempted thread goes on.
        match (k + 2..bs.len()).find(|&j| bs[j].thread == a) {
            Some(j) => {
                let mut order: Vec<Block> = bs[..=k].to_vec();
                order.push(bs[j]);
                order.extend_from_slice(&bs[k + 1..j]);
                order.extend_from_slice(&bs[j + 1..]);
                out.push(guide(&order));
            }
            None => out.push(guide(&bs[..=k])),
        }
        // The preempting thread waits.
        let mut order: Vec<Block> = bs[..=k].to_vec();
        match (k + 2..bs.len()).find(|&j| bs[j].thread == b) {
            Some(j) => {
                order.extend_from_slice(&bs[k + 2..j]);
                order.push(bs[k + 1]);
                order.extend_from_slice(&bs[j..]);
            }
            None => {
                order.extend_from_slice(&bs[k + 2..]);
                order.push(bs[k + 1]);
            }
        }
        out.push(guide(&order));
    }
    // A thread's run deferred to the end: its steps may not be needed.
    for i in 0..bs.len().saturating_sub(1) {
        let mut order: Vec<Block> = bs[..i].to_vec();
        order.extend_from_slice(&bs[i + 1..]);
        order.push(bs[i]);
        out.push(guide(&order));
    }
    for k in 1..bs.len() {
        out.push(guide(&bs[..k]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A toy program for the minimizer: threads run scripts of steps; a
    /// step is a write or a read of one shared cell. It fails when thread 1
    /// reads the cell while it holds thread 0's first write, 1 (an
    /// "atomicity violation" needing thread 1 to run between thread 0's two
    /// writes: exactly one preemption).
    #[derive(Clone, Copy)]
    enum Step {
        Write(u32),
        Read,
        Work,
    }

    fn scripts() -> Vec<Vec<Step>> {
        vec![
            vec![Step::Work, Step::Write(1), Step::Work, Step::Write(2)],
            vec![Step::Work, Step::Work, Step::Read, Step::Work],
            vec![Step::Work, Step::Work, Step::Work],
        ]
    }

    /// Runs the toy program under `guide` the way a guided replay does:
    /// the guide's thread where it can run, else the running thread, else
    /// the next thread in id order. Returns the run if it failed.
    fn run(guide: &[Decision]) -> Option<Run<()>> {
        let scripts = scripts();
        let mut pc = vec![0; scripts.len()];
        let mut cell = 0;
        let mut current: Option<usize> = None;
        let mut decisions = Vec::new();
        let mut preemptions = 0;
        let mut steps = 0;
        let mut wants = guide.iter().filter_map(|d| match d {
            Decision::Task(t) => Some(*t),
            Decision::Random(_) => None,
        });
        loop {
            let runnable: Vec<usize> = (0..scripts.len())
                .filter(|&t| pc[t] < scripts[t].len())
                .collect();
            if runnable.is_empty() {
                return None;
            }
            let chosen = match wants.next() {
                Some(t) if runnable.contains(&t) => t,
                _ => match current {
                    Some(c) if runnable.contains(&c) => c,
                    _ => {
                        let after = current.unwrap_or(0);
                        runnable
                            .iter()
                            .copied()
                            .find(|&t| t > after)
                            .unwrap_or(runnable[0])
                    }
                },
            };
            if current.is_some_and(|c| c != chosen && runnable.contains(&c)) {
                preemptions += 1;
            }
            current = Some(chosen);
            decisions.push(Decision::Task(chosen));
            steps += 1;
            match scripts[chosen][pc[chosen]] {
                Step::Write(v) => cell = v,
                Step::Read if cell == 1 => {
                    return Some(Run {
                        decisions,
                        preemptions,
                        steps,
                        payload: (),
                    })
                }
                _ => {}
            }
            pc[chosen] += 1;
        }
    }

    /// A long failing schedule with many switches, as a random scheduler
    /// finds them.
    fn noisy() -> Vec<Decision> {
        [2, 0, 1, 2, 0, 1, 2, 1, 0, 1]
            .into_iter()
            .map(Decision::Task)
            .collect()
    }

    #[test]
    fn the_toy_fails_on_the_noisy_schedule() {
        let r = run(&noisy()).expect("fails");
        assert!(r.preemptions >= 4, "{r:?}");
    }

    #[test]
    fn shrinking_finds_the_one_preemption_and_the_fewest_steps() {
        let first = run(&noisy()).expect("fails");
        let first_size = first.size();
        let s = shrink(first, DEFAULT_BUDGET, run);
        assert_eq!(s.best.preemptions, 1, "{:?}", s.best);
        // Thread 0 to its first write (2 steps), then thread 1 to its read
        // (3 steps); thread 2 never runs.
        assert_eq!(s.best.steps, 5, "{:?}", s.best);
        assert!(s.best.size() < first_size);
        assert!(!s.budget_spent);
        // The minimal run is exactly replayable from its decisions.
        let again = run(&s.best.decisions).expect("fails again");
        assert_eq!(again.decisions, s.best.decisions);
        assert_eq!(again.size(), s.best.size());
    }

    #[test]
    fn the_budget_stops_shrinking_and_says_so() {
        let first = run(&noisy()).expect("fails");
        let s = shrink(
            first,
            Budget {
                time: Duration::from_secs(1),
                replays: 1,
            },
            run,
        );
        assert_eq!(s.replays, 1);
        assert!(s.budget_spent);
    }

    #[test]
    fn a_minimal_schedule_stays_as_it_is() {
        let minimal: Vec<Decision> = [0, 0, 1, 1, 1].into_iter().map(Decision::Task).collect();
        let first = run(&minimal).expect("fails");
        assert_eq!(first.size(), (1, 5));
        let s = shrink(first, DEFAULT_BUDGET, run);
        assert_eq!(s.best.decisions, minimal);
        assert!(!s.budget_spent);
    }

    #[test]
    fn blocks_are_runs_of_one_thread() {
        assert_eq!(
            blocks(&[0, 0, 1, 0]),
            vec![
                Block {
                    thread: 0,
                    start: 0,
                    len: 2
                },
                Block {
                    thread: 1,
                    start: 2,
                    len: 1
                },
                Block {
                    thread: 0,
                    start: 3,
                    len: 1
                },
            ]
        );
    }

    #[test]
    fn random_values_are_kept_in_every_guide() {
        let d = vec![
            Decision::Task(0),
            Decision::Random(7),
            Decision::Task(1),
            Decision::Task(0),
        ];
        for guide in edits(&d) {
            assert!(guide.contains(&Decision::Random(7)), "{guide:?}");
        }
    }
}
