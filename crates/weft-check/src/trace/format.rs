//! The serde model of a `weft-trace/1` file.
//!
//! The types here mirror the recorded types of `weft_sync::record` and
//! `weft_sync::explore` (which carry no serde) field for field. Plain
//! enums (backend, scheduler, kinds, states) are stored as the
//! `weft_sync` types themselves and written as one snake_case keyword
//! each; enums with data are internally tagged (`"kind": ...`).
//! docs/trace-format.md is the reference for every field.

use std::borrow::Cow;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use weft_sync::explore::{AccessKind, Backend, FailureKind, ScheduleRecord, SchedulerKind};
use weft_sync::record::{ObjectKind, ThreadState, Value, WaitKind};

/// The value of the `format` field this weft writes and reads.
pub const FORMAT: &str = "weft-trace/1";

/// A trace file: one failing execution, with everything needed to explain
/// and replay it. Fields serialise in this order; `format` comes first.
///
/// Two traces are `==` when their content is; [`Trace::read_from`] (where
/// a trace was read from, not part of the file) is not compared.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Trace {
    /// Always `weft-trace/1`.
    pub format: TraceFormat,
    /// The version of weft-check that wrote the trace.
    pub weft_version: String,
    /// The model's name ([`crate::Model::name`], by default the test's).
    pub model: String,
    /// The test that ran the model, if known.
    pub test: Option<String>,
    /// The backend that found the failure: `std`, `loom` or `shuttle`.
    #[serde(with = "keyword")]
    pub backend: Backend,
    /// The scheduler: `random`, `pct:<depth>` or `dfs`.
    #[serde(with = "keyword")]
    pub scheduler: SchedulerKind,
    /// shuttle's seed (also inside `schedule`); `null` on loom and std.
    pub seed: Option<u64>,
    /// Executions explored up to and including the failing one.
    pub executions: usize,
    /// The schedule that replays the failure, encoded as by
    /// [`encode_schedule`](super::encode_schedule).
    #[serde(with = "super::schedule::as_string")]
    pub schedule: ScheduleRecord,
    /// What failed.
    pub failure: FailureRecord,
    /// Every thread of the failing execution, main first; `threads[i].id == i`.
    pub threads: Vec<ThreadRecord>,
    /// Every object created in the failing execution; `objects[i].id == i`.
    pub objects: Vec<ObjectRecord>,
    /// The steps of the failing execution, in the order they ran.
    pub steps: Vec<StepRecord>,
    /// The executions the search would have run at most, when known
    /// ("found in execution 37 of 50,000"). Absent in older traces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub planned_executions: Option<usize>,
    /// When the schedule was shrunk before it was reported: the schedule as
    /// first found, and both sizes. `schedule` and `steps` are the minimal
    /// one's, which a replay runs. Absent in older traces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimized: Option<MinimizedRecord>,
    /// On loom, when a load read a stale value: that load, the store it
    /// read from, the newer store, and the ordering repair hint. Absent in
    /// older traces and when no stale read explains the failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weak_memory: Option<super::WeakMemoryRecord>,
    /// The file this trace was read from, if it was (not part of the file).
    #[serde(skip)]
    pub read_from: Option<PathBuf>,
}

impl PartialEq for Trace {
    /// Compares content; ignores [`Trace::read_from`].
    fn eq(&self, other: &Trace) -> bool {
        // Destructured so that a new field cannot be forgotten here.
        let Trace {
            format,
            weft_version,
            model,
            test,
            backend,
            scheduler,
            seed,
            executions,
            schedule,
            failure,
            threads,
            objects,
            steps,
            planned_executions,
            minimized,
            weak_memory,
            read_from: _,
        } = self;
        *format == other.format
            && *weft_version == other.weft_version
            && *model == other.model
            && *test == other.test
            && *backend == other.backend
            && *scheduler == other.scheduler
            && *seed == other.seed
            && *executions == other.executions
            && *schedule == other.schedule
            && *failure == other.failure
            && *threads == other.threads
            && *objects == other.objects
            && *steps == other.steps
            && *planned_executions == other.planned_executions
            && *minimized == other.minimized
            && *weak_memory == other.weak_memory
    }
}

impl Eq for Trace {}

/// The `format` field: the format's name and version in one string.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TraceFormat {
    /// `weft-trace/1`, the only version so far.
    #[default]
    #[serde(rename = "weft-trace/1")]
    V1,
}

