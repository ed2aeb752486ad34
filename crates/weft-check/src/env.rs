//! The `WEFT_*` environment overrides, and on loom loom's own `LOOM_*`
//! variables, each validated with a clear error.
//!
//! Precedence, highest first: a `WEFT_*` variable, then the `LOOM_*`
//! variable for the same setting (on loom runs only, as raw loom reads
//! them), then the [`Model`](crate::Model) builder. The `LOOM_*` variables
//! weft has no setting for are either passed to loom's builder
//! (`LOOM_MAX_BRANCHES`, `LOOM_LOCATION`) or refused with one line
//! (`LOOM_LOG`, `LOOM_CHECKPOINT_FILE`, `LOOM_CHECKPOINT_INTERVAL`): none
//! is silently overridden.

use std::path::PathBuf;
use std::time::Duration;

use weft_sync::explore::{Backend, SchedulerKind};

use crate::error::ConfigError;

/// Executions to explore (shuttle, std), a positive integer.
pub const WEFT_ITERATIONS: &str = "WEFT_ITERATIONS";
/// The scheduler's random seed, a u64 (decimal or `0x` hex).
pub const WEFT_SEED: &str = "WEFT_SEED";
/// `random`, `pct`, `pct:<depth>`, `dfs`, `dpor` or `portfolio`.
pub const WEFT_SCHEDULER: &str = "WEFT_SCHEDULER";
/// The preemption bound, a non-negative integer or `none`.
pub const WEFT_PREEMPTIONS: &str = "WEFT_PREEMPTIONS";
/// Recorded steps per execution before a step-limit failure, a positive integer.
pub const WEFT_MAX_STEPS: &str = "WEFT_MAX_STEPS";
/// Wall-clock budget for the exploration: `500ms`, `30s`, `2m`, or seconds.
pub const WEFT_TIME_BUDGET: &str = "WEFT_TIME_BUDGET";
/// The most each model may take, its search scaled to fit (what `cargo
/// weft check --budget` gives each test, its share of the whole budget):
/// a duration like `WEFT_TIME_BUDGET`'s. Unlike `WEFT_TIME_BUDGET` it keeps
/// the default search (on shuttle, DPOR gets two thirds of it and random
/// schedules the rest), and it caps any budget the model set.
pub const WEFT_BUDGET: &str = "WEFT_BUDGET";
/// std mode: how long a model's stress run may take before it fails as a
/// hang (a deadlock on real threads), like `WEFT_TIME_BUDGET`'s durations.
pub const WEFT_STD_TIMEOUT: &str = "WEFT_STD_TIMEOUT";
/// A trace file whose schedule to replay instead of exploring.
pub const WEFT_REPLAY: &str = "WEFT_REPLAY";
/// Where failing models write their trace files (default `target/weft/traces`).
pub const WEFT_TRACE_DIR: &str = "WEFT_TRACE_DIR";
/// How often an exploration prints a progress line on stderr (`weft: model
/// `x` progress: N executions`): a duration like `WEFT_TIME_BUDGET`'s, or
/// `off`; default 5 s. `cargo weft check` sets `1s`.
pub const WEFT_PROGRESS: &str = "WEFT_PROGRESS";
/// `K/N` (1 ≤ K ≤ N): this run is shard K of N of each model's random or
/// PCT search. The random scheduler runs the executions of the unsharded
/// run (same seed, same iterations) whose index i ≡ K−1 (mod N): the N
/// shards together run exactly the unsharded run's executions, each a
/// 1/N share; `WEFT_SEED` and `WEFT_SHARD` together replay one. PCT's seed
/// S becomes `S − S mod N + K − 1` (wrapping), so the N shards of one seed
/// explore N distinct seeds, and shard K's seed alone replays it. Loom,
/// DPOR and shuttle's DFS are not split: every shard runs their whole
/// search. `cargo weft check --shard K/N` sets it.
pub const WEFT_SHARD: &str = "WEFT_SHARD";
/// OS threads that explore a model at once (shuttle's random, PCT and
/// portfolio schedulers), a positive integer; default: the machine's
/// available parallelism (`Model::workers`).
pub const WEFT_WORKERS: &str = "WEFT_WORKERS";

