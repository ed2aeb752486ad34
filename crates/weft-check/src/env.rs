//! The `WEFT_*` environment overrides, each validated with a clear error.

use std::path::PathBuf;
use std::time::Duration;

use weft_sync::explore::SchedulerKind;

use crate::error::ConfigError;

/// Executions to explore (shuttle, std), a positive integer.
pub const WEFT_ITERATIONS: &str = "WEFT_ITERATIONS";
/// The scheduler's random seed, a u64 (decimal or `0x` hex).
pub const WEFT_SEED: &str = "WEFT_SEED";
/// `random`, `pct`, `pct:<depth>` or `dfs`.
pub const WEFT_SCHEDULER: &str = "WEFT_SCHEDULER";
/// The preemption bound, a non-negative integer or `none`.
pub const WEFT_PREEMPTIONS: &str = "WEFT_PREEMPTIONS";
/// Recorded steps per execution before a step-limit failure, a positive integer.
pub const WEFT_MAX_STEPS: &str = "WEFT_MAX_STEPS";
/// Wall-clock budget for the exploration: `500ms`, `30s`, `2m`, or seconds.
pub const WEFT_TIME_BUDGET: &str = "WEFT_TIME_BUDGET";
/// A trace file whose schedule to replay instead of exploring.
pub const WEFT_REPLAY: &str = "WEFT_REPLAY";
/// Where failing models write their trace files (default `target/weft/traces`).
pub const WEFT_TRACE_DIR: &str = "WEFT_TRACE_DIR";

/// The overrides found in the environment.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct EnvOverrides {
    pub(crate) iterations: Option<usize>,
    pub(crate) seed: Option<u64>,
    pub(crate) scheduler: Option<SchedulerKind>,
    pub(crate) preemptions: Option<Option<usize>>,
    pub(crate) max_steps: Option<usize>,
    pub(crate) time_budget: Option<Duration>,
    pub(crate) replay: Option<PathBuf>,
    pub(crate) trace_dir: Option<PathBuf>,
}

impl EnvOverrides {
    /// Reads every `WEFT_*` variable; the first bad one is the error.
    pub(crate) fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var_os(name).map(|v| v.to_string_lossy().into_owned()))
    }

    pub(crate) fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        let mut out = EnvOverrides::default();
        if let Some(v) = get(WEFT_ITERATIONS) {
            out.iterations = Some(parse_positive(WEFT_ITERATIONS, &v, "1000")?);
        }
        if let Some(v) = get(WEFT_SEED) {
            out.seed = Some(parse_seed(&v)?);
        }
        if let Some(v) = get(WEFT_SCHEDULER) {
            out.scheduler = Some(parse_scheduler(&v)?);
        }
        if let Some(v) = get(WEFT_PREEMPTIONS) {
            out.preemptions = Some(parse_preemptions(&v)?);
        }
        if let Some(v) = get(WEFT_MAX_STEPS) {
            out.max_steps = Some(parse_positive(WEFT_MAX_STEPS, &v, "100000")?);
        }
        if let Some(v) = get(WEFT_TIME_BUDGET) {
            out.time_budget = Some(parse_duration(WEFT_TIME_BUDGET, &v)?);
        }
        out.replay = get(WEFT_REPLAY).map(PathBuf::from);
        out.trace_dir = get(WEFT_TRACE_DIR).map(PathBuf::from);
        Ok(out)
    }
}

fn invalid(variable: &'static str, value: &str, expected: &str) -> ConfigError {
    ConfigError::InvalidVariable {
        variable,
        value: value.to_string(),
        expected: expected.to_string(),
    }
}

fn parse_positive(
    variable: &'static str,
    value: &str,
    example: &str,
) -> Result<usize, ConfigError> {
    match value.trim().replace('_', "").parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(invalid(
            variable,
            value,
            &format!("a positive integer, e.g. {variable}={example}"),
        )),
    }
}

fn parse_seed(value: &str) -> Result<u64, ConfigError> {
    let v = value.trim();
    let parsed = match v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => v.parse::<u64>(),
    };
    parsed.map_err(|_| {
        invalid(
            WEFT_SEED,
            value,
            "an unsigned 64-bit integer, decimal or 0x-hex, e.g. WEFT_SEED=42",
        )
    })
}

