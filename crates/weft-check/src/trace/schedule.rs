//! A [`ScheduleRecord`] as one short, versioned string, and back.
//!
//! | backend | encoding |
//! | --- | --- |
//! | std | `std:v1:iteration=<n>` |
//! | loom | `loom:v1:execution=<n>:preemptions=<n or none>`, then `:path=<hex>` when loom's record of the execution's branches was captured (its checkpoint JSON, hex-encoded) |
//! | shuttle | `shuttle:v1:seed=<u64>:<decision>,<decision>,...` with each decision `t<task>` or `r<random u64>` |
//!
//! Numbers are decimal. The decision list may be empty (`shuttle:v1:seed=7:`).

use std::fmt::Write as _;
use std::str::FromStr;

use weft_sync::explore::{Decision, ScheduleRecord};

use super::error::TraceError;

/// The version tag every encoding carries after the backend.
const ENCODING_VERSION: &str = "v1";
/// How much of a bad schedule an error message quotes.
const QUOTED_CHARS: usize = 60;

/// Encodes a schedule as its compact string, e.g. `shuttle:v1:seed=42:t0,t1,r7`.
///
/// [`decode_schedule`] turns the string back into an equal record.
///
/// # Examples
///
/// ```
/// use weft_check::trace::{decode_schedule, encode_schedule};
/// use weft_sync::explore::ScheduleRecord;
///
/// let loom = ScheduleRecord::Loom { execution: 17, preemption_bound: None, path: None };
/// let text = encode_schedule(&loom);
/// assert_eq!(text, "loom:v1:execution=17:preemptions=none");
/// assert_eq!(decode_schedule(&text).unwrap(), loom);
///
/// let captured = ScheduleRecord::Loom {
///     execution: 17,
///     preemption_bound: Some(2),
///     path: Some(r#"{"pos":0}"#.to_string()),
/// };
/// let text = encode_schedule(&captured);
/// assert_eq!(text, "loom:v1:execution=17:preemptions=2:path=7b22706f73223a307d");
/// assert_eq!(decode_schedule(&text).unwrap(), captured);
/// ```
pub fn encode_schedule(schedule: &ScheduleRecord) -> String {
    match schedule {
        ScheduleRecord::Std { iteration } => {
            format!("std:{ENCODING_VERSION}:iteration={iteration}")
        }
        ScheduleRecord::Loom {
            execution,
            preemption_bound,
            path,
        } => {
            let bound = preemption_bound.map_or_else(|| "none".to_string(), |b| b.to_string());
            let mut out =
                format!("loom:{ENCODING_VERSION}:execution={execution}:preemptions={bound}");
            if let Some(path) = path {
                // Hex: the JSON has colons and quotes, the encoding's own
                // separators and the trace file's.
                out.push_str(":path=");
                for b in path.bytes() {
                    let _ = write!(out, "{b:02x}");
                }
            }
            out
        }
        ScheduleRecord::Shuttle { seed, decisions } => {
            // About 4 bytes a decision: "t1,".
            let mut out = String::with_capacity(32 + 4 * decisions.len());
            let _ = write!(out, "shuttle:{ENCODING_VERSION}:seed={seed}:");
            for (i, d) in decisions.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                let _ = match d {
                    Decision::Task(t) => write!(out, "t{t}"),
                    Decision::Random(r) => write!(out, "r{r}"),
                };
            }
            out
        }
    }
}

/// Decodes a schedule string written by [`encode_schedule`].
///
/// Surrounding whitespace is ignored. Never panics, whatever the input.
///
/// # Examples
///
/// ```
/// use weft_check::trace::decode_schedule;
/// use weft_sync::explore::{Decision, ScheduleRecord};
///
/// let schedule = decode_schedule("shuttle:v1:seed=42:t0,t1,r9").unwrap();
/// assert_eq!(
///     schedule,
///     ScheduleRecord::Shuttle {
///         seed: 42,
///         decisions: vec![Decision::Task(0), Decision::Task(1), Decision::Random(9)],
///     }
/// );
/// assert!(decode_schedule("shuttle:v2:seed=42:").is_err());
/// ```
///
/// # Errors
///
/// [`TraceError::InvalidSchedule`], quoting the start of the string and
/// saying what is wrong: an unknown backend or encoding version, a missing
/// or malformed field, a decision that is neither `t<task>` nor `r<value>`,
/// a number out of range.
pub fn decode_schedule(text: &str) -> Result<ScheduleRecord, TraceError> {
    decode(text.trim()).map_err(|reason| TraceError::InvalidSchedule {
        schedule: quote(text.trim()),
        reason,
    })
}

