//! In std mode every weft primitive has exactly the size and alignment of
//! the std (or core) type it stands for: the newtypes add nothing.
//!
//! Under a checker the primitives carry an object id and the engine's state,
//! so this file is for std mode only; and std mode with the `lockdep`
//! feature is not std by design (a `Mutex` carries its lock class).
#![cfg(not(any(feature = "loom", feature = "shuttle", feature = "lockdep")))]

use std::mem::{align_of, size_of};

/// Asserts that each pair of types has the same size and the same alignment,
/// naming the pair that differs.
macro_rules! same_layout {
    ($($weft:ty => $std:ty),+ $(,)?) => {{
        let mut differing: Vec<String> = Vec::new();
        $(
            if size_of::<$weft>() != size_of::<$std>() || align_of::<$weft>() != align_of::<$std>() {
                differing.push(format!(
                    "{} is {} bytes aligned to {}, {} is {} bytes aligned to {}",
                    stringify!($weft),
                    size_of::<$weft>(),
                    align_of::<$weft>(),
                    stringify!($std),
                    size_of::<$std>(),
                    align_of::<$std>(),
                ));
            }
        )+
        assert!(differing.is_empty(), "layouts differ:\n{}", differing.join("\n"));
    }};
}

#[test]
fn locks_and_waiting_primitives_have_the_std_layout() {
    same_layout!(
        weft::sync::Mutex<u64> => std::sync::Mutex<u64>,
        weft::sync::Mutex<()> => std::sync::Mutex<()>,
        weft::sync::Mutex<[u8; 3]> => std::sync::Mutex<[u8; 3]>,
        weft::sync::RwLock<u64> => std::sync::RwLock<u64>,
        weft::sync::Condvar => std::sync::Condvar,
        weft::sync::Barrier => std::sync::Barrier,
        weft::sync::OnceLock<u64> => std::sync::OnceLock<u64>,
        weft::sync::OnceLock<String> => std::sync::OnceLock<String>,
    );
}

#[test]
fn guards_have_the_std_layout() {
    same_layout!(
        weft::sync::MutexGuard<'static, u64> => std::sync::MutexGuard<'static, u64>,
        weft::sync::RwLockReadGuard<'static, u64> => std::sync::RwLockReadGuard<'static, u64>,
        weft::sync::RwLockWriteGuard<'static, u64> => std::sync::RwLockWriteGuard<'static, u64>,
    );
}

#[test]
fn every_atomic_has_the_std_layout() {
    use std::sync::atomic as std_atomic;
    use weft::sync::atomic as weft_atomic;
    same_layout!(
        weft_atomic::AtomicBool => std_atomic::AtomicBool,
        weft_atomic::AtomicUsize => std_atomic::AtomicUsize,
        weft_atomic::AtomicIsize => std_atomic::AtomicIsize,
        weft_atomic::AtomicU8 => std_atomic::AtomicU8,
        weft_atomic::AtomicI8 => std_atomic::AtomicI8,
        weft_atomic::AtomicU16 => std_atomic::AtomicU16,
        weft_atomic::AtomicI16 => std_atomic::AtomicI16,
        weft_atomic::AtomicU32 => std_atomic::AtomicU32,
        weft_atomic::AtomicI32 => std_atomic::AtomicI32,
        weft_atomic::AtomicU64 => std_atomic::AtomicU64,
        weft_atomic::AtomicI64 => std_atomic::AtomicI64,
        weft_atomic::AtomicPtr<u64> => std_atomic::AtomicPtr<u64>,
    );
}

#[test]
fn unsafe_cell_has_the_core_layout() {
    same_layout!(
        weft::cell::UnsafeCell<u64> => core::cell::UnsafeCell<u64>,
        weft::cell::UnsafeCell<u8> => core::cell::UnsafeCell<u8>,
        weft::cell::UnsafeCell<[u64; 4]> => core::cell::UnsafeCell<[u64; 4]>,
    );
}

#[test]
fn option_of_a_primitive_has_the_std_layout() {
    // A newtype that hid the inner type's niche would grow `Option`.
    same_layout!(
        Option<weft::sync::Mutex<u64>> => Option<std::sync::Mutex<u64>>,
        Option<weft::sync::atomic::AtomicBool> => Option<std::sync::atomic::AtomicBool>,
        Option<weft::sync::OnceLock<Box<u64>>> => Option<std::sync::OnceLock<Box<u64>>>,
    );
}

#[test]
fn arc_and_thread_handles_are_std_types() {
    // `Arc`, `Weak` and the thread handles are std's own types in std mode.
    let a: std::sync::Arc<u64> = weft::sync::Arc::new(1);
    let _w: std::sync::Weak<u64> = weft::sync::Arc::downgrade(&a);
    let h: std::thread::JoinHandle<u64> = weft::thread::spawn(|| 7);
    assert_eq!(h.join().unwrap(), 7);
}

#[test]
fn the_comparison_itself_can_fail() {
    // The macro reports a differing pair: u32 and u64 differ in both size and alignment.
    let result = std::panic::catch_unwind(|| same_layout!(u32 => u64));
    let payload = result.expect_err("u32 and u64 have different layouts");
    let message = payload
        .downcast_ref::<String>()
        .expect("the assertion message is a String");
    assert!(
        message.contains("u32 is 4 bytes aligned to 4, u64 is 8 bytes aligned to 8"),
        "{message}"
    );
}

#[test]
fn loom_compatible_cells_and_trackers_have_the_std_layout() {
    same_layout!(
        weft::cell::Cell<u32> => std::cell::Cell<u32>,
        weft::cell::Cell<(u8, u64)> => std::cell::Cell<(u8, u64)>,
        weft::cell::ConstPtr<u64> => *const u64,
        weft::cell::MutPtr<u64> => *mut u64,
        weft::alloc::Track<[u16; 3]> => [u16; 3],
        weft::sync::LazyLock<u64> => std::sync::LazyLock<u64>,
    );
}
