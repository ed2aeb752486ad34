//! No vacuous green: [`sometimes!`](crate::sometimes) and
//! [`reachable!`](crate::reachable) say what a model's exploration must see
//! at least once. A model whose exploration never saw it fails
//! (`FailureKind::NeverReached`): "`label` was never reached in N
//! executions", or for `sometimes!`, "`label` was never true in N
//! executions". A model that passes because the interesting interleaving
//! never happened is a model that proves nothing.
//!
//! ```
//! use weft_sync::sync::atomic::{AtomicUsize, Ordering};
//! use weft_sync::sync::Arc;
//! use weft_sync::thread;
//!
//! fn body() {
//!     let n = Arc::new(AtomicUsize::new(0));
//!     let n2 = Arc::clone(&n);
//!     let t = thread::spawn(move || n2.store(1, Ordering::SeqCst));
//!     // Some execution must read the store before the join...
//!     weft_sync::sometimes!(n.load(Ordering::SeqCst) == 1, "the store is seen early");
//!     t.join().unwrap();
//!     if n.load(Ordering::SeqCst) == 1 {
//!         // ...and every execution reaches this line.
//!         weft_sync::reachable!("joined after the store");
//!     }
//! }
//! # weft_sync::explore::doc_example(body);
//! ```
//!
//! # Which sites a model expects
//!
//! - every site written inside the model's body (the closure or function
//!   given to `explore`, `check` or `model`, and the closures nested in
//!   it, such as the threads it spawns), even one no execution ran: those
//!   are registered when the program loads (on Linux, the BSDs, macOS and
//!   Windows; elsewhere, only once run);
//! - every site any execution of the model ran, wherever it is written (in
//!   a function the body calls, say).
//!
//! Two closures written in one function have the same path: a site inside
//! either is expected by both their models. Give each model its own
//! function when that matters. A site inside a generic function is
//! expected once run (its path has no generic arguments, the body's has).
//! Registration at load works as the `ctor` crate's does: a site in a
//! library crate is registered only when the linker keeps the code around
//! it (a site in a test or binary crate always is).
//!
//! # Backends
//!
//! Under a checker (`loom`, `shuttle`) each evaluation is recorded into
//! the current execution; outside a model it is ignored. In std mode a
//! stress run on real threads explores nothing, so the macros are cheap
//! no-ops there (the condition of `sometimes!` is still evaluated) and
//! never fail a model.

use std::sync::Mutex;

/// What a site asks of the exploration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SiteKind {
    /// [`reachable!`](crate::reachable): some execution runs this line.
    Reachable,
    /// [`sometimes!`](crate::sometimes): some execution finds the condition true.
    Sometimes,
}

/// One `sometimes!` or `reachable!` call site (a `static` the macros make).
#[derive(Debug)]
pub struct Site {
    label: &'static str,
    kind: SiteKind,
    file: &'static str,
    line: u32,
    column: u32,
    path: fn() -> &'static str,
}

impl Site {
    #[doc(hidden)]
    pub const fn new(
        label: &'static str,
        kind: SiteKind,
        file: &'static str,
        line: u32,
        column: u32,
        path: fn() -> &'static str,
    ) -> Site {
        Site {
            label,
            kind,
            file,
            line,
            column,
            path,
        }
    }

    /// The label the site was given.
    pub fn label(&self) -> &'static str {
        self.label
    }

    /// `reachable!` or `sometimes!`.
    pub fn kind(&self) -> SiteKind {
        self.kind
    }

    /// The source file of the call.
    pub fn file(&self) -> &'static str {
        self.file
    }

    /// The line of the call.
    pub fn line(&self) -> u32 {
        self.line
    }

    /// Where the call is, as reports show it.
    pub fn location(&self) -> crate::record::Loc {
        crate::record::Loc {
            file: self.file,
            line: self.line,
            column: self.column,
        }
    }

    /// The path of the function or closure the site is written in
    /// (`my_crate::module::function::{{closure}}`).
    pub fn function(&self) -> &'static str {
        // The marker type sits in the initializer of the site's `static`.
        let path = (self.path)();
        path.strip_suffix("::SITE::Here").unwrap_or(path)
    }

    /// Whether the site is written inside the body whose type path is
    /// `body` (`std::any::type_name` of the closure or function).
    pub fn is_inside(&self, body: &str) -> bool {
        self.function()
            .strip_prefix(body)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with("::"))
    }

    /// What the failure says when no execution satisfied the site.
    pub fn never_message(&self, executions: usize) -> String {
        let what = match self.kind {
            SiteKind::Reachable => "reached",
            SiteKind::Sometimes => "true",
        };
        format!(
            "`{}` was never {what} in {executions} executions",
            self.label
        )
    }
}

static REGISTERED: Mutex<Vec<&'static Site>> = Mutex::new(Vec::new());

