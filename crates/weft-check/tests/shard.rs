//! `WEFT_SHARD=K/N` on shuttle's random scheduler: the N shards of one
//! seed run exactly the executions of the unsharded run, a quarter each
//! for N = 4.
#![cfg(feature = "shuttle")]

use std::process::Command;

use weft_check::{Model, Scheduler, WEFT_PROGRESS, WEFT_SEED, WEFT_SHARD, WEFT_WORKERS};
use weft_sync::sync::{Arc, Mutex};
use weft_sync::thread;

/// Three threads appending their number twice: each execution's order of
/// appends is its fingerprint, printed by `main` at the end.
fn appends() {
    let order = Arc::new(Mutex::new(Vec::new()).named("order"));
    let hs: Vec<_> = (0..3)
        .map(|i| {
            let order = Arc::clone(&order);
            thread::spawn(move || {
                for _ in 0..2 {
                    order.lock().unwrap().push(i);
                }
            })
        })
        .collect();
    for h in hs {
        h.join().unwrap();
    }
    let order = order.lock().unwrap();
    let fingerprint: String = order.iter().map(u8::to_string).collect();
    println!("schedule {fingerprint}");
}

/// Run by the test below in a process of its own.
#[test]
fn sharded_child() {
    if std::env::var_os("WEFT_SHARD_CHILD").is_none() {
        return;
    }
    Model::new()
        .name("appends")
        .scheduler(Scheduler::Random)
        .iterations(200)
        .check(appends);
}

/// The fingerprints of the executions a child ran, in order.
fn schedules(shard: Option<&str>, workers: &str) -> Vec<String> {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([
        "--exact",
        "sharded_child",
        "--test-threads=1",
        "--nocapture",
    ])
    .env("WEFT_SHARD_CHILD", "1")
    .env(WEFT_SEED, "12345")
    .env(WEFT_PROGRESS, "off")
    .env(WEFT_WORKERS, workers)
    .env_remove(WEFT_SHARD);
    if let Some(s) = shard {
        cmd.env(WEFT_SHARD, s);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.find("schedule ").map(|i| l[i + 9..].to_string()))
        .collect()
}

#[test]
fn four_shards_run_exactly_the_unsharded_runs_executions_a_quarter_each() {
    // One worker: its executions print in the order they ran.
    let whole = schedules(None, "1");
    assert_eq!(whole.len(), 200);
    // More than one order, or the test would prove nothing.
    let mut distinct = whole.clone();
    distinct.sort();
    distinct.dedup();
    assert!(distinct.len() > 10, "{distinct:?}");
    let shards: Vec<Vec<String>> = (1..=4)
        .map(|k| schedules(Some(&format!("{k}/4")), "1"))
        .collect();
    for (k, shard) in shards.iter().enumerate() {
        assert_eq!(shard.len(), 50, "shard {}", k + 1);
        // Shard K runs executions K-1, K-1+4, ... of the whole run.
        let expected: Vec<String> = whole.iter().skip(k).step_by(4).cloned().collect();
        assert_eq!(*shard, expected, "shard {}", k + 1);
    }
    let mut union: Vec<String> = shards.into_iter().flatten().collect();
    let mut whole = whole;
    union.sort();
    whole.sort();
    assert_eq!(union, whole);
}

/// With two workers each worker's seed stream is split the same way: the
/// shards' executions together are the unsharded run's (their printed
/// order interleaves the workers, so they are compared as multisets).
#[test]
fn four_shards_of_a_two_worker_run_add_up_to_it() {
    let mut whole = schedules(None, "2");
    assert_eq!(whole.len(), 200);
    let mut union = Vec::new();
    for k in 1..=4 {
        let shard = schedules(Some(&format!("{k}/4")), "2");
        assert_eq!(shard.len(), 50, "shard {k}");
        union.extend(shard);
    }
    union.sort();
    whole.sort();
    assert_eq!(union, whole);
}
