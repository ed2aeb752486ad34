use super::Loc;

/// Where a thread is at the end of the recorded execution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThreadState {
    /// Runnable, or running when the execution stopped.
    Running,
    /// Waiting on an object or another thread.
    Blocked,
    /// Its closure returned or panicked.
    Finished,
}

/// What a blocked thread waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum WaitKind {
    /// To acquire a mutex.
    Lock,
    /// To acquire an `RwLock` for reading.
    ReadLock,
    /// To acquire an `RwLock` for writing.
    WriteLock,
    /// For a notification on a condition variable.
    Condvar,
    /// For another thread to finish.
    Join,
    /// For a message on a channel.
    Recv,
    /// For room in a bounded channel.
    Send,
    /// For the other parties of a barrier.
    Barrier,
    /// For an `unpark`.
    Park,
    /// For another thread to finish initialising a `OnceLock`.
    OnceLock,
}

impl WaitKind {
    /// A verb phrase for the report: "waits for `x`" is built from it.
    pub fn describe(self) -> &'static str {
        match self {
            WaitKind::Lock => "waits to lock",
            WaitKind::ReadLock => "waits to read-lock",
            WaitKind::WriteLock => "waits to write-lock",
            WaitKind::Condvar => "waits for a notification on",
            WaitKind::Join => "waits to join",
            WaitKind::Recv => "waits to receive from",
            WaitKind::Send => "waits for room in",
            WaitKind::Barrier => "waits at",
            WaitKind::Park => "is parked, waiting for an unpark",
            WaitKind::OnceLock => "waits for the initialisation of",
        }
    }
}

/// What a blocked thread waits for, and since where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waiting {
    /// What it waits for.
    pub kind: WaitKind,
    /// The object waited on, if any.
    pub object: Option<usize>,
    /// The thread waited on (for a join).
    pub thread: Option<usize>,
    /// Where the wait was called.
    pub at: Loc,
    /// A notification (a message, the barrier's last party, a
    /// `notify_*`) has woken it and it has not run since: it no longer
    /// waits for anything, whatever `kind` says.
    pub woken: bool,
}

/// A lock a thread holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Held {
    /// The lock's object id.
    pub object: usize,
    /// Where it was acquired.
    pub at: Loc,
    /// Whether it is held shared (an `RwLock` read lock).
    pub shared: bool,
}

/// A thread of the execution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThreadInfo {
    /// Index in [`super::ExecutionLog::threads`]; 0 is the model's main thread.
    pub id: usize,
    /// The name from `Builder::name`, or `main` / `thread-<id>`.
    pub name: String,
    /// State when the execution stopped.
    pub state: ThreadState,
    /// Locks held when the execution stopped.
    pub holds: Vec<Held>,
    /// What it waited for when the execution stopped.
    pub waiting: Option<Waiting>,
    /// Where it was spawned (none for main).
    pub spawned_at: Option<Loc>,
    /// Whether someone joined it.
    pub joined: bool,
}
