//! The SPSC ring of `benches/dpor_vs_loom.rs` and
//! `benches/dpor_executions.rs`, written once over a crate of primitives.

/// The SPSC ring, written once over a crate of primitives (`weft`, or
/// `loom` for raw loom): the producer owns `tail`, the consumer `head`; a
/// slot is written before `tail` publishes it (Release) and read after
/// `head` moves past it. `spsc_ring::<ITEMS>` passes `ITEMS` items.
macro_rules! spsc_ring {
    ($krate:ident) => {
        use $krate::cell::UnsafeCell;
        use $krate::sync::atomic::{AtomicUsize, Ordering};
        use $krate::sync::Arc;
        use $krate::thread;

        const SLOTS: usize = 2;

        struct Ring {
            slots: [UnsafeCell<usize>; SLOTS],
            head: AtomicUsize,
            tail: AtomicUsize,
        }

        // SAFETY: a slot is accessed by one side at a time, as the indices
        // hand it over (the model checks exactly that).
        unsafe impl Sync for Ring {}

        pub(crate) fn spsc_ring<const ITEMS: usize>() {
            let ring = Arc::new(Ring {
                slots: [UnsafeCell::new(0), UnsafeCell::new(0)],
                head: AtomicUsize::new(0),
                tail: AtomicUsize::new(0),
            });
            let producer = {
                let ring = ring.clone();
                thread::spawn(move || {
                    for item in 0..ITEMS {
                        let tail = ring.tail.load(Ordering::Relaxed);
                        while tail - ring.head.load(Ordering::Acquire) == SLOTS {
                            thread::yield_now();
                        }
                        // SAFETY: the consumer has moved past this slot.
                        ring.slots[tail % SLOTS].with_mut(|p| unsafe { *p = item + 1 });
                        ring.tail.store(tail + 1, Ordering::Release);
                    }
                })
            };
            let mut got = Vec::new();
            for _ in 0..ITEMS {
                let head = ring.head.load(Ordering::Relaxed);
                while ring.tail.load(Ordering::Acquire) == head {
                    thread::yield_now();
                }
                // SAFETY: the producer published this slot with `tail`.
                got.push(ring.slots[head % SLOTS].with(|p| unsafe { *p }));
                ring.head.store(head + 1, Ordering::Release);
            }
            producer.join().unwrap();
            assert!(got.iter().copied().eq(1..=ITEMS), "{got:?}");
        }
    };
}
