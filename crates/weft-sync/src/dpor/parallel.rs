//! The DPOR search split across worker threads: a shared tree of the
//! decision points that workers have published, and a queue of its
//! branches still to explore.
//!
//! ```text
//! let tree = Arc::new(Tree::with_limit(None));
//! // on each of n OS threads:
//! let mut search = Worker::new(tree.clone());
//! while search.start_execution() {
//!     // the run, as with `Explorer` (`schedule`, `choose`) ...
//!     search.end_execution();
//! }
//! // tree.is_finished(): every branch of every subtree was explored.
//! ```
//!
//! # How the tree is split
//!
//! A *work item* is a published node and one branch there (a thread, or a
//! value of a `choose`). The worker that claims it replays the path of
//! decisions from the root to the node, takes the branch, and runs the
//! sequential [`Explorer`] below it: the path's nodes are *frozen* (the
//! explorer never backtracks into them, and its search ends when it
//! would). The first worker claims the root, an empty path.
//!
//! A worker whose search goes on while another waits for work *donates*
//! between two executions ([`Explorer::donate`]): it publishes its
//! shallowest node that has branches left (and the nodes above it, so that
//! every node of a published path is published), queues those branches,
//! and freezes the node, keeping only the branch under way there.
//!
//! A race found by a worker whose first step lies in a frozen node calls
//! for a branch there ([`Reversal`]): it goes to the tree, which applies
//! the sequential rule to the node (nothing is added when one of the
//! reversal's initials is already a branch there or asleep) and queues the
//! branch it adds.
//!
//! # Why this explores what the sequential search does
//!
//! - *No execution twice.* Every branch of a published node is queued and
//!   claimed at most once (the tree keeps the node's branches, and adds a
//!   branch that is not one of them only), and a worker's explorer owns
//!   the subtree below its branch alone: two workers' executions differ at
//!   the node where their paths part.
//! - *Every trace.* Source-DPOR needs, at each node, the branches its races
//!   call for: races at a worker's own nodes are handled as in the
//!   sequential search, races at frozen nodes by the tree with the same
//!   rule and the node's branches and sleep set. The search ends only when
//!   no branch is queued and no worker holds one, so that every branch
//!   added is explored.
//! - *Sleep sets.* A branch's sleep set is its node's sleep set and the
//!   node's branches claimed before it (with what their step did), as in
//!   the sequential search, where it is those explored before it: claim
//!   order plays the part of depth-first order. It is a total order on
//!   each node's branches, so a sleeping branch always points to one
//!   claimed earlier, which is explored to its end (unless the search
//!   stops). A node's branch is claimed only once the steps of those
//!   claimed before it are known (told by their workers after the
//!   execution that ran them, the donor's branch under way included), so
//!   that its sleep set is the sequential search's. A worker that lets go
//!   of its item without telling (its executions stopped first) frees
//!   the node: a sleep set without that branch only explores more.
//! - *Races among replayed steps* were analysed by the execution that ran
//!   them first: a claimed item's first execution looks for races whose
//!   later step is its branch's step or after, as a sequential execution
//!   does from the branch it takes.
//!
//! The first failure ends the search (the driver [abandons](Tree::abandon)
//! it, and the workers stop between executions); it is exhaustive only
//! when it [finished](Tree::is_finished).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use smallvec::{smallvec, SmallVec};

use super::access::{Effects, Thread};
use super::{race, Donated, Explorer, Frozen, Nondeterminism, Reversal};

/// A node's index in the tree.
type NodeId = usize;

/// A published decision point.
#[derive(Debug)]
struct SharedNode {
    /// The node's ancestors (root first) and the decision taken at each
    /// on the way here.
    path: Vec<(NodeId, usize)>,
    values: usize,
    runnable: Vec<Thread>,
    sleep: Vec<(Thread, Effects)>,
    /// Branches claimed, in claim order, with what their step did once a
    /// worker has told.
    taken: Vec<(usize, Option<Effects>)>,
    /// Branches queued, not yet claimed.
    queued: Vec<usize>,
    /// Branches taken whose step a worker has yet to tell: the node's
    /// queued branches wait for it, so that each one's sleep set has every
    /// branch claimed before it, as in the sequential search.
    awaiting: SmallVec<[usize; 2]>,
}

