//! The Python guide's two-process example, in weft: two worker processes
//! start, sleep, and finish; `main` joins them and reports each one's
//! result. A third process crashes (`abort`) to show that a child's crash
//! does not take the parent down.
//!
//! ```text
//! cargo run --example processes
//! ```
//!
//! Python's version:
//!
//! ```python
//! from multiprocessing import Process
//! import os, time
//!
//! def worker(name):
//!     print(f"Process {name} (pid {os.getpid()}): starting")
//!     time.sleep(0.5)
//!     print(f"Process {name}: finishing")
//!
//! if __name__ == "__main__":
//!     processes = [Process(target=worker, args=(name,)) for name in ("A", "B")]
//!     for p in processes: p.start()
//!     for p in processes: p.join(); print(f"Main    : {p.name} done, exit code {p.exitcode}")
//! ```
//!
//! The one difference in shape: the entry points are declared as statics
//! and listed in `process::main`, called first in `main`, because the child
//! is this same binary started again.

use std::time::{Duration, Instant};

use weft_patterns::process::{self, Entry, Process};

fn worker(name: String) -> String {
    println!("Process {name} (pid {}): starting", std::process::id());
    std::thread::sleep(Duration::from_millis(500));
    println!("Process {name}: finishing");
    format!("{name} slept 500 ms")
}

fn crash(_: ()) -> String {
    process::abort()
}

static WORKER: Entry<String, String> = weft_patterns::process_entry!(worker);
static CRASH: Entry<(), String> = weft_patterns::process_entry!(crash);

fn main() {
    // A re-executed child runs its entry point here and exits.
    process::main(&[&WORKER, &CRASH]);

    let start = Instant::now();
    let mut processes: Vec<_> = ["A", "B"]
        .into_iter()
        .map(|name| Process::new(&WORKER, name.to_string()).with_name(format!("worker-{name}")))
        .collect();
    for p in &mut processes {
        p.start().expect("the worker starts");
        println!(
            "Main    : started {} as pid {}",
            p.name(),
            p.pid().unwrap_or(0)
        );
    }
    for p in processes {
        let name = p.name().to_string();
        match p.join() {
            Ok(result) => println!("Main    : {name} done: {result}"),
            Err(e) => println!("Main    : {name} failed: {e}"),
        }
    }
    // Both slept at the same time: about 0.5 s in all, not 1 s.
    println!("Main    : both workers took {:.2?}", start.elapsed());

    let mut crasher = Process::new(&CRASH, ()).with_name("crasher");
    crasher.start().expect("the crasher starts");
    match crasher.join() {
        Ok(_) => println!("Main    : the crasher did not crash"),
        Err(e) => println!("Main    : {e}; the parent lives on"),
    }
}