/// The first failing schedule of a search, and how much the reported
/// (minimal) one shrank from it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MinimizedRecord {
    /// The schedule as first found, encoded as `schedule` is.
    #[serde(with = "super::schedule::as_string")]
    pub first_schedule: ScheduleRecord,
    /// Its preemptions, where the engine counts them (`null` on loom).
    pub first_preemptions: Option<usize>,
    /// Its steps.
    pub first_steps: usize,
    /// The minimal schedule's preemptions.
    pub preemptions: usize,
    /// The minimal schedule's steps.
    pub steps: usize,
    /// Schedules replayed to shrink it.
    pub replays: usize,
    /// Time spent shrinking, in microseconds.
    pub micros: u64,
    /// Whether the shrinking budget ran out first.
    pub budget_spent: bool,
    /// The flip point of the minimal schedule, when one was found
    /// (shuttle). Absent in older traces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flip_point: Option<super::flip_point::FlipPointRecord>,
    /// The steps of the first failing schedule, for the "as found" view;
    /// absent when they are the reported steps (and in older traces).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub as_found_steps: Vec<StepRecord>,
    /// Schedules replayed looking for the flip point, found or not. Absent
    /// (0) in older traces and when none was looked for.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub flip_replays: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// A source location.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LocationRecord {
    /// The source file, as the compiler named it (relative to the package).
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

/// What failed, and the derived explanation a reader needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailureRecord {
    /// `assertion`, `deadlock`, `data_race`, `step_limit`,
    /// `leaked_thread`, `unsupported` or `replay_diverged`.
    #[serde(with = "keyword")]
    pub kind: FailureKind,
    /// The panic message, or a one-line description.
    pub message: String,
    /// The id of the thread that failed (panicked, raced, leaked), if one did.
    pub thread: Option<usize>,
    /// Where it failed, if known.
    pub location: Option<LocationRecord>,
    /// For a data race: the two unordered accesses.
    pub race: Option<RaceRecord>,
    /// For a deadlock with a wait-for cycle: one edge per thread of the
    /// cycle. Derived from `threads`; weft recomputes it when reading.
    pub cycle: Option<Vec<CycleEdgeRecord>>,
    /// Every thread blocked when the execution stopped. Derived from
    /// `threads`; weft recomputes it when reading.
    pub blocked: Vec<BlockedRecord>,
}

/// Two accesses to one cell that no happens-before orders.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RaceRecord {
    /// The cell's object id.
    pub object: usize,
    /// The earlier access.
    pub first: AccessRecord,
    /// The later access, which found the race.
    pub second: AccessRecord,
}

/// One side of a data race.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessRecord {
    /// The thread id.
    pub thread: usize,
    /// `read` or `write`.
    #[serde(with = "keyword")]
    pub kind: AccessKind,
    /// Where.
    pub location: LocationRecord,
}

/// A lock a thread holds, by name (in `cycle` and `blocked`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedLockRecord {
    /// The lock's display name.
    pub object: String,
    /// Where it was acquired.
    pub acquired_at: LocationRecord,
}

/// One thread of a deadlock's wait-for cycle, by name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CycleEdgeRecord {
    /// The waiting thread's name.
    pub thread: String,
    /// The lock it holds that the previous thread of the cycle waits for.
    pub holds: Option<NamedLockRecord>,
    /// What it waits for (an object's name, or a thread's for a join).
    pub waits_for: String,
    /// Where it started waiting.
    pub waits_at: LocationRecord,
    /// The thread that holds what it waits for.
    pub held_by: String,
}

/// A thread that could not run when the execution stopped, by name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockedRecord {
    /// The thread's name.
    pub thread: String,
    /// What it waits for: `lock`, `condvar`, `join`, ...
    #[serde(with = "keyword")]
    pub kind: WaitKind,
    /// The object (or, for a join, the thread) it waits for.
    pub waits_for: String,
    /// Where it started waiting.
    pub at: LocationRecord,
    /// The locks it holds.
    pub holds: Vec<NamedLockRecord>,
}

