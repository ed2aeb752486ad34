//! weft's model suite: every file runs on whichever checker is enabled
//! (`cargo test --features loom`, `--features shuttle`), and the verified
//! models also run as stress tests on real threads (plain `cargo test`).
//! Tests that assert a bug is caught are gated to the checker features.

mod process_pool;
mod aio;
