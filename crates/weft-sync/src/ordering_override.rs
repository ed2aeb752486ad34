//! Run-time strengthening of atomic orderings, keyed by call site: what
//! weft-check's ordering repair hints re-run a model with, without
//! recompiling it.
//!
//! Under a checker, weft's atomics ask this table for the ordering to use
//! at their call site (`file:line:column`, from `#[track_caller]`); a site
//! that is not in it keeps the ordering the code wrote. In std mode the
//! atomics are std's own and never look here.
//!
//! ```
//! use std::sync::atomic::Ordering;
//! use weft_sync::ordering_override::{with_overrides, OrderingOverrides, Strengthen};
//! use weft_sync::record::Loc;
//!
//! let flag_store = Loc { file: "src/queue.rs", line: 88, column: 14 };
//! let mut table = OrderingOverrides::new();
//! table.insert(flag_store, Strengthen::to(Ordering::Release));
//! let len = with_overrides(&table, || {
//!     // Explore the model here: the store at src/queue.rs:88:14 is
//!     // Release in every execution.
//!     table.len()
//! });
//! assert_eq!(len, 1);
//! ```

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::sync::atomic::Ordering;

use crate::record::Loc;

/// What one call site becomes: a stronger ordering, and optionally a
/// `fence(SeqCst)` next to the access (after a store, before a load), the
/// idiom that orders a store before a later load (store buffering,
/// Dekker).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Strengthen {
    /// The ordering the access uses instead of its own (fitted to the
    /// operation: a load never gets a Release part, a store never an
    /// Acquire part, a compare-exchange's failure ordering gets the load
    /// part).
    pub order: Ordering,
    /// Whether a `fence(SeqCst)` goes after the store (before the load).
    pub fence: bool,
}

impl Strengthen {
    /// The site uses `order`, with no fence.
    pub fn to(order: Ordering) -> Strengthen {
        Strengthen {
            order,
            fence: false,
        }
    }

    /// The site uses `order`, with a `fence(SeqCst)` next to it.
    pub fn fenced(order: Ordering) -> Strengthen {
        Strengthen { order, fence: true }
    }
}

/// Call sites and what each becomes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OrderingOverrides {
    sites: HashMap<Loc, Strengthen>,
}

impl OrderingOverrides {
    /// An empty table: every site keeps its ordering.
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes the atomic operation(s) at `at` use `change`.
    pub fn insert(&mut self, at: Loc, change: Strengthen) {
        self.sites.insert(at, change);
    }

    /// What the site at `at` becomes, if it is in the table.
    pub fn get(&self, at: Loc) -> Option<Strengthen> {
        self.sites.get(&at).copied()
    }

    /// How many sites the table changes.
    pub fn len(&self) -> usize {
        self.sites.len()
    }

    /// Whether the table changes no site.
    pub fn is_empty(&self) -> bool {
        self.sites.is_empty()
    }
}

thread_local! {
    // Per OS thread: the checkers run a model's threads as coroutines of
    // the thread that explores it, and tests run in parallel on other OS
    // threads, which must not see this table.
    static ACTIVE: Cell<bool> = const { Cell::new(false) };
    static TABLE: RefCell<OrderingOverrides> = RefCell::new(OrderingOverrides::new());
}

/// Runs `f` with `table` in effect for the atomics used on this OS thread
/// (the thread that explores the model), then restores the previous
/// table, also when `f` panics.
pub fn with_overrides<R>(table: &OrderingOverrides, f: impl FnOnce() -> R) -> R {
    struct Restore(OrderingOverrides, bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            let old = std::mem::take(&mut self.0);
            TABLE.with(|t| *t.borrow_mut() = old);
            ACTIVE.with(|a| a.set(self.1));
        }
    }
    let old = TABLE.with(|t| std::mem::replace(&mut *t.borrow_mut(), table.clone()));
    let was = ACTIVE.with(|a| a.replace(!table.is_empty()));
    let _restore = Restore(old, was);
    f()
}

/// The kind of atomic operation a site performs, which decides which
/// orderings it may take.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SiteKind {
    /// `load`
    Load,
    /// `store`
    Store,
    /// A read-modify-write (`swap`, `fetch_*`, a compare-exchange's success).
    Rmw,
    /// `fence`
    Fence,
}

/// What the site at `at` does instead of `order`: the ordering, and
/// whether a `fence(SeqCst)` goes next to it. Sites not in the table (and
/// every site when no table is in effect) keep `order` and no fence.
/// Asked by weft's atomics under a checker.
#[inline]
pub fn effective(kind: SiteKind, order: Ordering, at: Loc) -> (Ordering, bool) {
    if !ACTIVE.with(Cell::get) {
        return (order, false);
    }
    match TABLE.with(|t| t.borrow().get(at)) {
        Some(change) => (fit(kind, change.order, order), change.fence),
        None => (order, false),
    }
}

