//! `cargo weft html` pages in a real headless browser (Debian's
//! `chromium`): after the page's script ran, the DOM has a lane per
//! thread, a box per step, the failure marker, and the deadlock cycle or
//! the race drawn; a screenshot of each page is saved under
//! `target/weft/`. Skips with a message when chromium is not installed,
//! unless `WEFT_REQUIRE_BROWSER=1` (as `ci/browser-test.sh` sets).

mod support;

use std::path::Path;

use support::browser::{browse, file_url, find_browser, screenshot, without_scripts};
use support::{cargo_weft, fixture, run};

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

        let dom = without_scripts(&browse(
            &browser,
            &file_url(&page),
            &["--dump-dom".to_string()],
        ));
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
        screenshot(&browser, &file_url(&page), &shot);
    }
}
