//! Any trace weft can hold is written and read back equal; the file's
//! layout is the documented one.

mod trace_support;

use proptest::prelude::*;
use weft_check::trace::{
    read_trace, trace_file_stem, write_trace, AccessRecord, AtomicRecord, BlockedRecord,
    CycleEdgeRecord, FailureRecord, HeldRecord, LocationRecord, NamedLockRecord, ObjectRecord,
    OpRecord, RaceRecord, StepRecord, ThreadRecord, Trace, TraceFormat, WaitingRecord, FORMAT,
};
use weft_check::{AccessKind, Backend, FailureKind, Model, Scheduler};
use weft_sync::explore::{Decision, ScheduleRecord};
use weft_sync::record::{ObjectKind, ThreadState, Value, WaitKind};

use trace_support::{philosophers_trace, TempDir};

/// Any text, including quotes, backslashes, control and non-ASCII characters.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-z_\\[\\]0-9:/.-]{0,12}",
        1 => any::<String>(),
    ]
}

fn location() -> impl Strategy<Value = LocationRecord> {
    (text(), any::<u32>(), any::<u32>()).prop_map(|(file, line, column)| LocationRecord {
        file,
        line,
        column,
    })
}

fn failure_kind() -> impl Strategy<Value = FailureKind> {
    prop::sample::select(vec![
        FailureKind::Assertion,
        FailureKind::Deadlock,
        FailureKind::DataRace,
        FailureKind::StepLimit,
        FailureKind::LeakedThread,
        FailureKind::Leak,
        FailureKind::NotCaught,
        FailureKind::Unsupported,
        FailureKind::ReplayDiverged,
    ])
}

fn wait_kind() -> impl Strategy<Value = WaitKind> {
    prop::sample::select(vec![
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
    ])
}

fn object_kind() -> impl Strategy<Value = ObjectKind> {
    prop::sample::select(vec![
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
    ])
}

fn scheduler() -> impl Strategy<Value = Scheduler> {
    prop_oneof![
        Just(Scheduler::Random),
        Just(Scheduler::Dfs),
        any::<usize>().prop_map(|depth| Scheduler::Pct { depth }),
    ]
}

