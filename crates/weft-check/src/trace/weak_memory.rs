//! The trace's `weak_memory` field: a loom failure's stale read and the
//! ordering repair hint found for it. Absent in older traces and when no
//! stale read explains the failure.

use std::sync::atomic::Ordering;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use weft_sync::ordering_override::{SiteKind, Strengthen};
use weft_sync::record::{ordering_from_name, ordering_name, ATOMIC_METHODS};

use super::format::LocationRecord;
use crate::repair::{OrderingChange, Repair, Site};
use crate::weak_memory::StaleRead;

/// A stale read: steps are 1-based step numbers of the trace's `steps`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeakMemoryRecord {
    /// The atomic (an index into `objects`).
    pub object: usize,
    /// The step of the load that read a stale value.
    pub load_step: usize,
    /// The step of the store it read from; `null` for the initial value.
    pub read_from_step: Option<usize>,
    /// The step of the newest store before the load, which it did not see.
    pub newer_step: usize,
    /// Whether several stores wrote the value read (`read_from_step` is
    /// then the most recent).
    pub ambiguous: bool,
    /// The ordering repair search, if it ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repair: Option<RepairRecord>,
}

/// The ordering repair search's outcome.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepairRecord {
    /// The hint as the report words it; empty when none was found.
    pub hint: String,
    /// The changes under which the model passed, in step order.
    pub changes: Vec<OrderingChangeRecord>,
    /// Re-runs of the model made.
    pub reruns: usize,
    /// Microseconds spent.
    pub micros: u64,
    /// Whether the budget stopped the search before it finished.
    pub cut_short: bool,
}

/// One site's change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderingChangeRecord {
    /// The call site.
    pub location: LocationRecord,
    /// `load`, `store`, `rmw` or `fence`.
    pub kind: String,
    /// The method called (`load`, `store`, `fetch_add`, ...).
    pub method: String,
    /// Its first step in the failing execution.
    pub step: usize,
    /// The ordering the code wrote (`Relaxed`, ...).
    pub from: String,
    /// The ordering that made the model pass.
    pub to: String,
    /// Whether a `fence(SeqCst)` goes next to it (after a store, before a load).
    pub fence: bool,
}

fn kind_name(kind: SiteKind) -> &'static str {
    match kind {
        SiteKind::Load => "load",
        SiteKind::Store => "store",
        SiteKind::Rmw => "rmw",
        SiteKind::Fence => "fence",
    }
}

impl WeakMemoryRecord {
    /// The record of a failure's stale read and repair search.
    pub(crate) fn new(stale: &StaleRead, repair: Option<&Repair>) -> WeakMemoryRecord {
        WeakMemoryRecord {
            object: stale.object,
            load_step: stale.load,
            read_from_step: stale.read_from,
            newer_step: stale.newer,
            ambiguous: stale.ambiguous,
            repair: repair.map(|r| RepairRecord {
                hint: r.to_string(),
                changes: r
                    .changes
                    .iter()
                    .map(|c| OrderingChangeRecord {
                        location: LocationRecord::from(c.site.location),
                        kind: kind_name(c.site.kind).to_string(),
                        method: c.site.method.to_string(),
                        step: c.site.step,
                        from: ordering_name(c.site.order).to_string(),
                        to: ordering_name(c.to.order).to_string(),
                        fence: c.to.fence,
                    })
                    .collect(),
                reruns: r.reruns,
                micros: u64::try_from(r.elapsed.as_micros()).unwrap_or(u64::MAX),
                cut_short: r.cut_short,
            }),
        }
    }

    /// The stale read recorded.
    pub(crate) fn to_stale_read(&self) -> StaleRead {
        StaleRead {
            object: self.object,
            load: self.load_step,
            read_from: self.read_from_step,
            newer: self.newer_step,
            ambiguous: self.ambiguous,
        }
    }

    /// The repair recorded; changes whose kind, method or orderings this
    /// weft does not know are left out.
    pub(crate) fn to_repair(&self) -> Option<Repair> {
        let r = self.repair.as_ref()?;
        let changes = r
            .changes
            .iter()
            .filter_map(|c| {
                let kind = [
                    SiteKind::Load,
                    SiteKind::Store,
                    SiteKind::Rmw,
                    SiteKind::Fence,
                ]
                .into_iter()
                .find(|k| kind_name(*k) == c.kind)?;
                let method = ATOMIC_METHODS
                    .iter()
                    .chain(&["fence"])
                    .find(|m| **m == c.method)?;
                let from: Ordering = ordering_from_name(&c.from)?;
                let to = ordering_from_name(&c.to)?;
                Some(OrderingChange {
                    site: Site {
                        location: c.location.to_loc(),
                        kind,
                        method,
                        order: from,
                        step: c.step,
                    },
                    to: Strengthen {
                        order: to,
                        fence: c.fence,
                    },
                })
            })
            .collect();
        Some(Repair {
            changes,
            reruns: r.reruns,
            elapsed: Duration::from_micros(r.micros),
            cut_short: r.cut_short,
        })
    }
}
