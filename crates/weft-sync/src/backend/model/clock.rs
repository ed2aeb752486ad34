//! Vector clocks: weft's own happens-before, for race checks on shuttle.

use smallvec::SmallVec;

/// One counter per thread; `a` happened before `b` iff `a[t] <= b[t]` for
/// the thread `t` that did `a`. Up to eight threads fit inline: most models
/// have a few, and a clock per thread and per object per execution would
/// otherwise be an allocation each.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct VectorClock(SmallVec<[u32; 8]>);

impl VectorClock {
    /// The clock that knows nothing.
    pub(crate) const fn new() -> Self {
        VectorClock(SmallVec::new_const())
    }

    pub(crate) fn get(&self, thread: usize) -> u32 {
        self.0.get(thread).copied().unwrap_or(0)
    }

    pub(crate) fn tick(&mut self, thread: usize) {
        if self.0.len() <= thread {
            self.0.resize(thread + 1, 0);
        }
        self.0[thread] += 1;
    }

    /// `self = max(self, other)`, entry by entry.
    pub(crate) fn join(&mut self, other: &VectorClock) {
        if self.0.len() < other.0.len() {
            self.0.resize(other.0.len(), 0);
        }
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            *a = (*a).max(*b);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::VectorClock;

    #[test]
    fn join_takes_the_maximum_of_each_entry() {
        let mut a = VectorClock::default();
        a.tick(0);
        a.tick(0);
        let mut b = VectorClock::default();
        b.tick(1);
        a.join(&b);
        assert_eq!((a.get(0), a.get(1), a.get(2)), (2, 1, 0));
    }
}
