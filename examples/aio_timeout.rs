//! `aio::timeout`, Python's `asyncio.timeout`: a deadline over a block of
//! work, which the work may move (`reschedule`).
//!
//! ```python
//! async def main():
//!     try:
//!         async with asyncio.timeout(0.05) as cm:
//!             for _ in range(3):
//!                 await asyncio.sleep(0.03)
//!                 cm.reschedule(asyncio.get_running_loop().time() + 0.05)
//!             await asyncio.sleep(1)
//!     except TimeoutError:
//!         print("timed out", cm.expired())
//! ```
//!
//! Run it with `cargo run --example aio_timeout`.

use std::time::Duration;

use weft_patterns::aio;

fn main() {
    let ms = Duration::from_millis;
    aio::run(async move {
        let scope = aio::timeout(ms(50));
        let inner = scope.clone();
        let lp = aio::get_running_loop();
        let result = scope
            .run(async move {
                for step in 0..3 {
                    aio::sleep(ms(30)).await;
                    println!("step {step} done, 50 ms more");
                    inner.reschedule(Some(lp.time() + ms(50)));
                }
                aio::sleep(ms(1000)).await; // too long: the scope ends it
            })
            .await;
        println!("{result:?}, expired: {}", scope.expired());
    });
}
