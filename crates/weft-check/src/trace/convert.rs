//! A [`Failure`] to a [`Trace`] and back.

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock, PoisonError};

use weft_sync::explore::{Access, FailureKind, Race, ReplayPlan, ScheduleRecord};
use weft_sync::record::{
    ordering_from_name, ordering_name, AtomicAccess, Event, ExecutionLog, Held, Loc, ObjectInfo,
    Op, ThreadInfo, Value, Waiting, ATOMIC_METHODS,
};

use super::flip_point::FlipPointRecord;
use super::format::{
    AccessRecord, AtomicRecord, BlockedRecord, CycleEdgeRecord, FailureRecord, HeldRecord, Keyword,
    LocationRecord, MinimizedRecord, NamedLockRecord, ObjectRecord, OpRecord, RaceRecord,
    StepRecord, ThreadRecord, Trace, TraceFormat, WaitingRecord,
};
use crate::failure::{BlockedThread, CycleEdge, Failure};
use crate::found::Shrunk;

impl Trace {
    /// The trace of a failure: everything in it, plus the deadlock cycle
    /// and the blocked threads as data, and this weft's version.
    ///
    /// # Examples
    ///
    /// ```
    /// use weft_check::trace::Trace;
    /// use weft_check::{FailureKind, Model};
    ///
    /// let failure = Model::new().name("boom").iterations(1).explore(|| panic!("boom")).unwrap_err();
    /// let trace = Trace::from_failure(&failure);
    /// assert_eq!(trace.model, "boom");
    /// assert_eq!(trace.failure.kind, FailureKind::Assertion);
    /// assert_eq!(trace.to_failure().message(), "boom");
    /// ```
    pub fn from_failure(failure: &Failure) -> Trace {
        let log = &failure.log;
        let cycle = if failure.kind == FailureKind::Deadlock {
            failure
                .deadlock_cycle()
                .map(|edges| edges.iter().map(CycleEdgeRecord::from).collect())
        } else {
            None
        };
        Trace {
            format: TraceFormat::V1,
            weft_version: env!("CARGO_PKG_VERSION").to_string(),
            model: failure.model.clone(),
            test: failure.test_name.clone(),
            backend: failure.backend,
            scheduler: failure.scheduler,
            seed: match &failure.schedule {
                ScheduleRecord::Shuttle { seed, .. } => Some(*seed),
                _ => None,
            },
            executions: failure.executions,
            schedule: failure.schedule.clone(),
            failure: FailureRecord {
                kind: failure.kind,
                message: failure.message.clone(),
                thread: failure.thread,
                location: failure.location.map(LocationRecord::from),
                race: failure.race.as_ref().map(RaceRecord::from),
                cycle,
                blocked: failure
                    .blocked_threads()
                    .iter()
                    .map(BlockedRecord::from)
                    .collect(),
            },
            threads: log.threads.iter().map(ThreadRecord::from).collect(),
            objects: log.objects.iter().map(ObjectRecord::from).collect(),
            steps: log.steps.iter().map(StepRecord::from).collect(),
            planned_executions: failure.planned,
            minimized: failure.shrunk.as_ref().map(|s| MinimizedRecord {
                first_schedule: s.first_schedule.clone(),
                first_preemptions: s.first_preemptions,
                first_steps: s.first_steps,
                preemptions: s.preemptions,
                steps: s.steps,
                replays: s.replays,
                micros: u64::try_from(s.elapsed.as_micros()).unwrap_or(u64::MAX),
                budget_spent: s.budget_spent,
                flip_point: s.flip_point.as_ref().map(FlipPointRecord::from),
                as_found_steps: s.as_found.iter().map(StepRecord::from).collect(),
                flip_replays: s.flip_replays,
            }),
            weak_memory: failure
                .stale_read
                .as_ref()
                .map(|s| super::WeakMemoryRecord::new(s, failure.repair.as_ref())),
            read_from: None,
        }
    }

