//! The backends `cargo weft check` runs a package's tests on.

use std::fmt;

use crate::errors::ExpectedError;

/// A way to run a package's tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum CheckBackend {
    /// Real threads, no feature: the models run as stress tests.
    Std,
    /// `--features loom`: exhaustive exploration.
    Loom,
    /// `--features shuttle`: randomized exploration.
    Shuttle,
    /// The std-mode tests under Miri (nightly).
    Miri,
    /// The std-mode tests built with ThreadSanitizer (nightly, build-std).
    Tsan,
}

impl CheckBackend {
    /// Every backend, in the order `all` runs them.
    pub(crate) const ALL: [CheckBackend; 5] = [
        CheckBackend::Std,
        CheckBackend::Loom,
        CheckBackend::Shuttle,
        CheckBackend::Miri,
        CheckBackend::Tsan,
    ];

    /// The name users type.
    pub(crate) fn name(self) -> &'static str {
        match self {
            CheckBackend::Std => "std",
            CheckBackend::Loom => "loom",
            CheckBackend::Shuttle => "shuttle",
            CheckBackend::Miri => "miri",
            CheckBackend::Tsan => "tsan",
        }
    }

    /// The cargo feature that selects this backend, if one does.
    pub(crate) fn feature(self) -> Option<&'static str> {
        match self {
            CheckBackend::Loom => Some("loom"),
            CheckBackend::Shuttle => Some("shuttle"),
            _ => None,
        }
    }

    /// The checker the tests are built for: what their `WEFT_*` (and
    /// `LOOM_*`) variables are checked against.
    pub(crate) fn checker(self) -> weft_check::Backend {
        match self {
            CheckBackend::Loom => weft_check::Backend::Loom,
            CheckBackend::Shuttle => weft_check::Backend::Shuttle,
            _ => weft_check::Backend::Std,
        }
    }

    /// Whether this backend needs the nightly toolchain.
    pub(crate) fn needs_nightly(self) -> bool {
        matches!(self, CheckBackend::Miri | CheckBackend::Tsan)
    }

    /// Whether failing models write trace files on this backend.
    pub(crate) fn writes_traces(self) -> bool {
        self.feature().is_some()
    }
}

impl fmt::Display for CheckBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The backends to run, as asked for with `--backend`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct BackendSelection {
    /// The backends, each once, in the order given.
    pub(crate) backends: Vec<CheckBackend>,
    /// Whether `all` was asked for: nightly backends that cannot run are
    /// then skipped rather than refused.
    pub(crate) lenient: bool,
}

impl BackendSelection {
    /// Parses the names given to `--backend` (already split at commas).
    ///
    /// # Errors
    ///
    /// [`ExpectedError::UnknownBackend`] for a name that is not a backend.
    pub(crate) fn parse(names: &[String]) -> Result<BackendSelection, ExpectedError> {
        let mut backends = Vec::new();
        let mut lenient = false;
        for raw in names {
            let name = raw.trim();
            let add: &[CheckBackend] = match name.to_ascii_lowercase().as_str() {
                "std" => &[CheckBackend::Std],
                "loom" => &[CheckBackend::Loom],
                "shuttle" => &[CheckBackend::Shuttle],
                "miri" => &[CheckBackend::Miri],
                "tsan" | "thread-sanitizer" => &[CheckBackend::Tsan],
                "all" => {
                    lenient = true;
                    &CheckBackend::ALL
                }
                "" if names.len() > 1 => &[],
                _ => {
                    return Err(ExpectedError::UnknownBackend {
                        name: name.to_string(),
                    })
                }
            };
            for b in add {
                if !backends.contains(b) {
                    backends.push(*b);
                }
            }
        }
        if backends.is_empty() {
            return Err(ExpectedError::UnknownBackend {
                name: names.join(","),
            });
        }
        Ok(BackendSelection { backends, lenient })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &str) -> Vec<String> {
        list.split(',').map(str::to_string).collect()
    }

    #[test]
    fn backends_parse_in_order_without_duplicates() {
        let s = BackendSelection::parse(&names("shuttle,std,shuttle")).unwrap();
        assert_eq!(s.backends, [CheckBackend::Shuttle, CheckBackend::Std]);
        assert!(!s.lenient);
    }

    #[test]
    fn all_is_every_backend_and_lenient() {
        let s = BackendSelection::parse(&names("all")).unwrap();
        assert_eq!(s.backends, CheckBackend::ALL);
        assert!(s.lenient);
    }

    #[test]
    fn an_unknown_name_is_refused_by_name() {
        let e = BackendSelection::parse(&names("std,lom")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown backend `lom`: expected std, loom, shuttle, miri, tsan or all"
        );
        assert!(BackendSelection::parse(&names("")).is_err());
    }
}
