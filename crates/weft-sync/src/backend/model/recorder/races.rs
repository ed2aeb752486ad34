//! Vector clocks (weft's own happens-before, see `super::super::clock`)
//! and the data races they show, on backends where weft checks races
//! itself.

use std::sync::atomic::Ordering;

use super::super::clock::VectorClock;
use super::super::engine;
use super::failure::{fail, DetectedFailure};
use super::{slot, with, Execution, NO_OBJECT};
use crate::explore::{Access, AccessKind, FailureKind, Race};
use crate::record::{ExecutionLog, Loc};

#[derive(Default)]
pub(super) struct CellHistory {
    /// The last write: thread, its epoch, where, and whether it was atomic
    /// (an atomic's store, checked only against non-atomic accesses).
    last_write: Option<(usize, u32, Loc, bool)>,
    /// Non-atomic reads since the last write.
    reads: Vec<(usize, u32, Loc)>,
}

/// `clocks[into] = max(clocks[into], clocks[from])`, without copying a clock.
#[inline]
pub(super) fn join_clocks(clocks: &mut [VectorClock], into: usize, from: usize) {
    if into == from || into >= clocks.len() || from >= clocks.len() {
        return;
    }
    if from < into {
        let (low, high) = clocks.split_at_mut(into);
        high[0].join(&low[from]);
    } else {
        let (low, high) = clocks.split_at_mut(from);
        low[into].join(&high[0]);
    }
}

impl Execution {
    /// The clock of a new thread `child` of `parent`.
    pub(super) fn spawn_clock(&mut self, parent: usize, child: usize) {
        // The child starts knowing everything its parent did.
        let mut child_clock = self.clocks[parent].clone();
        child_clock.tick(child);
        self.clocks.push(child_clock);
        self.clocks[parent].tick(parent);
    }

    pub(super) fn acquire_clock(&mut self, object: usize) {
        if engine::WEFT_DETECTS_RACES {
            let me = self.current;
            if let Some(c) = self.object_clocks.get(object) {
                self.clocks[me].join(c);
            }
        }
    }

    pub(super) fn release_clock(&mut self, object: usize) {
        if engine::WEFT_DETECTS_RACES {
            let me = self.current;
            slot(&mut self.object_clocks, object).join(&self.clocks[me]);
            self.clocks[me].tick(me);
        }
    }

    pub(super) fn acquire_reader_clock(&mut self, object: usize) {
        if engine::WEFT_DETECTS_RACES {
            let me = self.current;
            if let Some(c) = self.reader_clocks.get(object) {
                self.clocks[me].join(c);
            }
        }
    }

    pub(super) fn release_reader_clock(&mut self, object: usize) {
        if engine::WEFT_DETECTS_RACES {
            let me = self.current;
            slot(&mut self.reader_clocks, object).join(&self.clocks[me]);
            self.clocks[me].tick(me);
        }
    }

    /// The happens-before effect of one atomic access under C11's rules:
    /// `read` is the ordering of its load part, `write` of its store part.
    pub(super) fn atomic_clocks(
        &mut self,
        object: usize,
        at: Loc,
        read: Option<Ordering>,
        write: Option<Ordering>,
    ) -> Option<Race> {
        let me = self.current;
        let mut race = None;
        if let Some(order) = read {
            if is_acquire(order) {
                self.acquire_clock(object);
            } else if let Some(c) = self.object_clocks.get(object) {
                // A relaxed load synchronizes only through a later acquire fence.
                slot(&mut self.fence_acquire, me).join(c);
            }
        }
        if let Some(order) = write {
            let release = is_release(order);
            let carried = if release {
                &self.clocks[me]
            } else {
                // A relaxed store carries what a release fence before it published.
                match self.fence_release.get(me) {
                    Some(c) => c,
                    None => &EMPTY_CLOCK,
                }
            };
            let target = slot(&mut self.object_clocks, object);
            if read.is_some() {
                // A read-modify-write continues the release sequence of
                // the store it read from.
                target.join(carried);
            } else {
                // A plain store starts a new one: the readers of this
                // store learn only what its own thread published.
                target.clone_from(carried);
            }
            // Non-atomic accesses (`get_mut`, `unsync_load`) and atomic
            // writes must be ordered with each other.
            race = self.check_cell(object, AccessKind::Write, at, true);
            if release {
                self.clocks[me].tick(me);
            }
        }
        race
    }

