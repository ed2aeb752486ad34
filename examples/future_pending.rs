//! A callback API bridged to a weft `Future` with `Future::pending()`:
//! the future goes to the caller, its `Promise` to the callback. A
//! callback that is dropped uncalled fails the future with
//! `FutureError::Abandoned` instead of leaving its waiter hanging.
//!
//! ```text
//! cargo run --example future_pending
//! ```
//!
//! Python's version:
//!
//! ```python
//! fut = concurrent.futures.Future()
//! fetch("weft", on_done=fut.set_result)
//! print(fut.result())
//! ```

use weft::executor::{Future, FutureError};
use weft::threading::Thread;
use weft::time::{sleep, Duration};

/// A callback-style API: calls `on_done` with the answer later, on a
/// thread of its own; drops it uncalled for an empty query.
fn fetch(query: &'static str, on_done: impl FnOnce(String) + Send + 'static) {
    let _worker = Thread::new(move || {
        sleep(Duration::from_millis(100));
        if !query.is_empty() {
            on_done(format!("{} results for `{query}`", query.len()));
        }
    })
    .daemon(true)
    .start()
    .expect("start the API's thread");
}

/// The same API, as a future.
fn fetch_future(query: &'static str) -> Future<String> {
    let (future, promise) = Future::pending();
    fetch(query, move |answer| promise.set_result(answer));
    future
}

fn main() {
    let answer = fetch_future("weft");
    println!("Main    : waiting");
    println!("Main    : {:?}", answer.result(None));

    let nothing = fetch_future("");
    match nothing.result(None) {
        Err(FutureError::Abandoned) => println!(
            "Main    : the callback was dropped: {}",
            FutureError::Abandoned
        ),
        other => println!("Main    : unexpected {other:?}"),
    }
}
