//! Channels built on weft's model `Mutex` and `Condvar`, recorded as one
//! channel object: sends, receives, and what a blocked thread waits for.

use std::collections::VecDeque;
use std::fmt;
use std::sync::mpsc::{RecvError, RecvTimeoutError, SendError, TryRecvError, TrySendError};
use std::sync::Arc;
use std::time::Duration;

use super::condvar::Wake;
use super::recorder;
use super::{Condvar, Mutex, MutexGuard};
use crate::record::{Loc, ObjectKind, Op, WaitKind};

struct State<T> {
    queue: VecDeque<(u64, T)>,
    sent: u64,
    received: u64,
    senders: usize,
    receiver: bool,
}

struct Chan<T> {
    id: usize,
    bound: Option<usize>,
    state: Mutex<State<T>>,
    not_empty: Condvar,
    not_full: Condvar,
}

impl<T> Chan<T> {
    fn new(bound: Option<usize>, at: Loc) -> Arc<Self> {
        let id = recorder::new_object(ObjectKind::Channel, at);
        Arc::new(Chan {
            id,
            bound,
            state: Mutex::for_object(
                State {
                    queue: VecDeque::new(),
                    sent: 0,
                    received: 0,
                    senders: 1,
                    receiver: true,
                },
                id,
            ),
            not_empty: Condvar::for_object(id, WaitKind::Recv),
            not_full: Condvar::for_object(id, WaitKind::Send),
        })
    }

    fn lock(&self, at: Loc) -> MutexGuard<'_, State<T>> {
        self.state.lock_at(at).unwrap_or_else(|e| e.into_inner())
    }

    fn send(&self, msg: T, at: Loc) -> Result<(), SendError<T>> {
        let mut s = self.lock(at);
        if !s.receiver {
            return Err(SendError(msg));
        }
        if let Some(bound) = self.bound {
            while bound > 0 && s.queue.len() >= bound && s.receiver {
                s = self
                    .not_full
                    .wait_at(s, at)
                    .unwrap_or_else(|e| e.into_inner());
            }
            if !s.receiver {
                return Err(SendError(msg));
            }
        }
        s.sent += 1;
        let ticket = s.sent;
        s.queue.push_back((ticket, msg));
        recorder::event(Op::Send, self.id, at);
        self.wake_receiver();
        if self.bound == Some(0) {
            // A rendezvous: wait until the receiver has taken this message.
            while s.received < ticket && s.receiver {
                s = self
                    .not_full
                    .wait_at(s, at)
                    .unwrap_or_else(|e| e.into_inner());
            }
            if s.received < ticket {
                if let Some(i) = s.queue.iter().position(|(t, _)| *t == ticket) {
                    let (_, msg) = s.queue.remove(i).expect("position is in range");
                    return Err(SendError(msg));
                }
            }
        }
        Ok(())
    }

    fn try_send(&self, msg: T, at: Loc) -> Result<(), TrySendError<T>> {
        let mut s = self.lock(at);
        if !s.receiver {
            return Err(TrySendError::Disconnected(msg));
        }
        let full = match self.bound {
            // A rendezvous succeeds only if nothing is waiting to be taken.
            Some(0) => !s.queue.is_empty(),
            Some(bound) => s.queue.len() >= bound,
            None => false,
        };
        if full {
            return Err(TrySendError::Full(msg));
        }
        s.sent += 1;
        let ticket = s.sent;
        s.queue.push_back((ticket, msg));
        recorder::event(Op::Send, self.id, at);
        self.wake_receiver();
        Ok(())
    }

    /// Wakes the receiver if it waits (the caller holds the channel's
    /// lock, under which it queued). A notification nobody waits for
    /// changes nothing, but it is a step the DPOR search orders against
    /// every other operation on the channel: two producers sending two
    /// messages each to a receiver took 1,235,458 executions with it,
    /// 192,099 without.
    fn wake_receiver(&self) {
        if self.not_empty.has_waiters() {
            self.not_empty.notify_one();
        }
    }

    fn take(&self, s: &mut MutexGuard<'_, State<T>>, at: Loc) -> Option<T> {
        let (_, msg) = s.queue.pop_front()?;
        s.received += 1;
        recorder::event(Op::Recv, self.id, at);
        if self.bound.is_some() && self.not_full.has_waiters() {
            self.not_full.notify_all();
        }
        Some(msg)
    }

    fn recv(&self, at: Loc) -> Result<T, RecvError> {
        let mut s = self.lock(at);
        loop {
            if let Some(msg) = self.take(&mut s, at) {
                return Ok(msg);
            }
            if s.senders == 0 {
                recorder::event(Op::RecvEmpty, self.id, at);
                return Err(RecvError);
            }
            s = self
                .not_empty
                .wait_at(s, at)
                .unwrap_or_else(|e| e.into_inner());
        }
    }

    fn try_recv(&self, at: Loc) -> Result<T, TryRecvError> {
        let mut s = self.lock(at);
        if let Some(msg) = self.take(&mut s, at) {
            return Ok(msg);
        }
        recorder::event(Op::RecvEmpty, self.id, at);
        if s.senders == 0 {
            Err(TryRecvError::Disconnected)
        } else {
            Err(TryRecvError::Empty)
        }
    }

    fn recv_timeout(&self, timeout: Duration, at: Loc) -> Result<T, RecvTimeoutError> {
        let deadline = recorder::now().saturating_add(timeout);
        let mut s = self.lock(at);
        loop {
            if let Some(msg) = self.take(&mut s, at) {
                return Ok(msg);
            }
            if s.senders == 0 {
                recorder::event(Op::RecvEmpty, self.id, at);
                return Err(RecvTimeoutError::Disconnected);
            }
            let now = recorder::now();
            if now >= deadline {
                // A zero timeout still lets time pass, as on a real clock.
                recorder::pass_deadline(deadline);
                recorder::event(Op::RecvEmpty, self.id, at);
                return Err(RecvTimeoutError::Timeout);
            }
            let (g, r) = self
                .not_empty
                .wait_timeout_at(s, deadline - now, at)
                .unwrap_or_else(|e| e.into_inner());
            s = g;
            if r.timed_out() && s.queue.is_empty() {
                recorder::event(Op::RecvEmpty, self.id, at);
                return Err(RecvTimeoutError::Timeout);
            }
        }
    }

    fn add_sender(&self) {
        let at = Loc::caller();
        self.lock(at).senders += 1;
    }

    fn drop_sender(&self) {
        if recorder::torn_down() {
            return;
        }
        let at = Loc::caller();
        let mut s = self.lock(at);
        s.senders -= 1;
        // A receiver that comes after the lock is let go sees no sender
        // and does not wait: only those waiting now need waking.
        if s.senders == 0 {
            self.not_empty.notify_waiting_after(s, Wake::All);
        }
    }

    fn drop_receiver(&self) {
        if recorder::torn_down() {
            return;
        }
        let at = Loc::caller();
        let mut s = self.lock(at);
        s.receiver = false;
        self.not_full.notify_waiting_after(s, Wake::All);
    }
}

