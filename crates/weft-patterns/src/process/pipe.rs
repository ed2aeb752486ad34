//! `pipe`: Python's `multiprocessing.Pipe`, two connected ends.

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

/// Two connected ends: what one [`send`](Connection::send)s the other
/// [`recv`](Connection::recv)s, in both directions. Python's
/// `multiprocessing.Pipe()`.
///
/// Keep one end and pass the other to a child inside the argument of
/// [`Process::new`](super::Process::new). Each direction is an OS pipe in
/// std mode and an in-process channel under a checker, carrying postcard
/// frames as [`Queue`](super::Queue) does.
///
/// # Errors
///
/// The OS refused a pipe (too many open files).
///
/// # Examples
///
/// ```
/// use weft_patterns::process::{self, Connection, Entry, Process};
///
/// fn echo(conn: Connection<String>) {
///     while let Ok(line) = conn.recv() {
///         conn.send(line.to_uppercase()).unwrap();
///     }
/// }
/// static ECHO: Entry<Connection<String>, ()> = weft_patterns::process_entry!(echo);
///
/// fn main() {
///     process::main(&[&ECHO]);
/// # weft_sync::explore::doc_example(|| {
///     let (here, there) = process::pipe().unwrap();
///     let mut p = Process::new(&ECHO, there); // moved: only the child holds it
///     p.start().unwrap();
///     here.send("hi".to_string()).unwrap();
///     assert_eq!(here.recv().unwrap(), "HI");
///     here.close(); // the child's `recv` ends, and so does the child
///     p.join().unwrap();
/// # });
/// }
/// ```
pub fn pipe<T>() -> io::Result<(Connection<T>, Connection<T>)>
where
    T: Serialize + DeserializeOwned,
{
    let (a_reader, b_writer) = wire::channel("process::pipe.0")?;
    let (b_reader, a_writer) = wire::channel("process::pipe.1")?;
    Ok((
        Connection::from_ends(a_reader, a_writer),
        Connection::from_ends(b_reader, b_writer),
    ))
}

/// One end of a [`pipe`]: sends to the other end and receives from it.
///
/// [`recv`](Connection::recv) returns [`RecvError::Closed`] once the other
/// end is closed ([`close`](Connection::close), dropped, or its process
/// ended) and every message it sent was received.
pub struct Connection<T> {
    reader: WireReader,
    writer: WireWriter,
    _items: PhantomData<fn(T) -> T>,
}

impl<T> Connection<T> {
    fn from_ends(reader: WireReader, writer: WireWriter) -> Self {
        Connection {
            reader,
            writer,
            _items: PhantomData,
        }
    }
}

impl<T> Connection<T>
where
    T: Serialize + DeserializeOwned,
{
    /// Sends `item` to the other end; blocks while 64 KiB wait unread.
    ///
    /// # Errors
    ///
    /// `Closed` after [`close`](Connection::close) or when the other end is
    /// gone, `Serialization` when `item` cannot be encoded, `Broken` when
    /// the pipe fails.
    pub fn send(&self, item: T) -> Result<(), SendError> {
        let _ = carry::take_error();
        let frame = frame::encode(&item).map_err(|e| {
            SendError::Serialization(carry::take_error().unwrap_or_else(|| e.to_string()))
        })?;
        self.writer.send(&frame).map_err(SendError::from)
    }

    /// The next message from the other end, waiting for one.
    ///
    /// # Errors
    ///
    /// `Closed` when the other end is closed and everything it sent was
    /// received; `Serialization`, `Broken` as for [`Queue::get`](super::Queue::get).
    pub fn recv(&self) -> Result<T, RecvError> {
        self.read(Wait::Forever)
    }

    /// As [`recv`](Connection::recv), waiting at most `timeout`
    /// ([`RecvError::Empty`] then): Python's `poll(timeout)` and `recv()`.
    ///
    /// # Errors
    ///
    /// As [`recv`](Connection::recv), and `Empty` on timeout.
    pub fn recv_timeout(&self, timeout: Duration) -> Result<T, RecvError> {
        self.read(Wait::For(timeout))
    }

    /// As [`recv`](Connection::recv) without waiting.
    ///
    /// # Errors
    ///
    /// As [`recv`](Connection::recv), and `Empty` when nothing is there yet.
    pub fn try_recv(&self) -> Result<T, RecvError> {
        self.read(Wait::Never)
    }

    fn read(&self, wait: Wait) -> Result<T, RecvError> {
        let frame = self.reader.recv(wait, DEFAULT_MAX_MESSAGE_SIZE)?;
        let _ = carry::take_error();
        frame::decode(&frame).map_err(|e| {
            RecvError::Serialization(carry::take_error().unwrap_or_else(|| e.to_string()))
        })
    }

    /// Closes the sending direction: the other end's `recv` returns
    /// [`RecvError::Closed`] once it has received what was sent.
    pub fn close(&self) {
        self.writer.close();
    }
}

impl<T> fmt::Debug for Connection<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection").finish_non_exhaustive()
    }
}

#[derive(Serialize, Deserialize)]
struct Carriage {
    reader: u32,
    writer: Option<u32>,
}

impl<T> Serialize for Connection<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let reader = carry::send(self.reader.outgoing()).map_err(ser::Error::custom)?;
        let writer = match self.writer.outgoing() {
            Some(w) => Some(carry::send(w).map_err(ser::Error::custom)?),
            None => None,
        };
        Carriage { reader, writer }.serialize(serializer)
    }
}

impl<'de, T> Deserialize<'de> for Connection<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let carriage = Carriage::deserialize(deserializer)?;
        let reader = WireReader::claim(carriage.reader).map_err(de::Error::custom)?;
        let writer = match carriage.writer {
            Some(i) => WireWriter::claim(i).map_err(de::Error::custom)?,
            None => WireWriter::closed(),
        };
        Ok(Connection::from_ends(reader, writer))
    }
}
