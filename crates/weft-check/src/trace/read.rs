//! Reading a trace file, and refusing each kind of bad input with its reason.

use std::fmt;
use std::io;
use std::path::Path;

use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::error::Category;
use weft_sync::explore::{Backend, ScheduleRecord};

use super::error::{TraceError, TraceOrigin};
use super::format::{Trace, FORMAT};

/// The prefix every version of the format shares.
const FORMAT_FAMILY: &str = "weft-trace/";

/// Reads and checks a trace file.
///
/// # Examples
///
/// ```
/// use weft_check::trace::{read_trace, TraceError};
///
/// let err = read_trace("no/such/trace.json".as_ref()).unwrap_err();
/// assert!(matches!(err, TraceError::Missing { .. }));
/// assert_eq!(err.to_string(), "trace file `no/such/trace.json` does not exist");
/// ```
///
/// # Errors
///
/// A [`TraceError`] naming the file and what is wrong with it:
/// [`Missing`](TraceError::Missing), [`Unreadable`](TraceError::Unreadable),
/// [`Empty`](TraceError::Empty), [`Truncated`](TraceError::Truncated),
/// [`NotJson`](TraceError::NotJson), [`NotATrace`](TraceError::NotATrace)
/// (foreign JSON), [`UnsupportedVersion`](TraceError::UnsupportedVersion),
/// [`Invalid`](TraceError::Invalid) or
/// [`Inconsistent`](TraceError::Inconsistent).
pub fn read_trace(path: &Path) -> Result<Trace, TraceError> {
    let bytes = std::fs::read(path).map_err(|source| {
        let origin = TraceOrigin::file(path);
        if source.kind() == io::ErrorKind::NotFound {
            TraceError::Missing { origin, source }
        } else {
            TraceError::Unreadable { origin, source }
        }
    })?;
    let mut trace = parse(&bytes, Some(path))?;
    trace.read_from = Some(path.to_path_buf());
    Ok(trace)
}

impl Trace {
    /// Parses and checks trace JSON held in memory. Never panics.
    ///
    /// # Examples
    ///
    /// ```
    /// use weft_check::trace::{Trace, TraceError};
    ///
    /// let err = Trace::from_json(r#"{"format": "weft-trace/2"}"#).unwrap_err();
    /// assert!(matches!(err, TraceError::UnsupportedVersion { .. }));
    /// assert_eq!(err.to_string(), "trace text is weft-trace/2; this weft reads weft-trace/1");
    /// ```
    ///
    /// # Errors
    ///
    /// As [`read_trace`], except the I/O errors.
    pub fn from_json(text: &str) -> Result<Trace, TraceError> {
        parse(text.as_bytes(), None)
    }

    /// [`Trace::from_json`] for bytes that may not be UTF-8. Never panics.
    ///
    /// # Errors
    ///
    /// As [`Trace::from_json`]; bytes that are not UTF-8 are
    /// [`NotJson`](TraceError::NotJson).
    pub fn from_json_slice(bytes: &[u8]) -> Result<Trace, TraceError> {
        parse(bytes, None)
    }

    /// Refuses a trace of another model than `expected`.
    ///
    /// # Errors
    ///
    /// [`TraceError::WrongModel`], naming the file and both models.
    pub fn check_model(&self, expected: &str) -> Result<(), TraceError> {
        if self.model == expected {
            return Ok(());
        }
        Err(TraceError::WrongModel {
            origin: self.origin(),
            expected: expected.to_string(),
            found: self.model.clone(),
        })
    }

    /// Refuses a trace recorded on another backend than `current` (usually
    /// [`Backend::current`]), saying which feature to rebuild with.
    ///
    /// # Examples
    ///
    /// ```
    /// # use weft_check::trace::Trace;
    /// # use weft_check::Backend;
    /// # fn demo(trace: &Trace) {
    /// if let Err(e) = trace.check_backend(Backend::current()) {
    ///     eprintln!("error: {e}"); // "... was recorded on shuttle, but this build runs on std: run with --features shuttle"
    /// }
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`TraceError::WrongBackend`].
    pub fn check_backend(&self, current: Backend) -> Result<(), TraceError> {
        if self.backend == current {
            return Ok(());
        }
        let hint = match self.backend.feature() {
            Some(feature) => format!("run with --features {feature}"),
            None => "a stress run on real threads cannot be replayed; \
                     run the model with --features shuttle or --features loom to record a replayable trace"
                .to_string(),
        };
        Err(TraceError::WrongBackend {
            origin: self.origin(),
            recorded: self.backend,
            current,
            hint,
        })
    }

    fn origin(&self) -> TraceOrigin {
        TraceOrigin::from_option(self.read_from.as_deref())
    }
}