/// Parses `random`, `pct`, `pct:<depth>` or `dfs`.
pub(crate) fn parse_scheduler(value: &str) -> Result<SchedulerKind, ConfigError> {
    let expected = "one of random, pct, pct:<depth> (depth 1 or more), dfs";
    let v = value.trim().to_ascii_lowercase();
    match v.as_str() {
        "random" => Ok(SchedulerKind::Random),
        "dfs" => Ok(SchedulerKind::Dfs),
        "pct" => Ok(SchedulerKind::Pct { depth: 3 }),
        other => match other.strip_prefix("pct:") {
            Some(d) => match d.parse::<usize>() {
                Ok(depth) if depth > 0 => Ok(SchedulerKind::Pct { depth }),
                _ => Err(invalid(WEFT_SCHEDULER, value, expected)),
            },
            None => Err(invalid(WEFT_SCHEDULER, value, expected)),
        },
    }
}

fn parse_preemptions(value: &str) -> Result<Option<usize>, ConfigError> {
    let v = value.trim();
    if v.eq_ignore_ascii_case("none") || v.eq_ignore_ascii_case("unbounded") {
        return Ok(None);
    }
    v.parse::<usize>().map(Some).map_err(|_| {
        invalid(
            WEFT_PREEMPTIONS,
            value,
            "a non-negative integer or `none`, e.g. WEFT_PREEMPTIONS=2",
        )
    })
}

/// Parses `500ms`, `30s`, `2m`, `1h` or a bare number of seconds.
pub(crate) fn parse_duration(variable: &'static str, value: &str) -> Result<Duration, ConfigError> {
    let v = value.trim();
    let expected = "a positive duration such as 500ms, 30s, 2m or 1h (a bare number is seconds)";
    let (num, unit) = match v.find(|c: char| !(c.is_ascii_digit() || c == '.')) {
        Some(i) => (&v[..i], v[i..].trim()),
        None => (v, "s"),
    };
    let n: f64 = num
        .parse()
        .map_err(|_| invalid(variable, value, expected))?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" | "sec" | "secs" => n,
        "m" | "min" | "mins" => n * 60.0,
        "h" => n * 3600.0,
        _ => return Err(invalid(variable, value, expected)),
    };
    if !(secs.is_finite() && secs > 0.0) {
        return Err(invalid(variable, value, expected));
    }
    Ok(Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Result<EnvOverrides, ConfigError> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        EnvOverrides::from_lookup(|name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        })
    }

    #[test]
    fn good_values_parse() {
        let o = env(&[
            (WEFT_ITERATIONS, "1_000"),
            (WEFT_SEED, "0x2a"),
            (WEFT_SCHEDULER, "pct:4"),
            (WEFT_PREEMPTIONS, "none"),
            (WEFT_MAX_STEPS, "50"),
            (WEFT_TIME_BUDGET, "1.5s"),
        ])
        .unwrap();
        assert_eq!(o.iterations, Some(1000));
        assert_eq!(o.seed, Some(42));
        assert_eq!(o.scheduler, Some(SchedulerKind::Pct { depth: 4 }));
        assert_eq!(o.preemptions, Some(None));
        assert_eq!(o.max_steps, Some(50));
        assert_eq!(o.time_budget, Some(Duration::from_millis(1500)));
    }

    #[test]
    fn each_bad_value_names_variable_value_and_accepted_values() {
        let cases = [
            (WEFT_ITERATIONS, "many", "positive integer"),
            (WEFT_ITERATIONS, "0", "positive integer"),
            (WEFT_SEED, "-1", "unsigned 64-bit"),
            (WEFT_SCHEDULER, "fifo", "random, pct"),
            (WEFT_SCHEDULER, "pct:0", "random, pct"),
            (WEFT_PREEMPTIONS, "two", "non-negative integer"),
            (WEFT_MAX_STEPS, "1e9x", "positive integer"),
            (WEFT_TIME_BUDGET, "soon", "500ms, 30s"),
            (WEFT_TIME_BUDGET, "10 fortnights", "500ms, 30s"),
        ];
        for (var, value, accepted) in cases {
            let err = env(&[(var, value)]).unwrap_err().to_string();
            assert!(err.contains(var), "{err}");
            assert!(err.contains(&format!("\"{value}\"")), "{err}");
            assert!(err.contains(accepted), "{err}");
            assert_eq!(err.lines().count(), 1, "one line: {err}");
        }
    }
}