    /// The failure this trace records, rebuilt: for `cargo weft show` and
    /// for replay. Its [`Failure::trace_path`] is [`Trace::read_from`].
    ///
    /// `cycle` and `blocked` are not read: the failure recomputes them
    /// from `threads`.
    ///
    /// A recorded [`Loc`] names its file as a `&'static str`, so each
    /// distinct file name of the trace is leaked once per process (and
    /// shared by every later trace naming the same file). A test binary or
    /// the CLI rebuilds a handful of traces with a few dozen file names:
    /// bytes, once.
    pub fn to_failure(&self) -> Failure {
        Failure {
            model: self.model.clone(),
            backend: self.backend,
            kind: self.failure.kind,
            message: self.failure.message.clone(),
            thread: self.failure.thread,
            location: self.failure.location.as_ref().map(LocationRecord::to_loc),
            race: self.failure.race.as_ref().map(RaceRecord::to_race),
            // The trace keeps the cycle in the message, drawn.
            lock_cycle: None,
            log: ExecutionLog {
                threads: self.threads.iter().map(ThreadRecord::to_thread).collect(),
                objects: self.objects.iter().map(ObjectRecord::to_object).collect(),
                steps: self.steps.iter().map(StepRecord::to_event).collect(),
            },
            schedule: self.schedule.clone(),
            scheduler: self.scheduler,
            found_by: None,
            executions: self.executions,
            planned: self.planned_executions,
            shrunk: self.minimized.as_ref().map(|m| Shrunk {
                first_schedule: m.first_schedule.clone(),
                first_preemptions: m.first_preemptions,
                first_steps: m.first_steps,
                preemptions: m.preemptions,
                steps: m.steps,
                replays: m.replays,
                elapsed: std::time::Duration::from_micros(m.micros),
                budget_spent: m.budget_spent,
                flip_point: m.flip_point.as_ref().map(FlipPointRecord::to_flip_point),
                as_found: m.as_found_steps.iter().map(StepRecord::to_event).collect(),
                flip_replays: m.flip_replays,
            }),
            trace_path: self.read_from.clone(),
            trace_error: None,
            test_name: self.test.clone(),
            stale_read: self.weak_memory.as_ref().map(|w| w.to_stale_read()),
            repair: self.weak_memory.as_ref().and_then(|w| w.to_repair()),
            replayed: false,
        }
    }

    /// The recorded steps as a replay compares them: `(thread, operation
    /// name, object)`, with the names of [`Op::name`].
    pub fn expected_steps(&self) -> Vec<(usize, String, Option<usize>)> {
        self.steps
            .iter()
            .map(|s| (s.thread, s.op.name().to_string(), s.object))
            .collect()
    }

    /// What the backend needs to replay this trace: its schedule and the
    /// steps the replay must retrace.
    pub fn replay_plan(&self) -> ReplayPlan {
        ReplayPlan {
            schedule: self.schedule.clone(),
            expected: self.expected_steps(),
            guided: false,
        }
    }
}

/// The `&'static str` for a file name read from a trace, leaked at most
/// once per distinct name per process.
fn intern_file(file: &str) -> &'static str {
    static FILES: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut files = FILES
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some(known) = files.get(file) {
        return known;
    }
    // Leaked on purpose: `Loc::file` is `&'static str` (it normally comes
    // from `#[track_caller]`); see `Trace::to_failure`.
    let leaked: &'static str = Box::leak(file.to_owned().into_boxed_str());
    files.insert(leaked);
    leaked
}

impl From<Loc> for LocationRecord {
    fn from(loc: Loc) -> LocationRecord {
        LocationRecord {
            file: loc.file.to_string(),
            line: loc.line,
            column: loc.column,
        }
    }
}

impl LocationRecord {
    /// The recorded location, its file name interned (see [`Trace::to_failure`]).
    pub fn to_loc(&self) -> Loc {
        Loc {
            file: intern_file(&self.file),
            line: self.line,
            column: self.column,
        }
    }
}

