//! The messages a parent and a child exchange.
//!
//! The parent sends [`Request`]s; the child answers each `Run` with one
//! [`Response`], in order, and exits at `Stop` or at the end of its input.
//! A [`Process`](super::Process) sends one `Run` and closes its input; a pool
//! worker receives a `Run` per task (or chunk of a `map`).

use std::fmt;

use serde::de::{self, DeserializeOwned, Deserializer, Visitor};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};

/// The largest message (an argument, or a result) a process or pool
/// accepts unless told otherwise: 1 GiB.
pub const DEFAULT_MAX_MESSAGE_SIZE: u64 = 1 << 30;

/// Opaque postcard bytes, encoded as one length-prefixed byte string (not
/// one varint per byte, as a plain `Vec<u8>` would be).
#[derive(Clone, PartialEq, Eq, Default)]
pub(crate) struct Blob(pub(crate) Vec<u8>);

impl fmt::Debug for Blob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Blob({} bytes)", self.0.len())
    }
}

impl Serialize for Blob {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(&self.0)
    }
}

impl<'de> Deserialize<'de> for Blob {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct BlobVisitor;
        impl<'de> Visitor<'de> for BlobVisitor {
            type Value = Blob;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a byte string")
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Blob, E> {
                Ok(Blob(v.to_vec()))
            }
            fn visit_borrowed_bytes<E: de::Error>(self, v: &'de [u8]) -> Result<Blob, E> {
                Ok(Blob(v.to_vec()))
            }
            fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<Blob, E> {
                Ok(Blob(v))
            }
        }
        deserializer.deserialize_byte_buf(BlobVisitor)
    }
}

/// Parent to child.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) enum Request {
    /// Call the entry point named `entry` once per argument, in order.
    Run {
        /// The entry point's registered name.
        entry: String,
        /// Each call's postcard-encoded argument.
        args: Vec<Blob>,
        /// The largest reply payload the parent accepts, in bytes.
        limit: u64,
    },
    /// Exit normally.
    Stop,
}

/// Child to parent: the answer to one `Run`.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) enum Response {
    /// One outcome per argument, in order.
    Ran(Vec<Outcome>),
    /// The child has no entry point of that name.
    UnknownEntry(String),
    /// The whole reply would exceed the parent's limit.
    TooLarge {
        /// Its payload size.
        size: u64,
        /// The limit.
        limit: u64,
    },
}

/// How one call of an entry point went.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) enum Outcome {
    /// It returned; the postcard-encoded result.
    Returned(Blob),
    /// It panicked with this message.
    Panicked(String),
    /// The argument could not be decoded as the entry point's argument type.
    BadArgument(String),
    /// The result could not be serialised.
    Unserializable(String),
    /// The encoded result exceeds the parent's limit.
    TooLarge {
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
}

/// Why one call produced no result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum CallFailure {
    /// The function panicked with this message.
    Panicked(String),
    /// The argument or the result could not cross the process boundary.
    Serialization(String),
}

impl Outcome {
    /// The call's result, decoded as an `R`.
    pub(crate) fn into_result<R: DeserializeOwned>(self) -> Result<R, CallFailure> {
        match self {
            Outcome::Returned(bytes) => postcard::from_bytes(&bytes.0).map_err(|e| {
                CallFailure::Serialization(format!("the result could not be deserialised: {e}"))
            }),
            Outcome::Panicked(message) => Err(CallFailure::Panicked(message)),
            Outcome::BadArgument(e) => Err(CallFailure::Serialization(format!(
                "the child could not deserialise the argument: {e}"
            ))),
            Outcome::Unserializable(e) => Err(CallFailure::Serialization(format!(
                "the result could not be serialised: {e}"
            ))),
            Outcome::TooLarge { size, limit } => Err(CallFailure::Serialization(too_large(
                "the result",
                size,
                limit,
            ))),
        }
    }
}

/// `<what> of <size> bytes exceeds the message limit of <limit> bytes`.
pub(crate) fn too_large(what: &str, size: u64, limit: u64) -> String {
    format!("{what} of {size} bytes exceeds the message limit of {limit} bytes")
}
