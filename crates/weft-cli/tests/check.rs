//! `cargo weft check` on a fake suite (a tiny crate whose tests print and
//! write what weft model tests print and write): the table, JSON, JUnit,
//! exit statuses, filters, targets and skipped backends.

mod support;

use std::path::Path;

use support::{cargo_weft, run, Run};

fn check(suite: &Path, args: &[&str]) -> Run {
    run(cargo_weft()
        .arg("check")
        .args(args)
        .arg("--manifest-path")
        .arg(suite.join("Cargo.toml"))
        .current_dir(suite))
}

/// The cells of the table's row for `test`, split at runs of spaces.
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

#[test]
fn one_table_of_every_model_on_every_backend() {
    let (suite, _guard) = support::fake_suite();
    let r = check(&suite, &[]);
    assert_eq!(
        r.code, 1,
        "a model failed unexpectedly\n{}\n{}",
        r.stdout, r.stderr
    );
    let t = &r.stdout;
    assert_eq!(row(t, "model"), ["model", "std", "loom", "shuttle"]);
    assert_eq!(
        row(t, "counter_is_verified"),
        [
            "counter_is_verified",
            "verified",
            "verified 1,204 [1]",
            "verified 1,204 [2]"
        ]
    );
    // Why each search was not exhaustive, under the table.
    assert!(
        t.contains("\n[1] loom search complete, but loom's DPOR may skip some SC interleavings (loom issues #392, #166: see README, Limitations)\n[2] random scheduler\n"),
        "{t}"
    );
    assert_eq!(
        row(t, "two_models_in_one_test"),
        [
            "two_models_in_one_test",
            "verified",
            "verified 15 (all)",
            "verified 15 (all)"
        ]
    );
    assert_eq!(
        row(t, "abba_deadlock_is_caught"),
        [
            "abba_deadlock_is_caught",
            "-",
            "caught deadlock",
            "caught deadlock"
        ]
    );
    // A name decides nothing: this test's model failed and the test
    // asserted it by hand, declaring nothing, so it is verified.
    assert_eq!(
        row(t, "undeclared_failure_is_caught"),
        ["undeclared_failure_is_caught", "-", "verified", "verified"]
    );
    assert_eq!(
        row(t, "lost_update_is_found"),
        [
            "lost_update_is_found",
            "verified",
            "FAILED panic",
            "FAILED panic"
        ]
    );
    assert_eq!(
        row(t, "slow_model"),
        ["slow_model", "skipped", "skipped", "skipped"]
    );
    assert!(
        t.contains(
            "  FAILED on loom: lost_update_is_found (panic)\n    \
             assertion `left == right` failed: an increment was lost\n    \
             trace:  target/weft/check/loom/lost_update_is_found/lost_update.json\n"
        ),
        "{t}"
    );
    assert!(
        t.contains("    replay: cargo weft replay target/weft/check/shuttle/lost_update_is_found/lost_update.json\n"),
        "{t}"
    );
    assert!(
        t.ends_with("weft check FAILED: 8 tests on 3 backends: 15 verified, 2 caught, 2 failed, 3 skipped\n"),
        "{t}"
    );
    // Each backend's traces are its own, in a directory per test.
    for backend in ["loom", "shuttle"] {
        let trace = suite.join(format!(
            "target/weft/check/{backend}/lost_update_is_found/lost_update.json"
        ));
        assert!(trace.is_file(), "{}", trace.display());
        assert!(suite
            .join(format!(
                "target/weft/check/{backend}/abba_deadlock_is_caught/abba.json"
            ))
            .is_file());
    }
    assert!(!suite
        .join("target/weft/check/std/lost_update_is_found")
        .exists());
    // Progress on stderr: which backend, and its counts.
    assert!(
        r.stderr.contains("weft check [2/3] loom: WEFT_TRACE_DIR="),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("weft check [3/3] shuttle: 8 tests in "),
        "{}",
        r.stderr
    );
    assert!(!t.contains('\x1b'), "no colour when piped");
}

