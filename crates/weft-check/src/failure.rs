//! A bug the model found, as a value.

use std::path::{Path, PathBuf};

use weft_sync::explore::{Backend, FailureKind, FoundBy, Race, ScheduleRecord, SchedulerKind};
use weft_sync::lockdep::LockCycle;
use weft_sync::record::{Event, ExecutionLog, Loc, ObjectInfo, ThreadInfo, ThreadState, WaitKind};

/// A failing execution: what went wrong, who was involved, and the steps
/// that led there. `Display` renders the report a person reads, and so
/// does `Debug` (what `explore(..).unwrap()` prints), as `anyhow`'s errors
/// do: a dump of the fields, the whole execution log among them, is no
/// report.
#[derive(Clone)]
pub struct Failure {
    pub(crate) model: String,
    pub(crate) backend: Backend,
    pub(crate) kind: FailureKind,
    pub(crate) message: String,
    pub(crate) thread: Option<usize>,
    pub(crate) location: Option<Loc>,
    pub(crate) race: Option<Race>,
    /// For a potential deadlock: the lock-order cycle.
    pub(crate) lock_cycle: Option<LockCycle>,
    pub(crate) log: ExecutionLog,
    pub(crate) schedule: ScheduleRecord,
    pub(crate) scheduler: SchedulerKind,
    /// Which worker found it, when several explored or under a portfolio.
    pub(crate) found_by: Option<FoundBy>,
    pub(crate) executions: usize,
    /// The executions the search would have run at most, when that is
    /// known ("execution 37 of 50,000").
    pub(crate) planned: Option<usize>,
    /// How the reported schedule was shrunk from the one first found.
    pub(crate) shrunk: Option<crate::found::Shrunk>,
    pub(crate) trace_path: Option<PathBuf>,
    /// Why the trace file could not be written, if it could not.
    pub(crate) trace_error: Option<String>,
    pub(crate) test_name: Option<String>,
    /// On loom: the load that read a stale value, if one explains it.
    pub(crate) stale_read: Option<crate::weak_memory::StaleRead>,
    /// The ordering repair hint searched for the stale read.
    pub(crate) repair: Option<crate::repair::Repair>,
    /// Found by replaying its trace (`Model::replay`, `WEFT_REPLAY`), not
    /// by a search.
    pub(crate) replayed: bool,
}

impl std::fmt::Debug for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // On its own lines after `unwrap`'s "called `Result::unwrap()` on
        // an `Err` value: ".
        write!(f, "\n{self}")
    }
}

/// How far from the end of an execution a livelock's threads are looked for.
const TAIL: usize = 200;

/// The shortest period with which the end of `steps` repeats at least three
/// times (same operation, object and source line).
/// Steps a thread may take after its loop and still be reported as looping.
const EXIT_STEPS: usize = 8;

fn tail_period(steps: &[&Event]) -> Option<usize> {
    let key = |e: &Event| (e.op.name(), e.object, e.location);
    let n = steps.len();
    (1..=64usize).find(|&period| {
        n >= 3 * period && (n - 2 * period..n).all(|i| key(steps[i]) == key(steps[i - period]))
    })
}

/// One thread of a deadlock's wait-for cycle: it holds a lock and waits for
/// something another thread of the cycle holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CycleEdge {
    /// The waiting thread's name.
    pub thread: String,
    /// The lock it holds that the previous thread of the cycle waits for,
    /// with where it acquired it (none when the cycle is made of joins).
    pub holds: Option<(String, Loc)>,
    /// What it waits for (an object's name, or a thread's for a join).
    pub waits_for: String,
    /// Where it started waiting.
    pub waits_at: Loc,
    /// The thread that holds what it waits for.
    pub held_by: String,
}

/// A thread that could not run when the execution stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockedThread {
    /// Its name.
    pub thread: String,
    /// What it waits for.
    pub kind: WaitKind,
    /// The object (or, for a join, the thread) it waits for.
    pub waits_for: String,
    /// Where it started waiting.
    pub at: Loc,
    /// The locks it holds, with where it acquired each.
    pub holds: Vec<(String, Loc)>,
}

impl Failure {
    /// What failed.
    pub fn kind(&self) -> FailureKind {
        self.kind
    }

    /// The panic message, or a one-line description of the failure.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The model's name.
    pub fn model_name(&self) -> &str {
        &self.model
    }

    /// The backend that found it.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The name of the thread that failed (panicked, raced, leaked), if one did.
    pub fn thread_name(&self) -> Option<String> {
        self.thread.map(|t| self.log.thread_name(t))
    }

    /// Where it failed, if known.
    pub fn location(&self) -> Option<Loc> {
        self.location
    }

    /// The failing execution's threads.
    pub fn threads(&self) -> &[ThreadInfo] {
        &self.log.threads
    }

    /// The failing execution's objects.
    pub fn objects(&self) -> &[ObjectInfo] {
        &self.log.objects
    }

