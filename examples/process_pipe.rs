//! Python's `multiprocessing.Pipe`, in weft: a parent and a child process
//! talk both ways over the two ends of a pipe.
//!
//! ```text
//! cargo run --example process_pipe
//! ```
//!
//! Python's version:
//!
//! ```python
//! from multiprocessing import Process, Pipe
//!
//! def shout(conn):
//!     while (line := conn.recv()) is not None:
//!         conn.send(line.upper())
//!
//! if __name__ == "__main__":
//!     here, there = Pipe()
//!     p = Process(target=shout, args=(there,))
//!     p.start()
//!     for word in ("hello", "pipe"):
//!         here.send(word); print(here.recv())
//!     here.send(None); p.join()
//! ```
//!
//! Instead of a `None` sentinel, the parent closes its end: the child's
//! `recv` then returns `Closed` and the child ends.

use weft_patterns::process::{self, Connection, Entry, Process};

fn shout(conn: Connection<String>) -> u32 {
    let mut lines = 0;
    while let Ok(line) = conn.recv() {
        conn.send(line.to_uppercase()).expect("the parent listens");
        lines += 1;
    }
    lines
}

static SHOUT: Entry<Connection<String>, u32> = weft_patterns::process_entry!(shout);

fn main() {
    process::main(&[&SHOUT]);

    let (here, there) = process::pipe().expect("a pipe");
    // `there` moves into the child: the parent keeps only `here`.
    let mut child = Process::new(&SHOUT, there).with_name("shouter");
    child.start().expect("the child starts");
    for word in ["hello", "pipe"] {
        here.send(word.to_string()).expect("the child listens");
        println!(
            "Main    : sent {word:?}, got {:?}",
            here.recv().expect("an answer")
        );
    }
    here.close();
    println!(
        "Main    : the child answered {} lines",
        child.join().expect("it ran")
    );
}