/// A thread of the execution.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadRecord {
    /// Its index in `threads`; 0 is the model's main thread.
    pub id: usize,
    /// Its name.
    pub name: String,
    /// `running`, `blocked` or `finished`, when the execution stopped.
    #[serde(with = "keyword")]
    pub state: ThreadState,
    /// The locks it held when the execution stopped.
    pub holds: Vec<HeldRecord>,
    /// What it waited for when the execution stopped.
    pub waiting: Option<WaitingRecord>,
    /// Where it was spawned (`null` for main).
    pub spawned_at: Option<LocationRecord>,
    /// Whether another thread joined it.
    pub joined: bool,
}

/// A lock a thread holds, by object id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldRecord {
    /// The lock's object id.
    pub object: usize,
    /// Where it was acquired.
    pub at: LocationRecord,
    /// Whether it is held shared (an `RwLock` read lock).
    pub shared: bool,
}

/// What a blocked thread waits for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitingRecord {
    /// `lock`, `read_lock`, `write_lock`, `condvar`, `join`, `recv`,
    /// `send`, `barrier`, `park` or `once_lock`.
    #[serde(with = "keyword")]
    pub kind: WaitKind,
    /// The object waited on, if any.
    pub object: Option<usize>,
    /// The thread waited on (for a join).
    pub thread: Option<usize>,
    /// Where the wait was called.
    pub at: LocationRecord,
    /// A notification had woken it and it had not run since (absent:
    /// not woken; traces written before weft recorded it read as such).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub woken: bool,
}

/// A primitive created during the execution.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectRecord {
    /// Its index in `objects`.
    pub id: usize,
    /// `mutex`, `rw_lock`, `condvar`, `barrier`, `once_lock`, `atomic`,
    /// `channel`, `unsafe_cell` or `parker`.
    #[serde(with = "keyword")]
    pub kind: ObjectKind,
    /// The name given with `.named(..)`, if any.
    pub name: Option<String>,
    /// Where it was created.
    pub created_at: LocationRecord,
}

/// One step of the execution.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepRecord {
    /// 1-based step number.
    pub step: usize,
    /// The id of the thread that took it.
    pub thread: usize,
    /// What it did.
    pub op: OpRecord,
    /// The object it did it to, if any.
    pub object: Option<usize>,
    /// Where in the source.
    pub location: LocationRecord,
    /// For an atomic operation: the method, its orderings and values, as
    /// the code wrote them. Absent in traces written before weft recorded
    /// it, and for every other operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub atomic: Option<AtomicRecord>,
}

/// An atomic operation as the code wrote it: `store(Release) 1`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AtomicRecord {
    /// The method: `load`, `store`, `swap`, `fetch_add`, ..., `compare_exchange`.
    pub method: String,
    /// Its ordering as Rust spells it (`Relaxed`, `Release`, `Acquire`,
    /// `AcqRel`, `SeqCst`); a compare-exchange's success ordering.
    pub order: String,
    /// A compare-exchange's failure ordering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_order: Option<String>,
    /// The value read, written as `value` is in an operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read: Option<String>,
    /// The value written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub written: Option<String>,
    /// The value a compare-exchange expected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
}

