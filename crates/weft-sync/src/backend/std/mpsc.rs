//! Channels on crossbeam-channel, with std's `mpsc` interface and errors.

use std::sync::mpsc::{RecvError, RecvTimeoutError, SendError, TryRecvError, TrySendError};
use std::time::Duration;

/// The sending half of an unbounded channel. Same as [`std::sync::mpsc::Sender`].
#[derive(Debug)]
pub struct Sender<T>(crossbeam_channel::Sender<T>);

/// The sending half of a bounded channel. Same as [`std::sync::mpsc::SyncSender`].
#[derive(Debug)]
pub struct SyncSender<T>(crossbeam_channel::Sender<T>);

/// The receiving half of a channel. Same as [`std::sync::mpsc::Receiver`].
#[derive(Debug)]
pub struct Receiver<T>(crossbeam_channel::Receiver<T>);

/// Creates an unbounded channel. Same as [`std::sync::mpsc::channel`].
#[inline]
#[track_caller]
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let (tx, rx) = crossbeam_channel::unbounded();
    (Sender(tx), Receiver(rx))
}

/// Creates a channel holding at most `bound` messages; `0` makes every send
/// a rendezvous with a receive. Same as [`std::sync::mpsc::sync_channel`].
#[inline]
#[track_caller]
pub fn sync_channel<T>(bound: usize) -> (SyncSender<T>, Receiver<T>) {
    let (tx, rx) = crossbeam_channel::bounded(bound);
    (SyncSender(tx), Receiver(rx))
}

impl<T> Sender<T> {
    /// Names the channel in failure reports; a no-op in std mode.
    #[inline]
    #[must_use]
    pub fn named(self, _name: impl Into<String>) -> Self {
        self
    }

    /// Names one element of an array of primitives in failure reports:
    /// `named_indexed("slot", 3)` is `slot[3]`; a no-op in std mode (nothing is formatted).
    #[inline]
    #[must_use]
    pub fn named_indexed(self, _name: &str, _index: usize) -> Self {
        self
    }

    /// Sends a message; never blocks.
    ///
    /// # Errors
    ///
    /// Returns the message when the receiver is gone.
    #[inline]
    #[track_caller]
    pub fn send(&self, msg: T) -> Result<(), SendError<T>> {
        self.0.send(msg).map_err(|e| SendError(e.into_inner()))
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        Sender(self.0.clone())
    }
}

impl<T> SyncSender<T> {
    /// Names the channel in failure reports; a no-op in std mode.
    #[inline]
    #[must_use]
    pub fn named(self, _name: impl Into<String>) -> Self {
        self
    }

    /// Names one element of an array of primitives in failure reports:
    /// `named_indexed("slot", 3)` is `slot[3]`; a no-op in std mode (nothing is formatted).
    #[inline]
    #[must_use]
    pub fn named_indexed(self, _name: &str, _index: usize) -> Self {
        self
    }

    /// Sends a message, blocking while the channel is full.
    ///
    /// # Errors
    ///
    /// Returns the message when the receiver is gone.
    #[inline]
    #[track_caller]
    pub fn send(&self, msg: T) -> Result<(), SendError<T>> {
        self.0.send(msg).map_err(|e| SendError(e.into_inner()))
    }

    /// Sends a message if there is room.
    ///
    /// # Errors
    ///
    /// `Full` when there is no room, `Disconnected` when the receiver is gone;
    /// both return the message.
    #[inline]
    #[track_caller]
    pub fn try_send(&self, msg: T) -> Result<(), TrySendError<T>> {
        self.0.try_send(msg).map_err(|e| match e {
            crossbeam_channel::TrySendError::Full(m) => TrySendError::Full(m),
            crossbeam_channel::TrySendError::Disconnected(m) => TrySendError::Disconnected(m),
        })
    }
}

impl<T> Clone for SyncSender<T> {
    fn clone(&self) -> Self {
        SyncSender(self.0.clone())
    }
}

impl<T> Receiver<T> {
    /// Names the channel in failure reports; a no-op in std mode.
    #[inline]
    #[must_use]
    pub fn named(self, _name: impl Into<String>) -> Self {
        self
    }

    /// Names one element of an array of primitives in failure reports:
    /// `named_indexed("slot", 3)` is `slot[3]`; a no-op in std mode (nothing is formatted).
    #[inline]
    #[must_use]
    pub fn named_indexed(self, _name: &str, _index: usize) -> Self {
        self
    }

    /// Receives a message, blocking until one arrives.
    ///
    /// # Errors
    ///
    /// `RecvError` when the channel is empty and every sender is gone.
    #[inline]
    #[track_caller]
    pub fn recv(&self) -> Result<T, RecvError> {
        self.0.recv().map_err(|_| RecvError)
    }

    /// Receives a message if one is waiting.
    ///
    /// # Errors
    ///
    /// `Empty` when none is waiting, `Disconnected` when every sender is gone.
    #[inline]
    #[track_caller]
    pub fn try_recv(&self) -> Result<T, TryRecvError> {
        self.0.try_recv().map_err(|e| match e {
            crossbeam_channel::TryRecvError::Empty => TryRecvError::Empty,
            crossbeam_channel::TryRecvError::Disconnected => TryRecvError::Disconnected,
        })
    }

    /// Receives a message, waiting at most `timeout`.
    ///
    /// # Errors
    ///
    /// `Timeout` when none arrived in time, `Disconnected` when every sender is gone.
    #[inline]
    #[track_caller]
    pub fn recv_timeout(&self, timeout: Duration) -> Result<T, RecvTimeoutError> {
        self.0.recv_timeout(timeout).map_err(|e| match e {
            crossbeam_channel::RecvTimeoutError::Timeout => RecvTimeoutError::Timeout,
            crossbeam_channel::RecvTimeoutError::Disconnected => RecvTimeoutError::Disconnected,
        })
    }

    /// An iterator that blocks for each message and ends when every sender is gone.
    pub fn iter(&self) -> impl Iterator<Item = T> + '_ {
        self.0.iter()
    }

    /// An iterator over the messages already waiting.
    pub fn try_iter(&self) -> impl Iterator<Item = T> + '_ {
        self.0.try_iter()
    }
}

impl<T> IntoIterator for Receiver<T> {
    type Item = T;
    type IntoIter = crossbeam_channel::IntoIter<T>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}
