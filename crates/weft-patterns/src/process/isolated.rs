//! A child that is an isolated thread (under a checker).
//!
//! The thread shares no memory with its parent: it receives whole frames
//! (postcard bytes, exactly what a pipe would carry) over one weft channel
//! and sends its answers over another, and runs the same serving loop as a
//! real child, so the checker explores the protocol itself. Only two things
//! travel besides bytes: the entry point a request names (code, which a real
//! child finds in its own copy of the binary) and the "kernel's" view of the
//! process — a pending signal and whether it has ended — in the control
//! block the parent signals and waits through.
//!
//! A signal cannot stop a thread in the middle of a computation: the child
//! notices it at its next receive or send and ends there, with the status
//! `Signaled(signal)`, as if the kernel had killed it at that point.

use std::io;
use std::panic::{self, AssertUnwindSafe};

use weft_sync::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use weft_sync::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use weft_sync::sync::{Arc, Mutex, MutexGuard};
use weft_sync::thread::{self, JoinHandle};

use super::carry::{Carried, Inbox};
use super::child::{Child, ChildControl, ChildInput, ChildOutput, SpawnSpec};
use super::dispatch::{serve, ChildEnd, PROTOCOL_FAILURE_EXIT};
use super::entry::EntryPoint;
use super::error::ExitStatus;
use super::exit::ExitRequest;
use super::frame::{self, FrameError};

/// What travels to the child.
enum Packet {
    /// A whole frame, and the entry point it names, if any.
    Frame(Vec<u8>, Option<&'static dyn EntryPoint>),
    /// The parent closed its input.
    Eof,
    /// A signal is pending: look at the control block.
    Wake,
    /// Queue and pipe ends for the next request's argument.
    Carry(Vec<Carried>),
}

/// The kernel's view of the process, shared by parent and child.
struct Control {
    /// The pending signal, 0 for none.
    signal: AtomicI32,
    /// Set by the child thread once it has closed its ends, just before it returns.
    ended: AtomicBool,
    /// Wakes the child when a signal is sent.
    wake: Mutex<Sender<Packet>>,
    /// The thread, until some waiter joins it; then its status.
    life: Mutex<Life>,
}

enum Life {
    Running(JoinHandle<ExitStatus>),
    Ended(ExitStatus),
}

/// Starts an isolated child thread named after the process.
///
/// # Errors
///
/// The thread could not be spawned.
pub(crate) fn spawn(spec: &SpawnSpec) -> io::Result<Child> {
    let (request_tx, request_rx) = channel::<Packet>();
    let request_rx = request_rx.named(format!("{}.requests", spec.name));
    let (reply_tx, reply_rx) = channel::<Vec<u8>>();
    let reply_rx = reply_rx.named(format!("{}.replies", spec.name));
    let control = Arc::new(Control {
        signal: AtomicI32::new(0).named(format!("{}.signal", spec.name)),
        ended: AtomicBool::new(false).named(format!("{}.ended", spec.name)),
        wake: Mutex::new(request_tx.clone()).named(format!("{}.wake", spec.name)),
        // Replaced right below, once the thread exists.
        life: Mutex::new(Life::Ended(ExitStatus::Exited(0))).named(format!("{}.life", spec.name)),
    });
    let end = IsolatedEnd {
        requests: request_rx,
        replies: reply_tx,
        control: Arc::clone(&control),
        code: Vec::new(),
        inbox: Vec::new(),
    };
    let handle = thread::Builder::new()
        .name(spec.name.clone())
        .spawn(move || run(end))?;
    *lock(&control.life) = Life::Running(handle);
    Ok(Child {
        input: Box::new(IsolatedInput(request_tx)),
        output: Box::new(IsolatedOutput(reply_rx, None)),
        control: std::sync::Arc::new(IsolatedControl(control)),
    })
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The child thread's body: serve, then turn how serving ended into an exit status.
fn run(mut end: IsolatedEnd) -> ExitStatus {
    let control = Arc::clone(&end.control);
    let served = panic::catch_unwind(AssertUnwindSafe(|| serve(&mut end)));
    // Closing our ends is what the parent sees as the process going away.
    drop(end);
    let signal = control.signal.load(Ordering::SeqCst);
    let status = match served {
        _ if signal != 0 => ExitStatus::Signaled(signal),
        Ok(Ok(())) => ExitStatus::Exited(0),
        Ok(Err(_)) => ExitStatus::Exited(PROTOCOL_FAILURE_EXIT),
        Err(payload) => match payload.downcast::<ExitRequest>() {
            Ok(request) => request.0,
            // Not the entry point's panic (that one is caught and sent back):
            // a bug in weft, for the checker to report.
            Err(payload) => panic::resume_unwind(payload),
        },
    };
    control.ended.store(true, Ordering::SeqCst);
    status
}

/// The child thread's end.
struct IsolatedEnd {
    requests: Receiver<Packet>,
    replies: Sender<Vec<u8>>,
    control: Arc<Control>,
    /// The entry points received so far: this process's "binary".
    code: Vec<&'static dyn EntryPoint>,
    /// Queue and pipe ends received for the next request.
    inbox: Vec<Option<Carried>>,
}

fn killed() -> io::Error {
    io::Error::other("killed by a signal")
}

impl IsolatedEnd {
    fn signaled(&self) -> bool {
        self.control.signal.load(Ordering::SeqCst) != 0
    }
}

impl ChildEnd for IsolatedEnd {
    fn recv(&mut self) -> Result<Option<Vec<u8>>, FrameError> {
        loop {
            if self.signaled() {
                return Err(killed().into());
            }
            match self.requests.recv() {
                Ok(Packet::Frame(frame, code)) => {
                    if let Some(code) = code {
                        if !self.code.iter().any(|c| c.name() == code.name()) {
                            self.code.push(code);
                        }
                    }
                    if self.signaled() {
                        return Err(killed().into());
                    }
                    return Ok(Some(frame));
                }
                Ok(Packet::Wake) => continue,
                Ok(Packet::Carry(carried)) => {
                    self.inbox.extend(carried.into_iter().map(Some));
                    continue;
                }
                Ok(Packet::Eof) | Err(_) => {
                    if self.signaled() {
                        return Err(killed().into());
                    }
                    return Ok(None);
                }
            }
        }
    }

    fn send(&mut self, frame: Vec<u8>) -> io::Result<()> {
        if self.signaled() {
            return Err(killed());
        }
        self.replies
            .send(frame)
            .map_err(|_| io::Error::from(io::ErrorKind::BrokenPipe))
    }

    fn resolve(&self, name: &str) -> Option<&'static dyn EntryPoint> {
        self.code.iter().copied().find(|c| c.name() == name)
    }

    fn inbox(&mut self) -> Inbox {
        Inbox(std::mem::take(&mut self.inbox))
    }
}

struct IsolatedInput(Sender<Packet>);

impl ChildInput for IsolatedInput {
    fn send(&mut self, frame: Vec<u8>, code: Option<&'static dyn EntryPoint>) -> io::Result<()> {
        self.0
            .send(Packet::Frame(frame, code))
            .map_err(|_| io::Error::from(io::ErrorKind::BrokenPipe))
    }

