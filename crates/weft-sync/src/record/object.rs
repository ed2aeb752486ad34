use std::fmt;

use super::Loc;

/// What kind of primitive an object is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ObjectKind {
    /// `sync::Mutex`
    Mutex,
    /// `sync::RwLock`
    RwLock,
    /// `sync::Condvar`
    Condvar,
    /// `sync::Barrier`
    Barrier,
    /// `sync::OnceLock`
    OnceLock,
    /// any `sync::atomic` type
    Atomic,
    /// an `mpsc` channel
    Channel,
    /// `cell::UnsafeCell`
    Cell,
    /// a thread's parking token
    Parker,
    /// an `sync::Arc` allocation (its reference count)
    Arc,
}

impl ObjectKind {
    /// The kind's name as the report prints it.
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectKind::Mutex => "Mutex",
            ObjectKind::RwLock => "RwLock",
            ObjectKind::Condvar => "Condvar",
            ObjectKind::Barrier => "Barrier",
            ObjectKind::OnceLock => "OnceLock",
            ObjectKind::Atomic => "Atomic",
            ObjectKind::Channel => "Channel",
            ObjectKind::Cell => "UnsafeCell",
            ObjectKind::Parker => "Parker",
            ObjectKind::Arc => "Arc",
        }
    }
}

impl fmt::Display for ObjectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A primitive created during an execution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectInfo {
    /// Index in [`super::ExecutionLog::objects`].
    pub id: usize,
    /// What it is.
    pub kind: ObjectKind,
    /// The name given with `.named(..)`, if any.
    pub name: Option<String>,
    /// Where it was created.
    pub created_at: Loc,
}

impl ObjectInfo {
    /// The name a report uses: the given name, else `Kind@file:line`.
    pub fn display_name(&self) -> String {
        match &self.name {
            Some(n) => n.clone(),
            None => format!("{}@{}", self.kind, self.created_at),
        }
    }
}