/// The sending half of an unbounded channel. Same as [`std::sync::mpsc::Sender`].
pub struct Sender<T>(Arc<Chan<T>>);

/// The sending half of a bounded channel. Same as [`std::sync::mpsc::SyncSender`].
pub struct SyncSender<T>(Arc<Chan<T>>);

/// The receiving half of a channel. Same as [`std::sync::mpsc::Receiver`].
pub struct Receiver<T>(Arc<Chan<T>>);

/// Creates an unbounded channel. Same as [`std::sync::mpsc::channel`].
#[track_caller]
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let chan = Chan::new(None, Loc::caller());
    (Sender(chan.clone()), Receiver(chan))
}

/// Creates a channel holding at most `bound` messages (`0`: a rendezvous).
/// Same as [`std::sync::mpsc::sync_channel`].
#[track_caller]
pub fn sync_channel<T>(bound: usize) -> (SyncSender<T>, Receiver<T>) {
    let chan = Chan::new(Some(bound), Loc::caller());
    (SyncSender(chan.clone()), Receiver(chan))
}

impl<T> Sender<T> {
    /// Names the channel in failure reports.
    #[must_use]
    pub fn named(self, name: impl Into<String>) -> Self {
        recorder::name_object(self.0.id, name.into());
        self
    }

    /// Names one element of an array of primitives in failure reports:
    /// `named_indexed("slot", 3)` is `slot[3]`.
    #[must_use]
    pub fn named_indexed(self, name: &str, index: usize) -> Self {
        self.named(format!("{name}[{index}]"))
    }

    /// Sends a message; never blocks.
    ///
    /// # Errors
    ///
    /// Returns the message when the receiver is gone.
    #[track_caller]
    pub fn send(&self, msg: T) -> Result<(), SendError<T>> {
        self.0.send(msg, Loc::caller())
    }
}

