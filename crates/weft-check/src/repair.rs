//! Ordering repair hints: the fewest, weakest ordering changes at the
//! atomic call sites of a stale read under which the model passes.
//!
//! The search re-runs the model (an oracle: overrides in, pass or fail
//! out) with some sites strengthened through
//! [`weft_sync::ordering_override`]. Each site climbs its ladder: a load
//! Relaxed → Acquire → SeqCst → a `fence(SeqCst)` before it; a store
//! Relaxed → Release → SeqCst → a `fence(SeqCst)` after it (the store
//! buffering idiom, and what loom needs there: it treats SeqCst accesses
//! as AcqRel, loom issue #180); a read-modify-write Relaxed → Acquire or
//! Release → AcqRel → SeqCst; a fence → AcqRel → SeqCst.
//!
//! Strengthening only removes behaviours, so the search first runs every
//! site at the top of its ladder (if that fails, no hint exists among
//! these sites), then every set of sites of the smallest size at the top,
//! keeping those that pass. It then tries each such set with every site
//! one rung up (a Release/Acquire pair, most often), and keeps the first
//! that passes; if none does, it lowers each site of the first passing set,
//! in turn, to the weakest rung that still passes. The result has the
//! fewest sites, with orderings as weak as that search finds (not a
//! global minimum over all assignments). Every hint
//! reported was verified by a passing run.
//!
//! ```
//! use std::sync::atomic::Ordering;
//! use std::time::Duration;
//! use weft_check::repair::{search, Budget, Site};
//! use weft_sync::ordering_override::SiteKind;
//! use weft_sync::record::Loc;
//!
//! let at = |line| Loc { file: "src/queue.rs", line, column: 9 };
//! let store = Site { location: at(88), kind: SiteKind::Store, method: "store", order: Ordering::Relaxed, step: 2 };
//! let load = Site { location: at(120), kind: SiteKind::Load, method: "load", order: Ordering::Relaxed, step: 3 };
//! // The model passes when the store releases and the load acquires.
//! let repair = search(&[load, store], Budget { reruns: 20, time: Duration::from_secs(10) }, |table| {
//!     let releases = table.get(at(88)).is_some_and(|s| s.order != Ordering::Relaxed);
//!     let acquires = table.get(at(120)).is_some_and(|s| s.order != Ordering::Relaxed);
//!     releases && acquires
//! });
//! assert_eq!(
//!     repair.to_string(),
//!     "make the store at src/queue.rs:88 Release and the load at src/queue.rs:120 Acquire"
//! );
//! ```

use std::fmt;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use weft_sync::ordering_override::{OrderingOverrides, SiteKind, Strengthen};
use weft_sync::record::{ordering_name, Event, ExecutionLog, Loc, ObjectKind};

use crate::error::ConfigError;
use crate::weak_memory::StaleRead;

/// The environment variable that bounds or disables the repair search:
/// `off`, or the most re-runs of the model it may make (default 32).
pub const WEFT_REPAIR: &str = "WEFT_REPAIR";

/// Re-runs of the model the search makes at most, by default.
pub const DEFAULT_RERUNS: usize = 32;

/// Time the search spends at most (it stops between re-runs).
pub const DEFAULT_TIME: Duration = Duration::from_secs(10);

/// Sites on each side of the stale read the search considers at most.
const SIDE_SITES: usize = 2;

/// How much the search may re-run the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    /// Re-runs of the model at most.
    pub reruns: usize,
    /// Time at most (checked between re-runs).
    pub time: Duration,
}

