//! The flip point and the "minimal / as found" toggle of `cargo weft html`
//! in a real headless browser (Debian's `chromium`): the toggle, the flip
//! point's sentence and its two steps highlighted in the minimal view; the
//! first failing schedule's steps with `#as-found`; a deadlock's blocked
//! lock marked at its thread's end. A screenshot of each view is saved
//! under `target/weft/`. Skips with a message when chromium is not
//! installed, unless `WEFT_REQUIRE_BROWSER=1` (as `ci/browser-test.sh`
//! sets).

mod support;

use std::path::Path;

use support::browser::{browse, find_browser, screenshot, without_scripts};
use support::{cargo_weft, fixture, run};

/// The step numbers of the boxes in `dom`, in document order per lane.
fn boxes_with(dom: &str, class: &str) -> Vec<usize> {
    let mut out = Vec::new();
    for part in dom.split("<div class=\"").skip(1) {
        let Some((classes, rest)) = part.split_once('"') else {
            continue;
        };
        if !classes.split(' ').any(|c| c == class) {
            continue;
        }
        if let Some(n) = rest
            .split_once("data-step=\"")
            .and_then(|(_, r)| r.split_once('"'))
            .and_then(|(n, _)| n.parse().ok())
        {
            out.push(n);
        }
    }
    out.sort_unstable();
    out
}

/// The text of step `n`'s box.
fn step_text(dom: &str, n: usize) -> Option<&str> {
    let at = dom.find(&format!("data-step=\"{n}\""))?;
    let rest = &dom[at..];
    let start = rest.find('>')? + 1;
    let end = rest[start..].find('<')? + start;
    Some(&rest[start..end])
}

#[test]
fn the_flip_point_and_the_view_toggle_render_in_a_headless_browser() {
    let Some(browser) = find_browser() else {
        if std::env::var_os("WEFT_REQUIRE_BROWSER").is_some() {
            panic!("WEFT_REQUIRE_BROWSER is set but no chromium was found on PATH");
        }
        eprintln!("SKIPPED the_flip_point_and_the_view_toggle_render_in_a_headless_browser: chromium is not installed (ci/browser-test.sh installs it)");
        return;
    };
    let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("weft");
    std::fs::create_dir_all(&out_dir).unwrap();
    let page = out_dir.join("flip_lost_update.html");
    let r = run(cargo_weft()
        .arg("html")
        .arg(fixture("flip_lost_update.json"))
        .arg("-o")
        .arg(&page));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let url = format!("file://{}", page.display());

    // The minimal view: the flip point in words, its two steps highlighted.
    let dom = without_scripts(&browse(&browser, &url, &["--dump-dom".to_string()]));
    assert!(dom.contains("data-weft-rendered=\"true\""), "the page ran");
    assert!(dom.contains("data-weft-view=\"minimal\""), "{dom}");
    assert!(
        dom.contains("had step 4 (`worker-1`: load `hits`) run after step 8 (`worker-0`: store `hits`), the model passes"),
        "the flip point is named"
    );
    assert_eq!(
        boxes_with(&dom, "flip"),
        vec![4, 8],
        "both steps highlighted"
    );
    assert_eq!(dom.matches("class=\"flip-tag\"").count(), 2);
    assert!(
        dom.contains("data-view=\"minimal\" aria-pressed=\"true\""),
        "{dom}"
    );
    assert!(
        dom.contains("data-view=\"as-found\" aria-pressed=\"false\""),
        "{dom}"
    );
    assert_eq!(dom.matches("data-step=\"").count(), 13);
    // worker-1's load is step 4 in the minimal schedule.
    assert_eq!(step_text(&dom, 4), Some("load(SeqCst) = 0 `hits`"));
    assert_eq!(step_text(&dom, 8), Some("store(SeqCst) 1 `hits`"));
    screenshot(&browser, &url, &out_dir.join("flip_minimal.png"));

    // The as-found view: the first failing schedule's steps, no flip point.
    let found_url = format!("{url}#as-found");
    let dom = without_scripts(&browse(&browser, &found_url, &["--dump-dom".to_string()]));
    assert!(dom.contains("data-weft-view=\"as-found\""), "{dom}");
    assert!(
        dom.contains("data-view=\"as-found\" aria-pressed=\"true\""),
        "{dom}"
    );
    assert!(
        dom.contains("the first failing schedule, as found: 4 preemptions, 13 steps"),
        "{dom}"
    );
    assert!(
        !dom.contains("flip point: "),
        "the flip point is the minimal schedule's"
    );
    assert_eq!(boxes_with(&dom, "flip"), Vec::<usize>::new());
    assert_eq!(dom.matches("data-step=\"").count(), 13);
    // As found, step 6 is worker-0's store (step 8 in the minimal one).
    assert_eq!(step_text(&dom, 6), Some("store(SeqCst) 1 `hits`"));
    assert_eq!(
        boxes_with(&dom, "failing"),
        vec![13],
        "the failure is marked"
    );
    screenshot(&browser, &found_url, &out_dir.join("flip_as_found.png"));

    // A deadlock: the flip point's second step is a blocked lock, marked
    // at its thread's end; the trace keeps no other schedule.
    let page = out_dir.join("flip_abba.html");
    let r = run(cargo_weft()
        .arg("html")
        .arg(fixture("flip_abba.json"))
        .arg("-o")
        .arg(&page));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let url = format!("file://{}", page.display());
    let dom = without_scripts(&browse(&browser, &url, &["--dump-dom".to_string()]));
    assert_eq!(boxes_with(&dom, "flip"), vec![4]);
    assert!(
        dom.contains("class=\"end failure flip\" data-end=\"1\""),
        "{dom}"
    );
    assert!(
        dom.contains("data-view=\"as-found\" aria-pressed=\"false\" disabled"),
        "{dom}"
    );
    screenshot(&browser, &url, &out_dir.join("flip_abba.png"));
}
