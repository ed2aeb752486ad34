//! The environment variables `cargo weft` itself reads.

/// The default of `cargo weft check --timeout`: how long one test may run
/// before it is killed with its process group, as a duration such as `30s`,
/// `10m` or `1h30m` (default 10 minutes). A bad value is bad input (exit
/// status 2).
pub const WEFT_TEST_TIMEOUT: &str = "WEFT_TEST_TIMEOUT";
