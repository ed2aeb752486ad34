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

    // And a good value is taken.
    std::env::set_var("WEFT_ITERATIONS", "3");
    let stats = weft::Model::new().explore(|| {}).unwrap();
    std::env::remove_var("WEFT_ITERATIONS");
    if weft::Backend::current() != weft::Backend::Loom {
        assert_eq!(stats.executions(), 3);
    }
}
