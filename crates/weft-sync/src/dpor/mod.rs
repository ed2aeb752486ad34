//! weft's own exhaustive search: source-DPOR with sleep sets (Abdulla,
//! Aronis, Jonsson and Sagonas, "Optimal dynamic partial order reduction",
//! POPL'14, Algorithm 1), over sequential consistency.
//!
//! The search is stateless: it runs the program again for every
//! execution, and keeps one node per scheduling decision of the current
//! execution. Each execution replays a prefix of the previous one and
//! then takes one new branch. After each execution, its races (two
//! conflicting steps of different threads that nothing else orders) add
//! branches at the state before the first step of each race, so that the
//! reversed order is explored too: every Mazurkiewicz trace (every
//! equivalence class of executions that differ only in the order of
//! independent steps) is explored at least once, and sleep sets skip most
//! repeats.
//!
//! This module knows nothing of the engine that runs the program: an
//! adapter hands it the runnable threads at each scheduling point and
//! what the last step did (see [`access::Effects`]), and runs the thread
//! it answers.
//!
//! ```text
//! let mut search = Explorer::new();
//! while search.start_execution() {
//!     // at each scheduling point of the run, what the last step did,
//!     // written in place (unless the search knows it: a step of the
//!     // replayed prefix):
//!     if let Some(last) = search.last_to_fill() {
//!         effects_of_last_step(last);
//!     }
//!     let next = search.schedule(&runnable, current)?;
//!     // when the run ends, the same for its last step, then:
//!     search.end_execution();
//! }
//! ```

pub(crate) mod access;
pub(crate) mod parallel;
pub(crate) mod race;
pub(crate) mod search;

use std::fmt;

use smallvec::{smallvec, SmallVec};

use access::{dependent, Effects, Key, Thread};
use race::Step;

/// A few threads, inline: a node is made at every decision of every
/// execution, and most programs have fewer than eight threads.
type Threads = SmallVec<[Thread; 8]>;

/// One scheduling decision of the current execution.
#[derive(Clone, Debug)]
struct Node {
    /// The threads that may run here: the runnable ones, less those
    /// spinning (polled twice with nothing written since), unless every
    /// runnable thread spins. A race is reversed here only through them.
    runnable: Threads,
    /// The thread this execution runs here.
    chosen: Thread,
    /// Threads to run from here (source-DPOR's backtrack set; `chosen` and
    /// `done` are in it).
    backtrack: Threads,
    /// Threads already explored from here, with what their step did.
    done: Vec<(Thread, Effects)>,
    /// Threads whose step from here is known to lead only to explored
    /// traces (sleep set), with what that step does.
    sleep: Vec<(Thread, Effects)>,
    /// A `choose(values)` of the program rather than a thread switch
    /// (0: a scheduling decision). `chosen` is then the value, every value
    /// is explored, and `tried` has those already explored.
    values: usize,
    tried: Vec<usize>,
}

impl Node {
    fn asleep(&self, t: Thread) -> bool {
        self.sleep.iter().any(|(s, _)| *s == t)
    }
}

/// The program did not do the same thing when run again with the same
/// schedule: a DPOR search needs a deterministic model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Nondeterminism {
    /// The decision (from 1) where the runs differ.
    pub(crate) decision: usize,
    /// The thread the schedule runs there.
    pub(crate) expected: Thread,
    /// The threads that could run.
    pub(crate) runnable: Vec<Thread>,
}

impl fmt::Display for Nondeterminism {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.runnable.is_empty() {
            return write!(
                f,
                "the model is not deterministic: replaying the same schedule, decision {} is a different `choose` than before (does the model read the real clock, a real random number, or state kept between executions?)",
                self.decision
            );
        }
        write!(
            f,
            "the model is not deterministic: replaying the same schedule, decision {} runs thread {}, but only threads {:?} can run (does the model read the real clock, a real random number, or state kept between executions?)",
            self.decision, self.expected, self.runnable
        )
    }
}

/// The search over the executions of one model.
#[derive(Debug, Default)]
pub(crate) struct Explorer {
    /// One node per decision of the current execution (those replayed,
    /// then those made anew).
    stack: Vec<Node>,
    /// The steps of the current execution: `steps[k]` ran after decision
    /// `k`.
    steps: Vec<Step>,
    /// The next decision of the current execution.
    position: usize,
    /// By thread: how it has been polling (see [`Poller`]).
    polls: Vec<Poller>,
    /// Whether an execution is under way.
    running: bool,
    /// Whether every branch has been explored.
    finished: bool,
    /// Executions started.
    executions: usize,
    /// The first step of the current execution that was not replayed
    /// from the previous one (races among the replayed steps were used).
    fresh: usize,
    /// The steps at the start of `steps` that the current execution
    /// replays, with what they did: the last execution recorded it, so
    /// the engine need not read the recording again ([`Explorer::knows_last`]).
    known: usize,
    /// The nodes at the bottom of the stack that belong to the shared
    /// tree of a parallel search ([`parallel`]): replayed, never
    /// backtracked into; the search ends when it would.
    frozen: usize,
    /// Race reversals whose node is frozen, for the shared tree.
    outbox: Vec<Reversal>,
    /// Threads found runnable, after the fact, at frozen nodes that held
    /// them back as spinners: (depth, thread). Reversals handed to the
    /// shared tree there may start with them.
    unheld: Vec<(usize, Thread)>,
    /// The race analysis run after each execution, with its memory (boxed:
    /// an explorer is moved into each parallel worker's share).
    analysis: Box<race::Analysis>,
    /// Times a new node held back a runnable thread as a spinner (see
    /// [`Explorer::spinners_held`]).
    held_back: usize,
}