impl SharedNode {
    fn has(&self, branch: usize) -> bool {
        self.taken.iter().any(|(b, _)| *b == branch) || self.queued.contains(&branch)
    }

    /// Whether a branch of it may be claimed now: every branch claimed
    /// before has its step known (a `choose`'s values have no sleep sets).
    fn ready(&self) -> bool {
        self.values > 0 || self.awaiting.is_empty()
    }
}

#[derive(Debug, Default)]
struct State {
    nodes: Vec<SharedNode>,
    queue: VecDeque<(NodeId, usize)>,
    /// Workers holding an item.
    busy: usize,
    root_claimed: bool,
    finished: bool,
}

/// The tree the workers of one parallel DPOR search share.
#[derive(Debug, Default)]
pub(crate) struct Tree {
    state: Mutex<State>,
    wake: Condvar,
    /// Workers waiting for an item (read between executions, unlocked).
    hungry: AtomicUsize,
    /// Items queued (read between executions, unlocked).
    queued: AtomicUsize,
    abandoned: AtomicBool,
    /// The most executions the workers may start together, if limited
    /// ([`Tree::with_limit`]), and how many they started.
    limit: Option<usize>,
    started: AtomicUsize,
}

/// A branch whose step the tree waits to know: its node, the branch, and
/// the node's depth on the worker's path.
type Report = (NodeId, usize, usize);

/// A claimed branch: the frozen path to replay, and the ids of its nodes.
struct Claim {
    explorer: Explorer,
    ids: Vec<NodeId>,
    /// The node and branch whose step's effects the tree wants, and the
    /// node's depth.
    report: Option<Report>,
    /// By depth on the path: the decision taken, a branch of that node.
    decisions: Vec<usize>,
}

impl Tree {
    /// A tree with nothing explored, whose workers start at most `limit`
    /// executions together (`None`: no limit). The limit is the search's,
    /// not a share of each worker's: a worker whose part of the tree ended early leaves its
    /// unused executions to the others, so that a search the limit does
    /// not stop finishes, however the tree was split.
    pub(crate) fn with_limit(limit: Option<usize>) -> Self {
        Tree {
            limit,
            ..Tree::default()
        }
    }

