//! A child that is a real OS process (std mode; unix only).
//!
//! The parent re-executes its own binary (`std::env::current_exe()`, no
//! shell) with two pipes besides stdin/stdout/stderr: one carries requests
//! to the child, one carries responses back. Their descriptor numbers travel
//! in [`CHILD_ENV`]; every other descriptor of the parent is close-on-exec
//! and so never reaches the child. The child's stdin is `/dev/null`; its
//! stdout and stderr are the parent's, so an entry point may print freely.

use std::ffi::OsStr;
use std::fs::File;
use std::io::{self, BufReader, BufWriter};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, Stdio};

use weft_sync::sync::Mutex;

use super::carry::{Carried, Inbox};
use super::child::{Child, ChildControl, ChildInput, ChildOutput, SpawnSpec};
use super::dispatch::{lookup, undispatched_child, ChildEnd, CHILD_ENV};
use super::entry::EntryPoint;
use super::error::ExitStatus;
use super::frame::{self, FrameError};

/// Starts the current binary as a child process.
///
/// # Errors
///
/// Creating the pipes, finding the binary or spawning it failed; or this
/// process is itself a child that never dispatched (see [`CHILD_ENV`]).
pub(crate) fn spawn_inheriting(
    spec: &SpawnSpec,
    inherit: &[RawFd],
    daemon: bool,
) -> io::Result<Child> {
    if undispatched_child() {
        // A child whose `main` did not dispatch would start children
        // without end: refuse.
        return Err(io::Error::other(
            "this binary was started as a weft child process but its `main` does not call \
             `weft_patterns::process::main` first",
        ));
    }
    let exe = std::env::current_exe()?;
    if let Some(test) = exact_test(&spec.child_args) {
        super::test_entry::verify(&exe, test)?;
    }
    let (child_reads, parent_writes) = pipe()?;
    let (parent_reads, child_writes) = pipe()?;
    let (read_fd, write_fd) = (child_reads.as_raw_fd(), child_writes.as_raw_fd());
    let mut value = format!("{read_fd},{write_fd},{}", std::process::id());
    for fd in inherit {
        value.push_str(&format!(",{fd}"));
    }
    let mut command = Command::new(exe);
    command
        .args(&spec.child_args)
        .env(CHILD_ENV, value)
        .stdin(Stdio::null());
    let inherit = inherit.to_vec();
    // SAFETY: the closure runs in the forked child before `exec`, where only
    // async-signal-safe calls are allowed: it calls `fcntl` and `prctl`
    // only, and reads `inherit`, allocated before the fork. The
    // descriptors are valid there: `child_reads` and `child_writes` stay
    // open in the parent until `spawn` has returned, and the caller keeps
    // the inherited ends (queues, pipes) open across this call, so the fork
    // copied them all.
    unsafe {
        command.pre_exec(move || {
            keep_across_exec(read_fd)?;
            keep_across_exec(write_fd)?;
            for &fd in &inherit {
                keep_across_exec(fd)?;
            }
            if daemon {
                die_with_parent()?;
            }
            Ok(())
        });
    }
    let process = command.spawn()?;
    // The child holds its own copies now; ours must go, or the child's exit
    // would never look like an end of stream to the parent.
    drop(child_reads);
    drop(child_writes);
    let pid = process.id();
    Ok(Child {
        input: Box::new(OsInput(BufWriter::with_capacity(
            1 << 16,
            File::from(parent_writes),
        ))),
        output: Box::new(OsOutput(BufReader::with_capacity(
            1 << 16,
            File::from(parent_reads),
        ))),
        control: std::sync::Arc::new(OsControl {
            pid,
            process: Mutex::new(process).named("process"),
        }),
    })
}

/// The test a libtest-style `--exact <path>` in `args` selects.
fn exact_test(args: &[std::ffi::OsString]) -> Option<&str> {
    let at = args.iter().position(|a| a == "--exact")?;
    args.iter()
        .skip(at + 1)
        .filter_map(|a| a.to_str())
        .find(|a| !a.starts_with('-'))
}

