//! The first pool model a new user writes (issue 12): two workers, two
//! submits, both results checked, shutdown. One copy for the model suite
//! (`executor.rs` verifies it, `thread_pool_cost.rs` counts what it costs
//! to explore) and the benches that measure it (`benches/dpor_executions.rs`,
//! `benches/dpor_vs_loom.rs`, through `#[path]`).

use weft::executor::ThreadPool;

/// The model's body.
// Unused by the model suite on loom, whose full search of it does not
// finish (`executor.rs` runs a bounded variant there).
#[cfg_attr(feature = "loom", allow(dead_code))]
pub(crate) fn first_pool_model() {
    let pool = ThreadPool::new(2);
    let a = pool.submit(|| 1).unwrap();
    let b = pool.submit(|| 2).unwrap();
    assert_eq!(a.result(None), Ok(1));
    assert_eq!(b.result(None), Ok(2));
    pool.shutdown(true, false);
}
