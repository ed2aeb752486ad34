//! Threads are std's own in production.

pub use std::thread::{
    current, park, park_timeout, scope, sleep, spawn, yield_now, Builder, JoinHandle, Result,
    Scope, ScopedJoinHandle, Thread, ThreadId,
};