impl<T> SyncSender<T> {
    /// Names the channel in failure reports.
    #[must_use]
    pub fn named(self, name: impl Into<String>) -> Self {
        recorder::name_object(self.0.id, name.into());
        self
    }

    /// Names one element of an array of primitives in failure reports:
    /// `named_indexed("slot", 3)` is `slot[3]`.
    #[must_use]
    pub fn named_indexed(self, name: &str, index: usize) -> Self {
        self.named(format!("{name}[{index}]"))
    }

    /// Sends a message, blocking while the channel is full.
    ///
    /// # Errors
    ///
    /// Returns the message when the receiver is gone.
    #[track_caller]
    pub fn send(&self, msg: T) -> Result<(), SendError<T>> {
        self.0.send(msg, Loc::caller())
    }

    /// Sends a message if there is room.
    ///
    /// # Errors
    ///
    /// `Full` when there is no room, `Disconnected` when the receiver is gone.
    #[track_caller]
    pub fn try_send(&self, msg: T) -> Result<(), TrySendError<T>> {
        self.0.try_send(msg, Loc::caller())
    }
}

impl<T> Receiver<T> {
    /// Names the channel in failure reports.
    #[must_use]
    pub fn named(self, name: impl Into<String>) -> Self {
        recorder::name_object(self.0.id, name.into());
        self
    }

    /// Names one element of an array of primitives in failure reports:
    /// `named_indexed("slot", 3)` is `slot[3]`.
    #[must_use]
    pub fn named_indexed(self, name: &str, index: usize) -> Self {
        self.named(format!("{name}[{index}]"))
    }

    /// Receives a message, blocking until one arrives.
    ///
    /// # Errors
    ///
    /// `RecvError` when the channel is empty and every sender is gone.
    #[track_caller]
    pub fn recv(&self) -> Result<T, RecvError> {
        self.0.recv(Loc::caller())
    }

    /// Receives a message if one is waiting.
    ///
    /// # Errors
    ///
    /// `Empty` when none is waiting, `Disconnected` when every sender is gone.
    #[track_caller]
    pub fn try_recv(&self) -> Result<T, TryRecvError> {
        self.0.try_recv(Loc::caller())
    }

    /// Receives a message, waiting at most `timeout` (virtual time); both
    /// outcomes are explored when a sender could still send.
    ///
    /// # Errors
    ///
    /// `Timeout` when none arrived in time, `Disconnected` when every sender is gone.
    #[track_caller]
    pub fn recv_timeout(&self, timeout: Duration) -> Result<T, RecvTimeoutError> {
        self.0.recv_timeout(timeout, Loc::caller())
    }

    /// An iterator that blocks for each message and ends when every sender is gone.
    pub fn iter(&self) -> impl Iterator<Item = T> + '_ {
        std::iter::from_fn(move || self.recv().ok())
    }

    /// An iterator over the messages already waiting.
    pub fn try_iter(&self) -> impl Iterator<Item = T> + '_ {
        std::iter::from_fn(move || self.try_recv().ok())
    }
}

/// An owning iterator over a channel's messages.
pub struct IntoIter<T>(Receiver<T>);

impl<T> Iterator for IntoIter<T> {
    type Item = T;
    fn next(&mut self) -> Option<T> {
        self.0.recv().ok()
    }
}

impl<T> IntoIterator for Receiver<T> {
    type Item = T;
    type IntoIter = IntoIter<T>;
    fn into_iter(self) -> IntoIter<T> {
        IntoIter(self)
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.0.add_sender();
        Sender(self.0.clone())
    }
}

impl<T> Clone for SyncSender<T> {
    fn clone(&self) -> Self {
        self.0.add_sender();
        SyncSender(self.0.clone())
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        self.0.drop_sender();
    }
}

impl<T> Drop for SyncSender<T> {
    fn drop(&mut self) {
        self.0.drop_sender();
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.0.drop_receiver();
    }
}

macro_rules! debug_named {
    ($($ty:ident),*) => {$(
        impl<T> fmt::Debug for $ty<T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($ty))
                    .field("channel", &recorder::object_name(self.0.id))
                    .finish()
            }
        }
    )*};
}

debug_named!(Sender, SyncSender, Receiver);

impl<T> fmt::Debug for IntoIter<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("IntoIter").field(&self.0).finish()
    }
}