    fn carry(&mut self, carried: Vec<Carried>) -> io::Result<()> {
        if carried.is_empty() {
            return Ok(());
        }
        self.0
            .send(Packet::Carry(carried))
            .map_err(|_| io::Error::from(io::ErrorKind::BrokenPipe))
    }
}

impl Drop for IsolatedInput {
    fn drop(&mut self) {
        // The control block keeps a sender for signals, so the channel does
        // not disconnect by itself: say that the input is closed.
        let _ = self.0.send(Packet::Eof);
    }
}

struct IsolatedOutput(Receiver<Vec<u8>>, Option<Option<Vec<u8>>>);

impl ChildOutput for IsolatedOutput {
    fn wait(&mut self, timeout: weft_sync::time::Duration) -> bool {
        if self.1.is_none() {
            match self.0.recv_timeout(timeout) {
                Ok(frame) => self.1 = Some(Some(frame)),
                Err(RecvTimeoutError::Disconnected) => self.1 = Some(None),
                Err(RecvTimeoutError::Timeout) => {}
            }
        }
        self.1.is_some()
    }

    fn recv(&mut self, limit: u64) -> Result<Option<Vec<u8>>, FrameError> {
        let next = match self.1.take() {
            Some(Some(frame)) => Ok(frame),
            Some(None) => Err(()),
            None => self.0.recv().map_err(drop),
        };
        match next {
            Ok(frame) => {
                let size = frame::payload_len(&frame);
                if size > limit {
                    return Err(FrameError::TooLarge { size, limit });
                }
                Ok(Some(frame))
            }
            Err(_) => Ok(None),
        }
    }
}

struct IsolatedControl(Arc<Control>);

impl ChildControl for IsolatedControl {
    fn pid(&self) -> Option<u32> {
        None
    }

    fn signal(&self, signal: i32) -> io::Result<bool> {
        if self.0.ended.load(Ordering::SeqCst) {
            return Ok(false);
        }
        // The first signal wins, as the first fatal signal does.
        let _ = self
            .0
            .signal
            .compare_exchange(0, signal, Ordering::SeqCst, Ordering::SeqCst);
        let _ = lock(&self.0.wake).send(Packet::Wake);
        Ok(true)
    }

    fn try_wait(&self) -> io::Result<Option<ExitStatus>> {
        if self.0.ended.load(Ordering::SeqCst) {
            return self.wait().map(Some);
        }
        Ok(None)
    }

    fn wait(&self) -> io::Result<ExitStatus> {
        let mut life = lock(&self.0.life);
        let status = match std::mem::replace(&mut *life, Life::Ended(ExitStatus::Exited(0))) {
            Life::Ended(status) => status,
            Life::Running(handle) => match handle.join() {
                Ok(status) => status,
                Err(payload) => panic::resume_unwind(payload),
            },
        };
        *life = Life::Ended(status);
        Ok(status)
    }
}
