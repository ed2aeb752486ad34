//! Bad input gets one clear line on stderr and exit status 2: an unknown
//! backend, a package that does not exist, a corrupt trace, a missing
//! nightly, a bad step range, a trace that cannot be replayed.

mod support;

use support::{assert_bad_input, cargo_weft, fixture, fixture_rel, run, scratch};

#[test]
fn an_unknown_backend_is_refused_by_name() {
    let r = run(cargo_weft().args(["weft", "check", "--backend", "std,lom"]));
    assert_eq!(
        assert_bad_input(&r),
        "error: unknown backend `lom`: expected std, loom, shuttle, miri, tsan or all"
    );
}

#[test]
fn a_package_that_does_not_exist_is_refused_with_the_ones_that_do() {
    let (suite, _guard) = support::fake_suite();
    let r = run(cargo_weft()
        .args(["check", "-p", "no-such-package", "--manifest-path"])
        .arg(suite.join("Cargo.toml")));
    assert_eq!(
        assert_bad_input(&r),
        "error: package `no-such-package` is not in this workspace (its packages: fake-suite)"
    );
}

#[test]
fn a_test_target_that_does_not_exist_is_refused() {
    let (suite, _guard) = support::fake_suite();
    let r = run(cargo_weft()
        .args(["check", "--test", "nope", "--manifest-path"])
        .arg(suite.join("Cargo.toml")));
    assert_eq!(
        assert_bad_input(&r),
        "error: package `fake-suite` has no test target `nope` (its test targets: custom, models, other, process)"
    );
}

#[test]
fn a_directory_that_is_no_cargo_project_is_refused() {
    // Outside this repository, so that cargo finds no workspace above it.
    let dir = std::env::temp_dir().join(format!("weft-cli-not-a-project-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let r = run(cargo_weft().args(["check"]).current_dir(&dir));
    let _ = std::fs::remove_dir_all(&dir);
    let line = assert_bad_input(&r);
    assert!(
        line.starts_with("error: cannot read the cargo workspace: "),
        "{line}"
    );
    assert!(line.contains("Cargo.toml"), "{line}");
}

#[test]
fn a_missing_nightly_is_refused_with_the_command_that_installs_it() {
    for backend in ["miri", "tsan"] {
        let r = run(cargo_weft()
            .args(["check", "--backend", backend])
            .env("WEFT_NIGHTLY_TOOLCHAIN", "weft-no-such-toolchain"));
        let line = assert_bad_input(&r);
        assert!(
            line.starts_with(&format!("error: backend `{backend}` needs ")),
            "{line}"
        );
        assert!(
            line.contains(
                "install it with `rustup toolchain install weft-no-such-toolchain --component "
            ),
            "{line}"
        );
    }
}

fn write(name: &str, content: &[u8]) -> std::path::PathBuf {
    let path = scratch("bad-traces").parent().unwrap().join(name);
    std::fs::write(&path, content).unwrap();
    path
}

#[test]
fn a_corrupt_trace_is_refused_by_show_html_and_replay() {
    let cases: [(&str, &[u8], &str); 5] = [
        ("empty.json", b"", "is empty"),
        (
            "truncated.json",
            b"{\"format\": \"weft-trace/1\", \"model\": ",
            "is truncated: its JSON ends early",
        ),
        ("garbage.json", b"not json at all", "is not JSON"),
        (
            "foreign.json",
            b"{\"name\": \"package.json\"}",
            "is not a weft trace: it has no \"format\" field",
        ),
        (
            "future.json",
            b"{\"format\": \"weft-trace/9\"}",
            "is weft-trace/9; this weft reads weft-trace/1",
        ),
    ];
    for (name, content, says) in cases {
        let path = write(name, content);
        for command in ["show", "html", "replay"] {
            let r = run(cargo_weft().arg(command).arg(&path));
            let line = assert_bad_input(&r);
            assert_eq!(
                line,
                format!("error: trace file `{}` {says}", path.display()),
                "{command} {name}"
            );
        }
    }
}

#[test]
fn a_missing_trace_is_refused() {
    let r = run(cargo_weft().args(["show", "no/such/trace.json"]));
    assert_eq!(
        assert_bad_input(&r),
        "error: trace file `no/such/trace.json` does not exist"
    );
}

#[test]
fn a_bad_step_range_is_refused() {
    let r = run(cargo_weft().args(["show", &fixture_rel("abba.json"), "--steps", "5..2"]));
    assert_eq!(
        assert_bad_input(&r),
        "error: invalid step range `5..2`: expected A..B, A.. or ..B with step numbers from 1"
    );
    let r = run(cargo_weft().args(["show", &fixture_rel("abba.json"), "--steps", "9.."]));
    assert_eq!(
        assert_bad_input(&r),
        "error: step range `9..` selects no step: the trace has steps 1..4"
    );
}

#[test]
fn a_stress_run_trace_cannot_be_replayed() {
    let path = fixture("std_trace.json");
    let r = run(cargo_weft().arg("replay").arg(&path));
    let line = assert_bad_input(&r);
    assert!(
        line.starts_with(&format!(
            "error: trace file `{}` was recorded on std (a stress run on real threads), which cannot be replayed",
            path.display()
        )),
        "{line}"
    );
}

#[test]
fn bad_usage_exits_2() {
    let r = run(cargo_weft().args(["check", "--no-such-flag"]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .starts_with("error: unexpected argument '--no-such-flag'"),
        "{}",
        r.stderr
    );
    let r = run(cargo_weft().args(["frobnicate"]));
    assert_eq!(r.code, 2, "{}", r.stderr);
}

#[test]
fn help_and_version_exit_0_on_stdout() {
    let r = run(cargo_weft().args(["--help"]));
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("Usage: cargo weft"), "{}", r.stdout);
    assert!(
        r.stdout.contains("cargo run -p weft-cli -- <command>"),
        "{}",
        r.stdout
    );
    let r = run(cargo_weft().args(["weft", "--version"]));
    assert_eq!(r.code, 0);
    assert!(r.stdout.starts_with("cargo-weft "), "{}", r.stdout);
}
