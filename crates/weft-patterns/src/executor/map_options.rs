//! [`MapOptions`]: the optional arguments of `map`, Python's `timeout`,
//! `chunksize` and `buffersize`.

use weft_sync::time::Duration;

/// The optional arguments of [`ThreadPool::map`](super::ThreadPool::map),
/// [`ProcessPool::map`](super::ProcessPool::map) and
/// [`Executor::map`](super::Executor::map): Python 3.14's
/// `map(fn, iterable, timeout=None, chunksize=1, buffersize=None)`.
///
/// `None` and a [`Duration`] convert into options with just that timeout,
/// so `pool.map(f, items, None)` reads as in Python.
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use weft_patterns::executor::{MapOptions, ThreadPool};
/// use weft_sync::time::Duration;
///
/// let pool = ThreadPool::new(2);
/// // At most 4 items submitted ahead of the one being read: the input is
/// // read lazily, so it may be endless. (No timeout: under a checker time
/// // is virtual, and a timed wait may end by its timeout in some explored
/// // interleaving. `.timeout(Duration::from_secs(60))` would set one.)
/// let options = MapOptions::new().buffersize(4);
/// # let _ = Duration::from_secs(60);
/// let firsts: Vec<u64> = pool
///     .map(|x: u64| x * 10, 0.., options)
///     .unwrap()
///     .take(3)
///     .map(Result::unwrap)
///     .collect();
/// assert_eq!(firsts, [0, 10, 20]);
/// # });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
pub struct MapOptions {
    pub(crate) timeout: Option<Duration>,
    pub(crate) chunksize: usize,
    pub(crate) buffersize: Option<usize>,
}

impl MapOptions {
    /// No timeout, `chunksize` 1, no `buffersize` (every item submitted at
    /// once): Python's defaults.
    pub fn new() -> MapOptions {
        MapOptions {
            timeout: None,
            chunksize: 1,
            buffersize: None,
        }
    }

    /// Counted from the `map` call: when an item is not done by then, the
    /// results iterator yields `Err(FutureError::Timeout)`, cancels the
    /// items not started, and ends.
    pub fn timeout(mut self, timeout: Duration) -> MapOptions {
        self.timeout = Some(timeout);
        self
    }

    /// Items per task sent to a worker process (fewer round trips; each
    /// item still has its own result). As in Python, a thread pool ignores
    /// it: its tasks cost no message.
    ///
    /// # Panics
    ///
    /// `map` panics if it is 0, as Python raises `ValueError`.
    pub fn chunksize(mut self, chunksize: usize) -> MapOptions {
        self.chunksize = chunksize;
        self
    }

    /// At most this many tasks (chunks, for a process pool) submitted and
    /// not yet read: `map` then reads its input lazily, submitting one more
    /// task each time the iterator moves on, so the input may be long or
    /// endless. Without it, `map` submits every item before it returns.
    ///
    /// # Panics
    ///
    /// `map` panics if it is 0, as Python raises `ValueError`.
    pub fn buffersize(mut self, buffersize: usize) -> MapOptions {
        self.buffersize = Some(buffersize);
        self
    }

    /// Checks the values as Python's `map` does.
    #[track_caller]
    pub(crate) fn validate(&self) {
        assert!(self.chunksize > 0, "chunksize must be at least 1");
        assert!(self.buffersize != Some(0), "buffersize must be at least 1");
    }
}

impl Default for MapOptions {
    fn default() -> MapOptions {
        MapOptions::new()
    }
}

impl From<Option<Duration>> for MapOptions {
    /// Options with this timeout and the defaults otherwise.
    fn from(timeout: Option<Duration>) -> MapOptions {
        MapOptions {
            timeout,
            ..MapOptions::new()
        }
    }
}

impl From<Duration> for MapOptions {
    /// Options with this timeout and the defaults otherwise.
    fn from(timeout: Duration) -> MapOptions {
        MapOptions::new().timeout(timeout)
    }
}
