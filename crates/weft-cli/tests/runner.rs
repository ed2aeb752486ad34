//! `cargo weft check` runs each test in a process of its own: a hang is
//! killed at `--timeout` with its process group, a crash names its signal
//! and the test's own last words, `--retries` marks flaky tests, and
//! `--partition`, `--shard`, `--json FILE` and `cargo weft merge` split a
//! suite among CI jobs and join it again. On the fake suite's `process`
//! target (tests that end badly on request).

mod support;

use std::path::Path;
use std::process::Command;

use support::{cargo_weft, run};

fn weft(suite: &Path) -> Command {
    let mut cmd = cargo_weft();
    cmd.arg("check")
        .arg("--manifest-path")
        .arg(suite.join("Cargo.toml"))
        .current_dir(suite);
    cmd
}

/// `cargo weft check --backend std --test process ARGS`.
fn process(suite: &Path, args: &[&str]) -> Command {
    let mut cmd = weft(suite);
    cmd.args(["--backend", "std", "--test", "process"])
        .args(args);
    cmd
}

/// The cells of the table's row for `test`.
fn row(table: &str, test: &str) -> Vec<String> {
    let line = table
        .lines()
        .find(|l| l.split("  ").next() == Some(test))
        .unwrap_or_else(|| panic!("no row for {test} in\n{table}"));
    line.split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

fn rows(table: &str) -> Vec<String> {
    let mut lines = table.lines().skip(1);
    let mut out = Vec::new();
    for l in lines.by_ref() {
        if l.starts_with('(') || l.is_empty() {
            break;
        }
        out.push(l.split("  ").next().unwrap().to_string());
    }
    out
}

fn alive(pid: &str) -> bool {
    // A zombie is dead too: its state letter is Z.
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| {
            s.rsplit_once(") ")
                .is_some_and(|(_, rest)| !rest.starts_with('Z'))
        })
        .unwrap_or(false)
}