    /// Takes one execution of the limit: `false` when the workers have
    /// started as many as it allows.
    fn ticket(&self) -> bool {
        self.limit
            .is_none_or(|max| self.started.fetch_add(1, Relaxed) < max)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether every branch was explored (no item queued, none held).
    pub(crate) fn is_finished(&self) -> bool {
        self.lock().finished
    }

    /// Ends the search unfinished: waiting workers return, busy ones end
    /// with the item they hold.
    pub(crate) fn abandon(&self) {
        self.abandoned.store(true, Relaxed);
        let _state = self.lock();
        self.wake.notify_all();
    }

    /// Published nodes (for tests and statistics).
    #[cfg(test)]
    fn published(&self) -> usize {
        self.lock().nodes.len()
    }

    /// Whether a worker waits for an item that no queued one serves.
    fn wants_work(&self) -> bool {
        self.hungry.load(Relaxed) > self.queued.load(Relaxed)
    }

    /// Waits for an item; `None` when the search is over (finished or
    /// abandoned).
    fn claim(&self) -> Option<Claim> {
        let mut state = self.lock();
        if !state.root_claimed {
            state.root_claimed = true;
            state.busy += 1;
            return Some(Claim {
                explorer: Explorer::new(),
                ids: Vec::new(),
                report: None,
                decisions: Vec::new(),
            });
        }
        self.hungry.fetch_add(1, Relaxed);
        let claim = loop {
            if self.abandoned.load(Relaxed) || state.finished {
                break None;
            }
            // The first item whose node is ready; any, when no worker is
            // left to tell what a node waits for (it cannot be: a worker
            // tells, or forgets, before it lets go of its item).
            let ready = state
                .queue
                .iter()
                .position(|(id, _)| state.nodes[*id].ready())
                .or((state.busy == 0 && !state.queue.is_empty()).then_some(0));
            if let Some((id, branch)) = ready.and_then(|i| state.queue.remove(i)) {
                self.queued.store(state.queue.len(), Relaxed);
                state.busy += 1;
                break Some(Self::claimed(&mut state, id, branch));
            }
            if state.busy == 0 {
                state.finished = true;
                self.wake.notify_all();
                break None;
            }
            // A timeout as well: the stop flag is no notification.
            state = self
                .wake
                .wait_timeout(state, Duration::from_millis(5))
                .unwrap_or_else(|e| e.into_inner())
                .0;
        };
        self.hungry.fetch_sub(1, Relaxed);
        claim
    }

    /// Marks `branch` of node `id` claimed, and builds its explorer.
    fn claimed(state: &mut State, id: NodeId, branch: usize) -> Claim {
        let node = &mut state.nodes[id];
        node.queued.retain(|b| *b != branch);
        // Its sleep set: the node's, and the branches claimed before it
        // whose step is known (a `choose`'s values are no threads).
        let mut sleep = node.sleep.clone();
        if node.values == 0 {
            sleep.extend(
                node.taken
                    .iter()
                    .filter_map(|(t, e)| e.as_ref().map(|e| (*t, e.clone())))
                    .filter(|(_, e)| e.sleeps()),
            );
        }
        node.taken.push((branch, None));
        if node.values == 0 {
            node.awaiting.push(branch);
        }
        let node = &state.nodes[id];
        let mut path: Vec<Frozen> = node
            .path
            .iter()
            .map(|&(ancestor, chosen)| Frozen {
                chosen,
                values: state.nodes[ancestor].values,
                sleep: Vec::new(),
            })
            .collect();
        path.push(Frozen {
            chosen: branch,
            values: node.values,
            sleep,
        });
        let mut ids: Vec<NodeId> = node.path.iter().map(|(a, _)| *a).collect();
        ids.push(id);
        let depth = ids.len() - 1;
        let decisions = path.iter().map(|f| f.chosen).collect();
        Claim {
            decisions,
            explorer: Explorer::resume(path),
            ids,
            report: (node.values == 0).then_some((id, branch, depth)),
        }
    }

    /// Applies a worker's news: the steps of branches it took, reversals
    /// at frozen nodes (`ids` maps their depth to the node), donated nodes
    /// (appended to `ids`). Returns, by reversal, a thread that is now a
    /// branch of its node or asleep there (so that the same reversal is
    /// covered), if one is.
    fn publish(
        &self,
        ids: &mut Vec<NodeId>,
        reports: Vec<(NodeId, usize, Effects)>,
        reversals: &[Reversal],
        donated: Vec<Donated>,
    ) -> Vec<Option<Thread>> {
        let mut state = self.lock();
        let before = state.queue.len();
        let mut readied = false;
        for (id, branch, effects) in reports {
            let node = &mut state.nodes[id];
            if let Some(slot) = node.taken.iter_mut().find(|(b, _)| *b == branch) {
                slot.1 = Some(effects);
            }
            node.awaiting.retain(|b| *b != branch);
            readied |= node.awaiting.is_empty() && !node.queued.is_empty();
        }
        let mut covered = Vec::with_capacity(reversals.len());
        for r in reversals {
            let id = ids[r.depth];
            let node = &state.nodes[id];
            let known = |t: Thread| node.has(t) || node.sleep.iter().any(|(s, _)| *s == t);
            let covering = r.initials.iter().copied().find(|t| known(*t));
            // Spinners the node held back may start the reversal if the
            // worker found them runnable there after all.
            let extended;
            let runnable = if r.unheld.is_empty() {
                &node.runnable
            } else {
                extended = [node.runnable.as_slice(), &r.unheld].concat();
                &extended
            };
            if let Some(t) = race::reversal(runnable, &r.initials, r.later, known) {
                state.nodes[id].queued.push(t);
                state.queue.push_back((id, t));
                covered.push(Some(t));
            } else {
                covered.push(covering);
            }
        }
        for d in donated {
            let id = state.nodes.len();
            let mut path: Vec<(NodeId, usize)> = match ids.last() {
                Some(&parent) => {
                    let mut path = state.nodes[parent].path.clone();
                    path.push((parent, d.via));
                    path
                }
                None => Vec::new(),
            };
            path.shrink_to_fit();
            state.queue.extend(d.pending.iter().map(|b| (id, *b)));
            // The donor tells it after its next execution.
            let awaiting = d.untold().collect();
            state.nodes.push(SharedNode {
                path,
                values: d.values,
                runnable: d.runnable,
                sleep: d.sleep,
                taken: d.taken,
                queued: d.pending,
                awaiting,
            });
            ids.push(id);
        }
        self.queued.store(state.queue.len(), Relaxed);
        if state.queue.len() > before || readied {
            self.wake.notify_all();
        }
        covered
    }

    /// A worker let go of its item without telling these branches' steps
    /// (its executions stopped before them): their nodes wait no more, and
    /// their siblings' sleep sets leave them out (a smaller sleep set only
    /// explores more).
    fn forget(&self, reports: &[Report]) {
        let mut state = self.lock();
        for &(id, branch, _) in reports {
            state.nodes[id].awaiting.retain(|b| *b != branch);
        }
        self.wake.notify_all();
    }

    /// A worker finished its item.
    fn release(&self) {
        let mut state = self.lock();
        state.busy -= 1;
        if state.busy == 0 || !state.queue.is_empty() {
            self.wake.notify_all();
        }
    }
}

/// One worker of a parallel search: the items it claims, one after the
/// other, each explored by a sequential [`Explorer`] below its frozen path.
#[derive(Debug)]
pub(crate) struct Worker {
    tree: Arc<Tree>,
    explorer: Explorer,
    /// The item's frozen nodes, by depth; `None` when it holds no item.
    ids: Option<Vec<NodeId>>,
    /// Branches whose step the tree waits to know.
    reports: Vec<Report>,
    /// By frozen depth: threads known to be branches of that node or
    /// asleep there (the tree never drops either), so that a reversal one
    /// of them covers needs no lock.
    known: Vec<SmallVec<[Thread; 4]>>,
    /// Spinners held back by the explorers of the items done before the
    /// one under way ([`Explorer::spinners_held`]).
    held_before: usize,
    done: bool,
    /// The tree's execution limit ended the search with branches left.
    limit_hit: bool,
}

impl Worker {
    /// A worker of `tree`'s search.
    pub(crate) fn new(tree: Arc<Tree>) -> Self {
        Worker {
            tree,
            explorer: Explorer::new(),
            ids: None,
            reports: Vec::new(),
            known: Vec::new(),
            held_before: 0,
            done: false,
            limit_hit: false,
        }
    }

