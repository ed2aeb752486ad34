use std::fmt;

use super::condvar::Wake;
use super::engine::atomic::AtomicBool as RawAtomicBool;
use super::recorder;
use super::{Condvar, Mutex};
use crate::record::{Loc, ObjectKind, Op, WaitKind};

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Empty,
    Running,
    Done,
}

/// A cell written at most once. Same as [`std::sync::OnceLock`]; built on
/// weft's primitives under a checker (neither loom nor shuttle has one).
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use weft_sync::sync::OnceLock;
///
/// let cell = OnceLock::new();
/// assert_eq!(*cell.get_or_init(|| 7), 7);
/// assert_eq!(cell.set(8), Err(8));
/// # });
/// ```
pub struct OnceLock<T> {
    id: usize,
    // Storage only; `ready` and `state` are what the model sees.
    value: std::sync::OnceLock<T>,
    ready: RawAtomicBool,
    state: Mutex<State>,
    cv: Condvar,
}

impl<T> OnceLock<T> {
    /// Creates an empty cell.
    #[track_caller]
    pub fn new() -> Self {
        let id = recorder::new_object(ObjectKind::OnceLock, Loc::caller());
        OnceLock {
            id,
            value: std::sync::OnceLock::new(),
            ready: RawAtomicBool::new(false),
            state: Mutex::for_object(State::Empty, id),
            cv: Condvar::for_object(id, WaitKind::OnceLock),
        }
    }

    /// Names the cell in failure reports.
    #[must_use]
    pub fn named(self, name: impl Into<String>) -> Self {
        recorder::name_object(self.id, name.into());
        self
    }

    /// Names one element of an array of primitives in failure reports:
    /// `named_indexed("slot", 3)` is `slot[3]`.
    #[must_use]
    pub fn named_indexed(self, name: &str, index: usize) -> Self {
        self.named(format!("{name}[{index}]"))
    }

    /// The value, if it has been set.
    #[track_caller]
    pub fn get(&self) -> Option<&T> {
        let me = recorder::current();
        let ready = self.ready.load(std::sync::atomic::Ordering::Acquire);
        recorder::resume(me);
        // A step the DPOR search orders against the initialization: read
        // unseen, it explored one answer only.
        recorder::event(
            Op::Load(crate::record::Value::Bool(ready)),
            self.id,
            Loc::caller(),
        );
        if ready {
            recorder::acquire(self.id);
            self.value.get()
        } else {
            None
        }
    }

    /// Sets the value if the cell is empty.
    ///
    /// # Errors
    ///
    /// Returns `value` back when the cell was already set or is being initialised.
    #[track_caller]
    pub fn set(&self, value: T) -> Result<(), T> {
        let at = Loc::caller();
        let mut s = self.state.lock_at(at).unwrap_or_else(|e| e.into_inner());
        if *s != State::Empty {
            return Err(value);
        }
        self.publish(value, at);
        *s = State::Done;
        self.cv.notify_waiting_after(s, Wake::All);
        Ok(())
    }

    fn publish(&self, value: T, at: Loc) {
        let me = recorder::current();
        if self.value.set(value).is_err() {
            unreachable!("the state mutex admits one initialiser");
        }
        recorder::event(Op::OnceInit, self.id, at);
        recorder::release(self.id);
        self.ready.store(true, std::sync::atomic::Ordering::Release);
        recorder::resume(me);
    }

    /// The value, initialising it with `f` if the cell is empty. Concurrent
    /// callers wait until the one running `f` is done.
    #[track_caller]
    pub fn get_or_init<F: FnOnce() -> T>(&self, f: F) -> &T {
        let at = Loc::caller();
        if let Some(v) = self.get() {
            return v;
        }
        let mut s = self.state.lock_at(at).unwrap_or_else(|e| e.into_inner());
        loop {
            match *s {
                State::Done => {
                    drop(s);
                    return self.get().expect("a done cell holds its value");
                }
                State::Running => {
                    s = self.cv.wait_at(s, at).unwrap_or_else(|e| e.into_inner());
                }
                State::Empty => break,
            }
        }
        *s = State::Running;
        drop(s);
        // If `f` panics, the cell goes back to empty and waiters retry.
        struct Reset<'a, T>(&'a OnceLock<T>, Loc, bool);
        impl<T> Drop for Reset<'_, T> {
            fn drop(&mut self) {
                if self.2 || recorder::torn_down() {
                    return;
                }
                let mut s = self
                    .0
                    .state
                    .lock_at(self.1)
                    .unwrap_or_else(|e| e.into_inner());
                *s = State::Empty;
                self.0.cv.notify_waiting_after(s, Wake::All);
            }
        }
        let mut reset = Reset(self, at, false);
        let value = f();
        reset.2 = true;
        let mut s = self.state.lock_at(at).unwrap_or_else(|e| e.into_inner());
        self.publish(value, at);
        *s = State::Done;
        self.cv.notify_waiting_after(s, Wake::All);
        self.value.get().expect("just published")
    }

    /// Consumes the cell and returns its value, if set.
    pub fn into_inner(self) -> Option<T> {
        self.value.into_inner()
    }
}

impl<T> Default for OnceLock<T> {
    #[track_caller]
    fn default() -> Self {
        OnceLock::new()
    }
}

impl<T: fmt::Debug> fmt::Debug for OnceLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OnceLock")
            .field("name", &recorder::object_name(self.id))
            .field("value", &self.value.get())
            .finish()
    }
}
