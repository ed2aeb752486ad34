//! Writing a trace file: where, under which name, and atomically.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::Serialize;
use serde_json::ser::Formatter;

use super::error::TraceError;
use super::format::Trace;
use crate::env::WEFT_TRACE_DIR;

/// Longest file stem [`trace_file_path`] makes from a model's name.
const MAX_STEM: usize = 120;
/// Objects up to this depth (the top level is 1) have one member per
/// line, arrays one deeper: the top-level fields, the fields of `failure`,
/// and each thread, object, step, cycle edge and blocked thread on its own
/// line. Anything deeper is written compactly on its parent's line.
const OBJECT_LINE_DEPTH: usize = 2;
/// See [`OBJECT_LINE_DEPTH`].
const ARRAY_LINE_DEPTH: usize = 3;

/// Writes `trace` to `<dir>/<model>-<hash>.json`, where `<hash>` is eight
/// hex digits of a hash of the test's full path and the backend (so that
/// two tests whose models have one name, or one test run on loom and on
/// shuttle, do not overwrite each other's trace), or to
/// `<dir>/<model>.json` when the trace records no test; replaces any older
/// trace of the same model and test, and returns the path.
///
/// The directory is created if needed. The file is written to a temporary
/// sibling first and renamed into place, so a reader never sees half a
/// trace, and concurrent writers of one model leave one whole trace. The
/// model's name is made safe for a file name by [`trace_file_path`].
///
/// # Examples
///
/// ```
/// use weft_check::trace::{read_trace, trace_file_path, trace_file_stem, write_trace, Trace};
/// use weft_check::Model;
///
/// let failure = Model::new().name("doc/write").iterations(1).explore(|| panic!("boom")).unwrap_err();
/// let dir = std::env::temp_dir().join(format!("weft-doc-write-{}", std::process::id()));
/// let trace = Trace::from_failure(&failure);
/// let path = write_trace(&dir, &trace).unwrap();
/// assert_eq!(path, trace_file_path(&dir, &trace_file_stem(&trace)));
/// assert!(path.file_name().unwrap().to_str().unwrap().starts_with("doc_write"));
/// assert_eq!(read_trace(&path).unwrap(), Trace::from_failure(&failure));
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
///
/// # Errors
///
/// [`TraceError::CreateDir`] when the directory cannot be created,
/// [`TraceError::Write`] when the file cannot be written or renamed.
pub fn write_trace(dir: &Path, trace: &Trace) -> Result<PathBuf, TraceError> {
    static TEMP_COUNTER: AtomicUsize = AtomicUsize::new(0);
    fs::create_dir_all(dir).map_err(|source| TraceError::CreateDir {
        dir: dir.to_path_buf(),
        source,
    })?;
    let path = trace_file_path(dir, &trace_file_stem(trace));
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(
        ".{stem}.{}.{}.tmp",
        std::process::id(),
        TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let written = File::create_new(&temp).and_then(|file| {
        let mut out = BufWriter::new(file);
        trace.write_json(&mut out)?;
        out.into_inner().map_err(io::IntoInnerError::into_error)?;
        Ok(())
    });
    if let Err(source) = written {
        let _ = fs::remove_file(&temp);
        return Err(TraceError::Write { path: temp, source });
    }
    // Renaming over an existing file makes ext4 flush the new one to disk
    // at once (1-2 ms here); removing the old trace first avoids it. A
    // reader may then briefly find no file, but never half of one.
    let _ = fs::remove_file(&path);
    if let Err(source) = fs::rename(&temp, &path) {
        let _ = fs::remove_file(&temp);
        return Err(TraceError::Write { path, source });
    }
    Ok(path)
}

/// The name a trace file takes (before [`trace_file_path`] makes it safe):
/// the model's name, then `-` and eight hex digits of a 32-bit FNV-1a hash
/// of the test's full path and the backend (`models::abba` on `shuttle`)
/// when the trace records its test.
///
/// # Examples
///
/// ```
/// use weft_check::trace::trace_file_stem;
/// # use weft_check::trace::Trace;
/// # fn demo(trace: &Trace) {
/// let stem = trace_file_stem(trace); // "abba-1f0c29e3"
/// # }
/// ```
pub fn trace_file_stem(trace: &Trace) -> String {
    match &trace.test {
        // The backend too: a test run on loom, then on shuttle, left one
        // file, and the report of the first pointed at the second's trace.
        Some(test) => format!(
            "{}-{:08x}",
            trace.model,
            fnv1a32(&format!("{test} on {}", trace.backend))
        ),
        None => trace.model.clone(),
    }
}

/// 32-bit FNV-1a: stable across Rust versions and platforms, unlike std's
/// hashers, so a test's trace keeps its file name.
fn fnv1a32(s: &str) -> u32 {
    s.bytes().fold(0x811c_9dc5, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

/// The path of `model`'s trace in `dir`: `<dir>/<model>.json`, with every
/// character other than ASCII letters, digits, `-`, `_` and `.` replaced by
/// `_`, a leading `.` replaced by `_`, at most 120 characters, and `model`
/// for an empty name. Two names that differ only in replaced characters
/// share a file.
///
/// # Examples
///
/// ```
/// use std::path::Path;
/// use weft_check::trace::trace_file_path;
///
/// let dir = Path::new("target/weft/traces");
/// assert_eq!(trace_file_path(dir, "philosophers"), dir.join("philosophers.json"));
/// assert_eq!(trace_file_path(dir, "a::b c/d"), dir.join("a__b_c_d.json"));
/// assert_eq!(trace_file_path(dir, "../x"), dir.join("_._x.json"));
/// ```
pub fn trace_file_path(dir: &Path, model: &str) -> PathBuf {
    let mut stem: String = model
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .take(MAX_STEM)
        .collect();
    if stem.is_empty() {
        stem.push_str("model");
    }
    if stem.starts_with('.') {
        stem.replace_range(..1, "_");
    }
    dir.join(format!("{stem}.json"))
}

/// Where failing models write their traces: `WEFT_TRACE_DIR` if set, else
/// `<target dir>/weft/traces`.
///
/// The target directory is `CARGO_TARGET_DIR` if set, else `target` in the
/// workspace root. The workspace root is the nearest directory, from the
/// current one upwards, that holds a `Cargo.lock` (cargo writes it at the
/// root of a workspace, never in a member package, and tests run in their
/// package's directory); failing that, the nearest one that holds a
/// `target` directory; failing that, the current directory.
///
/// A relative `WEFT_TRACE_DIR` or `CARGO_TARGET_DIR` is taken relative to
/// the workspace root, where `cargo` is usually run, not to the test's
/// directory.
pub fn default_trace_dir() -> PathBuf {
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    trace_dir_for(&cwd, var(WEFT_TRACE_DIR), var("CARGO_TARGET_DIR"))
}

/// [`default_trace_dir`] for a given current directory and variables.
fn trace_dir_for(
    cwd: &Path,
    weft_trace_dir: Option<PathBuf>,
    cargo_target_dir: Option<PathBuf>,
) -> PathBuf {
    let root = || workspace_root(cwd);
    if let Some(dir) = weft_trace_dir {
        return if dir.is_absolute() {
            dir
        } else {
            root().join(dir)
        };
    }
    let target = match cargo_target_dir {
        Some(dir) if dir.is_absolute() => dir,
        Some(dir) => root().join(dir),
        None => root().join("target"),
    };
    target.join("weft").join("traces")
}

fn workspace_root(cwd: &Path) -> PathBuf {
    cwd.ancestors()
        .find(|dir| dir.join("Cargo.lock").is_file())
        .or_else(|| cwd.ancestors().find(|dir| dir.join("target").is_dir()))
        .unwrap_or(cwd)
        .to_path_buf()
}

impl Trace {
    /// The trace as JSON, as [`write_trace`] writes it: one field per line
    /// at the top, one thread, object or step per line below.
    ///
    /// # Panics
    ///
    /// Never in practice: writing to memory cannot fail and every value of
    /// a trace has a JSON form. A panic here would be a weft bug.
    pub fn to_json(&self) -> String {
        let mut out = Vec::with_capacity(256 + 120 * self.steps.len());
        // Writing to a Vec cannot fail, and every value of a trace is
        // representable in JSON (string keys, integers, strings).
        self.write_json(&mut out)
            .expect("serialising a trace to memory cannot fail");
        String::from_utf8(out).expect("serde_json writes UTF-8")
    }

    /// Writes [`Trace::to_json`] to `out`.
    ///
    /// # Errors
    ///
    /// The writer's I/O error.
    pub fn write_json<W: Write>(&self, out: &mut W) -> io::Result<()> {
        let mut serializer =
            serde_json::Serializer::with_formatter(&mut *out, LineFormatter::default());
        self.serialize(&mut serializer).map_err(io::Error::other)?;
        out.write_all(b"\n")
    }
}

/// serde_json's pretty printer for the outer containers, compact inside.
#[derive(Debug, Default)]
struct LineFormatter {
    /// For each open container, whether its members go on their own lines.
    open: Vec<bool>,
    has_value: bool,
}

impl LineFormatter {
    fn broken(&self) -> bool {
        self.open.last().copied().unwrap_or(false)
    }

    fn newline<W: ?Sized + Write>(&self, out: &mut W) -> io::Result<()> {
        out.write_all(b"\n")?;
        for _ in 0..self.open.len() {
            out.write_all(b"  ")?;
        }
        Ok(())
    }

    fn open<W: ?Sized + Write>(
        &mut self,
        out: &mut W,
        bracket: &[u8],
        limit: usize,
    ) -> io::Result<()> {
        let depth = self.open.len() + 1;
        let parent_broken = self.open.is_empty() || self.broken();
        self.open.push(parent_broken && depth <= limit);
        self.has_value = false;
        out.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, out: &mut W, bracket: &[u8]) -> io::Result<()> {
        let broken = self.open.pop().unwrap_or(false);
        if self.has_value && broken {
            self.newline(out)?;
        }
        out.write_all(bracket)
    }

    fn member<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        if !first {
            out.write_all(b",")?;
        }
        if self.broken() {
            self.newline(out)?;
        }
        Ok(())
    }
}

impl Formatter for LineFormatter {
    fn begin_array<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.open(out, b"[", ARRAY_LINE_DEPTH)
    }

    fn end_array<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.close(out, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        self.member(out, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _out: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.open(out, b"{", OBJECT_LINE_DEPTH)
    }

    fn end_object<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.close(out, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        self.member(out, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        if self.broken() {
            out.write_all(b": ")
        } else {
            out.write_all(b":")
        }
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _out: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_test_hash_is_stable() {
        // FNV-1a's published test vectors.
        assert_eq!(fnv1a32(""), 0x811c_9dc5);
        assert_eq!(fnv1a32("a"), 0xe40c_292c);
        assert_ne!(fnv1a32("module_a::t"), fnv1a32("module_b::t"));
    }

    #[test]
    fn file_names_are_safe() {
        let dir = Path::new("d");
        assert_eq!(trace_file_path(dir, ""), dir.join("model.json"));
        assert_eq!(trace_file_path(dir, ".."), dir.join("_..json"));
        assert_eq!(trace_file_path(dir, "fork[0]"), dir.join("fork_0_.json"));
        assert_eq!(trace_file_path(dir, "é"), dir.join("_.json"));
        let long = "x".repeat(500);
        assert_eq!(
            trace_file_path(dir, &long),
            dir.join(format!("{}.json", "x".repeat(MAX_STEM)))
        );
    }

    fn temp_tree(name: &str) -> PathBuf {
        let root =
            std::env::temp_dir().join(format!("weft-trace-dir-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(root.join("ws/crates/pkg/src")).unwrap();
        root
    }

    #[test]
    fn the_workspace_root_is_the_nearest_lockfile() {
        let root = temp_tree("lock");
        fs::write(root.join("ws/Cargo.lock"), "").unwrap();
        let pkg = root.join("ws/crates/pkg");
        assert_eq!(
            trace_dir_for(&pkg, None, None),
            root.join("ws/target/weft/traces")
        );
        assert_eq!(
            trace_dir_for(&pkg, None, Some("out".into())),
            root.join("ws/out/weft/traces")
        );
        assert_eq!(
            trace_dir_for(&pkg, None, Some("/abs/t".into())),
            Path::new("/abs/t/weft/traces")
        );
        assert_eq!(
            trace_dir_for(&pkg, Some("traces".into()), Some("/abs/t".into())),
            root.join("ws/traces")
        );
        assert_eq!(
            trace_dir_for(&pkg, Some("/abs/traces".into()), None),
            Path::new("/abs/traces")
        );
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn without_a_lockfile_a_target_dir_marks_the_root() {
        let root = temp_tree("target");
        fs::create_dir_all(root.join("ws/crates/target")).unwrap();
        let src = root.join("ws/crates/pkg/src");
        assert_eq!(
            trace_dir_for(&src, None, None),
            root.join("ws/crates/target/weft/traces")
        );
        fs::remove_dir_all(&root).unwrap();
    }
}