    /// The recorded steps of the failing execution.
    pub fn steps(&self) -> &[Event] {
        &self.log.steps
    }

    /// The whole recorded execution.
    pub fn log(&self) -> &ExecutionLog {
        &self.log
    }

    /// For a potential deadlock
    /// ([`FailureKind::PotentialDeadlock`]): the cycle of the lock-order
    /// graph, each edge with its thread, locks and source lines. `None`
    /// for a failure read back from a trace file (the message has it).
    pub fn lock_cycle(&self) -> Option<&LockCycle> {
        self.lock_cycle.as_ref()
    }

    /// For a data race: the two unordered accesses.
    pub fn race(&self) -> Option<&Race> {
        self.race.as_ref()
    }

    /// The schedule that replays this failure.
    pub fn schedule(&self) -> &ScheduleRecord {
        &self.schedule
    }

    /// The scheduler that found it: under a portfolio, the strategy of
    /// the worker that did (never [`SchedulerKind::Portfolio`]).
    pub fn scheduler(&self) -> SchedulerKind {
        self.scheduler
    }

    /// When several workers explored (`Model::workers`) or under a
    /// portfolio: the worker that found the failure, its strategy and its
    /// seed, which rerun that worker's search alone
    /// (`WEFT_SCHEDULER=<scheduler> WEFT_SEED=<seed> WEFT_WORKERS=1`).
    /// `None` for a failure found by a lone worker or read from a trace.
    pub fn found_by(&self) -> Option<FoundBy> {
        self.found_by
    }

    /// Executions explored up to and including the failing one.
    pub fn executions(&self) -> usize {
        self.executions
    }

    /// The trace file written for this failure, if one was written.
    pub fn trace_path(&self) -> Option<&Path> {
        self.trace_path.as_deref()
    }

    /// The names of the threads that took at least one step.
    pub fn threads_in_steps(&self) -> Vec<String> {
        let mut seen = Vec::new();
        for e in &self.log.steps {
            if !seen.contains(&e.thread) {
                seen.push(e.thread);
            }
        }
        seen.into_iter().map(|t| self.log.thread_name(t)).collect()
    }

    /// Every thread blocked when the execution stopped, with what it waits for.
    pub fn blocked_threads(&self) -> Vec<BlockedThread> {
        self.log
            .threads
            .iter()
            .filter(|t| t.state == ThreadState::Blocked)
            .filter_map(|t| {
                let w = t.waiting.as_ref()?;
                Some(BlockedThread {
                    thread: self.log.thread_name(t.id),
                    kind: w.kind,
                    waits_for: self.wait_target_name(w.object, w.thread),
                    at: w.at,
                    holds: t
                        .holds
                        .iter()
                        .map(|h| (self.log.object_name(h.object), h.at))
                        .collect(),
                })
            })
            .collect()
    }

    fn wait_target_name(&self, object: Option<usize>, thread: Option<usize>) -> String {
        match (object, thread) {
            (Some(o), _) => self.log.object_name(o),
            (None, Some(t)) => self.log.thread_name(t),
            (None, None) => "an unpark".to_string(),
        }
    }

    /// The threads a blocked thread waits on: the holders of the lock it
    /// wants, or the thread it joins.
    fn waits_on(&self, t: &ThreadInfo) -> Vec<usize> {
        let Some(w) = &t.waiting else {
            return Vec::new();
        };
        match w.kind {
            WaitKind::Lock | WaitKind::ReadLock | WaitKind::WriteLock => {
                let Some(obj) = w.object else {
                    return Vec::new();
                };
                self.log
                    .threads
                    .iter()
                    .filter(|u| {
                        u.holds
                            .iter()
                            .any(|h| h.object == obj && !(h.shared && w.kind == WaitKind::ReadLock))
                    })
                    .map(|u| u.id)
                    .collect()
            }
            WaitKind::Join => w.thread.into_iter().collect(),
            _ => Vec::new(),
        }
    }

    /// For a deadlock: the wait-for cycle, one edge per thread, if there is one.
    pub fn deadlock_cycle(&self) -> Option<Vec<CycleEdge>> {
        let threads = &self.log.threads;
        for start in threads.iter().filter(|t| t.state == ThreadState::Blocked) {
            let mut path = vec![start.id];
            let mut current = start.id;
            loop {
                let next = self.waits_on(&threads[current]).into_iter().next();
                let Some(next) = next else { break };
                if let Some(pos) = path.iter().position(|&p| p == next) {
                    let cycle = &path[pos..];
                    return Some(self.cycle_edges(cycle));
                }
                path.push(next);
                current = next;
            }
        }
        None
    }

