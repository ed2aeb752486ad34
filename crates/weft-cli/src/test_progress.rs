//! What `cargo weft check` shows on stderr while a backend's tests run:
//! on a terminal, a progress bar per backend (`indicatif`); on a pipe (a CI
//! log), one nextest-style line per finished test. Either way, a test that
//! runs past `--slow-timeout` (60 s by default) gets a notice then and at
//! every further multiple of it: `SLOW [> 60s] shuttle models::big`.

use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::results::Outcome;

/// The tests running now: their names, when each started, and how many
/// slow notices each got.
type Running = Arc<Mutex<Vec<(usize, String, Instant, u32)>>>;

/// One backend's display.
#[derive(Debug)]
pub(crate) struct TestProgress {
    backend: String,
    bar: Option<ProgressBar>,
    quiet: bool,
    running: Running,
    stop: Arc<(Mutex<bool>, std::sync::Condvar)>,
    ticker: Option<std::thread::JoinHandle<()>>,
}

impl TestProgress {
    /// The display of `total` tests of `backend`: a bar when stderr is a
    /// terminal, nothing when `quiet`.
    pub(crate) fn new(
        label: &str,
        backend: &str,
        total: usize,
        quiet: bool,
        slow: Duration,
    ) -> TestProgress {
        let terminal =
            std::io::stderr().is_terminal() && std::env::var_os("TERM").is_none_or(|t| t != "dumb");
        let bar = (terminal && !quiet).then(|| {
            let bar = ProgressBar::with_draw_target(
                Some(total as u64),
                ProgressDrawTarget::stderr_with_hz(10),
            );
            bar.set_style(
                ProgressStyle::with_template(
                    "{prefix} [{elapsed_precise}] {bar:30.cyan/blue} {pos}/{len} {wide_msg}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            bar.set_prefix(label.to_string());
            bar
        });
        let running: Running = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new((Mutex::new(false), std::sync::Condvar::new()));
        let ticker = (!quiet).then(|| {
            let (running, stop, bar, backend) = (
                running.clone(),
                stop.clone(),
                bar.clone(),
                backend.to_string(),
            );
            std::thread::spawn(move || tick(&running, &stop, bar.as_ref(), &backend, slow))
        });
        TestProgress {
            backend: backend.to_string(),
            bar,
            quiet,
            running,
            stop,
            ticker,
        }
    }

    /// Test `index` (`name`) started.
    pub(crate) fn started(&self, index: usize, name: &str) {
        if let Ok(mut r) = self.running.lock() {
            r.push((index, name.to_string(), Instant::now(), 0));
        }
    }

    /// Test `index` finished with `outcome` after `elapsed`.
    pub(crate) fn finished(&self, index: usize, name: &str, outcome: &Outcome, elapsed: Duration) {
        if let Ok(mut r) = self.running.lock() {
            r.retain(|(i, ..)| *i != index);
        }
        if self.quiet {
            return;
        }
        let word = match outcome {
            Outcome::Verified { .. } => "PASS",
            Outcome::Caught { .. } => "CAUGHT",
            Outcome::Failed { .. } => "FAIL",
            Outcome::Skipped { .. } => "SKIP",
        };
        match &self.bar {
            Some(bar) => {
                if matches!(outcome, Outcome::Failed { .. }) {
                    bar.println(line(word, elapsed, &self.backend, name));
                }
                bar.set_message(name.to_string());
                bar.inc(1);
            }
            None => {
                let _ = writeln!(
                    std::io::stderr().lock(),
                    "{}",
                    line(word, elapsed, &self.backend, name)
                );
            }
        }
    }
}

impl Drop for TestProgress {
    fn drop(&mut self) {
        let (lock, cvar) = &*self.stop;
        if let Ok(mut stop) = lock.lock() {
            *stop = true;
        }
        cvar.notify_all();
        if let Some(t) = self.ticker.take() {
            let _ = t.join();
        }
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// `        PASS [   1.234s] shuttle models::counter`, as nextest prints it.
fn line(word: &str, elapsed: Duration, backend: &str, name: &str) -> String {
    format!(
        "{word:>12} [{:>8.3}s] {backend} {name}",
        elapsed.as_secs_f64()
    )
}

/// `        SLOW [> 1m] shuttle models::big`.
fn slow_line(after: Duration, backend: &str, name: &str) -> String {
    format!(
        "{:>12} [> {}] {backend} {name}",
        "SLOW",
        humantime::format_duration(Duration::from_millis(
            u64::try_from(after.as_millis()).unwrap_or(u64::MAX)
        ))
    )
}

/// Until stopped, every 100 ms: a notice for each running test that passed
/// one more multiple of `slow` since it started.
fn tick(
    running: &Running,
    stop: &(Mutex<bool>, std::sync::Condvar),
    bar: Option<&ProgressBar>,
    backend: &str,
    slow: Duration,
) {
    let (lock, cvar) = stop;
    let Ok(mut stopped) = lock.lock() else { return };
    while !*stopped {
        let notices: Vec<String> = match running.lock() {
            Ok(mut r) => r
                .iter_mut()
                .filter_map(|(_, name, start, told)| {
                    let next = slow * (*told + 1);
                    (start.elapsed() >= next).then(|| {
                        *told += 1;
                        slow_line(next, backend, name)
                    })
                })
                .collect(),
            Err(_) => return,
        };
        for n in notices {
            match bar {
                Some(bar) => bar.println(n),
                None => {
                    let _ = writeln!(std::io::stderr().lock(), "{n}");
                }
            }
        }
        stopped = match cvar.wait_timeout(stopped, Duration::from_millis(100)) {
            Ok((s, _)) => s,
            Err(_) => return,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_shaped_as_nextest_prints_them() {
        assert_eq!(
            line("PASS", Duration::from_millis(1234), "shuttle", "m::t"),
            "        PASS [   1.234s] shuttle m::t"
        );
        assert_eq!(
            slow_line(Duration::from_secs(60), "loom", "m::big"),
            "        SLOW [> 1m] loom m::big"
        );
    }
}