/// A thread that may be polling without effect: how many times it polled
/// (a yield after reading shared state, an empty `try_recv`, a timed-out
/// wait, a failed `try_lock` or compare-exchange) since it last changed
/// something or another thread changed something it touched, and what it
/// touched in that time.
#[derive(Clone, Debug, Default)]
struct Poller {
    polls: u32,
    /// It accessed shared state since its last yield: its next yield is a
    /// poll. A yield with nothing read since the last one (`for _ in 0..3
    /// { yield_now() }`) waits for no value: it is a pause, and the thread
    /// is no spinner.
    looked: bool,
    keys: SmallVec<[Key; 4]>,
    /// Its last step yielded: it lets the others go first.
    yielded: bool,
    /// The decisions where it was held back as a spinner since it last
    /// ran (see [`Explorer::record_last`]).
    held: Vec<usize>,
    /// Those of them where it had polled twice only (its first turns
    /// held back): see [`Explorer::record_last`].
    held_first: Vec<usize>,
    /// The first operations of its steps since it began polling
    /// ([`Effects::first`]): a spinner's turns begin with one of them.
    turns: SmallVec<[(u32, u8); 2]>,
    /// Whether another thread's write woke it while held back, and what
    /// its turns began with then: its next step tells whether it was
    /// spinning.
    woken: bool,
    woken_turns: SmallVec<[(u32, u8); 2]>,
    /// The operation that began the last step of the turn under way (since
    /// its last poll) to begin with one: what the turn polled, where it
    /// yields after. And those of its turns that ended in a poll since it
    /// began polling: a poll counts toward spinning only where it polled
    /// as an earlier turn did (see [`Explorer::record_last`]).
    turn: Option<(u32, u8)>,
    polled_turns: SmallVec<[(u32, u8); 2]>,
}

impl Poller {
    /// It is held back as a spinner at decision `k`.
    fn hold(&mut self, k: usize) {
        self.held.push(k);
        if self.polls == 2 {
            self.held_first.push(k);
        }
    }

    /// Something it touched changed: it polls anew.
    fn wake(&mut self) {
        if !self.held.is_empty() && !self.woken {
            self.woken = true;
            self.woken_turns = std::mem::take(&mut self.turns);
        }
        self.polls = 0;
        self.looked = false;
        self.keys.clear();
        self.turns.clear();
        self.turn = None;
        self.polled_turns.clear();
    }
}

/// A branch a race calls for at a frozen node: its depth, the threads
/// that start the reversal, and the thread of the race's later step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Reversal {
    pub(crate) depth: usize,
    pub(crate) initials: Vec<Thread>,
    pub(crate) later: Thread,
    /// Threads the node held back as spinners that turned out not to be
    /// (see [`Explorer::record_last`]): runnable there after all.
    pub(crate) unheld: Vec<Thread>,
}

/// One node of a path replayed by a parallel worker: the decision taken
/// there, and what the node knows (see [`Explorer::resume`]).
#[derive(Clone, Debug)]
pub(crate) struct Frozen {
    /// The thread (or `choose` value) taken.
    pub(crate) chosen: usize,
    /// Values of a `choose` node (0: a thread switch).
    pub(crate) values: usize,
    /// Sleep set of the node's branch: only the last node's is used.
    pub(crate) sleep: Vec<(Thread, Effects)>,
}

/// A node handed to the shared tree ([`Explorer::donate`]): what it knows
/// and which of its branches are taken or still to take.
#[derive(Clone, Debug)]
pub(crate) struct Donated {
    /// The decision taken at the node above it on this path.
    pub(crate) via: usize,
    pub(crate) values: usize,
    pub(crate) runnable: Vec<Thread>,
    pub(crate) sleep: Vec<(Thread, Effects)>,
    /// Branches explored or under way here, in the order they were taken,
    /// with what their step did when known.
    pub(crate) taken: Vec<(usize, Option<Effects>)>,
    /// Branches still to explore.
    pub(crate) pending: Vec<usize>,
}

impl Donated {
    /// Its taken branches whose step has not run yet (the one under way
    /// at a node the search just moved to): the donor tells the tree what
    /// it did after its next execution, and the node's other branches wait
    /// for it. None at a `choose`, whose values have no sleep sets.
    pub(crate) fn untold(&self) -> impl Iterator<Item = usize> + '_ {
        self.taken
            .iter()
            .filter(|(_, e)| self.values == 0 && e.is_none())
            .map(|(b, _)| *b)
    }
}

impl Explorer {
    /// A search that has explored nothing yet.
    pub(crate) fn new() -> Self {
        Explorer::default()
    }

    /// Starts the next execution; `false` when every trace has been
    /// explored. Call [`Explorer::end_execution`] when it ends.
    pub(crate) fn start_execution(&mut self) -> bool {
        if self.finished {
            return false;
        }
        if self.running {
            // The last execution ended without `end_execution` (stopped):
            // what it did after its last decision is unknown, so only the
            // races among the steps seen are used.
            self.finish_execution();
            if self.finished {
                return false;
            }
        }
        self.running = true;
        self.position = 0;
        self.polls.clear();
        self.unheld.clear();
        self.executions += 1;
        true
    }

    /// A search of the subtree below a path of frozen nodes (a parallel
    /// worker's share): it replays `path`, whose last node's branch is new,
    /// and ends when it would backtrack into the path.
    pub(crate) fn resume(path: Vec<Frozen>) -> Self {
        let fresh = path.len().saturating_sub(1);
        let stack = path
            .into_iter()
            .map(|f| Node {
                runnable: Threads::new(),
                chosen: f.chosen,
                backtrack: smallvec![f.chosen],
                done: Vec::new(),
                sleep: f.sleep,
                values: f.values,
                tried: Vec::new(),
            })
            .collect::<Vec<_>>();
        Explorer {
            frozen: stack.len(),
            fresh,
            stack,
            ..Explorer::default()
        }
    }

    /// Race reversals at frozen nodes since the last call.
    pub(crate) fn take_outbox(&mut self) -> Vec<Reversal> {
        std::mem::take(&mut self.outbox)
    }

    /// What step `k` of the last execution did (if the stack still has it).
    pub(crate) fn step_effects(&self, k: usize) -> Option<&Effects> {
        self.steps.get(k).map(|s| &s.effects)
    }

