//! `aio::shield`, Python's `asyncio.shield`: work that goes on when its
//! waiter gives up.
//!
//! ```python
//! async def main():
//!     save = asyncio.create_task(save_document())
//!     try:
//!         await asyncio.wait_for(asyncio.shield(save), 0.01)
//!     except TimeoutError:
//!         print("still saving in the background")
//!     await save
//! ```
//!
//! Run it with `cargo run --example aio_shield`.

use std::time::Duration;

use weft_patterns::aio;

fn main() {
    let ms = Duration::from_millis;
    aio::run(async move {
        let save = aio::shield(async move {
            aio::sleep(ms(50)).await;
            println!("document saved");
            "saved"
        });
        let task_name = save.task().name();
        match aio::wait_for(save, ms(10)).await {
            Ok(r) => println!("{r:?}"),
            Err(e) => println!("gave up after {e}: task '{task_name}' goes on"),
        }
        aio::sleep(ms(100)).await;
    });
}