impl From<&Race> for RaceRecord {
    fn from(race: &Race) -> RaceRecord {
        RaceRecord {
            object: race.object,
            first: AccessRecord::from(&race.first),
            second: AccessRecord::from(&race.second),
        }
    }
}

impl RaceRecord {
    /// The recorded race.
    pub fn to_race(&self) -> Race {
        Race {
            object: self.object,
            first: self.first.to_access(),
            second: self.second.to_access(),
        }
    }
}

impl From<&Access> for AccessRecord {
    fn from(access: &Access) -> AccessRecord {
        AccessRecord {
            thread: access.thread,
            kind: access.kind,
            location: access.location.into(),
        }
    }
}

impl AccessRecord {
    /// The recorded access.
    pub fn to_access(&self) -> Access {
        Access {
            thread: self.thread,
            kind: self.kind,
            location: self.location.to_loc(),
        }
    }
}

impl From<&(String, Loc)> for NamedLockRecord {
    fn from((object, at): &(String, Loc)) -> NamedLockRecord {
        NamedLockRecord {
            object: object.clone(),
            acquired_at: (*at).into(),
        }
    }
}

impl From<&CycleEdge> for CycleEdgeRecord {
    fn from(edge: &CycleEdge) -> CycleEdgeRecord {
        CycleEdgeRecord {
            thread: edge.thread.clone(),
            holds: edge.holds.as_ref().map(NamedLockRecord::from),
            waits_for: edge.waits_for.clone(),
            waits_at: edge.waits_at.into(),
            held_by: edge.held_by.clone(),
        }
    }
}

impl From<&BlockedThread> for BlockedRecord {
    fn from(blocked: &BlockedThread) -> BlockedRecord {
        BlockedRecord {
            thread: blocked.thread.clone(),
            kind: blocked.kind,
            waits_for: blocked.waits_for.clone(),
            at: blocked.at.into(),
            holds: blocked.holds.iter().map(NamedLockRecord::from).collect(),
        }
    }
}

impl From<&ThreadInfo> for ThreadRecord {
    fn from(t: &ThreadInfo) -> ThreadRecord {
        ThreadRecord {
            id: t.id,
            name: t.name.clone(),
            state: t.state,
            holds: t.holds.iter().map(HeldRecord::from).collect(),
            waiting: t.waiting.as_ref().map(WaitingRecord::from),
            spawned_at: t.spawned_at.map(LocationRecord::from),
            joined: t.joined,
        }
    }
}

impl ThreadRecord {
    /// The recorded thread.
    pub fn to_thread(&self) -> ThreadInfo {
        ThreadInfo {
            id: self.id,
            name: self.name.clone(),
            state: self.state,
            holds: self.holds.iter().map(HeldRecord::to_held).collect(),
            waiting: self.waiting.as_ref().map(WaitingRecord::to_waiting),
            spawned_at: self.spawned_at.as_ref().map(LocationRecord::to_loc),
            joined: self.joined,
        }
    }
}

impl From<&Held> for HeldRecord {
    fn from(h: &Held) -> HeldRecord {
        HeldRecord {
            object: h.object,
            at: h.at.into(),
            shared: h.shared,
        }
    }
}

impl HeldRecord {
    /// The recorded lock.
    pub fn to_held(&self) -> Held {
        Held {
            object: self.object,
            at: self.at.to_loc(),
            shared: self.shared,
        }
    }
}

impl From<&Waiting> for WaitingRecord {
    fn from(w: &Waiting) -> WaitingRecord {
        WaitingRecord {
            kind: w.kind,
            object: w.object,
            thread: w.thread,
            at: w.at.into(),
            woken: w.woken,
        }
    }
}

impl WaitingRecord {
    /// The recorded wait.
    pub fn to_waiting(&self) -> Waiting {
        Waiting {
            kind: self.kind,
            object: self.object,
            thread: self.thread,
            at: self.at.to_loc(),
            woken: self.woken,
        }
    }
}