/// Asks the kernel to kill this (forked, not yet exec'd) child with
/// `SIGKILL` when its parent thread ends (Linux); elsewhere, nothing.
fn die_with_parent() -> io::Result<()> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        // SAFETY: `prctl(PR_SET_PDEATHSIG)` takes integers, touches no
        // memory and is async-signal-safe.
        if unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong) } == -1 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// A pipe, both ends close-on-exec: `(read end, write end)`.
pub(crate) fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0 as RawFd; 2];
    // SAFETY: `pipe2` writes two descriptors into the array we own; on
    // success they are open and owned by nobody else. `O_CLOEXEC` sets
    // close-on-exec atomically, so a fork by another thread cannot leak them.
    #[cfg(any(target_os = "linux", target_os = "android", target_os = "freebsd"))]
    let rc = unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) };
    // SAFETY: as above, without the atomic flag: close-on-exec is set right
    // after (a fork by another thread in between could leak the ends).
    #[cfg(not(any(target_os = "linux", target_os = "android", target_os = "freebsd")))]
    let rc = unsafe { libc::pipe(fds.as_mut_ptr()) };
    if rc == -1 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: both descriptors were just created by `pipe2`/`pipe` and are
    // owned by nothing else.
    let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    close_on_exec(read.as_raw_fd())?;
    close_on_exec(write.as_raw_fd())?;
    Ok((read, write))
}

/// Clears close-on-exec on `fd` (in the forked child only).
fn keep_across_exec(fd: RawFd) -> io::Result<()> {
    // SAFETY: `fcntl(F_SETFD)` on a descriptor this process owns; it touches
    // no memory and is async-signal-safe.
    if unsafe { libc::fcntl(fd, libc::F_SETFD, 0) } == -1 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Sets close-on-exec on `fd`, so that processes the child starts do not inherit it.
fn close_on_exec(fd: RawFd) -> io::Result<()> {
    // SAFETY: as in `keep_across_exec`.
    if unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) } == -1 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

struct OsInput(BufWriter<File>);

impl ChildInput for OsInput {
    fn send(&mut self, frame: Vec<u8>, _code: Option<&'static dyn EntryPoint>) -> io::Result<()> {
        frame::write_frame(&mut self.0, &frame)
    }
}

struct OsOutput(BufReader<File>);

impl ChildOutput for OsOutput {
    fn recv(&mut self, limit: u64) -> Result<Option<Vec<u8>>, FrameError> {
        frame::read_frame(&mut self.0, limit)
    }

    fn wait(&mut self, timeout: std::time::Duration) -> bool {
        !self.0.buffer().is_empty() || readable(self.0.get_ref(), timeout)
    }
}

