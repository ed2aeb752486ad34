//! README's examples, as tests: each `rust` block of README.md must appear
//! here verbatim (so the page never shows code that does not compile or
//! pass), and runs on the backends it names.

use weft::executor::{Executor, Future, MapOptions, ProcessPool, ThreadPool};
use weft::process::Entry;
use weft::sync::atomic::{AtomicBool, Ordering::SeqCst};
use weft::sync::{Arc, Mutex};
use weft::thread;
use weft::threading::{self, Thread, Timer};
use weft::time::Duration;

#[test]
fn counter() {
    weft::model(|| {
        // panics with the report on failure
        let n = Arc::new(Mutex::new(0).named("counter"));
        let hs: Vec<_> = (0..2)
            .map(|_| {
                let n = n.clone();
                thread::Builder::new()
                    .name("worker")
                    .spawn(move || *n.lock().unwrap() += 1)
                    .unwrap()
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
        assert_eq!(*n.lock().unwrap(), 2);
    });
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
use weft::sync::atomic::{AtomicUsize, Ordering};

#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn lost_update_is_caught() {
    let stats = weft::Model::new()
        .name("lost_update")
        .expect_failure(weft::FailureKind::Assertion) // Ok only if this is found
        .explore(|| {
            let n = Arc::new(AtomicUsize::new(0).named("n"));
            let hs: Vec<_> = (0..2)
                .map(|i| {
                    let n = n.clone();
                    thread::Builder::new()
                        .name(format!("worker-{i}"))
                        .spawn(move || {
                            let v = n.load(Ordering::SeqCst); // load, then store:
                            n.store(v + 1, Ordering::SeqCst); // not one atomic step
                        })
                        .unwrap()
                })
                .collect();
            for h in hs {
                h.join().unwrap();
            }
            assert_eq!(n.load(Ordering::SeqCst), 2);
        })
        .unwrap();
    let failure = stats.caught().unwrap(); // the report, threads and steps
    assert!(failure.threads_in_steps().contains(&"worker-0".to_string()));
}

#[cfg(feature = "shuttle")]
#[test]
fn two_increments_are_proven_by_dpor() {
    let stats = weft::Model::new()
        .name("two_increments")
        .scheduler(weft::Scheduler::Dpor)
        .explore(|| {
            let n = Arc::new(AtomicUsize::new(0).named("n"));
            let n2 = n.clone();
            let t = thread::spawn(move || n2.fetch_add(1, Ordering::SeqCst));
            n.fetch_add(1, Ordering::SeqCst);
            t.join().unwrap();
            assert_eq!(n.load(Ordering::SeqCst), 2);
        })
        .unwrap();
    assert!(stats.is_search_complete()); // "... (dpor scheduler, N workers): ... executions ..., exhaustive"
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn main_reads_the_store_in_some_execution() {
    weft::model(|| {
        let n = Arc::new(AtomicUsize::new(0).named("n"));
        let n2 = n.clone();
        let t = thread::spawn(move || n2.store(1, Ordering::SeqCst));
        // fails the model if no execution explored reads 1 here
        let seen = n.load(Ordering::SeqCst) == 1;
        weft::sometimes!(seen, "main reads 1 before the join");
        t.join().unwrap();
    });
}

// ------------------------------------------------------- the patterns

#[test]
fn thread_pool_submit_and_map() {
    // Three threads and five tasks: on loom, exhaustive up to one
    // preemption (the model suite bounds its pool models the same way).
    weft::Model::new().preemption_bound(1).check(|| {
        let pool = ThreadPool::new(2);
        let a = pool.submit(|| 6 * 7).unwrap();
        let b = pool.submit(|| "done".to_uppercase()).unwrap();
        assert_eq!(a.result(None), Ok(42));
        assert_eq!(b.result(None).unwrap(), "DONE");
        let squares: Vec<u64> = pool
            .map(|x: u64| x * x, 1..=3, MapOptions::new().buffersize(2))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(squares, [1, 4, 9]);
        pool.shutdown(true, false);
    });
}

fn square(x: u64) -> u64 {
    x * x
}
static SQUARE: Entry<u64, u64> = weft_patterns::process_entry!(square);

fn sum_of_squares<E, F>(pool: &E, f: F) -> u64
where
    E: Executor<F, u64, Output = u64>,
{
    let squares = pool.map(f, 1..=4, MapOptions::new().chunksize(2)).unwrap();
    squares.map(Result::unwrap).sum()
}

fn both_pools() {
    // in `main`, before anything else: process::main(&[&SQUARE]);
    assert_eq!(sum_of_squares(&ThreadPool::new(2), square), 30);
    assert_eq!(sum_of_squares(&ProcessPool::new(2), &SQUARE), 30);
}

// Compiled, not run: a process pool needs `process::main` in the binary's
// `main` (tests/process_pool.rs runs pools with their own harness).
const _: fn() = both_pools;

#[test]
fn pending_future_thread_timer_and_local() {
    weft::Model::new().preemption_bound(1).check(|| {
        let (future, promise) = Future::<String>::pending();
        let api = Thread::new(move || promise.set_result("answer".into()))
            .name("callback")
            .start()
            .unwrap();
        assert_eq!(future.result(None).unwrap(), "answer");
        api.join().unwrap();

        let fired = Arc::new(AtomicBool::new(false));
        let f = fired.clone();
        let mut timer = Timer::new(Duration::from_millis(10), move || {
            f.store(true, SeqCst);
        });
        timer.start().unwrap();
        let cancelled = timer.cancel(); // true: the function never runs
        timer.join().unwrap();
        assert_eq!(fired.load(SeqCst), !cancelled);

        let count = threading::local::<u32>();
        count.set(1);
        let theirs = count.clone();
        let other = Thread::new(move || theirs.get()).start().unwrap();
        assert_eq!(other.join(), Ok(0)); // its own value
        assert_eq!(count.get(), 1);
    });
}

/// Every `rust` block of README.md, with its imports taken out (they are at
/// the top of this file once), is a part of this file.
#[test]
fn readme_shows_these_tests_verbatim() {
    let readme = include_str!("../README.md");
    let this = include_str!("readme.rs");
    let mut blocks = 0;
    let mut rest = readme;
    while let Some(start) = rest.find("```rust\n") {
        let body = &rest[start + "```rust\n".len()..];
        let end = body.find("```").expect("a closed code block");
        let code: String = body[..end]
            .lines()
            .filter(|l| !l.starts_with("use "))
            .collect::<Vec<_>>()
            .join("\n");
        assert!(
            this.contains(code.trim()),
            "README.md shows a `rust` block that tests/readme.rs does not have:\n{code}"
        );
        blocks += 1;
        rest = &body[end + 3..];
    }
    assert_eq!(
        blocks, 7,
        "README.md's rust blocks: update this test with them"
    );
}
