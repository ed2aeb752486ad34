//! The test runner of the `harness = false` test binaries that start
//! child processes (`tests/process.rs`, `tests/process_pool.rs`):
//! `libtest-mimic`, which reads libtest's arguments (filters, `--exact`,
//! `--skip`, `--list`, `--ignored`, `--format`, ...) and prints its output.
//!
//! Such a binary is re-executed as each child, so its own `main` must call
//! `weft_patterns::process::main` before anything else; libtest's `main`
//! cannot. The tests run one at a time, so that "no child left behind"
//! checks see only their own children.

#![allow(dead_code)]

use libtest_mimic::{Arguments, Trial};

/// A named test function.
pub(crate) type Test = (&'static str, fn());

/// Runs the tests that the command line selects, and exits with 0 when
/// all of them passed, 101 otherwise (as libtest does).
///
/// Under a checker feature (`--features loom` or `shuttle`) processes are
/// isolated threads that only a model can run: these real-process tests are
/// then listed as ignored (the models in `models/process_pool.rs` cover
/// that mode).
pub(crate) fn run(tests: &[Test]) -> ! {
    let mut args = Arguments::from_args();
    // One at a time: a test counts the children of this process.
    args.test_threads = Some(1);
    let backend = weft_sync::explore::Backend::current();
    let real_processes = backend == weft_sync::explore::Backend::Std;
    if !real_processes && !args.list {
        println!("real-process tests are ignored on the {backend} backend");
    }
    let trials = tests
        .iter()
        .map(|&(name, test)| {
            Trial::test(name, move || {
                test();
                Ok(())
            })
            .with_ignored_flag(!real_processes)
        })
        .collect();
    libtest_mimic::run(&args, trials).exit()
}

/// Whether a process with this pid exists (a zombie counts) — `kill(pid, 0)`.
pub(crate) fn pid_exists(pid: u32) -> bool {
    // SAFETY: signal 0 only checks that the process exists; nothing is sent.
    let rc = unsafe { libc::kill(pid as libc::pid_t, 0) };
    rc == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// Sends `signal` to `pid`.
pub(crate) fn send_signal(pid: u32, signal: i32) {
    // SAFETY: `kill` touches no memory; the pid is a child of this test that
    // has not been reaped (the caller holds its handle).
    let rc = unsafe { libc::kill(pid as libc::pid_t, signal) };
    assert_eq!(
        rc,
        0,
        "kill({pid}, {signal}): {}",
        std::io::Error::last_os_error()
    );
}

/// The pids of this process's children that still exist (zombies included),
/// found by scanning `/proc/*/stat` for our pid as parent.
pub(crate) fn live_children() -> Vec<u32> {
    let me = std::process::id();
    let mut children = Vec::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return children;
    };
    for entry in dir.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // `pid (comm) state ppid ...`; comm may contain spaces and parentheses.
        let Some(after) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
            continue;
        };
        let mut fields = after.split_whitespace();
        let _state = fields.next();
        if fields.next().and_then(|p| p.parse::<u32>().ok()) == Some(me) {
            children.push(pid);
        }
    }
    children
}
