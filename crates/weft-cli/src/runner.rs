//! Running one `cargo test` command and reading its output as it comes.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::errors::ExpectedError;
use crate::libtest::{Event, Parsed, Parser};

/// A command to run, and how to show it to a person.
#[derive(Clone, Debug)]
pub(crate) struct Invocation {
    /// The program (`cargo`, or `rustup` for a nightly backend).
    pub(crate) program: PathBuf,
    /// Its arguments.
    pub(crate) args: Vec<String>,
    /// Variables to set.
    pub(crate) env: Vec<(String, String)>,
    /// Variables to remove.
    pub(crate) env_remove: Vec<String>,
    /// The directory to run it in.
    pub(crate) cwd: PathBuf,
}

impl Invocation {
    /// The command as a person would type it: `VAR=value cargo test ...`.
    pub(crate) fn display(&self) -> String {
        let mut parts: Vec<String> = self
            .env
            .iter()
            .map(|(k, v)| format!("{k}={}", quote(v)))
            .collect();
        let program = self.program.file_name().map_or_else(
            || self.program.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        parts.push(program);
        parts.extend(self.args.iter().map(|a| quote(a)));
        parts.join(" ")
    }
}

/// Quotes a word for a POSIX shell when it needs it.
pub(crate) fn quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// What one command printed and how it ended.
#[derive(Debug)]
pub(crate) struct RunOutput {
    /// The libtest output read from stdout.
    pub(crate) parsed: Parsed,
    /// The exit status.
    pub(crate) status: ExitStatus,
    /// Everything on stderr (cargo's messages, panics outside tests,
    /// sanitizer reports).
    pub(crate) stderr: String,
    /// The last 400 lines of stdout that were not libtest's (a custom harness,
    /// a crash message).
    pub(crate) stdout_tail: Vec<String>,
    /// Time until the first test binary started (the build), if one did.
    pub(crate) build_time: Option<Duration>,
    /// Total wall time.
    pub(crate) elapsed: Duration,
}

/// A progress event while a command runs.
#[derive(Debug)]
pub(crate) enum Progress<'a> {
    /// cargo is building a crate.
    Building(&'a str),
    /// A test binary started with this many tests.
    Running(usize),
    /// A test finished (its name).
    Finished(&'a str),
}

enum Line {
    Out(String),
    Err(String),
}

/// Runs `inv`, feeding each stdout line to a libtest parser and reporting
/// progress as it goes.
///
/// # Errors
///
/// [`ExpectedError::Spawn`] when the program cannot start.
pub(crate) fn run(
    inv: &Invocation,
    mut on_progress: impl FnMut(Progress<'_>),
) -> Result<RunOutput, ExpectedError> {
    let start = Instant::now();
    let mut cmd = Command::new(&inv.program);
    cmd.args(&inv.args)
        .current_dir(&inv.cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for k in &inv.env_remove {
        cmd.env_remove(k);
    }
    for (k, v) in &inv.env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().map_err(|source| ExpectedError::Spawn {
        program: inv.program.display().to_string(),
        source,
    })?;
    let (tx, rx) = mpsc::channel::<Line>();
    let readers = [
        child
            .stdout
            .take()
            .map(|s| spawn_reader(s, tx.clone(), Line::Out)),
        child
            .stderr
            .take()
            .map(|s| spawn_reader(s, tx.clone(), Line::Err)),
    ];
    drop(tx);

    let mut parser = Parser::new();
    let mut stderr = String::new();
    let mut stdout_tail: Vec<String> = Vec::new();
    let mut build_time = None;
    for line in rx {
        match line {
            Line::Out(text) => match parser.line(&text) {
                Event::Running(n) => {
                    build_time.get_or_insert_with(|| start.elapsed());
                    on_progress(Progress::Running(n));
                }
                Event::Finished(t) => on_progress(Progress::Finished(&t.name)),
                Event::Other => {
                    if stdout_tail.len() == 400 {
                        stdout_tail.remove(0);
                    }
                    stdout_tail.push(text);
                }
            },
            Line::Err(text) => {
                let trimmed = text.trim_start();
                if let Some(what) = trimmed.strip_prefix("Compiling ") {
                    let krate = what.split(' ').next().unwrap_or(what);
                    on_progress(Progress::Building(krate));
                } else if trimmed.starts_with("Running ") {
                    build_time.get_or_insert_with(|| start.elapsed());
                }
                stderr.push_str(&text);
                stderr.push('\n');
            }
        }
    }
    for reader in readers.into_iter().flatten() {
        // A reader thread only reads a pipe and sends lines; it cannot panic.
        let _ = reader.join();
    }
    let status = child.wait().map_err(|source| ExpectedError::Spawn {
        program: inv.program.display().to_string(),
        source,
    })?;
    Ok(RunOutput {
        parsed: parser.finish(),
        status,
        stderr,
        stdout_tail,
        build_time,
        elapsed: start.elapsed(),
    })
}

fn spawn_reader<R: Read + Send + 'static>(
    stream: R,
    tx: mpsc::Sender<Line>,
    wrap: fn(String) -> Line,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stream);
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match reader.read_until(b'\n', &mut buf) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    if buf.last() == Some(&b'\n') {
                        buf.pop();
                    }
                    let text = String::from_utf8_lossy(&buf).into_owned();
                    if tx.send(wrap(text)).is_err() {
                        break;
                    }
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_quoted_only_when_a_shell_needs_it() {
        assert_eq!(quote("--features"), "--features");
        assert_eq!(quote("a b"), "'a b'");
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote(""), "''");
    }
}