impl From<&ObjectInfo> for ObjectRecord {
    fn from(o: &ObjectInfo) -> ObjectRecord {
        ObjectRecord {
            id: o.id,
            kind: o.kind,
            name: o.name.clone(),
            created_at: o.created_at.into(),
        }
    }
}

impl ObjectRecord {
    /// The recorded object.
    pub fn to_object(&self) -> ObjectInfo {
        ObjectInfo {
            id: self.id,
            kind: self.kind,
            name: self.name.clone(),
            created_at: self.created_at.to_loc(),
        }
    }
}

impl From<&Event> for StepRecord {
    fn from(e: &Event) -> StepRecord {
        StepRecord {
            step: e.step,
            thread: e.thread,
            op: OpRecord::from(&e.op),
            object: e.object,
            location: e.location.into(),
            atomic: e.atomic.as_ref().map(AtomicRecord::from),
        }
    }
}

impl From<&AtomicAccess> for AtomicRecord {
    fn from(a: &AtomicAccess) -> AtomicRecord {
        let value = |v: Option<Value>| v.map(|v| v.to_keyword().into_owned());
        AtomicRecord {
            method: a.method.to_string(),
            order: ordering_name(a.order).to_string(),
            failure_order: a.failure_order.map(|o| ordering_name(o).to_string()),
            read: value(a.read),
            written: value(a.written),
            expected: value(a.expected),
        }
    }
}

impl AtomicRecord {
    /// The recorded access; `None` when a field is not one weft writes
    /// (the step then shows as its plain operation).
    pub fn to_access(&self) -> Option<AtomicAccess> {
        let value = |v: &Option<String>| -> Option<Option<Value>> {
            match v {
                None => Some(None),
                Some(text) => Value::from_keyword(text).map(Some),
            }
        };
        Some(AtomicAccess {
            method: ATOMIC_METHODS.iter().find(|m| **m == self.method)?,
            order: ordering_from_name(&self.order)?,
            failure_order: match &self.failure_order {
                None => None,
                Some(o) => Some(ordering_from_name(o)?),
            },
            read: value(&self.read)?,
            written: value(&self.written)?,
            expected: value(&self.expected)?,
        })
    }
}

impl StepRecord {
    /// The recorded event.
    pub fn to_event(&self) -> Event {
        Event {
            step: self.step,
            thread: self.thread,
            op: self.op.to_op(),
            object: self.object,
            location: self.location.to_loc(),
            atomic: self.atomic.as_ref().and_then(AtomicRecord::to_access),
        }
    }
}

impl From<&Op> for OpRecord {
    fn from(op: &Op) -> OpRecord {
        match op {
            Op::Acquire => OpRecord::Acquire,
            Op::Lock => OpRecord::Lock,
            Op::TryLock { acquired } => OpRecord::TryLock {
                acquired: *acquired,
            },
            Op::Unlock => OpRecord::Unlock,
            Op::ReadLock => OpRecord::ReadLock,
            Op::WriteLock => OpRecord::WriteLock,
            Op::ReadUnlock => OpRecord::ReadUnlock,
            Op::WriteUnlock => OpRecord::WriteUnlock,
            Op::Wait => OpRecord::Wait,
            Op::Woken { timed_out } => OpRecord::Woken {
                timed_out: *timed_out,
            },
            Op::NotifyOne => OpRecord::NotifyOne,
            Op::NotifyAll => OpRecord::NotifyAll,
            Op::Load(value) => OpRecord::Load { value: *value },
            Op::Store(value) => OpRecord::Store { value: *value },
            Op::Rmw(value) => OpRecord::Rmw { value: *value },
            Op::CompareExchange { ok } => OpRecord::CompareExchange { ok: *ok },
            Op::Fence => OpRecord::Fence,
            Op::Send => OpRecord::Send,
            Op::Recv => OpRecord::Recv,
            Op::RecvEmpty => OpRecord::RecvEmpty,
            Op::Spawn { child } => OpRecord::Spawn { child: *child },
            Op::Join { child } => OpRecord::Join { child: *child },
            &Op::IsFinished { child, finished } => OpRecord::IsFinished { child, finished },
            Op::Finish => OpRecord::Finish,
            Op::Panic => OpRecord::Panic,
            Op::Park => OpRecord::Park,
            Op::Unpark { target } => OpRecord::Unpark { target: *target },
            Op::Yield => OpRecord::Yield,
            Op::Sleep => OpRecord::Sleep,
            Op::CellRead => OpRecord::CellRead,
            Op::CellWrite => OpRecord::CellWrite,
            Op::BarrierWait => OpRecord::BarrierWait,
            Op::BarrierPass => OpRecord::BarrierPass,
            Op::OnceInit => OpRecord::OnceInit,
            Op::Trace(message) => OpRecord::Trace {
                message: message.clone(),
            },
            &Op::Choose { values, chosen } => OpRecord::Choose { values, chosen },
            // An operation added to weft-sync after this format: kept as
            // text. A replay of it diverges at that step, loudly.
            other => OpRecord::Trace {
                message: other.to_string(),
            },
        }
    }
}

