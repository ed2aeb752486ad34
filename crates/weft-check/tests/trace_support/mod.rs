//! A small, realistic trace shared by the trace tests: two philosophers
//! deadlocked on shuttle.

#![allow(dead_code)]

use std::path::PathBuf;

use weft_check::trace::FailureRecord;
use weft_check::trace::{
    HeldRecord, LocationRecord, ObjectRecord, OpRecord, StepRecord, ThreadRecord, Trace,
    TraceFormat, WaitingRecord,
};
use weft_check::{Backend, FailureKind, Scheduler};
use weft_sync::explore::{Decision, ScheduleRecord};
use weft_sync::record::{ObjectKind, ThreadState, WaitKind};

pub(crate) fn at(line: u32, column: u32) -> LocationRecord {
    LocationRecord {
        file: "models/philosophers.rs".to_string(),
        line,
        column,
    }
}

fn step(step: usize, thread: usize, op: OpRecord, object: Option<usize>, line: u32) -> StepRecord {
    StepRecord {
        step,
        thread,
        op,
        object,
        location: at(line, 9),
        atomic: None,
    }
}

/// Two philosophers, each holding one fork and waiting for the other's;
/// main waits to join the first. `cycle` and `blocked` are what weft
/// derives from the threads.
pub(crate) fn philosophers_trace() -> Trace {
    let raw = Trace {
        format: TraceFormat::V1,
        weft_version: "0.1.0".to_string(),
        model: "philosophers".to_string(),
        test: Some("two_philosophers_deadlock".to_string()),
        backend: Backend::Shuttle,
        scheduler: Scheduler::Random,
        seed: Some(42),
        executions: 3,
        schedule: ScheduleRecord::Shuttle {
            seed: 42,
            decisions: [0, 0, 0, 1, 1, 2, 2, 1, 2]
                .into_iter()
                .map(Decision::Task)
                .collect(),
        },
        failure: FailureRecord {
            kind: FailureKind::Deadlock,
            message: "no thread can make progress".to_string(),
            thread: None,
            location: None,
            race: None,
            cycle: None,
            blocked: Vec::new(),
        },
        threads: vec![
            ThreadRecord {
                id: 0,
                name: "main".to_string(),
                state: ThreadState::Blocked,
                holds: vec![],
                waiting: Some(WaitingRecord {
                    kind: WaitKind::Join,
                    object: None,
                    thread: Some(1),
                    at: at(24, 11),
                    woken: false,
                }),
                spawned_at: None,
                joined: false,
            },
            ThreadRecord {
                id: 1,
                name: "philosopher-0".to_string(),
                state: ThreadState::Blocked,
                holds: vec![HeldRecord {
                    object: 0,
                    at: at(16, 29),
                    shared: false,
                }],
                waiting: Some(WaitingRecord {
                    kind: WaitKind::Lock,
                    object: Some(1),
                    thread: None,
                    at: at(17, 30),
                    woken: false,
                }),
                spawned_at: Some(at(14, 10)),
                joined: true,
            },
            ThreadRecord {
                id: 2,
                name: "philosopher-1".to_string(),
                state: ThreadState::Blocked,
                holds: vec![HeldRecord {
                    object: 1,
                    at: at(16, 29),
                    shared: false,
                }],
                waiting: Some(WaitingRecord {
                    kind: WaitKind::Lock,
                    object: Some(0),
                    thread: None,
                    at: at(17, 30),
                    woken: false,
                }),
                spawned_at: Some(at(14, 10)),
                joined: false,
            },
        ],
        objects: vec![
            ObjectRecord {
                id: 0,
                kind: ObjectKind::Mutex,
                name: Some("fork[0]".to_string()),
                created_at: at(10, 40),
            },
            ObjectRecord {
                id: 1,
                kind: ObjectKind::Mutex,
                name: Some("fork[1]".to_string()),
                created_at: at(10, 40),
            },
        ],
        steps: vec![
            step(1, 0, OpRecord::Spawn { child: 1 }, None, 14),
            step(2, 0, OpRecord::Spawn { child: 2 }, None, 14),
            step(3, 1, OpRecord::Acquire, Some(0), 16),
            step(4, 1, OpRecord::Lock, Some(0), 16),
            step(5, 2, OpRecord::Acquire, Some(1), 16),
            step(6, 2, OpRecord::Lock, Some(1), 16),
            step(7, 1, OpRecord::Acquire, Some(1), 17),
            step(8, 2, OpRecord::Acquire, Some(0), 17),
        ],
        planned_executions: None,
        minimized: None,
        weak_memory: None,
        read_from: None,
    };
    let mut trace = Trace::from_failure(&raw.to_failure());
    trace.weft_version = raw.weft_version;
    trace
}

/// A fresh directory under the system's temp dir, removed on drop.
pub(crate) struct TempDir(pub(crate) PathBuf);

impl TempDir {
    pub(crate) fn new(name: &str) -> TempDir {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "weft-{name}-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create a temp dir");
        TempDir(dir)
    }

    pub(crate) fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