    pub(super) fn fence_clocks(&mut self, order: Ordering) {
        let me = self.current;
        if is_acquire(order) {
            if let Some(pending) = self.fence_acquire.get(me) {
                self.clocks[me].join(pending);
            }
        }
        if is_release(order) {
            slot(&mut self.fence_release, me).clone_from(&self.clocks[me]);
            self.clocks[me].tick(me);
        }
    }
}

static EMPTY_CLOCK: VectorClock = VectorClock::new();

fn is_acquire(order: Ordering) -> bool {
    matches!(
        order,
        Ordering::Acquire | Ordering::AcqRel | Ordering::SeqCst
    )
}

fn is_release(order: Ordering) -> bool {
    matches!(
        order,
        Ordering::Release | Ordering::AcqRel | Ordering::SeqCst
    )
}

/// Acquire: the current thread learns everything released to `object`.
#[inline]
pub(crate) fn acquire(object: usize) {
    if !engine::WEFT_DETECTS_RACES || object == NO_OBJECT {
        return;
    }
    with(|e| e.acquire_clock(object));
}

/// Release: `object` learns everything the current thread did.
#[inline]
pub(crate) fn release(object: usize) {
    if !engine::WEFT_DETECTS_RACES || object == NO_OBJECT {
        return;
    }
    with(|e| e.release_clock(object));
}

/// Checks a cell access against the accesses before it; on shuttle a
/// conflicting access that happens-before does not order is a data race.
pub(crate) fn cell_access(object: usize, kind: AccessKind, location: Loc) {
    if object == NO_OBJECT {
        return;
    }
    let race = with(|e| {
        let me = e.current;
        e.last_cell_access = Some((
            object,
            Access {
                thread: me,
                kind,
                location,
            },
        ));
        if !engine::WEFT_DETECTS_RACES {
            return None;
        }
        e.check_cell(object, kind, location, false)
    })
    .flatten();
    if let Some(race) = race {
        fail_race(race);
    }
}

/// A data race in words, as every report says it (weft's clocks or loom's).
pub(crate) fn race_message(log: &ExecutionLog, race: &Race) -> String {
    format!(
        "data race on `{}`: {} by `{}` at {} and {} by `{}` at {}, and no happens-before orders them",
        log.object_name(race.object),
        race.first.kind,
        log.thread_name(race.first.thread),
        race.first.location,
        race.second.kind,
        log.thread_name(race.second.thread),
        race.second.location
    )
}

pub(super) fn fail_race(race: Race) -> ! {
    let message = with(|e| race_message(&e.log, &race)).unwrap_or_default();
    fail(DetectedFailure {
        kind: FailureKind::DataRace,
        message,
        thread: Some(race.second.thread),
        location: Some(race.second.location),
        race: Some(race),
    })
}

impl Execution {
    /// Checks one access against the cell's history and records it. An
    /// `atomic` access is an atomic's store: it races only with non-atomic
    /// accesses (`get_mut`, `unsync_load`), never with another atomic one.
    fn check_cell(
        &mut self,
        object: usize,
        kind: AccessKind,
        location: Loc,
        atomic: bool,
    ) -> Option<Race> {
        let me = self.current;
        let clock = &self.clocks[me];
        let epoch = clock.get(me);
        let hist = slot(&mut self.cells, object);
        let ordered = |t: usize, at: u32| t == me || at <= clock.get(t);
        let mut race = None;
        if let Some((t, at, loc, was_atomic)) = hist.last_write {
            // Two atomic accesses never race with each other.
            if !(ordered(t, at) || atomic && was_atomic) {
                race = Some(Access {
                    thread: t,
                    kind: AccessKind::Write,
                    location: loc,
                });
            }
        }
        if race.is_none() && kind == AccessKind::Write {
            if let Some(&(t, _, loc)) = hist.reads.iter().find(|(t, at, _)| !ordered(*t, *at)) {
                race = Some(Access {
                    thread: t,
                    kind: AccessKind::Read,
                    location: loc,
                });
            }
        }
        match kind {
            AccessKind::Write => {
                hist.last_write = Some((me, epoch, location, atomic));
                hist.reads.clear();
            }
            AccessKind::Read => {
                hist.reads.retain(|(t, _, _)| *t != me);
                hist.reads.push((me, epoch, location));
            }
        }
        race.map(|first| Race {
            object,
            first,
            second: Access {
                thread: me,
                kind,
                location,
            },
        })
    }
}