    /// Between executions: hands the shallowest node with a branch left
    /// to the shared tree, with the nodes above it that are not frozen yet
    /// (in depth order), and freezes them all. This search then explores
    /// the branch under way there only. `None` when no node has a branch
    /// left (or an execution is under way).
    pub(crate) fn donate(&mut self) -> Option<Vec<Donated>> {
        if self.running || self.finished {
            return None;
        }
        let pending = |node: &Node| -> Vec<usize> {
            if node.values > 0 {
                (0..node.values)
                    .filter(|v| *v != node.chosen && !node.tried.contains(v))
                    .collect()
            } else {
                node.backtrack
                    .iter()
                    .copied()
                    .filter(|t| {
                        *t != node.chosen
                            && !node.done.iter().any(|(d, _)| d == t)
                            && !node.asleep(*t)
                    })
                    .collect()
            }
        };
        let j = (self.frozen..self.stack.len()).find(|&k| !pending(&self.stack[k]).is_empty())?;
        let donated = (self.frozen..=j)
            .map(|k| {
                let node = &self.stack[k];
                // The branch under way ran in the last execution unless it
                // is the new one at the deepest node.
                let ran = self.steps.get(k).map(|s| s.effects.clone());
                let taken = if node.values > 0 {
                    node.tried
                        .iter()
                        .map(|v| (*v, None))
                        .chain([(node.chosen, None)])
                        .collect()
                } else {
                    node.done
                        .iter()
                        .map(|(t, e)| (*t, Some(e.clone())))
                        .chain([(node.chosen, ran)])
                        .collect()
                };
                Donated {
                    via: k.checked_sub(1).map_or(0, |p| self.stack[p].chosen),
                    values: node.values,
                    runnable: node.runnable.to_vec(),
                    sleep: node.sleep.clone(),
                    taken,
                    pending: if k == j { pending(node) } else { Vec::new() },
                }
            })
            .collect();
        self.frozen = j + 1;
        Some(donated)
    }

    /// Executions started so far.
    pub(crate) fn executions(&self) -> usize {
        self.executions
    }

    /// How many times a new node held back a runnable thread it took for
    /// a spinner (it polled twice with nothing written since): that
    /// thread's further turns there were not explored. A search that
    /// finished is complete only up to this bound when it is not 0: a
    /// loop whose later turns differ on their own (counting its turns)
    /// was not run to its end before another thread's write.
    pub(crate) fn spinners_held(&self) -> usize {
        self.held_back
    }

    /// Whether every trace has been explored.
    pub(crate) fn is_finished(&self) -> bool {
        self.finished
    }

    /// Whether the search knows what the step that just ran did: a step
    /// of the replayed prefix, which did what it did in the last
    /// execution. The engine then passes `None` for it to
    /// [`Explorer::schedule`] and [`Explorer::choose`] (reading the
    /// recording again cost most of a replayed step).
    pub(crate) fn knows_last(&self) -> bool {
        self.running && self.position.checked_sub(1).is_some_and(|k| k < self.known)
    }

    /// Where the engine writes what the step that just ran did, when the
    /// search does not know it ([`Explorer::knows_last`]) and there is such
    /// a step, before it calls [`Explorer::schedule`], [`Explorer::choose`]
    /// or [`Explorer::end_execution`]. (Written in place: a step's effects
    /// are some 200 bytes, and handing them over by value copied them at
    /// every layer between the recording and the search, a measurable part
    /// of each scheduling decision.)
    pub(crate) fn last_to_fill(&mut self) -> Option<&mut Effects> {
        // (After `end_execution` the engine winds the run down: what its
        // steps do is no part of the search.)
        if !self.running || self.knows_last() {
            return None;
        }
        self.last_step_mut().map(|s| &mut s.effects)
    }

