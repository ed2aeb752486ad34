//! `Queue`: Python's `multiprocessing.Queue`, messages between processes.

use std::fmt;
use std::io;
use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, Deserializer};
use serde::ser::{self, Serializer};
use serde::{Deserialize, Serialize};

use super::carry;
use super::channel_error::{RecvError, SendError};
use super::frame;
use super::message::DEFAULT_MAX_MESSAGE_SIZE;
use super::wire::{self, Wait, WireReader, WireWriter};
use weft_sync::time::Duration;

/// A first-in first-out queue of `T`s between processes: Python's
/// `multiprocessing.Queue`.
///
/// Create it in the parent and pass it to children inside the argument of
/// [`Process::new`](super::Process::new) (a clone, or inside a tuple or a
/// struct): every process then puts and gets on the same queue. Each
/// message is encoded with postcard and travels as one frame over an OS
/// pipe that the children inherit (std mode); under a checker the pipe is
/// an in-process channel with the same behaviour (order, blocking, the
/// end), so a model explores the messages' interleavings.
///
/// [`get`](Queue::get) returns [`RecvError::Closed`] once every writing
/// end, in every process, is closed ([`close`](Queue::close), or the
/// process holding it exited) and every message was read: a parent that
/// closes its own end after starting the writers can read until `Closed`
/// and miss nothing, even a message written just before a writer exited.
///
/// # Examples
///
/// ```
/// use weft_patterns::process::{self, Entry, Process, Queue, RecvError};
///
/// fn produce(q: Queue<u32>) {
///     for i in 0..3 {
///         q.put(i).unwrap();
///     }
/// }
/// static PRODUCE: Entry<Queue<u32>, ()> = weft_patterns::process_entry!(produce);
///
/// fn main() {
///     process::main(&[&PRODUCE]);
/// # weft_sync::explore::doc_example(|| {
///     let q = Queue::new().unwrap();
///     let mut p = Process::new(&PRODUCE, q.clone());
///     p.start().unwrap();
///     q.close(); // the parent writes nothing: only the child's end remains
///     let mut got = Vec::new();
///     loop {
///         match q.get() {
///             Ok(i) => got.push(i),
///             Err(RecvError::Closed) => break,
///             Err(e) => panic!("{e}"),
///         }
///     }
///     assert_eq!(got, [0, 1, 2]);
///     p.join().unwrap();
/// # });
/// }
/// ```
///
/// # Limitations
///
/// - A message is written whole, but two *processes* writing messages
///   larger than `PIPE_BUF` (4 KiB on Linux) at the same moment may
///   interleave their bytes (threads of one process never do), and two
///   processes reading at once may split a message: Python locks across
///   processes there; weft documents one reading process per queue, and
///   several writing processes with messages up to 4 KiB.
/// - As on a pipe, [`put`](Queue::put) blocks while 64 KiB are waiting to
///   be read: join a child only after reading what it sent.
/// - A queue crosses to a child only inside the argument of
///   [`Process::new`](super::Process::new), not in a pool task or a
///   result; elsewhere its encoding fails.
pub struct Queue<T> {
    ends: std::sync::Arc<Ends>,
    _items: PhantomData<fn(T) -> T>,
}

struct Ends {
    reader: Option<WireReader>,
    writer: WireWriter,
}

