//! [`yield_now`]: give the other ready tasks a turn.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Lets every other ready task run before this one continues (Python's
/// `await asyncio.sleep(0)`). Works on any executor: it wakes its own task
/// and returns `Pending` once.
///
/// Under a checker this is a point where another task may be chosen to run.
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use std::cell::RefCell;
/// use std::rc::Rc;
/// use weft_patterns::aio;
///
/// let log = Rc::new(RefCell::new(Vec::new()));
/// let (a, b) = (log.clone(), log.clone());
/// aio::run(async move {
///     let t = aio::create_task(async move { a.borrow_mut().push("task") });
///     b.borrow_mut().push("main before");
///     aio::yield_now().await;
///     b.borrow_mut().push("main after");
///     t.await.unwrap();
/// });
/// // The task runs only once main yields. On real threads the loop is
/// // FIFO: it runs at that yield, before "main after"; a checker explores
/// // either task going first after the yield.
/// let log = log.borrow();
/// assert_eq!(log[0], "main before");
/// assert_eq!(log.len(), 3);
/// # if weft_sync::capability::real_threads() {
/// #     assert_eq!(*log, ["main before", "task", "main after"]);
/// # }
/// # });
/// ```
pub fn yield_now() -> YieldNow {
    YieldNow { yielded: false }
}

/// The future returned by [`yield_now`].
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