    /// Starts the next execution (of this item, or of the next one it
    /// claims); `false` when the search is over.
    pub(crate) fn start_execution(&mut self) -> bool {
        loop {
            if self.done {
                return false;
            }
            let Some(ids) = &mut self.ids else {
                match self.tree.claim() {
                    Some(claim) => {
                        self.held_before += self.explorer.spinners_held();
                        self.explorer = claim.explorer;
                        self.ids = Some(claim.ids);
                        self.reports.extend(claim.report);
                        self.known = claim.decisions.iter().map(|d| smallvec![*d]).collect();
                    }
                    None => self.done = true,
                }
                continue;
            };
            if self.tree.wants_work() {
                if let Some(donated) = self.explorer.donate() {
                    self.known.extend(donated.iter().map(|d| {
                        d.taken
                            .iter()
                            .map(|(b, _)| *b)
                            .chain(d.pending.iter().copied())
                            .collect()
                    }));
                    let base = ids.len();
                    let untold: Vec<(usize, usize)> = donated
                        .iter()
                        .enumerate()
                        .flat_map(|(i, d)| d.untold().map(move |b| (base + i, b)))
                        .collect();
                    self.tree.publish(ids, Vec::new(), &[], donated);
                    self.reports
                        .extend(untold.into_iter().map(|(depth, b)| (ids[depth], b, depth)));
                }
            }
            if self.explorer.start_execution() {
                if !self.tree.ticket() {
                    // A branch is left and the limit is spent: the search
                    // ends unfinished, every worker after its execution
                    // under way.
                    self.limit_hit = true;
                    self.done = true;
                    self.tree.abandon();
                    return false;
                }
                return true;
            }
            // A stopped execution's races ended the item.
            self.flush();
            self.release();
        }
    }

    /// Chooses the thread to run ([`Explorer::schedule`]).
    pub(crate) fn schedule(
        &mut self,
        runnable: &[Thread],
        current: Option<Thread>,
    ) -> Result<Thread, Nondeterminism> {
        self.explorer.schedule(runnable, current)
    }

    /// Where the engine writes the last step ([`Explorer::last_to_fill`]).
    pub(crate) fn last_to_fill(&mut self) -> Option<&mut Effects> {
        self.explorer.last_to_fill()
    }

