//! The Python guide's `ThreadPoolExecutor` example, in weft: a pool of
//! workers, two tasks submitted, their futures read; then `map`, and the
//! same code generic over any `Executor`.
//!
//! ```text
//! cargo run --example thread_pool
//! ```
//!
//! Python's version:
//!
//! ```python
//! with concurrent.futures.ThreadPoolExecutor(max_workers=2) as executor:
//!     a = executor.submit(thread_function, "A")
//!     b = executor.submit(thread_function, "B")
//!     print(a.result(), b.result())
//!     print(list(executor.map(square, range(5))))
//! ```

use weft::executor::{Executor, MapOptions, ThreadPool};
use weft::time::{sleep, Duration};

fn thread_function(name: &str) -> String {
    println!("Thread {name}: starting");
    sleep(Duration::from_millis(200));
    println!("Thread {name}: finishing");
    format!("{name} done")
}

/// Runs on any executor: a `ThreadPool` with a closure, or a
/// `ProcessPool` with a registered `Entry`.
fn squares<E, F>(pool: &E, square: F) -> Vec<u64>
where
    E: Executor<F, u64, Output = u64>,
{
    pool.map(square, 0..5, MapOptions::new().buffersize(2))
        .expect("the pool is open")
        .map(|r| r.expect("a square"))
        .collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // `with ... as executor`: the pool shuts down (and waits) when dropped.
    let pool = ThreadPool::builder(2)
        .thread_name_prefix("worker")
        .build()?;
    let a = pool.submit(|| thread_function("A"))?;
    let b = pool.submit(|| thread_function("B"))?;
    // Both ran side by side: about 200 ms in all, not 400.
    println!("Main    : {}, {}", a.result(None)?, b.result(None)?);

    let squared = squares(&pool, |x: u64| x * x);
    println!("Main    : squares {squared:?}");
    pool.shutdown(true, false);
    Ok(())
}
