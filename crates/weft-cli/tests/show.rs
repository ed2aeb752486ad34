//! `cargo weft show`: columns per thread, numbered steps, the failing step
//! marked, the cycle or racing pair under it; colour only when asked for
//! or on a terminal; a closed pipe is not an error.

mod support;

use support::{cargo_weft, fixture_rel, run};

fn show(args: &[&str]) -> String {
    let r = run(cargo_weft().arg("show").args(args));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stderr, "");
    r.stdout
}

#[test]
fn a_deadlock_shows_its_lanes_and_its_cycle() {
    insta::assert_snapshot!(show(&[&fixture_rel("abba.json")]));
}

#[test]
fn a_data_race_marks_both_accesses_and_names_the_pair() {
    insta::assert_snapshot!(show(&[&fixture_rel("cell_race.json")]));
}

#[test]
fn a_panic_marks_the_failing_step() {
    insta::assert_snapshot!(show(&[&fixture_rel("lost_update.json")]));
}

#[test]
fn a_choice_shows_the_value_chosen() {
    let out = show(&[&fixture_rel("lone_choice.json")]);
    assert!(out.contains("choose(5) = 3"), "{out}");
    assert!(out.contains("models/replay.rs:252"), "{out}");
}

#[test]
fn a_lost_wakeup_names_the_waiting_thread() {
    let out = show(&[&fixture_rel("lost_wakeup.json")]);
    assert!(out.contains("deadlock (lost wakeup):"), "{out}");
    assert!(
        out.contains("No thread can run, and no lock cycle explains it:"),
        "{out}"
    );
    assert!(out.contains("waits for a notification on"), "{out}");
}

#[test]
fn steps_zoom_to_a_range() {
    let out = show(&[&fixture_rel("lost_update.json"), "--steps", "3..4"]);
    let numbered: Vec<&str> = out
        .lines()
        .filter(|l| {
            let head: String = l.chars().take(6).collect();
            head.trim_start_matches(['>', '*'])
                .trim()
                .parse::<usize>()
                .is_ok()
        })
        .collect();
    assert_eq!(numbered.len(), 2, "{out}");
    assert!(numbered[0].contains("load `hits` = 0"), "{out}");
    assert!(numbered[1].contains("store `hits` := 1"), "{out}");
    assert!(
        out.contains("... steps 1..2 not shown (--steps A..B chooses)"),
        "{out}"
    );
    assert!(out.contains("... steps 5..11 not shown"), "{out}");
}

#[test]
fn a_long_trace_shows_its_last_steps_by_default() {
    let out = show(&[&fixture_rel("spin_forever.json")]);
    assert!(
        out.contains("... steps 1..301 not shown (--steps A..B chooses)"),
        "{out}"
    );
    assert!(out.contains("  501  "), "{out}");
}

#[test]
fn colour_only_when_asked_for_or_on_a_terminal() {
    let plain = show(&[&fixture_rel("lost_update.json")]);
    assert!(!plain.contains('\x1b'), "piped output is plain");
    let coloured = show(&["--color", "always", &fixture_rel("lost_update.json")]);
    assert!(
        coloured.contains("\x1b[1m\x1b[97m\x1b[41m>   11"),
        "the failing step is highlighted: {coloured}"
    );
    let r = run(cargo_weft()
        .args(["show", "--color", "auto", &fixture_rel("lost_update.json")])
        .env("NO_COLOR", "1"));
    assert!(!r.stdout.contains('\x1b'));
}

#[test]
fn a_closed_pipe_exits_0_quietly() {
    let bin = env!("CARGO_BIN_EXE_cargo-weft");
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "'{bin}' show --steps 1..501 {} | true; echo \"status=${{PIPESTATUS[0]}}\"",
            fixture_rel("spin_forever.json")
        ))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.trim(), "status=0");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "",
        "no panic, no error"
    );
}

#[test]
fn the_flip_point_is_named_and_its_steps_marked() {
    let out = show(&[&fixture_rel("flip_lost_update.json")]);
    assert!(
        out.contains("flip point: had step 4 (`worker-1`: load `hits`) run after step 8 (`worker-0`: store `hits`), the model passes\n"),
        "{out}"
    );
    insta::assert_snapshot!(out);
}

#[test]
fn as_found_shows_the_first_failing_schedule() {
    let minimal = show(&[&fixture_rel("flip_lost_update.json")]);
    let found = show(&["--as-found", &fixture_rel("flip_lost_update.json")]);
    assert_ne!(minimal, found);
    assert!(
        found.contains("shown: the first failing schedule, as found: 4 preemptions, 13 steps"),
        "{found}"
    );
    // The flip point's numbers are the minimal schedule's: not shown here.
    assert!(!found.contains("flip point"), "{found}");
    insta::assert_snapshot!(found);
}

#[test]
fn as_found_on_a_trace_without_it_shows_the_minimal_one_and_says_why() {
    let r = run(cargo_weft()
        .args(["show", "--as-found", &fixture_rel("flip_abba.json")])
        .env("NO_COLOR", "1"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("(hint: the trace keeps no other schedule"),
        "{}",
        r.stderr
    );
    assert_eq!(r.stdout, show(&[&fixture_rel("flip_abba.json")]));
}

#[test]
fn a_deadlocks_flip_point_marks_the_blocked_thread() {
    let out = show(&[&fixture_rel("flip_abba.json")]);
    assert!(
        out.contains("flip point: had step 4 (`ba`: lock `lock_b`) run after `ab`'s blocked lock `lock_b` (at models/flip_point.rs:58), the model passes\n"),
        "{out}"
    );
    insta::assert_snapshot!(out);
}

/// A potential deadlock (lockdep) shows both acquisition paths with their
/// lines and the lock-order graph with the cycle drawn, not only the
/// message's first line.
#[test]
fn a_potential_deadlock_shows_both_paths_and_the_graph() {
    let out = show(&[&fixture_rel("potential_deadlock.json")]);
    for needle in [
        "potential deadlock: `accounts` and `journal` are locked in both orders",
        "`posting` locked `journal` at models/lockdep.rs:44 while holding `accounts` (locked at models/lockdep.rs:43)",
        "`audit` locked `accounts` at models/lockdep.rs:53 while holding `journal` (locked at models/lockdep.rs:52)",
        "lock-order graph:",
        "accounts ──▶ journal   `posting` at models/lockdep.rs:44",
        "journal ──▶ accounts   `audit` at models/lockdep.rs:53   ◀ closes the cycle",
    ] {
        assert!(out.contains(needle), "`{needle}` not in\n{out}");
    }
}