/// Classifies the input from the outside in: empty, JSON at all, an object
/// with a weft `format`, the right version, the right shape, consistent.
fn parse(bytes: &[u8], path: Option<&Path>) -> Result<Trace, TraceError> {
    let origin = || TraceOrigin::from_option(path);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(TraceError::Empty { origin: origin() });
    }
    if let Err(source) = serde_json::from_slice::<IgnoredAny>(bytes) {
        return Err(match source.classify() {
            Category::Eof => TraceError::Truncated {
                origin: origin(),
                source,
            },
            _ => TraceError::NotJson {
                origin: origin(),
                source,
            },
        });
    }
    let not_a_trace = |reason: String| TraceError::NotATrace {
        origin: origin(),
        reason,
    };
    let probe = serde_json::from_slice::<FormatProbe>(bytes)
        .map_err(|_| not_a_trace(format!("it is a JSON {}, not an object", json_type(bytes))))?;
    match probe.format {
        None => return Err(not_a_trace("it has no \"format\" field".to_string())),
        Some(serde_json::Value::String(format)) if format == FORMAT => {}
        Some(serde_json::Value::String(format)) if format.starts_with(FORMAT_FAMILY) => {
            return Err(TraceError::UnsupportedVersion {
                origin: origin(),
                found: shorten(&format),
            })
        }
        Some(serde_json::Value::String(format)) => {
            return Err(not_a_trace(format!(
                "its format is `{}`, not {FORMAT}",
                shorten(&format)
            )))
        }
        Some(_) => {
            return Err(not_a_trace(
                "its \"format\" field is not a string".to_string(),
            ))
        }
    }
    let trace = serde_json::from_slice::<Trace>(bytes).map_err(|source| TraceError::Invalid {
        origin: origin(),
        source,
    })?;
    check_consistent(&trace).map_err(|reason| TraceError::Inconsistent {
        origin: origin(),
        reason,
    })?;
    Ok(trace)
}

/// What the rest of weft relies on when it reads a trace: ids are
/// positions, a wait names a thread that exists, the seed and backend
/// agree with the schedule.
fn check_consistent(trace: &Trace) -> Result<(), String> {
    for (i, t) in trace.threads.iter().enumerate() {
        if t.id != i {
            return Err(format!("threads[{i}] has id {}", t.id));
        }
        if let Some(w) = t.waiting.as_ref().and_then(|w| w.thread) {
            if w >= trace.threads.len() {
                return Err(format!(
                    "thread {i} waits for thread {w}, which is not in \"threads\""
                ));
            }
        }
    }
    for (i, o) in trace.objects.iter().enumerate() {
        if o.id != i {
            return Err(format!("objects[{i}] has id {}", o.id));
        }
    }
    let (schedule_backend, schedule_seed) = match &trace.schedule {
        ScheduleRecord::Std { .. } => (Backend::Std, None),
        ScheduleRecord::Loom { .. } => (Backend::Loom, None),
        ScheduleRecord::Shuttle { seed, .. } => (Backend::Shuttle, Some(*seed)),
    };
    if schedule_backend != trace.backend {
        return Err(format!(
            "its backend is {} but its schedule is a {schedule_backend} schedule",
            trace.backend
        ));
    }
    if schedule_seed != trace.seed {
        let show = |s: Option<u64>| s.map_or_else(|| "null".to_string(), |s| s.to_string());
        return Err(format!(
            "its seed is {} but its schedule's seed is {}",
            show(trace.seed),
            show(schedule_seed)
        ));
    }
    Ok(())
}

/// The top-level `format` field of a JSON object, read without building
/// the rest.
struct FormatProbe {
    format: Option<serde_json::Value>,
}

impl<'de> Deserialize<'de> for FormatProbe {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(FormatProbeVisitor)
    }
}

struct FormatProbeVisitor;

impl<'de> Visitor<'de> for FormatProbeVisitor {
    type Value = FormatProbe;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FormatProbe, A::Error> {
        let mut format = None;
        while let Some(key) = map.next_key::<String>()? {
            if key == "format" && format.is_none() {
                format = Some(map.next_value::<serde_json::Value>()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(FormatProbe { format })
    }
}

/// The JSON type of a valid JSON text, from its first significant byte.
fn json_type(bytes: &[u8]) -> &'static str {
    match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'[') => "array",
        Some(b'"') => "string",
        Some(b't' | b'f') => "boolean",
        Some(b'n') => "null",
        Some(b'{') => "object",
        _ => "number",
    }
}

/// At most 40 characters of a foreign value, for a message.
fn shorten(text: &str) -> String {
    match text.char_indices().nth(40) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_string(),
    }
}