#[test]
fn a_hanging_test_is_killed_with_its_process_group_at_its_timeout() {
    let (suite, _guard) = support::fake_suite();
    let pid_file = support::scratch("hang").join("child.pid");
    let start = std::time::Instant::now();
    let r = run(
        process(&suite, &["--timeout", "2s", "--slow-timeout", "500ms"])
            .env("FAKE_SUITE_HANG", &pid_file),
    );
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(start.elapsed().as_secs() < 60, "{:?}", start.elapsed());
    assert_eq!(
        row(&r.stdout, "hangs_on_request"),
        ["hangs_on_request", "FAILED timeout"]
    );
    // The partial count is the last progress line the test streamed.
    assert!(
        r.stdout.contains(
            "  FAILED on std: hangs_on_request (timeout)\n    \
             timed out after 2s: explored 2,500 executions so far\n"
        ),
        "{}",
        r.stdout
    );
    // Its child, in its process group, went with it (SIGKILL is delivered
    // asynchronously: the child may take a moment to finish exiting).
    let pid = std::fs::read_to_string(&pid_file).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while alive(&pid) && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(!alive(&pid), "the test's child {pid} still runs");
    // On a pipe: a notice at each 500 ms it ran past, then its line, as
    // nextest prints them; the quick tests get no notice.
    assert!(
        r.stderr
            .contains("        SLOW [> 500ms] std hangs_on_request\n")
            && r.stderr
                .contains("        SLOW [> 1s 500ms] std hangs_on_request\n"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("FAIL [") && r.stderr.contains("s] std hangs_on_request\n"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("PASS [") && r.stderr.contains("s] std passes\n"),
        "{}",
        r.stderr
    );
    assert!(
        !r.stderr.contains("SLOW [> 500ms] std passes"),
        "{}",
        r.stderr
    );
    // The other tests ran meanwhile and passed.
    assert_eq!(row(&r.stdout, "passes"), ["passes", "verified"]);
    assert!(
        r.stdout
            .ends_with("weft check FAILED: 7 tests on 1 backend: 6 verified, 1 failed\n"),
        "{}",
        r.stdout
    );
}

#[test]
fn the_timeout_comes_from_weft_test_timeout_and_a_bad_one_is_bad_input() {
    let (suite, _guard) = support::fake_suite();
    let pid_file = support::scratch("hang-env").join("child.pid");
    let r = run(process(&suite, &["hangs"])
        .env("FAKE_SUITE_HANG", &pid_file)
        .env("WEFT_TEST_TIMEOUT", "1s 500ms"));
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("    timed out after 1s 500ms: explored 2,500 executions so far\n"),
        "{}",
        r.stdout
    );
    let r = run(process(&suite, &[]).env("WEFT_TEST_TIMEOUT", "soon"));
    assert_eq!(
        support::assert_bad_input(&r),
        "error: invalid WEFT_TEST_TIMEOUT=\"soon\": expected a duration such as 30s, 10m or 1h30m"
    );
}

#[test]
fn a_segfault_names_its_signal_and_the_tests_last_words() {
    let (suite, _guard) = support::fake_suite();
    let r = run(process(&suite, &["segfaults"]).env("FAKE_SUITE_SEGV", "1"));
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(
        row(&r.stdout, "segfaults_on_request"),
        ["segfaults_on_request", "FAILED crash"]
    );
    assert!(
        r.stdout.contains(
            "  FAILED on std: segfaults_on_request (crash)\n    crashed with SIGSEGV\n    \
             | fake suite: about to write through a null pointer\n\n"
        ),
        "{}",
        r.stdout
    );
}

#[test]
fn an_abort_and_an_early_exit_are_the_failures_of_their_tests() {
    let (suite, _guard) = support::fake_suite();
    let r = run(process(&suite, &[])
        .env("FAKE_SUITE_ABORT", "1")
        .env("FAKE_SUITE_EXIT", "1"));
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains(
            "  FAILED on std: aborts_on_request (crash)\n    crashed with SIGABRT\n    \
             | fake suite: aborting, as loom does on a double panic\n"
        ),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(
            "  FAILED on std: exits_on_request (crash)\n    \
             the test process exited with exit status: 3 before the test finished\n"
        ),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .ends_with("weft check FAILED: 7 tests on 1 backend: 5 verified, 2 failed\n"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_test_that_fails_then_passes_on_a_retry_is_flaky() {
    let (suite, _guard) = support::fake_suite();
    let marker = support::scratch("flaky").join("failed-once");
    // Without retries the failure stands.
    let r = run(process(&suite, &["flaky"]).env("FAKE_SUITE_FLAKY", &marker));
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(
        row(&r.stdout, "flaky_on_request"),
        ["flaky_on_request", "FAILED panic"]
    );
    std::fs::remove_file(&marker).unwrap();
    let r = run(process(&suite, &["flaky", "--retries", "2", "--json", "-"])
        .env("FAKE_SUITE_FLAKY", &marker));
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let result = &v["results"][0];
    assert_eq!(result["test"], "flaky_on_request");
    assert_eq!(result["outcome"], "verified");
    assert_eq!(result["flaky"], true);
    assert_eq!(result["attempts"], 2);
    std::fs::remove_file(&marker).unwrap();
    let r = run(process(&suite, &["flaky", "--retries", "1"]).env("FAKE_SUITE_FLAKY", &marker));
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(
        row(&r.stdout, "flaky_on_request"),
        ["flaky_on_request", "verified (flaky)"]
    );
    assert!(
        r.stdout
            .ends_with("weft check ok: 1 test on 1 backend: 1 verified (1 flaky)\n"),
        "{}",
        r.stdout
    );
}

#[test]
fn partitions_split_each_binarys_sorted_tests_and_cover_them_once() {
    let (suite, _guard) = support::fake_suite();
    let all = [
        "aborts_on_request",
        "exits_on_request",
        "flaky_on_request",
        "hangs_on_request",
        "passes",
        "reports_its_shard",
        "segfaults_on_request",
    ];
    let r = run(&mut process(&suite, &["--partition", "count:2/3"]));
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    // Sorted: aborts, exits, flaky, hangs, passes, reports, segfaults;
    // the second of every three is at 1 and 4.
    assert_eq!(rows(&r.stdout), ["exits_on_request", "passes"]);
    for kind in ["count", "hash"] {
        let mut seen: Vec<String> = Vec::new();
        for k in 1..=3 {
            let r = run(&mut process(
                &suite,
                &["--partition", &format!("{kind}:{k}/3")],
            ));
            assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
            if !r.stdout.starts_with("no test ran") {
                seen.extend(rows(&r.stdout));
            }
        }
        seen.sort();
        assert_eq!(seen, all, "{kind}");
    }
    let r = run(&mut process(&suite, &["-j", "0"]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    let r = run(&mut process(&suite, &["--partition", "count:4/3"]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("`4/3` is not K/N with 1 <= K <= N (e.g. 2/4)"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_shard_is_passed_to_the_tests_and_a_bad_weft_shard_is_bad_input() {
    let (suite, _guard) = support::fake_suite();
    let r = run(&mut process(
        &suite,
        &["reports_its_shard", "--shard", "3/4"],
    ));
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(
        row(&r.stdout, "reports_its_shard"),
        ["reports_its_shard", "verified 300 (all)"]
    );
    let r = run(&mut process(&suite, &["--shard", "0/4"]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "invalid value '0/4' for '--shard <K/N>': `0/4` is not K/N with 1 <= K <= N (e.g. 2/4)"
        ),
        "{}",
        r.stderr
    );
    // Under `check`, a bad variable the tests would refuse is bad input
    // (exit status 2), found before anything is built.
    let r = run(process(&suite, &[]).env("WEFT_SHARD", "5/4"));
    assert_eq!(
        support::assert_bad_input(&r),
        "error: invalid WEFT_SHARD=\"5/4\": expected K/N with 1 <= K <= N, e.g. WEFT_SHARD=2/4 (shard 2 of 4)"
    );
    let r = run(process(&suite, &[]).env("WEFT_SEED", "-1"));
    assert!(
        support::assert_bad_input(&r).starts_with("error: invalid WEFT_SEED=\"-1\": expected "),
        "{}",
        r.stderr
    );
}

#[test]
fn json_and_junit_files_are_written_after_the_table_into_new_directories() {
    let (suite, _guard) = support::fake_suite();
    let out = support::scratch("files").join("not/yet/there");
    let json = out.join("results.json");
    let junit = out.join("junit.xml");
    let r = run(process(&suite, &["passes"])
        .arg("--json")
        .arg(&json)
        .arg("--junit")
        .arg(&junit));
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(row(&r.stdout, "passes"), ["passes", "verified"]);
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(v["format"], "weft-check/1");
    assert_eq!(v["results"][0]["test"], "passes");
    assert!(std::fs::read_to_string(&junit)
        .unwrap()
        .contains("<testcase name=\"passes\" classname=\"weft.std\"/>"));
    // A file that cannot be written: the table is out first, then the error.
    let blocked = support::scratch("files-blocked").join("a-file");
    std::fs::write(&blocked, "").unwrap();
    let r = run(process(&suite, &["passes", "--junit"]).arg(blocked.join("junit.xml")));
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .ends_with("weft check ok: 1 test on 1 backend: 1 verified\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stderr.contains(&format!(
            "error: cannot write `{}`\n  caused by: ",
            blocked.join("junit.xml").display()
        )),
        "{}",
        r.stderr
    );
}

#[test]
fn a_filtered_run_keeps_the_traces_of_the_tests_it_did_not_run() {
    let (suite, _guard) = support::fake_suite();
    let trace = suite.join("target/weft/check/loom/lost_update_is_found/lost_update.json");
    let r = run(weft(&suite).args(["--backend", "loom", "lost_update"]));
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(trace.is_file());
    let r = run(weft(&suite).args(["--backend", "loom", "counter"]));
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        trace.is_file(),
        "the filtered run deleted {}",
        trace.display()
    );
}

#[test]
fn merge_joins_the_partitions_into_one_table_junit_file_and_exit_status() {
    let (suite, _guard) = support::fake_suite();
    let dir = support::scratch("merge");
    for k in 1..=2 {
        let r = run(weft(&suite)
            .args(["--backend", "loom,shuttle", "--partition"])
            .arg(format!("count:{k}/2"))
            .arg("--json")
            .arg(dir.join(format!("shard-{k}.json"))));
        // The failing test is in the second partition only.
        assert_eq!(r.code, k - 1, "{}\n{}", r.stdout, r.stderr);
    }
    let whole = run(weft(&suite).args(["--backend", "loom,shuttle"]));
    let junit = dir.join("junit/all.xml");
    let r = run(cargo_weft()
        .arg("merge")
        .arg(dir.join("shard-1.json"))
        .arg(dir.join("shard-2.json"))
        .arg("--junit")
        .arg(&junit)
        .current_dir(&suite));
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    // The same table as one unpartitioned run (times aside).
    let table = |t: &str| {
        t.lines()
            .filter(|l| !l.contains(" in ") || !l.contains("(build "))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(table(&r.stdout), table(&whole.stdout));
    assert!(
        r.stdout.ends_with(
            "weft check FAILED: 8 tests on 2 backends: 10 verified, 2 caught, 2 failed, 2 skipped\n"
        ),
        "{}",
        r.stdout
    );
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains("tests=\"16\" skipped=\"2\" failures=\"2\" errors=\"0\""),
        "{xml}"
    );
    // Something that is not results is bad input.
    let not = dir.join("not-results.json");
    std::fs::write(&not, "{\"format\": \"weft-trace/1\"}").unwrap();
    let r = run(cargo_weft().arg("merge").arg(&not));
    assert_eq!(
        support::assert_bad_input(&r),
        format!(
            "error: `{}` is not a results file of `cargo weft check --json` (format weft-check/1): its format is weft-trace/1; this cargo weft reads weft-check/1",
            not.display()
        )
    );
}
