//! What a passing exploration did.

use std::fmt;
use std::time::Duration;

use weft_sync::explore::{Backend, SchedulerKind};

/// How much was explored, and whether it was everything.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stats {
    pub(crate) model: String,
    pub(crate) backend: Backend,
    pub(crate) scheduler: SchedulerKind,
    pub(crate) executions: usize,
    pub(crate) elapsed: Duration,
    pub(crate) complete: bool,
    pub(crate) seed: Option<u64>,
}

impl Stats {
    /// The model's name.
    pub fn model_name(&self) -> &str {
        &self.model
    }

    /// The backend that explored.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Executions run.
    pub fn executions(&self) -> usize {
        self.executions
    }

    /// Wall time of the exploration.
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }

    /// Whether every interleaving was explored: true only for loom or dfs runs
    /// that no bound, iteration limit or time budget cut short.
    pub fn is_exhaustive(&self) -> bool {
        self.complete
    }

    /// The seed the random schedulers used, if any.
    pub fn seed(&self) -> Option<u64> {
        self.seed
    }
}

impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "weft: model `{}` verified on {} ({}): {} executions in {:.2?}, {}",
            self.model,
            self.backend,
            if self.backend == Backend::Loom {
                "exhaustive search".to_string()
            } else if self.backend == Backend::Std {
                "stress run on real threads".to_string()
            } else {
                format!("{} scheduler", self.scheduler)
            },
            self.executions,
            self.elapsed,
            if self.complete {
                "exhaustive"
            } else {
                "not exhaustive"
            }
        )?;
        if let Some(seed) = self.seed {
            write!(f, " (seed {seed})")?;
        }
        Ok(())
    }
}