/// loom's preemption bound; on loom runs, what `WEFT_PREEMPTIONS` sets
/// when that is unset.
pub(crate) const LOOM_MAX_PREEMPTIONS: &str = "LOOM_MAX_PREEMPTIONS";
/// shuttle's seed, which its schedulers read themselves: honoured as the
/// seed under `WEFT_SEED`, refused when it disagrees with it.
pub(crate) const SHUTTLE_RANDOM_SEED: &str = "SHUTTLE_RANDOM_SEED";
/// loom's bound on thread switches per execution: passed to loom's builder.
pub(crate) const LOOM_MAX_BRANCHES: &str = "LOOM_MAX_BRANCHES";
/// loom's time budget in whole seconds; on loom runs, what
/// `WEFT_TIME_BUDGET` sets when that is unset.
pub(crate) const LOOM_MAX_DURATION: &str = "LOOM_MAX_DURATION";
/// loom's execution limit: weft stops a loom search after that many.
pub(crate) const LOOM_MAX_PERMUTATIONS: &str = "LOOM_MAX_PERMUTATIONS";
/// loom's own log of each execution: refused (weft's report shows the
/// failing execution's steps; loom's log is not printed under weft).
pub(crate) const LOOM_LOG: &str = "LOOM_LOG";
/// loom's checkpoint file: refused (weft replays from its trace files).
pub(crate) const LOOM_CHECKPOINT_FILE: &str = "LOOM_CHECKPOINT_FILE";
/// How often loom writes its checkpoint: refused with the checkpoint file.
pub(crate) const LOOM_CHECKPOINT_INTERVAL: &str = "LOOM_CHECKPOINT_INTERVAL";

/// The overrides found in the environment.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct EnvOverrides {
    pub(crate) iterations: Option<usize>,
    pub(crate) seed: Option<u64>,
    pub(crate) scheduler: Option<SchedulerKind>,
    pub(crate) preemptions: Option<Option<usize>>,
    pub(crate) max_steps: Option<usize>,
    pub(crate) time_budget: Option<Duration>,
    /// `WEFT_BUDGET`: a cap that keeps the default search.
    pub(crate) budget: Option<Duration>,
    pub(crate) std_timeout: Option<Duration>,
    pub(crate) replay: Option<PathBuf>,
    pub(crate) trace_dir: Option<PathBuf>,
    /// `WEFT_PROGRESS`: `Some(None)` is `off`.
    pub(crate) progress: Option<Option<Duration>>,
    /// `WEFT_SHARD`: (K, N), 1-based.
    pub(crate) shard: Option<(u64, u64)>,
    /// `WEFT_WORKERS`.
    pub(crate) workers: Option<usize>,
    /// loom's execution limit (`LOOM_MAX_PERMUTATIONS`), on loom runs.
    pub(crate) max_executions: Option<usize>,
}

