//! `Handle::call_soon_threadsafe` and `aio::run_coroutine_threadsafe`:
//! another thread hands the loop work through its `Send` handle, and
//! waits for a coroutine's result on a concurrent future.
//!
//! ```python
//! def worker(loop):
//!     loop.call_soon_threadsafe(print, "hello from a thread")
//!     future = asyncio.run_coroutine_threadsafe(compute(), loop)
//!     print("result", future.result())
//! ```
//!
//! `run_coroutine_threadsafe` takes a function that makes the future on
//! the loop (the loop's futures are not `Send`).
//!
//! Run it with `cargo run --example aio_threadsafe`.

use std::time::Duration;

use weft_patterns::aio;

fn main() {
    aio::run(async {
        let handle = aio::get_running_loop();
        let worker = std::thread::spawn(move || {
            handle
                .call_soon_threadsafe(|| println!("hello from a thread, on the loop"))
                .unwrap();
            let future = aio::run_coroutine_threadsafe(
                || async {
                    aio::sleep(Duration::from_millis(5)).await;
                    6 * 7
                },
                &handle,
            )
            .unwrap();
            println!("the thread got {:?}", future.result(None));
        });
        aio::to_thread(move || worker.join().unwrap())
            .await
            .unwrap();
    });
}
