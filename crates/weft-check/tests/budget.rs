//! `WEFT_BUDGET`: a model's search capped at a time budget that keeps the
//! default search, and the stats line saying what the budget gave up.
#![cfg(any(feature = "loom", feature = "shuttle"))]

use std::process::Command;
use std::time::{Duration, Instant};

use weft_check::{Model, WEFT_BUDGET, WEFT_PROGRESS};
use weft_sync::sync::atomic::{AtomicUsize, Ordering};
use weft_sync::sync::Arc;
use weft_sync::thread;

/// Three threads storing and loading one atomic four times each: far more
/// interleavings than any search runs in half a second, DPOR's included.
fn big() {
    let n = Arc::new(AtomicUsize::new(0).named("n"));
    let hs: Vec<_> = (0..3)
        .map(|i| {
            let n = Arc::clone(&n);
            thread::spawn(move || {
                for _ in 0..4 {
                    let v = n.load(Ordering::SeqCst);
                    n.store(v + i, Ordering::SeqCst);
                }
            })
        })
        .collect();
    for h in hs {
        h.join().unwrap();
    }
}

/// Run by the test below in a process of its own.
#[test]
fn big_model_child() {
    if std::env::var_os("WEFT_BUDGET_CHILD").is_none() {
        return;
    }
    Model::new().name("big").check(big);
}

#[test]
fn a_budget_stops_the_default_search_and_the_line_says_what_was_given_up() {
    let start = Instant::now();
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "big_model_child",
            "--test-threads=1",
            "--nocapture",
        ])
        .env("WEFT_BUDGET_CHILD", "1")
        .env(WEFT_BUDGET, "600ms")
        .env(WEFT_PROGRESS, "off")
        .output()
        .unwrap();
    let elapsed = start.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    let line = stdout
        .lines()
        .find_map(|l| l.find("weft: model `big` verified").map(|i| &l[i..]))
        .unwrap_or_else(|| panic!("no stats line in {stdout}"));
    assert!(line.contains("time budget"), "{line}");
    // Random schedules estimate the tree (shuttle); loom's search does not.
    if line.contains(" on shuttle ") {
        assert!(line.contains(", stopped at "), "{line}");
        assert!(line.contains("% of the estimated tree (~"), "{line}");
    } else {
        assert!(line.contains(", stopped after "), "{line}");
        assert!(line.contains(" executions by the time budget"), "{line}");
    }
    // The process's start and the 600 ms budget, with room for a loaded
    // machine; the model's search alone would run for far longer.
    assert!(elapsed < Duration::from_secs(20), "{elapsed:?}");
}

/// A time budget spent before the search began still runs one execution,
/// and says it stopped: a search of none passed having checked nothing
/// ("verified on shuttle: 0 executions").
#[test]
fn a_spent_time_budget_still_runs_one_execution() {
    let stats = Model::new()
        .name("no_time")
        .time_budget(Duration::ZERO)
        .explore(big)
        .unwrap_or_else(|f| panic!("{f}"));
    assert!(stats.executions() >= 1, "{stats}");
    assert!(!stats.is_exhaustive(), "{stats}");
    assert!(
        stats.bounds().contains(&weft_check::Bound::TimeBudget),
        "{stats}"
    );
}
