//! The rest of loom's API a port uses, each item exercised as loom's
//! documentation shows it. (Run on raw loom, only the test that checks
//! the report is weft's fails.)
#![cfg(loom)]

use std::panic::{catch_unwind, AssertUnwindSafe};

use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::sync::{mpsc, Arc, Condvar, Mutex, Notify, RwLock};
use loom::thread;

loom::lazy_static! {
    static ref TOTAL: AtomicUsize = AtomicUsize::new(0);
}

loom::thread_local! {
    static DEPTH: std::cell::Cell<u32> = std::cell::Cell::new(0);
}

fn panic_message(f: impl FnOnce()) -> String {
    let payload = catch_unwind(AssertUnwindSafe(f)).expect_err("the model must fail");
    payload
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn locks_condvars_channels_and_notify() {
    loom::model(|| {
        let pair = Arc::new((Mutex::new(false), Condvar::new()));
        let p2 = pair.clone();
        let (tx, rx) = mpsc::channel();
        let notify = Arc::new(Notify::new());
        let n2 = notify.clone();
        let lock = Arc::new(RwLock::new(0));
        let l2 = lock.clone();
        let t = thread::spawn(move || {
            *p2.0.lock().unwrap() = true;
            p2.1.notify_one();
            tx.send(5).unwrap();
            *l2.write().unwrap() += 1;
            n2.notify();
        });
        let mut ready = pair.0.lock().unwrap();
        while !*ready {
            ready = pair.1.wait(ready).unwrap();
        }
        drop(ready);
        assert_eq!(rx.recv().unwrap(), 5);
        notify.wait();
        assert_eq!(*lock.read().unwrap(), 1);
        t.join().unwrap();
    });
}

#[test]
fn lazy_statics_and_thread_locals_are_per_execution_and_thread() {
    loom::model(|| {
        let t = thread::spawn(|| {
            DEPTH.with(|d| d.set(d.get() + 1));
            TOTAL.fetch_add(1, Ordering::SeqCst);
            DEPTH.with(|d| d.get())
        });
        DEPTH.with(|d| d.set(d.get() + 1));
        TOTAL.fetch_add(1, Ordering::SeqCst);
        assert_eq!(t.join().unwrap(), 1);
        assert_eq!(DEPTH.with(|d| d.get()), 1);
        assert_eq!(TOTAL.load(Ordering::SeqCst), 2);
    });
}

#[test]
fn cells_guards_and_atomics_unsynchronized_accessors() {
    loom::model(|| {
        let cell = loom::cell::UnsafeCell::new(1);
        // SAFETY: single-threaded here.
        unsafe { *cell.get_mut().deref() += 1 };
        // SAFETY: no write in progress.
        assert_eq!(cell.get().with(|p| unsafe { *p }), 2);
        let c = loom::cell::Cell::new(3);
        assert_eq!(c.replace(4), 3);
        let mut a = AtomicUsize::new(1);
        a.with_mut(|v| *v += 1);
        // SAFETY: no other thread sees `a`.
        assert_eq!(unsafe { a.unsync_load() }, 2);
        loom::hint::spin_loop();
        loom::sync::atomic::spin_loop_hint();
    });
}

#[test]
fn block_on_and_atomic_waker() {
    use std::future::poll_fn;
    use std::task::Poll;
    loom::model(|| {
        let waker = Arc::new(loom::future::AtomicWaker::new());
        let flag = Arc::new(AtomicUsize::new(0));
        let (w2, f2) = (waker.clone(), flag.clone());
        let t = thread::spawn(move || {
            f2.store(1, Ordering::Release);
            w2.wake();
        });
        let v = loom::future::block_on(poll_fn(|cx| {
            waker.register_by_ref(cx.waker());
            match flag.load(Ordering::Acquire) {
                0 => Poll::Pending,
                v => Poll::Ready(v),
            }
        }));
        assert_eq!(v, 1);
        t.join().unwrap();
    });
}

#[test]
fn a_leaked_track_is_a_leak() {
    let message = panic_message(|| {
        loom::model(|| {
            std::mem::forget(loom::alloc::Track::new(1));
        })
    });
    assert!(message.contains("weft: model"), "{message}");
    assert!(message.contains("leak"), "{message}");
}

#[test]
fn an_unsized_arc_via_from_std() {
    loom::model(|| {
        let a: Arc<[u8]> = Arc::from_std(std::sync::Arc::from(vec![1, 2]));
        assert_eq!(a.len(), 2);
    });
}