fn decode(text: &str) -> Result<ScheduleRecord, String> {
    let mut parts = text.splitn(3, ':');
    let backend = parts.next().unwrap_or_default();
    let (Some(version), Some(rest)) = (parts.next(), parts.next()) else {
        return Err(
            "expected `<backend>:v1:<fields>`, e.g. `shuttle:v1:seed=42:t0,t1`".to_string(),
        );
    };
    if !matches!(backend, "std" | "loom" | "shuttle") {
        return Err(format!(
            "unknown backend `{}`; expected std, loom or shuttle",
            quote(backend)
        ));
    }
    if version != ENCODING_VERSION {
        return Err(format!(
            "encoding version `{}` is not one this weft reads ({ENCODING_VERSION})",
            quote(version)
        ));
    }
    match backend {
        "std" => Ok(ScheduleRecord::Std {
            iteration: field(rest, "iteration")?,
        }),
        "loom" => {
            let (execution, rest) = rest
                .split_once(':')
                .ok_or_else(|| "expected `execution=<n>:preemptions=<n or none>`".to_string())?;
            let (preemptions, path) = match rest.split_once(':') {
                Some((preemptions, path)) => (preemptions, Some(loom_path(path)?)),
                None => (rest, None),
            };
            let execution = field(execution, "execution")?;
            let bound = value_of(preemptions, "preemptions")?;
            let preemption_bound = if bound == "none" {
                None
            } else {
                Some(number(bound, "preemptions")?)
            };
            Ok(ScheduleRecord::Loom {
                execution,
                preemption_bound,
                path,
            })
        }
        _ => {
            let (seed, list) = rest
                .split_once(':')
                .ok_or_else(|| "expected `seed=<n>:<decisions>`".to_string())?;
            let seed = field(seed, "seed")?;
            let decisions = if list.is_empty() {
                Vec::new()
            } else {
                list.split(',')
                    .enumerate()
                    .map(|(i, token)| decision(i, token))
                    .collect::<Result<Vec<_>, _>>()?
            };
            Ok(ScheduleRecord::Shuttle { seed, decisions })
        }
    }
}

/// loom's path from `path=<hex>`: hex of a JSON object, as loom's
/// checkpoint writes it (its branches and position).
fn loom_path(text: &str) -> Result<String, String> {
    let hex = value_of(text, "path")?;
    let bad = |why: &str| format!("loom path `{}`: {why}", quote(hex));
    if hex.len() % 2 != 0 {
        return Err(bad("an odd number of hex digits"));
    }
    let bytes = (0..hex.len())
        .step_by(2)
        .map(|i| {
            hex.get(i..i + 2)
                .and_then(|d| u8::from_str_radix(d, 16).ok())
        })
        .collect::<Option<Vec<u8>>>()
        .ok_or_else(|| bad("not hex digits"))?;
    let json = String::from_utf8(bytes).map_err(|_| bad("not UTF-8 once decoded"))?;
    match serde_json::from_str::<serde_json::Value>(&json) {
        Ok(serde_json::Value::Object(_)) => Ok(json),
        _ => Err(bad("not a JSON object once decoded")),
    }
}

fn decision(index: usize, token: &str) -> Result<Decision, String> {
    let bad = || {
        format!(
            "decision {} `{}` is neither t<task> nor r<value>",
            index + 1,
            quote(token)
        )
    };
    let mut chars = token.chars();
    match chars.next() {
        Some('t') => digits(chars.as_str()).map(Decision::Task).ok_or_else(bad),
        Some('r') => digits(chars.as_str()).map(Decision::Random).ok_or_else(bad),
        _ => Err(bad()),
    }
}

/// The number in `name=<n>`.
fn field<T: FromStr>(text: &str, name: &str) -> Result<T, String> {
    number(value_of(text, name)?, name)
}

/// The value in `name=<value>`.
fn value_of<'a>(text: &'a str, name: &str) -> Result<&'a str, String> {
    text.strip_prefix(name)
        .and_then(|v| v.strip_prefix('='))
        .ok_or_else(|| format!("expected `{name}=...`, found `{}`", quote(text)))
}

fn number<T: FromStr>(text: &str, name: &str) -> Result<T, String> {
    digits(text).ok_or_else(|| {
        format!(
            "`{name}` is `{}`, not a non-negative integer in range",
            quote(text)
        )
    })
}

/// A decimal number made of ASCII digits only (no sign, no spaces), in range.
fn digits<T: FromStr>(text: &str) -> Option<T> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// The first characters of `text`, for an error message.
fn quote(text: &str) -> String {
    match text.char_indices().nth(QUOTED_CHARS) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_string(),
    }
}

/// Serde support: a [`ScheduleRecord`] field stored as its encoded string.
pub(super) mod as_string {
    use serde::{Deserialize, Deserializer, Serializer};
    use weft_sync::explore::ScheduleRecord;

