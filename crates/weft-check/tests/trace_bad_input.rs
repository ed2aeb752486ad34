//! Each kind of bad trace input is refused with its own error, naming the
//! file and the problem.

mod trace_support;

use std::error::Error as _;
use std::path::{Path, PathBuf};

use weft_check::trace::{read_trace, write_trace, Trace, TraceError, TraceOrigin};
use weft_check::Backend;

use trace_support::{philosophers_trace, TempDir};

/// Writes `contents` to `<dir>/<name>` and reads it as a trace.
fn read_bytes(dir: &TempDir, name: &str, contents: &[u8]) -> (PathBuf, TraceError) {
    let path = dir.path().join(name);
    std::fs::write(&path, contents).unwrap();
    let err = read_trace(&path).expect_err("bad input must be refused");
    (path, err)
}

/// The JSON of the sample trace with `from` replaced by `to` (exactly once).
fn edited(from: &str, to: &str) -> String {
    let json = philosophers_trace().to_json();
    assert_eq!(json.matches(from).count(), 1, "`{from}` occurs once");
    json.replace(from, to)
}

fn assert_names_file(err: &TraceError, path: &Path) {
    assert_eq!(err.path(), Some(path));
    let message = err.to_string();
    assert!(
        message.contains(&format!("trace file `{}`", path.display())),
        "{message}"
    );
}

