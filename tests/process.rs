//! `process::Process` on real OS processes.
//!
//! A `harness = false` test binary: it is re-executed as every child, so its
//! `main` dispatches the child first (`process::main`) and only then runs
//! the tests (see `process_support`).

mod process_support;

use std::time::Duration;

use serde::ser::{Error as _, Serialize, Serializer};
use serde::Deserialize;
use weft_patterns::process::{
    self, Connection, Entry, ExitStatus, Process, ProcessError, Queue, RecvError, SendError,
    CHILD_ENV,
};

use process_support::{live_children, pid_exists, Test};

fn greet(name: String) -> String {
    format!("hello {name}")
}

fn fail(reason: String) -> u32 {
    panic!("{reason}")
}

fn sleep_forever(_: ()) {
    loop {
        std::thread::sleep(Duration::from_secs(3600));
    }
}

fn abort(_: ()) -> u32 {
    process::abort()
}

fn exit_with(code: i32) -> u32 {
    process::exit(code)
}

/// A result whose `Serialize` always fails.
#[derive(Debug, Deserialize)]
struct Unserializable;

impl Serialize for Unserializable {
    fn serialize<S: Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        Err(S::Error::custom("this value refuses to be serialised"))
    }
}

fn unserializable(_: ()) -> Unserializable {
    Unserializable
}

fn reverse(mut bytes: Vec<u8>) -> Vec<u8> {
    bytes.reverse();
    bytes
}

fn zeros(len: usize) -> Vec<u8> {
    vec![0; len]
}

fn chatty(lines: u32) -> u32 {
    for i in 0..lines {
        println!("child line {i}: this goes to stdout, not into the protocol pipe");
    }
    lines
}

/// Starts a grandchild from inside a child.
fn nested(x: u64) -> u64 {
    let mut p = Process::new(&SQUARE, x).with_name("grandchild");
    p.start().expect("grandchild starts");
    p.join().expect("grandchild replies") + 1
}

fn square(x: u64) -> u64 {
    x * x
}

static GREET: Entry<String, String> = weft_patterns::process_entry!(greet);
static FAIL: Entry<String, u32> = weft_patterns::process_entry!(fail);
static SLEEP_FOREVER: Entry<(), ()> = weft_patterns::process_entry!(sleep_forever);
static ABORT: Entry<(), u32> = weft_patterns::process_entry!(abort);
static EXIT_WITH: Entry<i32, u32> = weft_patterns::process_entry!(exit_with);
static UNSERIALIZABLE: Entry<(), Unserializable> = weft_patterns::process_entry!(unserializable);
static REVERSE: Entry<Vec<u8>, Vec<u8>> = weft_patterns::process_entry!(reverse);
static ZEROS: Entry<usize, Vec<u8>> = weft_patterns::process_entry!(zeros);
static CHATTY: Entry<u32, u32> = weft_patterns::process_entry!(chatty);
static NESTED: Entry<u64, u64> = weft_patterns::process_entry!(nested);
static SQUARE: Entry<u64, u64> = weft_patterns::process_entry!(square);
/// Puts `0..n` on the queue and returns `n`.
fn produce((queue, n): (Queue<u64>, u64)) -> u64 {
    for i in 0..n {
        queue.put(i).expect("put");
    }
    n
}

/// Puts `0..n` and exits at once, without returning: the last message must
/// still reach the reader.
fn produce_and_exit((queue, n): (Queue<u64>, u64)) -> u64 {
    for i in 0..n {
        queue.put(i).expect("put");
    }
    process::exit(0)
}

/// Reads the queue until every writer is gone; returns the sum and count.
fn consume(queue: Queue<u64>) -> (u64, u64) {
    queue.close();
    let mut sum = 0;
    let mut count = 0;
    loop {
        match queue.get() {
            Ok(i) => {
                sum += i;
                count += 1;
            }
            Err(RecvError::Closed) => return (sum, count),
            Err(e) => panic!("{e}"),
        }
    }
}