/// Waits at most `timeout` until `file` has bytes, or its end, to read
/// (an error counts as ready: the read reports it).
pub(crate) fn readable(file: &File, timeout: std::time::Duration) -> bool {
    let deadline = std::time::Instant::now() + timeout;
    loop {
        let mut fd = libc::pollfd {
            fd: file.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        // Rounded up, so that a wait never ends before its deadline.
        let left = i32::try_from(left.as_nanos().div_ceil(1_000_000)).unwrap_or(i32::MAX);
        // SAFETY: `poll` reads and writes the one `pollfd` we own (a length
        // of 1); its descriptor is open, owned by `file`.
        let rc = unsafe { libc::poll(&mut fd, 1, left) };
        match rc {
            -1 if io::Error::last_os_error().kind() == io::ErrorKind::Interrupted => continue,
            0 if left > 0 => continue,
            0 => return false,
            _ => return true,
        }
    }
}

struct OsControl {
    pid: u32,
    /// Locked to signal (only while not yet reaped, so the pid is still
    /// ours) and to reap.
    process: Mutex<std::process::Child>,
}

fn status_of(status: std::process::ExitStatus) -> ExitStatus {
    match (status.code(), status.signal()) {
        (Some(code), _) => ExitStatus::Exited(code),
        (None, Some(signal)) => ExitStatus::Signaled(signal),
        (None, None) => ExitStatus::Exited(-1),
    }
}

impl OsControl {
    fn lock(&self) -> weft_sync::sync::MutexGuard<'_, std::process::Child> {
        self.process
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Blocks until the child has ended, without reaping it (so its pid
    /// stays reserved) and without holding the lock.
    fn wait_for_end(&self) -> io::Result<()> {
        loop {
            // SAFETY: `siginfo_t` is plain data, valid all-zero; `waitid`
            // writes into the one we own. `WNOWAIT` leaves the child a zombie,
            // so `std::process::Child` can still reap it.
            let rc = unsafe {
                let mut info: libc::siginfo_t = std::mem::zeroed();
                libc::waitid(
                    libc::P_PID,
                    self.pid as libc::id_t,
                    &mut info,
                    libc::WEXITED | libc::WNOWAIT,
                )
            };
            if rc == 0 {
                return Ok(());
            }
            let err = io::Error::last_os_error();
            match err.raw_os_error() {
                Some(libc::EINTR) => continue,
                // Already reaped by another waiter: its status is cached.
                Some(libc::ECHILD) => return Ok(()),
                _ => return Err(err),
            }
        }
    }
}

impl ChildControl for OsControl {
    fn pid(&self) -> Option<u32> {
        Some(self.pid)
    }

    fn signal(&self, signal: i32) -> io::Result<bool> {
        let mut process = self.lock();
        if process.try_wait()?.is_some() {
            return Ok(false);
        }
        // SAFETY: `kill` touches no memory. The pid is still this child's:
        // it has not been reaped (checked under the lock that reaping takes).
        if unsafe { libc::kill(self.pid as libc::pid_t, signal) } == -1 {
            return Err(io::Error::last_os_error());
        }
        Ok(true)
    }

    fn try_wait(&self) -> io::Result<Option<ExitStatus>> {
        Ok(self.lock().try_wait()?.map(status_of))
    }

    fn wait(&self) -> io::Result<ExitStatus> {
        self.wait_for_end()?;
        Ok(status_of(self.lock().wait()?))
    }
}

/// What [`CHILD_ENV`] says: `"<read>,<write>,<parent pid>[,<inherited>...]"`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct ChildEnv {
    read: RawFd,
    write: RawFd,
    /// The pid of the process that started this one.
    parent: u32,
    /// Queue and pipe ends this child inherited, in the argument's order.
    inherited: Vec<RawFd>,
}

impl ChildEnv {
    /// Parses the variable's value.
    ///
    /// # Errors
    ///
    /// `InvalidInput` naming the value when it is malformed.
    pub(crate) fn parse(value: &OsStr) -> io::Result<Self> {
        let bad = || io::Error::new(io::ErrorKind::InvalidInput, format!("{value:?}"));
        let text = value.to_str().ok_or_else(bad)?;
        let mut fields = text.split(',');
        let mut number =
            || -> io::Result<i64> { fields.next().and_then(|f| f.parse().ok()).ok_or_else(bad) };
        let (read, write, parent) = (number()?, number()?, number()?);
        let fd = |n: i64| {
            RawFd::try_from(n)
                .ok()
                .filter(|fd| *fd >= 0)
                .ok_or_else(bad)
        };
        let env = ChildEnv {
            read: fd(read)?,
            write: fd(write)?,
            parent: u32::try_from(parent).map_err(|_| bad())?,
            inherited: text
                .split(',')
                .skip(3)
                .map(|f| f.parse::<i64>().map_err(|_| bad()).and_then(fd))
                .collect::<io::Result<_>>()?,
        };
        let mut all = vec![env.read, env.write];
        all.extend(&env.inherited);
        all.sort_unstable();
        if all.windows(2).any(|w| w[0] == w[1]) {
            return Err(bad());
        }
        Ok(env)
    }

    /// Whether this process is the child the variable describes: its
    /// parent is the process that set it. A process started some other
    /// way by such a child (`std::process::Command`) inherits the variable
    /// but has another parent, and is not a weft child.
    pub(crate) fn is_ours(&self) -> bool {
        // SAFETY: `getppid` takes nothing and cannot fail.
        let parent = unsafe { libc::getppid() };
        u32::try_from(parent) == Ok(self.parent)
    }

    /// Whether the process that set the variable no longer exists (this
    /// child was orphaned before it could dispatch).
    pub(crate) fn parent_is_gone(&self) -> bool {
        // SAFETY: signal 0 checks that the process exists; nothing is sent.
        let rc = unsafe { libc::kill(self.parent as libc::pid_t, 0) };
        rc == -1 && io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH)
    }
}

