//! A bad `WEFT_*` value is refused with one line naming the variable, the
//! value and what is accepted. (One test in its own binary: it changes the
//! process environment.)

use std::panic::{self, AssertUnwindSafe};

fn refusal(var: &str, value: &str) -> String {
    std::env::set_var(var, value);
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        let _ = weft::Model::new().name("env_check").explore(|| {});
    }));
    std::env::remove_var(var);
    let payload = result.expect_err("a bad value must be refused");
    weft::record::panic_message(payload.as_ref())
}

#[test]
fn every_bad_weft_variable_is_refused_with_one_clear_line() {
    let cases = [
        ("WEFT_ITERATIONS", "lots", "a positive integer"),
        ("WEFT_SEED", "twelve", "an unsigned 64-bit integer"),
        (
            "WEFT_SCHEDULER",
            "round-robin",
            "one of random, pct, pct:<depth>",
        ),
        ("WEFT_PREEMPTIONS", "-1", "a non-negative integer or `none`"),
        ("WEFT_MAX_STEPS", "0", "a positive integer"),
        ("WEFT_TIME_BUDGET", "forever", "500ms, 30s, 2m"),
        ("WEFT_WORKERS", "0", "a positive integer"),
        ("WEFT_WORKERS", "all", "a positive integer"),
    ];
    let hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let mut messages = Vec::new();
    for (var, value, accepted) in cases {
        messages.push((var, value, accepted, refusal(var, value)));
    }
    panic::set_hook(hook);
    for (var, value, accepted, message) in messages {
        assert!(message.starts_with("weft: invalid "), "{message}");
        assert!(message.contains(&format!("{var}=\"{value}\"")), "{message}");
        assert!(message.contains(accepted), "{message}");
        assert_eq!(message.lines().count(), 1, "{message}");
    }

    if weft::Backend::current() == weft::Backend::Loom {
        loom_variables_are_honoured_or_refused();
    }

    // And a good value is taken.
    std::env::set_var("WEFT_ITERATIONS", "3");
    let stats = weft::Model::new().explore(|| {}).unwrap();
    std::env::remove_var("WEFT_ITERATIONS");
    if weft::Backend::current() != weft::Backend::Loom {
        assert_eq!(stats.executions(), 3);
    }
}

/// On loom, loom's own variables are honoured under the `WEFT_*` ones
/// (`LOOM_MAX_PREEMPTIONS=2`, tokio's CI setting, bounds the search), and
/// the ones weft cannot honour are refused in one line, never ignored.
fn loom_variables_are_honoured_or_refused() {
    std::env::set_var("LOOM_MAX_PREEMPTIONS", "2");
    let stats = weft::Model::new().name("loom_env").explore(|| {}).unwrap();
    assert!(
        stats.bounds().contains(&weft::Bound::PreemptionBound(2)),
        "{stats}"
    );
    std::env::set_var("WEFT_PREEMPTIONS", "1");
    let stats = weft::Model::new().name("loom_env").explore(|| {}).unwrap();
    assert!(
        stats.bounds().contains(&weft::Bound::PreemptionBound(1)),
        "WEFT_* wins over LOOM_*: {stats}"
    );
    std::env::remove_var("WEFT_PREEMPTIONS");
    std::env::remove_var("LOOM_MAX_PREEMPTIONS");

    std::env::set_var("LOOM_MAX_PERMUTATIONS", "1");
    let stats = weft::Model::new()
        .name("loom_env")
        .explore(|| {
            use weft::sync::atomic::{AtomicUsize, Ordering::SeqCst};
            let n = weft::sync::Arc::new(AtomicUsize::new(0));
            let n2 = n.clone();
            let t = weft::thread::spawn(move || n2.fetch_add(1, SeqCst));
            n.fetch_add(1, SeqCst);
            t.join().unwrap();
        })
        .unwrap();
    std::env::remove_var("LOOM_MAX_PERMUTATIONS");
    assert_eq!(stats.executions(), 1, "{stats}");
    assert!(
        stats.bounds().contains(&weft::Bound::IterationLimit(1)),
        "{stats}"
    );

    let hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let cases = [
        (
            "LOOM_MAX_PREEMPTIONS",
            "two",
            "weft: invalid ",
            "a non-negative integer",
        ),
        (
            "LOOM_MAX_BRANCHES",
            "1e6",
            "weft: invalid ",
            "a positive integer",
        ),
        (
            "LOOM_MAX_DURATION",
            "10s",
            "weft: invalid ",
            "a positive integer",
        ),
        (
            "LOOM_CHECKPOINT_FILE",
            "c.json",
            "weft: unsupported ",
            "WEFT_REPLAY",
        ),
        ("LOOM_LOG", "1", "weft: unsupported ", "unset it"),
    ];
    let messages: Vec<_> = cases
        .iter()
        .map(|(var, value, _, _)| refusal(var, value))
        .collect();
    panic::set_hook(hook);
    for ((var, value, start, says), message) in cases.iter().zip(messages) {
        assert!(message.starts_with(start), "{message}");
        assert!(message.contains(&format!("{var}=\"{value}\"")), "{message}");
        assert!(message.contains(says), "{message}");
        assert_eq!(message.lines().count(), 1, "{message}");
    }
}
