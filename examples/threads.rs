//! The Python threading guide's first example, in weft: two workers start,
//! sleep, and finish; `main` joins them in order and reports each.
//!
//! ```text
//! cargo run --example threads
//! ```
//!
//! Python's version:
//!
//! ```python
//! def thread_function(name):
//!     logging.info("Thread %s: starting", name)
//!     time.sleep(2)
//!     logging.info("Thread %s: finishing", name)
//!
//! threads = [threading.Thread(target=thread_function, args=(i,)) for i in range(2)]
//! for t in threads: t.start()
//! for i, t in enumerate(threads): t.join(); logging.info("Main    : thread %d done", i)
//! ```

use weft::time::{sleep, Duration};
use weft_patterns::threading::{JoinError, Thread};

fn thread_function(index: usize) -> usize {
    println!("Thread {index}: starting");
    sleep(Duration::from_millis(500));
    println!("Thread {index}: finishing");
    index
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut workers = Vec::new();
    for index in 0..2 {
        println!("Main    : create and start thread {index}");
        let worker = Thread::new(move || thread_function(index))
            .name(format!("worker-{index}"))
            .start()?;
        workers.push(worker);
    }
    for (index, worker) in workers.into_iter().enumerate() {
        println!("Main    : before joining thread {index}");
        let name = worker.name().to_string();
        match worker.join() {
            Ok(i) => println!("Main    : thread {i} ({name}) done"),
            Err(e @ JoinError::Panicked { .. }) => println!("Main    : {e}"),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}
