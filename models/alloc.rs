//! loom's `alloc`: blocks and `Track` values are tracked under a checker;
//! one still live when the execution ends is a `Leak` naming its site.

use weft::alloc::{alloc, dealloc, Layout, Track};
use weft::sync::atomic::{AtomicPtr, Ordering};
use weft::sync::Arc;
use weft::thread;

/// A block handed to another thread, which frees it: verified.
#[test]
fn a_block_freed_by_another_thread_is_verified() {
    weft::model(|| {
        let layout = Layout::new::<u64>();
        // SAFETY: `layout` has a non-zero size.
        let p = unsafe { alloc(layout) }.cast::<u64>();
        // SAFETY: `p` is a fresh, aligned block for a u64.
        unsafe { p.write(5) };
        let slot = Arc::new(AtomicPtr::new(p));
        let s2 = Arc::clone(&slot);
        let t = thread::spawn(move || {
            let p = s2.swap(std::ptr::null_mut(), Ordering::AcqRel);
            if !p.is_null() {
                // SAFETY: the swap made this thread the block's only owner.
                unsafe {
                    assert_eq!(p.read(), 5);
                    dealloc(p.cast(), layout);
                }
            }
        });
        t.join().unwrap();
        let p = slot.swap(std::ptr::null_mut(), Ordering::AcqRel);
        if !p.is_null() {
            // SAFETY: as above.
            unsafe { dealloc(p.cast(), layout) };
        }
        let tracked = Track::new(vec![1, 2]);
        assert_eq!(tracked.get_ref().len(), 2);
    });
}

/// A block handed to another thread that only looks at it (a `load`
/// where the hand-over needed a `swap`): nobody frees it, a leak that
/// names the `alloc` call.
#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn a_leaked_block_is_a_leak_naming_its_site() {
    let failure = weft::Model::new()
        .name("alloc_leak")
        .expect_failure(weft::FailureKind::Leak)
        .check(|| {
            let layout = Layout::new::<u64>();
            // SAFETY: `layout` has a non-zero size.
            let p = unsafe { alloc(layout) };
            let slot = Arc::new(AtomicPtr::new(p));
            let s2 = Arc::clone(&slot);
            let t = thread::spawn(move || {
                // Bug: the receiver should take the block and free it.
                assert!(!s2.load(Ordering::Acquire).is_null());
            });
            t.join().unwrap();
        })
        .into_caught()
        .expect("the declared failure");
    assert_eq!(failure.kind(), weft::FailureKind::Leak, "{failure}");
    let at = failure.location().expect("the allocation site");
    assert!(at.file.ends_with("models/alloc.rs"), "{failure}");
    assert!(failure.to_string().contains("was never freed"), "{failure}");
}

/// A `Track` forgotten in one thread is a leak naming where it was made.
#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn a_forgotten_track_is_a_leak() {
    let failure = weft::Model::new()
        .name("track_leak")
        .expect_failure(weft::FailureKind::Leak)
        .check(|| {
            let t = thread::spawn(|| std::mem::forget(Track::new(3u8)));
            t.join().unwrap();
        })
        .into_caught()
        .expect("the declared failure");
    assert_eq!(failure.kind(), weft::FailureKind::Leak, "{failure}");
    assert!(failure.to_string().contains("`Track`"), "{failure}");
    let at = failure.location().expect("the creation site");
    assert!(at.file.ends_with("models/alloc.rs"), "{failure}");
}