    /// Chooses the thread to run at this scheduling point. `runnable` are
    /// the threads that can run (not empty), `current` the one that ran
    /// the last step. What that step did is known, or was written through
    /// [`Explorer::last_to_fill`].
    pub(crate) fn schedule(
        &mut self,
        runnable: &[Thread],
        current: Option<Thread>,
    ) -> Result<Thread, Nondeterminism> {
        if !self.running {
            // After `end_execution`: the engine winds the run down (the
            // main thread exits). Nothing shared happens any more.
            return Ok(current
                .filter(|c| runnable.contains(c))
                .or_else(|| runnable.first().copied())
                .expect("a scheduling point has a runnable thread"));
        }
        if !self.knows_last() {
            self.note_blocked(runnable, current);
        }
        self.record_last();
        let k = self.position;
        self.position += 1;
        if let Some(node) = self.stack.get(k) {
            // Replaying the prefix (or taking the new branch at its end).
            if node.values > 0 || !runnable.contains(&node.chosen) {
                return Err(Nondeterminism {
                    decision: k + 1,
                    expected: node.chosen,
                    runnable: runnable.to_vec(),
                });
            }
            let chosen = node.chosen;
            if k >= self.known {
                self.steps.truncate(k);
                self.steps.push(Step {
                    thread: chosen,
                    effects: Effects::default(),
                });
            }
            // The spinners held back here, as when the node was made (the
            // polls are replayed with the steps), unless found runnable.
            if self.polls.iter().any(|p| p.polls >= 2) {
                let enabled = self.enabled(runnable);
                let node = &self.stack[k];
                for t in runnable.iter().filter(|t| !enabled.contains(t)) {
                    if k < self.frozen || !node.runnable.contains(t) {
                        self.polls[*t].hold(k);
                    }
                }
            }
            return Ok(chosen);
        }
        let sleep = self.inherited_sleep(k);
        // A thread that polled twice with nothing written in between is
        // spinning: it would poll the same values again and change
        // nothing, so it does not run until another thread writes, not at
        // this node and not when a race is reversed here (README,
        // Limitations). Its first poll does not count: a lone `yield_now`
        // in straight-line code is no loop. When every runnable thread
        // spins, those that polled least may run: a bounded wait loop
        // (`for _ in 0..5 { yield_now() }`) then finishes and writes while
        // a spinner waits for that write. Letting every spinner run there
        // let each race reversal add one more turn of the spinner before
        // the write, without end.
        let enabled = self.enabled(runnable);
        for t in runnable.iter().filter(|t| !enabled.contains(t)) {
            self.polls[*t].hold(k);
            self.held_back += 1;
        }
        let polls = |t: &Thread| self.polls.get(*t).map_or(0, |p| p.polls);
        let polling = |t: &Thread| polls(t) >= 2;
        let mut awake: Threads = enabled
            .iter()
            .copied()
            .filter(|t| !sleep.iter().any(|(s, _)| s == t))
            .collect();
        // A spinning thread waits for another thread's write. When every
        // awake thread spins, the sleeping ones are the only ones that
        // can write: they run again. The execution then repeats an order
        // already explored, but it ends, where running the spinners alone
        // would reach the step limit, a livelock of the search's making.
        if !awake.is_empty() && awake.iter().all(polling) && awake.len() < enabled.len() {
            awake = enabled.clone();
        }
        // Keep running the current thread when it may: fewer context
        // switches, the schedule a person expects first. A thread that has
        // just polled goes last, and among threads that all poll, the one
        // that polled least goes first: a bounded wait loop (`for _ in
        // 0..5 { yield_now() }`) finishes and writes while a spinner
        // waits for that write, instead of the spinner being picked again
        // and again until the step limit (a livelock no fair scheduler
        // would produce).
        // And a thread whose last step yielded lets the others go first,
        // as `yield_now` asks, even when its loop does not count as a poll
        // (it changes something every turn): the first execution is then
        // not one thread looping to the step limit while the one it waits
        // for could run.
        let yielded = |t: &Thread| self.polls.get(*t).is_some_and(|p| p.yielded);
        // (The pool is a filter, not a collection: this runs at every new
        // node.)
        let pick = |candidates: &[Thread]| -> Option<Thread> {
            let least = candidates.iter().map(polls).min()?;
            let least_polled = |t: &Thread| polls(t) == least;
            let any_eager = candidates.iter().any(|t| least_polled(t) && !yielded(t));
            let in_pool = |t: &Thread| least_polled(t) && !(any_eager && yielded(t));
            current
                .filter(|c| candidates.contains(c) && in_pool(c))
                .or_else(|| candidates.iter().copied().find(in_pool))
        };
        let chosen = match pick(&awake) {
            Some(t) => t,
            None => {
                // Every enabled thread sleeps: whatever runs next repeats
                // an explored trace. The run goes on (the engine cannot
                // drop it midway).
                pick(&enabled).expect("a scheduling point has a runnable thread")
            }
        };
        self.stack.push(Node {
            runnable: enabled,
            chosen,
            backtrack: smallvec![chosen],
            done: Vec::new(),
            sleep,
            values: 0,
            tried: Vec::new(),
        });
        self.steps.push(Step {
            thread: chosen,
            effects: Effects::default(),
        });
        Ok(chosen)
    }

    /// Answers the program's `choose(values)` (`values` > 1): every value
    /// is explored, each in its own executions. What the running thread
    /// did since the last decision is known or was written, as for
    /// [`Explorer::schedule`].
    pub(crate) fn choose(&mut self, values: usize) -> Result<usize, Nondeterminism> {
        if !self.running {
            return Ok(0);
        }
        self.record_last();
        let k = self.position;
        self.position += 1;
        // The running thread goes on after the choice: its step is split.
        let thread = k
            .checked_sub(1)
            .and_then(|p| self.steps.get(p))
            .map_or(0, |s| s.thread);
        let chosen = match self.stack.get(k) {
            Some(node) if node.values == values => node.chosen,
            Some(node) => {
                return Err(Nondeterminism {
                    decision: k + 1,
                    expected: node.chosen,
                    runnable: Vec::new(),
                })
            }
            None => {
                let sleep = self.inherited_sleep(k);
                self.stack.push(Node {
                    runnable: Threads::new(),
                    chosen: 0,
                    backtrack: Threads::new(),
                    done: Vec::new(),
                    sleep,
                    values,
                    tried: Vec::new(),
                });
                0
            }
        };
        if k >= self.known {
            self.steps.truncate(k);
            self.steps.push(Step {
                thread,
                effects: Effects::default(),
            });
        }
        Ok(chosen)
    }

    /// The execution ended; what its last step did is known or was
    /// written, as for [`Explorer::schedule`].
    pub(crate) fn end_execution(&mut self) {
        if !self.running {
            return;
        }
        self.record_last();
        self.finish_execution();
    }

    /// A step that did nothing and left its thread unable to run was an
    /// attempt that blocked: the engine ran the thread at the scheduling
    /// point that begins a lock's acquisition (or a join) before it knew
    /// the lock was held (see `Effects::block`). (Noting it twice changes
    /// nothing: a noted step did something.)
    fn note_blocked(&mut self, runnable: &[Thread], current: Option<Thread>) {
        if current.is_some_and(|c| !runnable.contains(&c)) {
            if let Some(step) = self.last_step_mut() {
                let last = &mut step.effects;
                if last.accesses.is_empty() && last.spawned.is_empty() {
                    last.block();
                }
            }
        }
    }

    /// Stores `last` as what the step after the previous decision did,
    /// even where the search knows it (tests hand it over by value; the
    /// engine writes it in place: [`Explorer::last_to_fill`]).
    #[cfg(test)]
    pub(crate) fn give_last(&mut self, last: Effects) {
        if self.running {
            if let Some(step) = self.last_step_mut() {
                step.effects = last;
            }
        }
    }

    /// What the step after the previous decision did, handed over by value
    /// (the engine writes it in place: [`Explorer::last_to_fill`]), even
    /// where the search knows it; then [`Explorer::schedule`].
    #[cfg(test)]
    pub(crate) fn schedule_after(
        &mut self,
        runnable: &[Thread],
        current: Option<Thread>,
        last: Effects,
    ) -> Result<Thread, Nondeterminism> {
        if self.running {
            self.give_last(last);
            self.note_blocked(runnable, current);
        }
        self.schedule(runnable, current)
    }

    /// The step after the previous decision, if there is one.
    fn last_step_mut(&mut self) -> Option<&mut Step> {
        let k = self.position.checked_sub(1)?;
        self.steps.get_mut(k)
    }