    /// Answers a `choose` ([`Explorer::choose`]).
    pub(crate) fn choose(&mut self, values: usize) -> Result<usize, Nondeterminism> {
        self.explorer.choose(values)
    }

    /// The execution ended ([`Explorer::end_execution`]).
    pub(crate) fn end_execution(&mut self) {
        self.explorer.end_execution();
        self.flush();
        if self.explorer.is_finished() {
            self.release();
        }
    }

    /// Sends the tree what it wants to know: the claimed branch's step,
    /// the reversals at frozen nodes.
    fn flush(&mut self) {
        let known = &self.known;
        let mut reversals = self.explorer.take_outbox();
        reversals.retain(|r| {
            !known
                .get(r.depth)
                .is_some_and(|k| r.initials.iter().any(|t| k.contains(t)))
        });
        // The steps now known; the others wait for a later execution.
        let mut told = Vec::new();
        self.reports.retain(
            |&(id, branch, depth)| match self.explorer.step_effects(depth) {
                Some(effects) => {
                    told.push((id, branch, effects.clone()));
                    false
                }
                None => true,
            },
        );
        if reversals.is_empty() && told.is_empty() {
            return;
        }
        if let Some(ids) = &mut self.ids {
            let covered = self.tree.publish(ids, told, &reversals, Vec::new());
            for (r, t) in reversals.iter().zip(covered) {
                if let (Some(t), Some(k)) = (t, self.known.get_mut(r.depth)) {
                    k.push(t);
                }
            }
        }
    }

    fn release(&mut self) {
        if self.ids.take().is_some() {
            if !self.reports.is_empty() {
                self.tree.forget(&std::mem::take(&mut self.reports));
            }
            self.tree.release();
        }
    }

    /// Spinners this worker's searches held back
    /// ([`Explorer::spinners_held`]).
    pub(crate) fn spinners_held(&self) -> usize {
        self.held_before + self.explorer.spinners_held()
    }

    /// Whether this worker found the tree's execution limit spent with a
    /// branch left to explore ([`Tree::with_limit`]).
    pub(crate) fn limit_hit(&self) -> bool {
        self.limit_hit
    }

    /// Whether the whole search (every worker's) finished.
    pub(crate) fn is_finished(&self) -> bool {
        self.done && self.tree.is_finished()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::super::search::Search;
    use super::super::tests::{dpor, naive, op, run, small_programs, two_choices, Op, Outcome};
    use super::*;

    impl Tree {
        /// Makes every worker donate whenever it can, as if others always
        /// waited: the finest split, deterministic on one OS thread.
        fn always_hungry(&self) {
            self.hungry.store(usize::MAX / 2, Relaxed);
        }
    }

    /// What a parallel search found: its final states, every complete
    /// schedule it ran (one per execution), whether it finished, and
    /// whether a worker found the tree's execution limit spent.
    struct Found {
        outcomes: BTreeSet<Outcome>,
        schedules: Vec<Vec<Thread>>,
        finished: bool,
        published: usize,
        limit_hit: bool,
    }

    /// What one worker found: as [`Found`], for its executions.
    type Worked = (BTreeSet<Outcome>, Vec<Vec<Thread>>, bool, bool);

    /// Runs one worker of `tree` to its end.
    fn work(tree: &Arc<Tree>, program: &[Vec<Op>]) -> Worked {
        let mut search = Worker::new(tree.clone());
        let mut outcomes = BTreeSet::new();
        let mut schedules = Vec::new();
        while search.start_execution() {
            let mut schedule = Vec::new();
            let (outcome, last) = run(program, |r, c, e| {
                let t = if search.explorer.knows_last() {
                    search.schedule(r, c)
                } else {
                    search.explorer.schedule_after(r, c, e)
                }
                .unwrap();
                schedule.push(t);
                Some(t)
            })
            .unwrap();
            outcomes.insert(outcome);
            schedules.push(schedule);
            search.explorer.give_last(last);
            search.end_execution();
        }
        (
            outcomes,
            schedules,
            search.is_finished(),
            search.limit_hit(),
        )
    }

    /// The parallel search of `program` on `workers` OS threads.
    fn parallel(program: &[Vec<Op>], workers: usize) -> Found {
        parallel_on(&Arc::new(Tree::with_limit(None)), program, workers)
    }

    /// The search of `tree` for `program` on `workers` OS threads.
    fn parallel_on(tree: &Arc<Tree>, program: &[Vec<Op>], workers: usize) -> Found {
        let all: Vec<_> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..workers)
                .map(|_| scope.spawn(|| work(tree, program)))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let mut found = Found {
            outcomes: BTreeSet::new(),
            schedules: Vec::new(),
            finished: true,
            published: tree.published(),
            limit_hit: false,
        };
        for (outcomes, schedules, finished, limit_hit) in all {
            found.outcomes.extend(outcomes);
            found.schedules.extend(schedules);
            found.finished &= finished;
            found.limit_hit |= limit_hit;
        }
        found
    }

