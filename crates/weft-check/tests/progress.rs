//! A long exploration prints `weft: model `x` progress: N executions` on
//! stderr every `WEFT_PROGRESS`, past libtest's capture (what `cargo weft
//! check` reads when it kills a test at its timeout), and nothing with
//! `WEFT_PROGRESS=off`.

use std::process::Command;
use std::time::Duration;

use weft_check::{Model, WEFT_PROGRESS};

/// Run by the test below in a process of its own: 80 executions of 10 ms,
/// on two workers where they apply (shuttle: 400 ms; std: 800 ms), with
/// one progress count over both workers.
#[test]
fn slow_model_child() {
    if std::env::var_os("WEFT_PROGRESS_CHILD").is_none() {
        return;
    }
    Model::new()
        .name("slow")
        .iterations(80)
        .workers(2)
        .check(|| std::thread::sleep(Duration::from_millis(10)));
}

fn child(progress: &str) -> String {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "slow_model_child", "--test-threads=1"])
        .env("WEFT_PROGRESS_CHILD", "1")
        .env(WEFT_PROGRESS, progress)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stderr).unwrap()
}

#[test]
#[cfg_attr(
    feature = "loom",
    ignore = "loom explores a model with no concurrency once: there are no 80 executions to report"
)]
fn a_long_exploration_prints_progress_lines_on_stderr() {
    let stderr = child("100ms");
    let counts: Vec<u64> = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("weft: model `slow` progress: "))
        .map(|rest| {
            let (n, rest) = rest.split_once(" executions, ").unwrap();
            // The rate, then the bound in force.
            assert!(rest.contains("/s, up to 80 executions"), "{rest}");
            n.parse().unwrap()
        })
        .collect();
    // 400 ms of executions (more on a loaded machine): at least two lines,
    // each counting more executions than the last.
    assert!(counts.len() >= 2, "{stderr}");
    assert!(counts.windows(2).all(|w| w[0] < w[1]), "{counts:?}");
    assert!(counts.iter().all(|&n| (1..80).contains(&n)), "{counts:?}");
    assert!(!child("off").contains("progress:"));
}

/// Run by the test below in a process of its own: the default search on
/// shuttle (DPOR first) of 24 traces of 20 ms each, on one worker.
#[cfg(feature = "shuttle")]
#[test]
fn slow_default_search_child() {
    if std::env::var_os("WEFT_PROGRESS_CHILD").is_none() {
        return;
    }
    Model::new().name("slow_default").workers(1).check(|| {
        use weft_sync::sync::atomic::{AtomicUsize, Ordering::SeqCst};
        use weft_sync::sync::Arc;
        std::thread::sleep(Duration::from_millis(20));
        let n = Arc::new(AtomicUsize::new(0));
        let hs: Vec<_> = (0..4)
            .map(|_| {
                let n = n.clone();
                weft_sync::thread::spawn(move || {
                    n.fetch_add(1, SeqCst);
                })
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
    });
}

#[cfg(feature = "shuttle")]
#[test]
fn the_default_search_names_its_dpor_limit_in_its_progress_lines() {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "slow_default_search_child", "--test-threads=1"])
        .env("WEFT_PROGRESS_CHILD", "1")
        .env(WEFT_PROGRESS, "100ms")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("weft: model `slow_default` progress: "))
        .collect();
    assert!(!lines.is_empty(), "{stderr}");
    for line in lines {
        assert!(
            line.ends_with(&format!(
                "/s, the default search: DPOR up to {} executions, then random schedules",
                weft_sync::explore::DPOR_DEFAULT_EXECUTIONS
            )),
            "{line}"
        );
    }
}
