//! weft's model suite: every file runs on whichever checker is enabled
//! (`cargo test --features loom`, `--features shuttle`), and the verified
//! models also run as stress tests on real threads (plain `cargo test`).
//! Tests that assert a bug is caught are gated to the checker features.

mod counter;
mod deadlock;
mod lost_update;
mod livelock;
mod lost_wakeup;
mod data_race;
mod timeouts;
mod replay;
mod runner;
mod threading;
mod philosophers;
mod lock_order;
mod executor;
mod process_pool;
mod aio;
