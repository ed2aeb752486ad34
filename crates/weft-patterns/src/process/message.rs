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

/// Several postcard-encoded values back to back, and the length of each:
/// the arguments of a chunk, or its results, in one buffer (no allocation
/// per item on either side).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Batch {
    bytes: Blob,
    lens: Vec<u64>,
}

impl Batch {
    /// An empty batch with room for `items` values of about `item_size` bytes.
    pub(crate) fn with_capacity(items: usize, item_size: usize) -> Self {
        Batch {
            bytes: Blob(Vec::with_capacity(items * item_size)),
            lens: Vec::with_capacity(items),
        }
    }

    /// How many values it holds.
    pub(crate) fn len(&self) -> usize {
        self.lens.len()
    }

    /// Whether it holds no value.
    pub(crate) fn is_empty(&self) -> bool {
        self.lens.is_empty()
    }

    /// Its encoded size in bytes.
    pub(crate) fn size(&self) -> u64 {
        self.bytes.0.len() as u64
    }

    /// Appends `value`, encoded; on error the batch is unchanged.
    ///
    /// # Errors
    ///
    /// The value's `Serialize` failed, or its encoding exceeds `limit`
    /// bytes; the message names `what` ("the argument", "the result").
    pub(crate) fn push<T: Serialize + ?Sized>(
        &mut self,
        value: &T,
        what: &str,
        limit: u64,
    ) -> Result<(), PushError> {
        let start = self.bytes.0.len();
        match postcard::to_io(value, &mut self.bytes.0) {
            Ok(_) => {
                let len = (self.bytes.0.len() - start) as u64;
                if len > limit {
                    self.bytes.0.truncate(start);
                    return Err(PushError::TooLarge(too_large(what, len, limit), len));
                }
                self.lens.push(len);
                Ok(())
            }
            Err(e) => {
                self.bytes.0.truncate(start);
                Err(PushError::Unserializable(format!(
                    "{what} could not be serialised: {e}"
                )))
            }
        }
    }

    /// Each value's bytes, in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &[u8]> + '_ {
        let mut at = 0usize;
        self.lens.iter().map(move |&len| {
            let end = (at + len as usize).min(self.bytes.0.len());
            let item = &self.bytes.0[at.min(end)..end];
            at = end;
            item
        })
    }

    /// Whether the lengths add up to the bytes (a batch from the wire may lie).
    pub(crate) fn is_consistent(&self) -> bool {
        self.lens
            .iter()
            .try_fold(0u64, |sum, &len| sum.checked_add(len))
            == Some(self.size())
    }
}

/// Why a value could not join a [`Batch`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PushError {
    /// Its `Serialize` failed.
    Unserializable(String),
    /// Its encoding is over the limit (message, size).
    TooLarge(String, u64),
}

impl PushError {
    /// The message.
    pub(crate) fn message(self) -> String {
        match self {
            PushError::Unserializable(message) | PushError::TooLarge(message, _) => message,
        }
    }
}

/// Parent to child.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) enum Request {
    /// Call the entry point named `entry` once per argument, in order.
    Run {
        /// The entry point's registered name.
        entry: String,
        /// The arguments.
        args: Batch,
        /// The largest result (and reply) the parent accepts, in bytes.
        limit: u64,
    },
    /// Exit normally.
    Stop,
}

/// Child to parent: the answer to one `Run`.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) enum Response {
    /// One outcome per argument, in order; the results of those that
    /// returned, in order, in `results`.
    Ran {
        /// How each call went.
        outcomes: Vec<Outcome>,
        /// The results of the calls that returned.
        results: Batch,
    },
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Outcome {
    /// It returned; its result is the next value of the reply's results.
    Returned,
    /// It panicked with this message.
    Panicked(String),
    /// The argument could not be decoded as the entry point's argument type.
    BadArgument(String),
    /// The result could not be serialised (the whole message).
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

/// Decodes the results of a `Ran` reply, one per outcome, in order.
///
/// # Errors
///
/// A message when the outcomes and the results disagree (a broken child).
pub(crate) fn decode_results<R: DeserializeOwned>(
    outcomes: Vec<Outcome>,
    results: &Batch,
) -> Result<Vec<Result<R, CallFailure>>, String> {
    let returned = outcomes.iter().filter(|o| **o == Outcome::Returned).count();
    if returned != results.len() || !results.is_consistent() {
        return Err(format!(
            "a reply has {returned} returned outcomes but {} results",
            results.len()
        ));
    }
    let mut values = results.iter();
    Ok(outcomes
        .into_iter()
        .map(|outcome| match outcome {
            Outcome::Returned => {
                let bytes = values.next().unwrap_or_default();
                postcard::from_bytes(bytes).map_err(|e| {
                    CallFailure::Serialization(format!("the result could not be deserialised: {e}"))
                })
            }
            Outcome::Panicked(message) => Err(CallFailure::Panicked(message)),
            Outcome::BadArgument(e) => Err(CallFailure::Serialization(format!(
                "the child could not deserialise the argument: {e}"
            ))),
            Outcome::Unserializable(message) => Err(CallFailure::Serialization(message)),
            Outcome::TooLarge { size, limit } => Err(CallFailure::Serialization(too_large(
                "the result",
                size,
                limit,
            ))),
        })
        .collect())
}

/// `<what> of <size> bytes exceeds the message limit of <limit> bytes`.
pub(crate) fn too_large(what: &str, size: u64, limit: u64) -> String {
    format!("{what} of {size} bytes exceeds the message limit of {limit} bytes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_round_trips_values_and_refuses_the_ones_over_the_limit() {
        let mut batch = Batch::default();
        batch.push(&1u64, "the argument", 100).unwrap();
        assert!(matches!(
            batch.push(&vec![0u8; 200], "the argument", 100),
            Err(PushError::TooLarge(ref m, 202)) if m == "the argument of 202 bytes exceeds the message limit of 100 bytes"
        ));
        batch.push(&300u64, "the argument", 100).unwrap();
        let decoded: Vec<u64> = batch
            .iter()
            .map(|b| postcard::from_bytes(b).unwrap())
            .collect();
        assert_eq!(decoded, [1, 300]);
        assert!(batch.is_consistent());
    }

    #[test]
    fn results_are_matched_to_outcomes_in_order() {
        let mut results = Batch::default();
        results.push(&4u32, "the result", 100).unwrap();
        results.push(&9u32, "the result", 100).unwrap();
        let outcomes = vec![
            Outcome::Returned,
            Outcome::Panicked("no".into()),
            Outcome::Returned,
        ];
        let decoded = decode_results::<u32>(outcomes, &results).unwrap();
        assert_eq!(
            decoded,
            [Ok(4), Err(CallFailure::Panicked("no".into())), Ok(9)]
        );
        assert!(decode_results::<u32>(vec![Outcome::Returned], &results).is_err());
    }
}