impl OpRecord {
    /// The recorded operation.
    pub fn to_op(&self) -> Op {
        match self {
            OpRecord::Acquire => Op::Acquire,
            OpRecord::Lock => Op::Lock,
            OpRecord::TryLock { acquired } => Op::TryLock {
                acquired: *acquired,
            },
            OpRecord::Unlock => Op::Unlock,
            OpRecord::ReadLock => Op::ReadLock,
            OpRecord::WriteLock => Op::WriteLock,
            OpRecord::ReadUnlock => Op::ReadUnlock,
            OpRecord::WriteUnlock => Op::WriteUnlock,
            OpRecord::Wait => Op::Wait,
            OpRecord::Woken { timed_out } => Op::Woken {
                timed_out: *timed_out,
            },
            OpRecord::NotifyOne => Op::NotifyOne,
            OpRecord::NotifyAll => Op::NotifyAll,
            OpRecord::Load { value } => Op::Load(*value),
            OpRecord::Store { value } => Op::Store(*value),
            OpRecord::Rmw { value } => Op::Rmw(*value),
            OpRecord::CompareExchange { ok } => Op::CompareExchange { ok: *ok },
            OpRecord::Fence => Op::Fence,
            OpRecord::Send => Op::Send,
            OpRecord::Recv => Op::Recv,
            OpRecord::RecvEmpty => Op::RecvEmpty,
            OpRecord::Spawn { child } => Op::Spawn { child: *child },
            OpRecord::Join { child } => Op::Join { child: *child },
            &OpRecord::IsFinished { child, finished } => Op::IsFinished { child, finished },
            OpRecord::Finish => Op::Finish,
            OpRecord::Panic => Op::Panic,
            OpRecord::Park => Op::Park,
            OpRecord::Unpark { target } => Op::Unpark { target: *target },
            OpRecord::Yield => Op::Yield,
            OpRecord::Sleep => Op::Sleep,
            OpRecord::CellRead => Op::CellRead,
            OpRecord::CellWrite => Op::CellWrite,
            OpRecord::BarrierWait => Op::BarrierWait,
            OpRecord::BarrierPass => Op::BarrierPass,
            OpRecord::OnceInit => Op::OnceInit,
            OpRecord::Trace { message } => Op::Trace(message.clone()),
            &OpRecord::Choose { values, chosen } => Op::Choose { values, chosen },
        }
    }

