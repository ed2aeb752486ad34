//! `cargo weft replay`: reruns the trace's test on the trace's backend with
//! `WEFT_REPLAY` set, and says what happened: reproduced (1), caught again
//! (0), diverged (3), refused (2).

mod support;

use std::path::{Path, PathBuf};

use support::{assert_bad_input, cargo_weft, fixture, run, Run};

/// A copy of a fixture trace that names `test` as its test.
fn trace_for(suite: &Path, fixture_name: &str, test: &str) -> PathBuf {
    let text = std::fs::read_to_string(fixture(fixture_name)).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let original = v["test"].as_str().unwrap().to_string();
    let text = text.replacen(
        &format!("\"test\": \"{original}\""),
        &format!("\"test\": \"{test}\""),
        1,
    );
    let path = suite.join("target").join(format!("replay-{test}.json"));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path
}

fn replay(suite: &Path, trace: &Path, env: &[(&str, &str)]) -> Run {
    let mut cmd = cargo_weft();
    cmd.arg("replay").arg(trace).current_dir(suite);
    for (k, v) in env {
        cmd.env(k, v);
    }
    run(&mut cmd)
}

#[test]
fn a_reproduced_failure_prints_the_report_and_exits_1() {
    let (suite, _guard) = support::fake_suite();
    let trace = trace_for(&suite, "lost_update.json", "lost_update_is_found");
    let r = replay(&suite, &trace, &[]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("weft: model `lost_update` failed on loom: panic"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.ends_with(
            "replay reproduced the failure: `lost_update_is_found` on loom: the recorded panic happened again on the recorded schedule\n"
        ),
        "{}",
        r.stdout
    );
    // What ran: the one test, exactly, on the trace's backend, with WEFT_REPLAY.
    assert!(
        r.stderr.contains("weft replay: WEFT_REPLAY="),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("cargo test -p fake-suite --features loom --release --test models -- --exact --show-output lost_update_is_found"),
        "{}",
        r.stderr
    );
}

#[test]
fn an_expected_failure_caught_again_exits_0() {
    let (suite, _guard) = support::fake_suite();
    let trace = trace_for(&suite, "abba.json", "abba_deadlock_is_caught");
    let r = replay(&suite, &trace, &[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(
        r.stdout,
        "replay ok: `abba_deadlock_is_caught` on loom: the test expects this failure and caught it again on the recorded schedule\n"
    );
}

#[test]
fn a_diverged_replay_exits_3_and_says_where() {
    let (suite, _guard) = support::fake_suite();
    let trace = trace_for(&suite, "lost_update.json", "lost_update_is_found");
    let r = replay(&suite, &trace, &[("FAKE_SUITE_DIVERGE", "1")]);
    assert_eq!(r.code, 3, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains(
            "replay diverged: `lost_update_is_found` on loom: the schedule diverged at step 3: expected `worker-0` load `hits`, found `main` spawn"
        ),
        "{}",
        r.stdout
    );
}

#[test]
fn a_trace_the_model_refuses_exits_2() {
    let (suite, _guard) = support::fake_suite();
    let trace = trace_for(&suite, "lost_update.json", "lost_update_is_found");
    let r = replay(&suite, &trace, &[("FAKE_SUITE_REFUSE", "1")]);
    let line = assert_bad_input(&r);
    assert!(
        line.starts_with("error: the test refused to replay the trace: trace file `"),
        "{line}"
    );
    assert!(
        line.ends_with("is a trace of model `lost_update`, not of `other`"),
        "{line}"
    );
}

#[test]
fn a_test_that_is_not_there_exits_2() {
    let (suite, _guard) = support::fake_suite();
    let trace = trace_for(&suite, "lost_update.json", "no_such_test");
    let r = replay(&suite, &trace, &[]);
    assert_eq!(
        assert_bad_input(&r),
        "error: no test named `no_such_test` ran in package `fake-suite` (searched models); pass -p PACKAGE or --test TARGET"
    );
}
