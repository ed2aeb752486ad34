//! One test in a process of its own: started in a new process group, read
//! line by line, and killed with its whole group at its timeout.

use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;

/// A test binary to start, with what it is given.
#[derive(Clone, Debug)]
pub(crate) struct TestCommand {
    /// The executable.
    pub(crate) program: PathBuf,
    /// Its arguments.
    pub(crate) args: Vec<String>,
    /// Variables to set.
    pub(crate) env: Vec<(String, String)>,
    /// The directory to run it in.
    pub(crate) cwd: PathBuf,
}

/// A line a process printed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Line {
    /// On stdout.
    Out(String),
    /// On stderr.
    Err(String),
}

impl Line {
    /// The text, whichever stream it came on.
    pub(crate) fn text(&self) -> &str {
        match self {
            Line::Out(t) | Line::Err(t) => t,
        }
    }
}

/// How a test process ended and what it printed.
#[derive(Debug)]
pub(crate) struct Finished {
    /// Every line, stdout and stderr, in the order they were read.
    pub(crate) lines: Vec<Line>,
    /// The exit status.
    pub(crate) status: ExitStatus,
    /// Whether it was killed at its timeout.
    pub(crate) timed_out: bool,
}

impl Finished {
    /// The stdout lines.
    pub(crate) fn stdout(&self) -> impl DoubleEndedIterator<Item = &str> {
        self.lines.iter().filter_map(|l| match l {
            Line::Out(t) => Some(t.as_str()),
            Line::Err(_) => None,
        })
    }

    /// The stderr lines.
    pub(crate) fn stderr(&self) -> impl DoubleEndedIterator<Item = &str> {
        self.lines.iter().filter_map(|l| match l {
            Line::Err(t) => Some(t.as_str()),
            Line::Out(_) => None,
        })
    }

    /// The name of the signal that ended the process (`SIGSEGV`), if one did.
    pub(crate) fn signal_name(&self) -> Option<String> {
        let sig = self.status.signal()?;
        Some(match Signal::try_from(sig) {
            Ok(s) => s.as_str().to_string(),
            Err(_) => format!("signal {sig}"),
        })
    }
}

/// Runs `cmd` in a new process group and kills the group (SIGKILL) if it
/// has not ended within `timeout`. Threads or processes the test started
/// in its group go with it.
///
/// # Errors
///
/// The I/O error when the program cannot start.
pub(crate) fn run(cmd: &TestCommand, timeout: Duration) -> std::io::Result<Finished> {
    let mut command = Command::new(&cmd.program);
    command
        .args(&cmd.args)
        .current_dir(&cmd.cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    for (k, v) in &cmd.env {
        command.env(k, v);
    }
    let mut child = command.spawn()?;
    let pid = Pid::from_raw(i32::try_from(child.id()).unwrap_or(i32::MAX));

    let (tx, rx) = mpsc::channel::<Line>();
    let readers = [
        child
            .stdout
            .take()
            .map(|s| spawn_reader(s, tx.clone(), Line::Out)),
        child
            .stderr
            .take()
            .map(|s| spawn_reader(s, tx.clone(), Line::Err)),
    ];
    drop(tx);

    let timed_out = Arc::new(AtomicBool::new(false));
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let watchdog = {
        let timed_out = Arc::clone(&timed_out);
        std::thread::spawn(move || {
            if let Err(mpsc::RecvTimeoutError::Timeout) = done_rx.recv_timeout(timeout) {
                timed_out.store(true, Ordering::SeqCst);
                // The group may be gone already; nothing more to do then.
                let _ = killpg(pid, Signal::SIGKILL);
            }
        })
    };

    let lines: Vec<Line> = rx.into_iter().collect();
    for reader in readers.into_iter().flatten() {
        // A reader only reads a pipe and sends lines; it cannot panic.
        let _ = reader.join();
    }
    let status = child.wait();
    drop(done_tx);
    let _ = watchdog.join();
    Ok(Finished {
        lines,
        status: status?,
        timed_out: timed_out.load(Ordering::SeqCst),
    })
}

fn spawn_reader<R: Read + Send + 'static>(
    stream: R,
    tx: mpsc::Sender<Line>,
    wrap: fn(String) -> Line,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stream);
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match reader.read_until(b'\n', &mut buf) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    if buf.last() == Some(&b'\n') {
                        buf.pop();
                    }
                    let text = String::from_utf8_lossy(&buf).into_owned();
                    if tx.send(wrap(text)).is_err() {
                        break;
                    }
                }
            }
        }
    })
}