    /// Follows the threads' polling with what the step after the previous
    /// decision did.
    fn record_last(&mut self) {
        let Some(k) = self.position.checked_sub(1) else {
            return;
        };
        let Some(step) = self.steps.get(k) else {
            return;
        };
        let me = step.thread;
        let last = &self.steps[k].effects;
        // A change wakes every other poller that touched what it changed
        // (it may see something new), and ends the writer's own polling
        // unless all it changed was a lock: a `try_recv` loop takes the
        // channel's lock and gives it back at every turn, and is still a
        // poll. (Another thread's lock release does wake a `try_lock`
        // loop on that lock.)
        if self.polls.len() <= me {
            self.polls.resize_with(me + 1, Poller::default);
        }
        let mut own_change = false;
        for key in last.changed() {
            own_change |= !matches!(key, Key::Lock(_));
            for (t, p) in self.polls.iter_mut().enumerate() {
                if t != me && p.keys.contains(&key) {
                    p.wake();
                }
            }
        }
        let poller = &mut self.polls[me];
        // Whether a thread held back as a spinner was one shows when it
        // runs at last. Straight-line code that polled twice (two failed
        // compare-exchanges in a row) moves on: it changes something, or
        // touches what its polls did not, with nothing it polled written
        // meanwhile; or, woken by a write to something it polled, its
        // next step begins otherwise than its polls did. It would have
        // done the same where it was held back, so it is runnable there
        // after all, and races reverse through it. A spinner polls again:
        // held back, it would have polled the same values; woken, it
        // begins its next turn as it began the others (where it was held
        // back it would have seen the old values).
        let unheld = if poller.held.is_empty() {
            Vec::new()
        } else if !poller.woken {
            let moved_on = own_change
                || !last.spawned.is_empty()
                || last.accesses.iter().any(|a| !poller.keys.contains(&a.key));
            if moved_on {
                poller.held_first.clear();
                std::mem::take(&mut poller.held)
            } else {
                Vec::new()
            }
        } else if last.first.is_none() && last.spawned.is_empty() {
            // A yield, or a step that did nothing on an object: undecided
            // yet.
            Vec::new()
        } else {
            // (Turns that began with no operation on an object tell
            // nothing: the thread is taken for a spinner, as before.)
            let spun = poller.woken_turns.is_empty()
                || last.first.is_some_and(|f| poller.woken_turns.contains(&f));
            poller.woken = false;
            poller.woken_turns.clear();
            let held = std::mem::take(&mut poller.held);
            let first = std::mem::take(&mut poller.held_first);
            // Even a spinner runs one more turn where its first turns were
            // held back: a poll repeated in straight-line code (three
            // failed compare-exchanges, the third run after the write)
            // looks like a spinner. A turn more each time would be
            // endless: a turn run there is no first turn.
            if spun {
                first
            } else {
                held
            }
        };
        if own_change {
            poller.wake();
        }
        if let Some(f) = last.first {
            if !poller.turns.contains(&f) {
                poller.turns.push(f);
            }
        }
        if last.first.is_some() {
            poller.turn = last.first;
        }
        for a in &last.accesses {
            poller.looked = true;
            if !poller.keys.contains(&a.key) {
                poller.keys.push(a.key);
            }
        }
        if last.yielded && poller.looked {
            poller.looked = false;
            // A loop's turns poll alike: a poll of what no earlier polling
            // turn polled is straight-line code polling something else (a
            // failed compare-exchange, then a failed `try_lock`), and its
            // count starts again. Counted as a loop, the thread was held
            // back as a spinner after two such polls, and the states where
            // it went on first were lost (`tests/dpor_soundness.rs` at
            // `PROPTEST_RNG_SEED=29`). What the turn polled is its last
            // operation, not its first: a loop's first turn often begins
            // with the code before the loop (`let tail = tail.load();
            // while tail - head.load() == N { yield_now() }`). A turn with
            // no operation on an object counts, as before.
            let turn = poller.turn.take();
            let repeated = turn.is_none_or(|t| poller.polled_turns.contains(&t));
            poller.polls = if repeated { poller.polls + 1 } else { 1 };
            if let Some(t) = turn.filter(|t| !poller.polled_turns.contains(t)) {
                poller.polled_turns.push(t);
            }
        }
        poller.yielded = last.yielded;
        for k in unheld {
            if k < self.frozen {
                self.unheld.push((k, me));
            } else if let Some(node) = self.stack.get_mut(k) {
                if !node.runnable.contains(&me) {
                    node.runnable.push(me);
                }
            }
        }
    }

    /// The runnable threads the search may run at a new node: all but the
    /// spinners, or those that polled least when every one spins (see
    /// [`Explorer::schedule`]).
    fn enabled(&self, runnable: &[Thread]) -> Threads {
        let polls = |t: &Thread| self.polls.get(*t).map_or(0, |p| p.polls);
        let polling = |t: &Thread| polls(t) >= 2;
        if runnable.iter().all(polling) {
            let least = runnable.iter().map(polls).min().unwrap_or(0);
            runnable
                .iter()
                .copied()
                .filter(|t| polls(t) == least)
                .collect()
        } else {
            runnable.iter().copied().filter(|t| !polling(t)).collect()
        }
    }

    /// The sleep set of a new node at decision `k`: the parent's sleepers
    /// and explored siblings whose step does not conflict with the step
    /// the parent ran.
    fn inherited_sleep(&self, k: usize) -> Vec<(Thread, Effects)> {
        let Some(parent) = k.checked_sub(1).and_then(|p| self.stack.get(p)) else {
            return Vec::new();
        };
        let ran = &self.steps[k - 1];
        parent
            .sleep
            .iter()
            .chain(parent.done.iter().filter(|(_, e)| e.sleeps()))
            .filter(|(t, e)| *t != ran.thread && !dependent(&e.accesses, &ran.effects.accesses))
            .cloned()
            .collect()
    }