/// What a compare-exchange at `at` uses instead of its `success` and
/// `failure` orderings: both unchanged when the site is not in the table;
/// else the table's ordering, and a failure ordering raised to at least
/// its load part.
#[inline]
pub fn effective_cas(success: Ordering, failure: Ordering, at: Loc) -> (Ordering, Ordering) {
    if !ACTIVE.with(Cell::get) {
        return (success, failure);
    }
    match TABLE.with(|t| t.borrow().get(at)) {
        Some(change) => {
            let success = fit(SiteKind::Rmw, change.order, success);
            (success, failure_order(success, failure))
        }
        None => (success, failure),
    }
}

/// A compare-exchange's failure ordering when its success ordering became
/// `success`: at least the load part of `success` (and never a Release
/// part, which std refuses).
fn failure_order(success: Ordering, failure: Ordering) -> Ordering {
    let load = fit(SiteKind::Load, success, Ordering::Relaxed);
    if rank(load) > rank(failure) {
        load
    } else {
        failure
    }
}

/// `wanted`, fitted to what `kind` accepts; `own` when nothing of it fits
/// (a fence has no Relaxed).
fn fit(kind: SiteKind, wanted: Ordering, own: Ordering) -> Ordering {
    use Ordering::{AcqRel, Acquire, Relaxed, Release, SeqCst};
    match (kind, wanted) {
        (SiteKind::Load, Release) => Relaxed,
        (SiteKind::Load, AcqRel) => Acquire,
        (SiteKind::Store, Acquire) => Relaxed,
        (SiteKind::Store, AcqRel) => Release,
        (SiteKind::Fence, Relaxed) => own,
        (_, SeqCst) => SeqCst,
        (_, other) => other,
    }
}

/// Strength, for the failure-ordering comparison.
fn rank(order: Ordering) -> u8 {
    match order {
        Ordering::Relaxed => 0,
        Ordering::Acquire | Ordering::Release => 1,
        Ordering::AcqRel => 2,
        _ => 3,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::Ordering::{AcqRel, Acquire, Relaxed, Release, SeqCst};

    fn at(line: u32) -> Loc {
        Loc {
            file: "src/queue.rs",
            line,
            column: 9,
        }
    }

    #[test]
    fn sites_outside_the_table_keep_their_ordering() {
        assert_eq!(effective(SiteKind::Load, Relaxed, at(1)), (Relaxed, false));
        let mut t = OrderingOverrides::new();
        t.insert(at(2), Strengthen::to(Acquire));
        with_overrides(&t, || {
            assert_eq!(effective(SiteKind::Load, Relaxed, at(1)), (Relaxed, false));
            assert_eq!(effective(SiteKind::Load, Relaxed, at(2)), (Acquire, false));
        });
        assert_eq!(effective(SiteKind::Load, Relaxed, at(2)), (Relaxed, false));
    }

    #[test]
    fn the_previous_table_comes_back_after_a_panic() {
        let mut t = OrderingOverrides::new();
        t.insert(at(3), Strengthen::fenced(SeqCst));
        let r = std::panic::catch_unwind(|| with_overrides(&t, || panic!("model failed")));
        assert!(r.is_err());
        assert_eq!(effective(SiteKind::Store, Relaxed, at(3)), (Relaxed, false));
    }

    #[test]
    fn orderings_are_fitted_to_the_operation() {
        assert_eq!(fit(SiteKind::Load, AcqRel, Relaxed), Acquire);
        assert_eq!(fit(SiteKind::Load, Release, Relaxed), Relaxed);
        assert_eq!(fit(SiteKind::Store, AcqRel, Relaxed), Release);
        assert_eq!(fit(SiteKind::Store, Acquire, Relaxed), Relaxed);
        assert_eq!(fit(SiteKind::Rmw, AcqRel, Relaxed), AcqRel);
        assert_eq!(fit(SiteKind::Fence, Relaxed, Acquire), Acquire);
        assert_eq!(fit(SiteKind::Store, SeqCst, Relaxed), SeqCst);
    }

    #[test]
    fn a_compare_exchange_outside_the_table_keeps_both_orderings() {
        // Regression: an `AcqRel, Relaxed` compare-exchange once became
        // `AcqRel, Acquire` whether or not its site was in the table.
        assert_eq!(effective_cas(AcqRel, Relaxed, at(4)), (AcqRel, Relaxed));
        let mut t = OrderingOverrides::new();
        t.insert(at(5), Strengthen::to(AcqRel));
        with_overrides(&t, || {
            assert_eq!(effective_cas(AcqRel, Relaxed, at(4)), (AcqRel, Relaxed));
            assert_eq!(effective_cas(Relaxed, Relaxed, at(5)), (AcqRel, Acquire));
        });
    }

    #[test]
    fn a_compare_exchange_failure_ordering_takes_the_load_part() {
        assert_eq!(failure_order(AcqRel, Relaxed), Acquire);
        assert_eq!(failure_order(Release, Relaxed), Relaxed);
        assert_eq!(failure_order(SeqCst, Acquire), SeqCst);
        assert_eq!(failure_order(Acquire, SeqCst), SeqCst);
    }
}