#[test]
fn json_says_the_same_for_scripts() {
    let (suite, _guard) = support::fake_suite();
    let r = check(
        &suite,
        &["--json", "--backend", "loom", "--color", "always"],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let same = check(&suite, &["--message-format", "json", "--backend", "loom"]);
    assert_eq!(same.code, 1);
    let again: serde_json::Value = serde_json::from_str(&same.stdout).expect("stdout is JSON");
    assert_eq!(again["results"].as_array().map(Vec::len), Some(8));
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("stdout is JSON");
    assert_eq!(v["format"], "weft-check/1");
    assert_eq!(v["package"], "fake-suite");
    assert_eq!(v["backends"][0]["backend"], "loom");
    assert_eq!(v["backends"][0]["status"], "ran");
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 8);
    let find = |test: &str| {
        results
            .iter()
            .find(|r| r["test"] == test)
            .unwrap_or_else(|| panic!("{test} in {results:?}"))
    };
    let counter = find("counter_is_verified");
    assert_eq!(counter["outcome"], "verified");
    assert_eq!(counter["executions"], 1204);
    assert_eq!(counter["coverage"]["both_orders"], 2, "{counter}");
    assert_eq!(counter["coverage"]["either_order"], 3, "{counter}");
    // loom's search ran to its end, but loom's DPOR can skip interleavings:
    // the verdict says so instead of "exhaustive".
    assert_eq!(counter["exhaustive"], false);
    assert_eq!(
        counter["bounds"][0],
        "loom search complete, but loom's DPOR may skip some SC interleavings (loom issues #392, #166: see README, Limitations)"
    );
    let two = find("two_models_in_one_test");
    assert_eq!(two["exhaustive"], true);
    assert!(two.get("bounds").is_none(), "{two}");
    let lost = find("lost_update_is_found");
    assert_eq!(lost["outcome"], "failed");
    assert_eq!(lost["kind"], "panic");
    assert!(lost["trace"]
        .as_str()
        .unwrap()
        .ends_with("target/weft/check/loom/lost_update_is_found/lost_update.json"));
    assert_eq!(find("abba_deadlock_is_caught")["outcome"], "caught");
    assert_eq!(find("abba_deadlock_is_caught")["kind"], "deadlock");
    assert!(find("abba_deadlock_is_caught")["trace"]
        .as_str()
        .unwrap()
        .ends_with("target/weft/check/loom/abba_deadlock_is_caught/abba.json"));
    assert_eq!(find("undeclared_failure_is_caught")["outcome"], "verified");
    assert_eq!(find("slow_model")["outcome"], "skipped");
    assert_eq!(find("slow_model")["reason"], "too slow for this machine");
    assert!(!r.stdout.contains('\x1b'), "JSON is never coloured");
}

#[test]
fn a_budget_is_shared_among_the_tests_and_what_it_gave_up_is_in_the_results() {
    let (suite, _guard) = support::fake_suite();
    let without = check(&suite, &["--json", "--backend", "shuttle", "counter"]);
    let v: serde_json::Value = serde_json::from_str(&without.stdout).expect("stdout is JSON");
    assert!(
        v["results"][0].get("stopped").is_none(),
        "{}",
        without.stdout
    );
    let with = check(
        &suite,
        &[
            "--json",
            "--backend",
            "shuttle",
            "--budget",
            "30s",
            "counter",
        ],
    );
    assert_eq!(with.code, 0, "{}", with.stderr);
    let v: serde_json::Value = serde_json::from_str(&with.stdout).expect("stdout is JSON");
    let counter = &v["results"][0];
    assert_eq!(counter["test"], "counter_is_verified");
    assert_eq!(
        counter["stopped"][0], "stopped after 1204 executions by the time budget",
        "{counter}"
    );
    assert!(
        with.stderr.contains("budget ") && with.stderr.contains(" for 1 test\n"),
        "{}",
        with.stderr
    );
    // The table numbers it with the verdict's reasons.
    let table = check(
        &suite,
        &["--backend", "shuttle", "--budget", "30s", "counter"],
    );
    assert!(
        table
            .stdout
            .contains("[2] stopped after 1204 executions by the time budget"),
        "{}",
        table.stdout
    );
}

