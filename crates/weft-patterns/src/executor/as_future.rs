//! [`AsFuture`]: what [`wait`](super::wait) and
//! [`as_completed`](super::as_completed) accept: futures by value, by
//! reference, or inside a box or an `Arc`.

use weft_sync::sync::Arc;

use super::future::Future;

/// A value that gives access to a [`Future`]. Implemented for `Future<T>`
/// and for references, boxes and `Arc`s of anything that implements it;
/// implement it for your own type to wait on futures tagged with data.
///
/// # Examples
///
/// ```
/// # weft_sync::explore::doc_example(|| {
/// use weft_patterns::executor::{wait, AsFuture, Future, ReturnWhen, ThreadPool};
///
/// struct Tagged {
///     name: &'static str,
///     future: Future<u32>,
/// }
///
/// impl AsFuture for Tagged {
///     type Output = u32;
///     fn as_future(&self) -> &Future<u32> {
///         &self.future
///     }
/// }
///
/// let pool = ThreadPool::new(1);
/// let jobs = vec![Tagged { name: "one", future: pool.submit(|| 1).unwrap() }];
/// let outcome = wait(jobs, None, ReturnWhen::AllCompleted);
/// assert_eq!(outcome.done[0].name, "one");
/// # });
/// ```
pub trait AsFuture {
    /// The future's value type.
    type Output;

    /// The future.
    fn as_future(&self) -> &Future<Self::Output>;
}

impl<T> AsFuture for Future<T> {
    type Output = T;

    fn as_future(&self) -> &Future<T> {
        self
    }
}

impl<F: AsFuture + ?Sized> AsFuture for &F {
    type Output = F::Output;

    fn as_future(&self) -> &Future<F::Output> {
        (**self).as_future()
    }
}

impl<F: AsFuture + ?Sized> AsFuture for &mut F {
    type Output = F::Output;

    fn as_future(&self) -> &Future<F::Output> {
        (**self).as_future()
    }
}

impl<F: AsFuture + ?Sized> AsFuture for Box<F> {
    type Output = F::Output;

    fn as_future(&self) -> &Future<F::Output> {
        (**self).as_future()
    }
}

impl<F: AsFuture + ?Sized> AsFuture for Arc<F> {
    type Output = F::Output;

    fn as_future(&self) -> &Future<F::Output> {
        (**self).as_future()
    }
}
