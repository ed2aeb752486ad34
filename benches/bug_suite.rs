//! A suite of small known bugs (and correct programs that look like bugs),
//! each run the way a new user runs it: raw `loom::model` with loom's
//! defaults against a default `weft::model` on loom, in one run. For each
//! program it prints what each side reported (the failure kind, or
//! "verified") and the median time to that verdict, and the ratio weft /
//! raw. The trust issue's bar: every bug raw loom's defaults find, weft
//! finds with the same kind in at most 2x raw loom's time, and no false
//! alarm on a correct program.
//!
//! Each program is written once (a macro over a module of primitives) and
//! instantiated on loom's primitives and on weft's. Raw loom uses loom's
//! `Arc`, except where a deadlock is expected: there loom's own `Arc`
//! aborts the process when the deadlock unwinds, so raw loom gets std's
//! (which adds no scheduling point: weft, with its modelled `Arc`, then
//! explores more interleavings than raw loom to reach the same deadlock).
//!
//! `cargo bench --features loom --bench bug_suite` (other builds print that
//! they skip).

#![allow(missing_docs)]

#[cfg(feature = "loom")]
mod suite {
    use std::panic::{self, AssertUnwindSafe};
    use std::time::{Duration, Instant};

    /// loom's primitives, as a user of raw loom writes them.
    mod raw {
        pub(super) use loom::cell::UnsafeCell;
        pub(super) use loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
        pub(super) use loom::sync::{Arc, Condvar, Mutex};
        pub(super) use loom::thread;
        // loom's own `Arc` aborts the process when a deadlock unwinds: a raw
        // loom user shares state with std's in a program that deadlocks.
        pub(super) use std::sync::Arc as BlockingArc;
    }

    /// weft's primitives.
    mod wft {
        pub(super) use weft::cell::UnsafeCell;
        pub(super) use weft::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
        pub(super) use weft::sync::{Arc, Arc as BlockingArc, Condvar, Mutex};
        pub(super) use weft::thread;
    }

    macro_rules! lost_update {
        ($m:ident) => {
            || {
                use $m::*;
                let n = Arc::new(AtomicUsize::new(0));
                let hs: Vec<_> = (0..2)
                    .map(|_| {
                        let n = n.clone();
                        thread::spawn(move || {
                            let v = n.load(Ordering::SeqCst);
                            n.store(v + 1, Ordering::SeqCst);
                        })
                    })
                    .collect();
                for h in hs {
                    h.join().unwrap();
                }
                assert_eq!(n.load(Ordering::SeqCst), 2);
            }
        };
    }

    macro_rules! abba {
        ($m:ident) => {
            || {
                use $m::*;
                let l = BlockingArc::new((Mutex::new(()), Mutex::new(())));
                let l2 = l.clone();
                let t = thread::spawn(move || {
                    let _b = l2.1.lock().unwrap();
                    let _a = l2.0.lock().unwrap();
                });
                {
                    let _a = l.0.lock().unwrap();
                    let _b = l.1.lock().unwrap();
                }
                t.join().unwrap();
            }
        };
    }

    struct Shared<T>(T);
    // SAFETY: the racy programs are the point; the race checker sees them.
    unsafe impl<T> Sync for Shared<T> {}

    macro_rules! relaxed_publication {
        ($m:ident) => {
            || {
                use $m::*;
                let s = Arc::new(Shared((UnsafeCell::new(0u32), AtomicBool::new(false))));
                let s2 = s.clone();
                let t = thread::spawn(move || {
                    // SAFETY: deliberately racy (Relaxed publication).
                    s2.0 .0.with_mut(|p| unsafe { *p = 1 });
                    s2.0 .1.store(true, Ordering::Relaxed);
                });
                if s.0 .1.load(Ordering::Acquire) {
                    // SAFETY: as above.
                    let _ = s.0 .0.with(|p| unsafe { *p });
                }
                t.join().unwrap();
            }
        };
    }

    macro_rules! lost_wakeup {
        ($m:ident) => {
            || {
                use $m::*;
                let q =
                    BlockingArc::new((Mutex::new(false), Condvar::new(), AtomicBool::new(false)));
                let q2 = q.clone();
                let t = thread::spawn(move || {
                    *q2.0.lock().unwrap() = true;
                    q2.2.store(true, Ordering::SeqCst);
                    q2.1.notify_one();
                });
                if !q.2.load(Ordering::SeqCst) {
                    let g = q.0.lock().unwrap();
                    let _g = q.1.wait(g).unwrap();
                }
                t.join().unwrap();
            }
        };
    }

    macro_rules! polite_livelock {
        ($m:ident) => {
            || {
                use $m::*;
                let flags = Arc::new((AtomicBool::new(false), AtomicBool::new(false)));
                let f2 = flags.clone();
                let t = thread::spawn(move || loop {
                    f2.1.store(true, Ordering::SeqCst);
                    if !f2.0.load(Ordering::SeqCst) {
                        f2.1.store(false, Ordering::SeqCst);
                        break;
                    }
                    f2.1.store(false, Ordering::SeqCst);
                    thread::yield_now();
                });
                loop {
                    flags.0.store(true, Ordering::SeqCst);
                    if !flags.1.load(Ordering::SeqCst) {
                        flags.0.store(false, Ordering::SeqCst);
                        break;
                    }
                    flags.0.store(false, Ordering::SeqCst);
                    thread::yield_now();
                }
                t.join().unwrap();
            }
        };
    }