/// The child's two pipes, found from [`CHILD_ENV`], and its inherited ends.
pub(crate) struct ChildPipes<'a> {
    input: BufReader<File>,
    output: BufWriter<File>,
    entries: &'a [&'static dyn EntryPoint],
    inherited: Vec<OwnedFd>,
}

impl<'a> ChildPipes<'a> {
    /// Takes ownership of the descriptors `env` names.
    ///
    /// # Errors
    ///
    /// The OS's error when a descriptor is not open.
    pub(crate) fn from_env(
        env: &ChildEnv,
        entries: &'a [&'static dyn EntryPoint],
    ) -> io::Result<Self> {
        let mut all = vec![env.read, env.write];
        all.extend(&env.inherited);
        for &fd in &all {
            close_on_exec(fd)?;
        }
        // SAFETY: the parent opened these descriptors for this process alone
        // and named them in `CHILD_ENV`; `process::main` parses that value
        // once and calls us once, so nothing else here owns them; they are
        // open (`fcntl` just succeeded on each) and distinct (`parse`
        // refuses duplicates).
        let mut owned: Vec<OwnedFd> = all
            .into_iter()
            .map(|fd| unsafe { OwnedFd::from_raw_fd(fd) })
            .collect();
        let inherited = owned.split_off(2);
        let output = File::from(owned.pop().expect("two descriptors"));
        let input = File::from(owned.pop().expect("two descriptors"));
        Ok(ChildPipes {
            input: BufReader::with_capacity(1 << 16, input),
            output: BufWriter::with_capacity(1 << 16, output),
            entries,
            inherited,
        })
    }
}

impl ChildEnd for ChildPipes<'_> {
    fn recv(&mut self) -> Result<Option<Vec<u8>>, FrameError> {
        // The parent checks sizes before sending; a child trusts its parent.
        frame::read_frame(&mut self.input, u64::MAX)
    }

    fn send(&mut self, frame: Vec<u8>) -> io::Result<()> {
        frame::write_frame(&mut self.output, &frame)
    }

    fn resolve(&self, name: &str) -> Option<&'static dyn EntryPoint> {
        lookup(self.entries, name)
    }

    fn inbox(&mut self) -> Inbox {
        Inbox(
            self.inherited
                .drain(..)
                .map(|fd| Some(Carried::Fd(fd)))
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_child_variable_names_pipes_parent_and_inherited_ends() {
        let env = ChildEnv::parse(OsStr::new("5,6,42,7,9")).unwrap();
        assert_eq!(
            env,
            ChildEnv {
                read: 5,
                write: 6,
                parent: 42,
                inherited: vec![7, 9],
            }
        );
        for bad in ["", "3,4", "3,3,1", "3,4,1,4", "3,-4,1", "a,b,c", "3,4,1,x"] {
            assert!(ChildEnv::parse(OsStr::new(bad)).is_err(), "{bad:?}");
        }
    }
}
