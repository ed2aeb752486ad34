//! Weak-memory failures (loom) in the CLI: `cargo weft show` prints the
//! stale read and the repair hint; the HTML page draws the stale-read
//! arrow and marks the newer store, checked in headless chromium like
//! tests/browser.rs (whose browser helpers this file repeats, to stay
//! independent of it), with a screenshot under `target/weft/`.

mod support;

use std::path::Path;

use support::browser::{browse, file_url, find_browser, screenshot};
use support::{cargo_weft, fixture, fixture_rel, run};
use weft_check::trace::read_trace;
use weft_check::trace::Trace;

fn show(name: &str) -> String {
    let r = run(cargo_weft().arg("show").arg(fixture_rel(name)));
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.stdout
}

#[test]
fn show_prints_the_stale_read_and_the_repair_hint() {
    let out = show("weak_message_passing.json");
    for line in [
        "A load read a stale value of `data` (weak memory):",
        "  the load     `main` load(Relaxed) = 0 at models/weak_memory.rs:26 (step 8)",
        "  read from    the initial value (created at models/weak_memory.rs:15)",
        "  newer store  `writer` store(Relaxed) 42 at models/weak_memory.rs:21 (step 2): newer in modification order, not seen by the load",
        "  make the store at models/weak_memory.rs:22 Release and the load at models/weak_memory.rs:25 Acquire",
    ] {
        assert!(out.contains(line), "{line:?} not in:\n{out}");
    }
    let out = show("weak_overwritten.json");
    assert!(
        out.contains("  read from    `writer` store(Relaxed) 1 at models/weak_memory.rs:255"),
        "{out}"
    );
}

#[test]
fn a_trace_without_a_stale_read_shows_no_weak_memory_section() {
    let out = show("lost_update.json");
    assert!(!out.contains("weak memory"), "{out}");
}

#[test]
fn the_weak_memory_field_round_trips() {
    for name in ["weak_message_passing.json", "weak_overwritten.json"] {
        let trace = read_trace(&fixture(name)).expect("the fixture reads");
        let weak = trace.weak_memory.as_ref().expect("the field is read");
        let again = Trace::from_failure(&trace.to_failure());
        assert_eq!(again.weak_memory.as_ref(), Some(weak), "{name}");
        assert!(weak
            .repair
            .as_ref()
            .is_some_and(|r| r.hint.contains("Release")));
    }
}

#[test]
fn the_page_draws_the_stale_read_arrow_and_marks_the_newer_store() {
    let Some(browser) = find_browser() else {
        if std::env::var_os("WEFT_REQUIRE_BROWSER").is_some() {
            panic!("WEFT_REQUIRE_BROWSER is set but no chromium was found on PATH");
        }
        eprintln!("SKIPPED the_page_draws_the_stale_read_arrow_and_marks_the_newer_store: chromium is not installed (ci/browser-test.sh installs it)");
        return;
    };
    let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("weft");
    std::fs::create_dir_all(&out_dir).unwrap();
    // (fixture, the stale load's step, the newer store's step, the arrow's label)
    for (name, load, newer, label) in [
        ("weak_message_passing", 8, 2, "reads the initial value"),
        ("weak_overwritten", 9, 3, "reads from step 2"),
    ] {
        let page = out_dir.join(format!("{name}.html"));
        let r = run(cargo_weft()
            .arg("html")
            .arg(fixture(&format!("{name}.json")))
            .arg("-o")
            .arg(&page));
        assert_eq!(r.code, 0, "{}", r.stderr);
        let dom = browse(&browser, &file_url(&page), &["--dump-dom".to_string()]);
        assert!(dom.contains("data-weak-memory=\"drawn\""), "{name}: drawn");
        assert_eq!(
            dom.matches("class=\"stale-arrow\"").count(),
            1,
            "{name}: one arrow"
        );
        assert_eq!(
            dom.matches("class=\"stale-newer-mark\"").count(),
            1,
            "{name}: the newer store is marked"
        );
        assert!(dom.contains(label), "{name}: {label}");
        let box_of = |step: usize, class: &str| {
            let at = dom
                .find(&format!("data-step=\"{step}\""))
                .unwrap_or_else(|| panic!("{name}: step {step} drawn"));
            let start = dom[..at].rfind("<div").unwrap();
            dom[start..at].contains(class)
        };
        assert!(
            box_of(load, "stale-load"),
            "{name}: step {load} is the stale load"
        );
        assert!(
            box_of(newer, "stale-newer"),
            "{name}: step {newer} is the newer store"
        );
        assert!(
            dom.contains("  make the store at models/weak_memory.rs:"),
            "{name}: the hint is on the page"
        );

        let shot = out_dir.join(format!("{name}.png"));
        screenshot(&browser, &file_url(&page), &shot);
    }
}
