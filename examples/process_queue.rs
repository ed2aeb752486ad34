//! Python's `multiprocessing.Queue`, in weft: two producer processes put
//! their results on one queue; the parent reads until every writer is
//! gone, so that no message is lost, even one put just before a producer
//! exited.
//!
//! ```text
//! cargo run --example process_queue
//! ```
//!
//! Python's version:
//!
//! ```python
//! from multiprocessing import Process, Queue
//!
//! def produce(q, name):
//!     for i in range(3):
//!         q.put(f"{name}: item {i}")
//!
//! if __name__ == "__main__":
//!     q = Queue()
//!     ps = [Process(target=produce, args=(q, n)) for n in ("A", "B")]
//!     for p in ps: p.start()
//!     for _ in range(6): print(q.get())
//!     for p in ps: p.join()
//! ```
//!
//! The parent closes its own writing end after starting the producers, so
//! that `get` says `Closed` once both have ended and the queue is drained:
//! the reader needs no count of the messages to expect.

use weft_patterns::process::{self, Entry, Process, Queue, RecvError};

fn produce((queue, name): (Queue<String>, String)) -> u32 {
    for i in 0..3 {
        queue
            .put(format!("{name}: item {i} from pid {}", std::process::id()))
            .expect("the parent reads");
    }
    3
}

static PRODUCE: Entry<(Queue<String>, String), u32> = weft_patterns::process_entry!(produce);

fn main() {
    process::main(&[&PRODUCE]);

    let queue = Queue::new().expect("a pipe");
    let mut producers: Vec<_> = ["A", "B"]
        .into_iter()
        .map(|name| {
            Process::new(&PRODUCE, (queue.clone(), name.to_string()))
                .with_name(format!("producer-{name}"))
        })
        .collect();
    for p in &mut producers {
        p.start().expect("the producer starts");
    }
    queue.close();
    loop {
        match queue.get() {
            Ok(message) => println!("Main    : got {message}"),
            Err(RecvError::Closed) => break,
            Err(e) => panic!("the queue broke: {e}"),
        }
    }
    for p in producers {
        let name = p.name().to_string();
        println!("Main    : {name} put {} items", p.join().expect("it ran"));
    }
}
