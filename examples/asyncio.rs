//! The Python guide's asyncio example: two workers that start, sleep, and
//! finish, run concurrently on one thread.
//!
//! ```python
//! import asyncio
//!
//! async def worker(name, delay):
//!     print(f"{name} started")
//!     await asyncio.sleep(delay)
//!     print(f"{name} finished")
//!     return name
//!
//! async def main():
//!     results = await asyncio.gather(worker("A", 0.2), worker("B", 0.1))
//!     print(f"all done: {results}")
//!
//! asyncio.run(main())
//! ```
//!
//! Run it with `cargo run --example asyncio`. Both workers start before
//! either finishes, B (the shorter sleep) finishes first, and the whole run
//! takes about as long as the longer sleep, not the sum.

use std::time::{Duration, Instant};

use weft_patterns::aio;

async fn worker(name: &'static str, delay: Duration) -> &'static str {
    println!("{name} started");
    aio::sleep(delay).await;
    println!("{name} finished");
    name
}

fn main() {
    let start = Instant::now();
    let results = aio::run(async {
        let a = aio::create_task_named("A", worker("A", Duration::from_millis(200)));
        let b = aio::create_task_named("B", worker("B", Duration::from_millis(100)));
        aio::gather([a, b]).await
    });
    let names: Vec<&str> = results
        .into_iter()
        .map(|r| r.expect("a worker panicked"))
        .collect();
    println!("all done: {names:?} in {:.2?}", start.elapsed());
}
