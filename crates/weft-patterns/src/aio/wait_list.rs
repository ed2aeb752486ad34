//! [`WaitList`]: the FIFO of tasks waiting on one of this module's
//! primitives, and [`Notified`], the future that waits in it.
//!
//! A notification marks an entry and wakes its waiter; the entry stays
//! until its future sees the mark, so a notification is never lost between
//! the wake and the poll. A future dropped after being notified but before
//! seeing it hands the notification on, as its primitive says
//! ([`OnCancel`]).

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use super::task_status::WaitsOn;
use super::waiter::Waiter;

struct Entry {
    id: u64,
    /// `None` once notified (the waiter was taken to be woken).
    waiter: Option<Waiter>,
}

/// Waiters in arrival order.
#[derive(Default)]
pub(crate) struct WaitList {
    entries: VecDeque<Entry>,
    next_id: u64,
}

impl WaitList {
    fn push(&mut self, waiter: Waiter) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.entries.push_back(Entry {
            id,
            waiter: Some(waiter),
        });
        id
    }

    fn position(&self, id: u64) -> Option<usize> {
        self.entries.iter().position(|e| e.id == id)
    }

    /// Whether some entry waits and was not notified.
    pub(crate) fn has_waiting(&self) -> bool {
        self.entries.iter().any(|e| e.waiter.is_some())
    }

    /// Notifies the first entry not yet notified; returns its waiter, for
    /// the caller to wake once its borrows are released.
    #[must_use]
    pub(crate) fn notify_one(&mut self) -> Option<Waiter> {
        self.entries.iter_mut().find_map(|e| e.waiter.take())
    }

    /// Notifies every entry; returns their waiters.
    #[must_use]
    pub(crate) fn notify_all(&mut self) -> Vec<Waiter> {
        self.entries
            .iter_mut()
            .filter_map(|e| e.waiter.take())
            .collect()
    }

    /// Removes an entry; `true` if it had been notified.
    fn remove(&mut self, id: u64) -> bool {
        match self.position(id) {
            Some(i) => self.entries.remove(i).is_some_and(|e| e.waiter.is_none()),
            None => false,
        }
    }
}

/// Wakes waiters taken out of a list.
pub(crate) fn wake_all(waiters: Vec<Waiter>) {
    for w in waiters {
        w.wake();
    }
}

/// What a primitive does when a notified waiter is dropped before it saw
/// the notification.
#[derive(Clone, Copy)]
pub(crate) enum OnCancel<'a> {
    /// Nothing: every waiter was notified anyway (`Event.set`).
    Nothing,
    /// Notify the next waiter instead (`Queue`, `Condition`).
    PassOn,
    /// The notification handed over ownership (`Lock`, `Semaphore`):
    /// give it back.
    Release(&'a dyn Release),
}

/// A primitive that hands ownership to the waiter it notifies.
pub(crate) trait Release {
    /// Gives back what a dropped waiter was handed.
    fn release(&self);
}

/// Waits in `list` until notified.
pub(crate) struct Notified<'a> {
    list: &'a RefCell<WaitList>,
    id: Option<u64>,
    what: &'static str,
    name: Option<&'a Rc<str>>,
    on_cancel: OnCancel<'a>,
    done: bool,
}

impl<'a> Notified<'a> {
    pub(crate) fn new(
        list: &'a RefCell<WaitList>,
        what: &'static str,
        name: Option<&'a Rc<str>>,
        on_cancel: OnCancel<'a>,
    ) -> Self {
        Notified {
            list,
            id: None,
            what,
            name,
            on_cancel,
            done: false,
        }
    }
}

impl Future for Notified<'_> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.done {
            return Poll::Ready(());
        }
        let (what, name) = (self.what, self.name);
        let waits_on = || WaitsOn::object(what, name);
        let mut list = self.list.borrow_mut();
        match self.id {
            None => {
                let waiter = Waiter::current(cx, waits_on);
                let id = list.push(waiter);
                drop(list);
                self.id = Some(id);
                Poll::Pending
            }
            Some(id) => {
                let Some(i) = list.position(id) else {
                    drop(list);
                    self.id = None;
                    self.done = true;
                    return Poll::Ready(());
                };
                match &mut list.entries[i].waiter {
                    None => {
                        list.entries.remove(i);
                        drop(list);
                        self.id = None;
                        self.done = true;
                        Poll::Ready(())
                    }
                    Some(w) => {
                        w.refresh(cx, waits_on);
                        Poll::Pending
                    }
                }
            }
        }
    }
}

impl Drop for Notified<'_> {
    fn drop(&mut self) {
        let Some(id) = self.id else { return };
        let mut list = self.list.borrow_mut();
        if !list.remove(id) {
            return;
        }
        match self.on_cancel {
            OnCancel::Nothing => {}
            OnCancel::PassOn => {
                let next = list.notify_one();
                drop(list);
                if let Some(w) = next {
                    w.wake();
                }
            }
            OnCancel::Release(primitive) => {
                drop(list);
                primitive.release();
            }
        }
    }
}
