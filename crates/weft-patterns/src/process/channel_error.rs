//! What can go wrong sending or receiving over a [`Queue`](super::Queue)
//! or a [`Connection`](super::Connection).

use super::wire::WireError;

/// Why a message was not sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SendError {
    /// This end was closed, or every reading end is gone.
    #[error("the channel is closed")]
    Closed,
    /// The message could not be serialised.
    #[error("the message could not be serialised: {0}")]
    Serialization(String),
    /// The pipe failed.
    #[error("the channel broke: {0}")]
    Broken(String),
}

/// Why no message was received.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RecvError {
    /// No message arrived in time (Python's `queue.Empty`); writers remain.
    #[error("no message arrived in time")]
    Empty,
    /// Every writing end, in every process, is closed or gone, and every
    /// message sent before was received.
    #[error("every writing end is closed")]
    Closed,
    /// A message arrived but could not be deserialised as the expected type.
    #[error("a message could not be deserialised: {0}")]
    Serialization(String),
    /// The pipe failed or carried a malformed frame.
    #[error("the channel broke: {0}")]
    Broken(String),
}

impl From<WireError> for SendError {
    fn from(e: WireError) -> Self {
        match e {
            WireError::Empty | WireError::Closed => SendError::Closed,
            WireError::Broken(m) => SendError::Broken(m),
        }
    }
}

impl From<WireError> for RecvError {
    fn from(e: WireError) -> Self {
        match e {
            WireError::Empty => RecvError::Empty,
            WireError::Closed => RecvError::Closed,
            WireError::Broken(m) => RecvError::Broken(m),
        }
    }
}
