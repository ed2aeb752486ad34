use std::fmt;

/// What a model does with a cycle in its lock-order graph (a potential
/// deadlock): `Model::lock_order(policy)`.
///
/// # Examples
///
/// ```
/// use weft_sync::lockdep::Policy;
///
/// assert_eq!(Policy::default(), Policy::Fail);
/// assert_eq!(Policy::Warn.to_string(), "warn");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Policy {
    /// The first cycle closed fails the model with
    /// [`FailureKind::PotentialDeadlock`](crate::explore::FailureKind::PotentialDeadlock)
    /// when the search ends without another failure (the default under a
    /// checker; a deadlock found is reported instead).
    #[default]
    Fail,
    /// The cycle is printed to stderr once, as a warning, and the
    /// exploration goes on: the model passes unless something else fails.
    Warn,
    /// No lock-order graph is recorded.
    Off,
}

impl Policy {
    /// `fail`, `warn` or `off`.
    pub fn as_str(self) -> &'static str {
        match self {
            Policy::Fail => "fail",
            Policy::Warn => "warn",
            Policy::Off => "off",
        }
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
