//! A tiny test runner for the `harness = false` test binaries that start
//! child processes (`tests/process.rs`, `tests/process_pool.rs`).
//!
//! Such a binary is re-executed as each child, so its own `main` must call
//! `weft_patterns::process::main` before anything else; libtest's `main`
//! cannot. This runner then does what libtest would: runs each test (one at
//! a time, so that "no child left behind" checks see only their own
//! children), catches its panic, and ends with libtest's `test result:` line.
//!
//! Arguments: words are substring filters; `--exact` makes them exact;
//! `--list` lists the tests (`name: test`, as libtest and nextest expect);
//! other flags (`--nocapture`, `--test-threads=..`) are accepted and ignored.

#![allow(dead_code)]

use std::panic::{self, AssertUnwindSafe};
use std::time::Instant;

/// A named test function.
pub(crate) type Test = (&'static str, fn());

/// Runs the selected tests and exits with 0 when all passed, 1 otherwise.
///
/// Under a checker feature (`--features loom` or `shuttle`) processes are
/// isolated threads that only a model can run: these real-process tests are
/// then skipped (the models in `models/process_pool.rs` cover that mode).
pub(crate) fn run(tests: &[Test]) -> ! {
    let backend = weft_sync::explore::Backend::current();
    if backend != weft_sync::explore::Backend::Std {
        println!("\nreal-process tests are skipped on the {backend} backend");
        println!(
            "test result: ok. 0 passed; 0 failed; {} ignored; 0 measured; 0 filtered out; \
             finished in 0.00s\n",
            tests.len()
        );
        std::process::exit(0);
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let exact = args.iter().any(|a| a == "--exact");
    let list = args.iter().any(|a| a == "--list");
    let ignored_only = args.iter().any(|a| a == "--ignored");
    let mut filters = Vec::new();
    let mut skip_value = false;
    for arg in &args {
        if skip_value {
            skip_value = false;
            continue;
        }
        if matches!(
            arg.as_str(),
            "--format" | "--test-threads" | "--color" | "--skip" | "-Z"
        ) {
            skip_value = true;
        } else if !arg.starts_with('-') {
            filters.push(arg.as_str());
        }
    }
    let selected: Vec<&Test> = tests
        .iter()
        .filter(|(name, _)| {
            filters.is_empty()
                || filters
                    .iter()
                    .any(|f| if exact { name == f } else { name.contains(f) })
        })
        .filter(|_| !ignored_only)
        .collect();
    if list {
        for (name, _) in &selected {
            println!("{name}: test");
        }
        std::process::exit(0);
    }
    println!("\nrunning {} tests", selected.len());
    let start = Instant::now();
    let mut failed = Vec::new();
    for (name, test) in &selected {
        let t = Instant::now();
        match panic::catch_unwind(AssertUnwindSafe(test)) {
            Ok(()) => println!("test {name} ... ok ({:.0?})", t.elapsed()),
            Err(payload) => {
                let message = payload
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                println!("test {name} ... FAILED: {message}");
                failed.push(*name);
            }
        }
    }
    let passed = selected.len() - failed.len();
    println!();
    for name in &failed {
        println!("failed: {name}");
    }
    // libtest's own closing line, so that tools reading `cargo test` output count these too.
    println!(
        "test result: {}. {passed} passed; {} failed; 0 ignored; 0 measured; {} filtered out; \
         finished in {:.2}s\n",
        if failed.is_empty() { "ok" } else { "FAILED" },
        failed.len(),
        tests.len() - selected.len(),
        start.elapsed().as_secs_f64()
    );
    std::process::exit(if failed.is_empty() { 0 } else { 1 })
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
