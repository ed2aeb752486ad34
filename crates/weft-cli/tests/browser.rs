//! `cargo weft html` pages in a real headless browser (Debian's
//! `chromium`): after the page's script ran, the DOM has a lane per
//! thread, a box per step, the failure marker, and the deadlock cycle or
//! the race drawn; a screenshot of each page is saved under
//! `target/weft/`. Skips with a message when chromium is not installed,
//! unless `WEFT_REQUIRE_BROWSER=1` (as `ci/browser-test.sh` sets).

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::{cargo_weft, fixture, run};

fn find_browser() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("WEFT_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// Runs the browser headless on `page` with `extra` arguments, with a
/// fresh profile and no network, and returns its stdout.
fn browse(browser: &Path, page: &Path, extra: &[String]) -> String {
    let profile = tempdir("chromium-profile");
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the browser starts");
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut s).unwrap();
        s
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(
                status.success(),
                "the browser failed on {}: {status}",
                page.display()
            );
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the browser did not finish in 120s on {}", page.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = std::fs::remove_dir_all(&profile);
    reader.join().unwrap()
}

fn tempdir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("weft-cli")
        .join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The DOM without the text of its `<script>` elements, so that only
/// elements are counted, not the script's source.
fn without_scripts(dom: &str) -> String {
    let mut out = String::new();
    let mut rest = dom;
    while let Some(start) = rest.find("<script") {
        out.push_str(&rest[..start]);
        match rest[start..].find("</script>") {
            Some(end) => rest = &rest[start + end + "</script>".len()..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

struct Expect {
    fixture: &'static str,
    lanes: usize,
    steps: usize,
    cycle_arrows: usize,
    race_links: usize,
}

#[test]
fn timelines_render_in_a_headless_browser() {
    let Some(browser) = find_browser() else {
        if std::env::var_os("WEFT_REQUIRE_BROWSER").is_some() {
            panic!("WEFT_REQUIRE_BROWSER is set but no chromium was found on PATH");
        }
        eprintln!("SKIPPED timelines_render_in_a_headless_browser: chromium is not installed (ci/browser-test.sh installs it)");
        return;
    };
    let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("weft");
    std::fs::create_dir_all(&out_dir).unwrap();
    let cases = [
        Expect {
            fixture: "abba",
            lanes: 3,
            steps: 4,
            cycle_arrows: 2,
            race_links: 0,
        },
        Expect {
            fixture: "naive_philosophers",
            lanes: 4,
            steps: 6,
            cycle_arrows: 3,
            race_links: 0,
        },
        Expect {
            fixture: "cell_race",
            lanes: 2,
            steps: 3,
            cycle_arrows: 0,
            race_links: 1,
        },
        Expect {
            fixture: "lost_update",
            lanes: 3,
            steps: 11,
            cycle_arrows: 0,
            race_links: 0,
        },
        Expect {
            fixture: "potential_deadlock",
            lanes: 3,
            steps: 25,
            cycle_arrows: 0,
            race_links: 0,
        },
        Expect {
            fixture: "spin_forever",
            lanes: 2,
            steps: 501,
            cycle_arrows: 0,
            race_links: 0,
        },
    ];
    for case in cases {
        let page = out_dir.join(format!("{}.html", case.fixture));
        let r = run(cargo_weft()
            .arg("html")
            .arg(fixture(&format!("{}.json", case.fixture)))
            .arg("-o")
            .arg(&page));
        assert_eq!(r.code, 0, "{}", r.stderr);
        let html = std::fs::read_to_string(&page).unwrap();
        // Self-contained: nothing is loaded from anywhere (the SVG
        // namespace URI in the script is a name, not a load).
        for load in [
            "src=",
            "href=",
            "url(http",
            "url(//",
            "@import",
            "<link",
            "fetch(",
            "XMLHttpRequest",
        ] {
            assert!(
                !html.contains(load),
                "{}: the page loads something: {load}",
                case.fixture
            );
        }

        let dom = without_scripts(&browse(&browser, &page, &["--dump-dom".to_string()]));
        let name = case.fixture;
        assert!(
            dom.contains("data-weft-rendered=\"true\""),
            "{name}: the script ran: {}",
            &dom[..dom.len().min(2000)]
        );
        assert_eq!(
            dom.matches("class=\"lane\"").count(),
            case.lanes,
            "{name}: one lane per thread"
        );
        assert_eq!(
            dom.matches("data-step=\"").count(),
            case.steps,
            "{name}: one box per step"
        );
        assert_eq!(
            dom.matches("data-end=\"").count(),
            case.lanes,
            "{name}: each lane ends"
        );
        assert_eq!(
            dom.matches("id=\"failure-marker\"").count(),
            1,
            "{name}: the failure is marked"
        );
        assert_eq!(
            dom.matches("class=\"cycle-arrow\"").count(),
            case.cycle_arrows,
            "{name}: the cycle is drawn"
        );
        assert_eq!(
            dom.matches("class=\"race-link\"").count(),
            case.race_links,
            "{name}: the race is drawn"
        );
        assert!(
            dom.contains("id=\"details\""),
            "{name}: the details panel is there"
        );
        if name == "potential_deadlock" {
            // The lock-order graph, its cycle drawn: one edge per order,
            // the one that closed the cycle marked, each lock a node.
            assert!(dom.contains("id=\"lock-order\""), "{name}: the graph");
            assert_eq!(dom.matches("class=\"lock-edge\"").count(), 1, "{name}");
            assert_eq!(
                dom.matches("class=\"lock-edge closing\"").count(),
                1,
                "{name}: the closing edge"
            );
            assert_eq!(dom.matches("class=\"lock-node\"").count(), 2, "{name}");
            assert!(
                dom.contains("`audit` at models/lockdep.rs:53  (closes the cycle)"),
                "{name}: the closing edge's label"
            );
        } else {
            assert!(!dom.contains("id=\"lock-order\""), "{name}: no graph");
        }
        if name == "lost_update" {
            // One word per kind: the report's header and `cargo weft
            // check`'s table say `panic`, and so does the badge.
            assert!(
                dom.contains("<span class=\"badge\">panic</span>"),
                "{name}: the badge says panic"
            );
            // How it was found; a loom trace never says "random scheduler".
            assert!(
                dom.contains("found in execution 1 (loom's DPOR search)"),
                "{name}: how it was found"
            );
            assert!(!dom.contains("random scheduler"), "{name}");
        }

        let shot = out_dir.join(format!("{name}.png"));
        let _ = std::fs::remove_file(&shot);
        browse(
            &browser,
            &page,
            &[
                format!("--screenshot={}", shot.display()),
                "--window-size=1400,900".to_string(),
            ],
        );
        let size = std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0);
        assert!(
            size > 10_000,
            "{name}: a screenshot was saved at {} ({size} bytes)",
            shot.display()
        );
        eprintln!("{name}: {} and {}", page.display(), shot.display());
    }
}