/// An operation, tagged by `kind`; operations with data carry it in named
/// fields (`{"kind": "load", "value": "3"}`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OpRecord {
    /// Started to acquire a lock.
    Acquire,
    /// Acquired a mutex.
    Lock,
    /// `try_lock`.
    TryLock {
        /// Whether the lock was acquired.
        acquired: bool,
    },
    /// Released a mutex.
    Unlock,
    /// Acquired an `RwLock` for reading.
    ReadLock,
    /// Acquired an `RwLock` for writing.
    WriteLock,
    /// Released an `RwLock` read lock.
    ReadUnlock,
    /// Released an `RwLock` write lock.
    WriteUnlock,
    /// Started waiting on a condition variable.
    Wait,
    /// Returned from a wait.
    Woken {
        /// Whether the wait timed out.
        timed_out: bool,
    },
    /// `notify_one`.
    NotifyOne,
    /// `notify_all`.
    NotifyAll,
    /// An atomic load.
    Load {
        /// The value read: `true`, `false`, an integer, or a `0x` address.
        #[serde(with = "keyword")]
        value: Value,
    },
    /// An atomic store.
    Store {
        /// The value stored.
        #[serde(with = "keyword")]
        value: Value,
    },
    /// An atomic read-modify-write (`fetch_*`, `swap`).
    Rmw {
        /// The value before.
        #[serde(with = "keyword")]
        value: Value,
    },
    /// A compare-exchange.
    CompareExchange {
        /// Whether the exchange happened.
        ok: bool,
    },
    /// A memory fence.
    Fence,
    /// Sent a message.
    Send,
    /// Received a message.
    Recv,
    /// A `try_recv` or `recv_timeout` that got nothing.
    RecvEmpty,
    /// Spawned a thread.
    Spawn {
        /// The new thread's id.
        child: usize,
    },
    /// Joined a thread.
    Join {
        /// The joined thread's id.
        child: usize,
    },
    /// Asked whether a thread had finished (`JoinHandle::is_finished`).
    IsFinished {
        /// The thread asked about.
        child: usize,
        /// The answer.
        finished: bool,
    },
    /// The thread's closure returned.
    Finish,
    /// The thread's closure panicked.
    Panic,
    /// Parked.
    Park,
    /// Unparked a thread.
    Unpark {
        /// The unparked thread's id.
        target: usize,
    },
    /// `yield_now` or `spin_loop`.
    Yield,
    /// `sleep`.
    Sleep,
    /// Read an `UnsafeCell`.
    CellRead,
    /// Wrote an `UnsafeCell`.
    CellWrite,
    /// Arrived at a barrier.
    BarrierWait,
    /// Left a barrier.
    BarrierPass,
    /// Initialised a `OnceLock`.
    OnceInit,
    /// A user's `tracing` event.
    Trace {
        /// Its message.
        message: String,
    },
    /// A `weft::rand::choose(values)` and the value it returned.
    Choose {
        /// How many values there were to choose from.
        values: usize,
        /// The value chosen.
        chosen: usize,
    },
}

/// A plain enum written as one keyword: `"shuttle"`, `"pct:3"`, `"data_race"`.
///
/// Readers accept exactly the keywords listed in docs/trace-format.md.
/// The `weft_sync` enums marked `#[non_exhaustive]` get a derived keyword
/// for variants added after this module was written, which readers of
/// this version refuse as unknown, as they should.
pub(crate) trait Keyword: Sized {
    /// What the keyword names, for errors: "backend".
    const WHAT: &'static str;
    /// The accepted keywords, for errors.
    const EXPECTED: &'static str;
    fn to_keyword(&self) -> Cow<'static, str>;
    fn from_keyword(text: &str) -> Option<Self>;
}

/// Serde support for [`Keyword`] fields.
pub(crate) mod keyword {
    use serde::{Deserialize, Deserializer, Serializer};

    use super::Keyword;

    pub(crate) fn serialize<T: Keyword, S: Serializer>(
        value: &T,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&value.to_keyword())
    }

    pub(crate) fn deserialize<'de, T: Keyword, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<T, D::Error> {
        let text = String::deserialize(deserializer)?;
        T::from_keyword(&text).ok_or_else(|| {
            serde::de::Error::custom(format_args!(
                "unknown {} `{}`, expected {}",
                T::WHAT,
                text.chars().take(40).collect::<String>(),
                T::EXPECTED
            ))
        })
    }
}

/// `CamelCase` to `snake_case`, for variants added to a `#[non_exhaustive]`
/// enum after this module was written.
fn snake_case(debug_name: &str) -> Cow<'static, str> {
    let mut out = String::with_capacity(debug_name.len() + 4);
    for (i, c) in debug_name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
        } else {
            break;
        }
    }
    Cow::Owned(out)
}

impl Keyword for Backend {
    const WHAT: &'static str = "backend";
    const EXPECTED: &'static str = "std, loom or shuttle";

    fn to_keyword(&self) -> Cow<'static, str> {
        Cow::Borrowed(self.as_str())
    }

    fn from_keyword(text: &str) -> Option<Self> {
        match text {
            "std" => Some(Backend::Std),
            "loom" => Some(Backend::Loom),
            "shuttle" => Some(Backend::Shuttle),
            _ => None,
        }
    }
}

impl Keyword for SchedulerKind {
    const WHAT: &'static str = "scheduler";
    const EXPECTED: &'static str = "random, pct:<depth>, dfs, dpor or portfolio";

