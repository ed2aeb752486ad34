//! `Queue::shutdown`, Python 3.13's `asyncio.Queue.shutdown`: consumers
//! drain what was queued, then see `QueueShutDown`.
//!
//! ```python
//! async def consumer(q):
//!     try:
//!         while True:
//!             print(await q.get()); q.task_done()
//!     except asyncio.QueueShutDown:
//!         print("closed")
//! ```
//!
//! Run it with `cargo run --example aio_queue_shutdown`.

use std::rc::Rc;

use weft_patterns::aio::{self, Queue};

fn main() {
    aio::run(async {
        let q = Rc::new(Queue::new(2).named("jobs"));
        let consumers: Vec<_> = (0..2)
            .map(|i| {
                let q = q.clone();
                aio::create_task_named(format!("consumer-{i}"), async move {
                    while let Ok(job) = q.get().await {
                        println!("consumer-{i} got {job}");
                        q.task_done();
                    }
                    println!("consumer-{i}: queue shut down");
                })
            })
            .collect();
        for job in 0..5 {
            q.put(job).await.unwrap();
        }
        q.shutdown(false); // graceful: queued jobs are still handed out
        q.join().await;
        aio::gather(consumers).await;
    });
}
