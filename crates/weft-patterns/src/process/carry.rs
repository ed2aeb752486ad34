//! How a [`Queue`](super::Queue) or a [`Connection`](super::Connection)
//! crosses into a child: as an argument of [`Process::new`](super::Process::new).
//!
//! Such an end is not data: it is an OS pipe descriptor on real processes,
//! a shared in-process channel under a checker. When the parent encodes the
//! argument, each end it meets is moved to an *outbox* and encoded as its
//! index there; the outbox travels beside the encoded bytes (descriptors
//! kept open across `exec` and named in the child's environment; channel
//! handles sent to the isolated thread with its request). When the child
//! decodes the argument, each index claims its end from the *inbox*, once.
//!
//! Both boxes are thread-locals set only around one `postcard` call, which
//! reaches no scheduling point: under a checker, whose model threads share
//! one OS thread, no other model thread can run while a box is set.

use std::cell::RefCell;
use std::os::fd::{OwnedFd, RawFd};

use super::wire::{ModelChan, ModelReader, ModelWriter};

/// An end leaving the parent, as the parent's encoder meets it.
#[derive(Clone)]
pub(crate) enum Outgoing {
    /// A pipe descriptor the child inherits.
    Fd(RawFd),
    /// The reading side of an in-process channel.
    ModelReader(std::sync::Arc<ModelChan>),
    /// A writing side of an in-process channel (the child gets its own).
    ModelWriter(std::sync::Arc<ModelChan>),
}

impl Outgoing {
    fn same(&self, other: &Outgoing) -> bool {
        match (self, other) {
            (Outgoing::Fd(a), Outgoing::Fd(b)) => a == b,
            (Outgoing::ModelReader(a), Outgoing::ModelReader(b))
            | (Outgoing::ModelWriter(a), Outgoing::ModelWriter(b)) => std::sync::Arc::ptr_eq(a, b),
            _ => false,
        }
    }

    /// What the child receives for it under a checker (a writer is a new
    /// one, counted by the channel: a duplicated descriptor).
    pub(crate) fn into_carried(self) -> Carried {
        match self {
            Outgoing::Fd(_) => Carried::Unusable,
            Outgoing::ModelReader(chan) => Carried::ModelReader(ModelReader::new(chan)),
            Outgoing::ModelWriter(chan) => Carried::ModelWriter(ModelWriter::new(chan)),
        }
    }
}

/// An end as the child receives it.
pub(crate) enum Carried {
    /// An inherited pipe descriptor, owned by this process now.
    Fd(OwnedFd),
    /// A reading end of an in-process channel.
    ModelReader(ModelReader),
    /// A writing end of an in-process channel.
    ModelWriter(ModelWriter),
    /// A descriptor, which cannot cross to an isolated child.
    Unusable,
}

/// The ends received with one request. Not part of the public API.
#[doc(hidden)]
#[derive(Default)]
pub struct Inbox(pub(crate) Vec<Option<Carried>>);

impl std::fmt::Debug for Inbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Inbox({} ends)", self.0.len())
    }
}

// Plain thread-locals: see the module docs for why no model thread can
// observe another's box.
std::thread_local! {
    static OUTBOX: RefCell<Option<Vec<Outgoing>>> = const { RefCell::new(None) };
    static INBOX: RefCell<Option<Inbox>> = const { RefCell::new(None) };
    static ERROR: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Why the last [`send`] or [`claim`] on this thread failed, taken: the
/// encoder's own error (postcard's) does not keep the message.
pub(crate) fn take_error() -> Option<String> {
    ERROR.with(|e| e.borrow_mut().take())
}

fn failed<T>(message: String) -> Result<T, String> {
    ERROR.with(|e| *e.borrow_mut() = Some(message.clone()));
    Err(message)
}

/// Runs `encode` with an empty outbox and returns what it put there.
pub(crate) fn collecting<R>(encode: impl FnOnce() -> R) -> (R, Vec<Outgoing>) {
    let outer = OUTBOX.with(|b| b.borrow_mut().replace(Vec::new()));
    let result = encode();
    let outbox = OUTBOX.with(|b| std::mem::replace(&mut *b.borrow_mut(), outer));
    (result, outbox.unwrap_or_default())
}

/// Moves `end` to the outbox and returns its index there.
///
/// # Errors
///
/// When no process is being started here: the end is being encoded for
/// something else (a pool task, a result), which cannot carry it.
pub(crate) fn send(end: Outgoing) -> Result<u32, String> {
    OUTBOX.with(|b| {
        let mut b = b.borrow_mut();
        let Some(outbox) = b.as_mut() else {
            return failed(
                "a process Queue or Connection crosses to a child only inside the \
                 argument of `Process::new`"
                    .into(),
            );
        };
        let index = match outbox.iter().position(|o| o.same(&end)) {
            Some(i) => i,
            None => {
                outbox.push(end);
                outbox.len() - 1
            }
        };
        Ok(index as u32)
    })
}

/// Runs `decode` with `inbox` available to [`claim`], then gives it back.
pub(crate) fn receiving<R>(inbox: &mut Inbox, decode: impl FnOnce() -> R) -> R {
    let outer = INBOX.with(|b| b.borrow_mut().replace(std::mem::take(inbox)));
    let result = decode();
    if let Some(back) = INBOX.with(|b| std::mem::replace(&mut *b.borrow_mut(), outer)) {
        *inbox = back;
    }
    result
}

/// Claims the end the parent encoded as `index`.
///
/// # Errors
///
/// Outside a child's decoding, for an index the parent never sent, or for
/// an end already claimed (the same end twice in one argument).
pub(crate) fn claim(index: u32) -> Result<Carried, String> {
    INBOX.with(|b| {
        let mut b = b.borrow_mut();
        let Some(inbox) = b.as_mut() else {
            return failed(
                "a process Queue or Connection can only be received as a child's argument".into(),
            );
        };
        match inbox.0.get_mut(index as usize) {
            Some(slot) => match slot.take() {
                Some(end) => Ok(end),
                None => failed("the same Queue or Connection end was passed twice".into()),
            },
            None => failed(format!("the parent sent no end number {index}")),
        }
    })
}