    fn to_keyword(&self) -> Cow<'static, str> {
        match self {
            SchedulerKind::Random => Cow::Borrowed("random"),
            SchedulerKind::Pct { depth } => Cow::Owned(format!("pct:{depth}")),
            SchedulerKind::Dfs => Cow::Borrowed("dfs"),
            SchedulerKind::Dpor => Cow::Borrowed("dpor"),
            SchedulerKind::Portfolio => Cow::Borrowed("portfolio"),
        }
    }

    fn from_keyword(text: &str) -> Option<Self> {
        match text {
            "random" => Some(SchedulerKind::Random),
            "dfs" => Some(SchedulerKind::Dfs),
            "dpor" => Some(SchedulerKind::Dpor),
            "portfolio" => Some(SchedulerKind::Portfolio),
            _ => {
                let depth = text.strip_prefix("pct:")?;
                if depth.is_empty() || !depth.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                Some(SchedulerKind::Pct {
                    depth: depth.parse().ok()?,
                })
            }
        }
    }
}

impl Keyword for FailureKind {
    const WHAT: &'static str = "failure kind";
    const EXPECTED: &'static str =
        "assertion, deadlock, data_race, step_limit, leaked_thread, leak, not_caught, unsupported, replay_diverged, never_reached, not_linearizable or potential_deadlock";

    fn to_keyword(&self) -> Cow<'static, str> {
        Cow::Borrowed(match self {
            FailureKind::Assertion => "assertion",
            FailureKind::Deadlock => "deadlock",
            FailureKind::DataRace => "data_race",
            FailureKind::StepLimit => "step_limit",
            FailureKind::LeakedThread => "leaked_thread",
            FailureKind::Leak => "leak",
            FailureKind::NotCaught => "not_caught",
            FailureKind::Unsupported => "unsupported",
            FailureKind::ReplayDiverged => "replay_diverged",
            FailureKind::NeverReached => "never_reached",
            FailureKind::NotLinearizable => "not_linearizable",
            FailureKind::PotentialDeadlock => "potential_deadlock",
            other => return Cow::Owned(other.as_str().replace(' ', "_")),
        })
    }

    fn from_keyword(text: &str) -> Option<Self> {
        Some(match text {
            "assertion" => FailureKind::Assertion,
            "deadlock" => FailureKind::Deadlock,
            "data_race" => FailureKind::DataRace,
            "step_limit" => FailureKind::StepLimit,
            "leaked_thread" => FailureKind::LeakedThread,
            "leak" => FailureKind::Leak,
            "not_caught" => FailureKind::NotCaught,
            "unsupported" => FailureKind::Unsupported,
            "replay_diverged" => FailureKind::ReplayDiverged,
            "never_reached" => FailureKind::NeverReached,
            "not_linearizable" => FailureKind::NotLinearizable,
            "potential_deadlock" => FailureKind::PotentialDeadlock,
            _ => return None,
        })
    }
}

impl Keyword for ObjectKind {
    const WHAT: &'static str = "object kind";
    const EXPECTED: &'static str =
        "mutex, rw_lock, condvar, barrier, once_lock, atomic, channel, unsafe_cell, parker or arc";

    fn to_keyword(&self) -> Cow<'static, str> {
        Cow::Borrowed(match self {
            ObjectKind::Mutex => "mutex",
            ObjectKind::RwLock => "rw_lock",
            ObjectKind::Condvar => "condvar",
            ObjectKind::Barrier => "barrier",
            ObjectKind::OnceLock => "once_lock",
            ObjectKind::Atomic => "atomic",
            ObjectKind::Channel => "channel",
            ObjectKind::Cell => "unsafe_cell",
            ObjectKind::Parker => "parker",
            ObjectKind::Arc => "arc",
            other => return snake_case(&format!("{other:?}")),
        })
    }

    fn from_keyword(text: &str) -> Option<Self> {
        Some(match text {
            "mutex" => ObjectKind::Mutex,
            "rw_lock" => ObjectKind::RwLock,
            "condvar" => ObjectKind::Condvar,
            "barrier" => ObjectKind::Barrier,
            "once_lock" => ObjectKind::OnceLock,
            "atomic" => ObjectKind::Atomic,
            "channel" => ObjectKind::Channel,
            "unsafe_cell" => ObjectKind::Cell,
            "parker" => ObjectKind::Parker,
            "arc" => ObjectKind::Arc,
            _ => return None,
        })
    }
}

impl Keyword for ThreadState {
    const WHAT: &'static str = "thread state";
    const EXPECTED: &'static str = "running, blocked or finished";

