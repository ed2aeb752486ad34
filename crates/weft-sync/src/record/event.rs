use std::fmt;
use std::sync::atomic::Ordering;

use super::Loc;

/// An operation on a primitive, as recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Op {
    /// Started to acquire a lock (the thread may block here).
    Acquire,
    /// Acquired a mutex.
    Lock,
    /// `try_lock`, and whether it acquired.
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
    /// Started waiting on a condition variable (and released its mutex).
    Wait,
    /// Returned from a wait, notified or timed out.
    Woken {
        /// Whether the wait timed out.
        timed_out: bool,
    },
    /// `notify_one`
    NotifyOne,
    /// `notify_all`
    NotifyAll,
    /// An atomic load, and the value read.
    Load(Value),
    /// An atomic store, and the value stored.
    Store(Value),
    /// An atomic read-modify-write (`fetch_*`, `swap`), and the value before.
    Rmw(Value),
    /// A compare-exchange, and whether it succeeded.
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
    /// `sleep`, a yield point under a checker.
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
    /// A user's `tracing` event, with its message.
    Trace(String),
    /// A `weft::rand::choose(values)` and the value it returned.
    Choose {
        /// How many values there were to choose from (`0..values`).
        values: usize,
        /// The value chosen.
        chosen: usize,
    },
}

impl Op {
    /// A short name for the operation (`lock`, `load`, `cell-write`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            Op::Acquire => "acquire",
            Op::Lock => "lock",
            Op::TryLock { .. } => "try-lock",
            Op::Unlock => "unlock",
            Op::ReadLock => "read-lock",
            Op::WriteLock => "write-lock",
            Op::ReadUnlock => "read-unlock",
            Op::WriteUnlock => "write-unlock",
            Op::Wait => "wait",
            Op::Woken { .. } => "woken",
            Op::NotifyOne => "notify-one",
            Op::NotifyAll => "notify-all",
            Op::Load(_) => "load",
            Op::Store(_) => "store",
            Op::Rmw(_) => "rmw",
            Op::CompareExchange { .. } => "compare-exchange",
            Op::Fence => "fence",
            Op::Send => "send",
            Op::Recv => "recv",
            Op::RecvEmpty => "recv-empty",
            Op::Spawn { .. } => "spawn",
            Op::Join { .. } => "join",
            Op::IsFinished { .. } => "is-finished",
            Op::Finish => "finish",
            Op::Panic => "panic",
            Op::Park => "park",
            Op::Unpark { .. } => "unpark",
            Op::Yield => "yield",
            Op::Sleep => "sleep",
            Op::CellRead => "cell-read",
            Op::CellWrite => "cell-write",
            Op::BarrierWait => "barrier-wait",
            Op::BarrierPass => "barrier-pass",
            Op::OnceInit => "once-init",
            Op::Trace(_) => "trace",
            Op::Choose { .. } => "choose",
        }
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Op::TryLock { acquired } => {
                write!(
                    f,
                    "try-lock ({})",
                    if *acquired { "acquired" } else { "busy" }
                )
            }
            Op::Woken { timed_out: true } => f.write_str("woken (timed out)"),
            Op::Woken { timed_out: false } => f.write_str("woken (notified)"),
            Op::Load(v) => write!(f, "load = {v}"),
            Op::Store(v) => write!(f, "store {v}"),
            Op::Rmw(v) => write!(f, "rmw (was {v})"),
            Op::CompareExchange { ok } => {
                write!(
                    f,
                    "compare-exchange ({})",
                    if *ok { "ok" } else { "failed" }
                )
            }
            Op::Spawn { child } => write!(f, "spawn thread {child}"),
            Op::Join { child } => write!(f, "join thread {child}"),
            Op::IsFinished { child, finished } => {
                write!(f, "is-finished thread {child} = {finished}")
            }
            Op::Unpark { target } => write!(f, "unpark thread {target}"),
            Op::Trace(msg) => write!(f, "trace: {msg}"),
            Op::Choose { values, chosen } => write!(f, "choose({values}) = {chosen}"),
            other => f.write_str(other.name()),
        }
    }
}

/// The value an atomic operation read or wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Value {
    /// An `AtomicBool`'s value.
    Bool(bool),
    /// An integer atomic's value.
    Int(i128),
    /// An `AtomicPtr`'s address.
    Ptr(usize),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Ptr(p) => write!(f, "{p:#x}"),
        }
    }
}