impl<T> Queue<T>
where
    T: Serialize + DeserializeOwned,
{
    /// A new, empty queue.
    ///
    /// # Errors
    ///
    /// The OS refused a pipe (too many open files).
    pub fn new() -> io::Result<Self> {
        let (reader, writer) = wire::channel("process::Queue")?;
        Ok(Queue {
            ends: std::sync::Arc::new(Ends {
                reader: Some(reader),
                writer,
            }),
            _items: PhantomData,
        })
    }

    /// Appends `item`; blocks while the queue holds 64 KiB not yet read.
    ///
    /// # Errors
    ///
    /// `Closed` after [`close`](Queue::close) in this process (or when no
    /// process can read any more), `Serialization` when `item` cannot be
    /// encoded, `Broken` when the pipe fails.
    pub fn put(&self, item: T) -> Result<(), SendError> {
        let _ = carry::take_error();
        let frame = frame::encode(&item).map_err(|e| {
            SendError::Serialization(carry::take_error().unwrap_or_else(|| e.to_string()))
        })?;
        self.ends.writer.send(&frame).map_err(SendError::from)
    }

    /// Removes and returns the oldest message, waiting for one.
    ///
    /// # Errors
    ///
    /// `Closed` when every writing end is closed and the queue is empty;
    /// `Serialization` when a message is not a `T`; `Broken` when the pipe
    /// fails.
    pub fn get(&self) -> Result<T, RecvError> {
        self.recv(Wait::Forever)
    }

    /// As [`get`](Queue::get), waiting at most `timeout`
    /// ([`RecvError::Empty`] then). Under a checker time is virtual: both
    /// outcomes are explored.
    ///
    /// # Errors
    ///
    /// As [`get`](Queue::get), and `Empty` on timeout.
    pub fn get_timeout(&self, timeout: Duration) -> Result<T, RecvError> {
        self.recv(Wait::For(timeout))
    }

    /// As [`get`](Queue::get) without waiting: Python's `get_nowait`.
    ///
    /// # Errors
    ///
    /// As [`get`](Queue::get), and `Empty` when no message is there yet.
    pub fn try_get(&self) -> Result<T, RecvError> {
        self.recv(Wait::Never)
    }

    fn recv(&self, wait: Wait) -> Result<T, RecvError> {
        let Some(reader) = &self.ends.reader else {
            return Err(RecvError::Closed);
        };
        let frame = reader.recv(wait, DEFAULT_MAX_MESSAGE_SIZE)?;
        let _ = carry::take_error();
        frame::decode(&frame).map_err(|e| {
            RecvError::Serialization(carry::take_error().unwrap_or_else(|| e.to_string()))
        })
    }

    /// Closes this process's writing end (shared by its clones): Python's
    /// `Queue.close`. Readers see [`RecvError::Closed`] once every
    /// process's end is closed and the queue is drained. Later
    /// [`put`](Queue::put)s here fail with [`SendError::Closed`].
    pub fn close(&self) {
        self.ends.writer.close();
    }
}

impl<T> Clone for Queue<T> {
    /// Another handle on the same queue, in this process.
    fn clone(&self) -> Self {
        Queue {
            ends: std::sync::Arc::clone(&self.ends),
            _items: PhantomData,
        }
    }
}

impl<T> fmt::Debug for Queue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Queue").finish_non_exhaustive()
    }
}

/// What a queue travels as: the numbers of its two ends among those the
/// child receives.
#[derive(Serialize, Deserialize)]
struct Carriage {
    reader: Option<u32>,
    writer: Option<u32>,
}

impl<T> Serialize for Queue<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let reader = match &self.ends.reader {
            Some(r) => Some(carry::send(r.outgoing()).map_err(ser::Error::custom)?),
            None => None,
        };
        let writer = match self.ends.writer.outgoing() {
            Some(w) => Some(carry::send(w).map_err(ser::Error::custom)?),
            None => None,
        };
        Carriage { reader, writer }.serialize(serializer)
    }
}

impl<'de, T> Deserialize<'de> for Queue<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let carriage = Carriage::deserialize(deserializer)?;
        let reader = carriage
            .reader
            .map(WireReader::claim)
            .transpose()
            .map_err(de::Error::custom)?;
        let writer = match carriage.writer {
            Some(i) => WireWriter::claim(i).map_err(de::Error::custom)?,
            None => WireWriter::closed(),
        };
        Ok(Queue {
            ends: std::sync::Arc::new(Ends { reader, writer }),
            _items: PhantomData,
        })
    }
}