    /// The operation's short name, the same as [`Op::name`] (`lock`,
    /// `try-lock`, `cell-write`, ...); a replay compares steps by it.
    pub fn name(&self) -> &'static str {
        match self {
            OpRecord::Acquire => "acquire",
            OpRecord::Lock => "lock",
            OpRecord::TryLock { .. } => "try-lock",
            OpRecord::Unlock => "unlock",
            OpRecord::ReadLock => "read-lock",
            OpRecord::WriteLock => "write-lock",
            OpRecord::ReadUnlock => "read-unlock",
            OpRecord::WriteUnlock => "write-unlock",
            OpRecord::Wait => "wait",
            OpRecord::Woken { .. } => "woken",
            OpRecord::NotifyOne => "notify-one",
            OpRecord::NotifyAll => "notify-all",
            OpRecord::Load { .. } => "load",
            OpRecord::Store { .. } => "store",
            OpRecord::Rmw { .. } => "rmw",
            OpRecord::CompareExchange { .. } => "compare-exchange",
            OpRecord::Fence => "fence",
            OpRecord::Send => "send",
            OpRecord::Recv => "recv",
            OpRecord::RecvEmpty => "recv-empty",
            OpRecord::Spawn { .. } => "spawn",
            OpRecord::Join { .. } => "join",
            OpRecord::IsFinished { .. } => "is-finished",
            OpRecord::Finish => "finish",
            OpRecord::Panic => "panic",
            OpRecord::Park => "park",
            OpRecord::Unpark { .. } => "unpark",
            OpRecord::Yield => "yield",
            OpRecord::Sleep => "sleep",
            OpRecord::CellRead => "cell-read",
            OpRecord::CellWrite => "cell-write",
            OpRecord::BarrierWait => "barrier-wait",
            OpRecord::BarrierPass => "barrier-pass",
            OpRecord::OnceInit => "once-init",
            OpRecord::Trace { .. } => "trace",
            OpRecord::Choose { .. } => "choose",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use weft_sync::record::Value;

    fn every_op() -> Vec<Op> {
        vec![
            Op::Acquire,
            Op::Lock,
            Op::TryLock { acquired: true },
            Op::TryLock { acquired: false },
            Op::Unlock,
            Op::ReadLock,
            Op::WriteLock,
            Op::ReadUnlock,
            Op::WriteUnlock,
            Op::Wait,
            Op::Woken { timed_out: true },
            Op::NotifyOne,
            Op::NotifyAll,
            Op::Load(Value::Int(-1)),
            Op::Store(Value::Bool(true)),
            Op::Rmw(Value::Ptr(0x10)),
            Op::CompareExchange { ok: false },
            Op::Fence,
            Op::Send,
            Op::Recv,
            Op::RecvEmpty,
            Op::Spawn { child: 1 },
            Op::Join { child: 2 },
            Op::IsFinished {
                child: 2,
                finished: true,
            },
            Op::Finish,
            Op::Panic,
            Op::Park,
            Op::Unpark { target: 3 },
            Op::Yield,
            Op::Sleep,
            Op::CellRead,
            Op::CellWrite,
            Op::BarrierWait,
            Op::BarrierPass,
            Op::OnceInit,
            Op::Trace("hello".into()),
            Op::Choose {
                values: 4,
                chosen: 2,
            },
        ]
    }

    #[test]
    fn every_op_converts_both_ways_and_keeps_its_name() {
        for op in every_op() {
            let record = OpRecord::from(&op);
            assert_eq!(record.to_op(), op);
            assert_eq!(record.name(), op.name());
            // The JSON tag is the name in snake_case.
            let json = serde_json::to_value(&record).unwrap();
            assert_eq!(json["kind"], op.name().replace('-', "_"));
        }
    }

    #[test]
    fn interned_files_are_shared() {
        let a = LocationRecord {
            file: "src/interned.rs".into(),
            line: 1,
            column: 2,
        };
        let first = a.to_loc();
        let second = a.to_loc();
        assert!(std::ptr::eq(first.file, second.file));
        assert_eq!(
            first,
            Loc {
                file: "src/interned.rs",
                line: 1,
                column: 2
            }
        );
    }
}
