//! `aio::Lock`, Python's `asyncio.Lock`: fair, the first waiter wins, so a
//! task that releases the lock and asks again queues behind the others.
//!
//! ```python
//! async def printer(name, lock):
//!     for page in range(2):
//!         async with lock:
//!             print(name, "prints page", page)
//!             await asyncio.sleep(0)
//! ```
//!
//! Run it with `cargo run --example aio_lock`.

use std::rc::Rc;

use weft_patterns::aio::{self, Lock};

fn main() {
    aio::run(async {
        let lock = Rc::new(Lock::new().named("printer"));
        let jobs: Vec<_> = ["A", "B", "C"]
            .into_iter()
            .map(|name| {
                let lock = lock.clone();
                aio::create_task(async move {
                    for page in 0..2 {
                        let _held = lock.lock().await;
                        println!("{name} prints page {page}");
                        aio::yield_now().await;
                    }
                })
            })
            .collect();
        aio::gather(jobs).await; // A0 B0 C0 A1 B1 C1: turns, in arrival order
    });
}