impl Budget {
    /// The budget `WEFT_REPAIR` sets (`value` is its value, if set):
    /// `None` for `off` (or `0`).
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidVariable`] when it is neither `off` nor a
    /// number of re-runs.
    pub fn from_env_value(value: Option<&str>) -> Result<Option<Budget>, ConfigError> {
        let reruns = match value.map(str::trim) {
            None | Some("") => DEFAULT_RERUNS,
            Some("off" | "0") => return Ok(None),
            Some(n) => n
                .parse::<usize>()
                .map_err(|_| ConfigError::InvalidVariable {
                    variable: WEFT_REPAIR,
                    value: n.to_string(),
                    expected: "`off` or a number of re-runs".to_string(),
                })?,
        };
        Ok(Some(Budget {
            reruns,
            time: DEFAULT_TIME,
        }))
    }
}

/// An atomic call site the search may strengthen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Site {
    /// Where the call is (`file:line:column`: the override's key).
    pub location: Loc,
    /// What it does.
    pub kind: SiteKind,
    /// The method called (`load`, `store`, `fetch_add`, `fence`, ...).
    pub method: &'static str,
    /// The ordering the code wrote.
    pub order: Ordering,
    /// Its first step in the failing execution (hints are listed in step
    /// order).
    pub step: usize,
}

/// One change of a repair hint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrderingChange {
    /// The site changed.
    pub site: Site,
    /// What it becomes.
    pub to: Strengthen,
}

/// The outcome of the search: the changes under which the model passed
/// (none when no tried set of changes made it pass), and what it cost.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Repair {
    /// The changes, in step order; empty when no hint was found.
    pub changes: Vec<OrderingChange>,
    /// Re-runs of the model made.
    pub reruns: usize,
    /// Time spent.
    pub elapsed: Duration,
    /// Whether the budget stopped the search before it finished (a hint
    /// found then passed, but may not be the smallest).
    pub cut_short: bool,
}

/// The rungs above `order` on a `kind` site's ladder, weakest first.
fn ladder(kind: SiteKind, order: Ordering) -> Vec<Strengthen> {
    use Ordering::{AcqRel, Acquire, Release, SeqCst};
    let mut rungs: Vec<Strengthen> = match kind {
        SiteKind::Load => vec![Strengthen::to(Acquire), Strengthen::to(SeqCst)],
        SiteKind::Store => vec![Strengthen::to(Release), Strengthen::to(SeqCst)],
        SiteKind::Rmw => [Acquire, Release, AcqRel, SeqCst]
            .map(Strengthen::to)
            .to_vec(),
        SiteKind::Fence => vec![Strengthen::to(AcqRel), Strengthen::to(SeqCst)],
    };
    rungs.retain(|r| above(r.order, order));
    if matches!(kind, SiteKind::Load | SiteKind::Store) {
        // The fence idiom: the access as written, then also SeqCst.
        rungs.push(Strengthen::fenced(order));
        if order != SeqCst {
            rungs.push(Strengthen::fenced(SeqCst));
        }
    }
    rungs
}

/// Whether `a` is strictly stronger than `b` (orders everything `b` does).
fn above(a: Ordering, b: Ordering) -> bool {
    let parts = |o: Ordering| match o {
        Ordering::Relaxed => 0u8,
        Ordering::Acquire => 1,
        Ordering::Release => 2,
        Ordering::AcqRel => 3,
        _ => 7,
    };
    a != b && parts(a) & parts(b) == parts(b)
}

/// Searches for the smallest set of changes to `sites` (in order of
/// relevance) under which `passes` says the model passes, within `budget`.
pub fn search(
    sites: &[Site],
    budget: Budget,
    mut passes: impl FnMut(&OrderingOverrides) -> bool,
) -> Repair {
    let start = Instant::now();
    let mut reruns = 0;
    let mut cut_short = false;
    let ladders: Vec<Vec<Strengthen>> = sites.iter().map(|s| ladder(s.kind, s.order)).collect();
    let usable: Vec<usize> = (0..sites.len())
        .filter(|&i| !ladders[i].is_empty())
        .collect();
    let mut run = |chosen: &[(usize, Strengthen)]| -> Option<bool> {
        if reruns >= budget.reruns || start.elapsed() >= budget.time {
            return None;
        }
        reruns += 1;
        let mut table = OrderingOverrides::new();
        for &(i, to) in chosen {
            table.insert(sites[i].location, to);
        }
        Some(passes(&table))
    };
    let top = |i: usize| (i, *ladders[i].last().expect("usable sites have rungs"));
    let everything: Vec<(usize, Strengthen)> = usable.iter().map(|&i| top(i)).collect();
    match run(&everything) {
        Some(true) => {
            // The smallest sets of sites that pass, each at its top rung.
            let mut passing: Vec<Vec<(usize, Strengthen)>> = Vec::new();
            'sizes: for k in 1..usable.len() {
                for subset in subsets(&usable, k) {
                    let at_top: Vec<_> = subset.iter().map(|&i| top(i)).collect();
                    match run(&at_top) {
                        Some(true) => passing.push(at_top),
                        Some(false) => {}
                        None => {
                            cut_short = true;
                            break 'sizes;
                        }
                    }
                }
                if !passing.is_empty() {
                    break;
                }
            }
            if passing.is_empty() {
                passing.push(everything);
            }
            // The cheapest assignment first, on every passing set: each
            // site one rung up (a Release/Acquire pair, most often).
            let mut chosen = None;
            if !cut_short {
                for set in &passing {
                    let lowest: Vec<_> = set.iter().map(|&(i, _)| (i, ladders[i][0])).collect();
                    if lowest == *set {
                        continue;
                    }
                    match run(&lowest) {
                        Some(true) => {
                            chosen = Some(lowest);
                            break;
                        }
                        Some(false) => {}
                        None => {
                            cut_short = true;
                            break;
                        }
                    }
                }
            }
            let mut chosen = match chosen {
                Some(lowest) => lowest,
                None => {
                    // Else the first set, each site in turn down to its
                    // weakest rung that still passes.
                    let mut chosen = passing.swap_remove(0);
                    'sites: for n in 0..chosen.len() {
                        let i = chosen[n].0;
                        if cut_short {
                            break;
                        }
                        for &rung in &ladders[i][..ladders[i].len() - 1] {
                            let mut trial = chosen.clone();
                            trial[n].1 = rung;
                            match run(&trial) {
                                Some(true) => {
                                    chosen = trial;
                                    break;
                                }
                                Some(false) => {}
                                None => {
                                    cut_short = true;
                                    break 'sites;
                                }
                            }
                        }
                    }
                    chosen
                }
            };
            chosen.sort_by_key(|&(i, _)| i);
            let mut changes: Vec<OrderingChange> = chosen
                .into_iter()
                .map(|(i, to)| OrderingChange { site: sites[i], to })
                .collect();
            changes.sort_by_key(|c| c.site.step);
            Repair {
                changes,
                reruns,
                elapsed: start.elapsed(),
                cut_short,
            }
        }
        outcome => Repair {
            changes: Vec::new(),
            reruns,
            elapsed: start.elapsed(),
            cut_short: outcome.is_none(),
        },
    }
}

/// The `k`-element subsets of `items`, in lexicographic order of positions.
fn subsets(items: &[usize], k: usize) -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    let mut pick = Vec::with_capacity(k);
    fn go(
        items: &[usize],
        k: usize,
        from: usize,
        pick: &mut Vec<usize>,
        out: &mut Vec<Vec<usize>>,
    ) {
        if pick.len() == k {
            out.push(pick.clone());
            return;
        }
        for i in from..items.len() {
            pick.push(items[i]);
            go(items, k, i + 1, pick, out);
            pick.pop();
        }
    }
    go(items, k, 0, &mut pick, &mut out);
    out
}

/// The site an atomic step (or fence) is at, if it is one the search may
/// strengthen: weft's own atomics, not an `Arc`'s reference count.
fn site_of(log: &ExecutionLog, e: &Event) -> Option<Site> {
    if e.op == weft_sync::record::Op::Fence {
        return None;
    }
    let a = e.atomic.as_ref()?;
    let object = log.objects.get(e.object?)?;
    if object.kind != ObjectKind::Atomic {
        return None;
    }
    let kind = match (a.read, a.written, a.method) {
        (_, _, "load") => SiteKind::Load,
        (_, _, "store") => SiteKind::Store,
        _ => SiteKind::Rmw,
    };
    Some(Site {
        location: e.location,
        kind,
        method: a.method,
        order: a.order,
        step: e.step,
    })
}

/// The sites a stale read involves, most relevant first: the stale load,
/// the newer store, the store it read from; then the other atomic
/// operations that could order the newer store before the load: the
/// loading thread's before the load and the storing thread's after the
/// store, nearest first (at most two each).
pub fn candidate_sites(log: &ExecutionLog, stale: &StaleRead) -> Vec<Site> {
    let step = |n: usize| log.steps.iter().find(|e| e.step == n);
    let mut sites: Vec<Site> = Vec::new();
    let add = |s: Option<Site>, sites: &mut Vec<Site>| {
        if let Some(s) = s {
            if !sites.iter().any(|t| t.location == s.location) {
                sites.push(s);
            }
        }
    };
    let (Some(load), Some(newer)) = (step(stale.load), step(stale.newer)) else {
        return sites;
    };
    add(site_of(log, load), &mut sites);
    add(site_of(log, newer), &mut sites);
    add(
        stale.read_from.and_then(step).and_then(|e| site_of(log, e)),
        &mut sites,
    );
    let before_load = log
        .steps
        .iter()
        .rev()
        .filter(|e| e.thread == load.thread && e.step < load.step)
        .filter_map(|e| site_of(log, e))
        .take(SIDE_SITES);
    let after_store = log
        .steps
        .iter()
        .filter(|e| e.thread == newer.thread && e.step > newer.step)
        .filter_map(|e| site_of(log, e))
        .take(SIDE_SITES);
    for s in before_load.chain(after_store).collect::<Vec<_>>() {
        add(Some(s), &mut sites);
    }
    sites
}

impl fmt::Display for OrderingChange {
    /// `the store at src/queue.rs:88 Release`, or for the fence idiom
    /// `after the store at src/queue.rs:88` (see [`Repair`]'s `Display`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.site;
        if self.to.fence {
            let side = if s.kind == SiteKind::Load {
                "before"
            } else {
                "after"
            };
            write!(f, "{side} the {} at {}", s.method, s.location)
        } else {
            write!(
                f,
                "the {} at {} {}",
                s.method,
                s.location,
                ordering_name(self.to.order)
            )
        }
    }
}

/// `a`, `a and b`, `a, b and c`.
fn listed(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

impl fmt::Display for Repair {
    /// The hint as a person applies it: `make the store at
    /// src/queue.rs:88 Release and the load at src/queue.rs:120 Acquire`;
    /// fences as `put a fence(SeqCst) after the store at ... and before the
    /// load at ...`. Empty when no hint was found.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let orders: Vec<String> = self
            .changes
            .iter()
            .filter(|c| !c.to.fence || c.to.order != c.site.order)
            .map(|c| {
                let plain = OrderingChange {
                    site: c.site,
                    to: Strengthen::to(c.to.order),
                };
                plain.to_string()
            })
            .collect();
        let fences: Vec<String> = self
            .changes
            .iter()
            .filter(|c| c.to.fence)
            .map(ToString::to_string)
            .collect();
        let mut parts = Vec::new();
        if !orders.is_empty() {
            parts.push(format!("make {}", listed(&orders)));
        }
        if !fences.is_empty() {
            parts.push(format!("put a fence(SeqCst) {}", listed(&fences)));
        }
        f.write_str(&parts.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::{AcqRel, Acquire, Relaxed, Release, SeqCst};

    fn site(line: u32, kind: SiteKind, order: Ordering, step: usize) -> Site {
        let method = match kind {
            SiteKind::Load => "load",
            SiteKind::Store => "store",
            SiteKind::Rmw => "fetch_add",
            SiteKind::Fence => "fence",
        };
        Site {
            location: Loc {
                file: "src/queue.rs",
                line,
                column: 9,
            },
            kind,
            method,
            order,
            step,
        }
    }

    fn budget(reruns: usize) -> Budget {
        Budget {
            reruns,
            time: Duration::from_secs(60),
        }
    }

    /// The strength of `line`'s change in `table`, as a site's ladder
    /// position: 0 when unchanged.
    fn order_at(table: &OrderingOverrides, line: u32) -> Option<Strengthen> {
        table.get(Loc {
            file: "src/queue.rs",
            line,
            column: 9,
        })
    }

    /// Message passing: data store (10), flag store (11); flag load (20),
    /// data load (21). Passes when flag store releases and flag load acquires.
    fn message_passing() -> Vec<Site> {
        vec![
            site(21, SiteKind::Load, Relaxed, 5),
            site(10, SiteKind::Store, Relaxed, 1),
            site(20, SiteKind::Load, Relaxed, 4),
            site(11, SiteKind::Store, Relaxed, 2),
        ]
    }

    fn mp_oracle(t: &OrderingOverrides) -> bool {
        let releases = order_at(t, 11).is_some_and(|s| s.order != Relaxed);
        let acquires = order_at(t, 20).is_some_and(|s| s.order != Relaxed);
        releases && acquires
    }

    #[test]
    fn message_passing_needs_a_release_store_and_an_acquire_load() {
        let r = search(&message_passing(), budget(20), mp_oracle);
        assert_eq!(
            r.to_string(),
            "make the store at src/queue.rs:11 Release and the load at src/queue.rs:20 Acquire"
        );
        assert!(!r.cut_short);
        // 1 all-top run, 4 single sites, 6 pairs, 1 at the lowest rungs.
        assert_eq!(r.reruns, 12);
    }

    #[test]
    fn store_buffering_needs_fences() {
        // Passes only with a fence between each thread's store and load.
        let sites = vec![
            site(12, SiteKind::Load, Relaxed, 5),
            site(14, SiteKind::Store, Relaxed, 2),
            site(11, SiteKind::Store, Relaxed, 4),
            site(15, SiteKind::Load, Relaxed, 3),
        ];
        let fenced = |t: &OrderingOverrides, l| order_at(t, l).is_some_and(|s| s.fence);
        let r = search(&sites, budget(30), |t| {
            (fenced(t, 11) || fenced(t, 12)) && (fenced(t, 14) || fenced(t, 15))
        });
        assert_eq!(
            r.to_string(),
            "put a fence(SeqCst) after the store at src/queue.rs:14 and before the load at src/queue.rs:12"
        );
        assert!(!r.cut_short);
    }

    #[test]
    fn a_model_no_change_fixes_gets_no_hint_after_one_run() {
        let r = search(&message_passing(), budget(20), |_| false);
        assert!(r.changes.is_empty());
        assert_eq!((r.reruns, r.cut_short), (1, false));
        assert_eq!(r.to_string(), "");
    }

    #[test]
    fn a_spent_budget_keeps_a_verified_hint_and_says_so() {
        // 5 runs: all-top, then 4 single sites that fail: cut before pairs.
        let r = search(&message_passing(), budget(5), mp_oracle);
        assert!(r.cut_short);
        assert_eq!(r.reruns, 5);
        // The hint is every site at its top rung, which passed.
        assert_eq!(r.changes.len(), 4);
        assert!(r.changes.iter().all(|c| c.to == Strengthen::fenced(SeqCst)));
    }

    #[test]
    fn ladders_climb_from_the_written_ordering() {
        assert_eq!(
            ladder(SiteKind::Load, Relaxed),
            vec![
                Strengthen::to(Acquire),
                Strengthen::to(SeqCst),
                Strengthen::fenced(Relaxed),
                Strengthen::fenced(SeqCst)
            ]
        );
        assert_eq!(
            ladder(SiteKind::Rmw, Acquire),
            vec![Strengthen::to(AcqRel), Strengthen::to(SeqCst)]
        );
        assert_eq!(
            ladder(SiteKind::Store, SeqCst),
            vec![Strengthen::fenced(SeqCst)]
        );
        assert_eq!(ladder(SiteKind::Fence, SeqCst), vec![]);
        assert_eq!(
            ladder(SiteKind::Rmw, Release),
            vec![Strengthen::to(AcqRel), Strengthen::to(SeqCst)]
        );
    }

    #[test]
    fn an_env_value_sets_or_disables_the_budget() {
        assert_eq!(
            Budget::from_env_value(None),
            Ok(Some(Budget {
                reruns: DEFAULT_RERUNS,
                time: DEFAULT_TIME
            }))
        );
        assert_eq!(Budget::from_env_value(Some("off")), Ok(None));
        assert_eq!(
            Budget::from_env_value(Some("50")).map(|b| b.map(|b| b.reruns)),
            Ok(Some(50))
        );
        assert_eq!(
            Budget::from_env_value(Some("lots"))
                .unwrap_err()
                .to_string(),
            "invalid WEFT_REPAIR=\"lots\": expected `off` or a number of re-runs"
        );
    }

    #[test]
    fn subsets_come_smallest_positions_first() {
        assert_eq!(
            subsets(&[0, 1, 2], 2),
            vec![vec![0, 1], vec![0, 2], vec![1, 2]]
        );
    }
}