    pub(crate) fn serialize<S: Serializer>(
        schedule: &ScheduleRecord,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&super::encode_schedule(schedule))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<ScheduleRecord, D::Error> {
        let text = String::deserialize(deserializer)?;
        super::decode_schedule(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn schedules() -> impl Strategy<Value = ScheduleRecord> {
        let decision = prop_oneof![
            any::<usize>().prop_map(Decision::Task),
            any::<u64>().prop_map(Decision::Random),
        ];
        prop_oneof![
            any::<usize>().prop_map(|iteration| ScheduleRecord::Std { iteration }),
            (
                any::<usize>(),
                any::<Option<usize>>(),
                proptest::option::of("[a-z:\"{}]{0,12}")
            )
                .prop_map(|(execution, preemption_bound, key)| {
                    ScheduleRecord::Loom {
                        execution,
                        preemption_bound,
                        path: key.map(|k| serde_json::json!({ "pos": 0, "k": k }).to_string()),
                    }
                }),
            (any::<u64>(), proptest::collection::vec(decision, 0..50))
                .prop_map(|(seed, decisions)| ScheduleRecord::Shuttle { seed, decisions }),
        ]
    }

    proptest! {
        #[test]
        fn every_schedule_decodes_to_itself(schedule in schedules()) {
            prop_assert_eq!(decode_schedule(&encode_schedule(&schedule)).unwrap(), schedule);
        }

        #[test]
        fn any_text_decodes_or_errs_without_panicking(text in ".{0,80}") {
            if let Ok(schedule) = decode_schedule(&text) {
                prop_assert_eq!(decode_schedule(&encode_schedule(&schedule)).unwrap(), schedule);
            }
        }

        #[test]
        fn near_miss_text_decodes_or_errs_without_panicking(
            text in "(std|loom|shuttle|x)(:v[0-9])?(:[a-z]{0,10}=?[0-9a-z]{0,6})*(:[tr0-9,]{0,20})?"
        ) {
            if let Ok(schedule) = decode_schedule(&text) {
                prop_assert_eq!(decode_schedule(&encode_schedule(&schedule)).unwrap(), schedule);
            }
        }
    }

    #[test]
    fn encodes_each_backend_exactly() {
        assert_eq!(
            encode_schedule(&ScheduleRecord::Std { iteration: 5 }),
            "std:v1:iteration=5"
        );
        assert_eq!(
            encode_schedule(&ScheduleRecord::Loom {
                execution: 17,
                preemption_bound: Some(2),
                path: None,
            }),
            "loom:v1:execution=17:preemptions=2"
        );
        assert_eq!(
            encode_schedule(&ScheduleRecord::Shuttle {
                seed: 42,
                decisions: vec![Decision::Task(0), Decision::Task(1), Decision::Random(1234)],
            }),
            "shuttle:v1:seed=42:t0,t1,r1234"
        );
        assert_eq!(
            encode_schedule(&ScheduleRecord::Shuttle {
                seed: 7,
                decisions: vec![]
            }),
            "shuttle:v1:seed=7:"
        );
    }

    fn reason(text: &str) -> String {
        match decode_schedule(text) {
            Err(TraceError::InvalidSchedule { reason, .. }) => reason,
            other => panic!("expected InvalidSchedule for {text:?}, got {other:?}"),
        }
    }

    #[test]
    fn refuses_bad_schedules_with_the_reason() {
        assert!(reason("").contains("expected `<backend>:v1:<fields>`"));
        assert_eq!(
            reason("tokio:v1:x"),
            "unknown backend `tokio`; expected std, loom or shuttle"
        );
        assert_eq!(
            reason("shuttle:v2:seed=1:"),
            "encoding version `v2` is not one this weft reads (v1)"
        );
        assert_eq!(
            reason("shuttle:v1:seed=1:t0,x3"),
            "decision 2 `x3` is neither t<task> nor r<value>"
        );
        assert_eq!(
            reason("shuttle:v1:seed=1:t0,"),
            "decision 2 `` is neither t<task> nor r<value>"
        );
        assert_eq!(
            reason("shuttle:v1:seed=-1:"),
            "`seed` is `-1`, not a non-negative integer in range"
        );
        assert_eq!(
            reason("shuttle:v1:seed=18446744073709551616:"),
            "`seed` is `18446744073709551616`, not a non-negative integer in range"
        );
        assert_eq!(
            reason("loom:v1:execution=3"),
            "expected `execution=<n>:preemptions=<n or none>`"
        );
        assert_eq!(
            reason("std:v1:iterations=3"),
            "expected `iteration=...`, found `iterations=3`"
        );
    }

    #[test]
    fn quotes_long_schedules_shortened() {
        let long = format!("shuttle:v1:seed=1:{}x", "t1,".repeat(100));
        let err = decode_schedule(&long).unwrap_err().to_string();
        assert!(
            err.starts_with("invalid schedule `shuttle:v1:seed=1:t1,t1,"),
            "{err}"
        );
        assert!(err.contains("...`: decision 101 `x`"), "{err}");
        assert!(err.len() < 200, "{err}");
    }

    #[test]
    fn a_bad_loom_path_is_refused_saying_why() {
        for (text, why) in [
            (
                "loom:v1:execution=3:preemptions=none:path=7b7",
                "odd number",
            ),
            ("loom:v1:execution=3:preemptions=none:path=zz", "not hex"),
            ("loom:v1:execution=3:preemptions=none:path=ff", "not UTF-8"),
            (
                "loom:v1:execution=3:preemptions=none:path=5b5d",
                "not a JSON object",
            ),
            (
                "loom:v1:execution=3:preemptions=none:route=7b7d",
                "expected `path=...`",
            ),
        ] {
            let err = decode_schedule(text).unwrap_err().to_string();
            assert!(err.contains(why), "{text}: {err}");
        }
    }
}
