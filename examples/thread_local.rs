//! Python's `threading.local()`, in weft: each thread sees its own value
//! of one shared `Local`.
//!
//! ```text
//! cargo run --example thread_local
//! ```
//!
//! Python's version:
//!
//! ```python
//! data = threading.local()
//! def worker(n):
//!     data.count = 0
//!     for _ in range(n): data.count += 1
//!     print(threading.current_thread().name, data.count)
//! ```

use weft::threading::{self, Thread};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let count = threading::local::<u32>();
    let workers = (1..=3)
        .map(|n| {
            let count = count.clone();
            Thread::new(move || {
                for _ in 0..n {
                    count.with(|c| *c += 1);
                }
                count.get()
            })
            .name(format!("worker-{n}"))
            .start()
        })
        .collect::<Result<Vec<_>, _>>()?;
    for worker in workers {
        let name = worker.name().to_owned();
        println!("{name}: count {}", worker.join()?);
    }
    println!("main: count {}", count.get()); // untouched: 0
    Ok(())
}
