//! `cargo weft html <trace>`: one self-contained HTML page (inline CSS and
//! JavaScript, no network) with a timeline of the trace.

use std::path::PathBuf;

use weft_check::trace::read_trace;

use crate::app::{write_stdout, HtmlArgs};
use crate::errors::ExpectedError;
use crate::exit_code::WeftExitCode;
use crate::table::shown_path;
use crate::timeline::Timeline;

const CSS: &str = include_str!("../html/page.css");
const JS: &str = include_str!("../html/page.js");
const WEAK_MEMORY_CSS: &str = include_str!("../html/weak_memory.css");
/// The stale-read arrow of weak-memory failures, drawn over page.js's timeline.
const WEAK_MEMORY_JS: &str = include_str!("../html/weak_memory.js");
/// The flip point and the "minimal / as found" toggle: runs before `JS`.
const FLIP_CSS: &str = include_str!("../html/flip.css");
const FLIP_JS: &str = include_str!("../html/flip.js");
/// The lock-order graph of a potential deadlock, drawn after the page.
const LOCKDEP: (&str, &str) = (
    include_str!("../html/lockdep.css"),
    include_str!("../html/lockdep.js"),
);

/// Runs `cargo weft html`: writes the page and prints its path.
///
/// # Errors
///
/// An unreadable or corrupt trace, or a page that cannot be written.
pub(crate) fn run(args: &HtmlArgs) -> Result<i32, ExpectedError> {
    let trace = read_trace(&args.trace)?;
    let timeline = Timeline::new(&trace);
    let page = render(&timeline);
    let path = args
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from(&args.trace).with_extension("html"));
    std::fs::write(&path, page).map_err(|source| ExpectedError::WriteFile {
        path: path.clone(),
        source,
    })?;
    write_stdout(&format!("{}\n", shown_path(&path)))?;
    Ok(WeftExitCode::OK)
}

/// The page for `timeline`.
pub(crate) fn render(timeline: &Timeline) -> String {
    let data = serde_json::to_string(timeline).expect("the timeline is plain data and serialises");
    let title = format!("weft trace: {} ({})", timeline.model, timeline.headline);
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"cargo weft html {version}\">\n\
         <title>{title}</title>\n<style>\n{CSS}{WEAK_MEMORY_CSS}{FLIP_CSS}{lockdep_css}</style>\n</head>\n<body>\n\
         <noscript><p>This page draws the trace with JavaScript; the trace itself is in the \
         <code>weft-trace</code> script element of its source.</p></noscript>\n\
         <div id=\"app\"></div>\n\
         <script type=\"application/json\" id=\"weft-trace\">{data}</script>\n\
         <script>\n{FLIP_JS}</script>\n<script>\n{JS}</script>\n<script>\n{WEAK_MEMORY_JS}</script>\n<script>\n{lockdep_js}</script>\n</body>\n</html>\n",
        version = env!("CARGO_PKG_VERSION"),
        title = escape_html(&title),
        data = escape_script(&data),
        lockdep_css = LOCKDEP.0,
        lockdep_js = LOCKDEP.1,
    )
}

/// Escapes text for HTML element content.
fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Makes JSON safe inside a `<script>` element: no `</script>` or `<!--`
/// can end or confuse it (JSON allows `\/` and `\u003c` for the same text).
fn escape_script(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_data_cannot_close_its_element() {
        let escaped = escape_script(r#"{"m":"</script><!-- & x"}"#);
        assert!(!escaped.contains("</script>"));
        assert!(!escaped.contains("<!--"));
        let back: serde_json::Value = serde_json::from_str(&escaped).unwrap();
        assert_eq!(back["m"], "</script><!-- & x");
    }
}
