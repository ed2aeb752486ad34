//! `aio::TaskGroup`, Python's `asyncio.TaskGroup`: one failing task cancels
//! its siblings, and the group reports every failure.
//!
//! ```python
//! async def main():
//!     try:
//!         async with asyncio.TaskGroup() as tg:
//!             tg.create_task(fetch("a", 0.01))
//!             tg.create_task(fetch("b", 0.02, fail=True))
//!             tg.create_task(fetch("c", 10))
//!     except* ConnectionError as eg:
//!         print(eg.exceptions)
//! ```
//!
//! Run it with `cargo run --example aio_task_group` (Rust's panic hook
//! prints the panic of `b` as it happens; the group reports it again).

use std::time::Duration;

use weft_patterns::aio::{self, TaskGroup};

async fn fetch(name: &'static str, ms: u64, fail: bool) -> &'static str {
    aio::sleep(Duration::from_millis(ms)).await;
    if fail {
        panic!("{name}: connection reset");
    }
    println!("{name} fetched");
    name
}

fn main() {
    aio::run(async {
        let tg = TaskGroup::new().named("fetches");
        let a = tg.create_task_named("a", fetch("a", 10, false));
        tg.create_task_named("b", fetch("b", 20, true));
        let c = tg.create_task_named("c", fetch("c", 10_000, false));
        match tg.join().await {
            Ok(()) => println!("all fetched"),
            Err(e) => println!("failed: {:?}", e.failures()),
        }
        println!("a: {:?}, c cancelled: {}", a.result(), c.cancelled());
    });
}
