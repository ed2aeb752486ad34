//! `aio::Barrier`, Python's `asyncio.Barrier`: tasks wait until all of
//! them are ready.
//!
//! ```python
//! async def runner(i, barrier):
//!     await asyncio.sleep(i / 100)
//!     print(i, "at the line")
//!     await barrier.wait()
//!     print(i, "go")
//! ```
//!
//! Run it with `cargo run --example aio_barrier`.

use std::rc::Rc;
use std::time::Duration;

use weft_patterns::aio::{self, Barrier};

fn main() {
    aio::run(async {
        let barrier = Rc::new(Barrier::new(3).named("start line"));
        let runners: Vec<_> = (0..3u64)
            .map(|i| {
                let barrier = barrier.clone();
                aio::create_task(async move {
                    aio::sleep(Duration::from_millis(10 * i)).await;
                    println!("{i} at the line");
                    let arrival = barrier.wait().await.unwrap();
                    println!("{i} go (arrived #{arrival})");
                })
            })
            .collect();
        aio::gather(runners).await;
    });
}
