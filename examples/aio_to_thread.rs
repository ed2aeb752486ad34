//! `aio::to_thread` / `aio::run_in_executor`, Python's `asyncio.to_thread`
//! and `loop.run_in_executor`: blocking work on the loop's default
//! `ThreadPool` while other tasks go on; `aio::set_default_executor`
//! replaces the pool.
//!
//! ```python
//! async def main():
//!     loop = asyncio.get_running_loop()
//!     loop.set_default_executor(ThreadPoolExecutor(2))
//!     ticker = asyncio.create_task(tick())
//!     digest = await asyncio.to_thread(hash_file)
//! ```
//!
//! Run it with `cargo run --example aio_to_thread`.

use std::time::Duration;

use weft_patterns::aio;
use weft_patterns::executor::ThreadPool;

fn main() {
    aio::run(async {
        aio::set_default_executor(ThreadPool::new(2));
        let ticker = aio::create_task_named("ticker", async {
            for i in 0..3 {
                aio::sleep(Duration::from_millis(10)).await;
                println!("tick {i}");
            }
        });
        let digest = aio::to_thread(|| {
            std::thread::sleep(Duration::from_millis(25)); // blocking work
            (1..=1000u64).sum::<u64>()
        })
        .await;
        println!("digest: {digest:?}");
        ticker.await.unwrap();
    });
}