/// Registers a site when the program loads (the macros call it).
#[doc(hidden)]
pub fn register(site: &'static Site) {
    REGISTERED
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(site);
}

/// Every site registered so far: all of the program's on the platforms
/// that register at load time.
pub fn registered() -> Vec<&'static Site> {
    REGISTERED.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

/// Records one evaluation of a site (the macros call it).
#[doc(hidden)]
#[inline]
pub fn evaluated(site: &'static Site, satisfied: bool) {
    crate::backend::site_evaluated(site, satisfied);
}

/// Asserts that some execution of the model finds `cond` true: the model
/// fails with "`label` was never true in N executions" otherwise.
///
/// `cond` is evaluated every time (on every backend); under a checker the
/// result is recorded. See [the module docs](crate::reach) for which
/// sites a model expects.
///
/// # Examples
///
/// ```
/// let queue_len = 0;
/// weft_sync::sometimes!(queue_len > 0, "a consumer finds work waiting");
/// ```
#[macro_export]
macro_rules! sometimes {
    ($cond:expr, $label:expr $(,)?) => {{
        $crate::__weft_site!(SITE, $crate::reach::SiteKind::Sometimes, $label);
        let satisfied: bool = $cond;
        $crate::reach::evaluated(&SITE, satisfied);
    }};
}

/// Asserts that some execution of the model runs this line: the model
/// fails with "`label` was never reached in N executions" otherwise, even
/// when no execution ran it at all (the site is registered when the
/// program loads). See [the module docs](crate::reach).
///
/// # Examples
///
/// ```
/// let got = Some(3);
/// if let Some(n) = got {
///     weft_sync::reachable!("the consumer got an item");
///     assert_eq!(n, 3);
/// }
/// ```
#[macro_export]
macro_rules! reachable {
    ($label:expr $(,)?) => {{
        $crate::__weft_site!(SITE, $crate::reach::SiteKind::Reachable, $label);
        $crate::reach::evaluated(&SITE, true);
    }};
}

/// The `static` of one call site, registered when the program loads
/// where the platform runs a section of constructors (as the `ctor`
/// crate does).
#[doc(hidden)]
#[macro_export]
macro_rules! __weft_site {
    ($site:ident, $kind:expr, $label:expr) => {
        static $site: $crate::reach::Site =
            $crate::reach::Site::new($label, $kind, file!(), line!(), column!(), {
                struct Here;
                fn path() -> &'static str {
                    ::std::any::type_name::<Here>()
                }
                path
            });
        #[used]
        #[cfg_attr(
            any(
                target_os = "linux",
                target_os = "android",
                target_os = "freebsd",
                target_os = "netbsd",
                target_os = "openbsd",
                target_os = "dragonfly",
                target_os = "illumos"
            ),
            link_section = ".init_array"
        )]
        #[cfg_attr(target_vendor = "apple", link_section = "__DATA,__mod_init_func")]
        #[cfg_attr(windows, link_section = ".CRT$XCU")]
        static REGISTER: extern "C" fn() = {
            extern "C" fn register() {
                $crate::reach::register(&$site);
            }
            register
        };
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn here() -> &'static str {
        "p"
    }

    #[test]
    fn messages_say_reached_or_true_and_count_executions() {
        let r = Site::new("got it", SiteKind::Reachable, "f.rs", 1, 1, here);
        assert_eq!(
            r.never_message(27),
            "`got it` was never reached in 27 executions"
        );
        let s = Site::new("early", SiteKind::Sometimes, "f.rs", 2, 1, here);
        assert_eq!(s.never_message(3), "`early` was never true in 3 executions");
    }

    #[test]
    fn a_site_is_inside_its_function_and_the_closures_in_it() {
        fn nested() -> &'static str {
            "m::body::{{closure}}::{{closure}}::SITE::Here"
        }
        let s = Site::new("x", SiteKind::Reachable, "f.rs", 1, 1, nested);
        assert_eq!(s.function(), "m::body::{{closure}}::{{closure}}");
        assert!(s.is_inside("m::body::{{closure}}"));
        assert!(s.is_inside("m::body"));
        assert!(!s.is_inside("m::bod"));
        assert!(!s.is_inside("m::other"));
    }

    #[test]
    fn the_macros_register_their_sites_when_the_program_loads() {
        fn never_called() {
            crate::reachable!("registered without running");
        }
        let _ = never_called;
        let site = registered()
            .into_iter()
            .find(|s| s.label() == "registered without running")
            .expect("registered at load");
        assert_eq!(site.kind(), SiteKind::Reachable);
        assert!(site.file().ends_with("reach.rs"), "{}", site.file());
        assert!(
            site.function()
                .ends_with("the_macros_register_their_sites_when_the_program_loads::never_called"),
            "{}",
            site.function()
        );
    }
}