    fn cycle_edges(&self, cycle: &[usize]) -> Vec<CycleEdge> {
        let threads = &self.log.threads;
        (0..cycle.len())
            .map(|i| {
                let t = &threads[cycle[i]];
                let next = &threads[cycle[(i + 1) % cycle.len()]];
                let prev = &threads[cycle[(i + cycle.len() - 1) % cycle.len()]];
                let w = t.waiting.as_ref().expect("threads of a cycle wait");
                // The lock this thread holds that the previous thread waits for.
                let holds = prev
                    .waiting
                    .as_ref()
                    .and_then(|pw| pw.object)
                    .and_then(|o| t.holds.iter().find(|h| h.object == o))
                    .or_else(|| t.holds.first())
                    .map(|h| (self.log.object_name(h.object), h.at));
                CycleEdge {
                    thread: self.log.thread_name(t.id),
                    holds,
                    waits_for: self.wait_target_name(w.object, w.thread),
                    waits_at: w.at,
                    held_by: self.log.thread_name(next.id),
                }
            })
            .collect()
    }

    /// Whether a blocked thread waits on a condition variable that no running
    /// thread can notify any more: a lost wakeup.
    pub fn is_lost_wakeup(&self) -> bool {
        self.kind == FailureKind::Deadlock
            && self.deadlock_cycle().is_none()
            && self
                .blocked_threads()
                .iter()
                .any(|b| matches!(b.kind, WaitKind::Condvar | WaitKind::Park))
    }

    /// For a step-limit failure: the loop each still-running thread kept
    /// running at the end of the execution, one turn of it per thread (the
    /// thread's own steps repeat at least three times at the end), in step
    /// order. `None` when no thread's tail repeats.
    pub fn repeating_steps(&self) -> Option<Vec<&Event>> {
        let mut looped: Vec<&Event> = Vec::new();
        for thread in self.tail_threads() {
            let own: Vec<&Event> = self
                .log
                .steps
                .iter()
                .filter(|e| e.thread == thread)
                .collect();
            // The bound may fire just after a thread left its loop (loom's
            // branch bound counts every branch, including the exit path's):
            // a few steps after the repeating ones do not hide the loop.
            for end in (own.len().saturating_sub(EXIT_STEPS)..=own.len()).rev() {
                if let Some(period) = tail_period(&own[..end]) {
                    looped.extend_from_slice(&own[end - period..end]);
                    break;
                }
            }
        }
        looped.sort_by_key(|e| e.step);
        (!looped.is_empty()).then_some(looped)
    }

    /// The threads that took steps near the end of the execution.
    fn tail_threads(&self) -> Vec<usize> {
        let steps = &self.log.steps;
        let mut ids: Vec<usize> = Vec::new();
        for e in &steps[steps.len().saturating_sub(TAIL)..] {
            if !ids.contains(&e.thread) {
                ids.push(e.thread);
            }
        }
        ids.sort_unstable();
        ids
    }

    /// The names of the threads whose own steps repeat at the end.
    pub fn looping_threads(&self) -> Vec<String> {
        let mut ids: Vec<usize> = self
            .repeating_steps()
            .unwrap_or_default()
            .iter()
            .map(|e| e.thread)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids.into_iter().map(|t| self.log.thread_name(t)).collect()
    }

    /// On loom, for a failure in which a load read an older value than the
    /// newest stored before it: that stale read (see
    /// [`weak_memory`](crate::weak_memory)). Step numbers index
    /// [`Failure::steps`].
    pub fn stale_read(&self) -> Option<&crate::weak_memory::StaleRead> {
        self.stale_read.as_ref()
    }

    /// For a stale read: the ordering changes under which the model
    /// passed, searched by re-running it (see [`repair`](crate::repair)).
    /// `None` when the search did not run (`WEFT_REPAIR=off`, or no stale
    /// read); a [`Repair`](crate::repair::Repair) with no changes when it
    /// found none.
    pub fn repair(&self) -> Option<&crate::repair::Repair> {
        self.repair.as_ref()
    }

    /// The report as a string (the same as `to_string()`).
    pub fn report(&self) -> String {
        self.to_string()
    }

    /// The same failing execution, explained as another kind of failure by
    /// a checker built on the model runner: `weft::lincheck` turns the
    /// panic its model body raises on a non-linearizable history into a
    /// [`FailureKind::NotLinearizable`] whose message is the table of
    /// operations. The execution (threads, steps, schedule) stays as it
    /// was found; the panic's thread and location, which are the
    /// checker's own, are dropped. A trace file already written is
    /// rewritten with the new kind and message, so that `cargo weft show`
    /// and the HTML page say the same.
    pub fn explained_as(mut self, kind: FailureKind, message: impl Into<String>) -> Failure {
        self.kind = kind;
        self.message = message.into();
        self.thread = None;
        self.location = None;
        if let Some(dir) = self.trace_path.as_deref().and_then(Path::parent) {
            let trace = crate::trace::Trace::from_failure(&self);
            match crate::trace::write_trace(dir, &trace) {
                Ok(path) => self.trace_path = Some(path),
                Err(e) => {
                    self.trace_path = None;
                    self.trace_error = Some(e.to_string());
                }
            }
        }
        self
    }
}