impl EnvOverrides {
    /// Reads every `WEFT_*` variable, and on loom the `LOOM_*` ones; the
    /// first bad one is the error.
    pub(crate) fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(Backend::current(), |name| {
            std::env::var_os(name).map(|v| v.to_string_lossy().into_owned())
        })
    }

    pub(crate) fn from_lookup(
        backend: Backend,
        get: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let mut out = Self::weft_overrides(&get)?;
        if backend == Backend::Loom {
            out.loom_overrides(&get)?;
        }
        if backend == Backend::Shuttle {
            out.shuttle_overrides(&get)?;
        }
        Ok(out)
    }

    /// shuttle's schedulers read `SHUTTLE_RANDOM_SEED` themselves and use it
    /// in place of the seed they are given: weft takes it as the seed (under
    /// `WEFT_SEED`), so that the seed reported is the one that ran, and
    /// refuses the two when they disagree (shuttle would silently win).
    fn shuttle_overrides(
        &mut self,
        get: &impl Fn(&str) -> Option<String>,
    ) -> Result<(), ConfigError> {
        let Some(value) = get(SHUTTLE_RANDOM_SEED) else {
            return Ok(());
        };
        let seed = value
            .trim()
            .parse::<u64>()
            .map_err(|_| ConfigError::InvalidVariable {
                variable: SHUTTLE_RANDOM_SEED,
                value: value.clone(),
                expected: "a u64 seed, as shuttle reads it (weft's own is WEFT_SEED)".to_string(),
            })?;
        match self.seed {
            Some(weft) if weft != seed => Err(ConfigError::UnsupportedVariable {
                variable: SHUTTLE_RANDOM_SEED,
                value,
                instead: format!(
                    "shuttle would use it instead of WEFT_SEED={weft}; set one of the two"
                ),
            }),
            _ => {
                self.seed = Some(seed);
                Ok(())
            }
        }
    }

    fn weft_overrides(get: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
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
        if let Some(v) = get(WEFT_STD_TIMEOUT) {
            out.std_timeout = Some(parse_duration(WEFT_STD_TIMEOUT, &v)?);
        }
        if let Some(v) = get(WEFT_TIME_BUDGET) {
            out.time_budget = Some(parse_duration(WEFT_TIME_BUDGET, &v)?);
        }
        if let Some(v) = get(WEFT_BUDGET) {
            out.budget = Some(parse_duration(WEFT_BUDGET, &v)?);
        }
        if let Some(v) = get(WEFT_PROGRESS) {
            out.progress = Some(if v.trim().eq_ignore_ascii_case("off") {
                None
            } else {
                Some(parse_duration(WEFT_PROGRESS, &v).map_err(|_| {
                    invalid(
                        WEFT_PROGRESS,
                        &v,
                        "a positive duration such as 500ms, 1s or 2m (a bare number is seconds), or `off`",
                    )
                })?)
            });
        }
        if let Some(v) = get(WEFT_SHARD) {
            out.shard = Some(parse_shard(&v)?);
        }
        if let Some(v) = get(WEFT_WORKERS) {
            out.workers = Some(parse_positive(WEFT_WORKERS, &v, "2")?);
        }
        if let Some(v) = get(crate::repair::WEFT_REPAIR) {
            // Read when a failure has a stale read to repair; checked here
            // so that a bad value is refused before any model runs, not
            // only when one fails that way.
            crate::repair::Budget::from_env_value(Some(&v))?;
        }
        out.replay = get(WEFT_REPLAY).map(PathBuf::from);
        out.trace_dir = get(WEFT_TRACE_DIR).map(PathBuf::from);
        Ok(out)
    }

    /// Applies loom's variables under the `WEFT_*` ones. loom's builder
    /// reads them too, and panics on a value it cannot parse (even an empty
    /// one): they are checked here at least as strictly as loom does, so
    /// that loom never panics on them.
    fn loom_overrides(&mut self, get: &impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        for variable in [LOOM_CHECKPOINT_FILE, LOOM_CHECKPOINT_INTERVAL] {
            if let Some(value) = get(variable) {
                return Err(ConfigError::UnsupportedVariable {
                    variable,
                    value,
                    instead: "weft does not resume loom's checkpoints; a failure's trace file replays it exactly (WEFT_REPLAY=<trace>): unset it".to_string(),
                });
            }
        }
        if let Some(value) = get(LOOM_LOG) {
            return Err(ConfigError::UnsupportedVariable {
                variable: LOOM_LOG,
                value,
                instead: "weft does not print loom's log; its report lists the failing execution's steps, and `cargo weft show <trace>` draws them: unset it".to_string(),
            });
        }
        if let Some(v) = get(LOOM_MAX_PREEMPTIONS) {
            let n = parse_loom_count(LOOM_MAX_PREEMPTIONS, &v, 0)?;
            self.preemptions.get_or_insert(Some(n));
        }
        if let Some(v) = get(LOOM_MAX_BRANCHES) {
            parse_loom_count(LOOM_MAX_BRANCHES, &v, 1)?;
        }
        if let Some(v) = get(LOOM_MAX_DURATION) {
            let secs = parse_loom_count(LOOM_MAX_DURATION, &v, 1)?;
            self.time_budget
                .get_or_insert(Duration::from_secs(secs as u64));
        }
        if let Some(v) = get(LOOM_MAX_PERMUTATIONS) {
            self.max_executions = Some(parse_loom_count(LOOM_MAX_PERMUTATIONS, &v, 1)?);
        }
        Ok(())
    }
}

