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

use super::child::{Child, ChildControl, ChildInput, ChildOutput, SpawnSpec};
use super::dispatch::{lookup, ChildEnd, CHILD_ENV};
use super::entry::EntryPoint;
use super::error::ExitStatus;
use super::frame::{self, FrameError};

/// Starts the current binary as a child process.
///
/// # Errors
///
/// Creating the pipes, finding the binary or spawning it failed; or this
/// process is itself a child that never dispatched (see [`CHILD_ENV`]).
pub(crate) fn spawn(spec: &SpawnSpec) -> io::Result<Child> {
    if std::env::var_os(CHILD_ENV).is_some() {
        // A child whose `main` did not dispatch would start children
        // without end: refuse.
        return Err(io::Error::other(
            "this binary was started as a weft child process but its `main` does not call \
             `weft_patterns::process::main` first",
        ));
    }
    let exe = std::env::current_exe()?;
    let (child_reads, parent_writes) = pipe()?;
    let (parent_reads, child_writes) = pipe()?;
    let (read_fd, write_fd) = (child_reads.as_raw_fd(), child_writes.as_raw_fd());
    let mut command = Command::new(exe);
    command
        .args(&spec.child_args)
        .env(CHILD_ENV, format!("{read_fd},{write_fd}"))
        .stdin(Stdio::null());
    // SAFETY: the closure runs in the forked child before `exec`, where only
    // async-signal-safe calls are allowed: it calls `fcntl` only. The two
    // descriptors are valid there: `child_reads` and `child_writes` stay
    // open in the parent until `spawn` has returned, so the fork copied them.
    unsafe {
        command.pre_exec(move || {
            keep_across_exec(read_fd)?;
            keep_across_exec(write_fd)
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

/// A pipe, both ends close-on-exec: `(read end, write end)`.
fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
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

/// The child's two pipes, found from [`CHILD_ENV`].
pub(crate) struct ChildPipes<'a> {
    input: BufReader<File>,
    output: BufWriter<File>,
    entries: &'a [&'static dyn EntryPoint],
}

impl<'a> ChildPipes<'a> {
    /// Takes ownership of the descriptors named by `value` (`"<read>,<write>"`).
    ///
    /// # Errors
    ///
    /// `InvalidInput` when `value` is malformed, or the OS's error when a
    /// descriptor is not open.
    pub(crate) fn from_env(
        value: &OsStr,
        entries: &'a [&'static dyn EntryPoint],
    ) -> io::Result<Self> {
        let bad = || io::Error::new(io::ErrorKind::InvalidInput, format!("{value:?}"));
        let text = value.to_str().ok_or_else(bad)?;
        let (r, w) = text.split_once(',').ok_or_else(bad)?;
        let r: RawFd = r.parse().map_err(|_| bad())?;
        let w: RawFd = w.parse().map_err(|_| bad())?;
        if r == w || r < 0 || w < 0 {
            return Err(bad());
        }
        close_on_exec(r)?;
        close_on_exec(w)?;
        // SAFETY: the parent opened these two descriptors for this process
        // alone and named them in `CHILD_ENV`, which `process::main` removed
        // before calling us, so nothing else here knows or owns them; they are
        // open (`fcntl` just succeeded on each) and distinct.
        let (input, output) = unsafe { (File::from_raw_fd(r), File::from_raw_fd(w)) };
        Ok(ChildPipes {
            input: BufReader::with_capacity(1 << 16, input),
            output: BufWriter::with_capacity(1 << 16, output),
            entries,
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
}