/// Answers each line with its length until the other end closes.
fn measure(conn: Connection<String>) -> u32 {
    let mut answered = 0;
    while let Ok(line) = conn.recv() {
        conn.send(line.len().to_string()).expect("send");
        answered += 1;
    }
    answered
}

/// Starts a daemon child that sleeps forever and returns its pid, leaving
/// it running when this process exits.
fn start_daemon(_: ()) -> u32 {
    let mut p = Process::new(&SLEEP_FOREVER, ()).daemon(true);
    p.start().expect("daemon starts");
    let pid = p.pid().expect("a real pid");
    // Not killed by `Drop`: only the parent's end may end it.
    std::mem::forget(p);
    pid
}

/// Runs this binary with `--list` through `std::process::Command`: the
/// grandchild inherits `WEFT_PROCESS_CHILD` but is not a weft child.
fn list_through_command(_: ()) -> String {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .arg("--list")
        .output()
        .expect("the listing runs");
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        out.status.code().unwrap_or(-1)
    )
}

static PRODUCE: Entry<(Queue<u64>, u64), u64> = weft_patterns::process_entry!(produce);
static PRODUCE_AND_EXIT: Entry<(Queue<u64>, u64), u64> =
    weft_patterns::process_entry!(produce_and_exit);
static CONSUME: Entry<Queue<u64>, (u64, u64)> = weft_patterns::process_entry!(consume);
static MEASURE: Entry<Connection<String>, u32> = weft_patterns::process_entry!(measure);
static START_DAEMON: Entry<(), u32> = weft_patterns::process_entry!(start_daemon);
static LIST_THROUGH_COMMAND: Entry<(), String> =
    weft_patterns::process_entry!(list_through_command);
/// Deliberately missing from `process::main`'s list.
static UNREGISTERED: Entry<u64, u64> = weft_patterns::process_entry!("unregistered", square);

/// The environment variable that makes this binary try to start a child
/// without dispatching first (see `a_child_that_does_not_dispatch_cannot_start_children`).
const UNDISPATCHED_PROBE: &str = "WEFT_TEST_UNDISPATCHED_PROBE";