    /// One worker that donates at every execution (and claims back what
    /// it donated).
    fn split_finely(program: &[Vec<Op>]) -> Found {
        let tree = Arc::new(Tree::with_limit(None));
        tree.always_hungry();
        parallel_on(&tree, program, 1)
    }

    fn assert_no_schedule_twice(found: &Found) {
        let distinct: BTreeSet<&Vec<Thread>> = found.schedules.iter().collect();
        assert_eq!(
            distinct.len(),
            found.schedules.len(),
            "a schedule was explored twice: {:?}",
            found.schedules
        );
    }

    /// The sequential search's small programs, and some with a spin loop
    /// or more races.
    fn programs() -> Vec<Vec<Vec<Op>>> {
        let mut programs = small_programs();
        programs.extend([
            vec![
                vec![Op::Write(0, 1), Op::Read(0)],
                vec![Op::Read(0), Op::Write(0, 2)],
            ],
            vec![
                vec![Op::Write(0, 1), Op::Write(1, 7)],
                vec![Op::SpinUntil(0, 1), Op::Read(1)],
            ],
            vec![
                vec![Op::Add(0, 1), Op::Add(1, 1), Op::Read(2)],
                vec![Op::Add(1, 1), Op::Add(2, 1), Op::Read(0)],
                vec![Op::Add(2, 1), Op::Add(0, 1), Op::Read(1)],
                vec![Op::Read(0), Op::Read(1), Op::Read(2)],
            ],
        ]);
        programs
    }

    #[test]
    fn a_finely_split_search_reaches_the_states_of_the_sequential_one_once_each() {
        for program in programs() {
            let (sequential, _) = dpor(&program);
            let found = split_finely(&program);
            assert!(found.finished, "{program:?}");
            assert_eq!(found.outcomes, sequential, "{program:?}");
            assert_no_schedule_twice(&found);
            // Every interleaving of a spin loop is endless.
            let spins = program
                .iter()
                .flatten()
                .any(|op| matches!(op, Op::SpinUntil(..)));
            if !spins {
                let (all, naive_runs) = naive(&program);
                assert_eq!(found.outcomes, all, "{program:?}");
                assert!(found.schedules.len() <= naive_runs, "{program:?}");
            }
        }
    }

    /// A split search's sleep sets are the sequential search's: each
    /// branch's has every branch claimed before it at its node, the one
    /// under way where a node was donated included (its step, not yet run
    /// then, is told after the donor's next execution). It left that one
    /// out, and a finely split search ran 1,170 executions where the
    /// sequential one runs 1,145.
    #[test]
    fn a_finely_split_search_runs_as_many_executions_as_the_sequential_one() {
        for program in programs() {
            let (_, sequential) = dpor(&program);
            let found = split_finely(&program);
            assert_eq!(found.schedules.len(), sequential, "{program:?}");
        }
    }

    #[test]
    fn donation_publishes_the_nodes_above_the_one_split() {
        // Two racing writers and a reader: the root has branches left
        // after the first execution, so it is published and split.
        let program = vec![
            vec![Op::Write(0, 1)],
            vec![Op::Write(0, 2)],
            vec![Op::Read(0)],
        ];
        let found = split_finely(&program);
        assert!(found.published >= 1, "nothing was published");
        assert_eq!(found.outcomes, naive(&program).0);
    }

    #[test]
    fn several_threads_reach_the_states_of_the_sequential_search_once_each() {
        for workers in [2, 3, 4] {
            for program in programs() {
                let (sequential, _) = dpor(&program);
                let found = parallel(&program, workers);
                assert!(found.finished, "{workers} workers: {program:?}");
                assert_eq!(found.outcomes, sequential, "{workers} workers: {program:?}");
                assert_no_schedule_twice(&found);
            }
        }
    }

