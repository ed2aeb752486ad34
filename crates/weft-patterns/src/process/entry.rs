//! Entry points: the functions a child process can run, known by name.

use std::any::Any;
use std::fmt;
use std::panic::{self, AssertUnwindSafe};

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::carry::{self, Inbox};
use super::exit::ExitRequest;
use super::message::{Batch, Outcome, PushError};

/// A function a child process can run: a name and a plain `fn(A) -> R`.
///
/// The argument travels to the child and the result back, both encoded with
/// postcard, so `A` and `R` implement serde's traits. Declare entry points as
/// statics with [`process_entry!`](crate::process_entry), which names them
/// after their module path, and list every one in the binary's call to
/// [`process::main`](super::main) so that a re-executed child can find it.
///
/// # Examples
///
/// ```
/// use weft_patterns::process::Entry;
///
/// fn square(x: u64) -> u64 {
///     x * x
/// }
///
/// static SQUARE: Entry<u64, u64> = weft_patterns::process_entry!(square);
///
/// assert!(SQUARE.name().ends_with("::square"));
/// assert_eq!(SQUARE.call(7), 49); // runs here, in this process
/// ```
pub struct Entry<A, R> {
    name: &'static str,
    func: fn(A) -> R,
}

impl<A, R> Entry<A, R> {
    /// An entry point called `name` that runs `func`. Names must be unique
    /// within a binary; [`process_entry!`](crate::process_entry) makes them so.
    pub const fn new(name: &'static str, func: fn(A) -> R) -> Self {
        Entry { name, func }
    }

    /// Its registered name.
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// Runs the function here, in the current process.
    pub fn call(&self, args: A) -> R {
        (self.func)(args)
    }
}

impl<A, R> Clone for Entry<A, R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<A, R> Copy for Entry<A, R> {}

impl<A, R> fmt::Debug for Entry<A, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Entry").field("name", &self.name).finish()
    }
}

mod sealed {
    pub trait Sealed {}
}

impl<A, R> sealed::Sealed for Entry<A, R> {}

/// An [`Entry`] with its types erased, as [`process::main`](super::main)
/// lists them. Implemented only by `Entry`.
pub trait EntryPoint: sealed::Sealed + Send + Sync + 'static {
    /// Its registered name.
    fn name(&self) -> &'static str;

    /// Decodes the argument, runs the function (catching a panic) and
    /// appends the encoded result to `results`. Not part of the public API.
    #[doc(hidden)]
    fn invoke(
        &self,
        args: &[u8],
        limit: u64,
        results: &mut Results,
        inbox: &mut Inbox,
    ) -> Invocation;
}

/// The results of a reply being built; see [`EntryPoint::invoke`]. Not part
/// of the public API.
#[doc(hidden)]
#[derive(Debug, Default)]
pub struct Results(pub(crate) Batch);

/// How one call went; returned by [`EntryPoint::invoke`]. Not part of the
/// public API.
#[doc(hidden)]
#[derive(Debug)]
pub struct Invocation(pub(crate) Outcome);

impl<A, R> EntryPoint for Entry<A, R>
where
    A: DeserializeOwned + 'static,
    R: Serialize + 'static,
{
    fn name(&self) -> &'static str {
        self.name
    }

    fn invoke(
        &self,
        args: &[u8],
        limit: u64,
        results: &mut Results,
        inbox: &mut Inbox,
    ) -> Invocation {
        // Queues and connections in the argument claim their ends from `inbox`.
        let _ = carry::take_error();
        let arg: A = match carry::receiving(inbox, || postcard::from_bytes(args)) {
            Ok(arg) => arg,
            Err(e) => {
                let why = carry::take_error().unwrap_or_else(|| e.to_string());
                return Invocation(Outcome::BadArgument(why));
            }
        };
        let func = self.func;
        let result = match panic::catch_unwind(AssertUnwindSafe(move || func(arg))) {
            Ok(result) => result,
            Err(payload) => return Invocation(Outcome::Panicked(message_or_exit(payload))),
        };
        let pushed = panic::catch_unwind(AssertUnwindSafe(|| {
            results.0.push(&result, "the result", limit)
        }));
        let outcome = match pushed {
            Ok(Ok(())) => Outcome::Returned,
            Ok(Err(PushError::Unserializable(message))) => Outcome::Unserializable(message),
            Ok(Err(PushError::TooLarge(_, size))) => Outcome::TooLarge { size, limit },
            Err(payload) => Outcome::Unserializable(format!(
                "the result could not be serialised: its `Serialize` panicked: {}",
                message_or_exit(payload)
            )),
        };
        Invocation(outcome)
    }
}

/// The message of a panic caught around user code; a simulated
/// `process::exit` (under a checker) is not a panic: it goes on unwinding,
/// to end the whole isolated process.
fn message_or_exit(payload: Box<dyn Any + Send>) -> String {
    if payload.is::<ExitRequest>() {
        panic::resume_unwind(payload);
    }
    weft_sync::record::panic_message(payload.as_ref())
}

/// Declares an [`Entry`] named after the function's module path, or, with
/// no arguments, names the running test for the children it starts.
///
/// `process_entry!(square)` is `Entry::new(concat!(module_path!(), "::square"), square)`;
/// `process_entry!("name", func)` gives the name explicitly.
///
/// `process_entry!()`, in the body of a libtest test, is the
/// [`TestEntry`](crate::process::TestEntry) of that test: its path derived
/// from the function the macro sits in (`module::test`), so that renaming
/// the test renames its children's `--exact` argument with it.
///
/// # Examples
///
/// ```
/// use weft_patterns::process::Entry;
///
/// fn greet(name: String) -> String {
///     format!("hello {name}")
/// }
///
/// static GREET: Entry<String, String> = weft_patterns::process_entry!(greet);
/// static SHOUT: Entry<String, String> =
///     weft_patterns::process_entry!("shout", |s: String| s.to_uppercase());
///
/// assert_eq!(SHOUT.name(), "shout");
/// assert_eq!(GREET.call("bob".into()), "hello bob");
/// ```
#[macro_export]
macro_rules! process_entry {
    () => {{
        fn __weft_process_entry_here() {}
        $crate::process::TestEntry::__derive(::core::any::type_name_of_val(
            &__weft_process_entry_here,
        ))
    }};
    ($func:ident) => {
        $crate::process::Entry::new(
            ::core::concat!(::core::module_path!(), "::", ::core::stringify!($func)),
            $func,
        )
    };
    ($name:expr, $func:expr) => {
        $crate::process::Entry::new($name, $func)
    };
}