    fn to_keyword(&self) -> Cow<'static, str> {
        Cow::Borrowed(match self {
            ThreadState::Running => "running",
            ThreadState::Blocked => "blocked",
            ThreadState::Finished => "finished",
        })
    }

    fn from_keyword(text: &str) -> Option<Self> {
        Some(match text {
            "running" => ThreadState::Running,
            "blocked" => ThreadState::Blocked,
            "finished" => ThreadState::Finished,
            _ => return None,
        })
    }
}

impl Keyword for WaitKind {
    const WHAT: &'static str = "wait kind";
    const EXPECTED: &'static str =
        "lock, read_lock, write_lock, condvar, join, recv, send, barrier, park or once_lock";

    fn to_keyword(&self) -> Cow<'static, str> {
        Cow::Borrowed(match self {
            WaitKind::Lock => "lock",
            WaitKind::ReadLock => "read_lock",
            WaitKind::WriteLock => "write_lock",
            WaitKind::Condvar => "condvar",
            WaitKind::Join => "join",
            WaitKind::Recv => "recv",
            WaitKind::Send => "send",
            WaitKind::Barrier => "barrier",
            WaitKind::Park => "park",
            WaitKind::OnceLock => "once_lock",
            other => return snake_case(&format!("{other:?}")),
        })
    }

    fn from_keyword(text: &str) -> Option<Self> {
        Some(match text {
            "lock" => WaitKind::Lock,
            "read_lock" => WaitKind::ReadLock,
            "write_lock" => WaitKind::WriteLock,
            "condvar" => WaitKind::Condvar,
            "join" => WaitKind::Join,
            "recv" => WaitKind::Recv,
            "send" => WaitKind::Send,
            "barrier" => WaitKind::Barrier,
            "park" => WaitKind::Park,
            "once_lock" => WaitKind::OnceLock,
            _ => return None,
        })
    }
}

impl Keyword for AccessKind {
    const WHAT: &'static str = "access kind";
    const EXPECTED: &'static str = "read or write";

    fn to_keyword(&self) -> Cow<'static, str> {
        Cow::Borrowed(match self {
            AccessKind::Read => "read",
            AccessKind::Write => "write",
        })
    }

    fn from_keyword(text: &str) -> Option<Self> {
        Some(match text {
            "read" => AccessKind::Read,
            "write" => AccessKind::Write,
            _ => return None,
        })
    }
}

impl Keyword for Value {
    const WHAT: &'static str = "atomic value";
    const EXPECTED: &'static str = "true, false, a decimal integer or a 0x-hex address";

