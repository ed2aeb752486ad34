//! `--budget`: one time budget for the whole run, divided among the
//! backends and then among the tests as each starts.
//!
//! Each backend gets an equal share of the time left when it starts (its
//! build included). Within a backend, a test that starts with `n` tests
//! left (itself included), `j` of them running at once and `L` of the
//! backend's time left gets `L × j / n` (never more than `L`): a test that
//! finishes early (most models end long before their share) leaves its
//! time to the tests after it. The test receives its share as
//! `WEFT_BUDGET`, which caps each of its models' searches and keeps the
//! default search (on shuttle, DPOR then random schedules); the model's
//! stats line then says what the budget gave up ("stopped at 40% of the
//! estimated tree"), and the table and `--json` show it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The least a test is given, however little is left: enough for a
/// model to start and say what it gave up.
const MIN_SHARE: Duration = Duration::from_millis(100);

/// The whole run's budget.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RunBudget {
    deadline: Instant,
}

impl RunBudget {
    /// A budget of `total` from now.
    pub(crate) fn new(total: Duration) -> RunBudget {
        RunBudget {
            deadline: Instant::now() + total,
        }
    }

    /// The share of a backend that starts now with `backends` backends
    /// left to run (itself included).
    pub(crate) fn backend_share(&self, backends: usize) -> Duration {
        let left = self.deadline.saturating_duration_since(Instant::now());
        left / u32::try_from(backends.max(1)).unwrap_or(u32::MAX)
    }
}

/// One backend's budget, shared by its tests as they start.
#[derive(Debug)]
pub(crate) struct BackendBudget {
    deadline: Instant,
    jobs: usize,
    left: AtomicUsize,
}

impl BackendBudget {
    /// `share` from now for `tests` tests run `jobs` at once.
    pub(crate) fn new(share: Duration, tests: usize, jobs: usize) -> BackendBudget {
        BackendBudget {
            deadline: Instant::now() + share,
            jobs: jobs.max(1),
            left: AtomicUsize::new(tests),
        }
    }

    /// The share of a test that starts now.
    pub(crate) fn next_share(&self) -> Duration {
        let n = self
            .left
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                Some(n.saturating_sub(1))
            })
            .unwrap_or(1)
            .max(1);
        let left = self.deadline.saturating_duration_since(Instant::now());
        share(left, self.jobs, n)
    }
}

/// `left × jobs / tests`, at most `left`, at least [`MIN_SHARE`].
fn share(left: Duration, jobs: usize, tests: usize) -> Duration {
    let running = u32::try_from(jobs.min(tests).max(1)).unwrap_or(u32::MAX);
    let tests = u32::try_from(tests.max(1)).unwrap_or(u32::MAX);
    (left * running / tests).min(left).max(MIN_SHARE)
}

/// `WEFT_BUDGET`'s value for `share`: whole milliseconds.
pub(crate) fn env_value(share: Duration) -> String {
    format!("{}ms", share.as_millis().max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_test_gets_the_time_left_times_the_slots_over_the_tests_left() {
        let s = Duration::from_secs;
        // 60 s, 2 at once, 6 tests left: 20 s each.
        assert_eq!(share(s(60), 2, 6), s(20));
        // The last test gets all that is left, not twice it.
        assert_eq!(share(s(60), 2, 1), s(60));
        // Nothing left: still enough to start.
        assert_eq!(share(Duration::ZERO, 2, 3), MIN_SHARE);
        assert_eq!(env_value(Duration::from_micros(1500)), "1ms");
        assert_eq!(env_value(s(2)), "2000ms");
    }

    #[test]
    fn tests_that_start_later_share_what_the_earlier_ones_left() {
        let b = BackendBudget::new(Duration::from_secs(40), 4, 1);
        let first = b.next_share();
        assert!(first <= Duration::from_secs(10) && first > Duration::from_secs(9));
        // The first test took no time: the next three share 40 s.
        let second = b.next_share();
        assert!(second > Duration::from_secs(13), "{second:?}");
        b.next_share();
        let last = b.next_share();
        assert!(last > Duration::from_secs(39), "{last:?}");
        let run = RunBudget::new(Duration::from_secs(30));
        assert!(run.backend_share(3) <= Duration::from_secs(10));
    }
}
