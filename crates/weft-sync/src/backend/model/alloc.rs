//! Memory allocation under a checker: every block is tracked, and a block
//! still allocated when the execution ends is a leak that names where it
//! was allocated (loom's leak check, as for `Arc`).

use std::cell::RefCell;
use std::fmt;

use super::lazy_lock::execution_generation;
use super::recorder;
use crate::explore::FailureKind;
use crate::record::Loc;

pub use std::alloc::Layout;

/// What is live: (address or `Track` token, where, what).
#[derive(Default)]
struct Live {
    generation: u64,
    next_token: usize,
    blocks: Vec<(usize, Loc, &'static str)>,
}

std::thread_local! {
    static LIVE: RefCell<Live> = RefCell::new(Live::default());
}

fn track(key: usize, at: Loc, what: &'static str) {
    let generation = execution_generation();
    if generation == 0 {
        return;
    }
    LIVE.with(|l| {
        let mut l = l.borrow_mut();
        if l.generation != generation {
            *l = Live {
                generation,
                ..Live::default()
            };
        }
        l.blocks.push((key, at, what));
    });
}

fn untrack(key: usize) {
    let generation = execution_generation();
    LIVE.with(|l| {
        let mut l = l.borrow_mut();
        if l.generation == generation {
            if let Some(i) = l.blocks.iter().rposition(|b| b.0 == key) {
                l.blocks.swap_remove(i);
            }
        }
    });
}

/// Fails the execution if a block or `Track` made in it was never freed.
pub(crate) fn check_leaks() {
    let generation = execution_generation();
    let leaked = LIVE.with(|l| {
        let mut l = l.borrow_mut();
        if l.generation != generation {
            return None;
        }
        let first = l.blocks.first().map(|b| (b.1, b.2));
        l.blocks.clear();
        first
    });
    if let Some((at, what)) = leaked {
        recorder::fail(recorder::DetectedFailure {
            kind: FailureKind::Leak,
            message: format!(
                "{what} made at {at} was never freed: it was still live when the execution ended"
            ),
            thread: Some(0),
            location: Some(at),
            race: None,
        });
    }
}

/// Allocates memory. Same as [`std::alloc::alloc`]; under a checker the
/// block is tracked until [`dealloc`], and a block never deallocated is a
/// [`Leak`](crate::explore::FailureKind::Leak) naming this call's location.
///
/// # Safety
///
/// As [`std::alloc::alloc`]: `layout` has a non-zero size.
#[track_caller]
pub unsafe fn alloc(layout: Layout) -> *mut u8 {
    // SAFETY: the caller's contract.
    let ptr = unsafe { std::alloc::alloc(layout) };
    track(ptr as usize, Loc::caller(), "an allocation (alloc::alloc)");
    ptr
}

/// Allocates zeroed memory. Same as [`std::alloc::alloc_zeroed`], tracked
/// as [`alloc`] is.
///
/// # Safety
///
/// As [`std::alloc::alloc_zeroed`]: `layout` has a non-zero size.
#[track_caller]
pub unsafe fn alloc_zeroed(layout: Layout) -> *mut u8 {
    // SAFETY: the caller's contract.
    let ptr = unsafe { std::alloc::alloc_zeroed(layout) };
    track(
        ptr as usize,
        Loc::caller(),
        "an allocation (alloc::alloc_zeroed)",
    );
    ptr
}

/// Deallocates memory. Same as [`std::alloc::dealloc`]; under a checker
/// the block stops being tracked.
///
/// # Safety
///
/// As [`std::alloc::dealloc`]: `ptr` was allocated with `layout` by this
/// module (or std's allocator) and not yet freed.
pub unsafe fn dealloc(ptr: *mut u8, layout: Layout) {
    untrack(ptr as usize);
    // SAFETY: the caller's contract.
    unsafe { std::alloc::dealloc(ptr, layout) }
}

/// A value whose drop the checker tracks. Same as loom's `alloc::Track`:
/// a `Track` never dropped by the end of the execution (a cycle, a
/// `mem::forget`) is a [`Leak`](crate::explore::FailureKind::Leak) naming
/// where it was created.
///
/// # Examples
///
/// ```
/// use weft_sync::alloc::Track;
///
/// let mut t = Track::new(1);
/// *t.get_mut() += 1;
/// assert_eq!(t.into_inner(), 2);
/// ```
pub struct Track<T> {
    value: std::mem::ManuallyDrop<T>,
    token: usize,
}

impl<T> Track<T> {
    /// Tracks `value`.
    #[track_caller]
    pub fn new(value: T) -> Track<T> {
        let token = LIVE.with(|l| {
            let mut l = l.borrow_mut();
            l.next_token += 1;
            // Counted down from the top of the address space, where no
            // heap block lives, so a token never equals a block's address.
            usize::MAX - l.next_token
        });
        track(token, Loc::caller(), "a `Track` value");
        Track {
            value: std::mem::ManuallyDrop::new(value),
            token,
        }
    }

    /// A reference to the value.
    pub fn get_ref(&self) -> &T {
        &self.value
    }

    /// A mutable reference to the value.
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.value
    }

    /// Stops tracking and returns the value.
    pub fn into_inner(self) -> T {
        let mut this = std::mem::ManuallyDrop::new(self);
        untrack(this.token);
        // SAFETY: `this` is never dropped, so the value is taken once.
        unsafe { std::mem::ManuallyDrop::take(&mut this.value) }
    }
}

impl<T> Drop for Track<T> {
    fn drop(&mut self) {
        untrack(self.token);
        // SAFETY: dropped once, here; `into_inner` skips this drop.
        unsafe { std::mem::ManuallyDrop::drop(&mut self.value) }
    }
}

impl<T: Default> Default for Track<T> {
    #[track_caller]
    fn default() -> Track<T> {
        Track::new(T::default())
    }
}

impl<T: fmt::Debug> fmt::Debug for Track<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Track").field(&*self.value).finish()
    }
}
