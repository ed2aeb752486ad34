//! What a passing (or caught) linearizability check explored.

use std::fmt;
use std::time::Duration;

use weft_check::Failure;

/// What [`Lincheck::explore`](crate::Lincheck::explore) explored.
#[derive(Clone, Debug)]
pub struct LincheckStats {
    pub(crate) scenarios: usize,
    pub(crate) executions: usize,
    pub(crate) elapsed: Duration,
    pub(crate) caught: Option<Box<Caught>>,
}

impl LincheckStats {
    /// Scenarios explored (each by its own model run).
    pub fn scenarios(&self) -> usize {
        self.scenarios
    }

    /// Executions over all scenarios.
    pub fn executions(&self) -> usize {
        self.executions
    }

    /// Wall time, from the start to the (shrunk) report.
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }

    /// The failure expected with
    /// [`Lincheck::expect_failure`](crate::Lincheck::expect_failure), and
    /// found: its report and its shrunk scenario.
    pub fn caught(&self) -> Option<&Caught> {
        self.caught.as_deref()
    }
}

impl fmt::Display for LincheckStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "weft-lincheck: {} scenarios, {} executions in {:.2?}",
            self.scenarios, self.executions, self.elapsed
        )?;
        if let Some(c) = &self.caught {
            write!(
                f,
                "; caught the expected {} with {} threads ({:?} operations)",
                c.failure.kind(),
                c.threads(),
                c.parallel_ops()
            )?;
        }
        Ok(())
    }
}

/// A failing scenario after shrinking, and its failure.
#[derive(Clone, Debug)]
pub struct Caught {
    pub(crate) failure: Failure,
    pub(crate) init: Vec<String>,
    pub(crate) parallel: Vec<Vec<String>>,
    pub(crate) post: Vec<String>,
}

impl Caught {
    /// The failure (kind, report, steps, trace file).
    pub fn failure(&self) -> &Failure {
        &self.failure
    }

    /// Threads of the shrunk scenario's parallel part.
    pub fn threads(&self) -> usize {
        self.parallel.len()
    }

    /// Operations per thread of the parallel part.
    pub fn parallel_ops(&self) -> Vec<usize> {
        self.parallel.iter().map(Vec::len).collect()
    }

    /// Operations in all three parts.
    pub fn ops(&self) -> usize {
        self.init.len() + self.parallel.iter().map(Vec::len).sum::<usize>() + self.post.len()
    }

    /// The initial sequential part, each operation as `Debug` prints it.
    pub fn init(&self) -> &[String] {
        &self.init
    }

    /// The parallel part, one list per thread.
    pub fn parallel(&self) -> &[Vec<String>] {
        &self.parallel
    }

    /// The final sequential part.
    pub fn post(&self) -> &[String] {
        &self.post
    }
}