/// Runs `job` on every item, at most `jobs` at once, calling `done` on
/// this thread as each finishes (for progress); returns the results in
/// the items' order.
pub(crate) fn run_all<T: Sync, R: Send>(
    items: &[T],
    jobs: usize,
    job: impl Fn(&T) -> R + Sync,
    mut done: impl FnMut(usize, &R),
) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::channel::<(usize, R)>();
    let mut results: Vec<Option<R>> = (0..items.len()).map(|_| None).collect();
    std::thread::scope(|scope| {
        for _ in 0..jobs.clamp(1, items.len().max(1)) {
            let tx = tx.clone();
            let (next, job) = (&next, &job);
            scope.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                if tx.send((i, job(item))).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        for (i, r) in rx {
            done(i, &r);
            results[i] = Some(r);
        }
    });
    results
        .into_iter()
        .map(|r| r.expect("every item was run"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_order_with_every_item_run_once() {
        let items: Vec<u64> = (0..20).collect();
        let mut seen = Vec::new();
        let out = run_all(&items, 3, |&i| i * 2, |i, _| seen.push(i));
        assert_eq!(out, items.iter().map(|i| i * 2).collect::<Vec<_>>());
        seen.sort_unstable();
        assert_eq!(seen, (0..20).collect::<Vec<usize>>());
        assert!(run_all(&[] as &[u8], 4, |_| (), |_, _| ()).is_empty());
    }

    #[test]
    fn at_most_jobs_items_run_at_once_and_that_many_do() {
        use std::sync::atomic::AtomicUsize;
        let running = AtomicUsize::new(0);
        let most = AtomicUsize::new(0);
        let items: Vec<u8> = vec![0; 12];
        run_all(
            &items,
            3,
            |_| {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(30));
                running.fetch_sub(1, Ordering::SeqCst);
            },
            |_, _| (),
        );
        assert_eq!(most.load(Ordering::SeqCst), 3);
    }

    #[test]
    fn a_process_past_its_timeout_is_killed_with_its_group() {
        let cmd = TestCommand {
            program: "sh".into(),
            // The shell's child sleeps in the same group, holding stdout.
            args: vec!["-c".into(), "echo started; sleep 30 & wait".into()],
            env: vec![],
            cwd: std::env::temp_dir(),
        };
        let start = std::time::Instant::now();
        let f = run(&cmd, Duration::from_millis(300)).unwrap();
        let elapsed = start.elapsed();
        assert!(f.timed_out);
        assert_eq!(f.signal_name().as_deref(), Some("SIGKILL"));
        assert_eq!(f.lines, [Line::Out("started".into())]);
        assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
    }

    #[test]
    fn stdout_and_stderr_are_both_kept() {
        let cmd = TestCommand {
            program: "sh".into(),
            args: vec!["-c".into(), "echo out; echo err >&2; exit 3".into()],
            env: vec![],
            cwd: std::env::temp_dir(),
        };
        let f = run(&cmd, Duration::from_secs(30)).unwrap();
        assert!(!f.timed_out);
        assert_eq!(f.status.code(), Some(3));
        assert_eq!(f.stdout().collect::<Vec<_>>(), ["out"]);
        assert_eq!(f.stderr().collect::<Vec<_>>(), ["err"]);
        assert_eq!(f.signal_name(), None);
    }
}
