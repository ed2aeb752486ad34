//! One file per subcommand: each `run` takes its parsed arguments and
//! returns the exit status, or the error to report.

pub(crate) mod check;
pub(crate) mod html;
pub(crate) mod merge;
pub(crate) mod replay;
pub(crate) mod show;