fn main() {
    if std::env::var_os(UNDISPATCHED_PROBE).is_some() {
        // What a child whose `main` forgot `process::main` does.
        let mut p = Process::new(&GREET, "loop".to_string());
        println!("probe: {:?}", p.start());
        std::process::exit(0);
    }
    process::main(&[
        &PRODUCE,
        &PRODUCE_AND_EXIT,
        &CONSUME,
        &MEASURE,
        &START_DAEMON,
        &LIST_THROUGH_COMMAND,
        &GREET,
        &FAIL,
        &SLEEP_FOREVER,
        &ABORT,
        &EXIT_WITH,
        &UNSERIALIZABLE,
        &REVERSE,
        &ZEROS,
        &CHATTY,
        &NESTED,
        &SQUARE,
    ]);
    let tests: &[Test] = &[
        (
            "result_comes_back_from_the_child",
            result_comes_back_from_the_child,
        ),
        (
            "child_is_a_real_process_with_its_own_pid",
            child_is_a_real_process_with_its_own_pid,
        ),
        (
            "panic_message_comes_back_as_an_error",
            panic_message_comes_back_as_an_error,
        ),
        ("kill_reports_sigkill", kill_reports_sigkill),
        (
            "external_kill_9_reports_sigkill",
            external_kill_9_reports_sigkill,
        ),
        ("terminate_reports_sigterm", terminate_reports_sigterm),
        ("abort_reports_sigabrt", abort_reports_sigabrt),
        ("exit_code_is_reported", exit_code_is_reported),
        (
            "unserializable_result_is_an_error",
            unserializable_result_is_an_error,
        ),
        ("ten_megabytes_round_trip", ten_megabytes_round_trip),
        (
            "argument_over_the_limit_is_refused_before_spawning",
            argument_over_the_limit_is_refused_before_spawning,
        ),
        (
            "result_over_the_limit_is_refused_by_the_child",
            result_over_the_limit_is_refused_by_the_child,
        ),
        (
            "unregistered_entry_is_named_in_the_error",
            unregistered_entry_is_named_in_the_error,
        ),
        (
            "child_output_does_not_corrupt_the_protocol",
            child_output_does_not_corrupt_the_protocol,
        ),
        (
            "a_child_can_start_its_own_child",
            a_child_can_start_its_own_child,
        ),
        (
            "start_twice_and_join_unstarted_are_errors",
            start_twice_and_join_unstarted_are_errors,
        ),
        (
            "signals_after_the_end_are_no_ops",
            signals_after_the_end_are_no_ops,
        ),
        (
            "dropping_a_running_process_kills_and_reaps_it",
            dropping_a_running_process_kills_and_reaps_it,
        ),
        (
            "a_child_that_does_not_dispatch_cannot_start_children",
            a_child_that_does_not_dispatch_cannot_start_children,
        ),
        (
            "malformed_child_env_exits_with_70",
            malformed_child_env_exits_with_70,
        ),
        (
            "queue_carries_a_childs_messages_in_order",
            queue_carries_a_childs_messages_in_order,
        ),
        (
            "queue_keeps_the_last_message_of_a_writer_that_exits",
            queue_keeps_the_last_message_of_a_writer_that_exits,
        ),
        ("queue_connects_two_children", queue_connects_two_children),
        ("pipe_talks_both_ways", pipe_talks_both_ways),
        (
            "queue_cannot_travel_outside_a_process_argument",
            queue_cannot_travel_outside_a_process_argument,
        ),
        (
            "join_timeout_gives_back_a_running_process",
            join_timeout_gives_back_a_running_process,
        ),
        ("exitcode_is_pythons", exitcode_is_pythons),
        (
            "a_daemon_dies_with_its_parent",
            a_daemon_dies_with_its_parent,
        ),
        (
            "a_wrong_test_path_is_an_error_in_the_parent",
            a_wrong_test_path_is_an_error_in_the_parent,
        ),
        (
            "a_grandchild_started_by_command_is_not_a_child",
            a_grandchild_started_by_command_is_not_a_child,
        ),
        ("no_child_is_left_behind", no_child_is_left_behind),
    ];
    process_support::run(tests)
}

fn result_comes_back_from_the_child() {
    let mut p = Process::new(&GREET, "bob".to_string()).with_name("greeter");
    assert_eq!(p.name(), "greeter");
    assert_eq!(p.pid(), None);
    assert!(!p.is_alive());
    p.start().unwrap();
    assert_eq!(p.join().unwrap(), "hello bob");
}

