//! `aio::as_completed`, Python's `asyncio.as_completed`: results in the
//! order they arrive.
//!
//! ```python
//! async def main():
//!     for task in asyncio.as_completed([fetch(30), fetch(10), fetch(20)]):
//!         print(await task)
//! ```
//!
//! Run it with `cargo run --example aio_as_completed`.

use std::time::Duration;

use weft_patterns::aio;

fn main() {
    aio::run(async {
        let tasks: Vec<_> = [30u64, 10, 20]
            .into_iter()
            .map(|ms| {
                aio::create_task_named(format!("fetch-{ms}ms"), async move {
                    aio::sleep(Duration::from_millis(ms)).await;
                    ms
                })
            })
            .collect();
        let mut done = aio::as_completed(tasks);
        while let Some(task) = done.next().await {
            println!("{} -> {:?}", task.name(), task.result());
        }
    });
}