    #[test]
    fn every_value_of_a_choice_is_explored_once_across_workers() {
        let tree = Arc::new(Tree::with_limit(None));
        tree.always_hungry();
        let mut search = Search::Worker(Box::new(Worker::new(tree.clone())));
        let mut seen = two_choices(&mut search);
        seen.sort_unstable();
        assert_eq!(seen, [(0, 0), (0, 1), (1, 0), (1, 1), (2, 0), (2, 1)]);
        assert!(search.is_finished());
        assert!(tree.published() >= 1);
    }

    #[test]
    fn an_abandoned_search_is_not_finished() {
        let tree = Arc::new(Tree::with_limit(None));
        let program = vec![vec![Op::Write(0, 1)], vec![Op::Write(0, 2)]];
        let mut search = Worker::new(tree.clone());
        assert!(search.start_execution());
        let (_, last) = run(&program, |r, c, e| {
            Some(search.explorer.schedule_after(r, c, e).unwrap())
        })
        .unwrap();
        search.explorer.give_last(last);
        search.end_execution();
        tree.abandon();
        // The worker still holds the root; another finds the search over.
        let mut other = Worker::new(tree.clone());
        assert!(!other.start_execution());
        assert!(!other.is_finished());
        assert!(!tree.is_finished());
    }

    /// Three writers of one variable: many traces, whose order matters.
    fn writers() -> Vec<Vec<Op>> {
        vec![
            vec![Op::Write(0, 1), Op::Write(0, 2)],
            vec![Op::Write(0, 3), Op::Write(0, 4)],
            vec![Op::Write(0, 5)],
        ]
    }

    #[test]
    fn a_limited_search_runs_exactly_its_limit_across_workers_unfinished() {
        let (_, sequential) = dpor(&writers());
        assert!(sequential > 20, "{sequential}");
        for workers in [1, 2, 3] {
            let tree = Arc::new(Tree::with_limit(Some(20)));
            tree.always_hungry();
            let found = parallel_on(&tree, &writers(), workers);
            assert_eq!(found.schedules.len(), 20, "{workers} workers");
            assert!(found.limit_hit, "{workers} workers");
            assert!(!found.finished && !tree.is_finished(), "{workers} workers");
        }
    }

    #[test]
    fn a_limit_the_search_stays_within_is_no_bound_however_the_tree_splits() {
        // Each worker takes what it needs of the limit: a worker whose
        // part of the tree is larger than an even share still finishes.
        let (_, sequential) = dpor(&writers());
        for workers in [1, 2, 3] {
            let tree = Arc::new(Tree::with_limit(Some(sequential * 4)));
            tree.always_hungry();
            let found = parallel_on(&tree, &writers(), workers);
            let runs = found.schedules.len();
            assert!(!found.limit_hit, "{workers} workers");
            assert!(found.finished && tree.is_finished(), "{workers} workers");
            assert!(runs >= sequential, "{workers} workers: {runs}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 500,
            rng_algorithm: proptest::test_runner::RngAlgorithm::ChaCha,
            // The same programs on every run (a red run is a change, never
            // luck); no regression file.
            rng_seed: proptest::test_runner::RngSeed::Fixed(0x5eed),
            failure_persistence: None,
            ..proptest::prelude::ProptestConfig::default()
        })]

        /// Split at every execution, or on three OS threads: the states of
        /// every interleaving, and no schedule twice, on random programs;
        /// split at every execution, as many executions as the sequential
        /// search.
        #[test]
        fn split_searches_reach_exactly_the_states_of_every_interleaving(
            program in proptest::collection::vec(proptest::collection::vec(op(), 1..4), 2..4)
        ) {
            let (all, naive_runs) = naive(&program);
            let fine = split_finely(&program);
            proptest::prop_assert!(fine.finished);
            proptest::prop_assert_eq!(&fine.outcomes, &all);
            proptest::prop_assert!(fine.schedules.len() <= naive_runs);
            proptest::prop_assert_eq!(fine.schedules.len(), dpor(&program).1);
            assert_no_schedule_twice(&fine);
            let threads = parallel(&program, 3);
            proptest::prop_assert!(threads.finished);
            proptest::prop_assert_eq!(&threads.outcomes, &all);
            assert_no_schedule_twice(&threads);
        }
    }
}
