//! The byte channel under [`Queue`](super::Queue) and
//! [`Connection`](super::Connection): whole frames (as the parent and child
//! exchange, postcard behind a length) over an OS pipe between real
//! processes, or over an in-process channel the checker schedules.
//!
//! Both behave alike where a model can tell: a reader gets frames in the
//! order they were written, sees the end of the channel only once every
//! writing end (in every process) is closed or gone, and a writer blocks
//! while 64 KiB are waiting to be read, as on a Linux pipe, so that a model
//! finds the deadlock of a parent that joins a child before draining what
//! the child sent.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::os::fd::{AsRawFd, OwnedFd};

use weft_sync::process::real_processes;
use weft_sync::sync::{Condvar, Mutex, MutexGuard};
use weft_sync::time::{Duration, Instant};

use super::carry::{self, Carried, Outgoing};
use super::frame::{self, FrameError};
use crate::timed_wait::{notify_counted, Wake};

/// Bytes a channel holds before its writers block: a Linux pipe's default.
pub(crate) const CAPACITY: usize = 1 << 16;

/// How long a read may wait.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Wait {
    /// Until a frame or the end.
    Forever,
    /// Not at all.
    Never,
    /// Up to this long.
    For(Duration),
}

/// Why no frame was read or written.
#[derive(Debug)]
pub(crate) enum WireError {
    /// Nothing arrived in time.
    Empty,
    /// Every writing end is closed (reading), or every reading end (writing),
    /// or this end was closed.
    Closed,
    /// The channel failed or carried a malformed frame.
    Broken(String),
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// An in-process channel: the kernel's pipe, under a checker.
pub(crate) struct ModelChan {
    state: Mutex<ModelState>,
    changed: Condvar,
}

struct ModelState {
    frames: VecDeque<Vec<u8>>,
    bytes: usize,
    writers: usize,
    readers: usize,
    /// Threads waiting on `changed`: a change notifies only when one
    /// does. A notification nobody waits for is still a step a checker
    /// orders against every wait on the condvar.
    waiting: usize,
}

impl ModelChan {
    fn new(name: &str) -> std::sync::Arc<Self> {
        std::sync::Arc::new(ModelChan {
            state: Mutex::new(ModelState {
                frames: VecDeque::new(),
                bytes: 0,
                writers: 0,
                readers: 0,
                waiting: 0,
            })
            .named(name.to_string()),
            changed: Condvar::new(),
        })
    }
}

/// One writing end of an in-process channel, counted as an open descriptor is.
impl ModelChan {
    /// Waits for a change (for at most `timeout`), counted in `waiting`.
    fn wait<'a>(
        &self,
        mut state: MutexGuard<'a, ModelState>,
        timeout: Option<Duration>,
    ) -> MutexGuard<'a, ModelState> {
        state.waiting += 1;
        let mut state = match timeout {
            Some(left) => {
                self.changed
                    .wait_timeout(state, left)
                    .unwrap_or_else(|p| p.into_inner())
                    .0
            }
            None => self.changed.wait(state).unwrap_or_else(|p| p.into_inner()),
        };
        state.waiting -= 1;
        state
    }

    /// Lets go of `state`, then wakes the threads waiting for a change,
    /// if any (counted under the lock: none can start waiting unseen).
    fn changed(&self, state: MutexGuard<'_, ModelState>) {
        notify_counted(&self.changed, state.waiting, state, Wake::All);
    }
}

pub(crate) struct ModelWriter(std::sync::Arc<ModelChan>);

impl ModelWriter {
    pub(crate) fn new(chan: std::sync::Arc<ModelChan>) -> Self {
        lock(&chan.state).writers += 1;
        ModelWriter(chan)
    }
}

impl Drop for ModelWriter {
    fn drop(&mut self) {
        let mut state = lock(&self.0.state);
        state.writers -= 1;
        self.0.changed(state);
    }
}

/// The reading end of an in-process channel, counted as an open descriptor is.
pub(crate) struct ModelReader(std::sync::Arc<ModelChan>);

impl ModelReader {
    pub(crate) fn new(chan: std::sync::Arc<ModelChan>) -> Self {
        lock(&chan.state).readers += 1;
        ModelReader(chan)
    }
}

impl Drop for ModelReader {
    fn drop(&mut self) {
        let mut state = lock(&self.0.state);
        state.readers -= 1;
        self.0.changed(state);
    }
}

enum Reader {
    Os(Box<Mutex<BufReader<File>>>),
    Model(ModelReader),
}

/// The reading end of a channel.
pub(crate) struct WireReader(Reader);

enum Writer {
    Os(File),
    Model(ModelWriter),
}

/// A writing end of a channel; [`close`](WireWriter::close) closes it for
/// this process.
pub(crate) struct WireWriter {
    writer: Mutex<Option<Writer>>,
}

/// A new channel: `(reader, writer)`, an OS pipe on real processes.
pub(crate) fn channel(name: &str) -> io::Result<(WireReader, WireWriter)> {
    if real_processes() {
        let (read, write) = super::os_child::pipe()?;
        Ok((
            WireReader::os(read),
            WireWriter::new(Writer::Os(File::from(write))),
        ))
    } else {
        let chan = ModelChan::new(name);
        let writer = ModelWriter::new(std::sync::Arc::clone(&chan));
        Ok((
            WireReader(Reader::Model(ModelReader::new(chan))),
            WireWriter::new(Writer::Model(writer)),
        ))
    }
}