fn schedule() -> impl Strategy<Value = ScheduleRecord> {
    let decision = prop_oneof![
        any::<usize>().prop_map(Decision::Task),
        any::<u64>().prop_map(Decision::Random),
    ];
    prop_oneof![
        any::<usize>().prop_map(|iteration| ScheduleRecord::Std { iteration }),
        (
            any::<usize>(),
            any::<Option<usize>>(),
            prop::option::of(0usize..1000)
        )
            .prop_map(|(execution, preemption_bound, pos)| ScheduleRecord::Loom {
                execution,
                preemption_bound,
                // loom's checkpoint path, as JSON.
                path: pos.map(|p| format!(r#"{{"preemption_bound":null,"pos":{p}}}"#)),
            }),
        (any::<u64>(), prop::collection::vec(decision, 0..40))
            .prop_map(|(seed, decisions)| ScheduleRecord::Shuttle { seed, decisions }),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<bool>().prop_map(Value::Bool),
        any::<i128>().prop_map(Value::Int),
        any::<usize>().prop_map(Value::Ptr),
    ]
}

fn op() -> impl Strategy<Value = OpRecord> {
    prop_oneof![
        prop::sample::select(vec![
            OpRecord::Acquire,
            OpRecord::Lock,
            OpRecord::Unlock,
            OpRecord::ReadLock,
            OpRecord::WriteLock,
            OpRecord::ReadUnlock,
            OpRecord::WriteUnlock,
            OpRecord::Wait,
            OpRecord::NotifyOne,
            OpRecord::NotifyAll,
            OpRecord::Fence,
            OpRecord::Send,
            OpRecord::Recv,
            OpRecord::RecvEmpty,
            OpRecord::Finish,
            OpRecord::Panic,
            OpRecord::Park,
            OpRecord::Yield,
            OpRecord::Sleep,
            OpRecord::CellRead,
            OpRecord::CellWrite,
            OpRecord::BarrierWait,
            OpRecord::BarrierPass,
            OpRecord::OnceInit,
        ]),
        any::<bool>().prop_map(|acquired| OpRecord::TryLock { acquired }),
        any::<bool>().prop_map(|timed_out| OpRecord::Woken { timed_out }),
        any::<bool>().prop_map(|ok| OpRecord::CompareExchange { ok }),
        value().prop_map(|value| OpRecord::Load { value }),
        value().prop_map(|value| OpRecord::Store { value }),
        value().prop_map(|value| OpRecord::Rmw { value }),
        any::<usize>().prop_map(|child| OpRecord::Spawn { child }),
        any::<usize>().prop_map(|child| OpRecord::Join { child }),
        (any::<usize>(), any::<bool>())
            .prop_map(|(child, finished)| OpRecord::IsFinished { child, finished }),
        any::<usize>().prop_map(|target| OpRecord::Unpark { target }),
        text().prop_map(|message| OpRecord::Trace { message }),
        (any::<usize>(), any::<usize>())
            .prop_map(|(values, chosen)| OpRecord::Choose { values, chosen }),
    ]
}

fn named_lock() -> impl Strategy<Value = NamedLockRecord> {
    (text(), location()).prop_map(|(object, acquired_at)| NamedLockRecord {
        object,
        acquired_at,
    })
}

fn access() -> impl Strategy<Value = AccessRecord> {
    (
        any::<usize>(),
        prop::sample::select(vec![AccessKind::Read, AccessKind::Write]),
        location(),
    )
        .prop_map(|(thread, kind, location)| AccessRecord {
            thread,
            kind,
            location,
        })
}

fn failure() -> impl Strategy<Value = FailureRecord> {
    let race =
        (any::<usize>(), access(), access()).prop_map(|(object, first, second)| RaceRecord {
            object,
            first,
            second,
        });
    let edge = (
        text(),
        prop::option::of(named_lock()),
        text(),
        location(),
        text(),
    )
        .prop_map(
            |(thread, holds, waits_for, waits_at, held_by)| CycleEdgeRecord {
                thread,
                holds,
                waits_for,
                waits_at,
                held_by,
            },
        );
    let blocked = (
        text(),
        wait_kind(),
        text(),
        location(),
        prop::collection::vec(named_lock(), 0..3),
    )
        .prop_map(|(thread, kind, waits_for, at, holds)| BlockedRecord {
            thread,
            kind,
            waits_for,
            at,
            holds,
        });
    (
        failure_kind(),
        text(),
        any::<Option<usize>>(),
        prop::option::of(location()),
        prop::option::of(race),
        prop::option::of(prop::collection::vec(edge, 0..4)),
        prop::collection::vec(blocked, 0..4),
    )
        .prop_map(
            |(kind, message, thread, location, race, cycle, blocked)| FailureRecord {
                kind,
                message,
                thread,
                location,
                race,
                cycle,
                blocked,
            },
        )
}

/// Thread `id` of a trace with `count` threads: a wait names one of them.
fn thread(id: usize, count: usize) -> impl Strategy<Value = ThreadRecord> {
    let held = (any::<usize>(), location(), any::<bool>())
        .prop_map(|(object, at, shared)| HeldRecord { object, at, shared });
    let waiting = (
        wait_kind(),
        any::<Option<usize>>(),
        prop::option::of(0..count),
        location(),
        any::<bool>(),
    )
        .prop_map(|(kind, object, thread, at, woken)| WaitingRecord {
            kind,
            object,
            thread,
            at,
            woken,
        });
    (
        text(),
        prop::sample::select(vec![
            ThreadState::Running,
            ThreadState::Blocked,
            ThreadState::Finished,
        ]),
        prop::collection::vec(held, 0..3),
        prop::option::of(waiting),
        prop::option::of(location()),
        any::<bool>(),
    )
        .prop_map(
            move |(name, state, holds, waiting, spawned_at, joined)| ThreadRecord {
                id,
                name,
                state,
                holds,
                waiting,
                spawned_at,
                joined,
            },
        )
}

fn threads() -> impl Strategy<Value = Vec<ThreadRecord>> {
    (0..6usize).prop_flat_map(|count| (0..count).map(|id| thread(id, count)).collect::<Vec<_>>())
}

fn objects() -> impl Strategy<Value = Vec<ObjectRecord>> {
    prop::collection::vec((object_kind(), prop::option::of(text()), location()), 0..6).prop_map(
        |objects| {
            objects
                .into_iter()
                .enumerate()
                .map(|(id, (kind, name, created_at))| ObjectRecord {
                    id,
                    kind,
                    name,
                    created_at,
                })
                .collect()
        },
    )
}

fn step() -> impl Strategy<Value = StepRecord> {
    (
        any::<usize>(),
        any::<usize>(),
        op(),
        any::<Option<usize>>(),
        location(),
        proptest::option::of(atomic()),
    )
        .prop_map(|(step, thread, op, object, location, atomic)| StepRecord {
            step,
            thread,
            op,
            object,
            location,
            atomic,
        })
}

/// An atomic operation as weft records it: a method it knows, orderings
/// as Rust spells them, values as `value` is written.
fn atomic() -> impl Strategy<Value = AtomicRecord> {
    let order = || {
        prop::sample::select(vec!["Relaxed", "Release", "Acquire", "AcqRel", "SeqCst"])
            .prop_map(str::to_string)
    };
    let value = || proptest::option::of(any::<i64>().prop_map(|v| v.to_string()));
    (
        prop::sample::select(weft_sync::record::ATOMIC_METHODS.to_vec()).prop_map(str::to_string),
        order(),
        proptest::option::of(order()),
        value(),
        value(),
        value(),
    )
        .prop_map(
            |(method, order, failure_order, read, written, expected)| AtomicRecord {
                method,
                order,
                failure_order,
                read,
                written,
                expected,
            },
        )
}

/// Any trace a reader accepts: ids are positions, waits name threads that
/// exist, and the backend and seed follow the schedule.
fn trace() -> impl Strategy<Value = Trace> {
    (
        (
            text(),
            text(),
            prop::option::of(text()),
            scheduler(),
            any::<usize>(),
        ),
        schedule(),
        failure(),
        threads(),
        objects(),
        prop::collection::vec(step(), 0..30),
    )
        .prop_map(
            |(
                (weft_version, model, test, scheduler, executions),
                schedule,
                failure,
                threads,
                objects,
                steps,
            )| {
                let (backend, seed) = match &schedule {
                    ScheduleRecord::Std { .. } => (Backend::Std, None),
                    ScheduleRecord::Loom { .. } => (Backend::Loom, None),
                    ScheduleRecord::Shuttle { seed, .. } => (Backend::Shuttle, Some(*seed)),
                };
                Trace {
                    format: TraceFormat::V1,
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
                    planned_executions: executions.checked_add(1),
                    minimized: None,
                    weak_memory: None,
                    read_from: None,
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_trace_is_written_and_read_back_equal(trace in trace()) {
        let dir = TempDir::new("trace-roundtrip");
        let path = write_trace(dir.path(), &trace).unwrap();
        let back = read_trace(&path).unwrap();
        prop_assert_eq!(back.read_from.as_deref(), Some(path.as_path()));
        prop_assert_eq!(&back, &trace);
        // Nothing but the trace is left in the directory (no temporary file).
        let entries: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        prop_assert_eq!(entries.len(), 1);
    }

    #[test]
    fn any_trace_survives_its_json_text(trace in trace()) {
        prop_assert_eq!(Trace::from_json(&trace.to_json()).unwrap(), trace);
    }

    #[test]
    fn any_trace_rebuilds_its_failure_and_report(trace in trace()) {
        let failure = trace.to_failure();
        prop_assert_eq!(failure.kind(), trace.failure.kind);
        prop_assert_eq!(failure.model_name(), trace.model.as_str());
        prop_assert_eq!(failure.steps().len(), trace.steps.len());
        // The report of any readable trace renders without panicking.
        let report = failure.to_string();
        prop_assert!(!report.is_empty());
        // Back to a trace: equal, except the derived fields, recomputed.
        let mut again = Trace::from_failure(&failure);
        again.weft_version = trace.weft_version.clone();
        let mut expected = trace.clone();
        expected.failure.cycle = again.failure.cycle.clone();
        expected.failure.blocked = again.failure.blocked.clone();
        prop_assert_eq!(again, expected);
    }
}

#[test]
fn a_real_failure_is_written_and_read_back_equal() {
    let failure = Model::new()
        .name("roundtrip::panics")
        .iterations(3)
        .explore(|| panic!("expected \"quoted\" panic\nline two"))
        .unwrap_err();
    let trace = Trace::from_failure(&failure);
    assert_eq!(trace.weft_version, env!("CARGO_PKG_VERSION"));
    assert_eq!(trace.model, "roundtrip::panics");
    assert_eq!(trace.failure.message, "expected \"quoted\" panic\nline two");
    let dir = TempDir::new("trace-real");
    let path = write_trace(dir.path(), &trace).unwrap();
    // The model's name, made safe, and a hash of the test's path.
    assert_eq!(
        trace.test.as_deref(),
        Some("a_real_failure_is_written_and_read_back_equal")
    );
    let file = path.file_name().unwrap().to_str().unwrap();
    assert!(
        file.starts_with("roundtrip__panics-") && file.len() == "roundtrip__panics-".len() + 8 + 5,
        "{file}"
    );
    let back = read_trace(&path).unwrap();
    assert_eq!(back, trace);
    let rebuilt = back.to_failure();
    assert_eq!(rebuilt.message(), failure.message());
    assert_eq!(rebuilt.kind(), failure.kind());
    assert_eq!(rebuilt.schedule(), failure.schedule());
    assert_eq!(rebuilt.trace_path(), Some(path.as_path()));
}

#[test]
fn a_second_failure_of_a_model_replaces_its_trace() {
    let dir = TempDir::new("trace-replace");
    let mut trace = philosophers_trace();
    let first = write_trace(dir.path(), &trace).unwrap();
    trace.executions = 99;
    let second = write_trace(dir.path(), &trace).unwrap();
    assert_eq!(first, second);
    assert_eq!(read_trace(&second).unwrap().executions, 99);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

/// One test's trace on loom and on shuttle: two files, where the second
/// replaced the first and the first report then named a trace of the
/// other backend.
#[test]
fn one_tests_traces_on_two_backends_are_two_files() {
    let dir = TempDir::new("trace-backends");
    let mut trace = philosophers_trace();
    trace.backend = Backend::Shuttle;
    let shuttle = write_trace(dir.path(), &trace).unwrap();
    trace.backend = Backend::Loom;
    trace.seed = None;
    trace.schedule = ScheduleRecord::Loom {
        execution: 1,
        preemption_bound: None,
        path: None,
    };
    let loom = write_trace(dir.path(), &trace).unwrap();
    assert_ne!(shuttle, loom);
    assert_eq!(read_trace(&shuttle).unwrap().backend, Backend::Shuttle);
    assert_eq!(read_trace(&loom).unwrap().backend, Backend::Loom);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
}

#[test]
fn write_creates_missing_directories() {
    let dir = TempDir::new("trace-mkdir");
    let nested = dir.path().join("a/b/c");
    let path = write_trace(&nested, &philosophers_trace()).unwrap();
    assert_eq!(
        path,
        nested.join(format!("{}.json", trace_file_stem(&philosophers_trace())))
    );
    assert!(path.is_file());
}

#[test]
fn fields_are_written_in_the_documented_order_one_step_per_line() {
    let json = philosophers_trace().to_json();
    assert!(
        json.starts_with(&format!(
            "{{\n  \"format\": \"{FORMAT}\",\n  \"weft_version\": "
        )),
        "{json}"
    );
    let order = [
        "format",
        "weft_version",
        "model",
        "test",
        "backend",
        "scheduler",
        "seed",
        "executions",
        "schedule",
        "failure",
        "threads",
        "objects",
        "steps",
    ];
    let positions: Vec<usize> = order
        .iter()
        .map(|key| {
            json.find(&format!("\n  \"{key}\": "))
                .unwrap_or_else(|| panic!("no top-level `{key}` in\n{json}"))
        })
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{json}");
    assert!(json.contains(
        "\n    {\"step\":4,\"thread\":1,\"op\":{\"kind\":\"lock\"},\"object\":0,\
         \"location\":{\"file\":\"models/philosophers.rs\",\"line\":16,\"column\":9}},\n"
    ));
    assert!(json.contains("\n  \"schedule\": \"shuttle:v1:seed=42:t0,t0,t0,t1,t1,t2,t2,t1,t2\",\n"));
    assert!(json.ends_with("\n}\n"));
}

#[test]
fn the_derived_cycle_names_the_philosophers_and_forks() {
    let trace = philosophers_trace();
    let cycle = trace.failure.cycle.as_ref().expect("a deadlock cycle");
    let words: Vec<(String, Option<String>, String, String)> = cycle
        .iter()
        .map(|e| {
            (
                e.thread.clone(),
                e.holds.as_ref().map(|h| h.object.clone()),
                e.waits_for.clone(),
                e.held_by.clone(),
            )
        })
        .collect();
    assert_eq!(
        words,
        vec![
            (
                "philosopher-0".to_string(),
                Some("fork[0]".to_string()),
                "fork[1]".to_string(),
                "philosopher-1".to_string()
            ),
            (
                "philosopher-1".to_string(),
                Some("fork[1]".to_string()),
                "fork[0]".to_string(),
                "philosopher-0".to_string()
            ),
        ]
    );
    assert_eq!(trace.failure.blocked.len(), 3);
}

/// docs/trace-format.md's example is exactly what weft writes for this trace.
#[test]
fn the_documented_example_is_what_weft_writes() {
    let doc_path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/trace-format.md");
    let doc = std::fs::read_to_string(doc_path).expect("docs/trace-format.md");
    let start_marker = "<!-- example-start -->\n```json\n";
    let start = doc.find(start_marker).expect("example start marker") + start_marker.len();
    let end = start
        + doc[start..]
            .find("```\n<!-- example-end -->")
            .expect("example end marker");
    let example = &doc[start..end];
    let trace = philosophers_trace();
    assert_eq!(
        example,
        trace.to_json(),
        "regenerate the example in {doc_path}"
    );
    assert_eq!(Trace::from_json(example).unwrap(), trace);
}