#[test]
fn a_missing_file_is_refused_as_missing() {
    let dir = TempDir::new("bad-missing");
    let path = dir.path().join("nope.json");
    let err = read_trace(&path).unwrap_err();
    assert!(matches!(err, TraceError::Missing { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!("trace file `{}` does not exist", path.display())
    );
    assert_names_file(&err, &path);
    assert!(err.source().is_some());
}

#[test]
fn an_unreadable_path_is_refused_as_unreadable() {
    // A directory where a file should be: unreadable whatever the user's
    // permissions (tests may run as root, who can read any file).
    let dir = TempDir::new("bad-unreadable");
    let path = dir.path().join("a-directory.json");
    std::fs::create_dir(&path).unwrap();
    let err = read_trace(&path).unwrap_err();
    assert!(matches!(err, TraceError::Unreadable { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!("cannot read trace file `{}`", path.display())
    );
    assert_names_file(&err, &path);
    assert!(err.source().is_some());
}

#[test]
fn an_empty_file_is_refused_as_empty() {
    let dir = TempDir::new("bad-empty");
    for contents in [&b""[..], b"  \n\t\n"] {
        let (path, err) = read_bytes(&dir, "empty.json", contents);
        assert!(matches!(err, TraceError::Empty { .. }), "{err:?}");
        assert_eq!(
            err.to_string(),
            format!("trace file `{}` is empty", path.display())
        );
        assert_names_file(&err, &path);
    }
}

#[test]
fn a_truncated_file_is_refused_as_truncated() {
    let dir = TempDir::new("bad-truncated");
    let json = philosophers_trace().to_json();
    for cut in [1, json.len() / 3, json.len() / 2, json.len() - 3] {
        let (path, err) = read_bytes(&dir, "cut.json", &json.as_bytes()[..cut]);
        assert!(
            matches!(err, TraceError::Truncated { .. }),
            "cut at {cut}: {err:?}"
        );
        assert_eq!(
            err.to_string(),
            format!(
                "trace file `{}` is truncated: its JSON ends early",
                path.display()
            )
        );
        assert_names_file(&err, &path);
        let cause = err.source().unwrap().to_string();
        assert!(cause.starts_with("EOF while parsing"), "{cause}");
    }
}

#[test]
fn a_file_that_is_not_json_is_refused_as_not_json() {
    let dir = TempDir::new("bad-not-json");
    for contents in [
        &b"weft: model failed"[..],
        b"{\"format\": \"weft-trace/1\",}",
        b"\xff\xfe\x00binary",
        b"{} trailing",
    ] {
        let (path, err) = read_bytes(&dir, "text.json", contents);
        assert!(
            matches!(err, TraceError::NotJson { .. }),
            "{contents:?}: {err:?}"
        );
        assert_eq!(
            err.to_string(),
            format!("trace file `{}` is not JSON", path.display())
        );
        assert_names_file(&err, &path);
        let cause = err.source().unwrap().to_string();
        assert!(cause.contains("line 1 column"), "{cause}");
    }
}

#[test]
fn foreign_json_is_refused_as_not_a_trace() {
    let dir = TempDir::new("bad-foreign");
    let cases: [(&str, &str); 6] = [
        (
            r#"{"name": "package.json", "version": "1.0.0"}"#,
            "it has no \"format\" field",
        ),
        ("{}", "it has no \"format\" field"),
        (
            r#"{"format": "chrome-trace"}"#,
            "its format is `chrome-trace`, not weft-trace/1",
        ),
        (r#"{"format": 1}"#, "its \"format\" field is not a string"),
        ("[1, 2, 3]", "it is a JSON array, not an object"),
        ("\"weft-trace/1\"", "it is a JSON string, not an object"),
    ];
    for (contents, reason) in cases {
        let (path, err) = read_bytes(&dir, "foreign.json", contents.as_bytes());
        assert!(
            matches!(err, TraceError::NotATrace { .. }),
            "{contents}: {err:?}"
        );
        assert_eq!(
            err.to_string(),
            format!(
                "trace file `{}` is not a weft trace: {reason}",
                path.display()
            )
        );
        assert_names_file(&err, &path);
    }
}

#[test]
fn another_format_version_is_refused_naming_both_versions() {
    let dir = TempDir::new("bad-version");
    let (path, err) = read_bytes(
        &dir,
        "v2.json",
        edited("\"weft-trace/1\"", "\"weft-trace/2\"").as_bytes(),
    );
    match &err {
        TraceError::UnsupportedVersion { found, .. } => assert_eq!(found, "weft-trace/2"),
        other => panic!("expected UnsupportedVersion, got {other:?}"),
    }
    assert_eq!(
        err.to_string(),
        format!(
            "trace file `{}` is weft-trace/2; this weft reads weft-trace/1",
            path.display()
        )
    );
    assert_names_file(&err, &path);
}

#[test]
fn a_trace_with_a_missing_field_is_refused_as_invalid() {
    let dir = TempDir::new("bad-invalid-field");
    let (path, err) = read_bytes(
        &dir,
        "missing-field.json",
        edited("\n  \"executions\": 3,", "").as_bytes(),
    );
    assert!(matches!(err, TraceError::Invalid { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "trace file `{}` is not a valid weft-trace/1 trace",
            path.display()
        )
    );
    assert_names_file(&err, &path);
    let cause = err.source().unwrap().to_string();
    assert!(cause.starts_with("missing field `executions`"), "{cause}");
}

#[test]
fn a_trace_with_an_unknown_value_is_refused_as_invalid() {
    let dir = TempDir::new("bad-invalid-value");
    let (path, err) = read_bytes(
        &dir,
        "unknown-backend.json",
        edited("\"backend\": \"shuttle\"", "\"backend\": \"tokio\"").as_bytes(),
    );
    assert!(matches!(err, TraceError::Invalid { .. }), "{err:?}");
    assert_names_file(&err, &path);
    let cause = err.source().unwrap().to_string();
    assert!(
        cause.starts_with("unknown backend `tokio`, expected std, loom or shuttle"),
        "{cause}"
    );
}

#[test]
fn a_trace_with_a_corrupt_schedule_is_refused_as_invalid() {
    let dir = TempDir::new("bad-invalid-schedule");
    let (path, err) = read_bytes(
        &dir,
        "schedule.json",
        edited("t1,t2,t2,", "t1,tX,t2,").as_bytes(),
    );
    assert!(matches!(err, TraceError::Invalid { .. }), "{err:?}");
    assert_names_file(&err, &path);
    let cause = err.source().unwrap().to_string();
    assert!(
        cause.starts_with(
            "invalid schedule `shuttle:v1:seed=42:t0,t0,t0,t1,t1,tX,t2,t1,t2`: \
             decision 6 `tX` is neither t<task> nor r<value>"
        ),
        "{cause}"
    );
}

#[test]
fn a_self_contradicting_trace_is_refused_as_inconsistent() {
    let dir = TempDir::new("bad-inconsistent");
    let cases = [
        (
            edited(
                "{\"id\":2,\"name\":\"philosopher-1\"",
                "{\"id\":7,\"name\":\"philosopher-1\"",
            ),
            "threads[2] has id 7",
        ),
        (
            edited(
                "\"kind\":\"join\",\"object\":null,\"thread\":1",
                "\"kind\":\"join\",\"object\":null,\"thread\":9",
            ),
            "thread 0 waits for thread 9, which is not in \"threads\"",
        ),
        (
            edited("\"seed\": 42,", "\"seed\": 43,"),
            "its seed is 43 but its schedule's seed is 42",
        ),
        (
            edited("\"backend\": \"shuttle\"", "\"backend\": \"loom\""),
            "its backend is loom but its schedule is a shuttle schedule",
        ),
    ];
    for (json, reason) in cases {
        let (path, err) = read_bytes(&dir, "inconsistent.json", json.as_bytes());
        assert!(matches!(err, TraceError::Inconsistent { .. }), "{err:?}");
        assert_eq!(
            err.to_string(),
            format!("trace file `{}` is inconsistent: {reason}", path.display())
        );
        assert_names_file(&err, &path);
    }
}

#[test]
fn a_trace_of_another_model_is_refused_naming_both_models() {
    let dir = TempDir::new("bad-model");
    let path = write_trace(dir.path(), &philosophers_trace()).unwrap();
    let trace = read_trace(&path).unwrap();
    trace.check_model("philosophers").unwrap();
    let err = trace.check_model("lost_update").unwrap_err();
    match &err {
        TraceError::WrongModel {
            expected, found, ..
        } => {
            assert_eq!(expected, "lost_update");
            assert_eq!(found, "philosophers");
        }
        other => panic!("expected WrongModel, got {other:?}"),
    }
    assert_eq!(
        err.to_string(),
        format!(
            "trace file `{}` is a trace of model `philosophers`, not of `lost_update`",
            path.display()
        )
    );
    assert_names_file(&err, &path);
}

#[test]
fn a_trace_of_another_backend_is_refused_with_the_feature_to_use() {
    let dir = TempDir::new("bad-backend");
    let path = write_trace(dir.path(), &philosophers_trace()).unwrap();
    let trace = read_trace(&path).unwrap();
    trace.check_backend(Backend::Shuttle).unwrap();
    for current in [Backend::Std, Backend::Loom] {
        let err = trace.check_backend(current).unwrap_err();
        assert!(matches!(err, TraceError::WrongBackend { .. }), "{err:?}");
        assert_eq!(
            err.to_string(),
            format!(
                "trace file `{}` was recorded on shuttle, but this build runs on {current}: \
                 run with --features shuttle",
                path.display()
            )
        );
        assert_names_file(&err, &path);
    }
}

#[test]
fn a_stress_run_trace_is_refused_as_not_replayable() {
    let mut trace = philosophers_trace();
    trace.backend = Backend::Std;
    let err = trace.check_backend(Backend::Shuttle).unwrap_err();
    assert_eq!(
        err.to_string(),
        "trace text was recorded on std, but this build runs on shuttle: a stress run on \
         real threads cannot be replayed; run the model with --features shuttle or \
         --features loom to record a replayable trace"
    );
}

#[test]
fn trace_text_errors_say_trace_text() {
    let err = Trace::from_json("{\"format\": \"weft-trace/9\"}").unwrap_err();
    match &err {
        TraceError::UnsupportedVersion { origin, found } => {
            assert_eq!(origin, &TraceOrigin::Text);
            assert_eq!(found, "weft-trace/9");
        }
        other => panic!("expected UnsupportedVersion, got {other:?}"),
    }
    assert_eq!(err.path(), None);
    assert_eq!(
        err.to_string(),
        "trace text is weft-trace/9; this weft reads weft-trace/1"
    );
}

#[test]
fn a_trace_dir_that_is_a_file_is_refused_naming_it() {
    let dir = TempDir::new("bad-dir");
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, "x").unwrap();
    let err = write_trace(&file, &philosophers_trace()).unwrap_err();
    assert!(matches!(err, TraceError::CreateDir { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!("cannot create the trace directory `{}`", file.display())
    );
    assert_eq!(err.path(), Some(file.as_path()));
}

/// Run by the test below in a process of its own: a replay of a trace
/// that does not exist.
#[test]
fn refused_replay_child() {
    let Some(path) = std::env::var_os("WEFT_REFUSED_REPLAY_CHILD") else {
        return;
    };
    let _ = weft_check::Model::new()
        .name("refused")
        .replay(PathBuf::from(path))
        .explore(|| {});
}

/// A replay refused (here: no such trace; in std mode: no checker to
/// replay on) panics with one line at the user's call, where a new user
/// looks, and not inside weft.
#[test]
fn a_refused_replay_panics_at_the_users_call() {
    let dir = TempDir::new("bad-refused-replay");
    let path = dir.path().join("nope.json");
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "refused_replay_child", "--test-threads=1"])
        .env("WEFT_REFUSED_REPLAY_CHILD", &path)
        .env("RUST_BACKTRACE", "0")
        .output()
        .unwrap();
    assert!(!out.status.success(), "{out:?}");
    // libtest prints a failed test's panic with its captured output.
    let stderr = String::from_utf8(out.stdout).unwrap() + &String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("weft: cannot replay"), "{stderr}");
    let at = stderr
        .lines()
        .find(|l| l.contains("panicked at "))
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(at.contains("tests/trace_bad_input.rs:"), "{stderr}");
    assert!(!at.contains("src/model.rs"), "{stderr}");
}