fn child_is_a_real_process_with_its_own_pid() {
    let mut p = Process::new(&SLEEP_FOREVER, ());
    p.start().unwrap();
    let pid = p.pid().expect("a started process has a pid");
    assert_ne!(pid, std::process::id());
    assert!(pid_exists(pid));
    assert!(p.is_alive());
    assert_eq!(p.exit_status(), None);
    p.kill().unwrap();
    let err = p.join().unwrap_err();
    assert!(
        matches!(
            err,
            ProcessError::Died {
                status: ExitStatus::Signaled(9),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(!pid_exists(pid), "joined child {pid} must be reaped");
}

fn panic_message_comes_back_as_an_error() {
    let mut p = Process::new(&FAIL, "the disk is full".to_string()).with_name("unlucky");
    p.start().unwrap();
    match p.join() {
        Err(ProcessError::Panicked { name, message }) => {
            assert_eq!(name, "unlucky");
            assert_eq!(message, "the disk is full");
        }
        other => panic!("expected a panic, got {other:?}"),
    }
}

fn kill_reports_sigkill() {
    let mut p = Process::new(&SLEEP_FOREVER, ()).with_name("sleeper");
    p.start().unwrap();
    let pid = p.pid().unwrap();
    p.kill().unwrap();
    let err = p.join().unwrap_err();
    match &err {
        ProcessError::Died {
            name,
            pid: Some(got),
            status,
        } => {
            assert_eq!(
                (name.as_str(), *got, *status),
                ("sleeper", pid, ExitStatus::Signaled(9))
            );
        }
        other => panic!("expected Died, got {other:?}"),
    }
    assert_eq!(
        err.to_string(),
        format!("process `sleeper` (pid {pid}) was killed by signal 9 (SIGKILL) before replying")
    );
}

fn external_kill_9_reports_sigkill() {
    let mut p = Process::new(&SLEEP_FOREVER, ());
    p.start().unwrap();
    process_support::send_signal(p.pid().unwrap(), libc::SIGKILL);
    let err = p.join().unwrap_err();
    assert!(
        matches!(
            err,
            ProcessError::Died {
                status: ExitStatus::Signaled(9),
                ..
            }
        ),
        "{err:?}"
    );
}

fn terminate_reports_sigterm() {
    let mut p = Process::new(&SLEEP_FOREVER, ());
    p.start().unwrap();
    p.terminate().unwrap();
    let err = p.join().unwrap_err();
    assert!(
        matches!(
            err,
            ProcessError::Died {
                status: ExitStatus::Signaled(15),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .ends_with("was killed by signal 15 (SIGTERM) before replying"),
        "{err}"
    );
}

fn abort_reports_sigabrt() {
    let mut p = Process::new(&ABORT, ());
    p.start().unwrap();
    let err = p.join().unwrap_err();
    assert!(
        matches!(
            err,
            ProcessError::Died {
                status: ExitStatus::Signaled(6),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("signal 6 (SIGABRT)"), "{err}");
}

fn exit_code_is_reported() {
    let mut p = Process::new(&EXIT_WITH, 3);
    p.start().unwrap();
    let err = p.join().unwrap_err();
    assert!(
        matches!(
            err,
            ProcessError::Died {
                status: ExitStatus::Exited(3),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .ends_with("exited with code 3 before replying"),
        "{err}"
    );
}

fn unserializable_result_is_an_error() {
    let mut p = Process::new(&UNSERIALIZABLE, ());
    p.start().unwrap();
    match p.join() {
        Err(ProcessError::Serialization { message, .. }) => assert!(
            message.starts_with("the result could not be serialised:"),
            "{message}"
        ),
        other => panic!("expected a serialization error, got {other:?}"),
    }
}

fn ten_megabytes_round_trip() {
    let payload: Vec<u8> = (0..10 * 1024 * 1024).map(|i| (i % 251) as u8).collect();
    let mut expected = payload.clone();
    expected.reverse();
    let mut p = Process::new(&REVERSE, payload);
    p.start().unwrap();
    assert!(p.join().unwrap() == expected);
}

fn argument_over_the_limit_is_refused_before_spawning() {
    let mut p = Process::new(&REVERSE, vec![7u8; 2 << 20]).max_message_size(1 << 20);
    match p.start() {
        Err(ProcessError::Serialization { message, .. }) => assert!(
            message.contains("exceeds the message limit of 1048576 bytes"),
            "{message}"
        ),
        other => panic!("expected a size error, got {other:?}"),
    }
    assert_eq!(p.pid(), None, "nothing was spawned");
}

fn result_over_the_limit_is_refused_by_the_child() {
    let mut p = Process::new(&ZEROS, 2 << 20).max_message_size(1 << 20);
    p.start().unwrap();
    match p.join() {
        Err(ProcessError::Serialization { message, .. }) => assert!(
            message.starts_with("the result of")
                && message.ends_with("exceeds the message limit of 1048576 bytes"),
            "{message}"
        ),
        other => panic!("expected a size error, got {other:?}"),
    }
}

fn unregistered_entry_is_named_in_the_error() {
    let mut p = Process::new(&UNREGISTERED, 2);
    p.start().unwrap();
    match p.join() {
        Err(ProcessError::UnknownEntry { entry, .. }) => assert_eq!(entry, "unregistered"),
        other => panic!("expected UnknownEntry, got {other:?}"),
    }
}

fn child_output_does_not_corrupt_the_protocol() {
    let mut p = Process::new(&CHATTY, 3);
    p.start().unwrap();
    assert_eq!(p.join().unwrap(), 3);
}

fn a_child_can_start_its_own_child() {
    let mut p = Process::new(&NESTED, 6);
    p.start().unwrap();
    assert_eq!(p.join().unwrap(), 37);
}

fn start_twice_and_join_unstarted_are_errors() {
    let mut p = Process::new(&GREET, "twice".to_string()).with_name("twice");
    p.start().unwrap();
    assert!(matches!(p.start(), Err(ProcessError::AlreadyStarted { ref name }) if name == "twice"));
    assert_eq!(p.join().unwrap(), "hello twice");
    let q = Process::new(&GREET, "never".to_string()).with_name("never");
    assert!(matches!(q.kill(), Err(ProcessError::NotStarted { ref name }) if name == "never"));
    assert!(matches!(q.join(), Err(ProcessError::NotStarted { ref name }) if name == "never"));
}

fn signals_after_the_end_are_no_ops() {
    let mut p = Process::new(&EXIT_WITH, 5);
    p.start().unwrap();
    // Wait for the end without joining: `exit_status` reaps once it has ended.
    let status = loop {
        if let Some(status) = p.exit_status() {
            break status;
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    assert_eq!(status, ExitStatus::Exited(5));
    assert!(!p.is_alive());
    p.kill().unwrap();
    p.terminate().unwrap();
    let err = p.join().unwrap_err();
    assert!(
        matches!(
            err,
            ProcessError::Died {
                status: ExitStatus::Exited(5),
                ..
            }
        ),
        "{err:?}"
    );
}

fn dropping_a_running_process_kills_and_reaps_it() {
    let mut p = Process::new(&SLEEP_FOREVER, ());
    p.start().unwrap();
    let pid = p.pid().unwrap();
    drop(p);
    assert!(
        !pid_exists(pid),
        "dropped child {pid} must be killed and reaped"
    );
}

fn a_child_that_does_not_dispatch_cannot_start_children() {
    // A copy of this binary that believes it is our child (the variable
    // names this process as its parent) and starts a process without
    // dispatching first. The environment goes to that copy only.
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .env(CHILD_ENV, format!("3,4,{}", std::process::id()))
        .env(UNDISPATCHED_PROBE, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("probe: Err(NotDispatched)"), "{stdout}");
}

fn malformed_child_env_exits_with_70() {
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .env(CHILD_ENV, "not-descriptors")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(70));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("bad WEFT_PROCESS_CHILD"), "{stderr}");
}

fn no_child_is_left_behind() {
    // Every test above joined or dropped its processes: none may remain,
    // not even as a zombie.
    let mut ps: Vec<_> = (0..4)
        .map(|i| {
            let mut p = Process::new(&SQUARE, i);
            p.start().unwrap();
            p
        })
        .collect();
    let pids: Vec<u32> = ps.iter().map(|p| p.pid().unwrap()).collect();
    let results: Vec<u64> = ps.drain(..).map(|p| p.join().unwrap()).collect();
    assert_eq!(results, [0, 1, 4, 9]);
    for pid in pids {
        assert!(!pid_exists(pid), "child {pid} was not reaped");
    }
    assert_eq!(live_children(), Vec::<u32>::new());
}

/// Runs `test` with a watchdog: a test that hangs aborts the binary with
/// its name instead of hanging the run.
fn watched(name: &'static str, test: impl FnOnce()) {
    let (done, finished) = std::sync::mpsc::channel::<()>();
    let watchdog = std::thread::spawn(move || {
        if finished.recv_timeout(Duration::from_secs(60))
            == Err(std::sync::mpsc::RecvTimeoutError::Timeout)
        {
            eprintln!("test {name} hung for 60 s: aborting");
            std::process::abort();
        }
    });
    test();
    drop(done);
    watchdog.join().unwrap();
}

/// Reads `queue` until it is closed.
fn drain(queue: &Queue<u64>) -> Vec<u64> {
    let mut got = Vec::new();
    loop {
        match queue.get() {
            Ok(i) => got.push(i),
            Err(RecvError::Closed) => return got,
            Err(e) => panic!("{e}"),
        }
    }
}

fn queue_carries_a_childs_messages_in_order() {
    watched("queue_carries_a_childs_messages_in_order", || {
        let queue = Queue::new().unwrap();
        // More than a pipe holds: the parent reads while the child writes.
        let mut p = Process::new(&PRODUCE, (queue.clone(), 20_000));
        p.start().unwrap();
        queue.close();
        assert_eq!(drain(&queue), (0..20_000).collect::<Vec<u64>>());
        assert_eq!(p.join().unwrap(), 20_000);
        assert!(matches!(queue.put(1), Err(SendError::Closed)));
    });
}

fn queue_keeps_the_last_message_of_a_writer_that_exits() {
    watched(
        "queue_keeps_the_last_message_of_a_writer_that_exits",
        || {
            for _ in 0..20 {
                let queue = Queue::new().unwrap();
                let mut p = Process::new(&PRODUCE_AND_EXIT, (queue.clone(), 3));
                p.start().unwrap();
                queue.close();
                // The child exits right after its last `put`: nothing is lost.
                assert_eq!(drain(&queue), [0, 1, 2]);
                let err = p.join().unwrap_err();
                assert!(
                    matches!(
                        err,
                        ProcessError::Died {
                            status: ExitStatus::Exited(0),
                            ..
                        }
                    ),
                    "{err:?}"
                );
            }
        },
    );
}

fn queue_connects_two_children() {
    watched("queue_connects_two_children", || {
        let queue = Queue::new().unwrap();
        let mut consumer = Process::new(&CONSUME, queue.clone()).with_name("consumer");
        let mut producer = Process::new(&PRODUCE, (queue.clone(), 1000)).with_name("producer");
        consumer.start().unwrap();
        producer.start().unwrap();
        // Only the two children hold the queue now.
        drop(queue);
        assert_eq!(producer.join().unwrap(), 1000);
        assert_eq!(consumer.join().unwrap(), ((0..1000).sum(), 1000));
    });
}

fn pipe_talks_both_ways() {
    watched("pipe_talks_both_ways", || {
        let (here, there) = process::pipe::<String>().unwrap();
        let mut p = Process::new(&MEASURE, there);
        p.start().unwrap();
        for word in ["a", "bcd", "efghij"] {
            here.send(word.to_string()).unwrap();
            assert_eq!(here.recv().unwrap(), word.len().to_string());
        }
        assert_eq!(
            here.recv_timeout(std::time::Duration::from_millis(20)),
            Err(RecvError::Empty)
        );
        here.close();
        assert_eq!(p.join().unwrap(), 3);
        // The child's end is gone with the child.
        assert_eq!(here.recv(), Err(RecvError::Closed));
    });
}

fn queue_cannot_travel_outside_a_process_argument() {
    let queue: Queue<u64> = Queue::new().unwrap();
    let inner = Queue::<Queue<u64>>::new().unwrap();
    match inner.put(queue) {
        Err(SendError::Serialization(message)) => assert!(
            message.contains("only inside the argument of `Process::new`"),
            "{message}"
        ),
        other => panic!("expected a serialization error, got {other:?}"),
    }
}

fn join_timeout_gives_back_a_running_process() {
    watched("join_timeout_gives_back_a_running_process", || {
        let mut p = Process::new(&SLEEP_FOREVER, ());
        p.start().unwrap();
        let t = std::time::Instant::now();
        let p = p
            .join_timeout(std::time::Duration::from_millis(100))
            .expect_err("a sleeping child does not answer");
        assert!(t.elapsed() >= std::time::Duration::from_millis(100));
        assert!(p.is_alive());
        p.kill().unwrap();
        let err = p
            .join_timeout(std::time::Duration::from_secs(30))
            .expect("a killed child ends")
            .unwrap_err();
        assert!(
            matches!(
                err,
                ProcessError::Died {
                    status: ExitStatus::Signaled(9),
                    ..
                }
            ),
            "{err:?}"
        );

        let mut q = Process::new(&SQUARE, 12);
        q.start().unwrap();
        let result = q
            .join_timeout(std::time::Duration::from_secs(30))
            .expect("answers in time");
        assert_eq!(result.unwrap(), 144);
    });
}

fn exitcode_is_pythons() {
    watched("exitcode_is_pythons", || {
        let mut p = Process::new(&SLEEP_FOREVER, ());
        assert_eq!(p.exitcode(), None);
        p.start().unwrap();
        assert_eq!(p.exitcode(), None);
        p.kill().unwrap();
        let code = loop {
            if let Some(code) = p.exitcode() {
                break code;
            }
            std::thread::sleep(Duration::from_millis(2));
        };
        assert_eq!(code, -9);
        let mut q = Process::new(&EXIT_WITH, 3);
        q.start().unwrap();
        let code = loop {
            if let Some(code) = q.exitcode() {
                break code;
            }
            std::thread::sleep(Duration::from_millis(2));
        };
        assert_eq!(code, 3);
    });
}

fn a_daemon_dies_with_its_parent() {
    watched("a_daemon_dies_with_its_parent", || {
        let mut parent = Process::new(&START_DAEMON, ()).with_name("daemon's parent");
        assert!(!Process::new(&SQUARE, 1).is_daemon());
        parent.start().unwrap();
        let daemon = parent.join().unwrap();
        // The daemon's parent has exited: the kernel kills the daemon, and
        // init reaps it.
        let t = std::time::Instant::now();
        while pid_exists(daemon) {
            assert!(
                t.elapsed() < Duration::from_secs(30),
                "daemon {daemon} outlived its parent"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    });
}

fn a_wrong_test_path_is_an_error_in_the_parent() {
    watched("a_wrong_test_path_is_an_error_in_the_parent", || {
        let mut p = Process::new(&SQUARE, 3)
            .with_name("misdirected")
            .child_args(["--exact", "no_such_test", "--nocapture"]);
        let err = p.start().unwrap_err();
        assert!(
            matches!(&err, ProcessError::UnknownTest { name, test } if name == "misdirected" && test == "no_such_test"),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "process `misdirected`: this binary has no test `no_such_test` for the child to run \
             (derive the path with `weft::process_entry!()` in the test itself)"
        );
        assert_eq!(p.pid(), None, "no child was started");
        // A path the binary has passes the check, and the child dispatches first.
        let mut q = Process::new(&SQUARE, 3).child_args([
            "--exact",
            "result_comes_back_from_the_child",
            "--nocapture",
        ]);
        q.start().unwrap();
        assert_eq!(q.join().unwrap(), 9);
    });
}

fn a_grandchild_started_by_command_is_not_a_child() {
    watched("a_grandchild_started_by_command_is_not_a_child", || {
        let mut p = Process::new(&LIST_THROUGH_COMMAND, ());
        p.start().unwrap();
        let listing = p.join().unwrap();
        // It ran as a plain copy of this binary: it listed the tests and exited 0.
        assert!(
            listing.contains("result_comes_back_from_the_child: test") && listing.ends_with('0'),
            "{listing}"
        );
    });
}