/// What an atomic operation did, as the code wrote it: the method, its
/// orderings, and the values read and written. A report prints it the way
/// the call reads: `store(Release) 1`, `load(Acquire) = 0`,
/// `fetch_add(Relaxed) 3 → 4`, `compare_exchange(AcqRel, Acquire) 3 → 4 ok`.
///
/// # Examples
///
/// ```
/// use std::sync::atomic::Ordering;
/// use weft_sync::record::{AtomicAccess, Value};
///
/// let cas = AtomicAccess {
///     method: "compare_exchange",
///     order: Ordering::AcqRel,
///     failure_order: Some(Ordering::Acquire),
///     read: Some(Value::Int(3)),
///     written: Some(Value::Int(4)),
///     expected: Some(Value::Int(3)),
/// };
/// assert_eq!(cas.to_string(), "compare_exchange(AcqRel, Acquire) 3 → 4 ok");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AtomicAccess {
    /// The method called: `load`, `store`, `swap`, `fetch_add`, ...,
    /// `compare_exchange`, `compare_exchange_weak`.
    pub method: &'static str,
    /// Its ordering (a compare-exchange's success ordering).
    pub order: Ordering,
    /// A compare-exchange's failure ordering.
    pub failure_order: Option<Ordering>,
    /// The value read (none for a store).
    pub read: Option<Value>,
    /// The value written (none for a load or a failed compare-exchange).
    pub written: Option<Value>,
    /// The value a compare-exchange expected.
    pub expected: Option<Value>,
}

/// The atomic methods a recorded step can name, so that a step read back
/// from a trace file names its method with a `&'static str` too.
pub const ATOMIC_METHODS: &[&str] = &[
    "load",
    "store",
    "swap",
    "fetch_add",
    "fetch_sub",
    "fetch_and",
    "fetch_nand",
    "fetch_or",
    "fetch_xor",
    "fetch_max",
    "fetch_min",
    "fetch_update",
    "compare_exchange",
    "compare_exchange_weak",
];

/// An ordering's name as the code spells it (`Relaxed`, `AcqRel`, ...).
pub fn ordering_name(order: Ordering) -> &'static str {
    match order {
        Ordering::Relaxed => "Relaxed",
        Ordering::Release => "Release",
        Ordering::Acquire => "Acquire",
        Ordering::AcqRel => "AcqRel",
        Ordering::SeqCst => "SeqCst",
        _ => "SeqCst",
    }
}

/// The ordering named `name` as the code spells it, if it is one.
pub fn ordering_from_name(name: &str) -> Option<Ordering> {
    Some(match name {
        "Relaxed" => Ordering::Relaxed,
        "Release" => Ordering::Release,
        "Acquire" => Ordering::Acquire,
        "AcqRel" => Ordering::AcqRel,
        "SeqCst" => Ordering::SeqCst,
        _ => return None,
    })
}

impl fmt::Display for AtomicAccess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({}", self.method, ordering_name(self.order))?;
        if let Some(failure) = self.failure_order {
            write!(f, ", {}", ordering_name(failure))?;
        }
        f.write_str(")")?;
        let cas = self.method.starts_with("compare_exchange");
        match (self.read, self.written) {
            (Some(read), Some(written)) if cas => write!(f, " {read} → {written} ok"),
            (Some(read), None) if cas => match self.expected {
                Some(expected) => write!(f, " {read} (expected {expected}) failed"),
                None => write!(f, " {read} failed"),
            },
            (Some(read), Some(written)) => write!(f, " {read} → {written}"),
            (Some(read), None) => write!(f, " = {read}"),
            (None, Some(written)) => write!(f, " {written}"),
            (None, None) => Ok(()),
        }
    }
}

/// One recorded step of an execution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// 1-based step number within the execution.
    pub step: usize,
    /// The thread that did it.
    pub thread: usize,
    /// What it did.
    pub op: Op,
    /// The object it did it to, if any.
    pub object: Option<usize>,
    /// Where in the source.
    pub location: Loc,
    /// For an atomic operation: its method, orderings and values.
    pub atomic: Option<AtomicAccess>,
}

impl Event {
    /// The operation as a report prints it: an atomic operation as the
    /// code wrote it (`store(Release) 1`), any other as [`Op`]'s `Display`.
    pub fn op_text(&self) -> String {
        match &self.atomic {
            Some(a) => a.to_string(),
            None => self.op.to_string(),
        }
    }
}