    /// Correct: the last `Arc` owner's `Drop` reads what another owner wrote.
    macro_rules! arc_drop_queue {
        ($m:ident) => {
            || {
                use $m::*;
                struct Q(UnsafeCell<u32>);
                // SAFETY: the Arc count orders the writer before the drop.
                unsafe impl Sync for Q {}
                impl Drop for Q {
                    fn drop(&mut self) {
                        // SAFETY: the last owner.
                        let _ = self.0.with(|p| unsafe { *p });
                    }
                }
                let q = Arc::new(Q(UnsafeCell::new(0)));
                let q2 = q.clone();
                let t = thread::spawn(move || {
                    // SAFETY: the only writer.
                    q2.0.with_mut(|p| unsafe { *p = 1 });
                    drop(q2);
                });
                drop(q);
                t.join().unwrap();
            }
        };
    }

    /// Correct: a mutex-protected counter.
    macro_rules! counter {
        ($m:ident) => {
            || {
                use $m::*;
                let n = Arc::new(Mutex::new(0));
                let hs: Vec<_> = (0..2)
                    .map(|_| {
                        let n = n.clone();
                        thread::spawn(move || *n.lock().unwrap() += 1)
                    })
                    .collect();
                for h in hs {
                    h.join().unwrap();
                }
                assert_eq!(*n.lock().unwrap(), 2);
            }
        };
    }

    /// What raw loom's message says, in weft's words.
    fn raw_kind(message: &str) -> &'static str {
        if message.starts_with("deadlock") {
            "deadlock"
        } else if message.contains("Causality violation") {
            "data race"
        } else if message.contains("maximum number of branches") {
            "step limit"
        } else {
            "assertion"
        }
    }

    /// raw loom's verdict, its failure printed as raw loom prints it (the
    /// panic hook is left alone: replacing it would also replace the one
    /// loom's generator crate installs to silence the unwinding of its
    /// stacks, and every later execution would print and slow down).
    fn raw_verdict(f: fn()) -> String {
        let r = panic::catch_unwind(AssertUnwindSafe(|| loom::model(f)));
        match r {
            Ok(()) => "verified".to_string(),
            Err(p) => {
                let message = p
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                raw_kind(&message).to_string()
            }
        }
    }

    fn weft_verdict(f: fn()) -> String {
        match weft::Model::new().name("bug_suite").explore(f) {
            Ok(_) => "verified".to_string(),
            Err(failure) => failure.kind().to_string(),
        }
    }

    /// Runs raw and weft alternately, `runs` times each (so that neither
    /// side always runs on a process the other has just warmed or dirtied),
    /// and returns each side's last verdict and median time.
    fn interleaved(runs: usize, raw: fn(), wft: fn()) -> ((String, Duration), (String, Duration)) {
        let (mut rt, mut wt) = (Vec::with_capacity(runs), Vec::with_capacity(runs));
        let (mut rv, mut wv) = (String::new(), String::new());
        for _ in 0..runs {
            let start = Instant::now();
            rv = raw_verdict(raw);
            rt.push(start.elapsed());
            let start = Instant::now();
            wv = weft_verdict(wft);
            wt.push(start.elapsed());
        }
        rt.sort();
        wt.sort();
        ((rv, rt[runs / 2]), (wv, wt[runs / 2]))
    }

    /// A program: its name, then its raw loom and its weft version.
    type Case = (&'static str, fn(), fn());

    pub(crate) fn main() {
        // weft's trace files go out of the way of the user's.
        if std::env::var_os("WEFT_TRACE_DIR").is_none() {
            std::env::set_var("WEFT_TRACE_DIR", "target/weft/bench-traces");
        }
        let cases: Vec<Case> = vec![
            ("lost_update", lost_update!(raw), lost_update!(wft)),
            ("abba", abba!(raw), abba!(wft)),
            (
                "relaxed_publication",
                relaxed_publication!(raw),
                relaxed_publication!(wft),
            ),
            ("lost_wakeup", lost_wakeup!(raw), lost_wakeup!(wft)),
            (
                "polite_livelock",
                polite_livelock!(raw),
                polite_livelock!(wft),
            ),
            (
                "arc_drop_queue (correct)",
                arc_drop_queue!(raw),
                arc_drop_queue!(wft),
            ),
            ("counter (correct)", counter!(raw), counter!(wft)),
        ];
        let runs = std::env::var("BUG_SUITE_RUNS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(5);
        println!(
            "{:<28} {:<12} {:<12} {:>12} {:>12} {:>7}",
            "program", "raw loom", "weft", "raw", "weft", "ratio"
        );
        let only = std::env::var("BUG_SUITE_ONLY").ok();
        let mut bad = 0;
        for (name, raw, wft) in cases {
            if only.as_deref().is_some_and(|o| !name.starts_with(o)) {
                continue;
            }
            let ((rv, rt), (wv, wt)) = interleaved(runs, raw, wft);
            let ratio = wt.as_secs_f64() / rt.as_secs_f64();
            let ok = rv == wv && ratio <= 2.0;
            if !ok {
                bad += 1;
            }
            println!(
                "{:<28} {:<12} {:<12} {:>12.2?} {:>12.2?} {:>6.2}x{}",
                name,
                rv,
                wv,
                rt,
                wt,
                ratio,
                if ok { "" } else { "  <- differs" }
            );
        }
        println!("weft-bench bug_suite programs that differ or take over 2x: {bad}");
    }
}

fn main() {
    #[cfg(feature = "loom")]
    suite::main();
    #[cfg(not(feature = "loom"))]
    println!("bug_suite: skipped (it compares raw loom with weft on loom: cargo bench --features loom --bench bug_suite)");
}