    /// The value as a string, so that 128-bit integers and addresses
    /// survive JSON readers whose numbers are 64-bit floats.
    fn to_keyword(&self) -> Cow<'static, str> {
        Cow::Owned(self.to_string())
    }

    fn from_keyword(text: &str) -> Option<Self> {
        match text {
            "true" => return Some(Value::Bool(true)),
            "false" => return Some(Value::Bool(false)),
            _ => {}
        }
        if let Some(hex) = text.strip_prefix("0x") {
            if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            return usize::from_str_radix(hex, 16).ok().map(Value::Ptr);
        }
        let magnitude = text.strip_prefix('-').unwrap_or(text);
        if magnitude.is_empty() || !magnitude.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        text.parse().ok().map(Value::Int)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trips<T: Keyword + PartialEq + std::fmt::Debug>(values: &[T], keywords: &[&str]) {
        assert_eq!(values.len(), keywords.len());
        for (v, k) in values.iter().zip(keywords) {
            assert_eq!(v.to_keyword(), *k);
            assert_eq!(T::from_keyword(k).as_ref(), Some(v));
        }
        for k in keywords {
            assert!(T::EXPECTED.contains(k), "{} lists {k}", T::WHAT);
        }
    }

    #[test]
    fn keywords_are_the_documented_ones() {
        round_trips(
            &[Backend::Std, Backend::Loom, Backend::Shuttle],
            &["std", "loom", "shuttle"],
        );
        round_trips(
            &[
                FailureKind::Assertion,
                FailureKind::Deadlock,
                FailureKind::DataRace,
                FailureKind::StepLimit,
                FailureKind::LeakedThread,
                FailureKind::Leak,
                FailureKind::NotCaught,
                FailureKind::Unsupported,
                FailureKind::ReplayDiverged,
                FailureKind::NeverReached,
                FailureKind::NotLinearizable,
                FailureKind::PotentialDeadlock,
            ],
            &[
                "assertion",
                "deadlock",
                "data_race",
                "step_limit",
                "leaked_thread",
                "leak",
                "not_caught",
                "unsupported",
                "replay_diverged",
                "never_reached",
                "not_linearizable",
                "potential_deadlock",
            ],
        );
        round_trips(
            &[
                ObjectKind::Mutex,
                ObjectKind::RwLock,
                ObjectKind::Condvar,
                ObjectKind::Barrier,
                ObjectKind::OnceLock,
                ObjectKind::Atomic,
                ObjectKind::Channel,
                ObjectKind::Cell,
                ObjectKind::Parker,
                ObjectKind::Arc,
            ],
            &[
                "mutex",
                "rw_lock",
                "condvar",
                "barrier",
                "once_lock",
                "atomic",
                "channel",
                "unsafe_cell",
                "parker",
                "arc",
            ],
        );
        round_trips(
            &[
                ThreadState::Running,
                ThreadState::Blocked,
                ThreadState::Finished,
            ],
            &["running", "blocked", "finished"],
        );
        round_trips(
            &[
                WaitKind::Lock,
                WaitKind::ReadLock,
                WaitKind::WriteLock,
                WaitKind::Condvar,
                WaitKind::Join,
                WaitKind::Recv,
                WaitKind::Send,
                WaitKind::Barrier,
                WaitKind::Park,
                WaitKind::OnceLock,
            ],
            &[
                "lock",
                "read_lock",
                "write_lock",
                "condvar",
                "join",
                "recv",
                "send",
                "barrier",
                "park",
                "once_lock",
            ],
        );
        round_trips(&[AccessKind::Read, AccessKind::Write], &["read", "write"]);
    }

    #[test]
    fn scheduler_keywords() {
        assert_eq!(SchedulerKind::Pct { depth: 3 }.to_keyword(), "pct:3");
        assert_eq!(
            SchedulerKind::from_keyword("pct:12"),
            Some(SchedulerKind::Pct { depth: 12 })
        );
        assert_eq!(
            SchedulerKind::from_keyword("random"),
            Some(SchedulerKind::Random)
        );
        assert_eq!(SchedulerKind::from_keyword("dfs"), Some(SchedulerKind::Dfs));
        assert_eq!(
            SchedulerKind::from_keyword("dpor"),
            Some(SchedulerKind::Dpor)
        );
        for bad in [
            "pct",
            "pct:",
            "pct:+3",
            "pct:-1",
            "PCT:3",
            "pct:99999999999999999999999",
        ] {
            assert_eq!(SchedulerKind::from_keyword(bad), None, "{bad}");
        }
    }

    #[test]
    fn atomic_values_are_strings() {
        for (value, text) in [
            (Value::Bool(true), "true"),
            (Value::Bool(false), "false"),
            (Value::Int(0), "0"),
            (Value::Int(-17), "-17"),
            (
                Value::Int(i128::MIN),
                "-170141183460469231731687303715884105728",
            ),
            (
                Value::Int(i128::MAX),
                "170141183460469231731687303715884105727",
            ),
            (Value::Ptr(0), "0x0"),
            (Value::Ptr(0xdead_beef), "0xdeadbeef"),
        ] {
            assert_eq!(value.to_keyword(), text);
            assert_eq!(Value::from_keyword(text), Some(value), "{text}");
        }
        for bad in [
            "",
            "-",
            "+1",
            "0x",
            "0xg",
            "1.5",
            "True",
            "170141183460469231731687303715884105728",
            " 1",
        ] {
            assert_eq!(Value::from_keyword(bad), None, "{bad}");
        }
    }

    #[test]
    fn snake_case_of_debug_names() {
        assert_eq!(snake_case("OnceLock"), "once_lock");
        assert_eq!(snake_case("Mutex"), "mutex");
        assert_eq!(snake_case("Foo { x: 1 }"), "foo");
    }

    #[test]
    fn op_kinds_are_snake_case() {
        let json = serde_json::to_string(&OpRecord::TryLock { acquired: true }).unwrap();
        assert_eq!(json, r#"{"kind":"try_lock","acquired":true}"#);
        let json = serde_json::to_string(&OpRecord::Load {
            value: Value::Int(3),
        })
        .unwrap();
        assert_eq!(json, r#"{"kind":"load","value":"3"}"#);
        let json = serde_json::to_string(&OpRecord::CellWrite).unwrap();
        assert_eq!(json, r#"{"kind":"cell_write"}"#);
    }
}