/// Parses a `LOOM_*` count exactly as loom does (`str::parse`: no spaces,
/// no `_`), and at least `min`.
fn parse_loom_count(variable: &'static str, value: &str, min: usize) -> Result<usize, ConfigError> {
    match value.parse::<usize>() {
        Ok(n) if n >= min => Ok(n),
        _ => Err(invalid(
            variable,
            value,
            &if min == 0 {
                format!("a non-negative integer, e.g. {variable}=2")
            } else {
                format!("a positive integer, e.g. {variable}=2")
            },
        )),
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

/// Parses `random`, `pct`, `pct:<depth>`, `dfs`, `dpor` or `portfolio`.
pub(crate) fn parse_scheduler(value: &str) -> Result<SchedulerKind, ConfigError> {
    let expected = "one of random, pct, pct:<depth> (depth 1 or more), dfs, dpor, portfolio";
    let v = value.trim().to_ascii_lowercase();
    match v.as_str() {
        "random" => Ok(SchedulerKind::Random),
        "portfolio" => Ok(SchedulerKind::Portfolio),
        "dfs" => Ok(SchedulerKind::Dfs),
        "dpor" => Ok(SchedulerKind::Dpor),
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

/// Parses `K/N` with 1 ≤ K ≤ N.
pub(crate) fn parse_shard(value: &str) -> Result<(u64, u64), ConfigError> {
    let bad = || {
        invalid(
            WEFT_SHARD,
            value,
            "K/N with 1 <= K <= N, e.g. WEFT_SHARD=2/4 (shard 2 of 4)",
        )
    };
    let (k, n) = value.trim().split_once('/').ok_or_else(bad)?;
    let k: u64 = k.trim().parse().map_err(|_| bad())?;
    let n: u64 = n.trim().parse().map_err(|_| bad())?;
    if k == 0 || k > n {
        return Err(bad());
    }
    Ok((k, n))
}

/// The seed shard `k` of `n` explores in place of `seed`: the one in
/// `seed`'s block of `n` seeds that is ≡ `k − 1` (mod `n`).
pub(crate) fn shard_seed(seed: u64, (k, n): (u64, u64)) -> u64 {
    (seed - seed % n).wrapping_add(k - 1)
}

/// Checks every `WEFT_*` variable (and, for loom and shuttle runs, the
/// `LOOM_*` and `SHUTTLE_*` ones weft reads) as a run on `backend` would,
/// without running anything: what `cargo weft check` does before it
/// starts, so that a bad value is bad input, not a failed model.
///
/// # Errors
///
/// The first bad variable, named with its value and what it accepts.
///
/// # Examples
///
/// ```
/// use weft_check::{check_env, Backend};
///
/// assert!(check_env(Backend::Shuttle, |name| (name == "WEFT_SHARD").then(|| "3/2".to_string())).is_err());
/// assert!(check_env(Backend::Shuttle, |_| None).is_ok());
/// ```
pub fn check_env(
    backend: Backend,
    get: impl Fn(&str) -> Option<String>,
) -> Result<(), ConfigError> {
    EnvOverrides::from_lookup(backend, get).map(|_| ())
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
        on(Backend::Shuttle, pairs)
    }

    fn on(backend: Backend, pairs: &[(&str, &str)]) -> Result<EnvOverrides, ConfigError> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        EnvOverrides::from_lookup(backend, |name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        })
    }

    #[test]
    fn a_bad_weft_repair_is_refused_before_any_model_runs() {
        let e = on(Backend::Loom, &[(crate::repair::WEFT_REPAIR, "lots")]).unwrap_err();
        assert!(e.to_string().contains("WEFT_REPAIR=\"lots\""), "{e}");
        assert!(on(Backend::Loom, &[(crate::repair::WEFT_REPAIR, "off")]).is_ok());
        assert!(on(Backend::Loom, &[(crate::repair::WEFT_REPAIR, "8")]).is_ok());
    }

    #[test]
    fn shuttle_random_seed_is_the_seed_on_shuttle_and_refused_against_weft_seed() {
        let o = on(Backend::Shuttle, &[(SHUTTLE_RANDOM_SEED, "42")]).unwrap();
        assert_eq!(o.seed, Some(42));
        let o = on(
            Backend::Shuttle,
            &[(SHUTTLE_RANDOM_SEED, "42"), (WEFT_SEED, "42")],
        )
        .unwrap();
        assert_eq!(o.seed, Some(42));
        let e = on(
            Backend::Shuttle,
            &[(SHUTTLE_RANDOM_SEED, "42"), (WEFT_SEED, "7")],
        )
        .unwrap_err();
        assert!(e.to_string().contains("SHUTTLE_RANDOM_SEED"), "{e}");
        assert!(e.to_string().contains("WEFT_SEED=7"), "{e}");
        let e = on(Backend::Shuttle, &[(SHUTTLE_RANDOM_SEED, "soon")]).unwrap_err();
        assert!(e.to_string().contains("a u64 seed"), "{e}");
        // Elsewhere shuttle's variable means nothing.
        assert_eq!(
            on(Backend::Loom, &[(SHUTTLE_RANDOM_SEED, "42")])
                .unwrap()
                .seed,
            None
        );
    }

    #[test]
    fn loom_variables_apply_on_loom_under_the_weft_ones() {
        let o = on(
            Backend::Loom,
            &[
                (LOOM_MAX_PREEMPTIONS, "2"),
                (LOOM_MAX_DURATION, "30"),
                (LOOM_MAX_PERMUTATIONS, "1000"),
                (LOOM_MAX_BRANCHES, "5000"),
                ("LOOM_LOCATION", "1"),
            ],
        )
        .unwrap();
        assert_eq!(o.preemptions, Some(Some(2)));
        assert_eq!(o.time_budget, Some(Duration::from_secs(30)));
        assert_eq!(o.max_executions, Some(1000));
        // WEFT_* wins over LOOM_*.
        let o = on(
            Backend::Loom,
            &[
                (LOOM_MAX_PREEMPTIONS, "2"),
                (WEFT_PREEMPTIONS, "none"),
                (LOOM_MAX_DURATION, "30"),
                (WEFT_TIME_BUDGET, "500ms"),
            ],
        )
        .unwrap();
        assert_eq!(o.preemptions, Some(None));
        assert_eq!(o.time_budget, Some(Duration::from_millis(500)));
        // Other backends leave loom's variables to loom.
        let o = on(Backend::Shuttle, &[(LOOM_MAX_PREEMPTIONS, "2")]).unwrap();
        assert_eq!(o.preemptions, None);
    }

    #[test]
    fn each_bad_loom_value_is_refused_in_one_line() {
        let cases = [
            (LOOM_MAX_PREEMPTIONS, "two", "non-negative integer"),
            (LOOM_MAX_PREEMPTIONS, " 2", "non-negative integer"),
            (LOOM_MAX_PREEMPTIONS, "", "non-negative integer"),
            (LOOM_MAX_BRANCHES, "1_000", "positive integer"),
            (LOOM_MAX_BRANCHES, "0", "positive integer"),
            (LOOM_MAX_DURATION, "30s", "positive integer"),
            (LOOM_MAX_PERMUTATIONS, "-1", "positive integer"),
            (LOOM_CHECKPOINT_FILE, "loom.json", "WEFT_REPLAY"),
            (LOOM_CHECKPOINT_INTERVAL, "10", "WEFT_REPLAY"),
            (LOOM_LOG, "trace", "cargo weft show"),
        ];
        for (var, value, expected) in cases {
            let err = on(Backend::Loom, &[(var, value)]).unwrap_err().to_string();
            assert!(err.contains(&format!("{var}=\"{value}\"")), "{err}");
            assert!(err.contains(expected), "{err}");
            assert_eq!(err.lines().count(), 1, "one line: {err}");
        }
    }

    #[test]
    fn shards_of_one_seed_explore_distinct_seeds_each_in_its_residue_class() {
        for seed in [0, 7, 1_000_003, u64::MAX, u64::MAX - 2] {
            let seeds: Vec<u64> = (1..=4).map(|k| shard_seed(seed, (k, 4))).collect();
            for (k, s) in seeds.iter().enumerate() {
                assert_eq!(s.wrapping_sub(seed - seed % 4), k as u64, "{seed}");
            }
            let mut distinct = seeds.clone();
            distinct.dedup();
            assert_eq!(distinct.len(), 4, "{seeds:?}");
        }
        assert_eq!(shard_seed(13, (2, 4)), 13);
        assert_eq!(shard_seed(13, (1, 4)), 12);
        assert_eq!(shard_seed(13, (4, 4)), 15);
        assert_eq!(shard_seed(13, (1, 1)), 13);
        let o = env(&[(WEFT_SHARD, "2/4"), (WEFT_PROGRESS, "off")]).unwrap();
        assert_eq!(o.shard, Some((2, 4)));
        assert_eq!(o.progress, Some(None));
        let o = env(&[(WEFT_PROGRESS, "250ms")]).unwrap();
        assert_eq!(o.progress, Some(Some(Duration::from_millis(250))));
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
            (WEFT_WORKERS, "4"),
        ])
        .unwrap();
        assert_eq!(o.workers, Some(4));
        assert_eq!(
            env(&[(WEFT_SCHEDULER, "Portfolio")]).unwrap().scheduler,
            Some(SchedulerKind::Portfolio)
        );
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
            (WEFT_SHARD, "0/4", "1 <= K <= N"),
            (WEFT_SHARD, "5/4", "1 <= K <= N"),
            (WEFT_SHARD, "2", "1 <= K <= N"),
            (WEFT_SHARD, "a/b", "1 <= K <= N"),
            (WEFT_PROGRESS, "often", "or `off`"),
            (WEFT_WORKERS, "0", "positive integer"),
            (WEFT_WORKERS, "all", "positive integer"),
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
