//! Errors of the runner's own input (not bugs found in a model: those are
//! [`crate::Failure`] values).

/// A bad configuration value.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// A `WEFT_*` variable holds a value weft cannot use.
    #[error("invalid {variable}=\"{value}\": expected {expected}")]
    InvalidVariable {
        /// The variable's name.
        variable: &'static str,
        /// Its value.
        value: String,
        /// What is accepted.
        expected: String,
    },
    /// A variable that weft cannot honour is set (a `LOOM_*` variable for
    /// a loom feature weft does not drive).
    #[error("unsupported {variable}=\"{value}\": {instead}")]
    UnsupportedVariable {
        /// The variable's name.
        variable: &'static str,
        /// Its value.
        value: String,
        /// What to do instead.
        instead: String,
    },
}