impl WireReader {
    fn os(fd: OwnedFd) -> Self {
        WireReader(Reader::Os(Box::new(Mutex::new(BufReader::with_capacity(
            CAPACITY,
            File::from(fd),
        )))))
    }

    /// The next frame.
    pub(crate) fn recv(&self, wait: Wait, limit: u64) -> Result<Vec<u8>, WireError> {
        match &self.0 {
            Reader::Os(reader) => {
                let mut reader = lock(reader);
                if reader.buffer().is_empty() && !readable(reader.get_ref(), wait)? {
                    return Err(WireError::Empty);
                }
                // Fill the buffer: a closed pipe reads as the end.
                match reader.fill_buf() {
                    Ok([]) => return Err(WireError::Closed),
                    Ok(_) => {}
                    Err(e) => return Err(WireError::Broken(e.to_string())),
                }
                match frame::read_frame(&mut *reader, limit) {
                    Ok(Some(frame)) => Ok(frame),
                    Ok(None) => Err(WireError::Closed),
                    Err(e) => Err(broken(e)),
                }
            }
            Reader::Model(ModelReader(chan)) => {
                let deadline = match wait {
                    Wait::For(d) => Some(Instant::now() + d),
                    _ => None,
                };
                let mut state = lock(&chan.state);
                loop {
                    if let Some(frame) = state.frames.pop_front() {
                        state.bytes -= frame.len();
                        chan.changed(state);
                        return Ok(frame);
                    }
                    if state.writers == 0 {
                        return Err(WireError::Closed);
                    }
                    state = match (wait, deadline) {
                        (Wait::Never, _) => return Err(WireError::Empty),
                        (_, Some(deadline)) => {
                            let now = Instant::now();
                            if now >= deadline {
                                return Err(WireError::Empty);
                            }
                            chan.wait(state, Some(deadline - now))
                        }
                        _ => chan.wait(state, None),
                    };
                }
            }
        }
    }

    /// What this end travels as: its descriptor or its channel.
    pub(crate) fn outgoing(&self) -> Outgoing {
        match &self.0 {
            Reader::Os(reader) => Outgoing::Fd(lock(reader).get_ref().as_raw_fd()),
            Reader::Model(r) => Outgoing::ModelReader(std::sync::Arc::clone(&r.0)),
        }
    }

    /// The end the parent sent as `index`.
    pub(crate) fn claim(index: u32) -> Result<Self, String> {
        match carry::claim(index)? {
            Carried::Fd(fd) => Ok(WireReader::os(fd)),
            Carried::ModelReader(chan) => Ok(WireReader(Reader::Model(chan))),
            _ => Err(format!("end number {index} is not a reading end")),
        }
    }
}

fn broken(e: FrameError) -> WireError {
    match e {
        FrameError::Io(e) => WireError::Broken(format!("the pipe failed: {e}")),
        other => WireError::Broken(other.to_string()),
    }
}

/// Waits until `file` has bytes or its end to read; whether it has.
fn readable(file: &File, wait: Wait) -> Result<bool, WireError> {
    match wait {
        Wait::Forever => Ok(true),
        Wait::Never => Ok(super::os_child::readable(file, std::time::Duration::ZERO)),
        Wait::For(d) => Ok(super::os_child::readable(file, d)),
    }
}

impl WireWriter {
    fn new(writer: Writer) -> Self {
        WireWriter {
            writer: Mutex::new(Some(writer)),
        }
    }

    /// Writes one whole frame; blocks while the channel is full.
    pub(crate) fn send(&self, frame: &[u8]) -> Result<(), WireError> {
        let mut writer = lock(&self.writer);
        match writer.as_mut() {
            None => Err(WireError::Closed),
            Some(Writer::Os(file)) => frame::write_frame(file, frame).map_err(|e| {
                if e.kind() == io::ErrorKind::BrokenPipe {
                    WireError::Closed
                } else {
                    WireError::Broken(format!("the pipe failed: {e}"))
                }
            }),
            Some(Writer::Model(w)) => {
                let chan = &w.0;
                let mut state = lock(&chan.state);
                while state.readers > 0 && state.bytes > 0 && state.bytes + frame.len() > CAPACITY {
                    state = chan.wait(state, None);
                }
                if state.readers == 0 {
                    return Err(WireError::Closed);
                }
                state.bytes += frame.len();
                state.frames.push_back(frame.to_vec());
                chan.changed(state);
                Ok(())
            }
        }
    }

    /// Closes this end in this process: a reader sees the end of the
    /// channel once every writing end is closed.
    pub(crate) fn close(&self) {
        let closed = lock(&self.writer).take();
        drop(closed);
    }

    /// What this end travels as, if it is still open.
    pub(crate) fn outgoing(&self) -> Option<Outgoing> {
        match lock(&self.writer).as_ref()? {
            Writer::Os(file) => Some(Outgoing::Fd(file.as_raw_fd())),
            Writer::Model(w) => Some(Outgoing::ModelWriter(std::sync::Arc::clone(&w.0))),
        }
    }

    /// The end the parent sent as `index`.
    pub(crate) fn claim(index: u32) -> Result<Self, String> {
        match carry::claim(index)? {
            Carried::Fd(fd) => Ok(WireWriter::new(Writer::Os(File::from(fd)))),
            Carried::ModelWriter(w) => Ok(WireWriter::new(Writer::Model(w))),
            _ => Err(format!("end number {index} is not a writing end")),
        }
    }

    /// A closed writing end (what a closed end travels as).
    pub(crate) fn closed() -> Self {
        WireWriter {
            writer: Mutex::new(None),
        }
    }
}