#[test]
fn junit_has_a_suite_per_backend_and_a_failure_per_failed_model() {
    let (suite, _guard) = support::fake_suite();
    let junit = suite.join("target/junit.xml");
    let _ = std::fs::remove_file(&junit);
    let r = check(
        &suite,
        &[
            "--backend",
            "std,shuttle",
            "--junit",
            junit.to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "),
        "{xml}"
    );
    assert!(
        xml.contains("tests=\"14\" skipped=\"2\" failures=\"1\" errors=\"0\""),
        "{xml}"
    );
    assert!(
        xml.contains(
            "<testsuite name=\"std\" tests=\"6\" skipped=\"1\" errors=\"0\" failures=\"0\""
        ),
        "{xml}"
    );
    assert!(
        xml.contains(
            "<testsuite name=\"shuttle\" tests=\"8\" skipped=\"1\" errors=\"0\" failures=\"1\""
        ),
        "{xml}"
    );
    assert!(
        xml.contains("<testcase name=\"lost_update_is_found\" classname=\"weft.shuttle\">\n            <failure message=\"assertion `left == right` failed: an increment was lost\" type=\"panic\">"),
        "{xml}"
    );
    assert!(
        xml.contains("<skipped message=\"too slow for this machine\"/>"),
        "{xml}"
    );
    assert!(
        xml.contains("<property name=\"coverage.both_orders\" value=\"2\"/>")
            && xml.contains("<property name=\"coverage.either_order\" value=\"3\"/>"),
        "{xml}"
    );
    assert_eq!(xml.matches("<testsuite ").count(), 2);
    assert_eq!(xml.matches("</testsuite>").count(), 2);
    assert!(xml.trim_end().ends_with("</testsuites>"));
}

#[test]
fn a_suite_with_no_unexpected_failure_exits_0() {
    let (suite, _guard) = support::fake_suite();
    let r = check(&suite, &["counter"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(
        row(&r.stdout, "counter_is_verified"),
        [
            "counter_is_verified",
            "verified",
            "verified 1,204 [1]",
            "verified 1,204 [2]"
        ]
    );
    assert!(
        !r.stdout.contains("lost_update"),
        "the filter ran one test: {}",
        r.stdout
    );
    assert!(
        r.stdout
            .ends_with("weft check ok: 1 test on 3 backends: 3 verified\n"),
        "{}",
        r.stdout
    );
}

/// A filter that matches no test is bad input, not a pass (as nextest
/// fails a run with no tests): it said "weft check ok: 0 tests ... none
/// ran" and exited 0.
#[test]
fn a_filter_that_matches_nothing_is_refused() {
    let (suite, _guard) = support::fake_suite();
    let r = check(&suite, &["no_such_test_anywhere"]);
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("error: no test matches `no_such_test_anywhere` in models"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_plain_panic_is_a_failure_with_its_message() {
    let (suite, _guard) = support::fake_suite();
    let r = run(cargo_weft()
        .args(["check", "--backend", "std", "plain_panic"])
        .arg("--manifest-path")
        .arg(suite.join("Cargo.toml"))
        .current_dir(&suite)
        .env("FAKE_SUITE_FAIL", "1"));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        row(&r.stdout, "plain_panic_on_request"),
        ["plain_panic_on_request", "FAILED panic"]
    );
    assert!(
        r.stdout.contains("  FAILED on std: plain_panic_on_request (panic)\n    the suite was asked to fail (at models/main.rs:"),
        "{}",
        r.stdout
    );
}

#[test]
fn test_targets_can_be_chosen() {
    let (suite, _guard) = support::fake_suite();
    let r = check(
        &suite,
        &[
            "--backend",
            "shuttle",
            "--test",
            "other",
            "--test",
            "models",
            "counter",
        ],
    );
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    // With several targets, each test is named with its target.
    assert_eq!(
        row(&r.stdout, "models: counter_is_verified").len(),
        2,
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("weft check ok: 1 test on 1 backend"),
        "{}",
        r.stdout
    );
    let r = check(&suite, &["--backend", "std", "--test", "other"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(
        row(&r.stdout, "other_is_verified"),
        ["other_is_verified", "verified"]
    );
}

#[test]
fn all_backends_skip_a_missing_nightly_with_a_plain_line() {
    let (suite, _guard) = support::fake_suite();
    let r = run(cargo_weft()
        .args(["check", "--backend", "all", "counter"])
        .arg("--manifest-path")
        .arg(suite.join("Cargo.toml"))
        .current_dir(&suite)
        .env("WEFT_NIGHTLY_TOOLCHAIN", "weft-no-such-toolchain"));
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    for backend in ["miri", "tsan"] {
        let line = r
            .stdout
            .lines()
            .find(|l| l.trim_start().starts_with(backend))
            .unwrap_or_else(|| panic!("no {backend} line in {}", r.stdout));
        assert!(
            line.contains(
                "skipped: needs the `weft-no-such-toolchain` toolchain, which is not installed"
            ),
            "{line}"
        );
    }
    assert_eq!(row(&r.stdout, "model"), ["model", "std", "loom", "shuttle"]);
}

#[test]
fn a_custom_harness_is_one_row_by_exit_status() {
    let (suite, _guard) = support::fake_suite();
    let r = check(&suite, &["--backend", "std", "--test", "custom"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(
        row(&r.stdout, "custom (custom harness)"),
        ["custom (custom harness)", "verified"]
    );
    let r = run(cargo_weft()
        .args(["check", "--backend", "std", "--test", "custom"])
        .arg("--manifest-path")
        .arg(suite.join("Cargo.toml"))
        .current_dir(&suite)
        .env("FAKE_SUITE_FAIL", "1"));
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(
        row(&r.stdout, "custom (custom harness)"),
        ["custom (custom harness)", "FAILED failure"]
    );
    assert!(
        r.stdout.contains(
            "    the test binary `custom` failed: custom harness: the suite was asked to fail\n"
        ),
        "{}",
        r.stdout
    );
}

#[test]
fn a_suite_that_does_not_build_is_a_broken_run_with_cargos_errors() {
    let (suite, _guard) = support::fake_suite();
    let r = run(cargo_weft()
        .args(["check", "--backend", "std"])
        .arg("--manifest-path")
        .arg(suite.join("Cargo.toml"))
        .current_dir(&suite)
        .env("RUSTFLAGS", "--cfg fake_suite_broken"));
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("error: the suite was asked not to build"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("warning: std: the tests of `models` did not build (exit status: 101); cargo's errors are above"),
        "{}",
        r.stderr
    );
    assert!(
        r.stdout
            .contains("  std  BROKEN: the tests of `models` did not build"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .ends_with("weft check FAILED: 0 tests on 1 backend: none ran\n"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_crashed_test_is_a_failure_of_that_test_alone_naming_its_signal() {
    // Each test runs in a process of its own: the abort is that test's
    // failure, and every other test still has its outcome.
    let (suite, _guard) = support::fake_suite();
    let r = run(cargo_weft()
        .args(["check", "--backend", "std"])
        .arg("--manifest-path")
        .arg(suite.join("Cargo.toml"))
        .current_dir(&suite)
        .env("FAKE_SUITE_ABORT", "1"));
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(
        row(&r.stdout, "aborts_on_request"),
        ["aborts_on_request", "FAILED crash"]
    );
    assert!(
        r.stdout.contains(
            "  FAILED on std: aborts_on_request (crash)\n    crashed with SIGABRT\n    \
             | fake suite: aborting the whole test binary, as loom does on a double panic\n"
        ),
        "{}",
        r.stdout
    );
    assert_eq!(
        row(&r.stdout, "counter_is_verified"),
        ["counter_is_verified", "verified"]
    );
    assert!(
        r.stdout.ends_with(
            "weft check FAILED: 6 tests on 1 backend: 4 verified, 1 failed, 1 skipped\n"
        ),
        "{}",
        r.stdout
    );
}