    /// Adds the branches the execution's races call for, and moves to the
    /// deepest node with a branch left.
    fn finish_execution(&mut self) {
        self.running = false;
        self.known = 0;
        if self.position < self.frozen {
            // Stopped inside the shared path: nothing new was seen.
            return;
        }
        let depth = self.position.min(self.stack.len());
        self.stack.truncate(depth);
        self.steps.truncate(depth);
        for r in self.analysis.races_from(&self.steps, self.fresh) {
            // A race with the part of a step after a `choose` is reversed
            // where that step began: a thread switch can happen there only.
            let Some(first) = (0..=r.first).rev().find(|&f| self.stack[f].values == 0) else {
                continue;
            };
            let later = self.steps[r.later].thread;
            if first < self.frozen {
                // The shared tree owns that node.
                let unheld = self
                    .unheld
                    .iter()
                    .filter(|(d, _)| *d == first)
                    .map(|(_, t)| *t)
                    .collect();
                self.outbox.push(Reversal {
                    depth: first,
                    initials: r.initials,
                    later,
                    unheld,
                });
                continue;
            }
            let node = &mut self.stack[first];
            let known = |t: Thread| node.backtrack.contains(&t) || node.asleep(t);
            if let Some(t) = race::reversal(&node.runnable, &r.initials, later, known) {
                node.backtrack.push(t);
            }
        }
        while let Some(k) = self
            .stack
            .len()
            .checked_sub(1)
            .filter(|&k| k >= self.frozen)
        {
            let node = &mut self.stack[k];
            if node.values > 0 {
                node.tried.push(node.chosen);
                if let Some(v) = (0..node.values).find(|v| !node.tried.contains(v)) {
                    node.chosen = v;
                    self.steps.truncate(k);
                    self.fresh = k;
                    self.known = k;
                    return;
                }
                // (Dropped in place: `pop` would move the node out first.)
                self.stack.truncate(k);
                self.steps.truncate(k);
                continue;
            }
            let ran = std::mem::take(&mut self.steps[k].effects);
            node.done.push((node.chosen, ran));
            let next = node
                .backtrack
                .iter()
                .copied()
                .find(|t| !node.done.iter().any(|(d, _)| d == t) && !node.asleep(*t));
            if let Some(t) = next {
                node.chosen = t;
                self.steps.truncate(k);
                self.fresh = k;
                self.known = k;
                return;
            }
            self.stack.truncate(k);
            self.steps.truncate(k);
        }
        self.finished = true;
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::access::{Access, Key};
    use super::search::Search;
    use super::*;

    /// A tiny program: each thread runs a list of operations on shared
    /// integers; `Op::Write(x, v)` writes, `Op::Read(x)` reads into the
    /// thread's local log.
    #[derive(Clone, Copy, Debug)]
    pub(super) enum Op {
        Write(usize, i64),
        Read(usize),
        Add(usize, i64),
        /// `yield_now` in straight-line code.
        Yield,
        /// `while x != v { yield_now() }`: one turn per step.
        SpinUntil(usize, i64),
        /// A poll of `x` that finds nothing (a failed compare-exchange),
        /// in straight-line code: the thread goes on after it.
        Poll(usize),
    }

    /// Runs one execution of `program` under `choose`, returning its final
    /// state: the shared values and each thread's reads.
    pub(super) fn run(
        program: &[Vec<Op>],
        mut choose: impl FnMut(&[Thread], Option<Thread>, Effects) -> Option<Thread>,
    ) -> Option<(Outcome, Effects)> {
        let mut shared = vec![0i64; 4];
        let mut pc = vec![0usize; program.len()];
        let mut reads = vec![Vec::new(); program.len()];
        let mut last = Effects::default();
        let mut current = None;
        loop {
            let runnable: Vec<Thread> = (0..program.len())
                .filter(|&t| pc[t] < program[t].len())
                .collect();
            if runnable.is_empty() {
                break;
            }
            let t = choose(&runnable, current, std::mem::take(&mut last))?;
            current = Some(t);
            let (key, write) = match program[t][pc[t]] {
                Op::Yield => {
                    last.yielded = true;
                    pc[t] += 1;
                    continue;
                }
                Op::SpinUntil(x, v) => {
                    last.first = Some((access::id(x), 0));
                    last.accesses.push(Access {
                        key: Key::Object(access::id(x)),
                        write: false,
                        lock: None,
                    });
                    if shared[x] == v {
                        pc[t] += 1;
                    } else {
                        last.yielded = true;
                    }
                    continue;
                }
                Op::Poll(x) => {
                    last.first = Some((access::id(x), 1));
                    let key = Key::Object(access::id(x));
                    last.accesses.push(Access {
                        key,
                        write: true,
                        lock: None,
                    });
                    last.idle.push(key);
                    last.yielded = true;
                    pc[t] += 1;
                    continue;
                }
                Op::Write(x, v) => {
                    shared[x] = v;
                    (x, true)
                }
                Op::Read(x) => {
                    reads[t].push(shared[x]);
                    (x, false)
                }
                Op::Add(x, v) => {
                    shared[x] += v;
                    (x, true)
                }
            };
            last.first = Some((access::id(key), 2 + u8::from(write)));
            last.accesses.push(Access {
                key: Key::Object(access::id(key)),
                write,
                lock: None,
            });
            pc[t] += 1;
        }
        Some(((shared, reads), last))
    }

    pub(super) type Outcome = (Vec<i64>, Vec<Vec<i64>>);

    /// What [`explore`] saw of a whole search.
    pub(super) struct Explored {
        pub(super) outcomes: BTreeSet<Outcome>,
        /// Every execution's decisions, in the order they ran.
        pub(super) schedules: Vec<Vec<Thread>>,
        /// The steps whose effects the search knew already
        /// ([`Explorer::knows_last`]).
        pub(super) known: usize,
    }

    /// The whole search of `program`, driven as the engine drives it: each
    /// step's effects are handed to the search unless it knows them, or
    /// `always`. Every execution must end within `max_steps` scheduling
    /// decisions: a spin loop the search keeps choosing is a livelock of
    /// the search's own making.
    pub(super) fn explore(program: &[Vec<Op>], max_steps: usize, always: bool) -> Explored {
        let mut search = Explorer::new();
        let mut explored = Explored {
            outcomes: BTreeSet::new(),
            schedules: Vec::new(),
            known: 0,
        };
        while search.start_execution() {
            let mut decisions = Vec::new();
            let (outcome, last) = run(program, |r, c, e| {
                let knows = search.knows_last();
                explored.known += usize::from(knows);
                let t = if always || !knows {
                    search.schedule_after(r, c, e)
                } else {
                    search.schedule(r, c)
                }
                .unwrap();
                decisions.push(t);
                assert!(
                    decisions.len() <= max_steps,
                    "execution {} ran over {max_steps} steps: {decisions:?}",
                    search.executions()
                );
                Some(t)
            })
            .unwrap();
            explored.outcomes.insert(outcome);
            explored.schedules.push(decisions);
            search.give_last(last);
            search.end_execution();
        }
        explored
    }

    /// The final states the search reaches, and its executions.
    pub(super) fn dpor(program: &[Vec<Op>]) -> (BTreeSet<Outcome>, usize) {
        dpor_within(program, usize::MAX)
    }

    /// Every interleaving, enumerated without any reduction: a
    /// depth-first walk over the decision sequences.
    pub(super) fn naive(program: &[Vec<Op>]) -> (BTreeSet<Outcome>, usize) {
        let mut outcomes = BTreeSet::new();
        let mut count = 0;
        let mut prefix: Vec<usize> = Vec::new();
        loop {
            let mut trail: Vec<(usize, usize)> = Vec::new();
            let (outcome, _) = run(program, |r, _, _| {
                let pick = prefix.get(trail.len()).copied().unwrap_or(0);
                trail.push((pick, r.len()));
                Some(r[pick])
            })
            .unwrap();
            outcomes.insert(outcome);
            count += 1;
            // The next sequence: the last decision with an untried option,
            // taken one further.
            loop {
                match trail.pop() {
                    Some((pick, n)) if pick + 1 < n => {
                        prefix = trail.iter().map(|(p, _)| *p).collect();
                        prefix.push(pick + 1);
                        break;
                    }
                    Some(_) => {}
                    None => return (outcomes, count),
                }
            }
        }
    }

    /// Like [`dpor`], but every execution must end within `max_steps`
    /// scheduling decisions (see [`explore`]).
    fn dpor_within(program: &[Vec<Op>], max_steps: usize) -> (BTreeSet<Outcome>, usize) {
        let explored = explore(program, max_steps, false);
        let executions = explored.schedules.len();
        (explored.outcomes, executions)
    }

    #[test]
    fn a_bounded_yield_loop_beside_a_spinner_ends() {
        // 0 yields five times, then writes what 1 spins on.
        let mut waiter = vec![Op::Yield; 5];
        waiter.push(Op::Write(0, 1));
        let program = vec![waiter, vec![Op::SpinUntil(0, 1)]];
        let (outcomes, _) = dpor_within(&program, 200);
        assert_eq!(outcomes, naive_within(&program, 40));
        // And with a third thread whose step the sleep set keeps asleep.
        let mut waiter = vec![Op::Yield; 3];
        waiter.push(Op::Write(1, 1));
        waiter.push(Op::Write(0, 1));
        let program = vec![waiter, vec![Op::SpinUntil(0, 1)], vec![Op::Read(1)]];
        let (outcomes, _) = dpor_within(&program, 200);
        assert_eq!(outcomes, naive_within(&program, 30));
    }

    #[test]
    fn straight_line_polls_are_no_spin_loop() {
        // 0 polls twice, then writes what 1 reads: held back as a spinner
        // after its second poll, it writes after 1's read in the first
        // execution, and is runnable before that read after all.
        let program = vec![
            vec![Op::Poll(0), Op::Poll(0), Op::Write(1, 1)],
            vec![Op::Read(1), Op::Write(2, 1)],
        ];
        let (outcomes, _) = dpor(&program);
        assert_eq!(outcomes, naive(&program).0);
        // Woken by 1's write of what it polled second, 0 goes on without
        // polling it again: no spinner either, and its write can still
        // come before 1's read.
        let program = vec![
            vec![Op::Poll(0), Op::Poll(1), Op::Write(2, 1)],
            vec![Op::Read(2), Op::Write(1, 1)],
        ];
        let (outcomes, _) = dpor(&program);
        assert_eq!(outcomes, naive(&program).0);
        assert_eq!(outcomes.len(), 2);
    }

    /// The outcomes of every interleaving in which no thread spins more
    /// than `spins` turns in a row... (bounded so that the naive walk ends).
    fn naive_within(program: &[Vec<Op>], max_steps: usize) -> BTreeSet<Outcome> {
        let mut outcomes = BTreeSet::new();
        let mut prefix: Vec<usize> = Vec::new();
        loop {
            let mut trail: Vec<(usize, usize)> = Vec::new();
            let done = run(program, |r, _, _| {
                if trail.len() >= max_steps {
                    return None;
                }
                let pick = prefix.get(trail.len()).copied().unwrap_or(0);
                trail.push((pick, r.len()));
                Some(r[pick])
            });
            if let Some((outcome, _)) = done {
                outcomes.insert(outcome);
            }
            loop {
                match trail.pop() {
                    Some((pick, n)) if pick + 1 < n => {
                        prefix = trail.iter().map(|(p, _)| *p).collect();
                        prefix.push(pick + 1);
                        break;
                    }
                    Some(_) => {}
                    None => return outcomes,
                }
            }
        }
    }

    /// Drives `search` to its end over a one-thread program that makes two
    /// choices, of 3 and of 2 values, between two scheduling points; returns
    /// the values each execution got, in the order the executions ran.
    pub(super) fn two_choices(search: &mut Search) -> Vec<(usize, usize)> {
        let mut seen = Vec::new();
        while search.start_execution() {
            assert_eq!(search.schedule(&[0], None), Ok(0));
            let a = search.choose(3).unwrap();
            let b = search.choose(2).unwrap();
            assert_eq!(search.schedule(&[0], Some(0)), Ok(0));
            seen.push((a, b));
            search.end_execution();
        }
        seen
    }

    #[test]
    fn every_value_of_a_choice_is_explored_between_thread_switches() {
        let mut search = Search::alone(None);
        let runs = two_choices(&mut search);
        // One execution each (a pair a run).
        assert_eq!(runs.len(), 6);
        let seen: BTreeSet<_> = runs.into_iter().collect();
        assert_eq!(seen.len(), 6);
    }

    #[test]
    fn a_replayed_step_is_not_read_again_and_the_search_is_the_same() {
        // Spinners, polls and conflicts: the stored effects drive the
        // pollers and the races of the replayed prefix.
        let programs = [
            vec![
                vec![Op::Write(0, 1), Op::Read(1), Op::Add(2, 1)],
                vec![Op::SpinUntil(0, 1), Op::Write(1, 2)],
                vec![Op::Poll(2), Op::Poll(2), Op::Read(0)],
            ],
            vec![
                vec![Op::Yield, Op::Write(0, 1), Op::Write(0, 2)],
                vec![Op::Read(0), Op::Poll(0), Op::Add(1, 1)],
            ],
        ];
        for program in &programs {
            let read_always = explore(program, 64, true).schedules;
            let read_once = explore(program, 64, false);
            assert!(read_always.len() > 2, "{read_always:?}");
            assert_eq!(read_once.schedules, read_always);
            assert!(read_once.known > 0, "no replayed step was known");
        }
    }

    #[test]
    fn independent_threads_run_once() {
        let program = vec![vec![Op::Write(0, 1)], vec![Op::Write(1, 1)]];
        let (outcomes, executions) = dpor(&program);
        assert_eq!(executions, 1);
        assert_eq!(outcomes.len(), 1);
    }

    #[test]
    fn two_writers_of_one_variable_run_both_orders() {
        let program = vec![vec![Op::Write(0, 1)], vec![Op::Write(0, 2)]];
        let (outcomes, executions) = dpor(&program);
        assert_eq!(executions, 2);
        let finals: BTreeSet<i64> = outcomes.iter().map(|(s, _)| s[0]).collect();
        assert_eq!(finals, [1, 2].into_iter().collect());
    }

    #[test]
    fn loom_392_store_then_load_against_a_conditional_store() {
        // a: s = 1; r = s.   b: if s == 1 { s = 2 } (as read then write).
        // `a` reading 2 needs b's read and write between a's two steps.
        let program = vec![
            vec![Op::Write(0, 1), Op::Read(0)],
            vec![Op::Read(0), Op::Write(0, 2)],
        ];
        let (dpor_outcomes, dpor_runs) = dpor(&program);
        let (naive_outcomes, naive_runs) = naive(&program);
        assert_eq!(dpor_outcomes, naive_outcomes);
        assert!(dpor_runs <= naive_runs, "{dpor_runs} > {naive_runs}");
    }

    #[test]
    fn a_lone_yield_in_straight_line_code_does_not_hide_what_follows() {
        // The reader must see the yielder's write in some execution: one
        // poll is no spin loop.
        let program = vec![vec![Op::Yield, Op::Write(0, 1)], vec![Op::Read(0)]];
        let (found, _) = dpor(&program);
        let (all, _) = naive(&program);
        assert_eq!(found, all);
        assert_eq!(found.len(), 2);
    }

    #[test]
    fn a_spin_loop_is_explored_to_the_end_with_every_outcome() {
        // Thread 1 spins until thread 0 set the flag, then reads the data
        // thread 0 wrote before it (or not: thread 0 writes data after the
        // flag in the broken order). Without the spin rule the search
        // would run one more turn of the loop per execution forever.
        let program = vec![
            vec![Op::Write(0, 1), Op::Write(1, 7)],
            vec![Op::SpinUntil(0, 1), Op::Read(1)],
        ];
        let (found, executions) = dpor(&program);
        let reads: BTreeSet<i64> = found.iter().map(|(_, r)| r[1][0]).collect();
        assert_eq!(reads, BTreeSet::from([0, 7]));
        assert!(executions <= 10, "{executions} executions");
    }

    /// Small programs of two and three threads over shared cells (also
    /// the first of `parallel`'s test programs).
    pub(super) fn small_programs() -> Vec<Vec<Vec<Op>>> {
        vec![
            vec![
                vec![Op::Add(0, 1), Op::Read(0)],
                vec![Op::Add(0, 1), Op::Read(0)],
                vec![Op::Read(0)],
            ],
            vec![
                vec![Op::Write(0, 1), Op::Read(1)],
                vec![Op::Write(1, 1), Op::Read(0)],
            ],
            vec![
                vec![Op::Write(0, 1), Op::Write(1, 1)],
                vec![Op::Read(1), Op::Read(0)],
                vec![Op::Write(0, 2)],
            ],
        ]
    }

    #[test]
    fn matches_the_naive_enumeration_on_small_programs() {
        for program in small_programs() {
            let (d, dn) = dpor(&program);
            let (n, nn) = naive(&program);
            assert_eq!(d, n, "{program:?}");
            assert!(dn <= nn, "{program:?}: {dn} > {nn}");
        }
    }

    pub(super) fn op() -> impl proptest::strategy::Strategy<Value = Op> {
        use proptest::prelude::*;
        prop_oneof![
            (0..3usize, 1..3i64).prop_map(|(x, v)| Op::Write(x, v)),
            (0..3usize).prop_map(Op::Read),
            (0..3usize, 1..3i64).prop_map(|(x, v)| Op::Add(x, v)),
        ]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        /// The same final states as every interleaving, and never more
        /// executions, on random programs of 2 or 3 threads.
        #[test]
        fn reaches_exactly_the_states_of_every_interleaving(
            program in proptest::collection::vec(proptest::collection::vec(op(), 1..4), 2..4)
        ) {
            let (d, dn) = dpor(&program);
            let (n, nn) = naive(&program);
            proptest::prop_assert_eq!(&d, &n);
            proptest::prop_assert!(dn <= nn, "{} > {}", dn, nn);
        }
    }
}
