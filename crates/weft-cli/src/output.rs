//! Where output goes and how it looks: colour when a terminal takes it, a
//! progress line on stderr, and `warning:` lines.

use std::io::{self, IsTerminal, Write};

use anstyle::{AnsiColor, Style};
use std::time::{Duration, Instant};

/// When to colour output: `--color auto|always|never`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour when the stream is a terminal and `NO_COLOR` is not set.
    #[default]
    Auto,
    /// Always colour (not JSON, which is never coloured).
    Always,
    /// Never colour.
    Never,
}

impl ColorChoice {
    fn enabled(self, is_terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                anstyle_query::clicolor_force() || (is_terminal && auto_allows_color())
            }
        }
    }
}

/// Whether the environment allows colour on a terminal, read as
/// anstream reads it (`anstyle-query`): `NO_COLOR` set and not empty
/// (<https://no-color.org>), `CLICOLOR=0` and `TERM=dumb` turn it off.
fn auto_allows_color() -> bool {
    !anstyle_query::no_color()
        && anstyle_query::clicolor() != Some(false)
        && anstyle_query::term_supports_color()
}

fn dumb_terminal() -> bool {
    std::env::var_os("TERM").is_some_and(|t| t == "dumb")
}

/// ANSI styles, or none: every method returns its text unchanged when
/// colour is off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Palette {
    enabled: bool,
}

impl Palette {
    /// A palette that never colours.
    #[cfg(test)]
    pub(crate) const PLAIN: Palette = Palette { enabled: false };

    /// The palette for stdout under `choice`.
    pub(crate) fn for_stdout(choice: ColorChoice) -> Palette {
        Palette {
            enabled: choice.enabled(io::stdout().is_terminal()),
        }
    }

    /// The palette for stderr under `choice`.
    pub(crate) fn for_stderr(choice: ColorChoice) -> Palette {
        Palette {
            enabled: choice.enabled(io::stderr().is_terminal()),
        }
    }

    fn paint(self, style: Style, text: &str) -> String {
        if self.enabled {
            format!("{style}{text}{style:#}")
        } else {
            text.to_string()
        }
    }

    /// Bold red: `error:`, failures.
    pub(crate) fn error(self, text: &str) -> String {
        self.paint(fg(AnsiColor::Red).bold(), text)
    }

    /// Bold yellow: `warning:`.
    pub(crate) fn warning(self, text: &str) -> String {
        self.paint(fg(AnsiColor::Yellow).bold(), text)
    }

    /// Green: verified.
    pub(crate) fn good(self, text: &str) -> String {
        self.paint(fg(AnsiColor::Green), text)
    }

    /// Cyan: an expected failure caught.
    pub(crate) fn caught(self, text: &str) -> String {
        self.paint(fg(AnsiColor::Cyan), text)
    }

    /// Dim: what matters less (skipped, not run, locations).
    pub(crate) fn dim(self, text: &str) -> String {
        self.paint(Style::new().dimmed(), text)
    }

    /// Bold.
    pub(crate) fn bold(self, text: &str) -> String {
        self.paint(Style::new().bold(), text)
    }

    /// White on red: the failing step.
    pub(crate) fn highlight(self, text: &str) -> String {
        self.paint(
            fg(AnsiColor::BrightWhite)
                .bg_color(Some(AnsiColor::Red.into()))
                .bold(),
            text,
        )
    }

    /// Yellow: steps related to the failure (the other access of a race,
    /// where a lock of the cycle was taken).
    pub(crate) fn related(self, text: &str) -> String {
        self.paint(fg(AnsiColor::Yellow), text)
    }
}

/// A style with a foreground colour.
fn fg(color: AnsiColor) -> Style {
    Style::new().fg_color(Some(color.into()))
}

/// Prints `warning: <message>` on stderr.
pub(crate) fn warn(message: &str) {
    let palette = Palette::for_stderr(ColorChoice::Auto);
    // Nothing more can be done if stderr is closed.
    let _ = writeln!(
        io::stderr().lock(),
        "{} {message}",
        palette.warning("warning:")
    );
}

/// The progress line on stderr while `cargo weft check` runs: redrawn in
/// place on a terminal, and on a pipe (a CI log) one line per phase.
#[derive(Debug)]
pub(crate) struct Progress {
    terminal: bool,
    quiet: bool,
    last_draw: Option<Instant>,
    drawn: bool,
}

impl Progress {
    /// A progress line on stderr; `quiet` prints nothing.
    pub(crate) fn new(quiet: bool) -> Progress {
        Progress {
            terminal: io::stderr().is_terminal() && !dumb_terminal(),
            quiet,
            last_draw: None,
            drawn: false,
        }
    }

    /// Redraws the line (a terminal only; at most 20 times a second).
    pub(crate) fn update(&mut self, line: &str) {
        if self.quiet || !self.terminal {
            return;
        }
        let now = Instant::now();
        if self
            .last_draw
            .is_some_and(|t| now.duration_since(t) < Duration::from_millis(50))
        {
            return;
        }
        self.last_draw = Some(now);
        let width = terminal_width().saturating_sub(1).max(20);
        let shown: String = line.chars().take(width).collect();
        let _ = write!(io::stderr().lock(), "\r\x1b[2K{shown}");
        self.drawn = true;
    }

    /// Prints a phase line: on a terminal it replaces the progress line, on
    /// a pipe it is one more line of the log.
    pub(crate) fn phase(&mut self, line: &str) {
        if self.quiet {
            return;
        }
        self.clear();
        let _ = writeln!(io::stderr().lock(), "{line}");
    }

    /// Erases the progress line, if one is drawn.
    pub(crate) fn clear(&mut self) {
        if self.drawn {
            let _ = write!(io::stderr().lock(), "\r\x1b[2K");
            self.drawn = false;
            self.last_draw = None;
        }
    }
}

/// The terminal's width from `COLUMNS`, else 100.
pub(crate) fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&c| c >= 20)
        .unwrap_or(100)
}

/// The display width of `text` once ANSI escapes are removed (one column
/// per `char`: the tables hold ASCII and a few box-drawing characters).
pub(crate) fn visible_width(text: &str) -> usize {
    let mut width = 0;
    let mut in_escape = false;
    for c in text.chars() {
        if in_escape {
            if c == 'm' {
                in_escape = false;
            }
        } else if c == '\x1b' {
            in_escape = true;
        } else {
            width += 1;
        }
    }
    width
}

/// `text` cut to `width` columns, with `…` when cut.
pub(crate) fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut out: String = text.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// `text` padded with spaces to `width` visible columns.
pub(crate) fn pad(text: &str, width: usize) -> String {
    let visible = visible_width(text);
    let mut out = text.to_string();
    for _ in visible..width {
        out.push(' ');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_palette_leaves_text_alone() {
        assert_eq!(Palette::PLAIN.error("x"), "x");
        let on = Palette { enabled: true };
        assert_eq!(on.error("x"), "\x1b[1m\x1b[31mx\x1b[0m");
        assert_eq!(visible_width(&on.error("abc")), 3);
    }

    #[test]
    fn pad_and_truncate_count_visible_columns() {
        let on = Palette { enabled: true };
        assert_eq!(visible_width(&pad(&on.good("ok"), 5)), 5);
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
    }

    #[test]
    fn never_and_always_ignore_the_terminal() {
        assert!(!ColorChoice::Never.enabled(true));
        assert!(ColorChoice::Always.enabled(false));
        assert!(!ColorChoice::Auto.enabled(false));
    }
}
