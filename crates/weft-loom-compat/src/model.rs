//! `loom::model`: runs a model with weft's runner.
//!
//! ```
//! let mut builder = loom::model::Builder::new();
//! builder.preemption_bound = Some(2);
//! builder.check(|| {
//!     let t = loom::thread::spawn(|| 1);
//!     assert_eq!(t.join().unwrap(), 1);
//! });
//! ```

use std::path::PathBuf;
use std::time::Duration;

/// loom's default branch limit; a `Builder` that keeps it uses weft's own
/// step limit instead.
const DEFAULT_MAX_BRANCHES: usize = 1_000;

/// Configures a model run. Same fields as loom 0.7's `model::Builder`, read
/// from the same `LOOM_*` variables; see the crate docs for how each maps
/// to weft.
#[derive(Debug)]
#[non_exhaustive]
pub struct Builder {
    /// The most threads a model may have (accepted; the limit is that of
    /// the weft backend that runs the model).
    pub max_threads: usize,
    /// The most branches (scheduling points) one execution may take: weft's
    /// step limit when changed from loom's default.
    pub max_branches: usize,
    /// The most executions to explore (weft's iterations).
    pub max_permutations: Option<usize>,
    /// The most wall time to explore for (weft's time budget).
    pub max_duration: Option<Duration>,
    /// The most preemptions per execution (weft's preemption bound).
    pub preemption_bound: Option<usize>,
    /// loom's checkpoint file (accepted; weft writes a trace file instead).
    pub checkpoint_file: Option<PathBuf>,
    /// loom's checkpoint interval (accepted; no effect).
    pub checkpoint_interval: usize,
    /// Explore only between `explore()` and `stop_exploring()` (accepted;
    /// weft explores the whole model).
    pub expect_explicit_explore: bool,
    /// Track locations (accepted; weft's reports always have them).
    pub location: bool,
    /// Log each execution (accepted; set `WEFT_LOG` for weft's logs).
    pub log: bool,
}

fn env_parse<T: std::str::FromStr>(name: &str) -> Option<T> {
    std::env::var(name).ok().map(|v| {
        v.parse()
            .unwrap_or_else(|_| panic!("invalid value for `{name}`: {v:?}"))
    })
}

impl Builder {
    /// A builder with loom's defaults and `LOOM_*` variables applied.
    ///
    /// # Panics
    ///
    /// When a `LOOM_*` variable does not parse, naming it (as loom does).
    pub fn new() -> Builder {
        Builder {
            max_threads: crate::MAX_THREADS,
            max_branches: env_parse("LOOM_MAX_BRANCHES").unwrap_or(DEFAULT_MAX_BRANCHES),
            max_permutations: env_parse("LOOM_MAX_PERMUTATIONS"),
            max_duration: env_parse("LOOM_MAX_DURATION").map(Duration::from_secs),
            preemption_bound: env_parse("LOOM_MAX_PREEMPTIONS"),
            checkpoint_file: env_parse("LOOM_CHECKPOINT_FILE"),
            checkpoint_interval: env_parse("LOOM_CHECKPOINT_INTERVAL").unwrap_or(20_000),
            expect_explicit_explore: false,
            location: std::env::var_os("LOOM_LOCATION").is_some(),
            log: std::env::var_os("LOOM_LOG").is_some(),
        }
    }

    /// Sets the checkpoint file (accepted; no effect under weft).
    pub fn checkpoint_file(&mut self, file: &str) -> &mut Self {
        self.checkpoint_file = Some(file.into());
        self
    }

    /// The weft run these settings describe.
    fn to_weft(&self) -> weft::Model {
        let mut m = weft::Model::new();
        if let Some(n) = self.preemption_bound {
            m = m.preemption_bound(n);
        }
        if self.max_branches != DEFAULT_MAX_BRANCHES {
            m = m.max_steps(self.max_branches);
        }
        if let Some(n) = self.max_permutations {
            m = m.iterations(n);
        }
        if let Some(d) = self.max_duration {
            m = m.time_budget(d);
        }
        m
    }

    /// Explores `f` with weft.
    ///
    /// # Panics
    ///
    /// With weft's failure report when the model fails.
    #[track_caller]
    pub fn check<F>(&self, f: F)
    where
        F: Fn() + Sync + Send + 'static,
    {
        self.to_weft().check(f);
    }
}

impl Default for Builder {
    fn default() -> Builder {
        Builder::new()
    }
}

/// Explores every interleaving of `f` (weft's `model` with a default
/// [`Builder`], `LOOM_*` variables applied).
///
/// # Panics
///
/// With weft's failure report when the model fails.
#[track_caller]
pub fn model<F>(f: F)
where
    F: Fn() + Sync + Send + 'static,
{
    Builder::new().check(f);
}
