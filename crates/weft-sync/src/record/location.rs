use std::fmt;
use std::panic::Location;

/// A source location (`#[track_caller]`), as `file:line:column`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Loc {
    /// The source file, relative to the package that was compiled.
    pub file: &'static str,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

impl Loc {
    /// The location of the caller of the `#[track_caller]` function that calls this.
    #[inline]
    #[track_caller]
    pub fn caller() -> Loc {
        Loc::from(Location::caller())
    }
}

impl From<&'static Location<'static>> for Loc {
    #[inline]
    fn from(l: &'static Location<'static>) -> Loc {
        Loc {
            file: l.file(),
            line: l.line(),
            column: l.column(),
        }
    }
}

impl fmt::Display for Loc {
    /// `file:line`, the form a person clicks on; the column is in `{:#}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.alternate() {
            write!(f, "{}:{}:{}", self.file, self.line, self.column)
        } else {
            write!(f, "{}:{}", self.file, self.line)
        }
    }
}
