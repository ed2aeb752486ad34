//! weft's own DPOR search (`Scheduler::Dpor`, shuttle): sound where loom's
//! search is not, exhaustive with any number of threads, and far fewer
//! executions than shuttle's naive DFS.

#[cfg(feature = "shuttle")]
pub(crate) mod on_shuttle {
    use weft::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
    use weft::sync::{mpsc, Arc, Condvar, Mutex};
    use weft::thread;
    use weft::time::Duration;
    use weft::{FailureKind, Scheduler};

    fn dpor(name: &str) -> weft::Model {
        weft::Model::new().name(name).scheduler(Scheduler::Dpor)
    }

    /// Explores the model `f` (a spin or poll loop, called `name`) with
    /// DPOR and at most 5,000 steps an execution: its search must finish,
    /// neither failing nor reaching the step limit, and its verdict must
    /// name the bound that made it finish (a spinner held back until a
    /// write).
    fn verified_to_the_end(name: &str, f: impl Fn() + Send + Sync + 'static) {
        let stats = dpor(name)
            .max_steps(5_000)
            .explore(f)
            .unwrap_or_else(|f| panic!("{f}"));
        assert!(stats.is_search_complete(), "{stats}");
        assert!(stats.spinners_held() > 0, "{stats}");
        assert!(stats.to_string().contains(SPIN_BOUND), "{stats}");
    }

    /// What a complete search that held back a spinner adds to its proof.
    const SPIN_BOUND: &str = ", spin loops bounded: a thread that polled twice with nothing written since ran again only after a write (README, Limitations)";

    /// The bound a spin loop's search finishes by, shown: a thread polls a
    /// flag four times, yielding in between, and then gives up. DPOR takes
    /// it for a spinner after two polls with nothing written, and runs it
    /// again only after `main` sets the flag: the give-up path before the
    /// write, which shuttle's DFS reaches, is never run (README,
    /// Limitations). So the verdict says the search was complete up to
    /// that bound. (Should DPOR ever reach the give-up state, the bound and
    /// README change with it.)
    fn gives_up_after_four_polls(
        gave_up: Arc<std::sync::Mutex<Vec<bool>>>,
    ) -> impl Fn() + Send + Sync + 'static {
        move || {
            let flag = Arc::new(AtomicBool::new(false).named("flag"));
            let f = flag.clone();
            let waiter = thread::spawn(move || {
                for _ in 0..4 {
                    if f.load(SeqCst) {
                        return false;
                    }
                    thread::yield_now();
                }
                true
            });
            flag.store(true, SeqCst);
            let g = waiter.join().unwrap();
            gave_up.lock().unwrap().push(g);
        }
    }

    #[test]
    fn a_give_up_path_past_the_spin_bound_is_named_in_the_verdict() {
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let stats = dpor("gives_up_after_four_polls")
            .explore(gives_up_after_four_polls(seen.clone()))
            .unwrap_or_else(|f| panic!("{f}"));
        assert!(stats.is_search_complete(), "{stats}");
        let line = stats.to_string();
        assert!(
            line.contains("; verified: every interleaving under sequential consistency ("),
            "{line}"
        );
        assert!(line.contains(SPIN_BOUND), "{line}");
        assert!(stats.spinners_held() > 0, "{line}");
        let dpor_saw: std::collections::BTreeSet<bool> = seen.lock().unwrap().drain(..).collect();
        assert_eq!(
            dpor_saw,
            [false].into(),
            "DPOR reached the give-up path: update the bound"
        );
        let dfs = weft::Model::new()
            .name("gives_up_after_four_polls_dfs")
            .scheduler(Scheduler::Dfs)
            .explore(gives_up_after_four_polls(seen.clone()))
            .unwrap_or_else(|f| panic!("{f}"));
        assert!(dfs.is_search_complete(), "{dfs}");
        let dfs_saw: std::collections::BTreeSet<bool> = seen.lock().unwrap().drain(..).collect();
        assert_eq!(dfs_saw, [false, true].into());
    }

    const CLOCK_LINE: u32 = line!() + 16;
    /// The virtual clock is shared: `main` reads it while a thread's timed
    /// wait may give up and move it past the timeout. Both orders are
    /// interleavings; the search took the read and the timeout for
    /// independent steps (neither recorded the clock) and ran one, and
    /// called the model verified.
    fn reads_the_clock_beside_a_timeout() {
        let start = weft::time::Instant::now();
        let pair = Arc::new((Mutex::new(()), Condvar::new().named("never_notified")));
        let p = pair.clone();
        let waiter = thread::spawn(move || {
            let g = p.0.lock().unwrap();
            let _ = p.1.wait_timeout(g, Duration::from_millis(10)).unwrap();
        });
        let step = AtomicBool::new(false).named("step");
        step.store(true, SeqCst);
        assert!(
            start.elapsed() < Duration::from_millis(10),
            "the waiter's timeout came first"
        );
        waiter.join().unwrap();
    }

    #[test]
    fn a_clock_read_after_another_threads_timeout_is_explored() {
        let stats = dpor("clock_beside_a_timeout")
            .expect_failure(FailureKind::Assertion)
            .explore(reads_the_clock_beside_a_timeout)
            .unwrap_or_else(|f| panic!("{f}"));
        let caught = stats.caught().expect("caught");
        let report = caught.to_string();
        assert!(report.contains("Panic in thread `main`"), "{report}");
        assert!(
            report.contains("the waiter's timeout came first"),
            "{report}"
        );
        assert!(
            report.contains(&format!("models/dpor.rs:{CLOCK_LINE}")),
            "{report}"
        );
    }

    #[test]
    fn a_search_that_held_no_spinner_claims_every_interleaving_unqualified() {
        let stats = dpor("two_adders")
            .explore(|| {
                let n = Arc::new(AtomicUsize::new(0).named("n"));
                let m = n.clone();
                let t = thread::spawn(move || m.fetch_add(1, SeqCst));
                n.fetch_add(1, SeqCst);
                t.join().unwrap();
            })
            .unwrap_or_else(|f| panic!("{f}"));
        let line = stats.to_string();
        assert_eq!(stats.spinners_held(), 0, "{line}");
        assert!(line.contains("; verified: every interleaving under sequential consistency (2 executions), coverage"), "{line}");
    }

    /// loom issues #392 and #166: `a` can read 2 under sequential
    /// consistency; loom's search never runs that interleaving.
    use crate::verdicts::a_never_reads_2;

    #[test]
    fn the_store_then_load_loom_misses_is_caught() {
        let stats = dpor("a_never_reads_2")
            .expect_failure(FailureKind::Assertion)
            .explore(a_never_reads_2)
            .unwrap_or_else(|f| panic!("{f}"));
        let caught = stats.caught().expect("caught");
        let report = caught.to_string();
        assert!(report.contains("Panic in thread `a`"), "{report}");
        assert!(report.contains("a read 2"), "{report}");
    }

    /// `threads` threads each adding once to one atomic, joined by main,
    /// which checks the sum (also `dpor_workers.rs`'s).
    pub(crate) fn counter(threads: usize) -> impl Fn() + Send + Sync + 'static {
        move || {
            let n = Arc::new(AtomicUsize::new(0).named("n"));
            let handles: Vec<_> = (0..threads)
                .map(|_| {
                    let n = n.clone();
                    thread::spawn(move || {
                        n.fetch_add(1, SeqCst);
                    })
                })
                .collect();
            for h in handles {
                h.join().unwrap();
            }
            assert_eq!(n.load(SeqCst), threads);
        }
    }

    #[test]
    fn a_correct_counter_is_verified_exhaustively() {
        let stats = dpor("counter")
            .explore(counter(2))
            .unwrap_or_else(|f| panic!("{f}"));
        assert!(stats.is_search_complete(), "{stats}");
        assert_eq!(stats.bounds(), [], "{stats}");
        let line = stats.to_string();
        assert!(
            line.contains(&format!(
                ", exhaustive; verified: every interleaving under sequential consistency ({} executions)",
                stats.executions()
            )),
            "{line}"
        );
    }

    /// Eight threads, each writing its own slot and reading its
    /// neighbour's: loom stops at 4 spawned threads.
    fn eight_neighbours() {
        let slots: Arc<Vec<AtomicUsize>> = Arc::new((0..8).map(AtomicUsize::new).collect());
        let handles: Vec<_> = (0..8)
            .map(|i| {
                let slots = slots.clone();
                thread::spawn(move || {
                    slots[i].store(i + 10, SeqCst);
                    let _ = slots[(i + 1) % 8].load(SeqCst);
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        let sum: usize = slots.iter().map(|s| s.load(SeqCst)).sum();
        assert_eq!(sum, (10..18).sum::<usize>());
    }

    #[test]
    fn eight_threads_are_explored_exhaustively() {
        let stats = dpor("eight_neighbours")
            .explore(eight_neighbours)
            .unwrap_or_else(|f| panic!("{f}"));
        assert!(stats.is_search_complete(), "{stats}");
        eprintln!("{stats}");
    }

    /// `n` threads each add once to one atomic, and main joins them: the
    /// `n!` orders of the additions are its only traces, and the search
    /// runs each once. (A join raced with the end of the thread it
    /// joins, and the search ran 14 executions for 3 threads, 626 for 5
    /// and 582,149 for 8, where 6, 120 and 40,320 are the traces.)
    #[test]
    fn threads_adding_to_one_atomic_take_one_execution_per_order() {
        for (threads, orders) in [(2, 2), (3, 6), (4, 24), (5, 120)] {
            let stats = dpor("adders")
                .workers(1)
                .explore(counter(threads))
                .unwrap_or_else(|f| panic!("{f}"));
            assert!(stats.is_search_complete(), "{stats}");
            assert_eq!(stats.executions(), orders, "{threads} threads: {stats}");
        }
    }

    /// A model's question: main asks something `worker` may change first.
    type Asks = fn() -> bool;

    /// Explores `asks` with DPOR, which must find an order where main
    /// sees the worker's change (the assertion's message in its report).
    fn fails_in_some_order(name: &str, asks: Asks) {
        let failure = dpor(name)
            .explore(move || assert!(!asks(), "main saw the worker's change"))
            .expect_err("some order shows main the change");
        let message = failure.message();
        assert!(
            message.contains("main saw the worker's change"),
            "{name}: {message}"
        );
    }

    /// `worker` runs `panic_holding` (which panics while it holds
    /// `lock`); main asks `poisoned`.
    fn asks_if_poisoned<L: Send + Sync + 'static>(
        lock: L,
        panic_holding: fn(&L),
        poisoned: fn(&L) -> bool,
    ) -> bool {
        let lock = Arc::new(lock);
        let l2 = lock.clone();
        let worker = thread::spawn(move || {
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| panic_holding(&l2)));
        });
        let p = poisoned(&lock);
        worker.join().unwrap();
        p
    }

    /// `OnceLock::get` and `is_poisoned` are steps the search orders
    /// against the `set` and the panicking release: they read weft's
    /// state unseen, and the search saw one answer and said verified.
    #[test]
    fn once_lock_get_and_is_poisoned_see_both_answers() {
        use weft::sync::{OnceLock, RwLock};
        let asks: [(&str, Asks); 3] = [
            ("once_lock_get", || {
                let cell = Arc::new(OnceLock::new());
                let c2 = cell.clone();
                let worker = thread::spawn(move || {
                    let _ = c2.set(1);
                });
                let set = cell.get().is_some();
                worker.join().unwrap();
                set
            }),
            ("mutex_is_poisoned", || {
                asks_if_poisoned(
                    Mutex::new(0),
                    |m| {
                        let _g = m.lock().unwrap();
                        panic!("poisons the lock");
                    },
                    |m| m.is_poisoned(),
                )
            }),
            ("rwlock_is_poisoned", || {
                asks_if_poisoned(
                    RwLock::new(0),
                    |l| {
                        let _g = l.write().unwrap();
                        panic!("poisons the lock");
                    },
                    |l| l.is_poisoned(),
                )
            }),
        ];
        for (name, ask) in asks {
            fails_in_some_order(name, ask);
        }
    }

    /// A `try_lock`, `try_read` or `try_write` run inside another thread's
    /// critical section fails. A successful one was a lock taken from the
    /// release before it, which the search never reorders (a blocking
    /// lock run before that release only waits), so it never tried the
    /// lock while the worker held it, and said "verified".
    #[test]
    fn a_try_lock_is_tried_inside_another_threads_critical_section() {
        use weft::sync::RwLock;
        let asks: [(&str, Asks); 3] = [
            ("try_lock_fails", || {
                let m = Arc::new(Mutex::new(0));
                let m2 = m.clone();
                let worker = thread::spawn(move || *m2.lock().unwrap() += 1);
                let failed = m.try_lock().is_err();
                worker.join().unwrap();
                failed
            }),
            ("try_read_fails", || {
                let l = Arc::new(RwLock::new(0));
                let l2 = l.clone();
                let worker = thread::spawn(move || *l2.write().unwrap() += 1);
                let failed = l.try_read().is_err();
                worker.join().unwrap();
                failed
            }),
            ("try_write_fails", || {
                let l = Arc::new(RwLock::new(0));
                let l2 = l.clone();
                let worker = thread::spawn(move || {
                    let _r = l2.read().unwrap();
                });
                let failed = l.try_write().is_err();
                worker.join().unwrap();
                failed
            }),
        ];
        for (name, ask) in asks {
            fails_in_some_order(name, ask);
        }
    }

    /// A worker's two compare-exchanges in a row both fail (nobody ever
    /// stores 1), then it stores the flag main reads. The search took the
    /// worker for a spinner after its second failed poll and held it back
    /// until main, which never writes what it polled, had read: the store
    /// never came before main's read, and the search said "verified".
    /// Straight-line polls, each on its own line, are no spin loop.
    #[test]
    fn two_failed_compare_exchanges_in_a_row_do_not_hide_what_follows() {
        fails_in_some_order("cas_cas_store", || {
            let polled = Arc::new(AtomicUsize::new(0));
            let flag = Arc::new(AtomicUsize::new(0));
            let (p2, f2) = (polled.clone(), flag.clone());
            let worker = thread::spawn(move || {
                let _ = p2.compare_exchange(1, 2, SeqCst, SeqCst);
                let _ = p2.compare_exchange(1, 2, SeqCst, SeqCst);
                f2.store(1, SeqCst);
            });
            let saw = flag.load(SeqCst) == 1;
            worker.join().unwrap();
            saw
        });
    }

    /// Main asks whether `worker` has finished right after spawning it:
    /// both answers are possible. `is_finished` used to read weft's
    /// bookkeeping with no scheduling point and no recorded step, and the
    /// DPOR search said "verified" after one execution, never answering
    /// `true`.
    fn asks_whether_a_thread_finished() {
        let worker = thread::Builder::new().name("worker").spawn(|| {}).unwrap();
        let done = worker.is_finished(); // main asks
        worker.join().unwrap();
        assert!(!done, "`worker` had already finished");
    }

    #[test]
    fn both_answers_of_is_finished_are_explored() {
        let stats = dpor("asks_whether_a_thread_finished")
            .expect_failure(FailureKind::Assertion)
            .explore(asks_whether_a_thread_finished)
            .unwrap_or_else(|f| panic!("{f}"));
        let found = stats.caught().expect("the assertion");
        assert!(
            found.message().contains("`worker` had already finished"),
            "{found}"
        );
        // The report shows the question and its answer, at its line.
        let line = include_str!("dpor.rs")
            .lines()
            .position(|l| l.ends_with("// main asks"))
            .expect("the line")
            + 1;
        let report = found.to_string();
        assert!(
            report.contains(&format!(
                "main           is_finished `worker` = true  at models/dpor.rs:{line}"
            )),
            "{report}"
        );
        // Its trace replays it.
        let trace = found.trace_path().expect("a trace").to_path_buf();
        let again = weft::Model::new()
            .name("asks_whether_a_thread_finished")
            .replay(&trace)
            .expect_failure(FailureKind::Assertion)
            .check(asks_whether_a_thread_finished)
            .into_caught()
            .expect("the replay fails the same way");
        assert_eq!(again.message(), found.message());
    }

    /// Main waits for `worker` by polling `is_finished`, with and without
    /// `yield_now`: the search ends, both loops being polls.
    #[test]
    fn an_is_finished_loop_is_verified() {
        for yields in [true, false] {
            verified_to_the_end("is_finished_loop", move || {
                let n = Arc::new(AtomicUsize::new(0));
                let n2 = n.clone();
                let worker = thread::spawn(move || {
                    n2.fetch_add(1, SeqCst);
                });
                while !worker.is_finished() {
                    if yields {
                        thread::yield_now();
                    }
                }
                assert_eq!(n.load(SeqCst), 1);
                worker.join().unwrap();
            });
        }
    }

    fn lost_update() {
        let n = Arc::new(AtomicUsize::new(0).named("n"));
        let n2 = n.clone();
        let t = thread::spawn(move || {
            let v = n2.load(SeqCst);
            n2.store(v + 1, SeqCst);
        });
        let v = n.load(SeqCst);
        n.store(v + 1, SeqCst);
        t.join().unwrap();
        assert_eq!(n.load(SeqCst), 2, "an update was lost");
    }

    #[test]
    fn a_lost_update_is_caught() {
        dpor("lost_update")
            .expect_failure(FailureKind::Assertion)
            .explore(lost_update)
            .unwrap_or_else(|f| panic!("{f}"));
    }

    fn abba() {
        let locks = Arc::new((Mutex::new(()).named("a"), Mutex::new(()).named("b")));
        let l2 = locks.clone();
        let t = thread::Builder::new()
            .name("ba")
            .spawn(move || {
                let _b = l2.1.lock().unwrap();
                let _a = l2.0.lock().unwrap();
            })
            .unwrap();
        {
            let _a = locks.0.lock().unwrap();
            let _b = locks.1.lock().unwrap();
        }
        t.join().unwrap();
    }

    #[test]
    fn an_abba_deadlock_is_caught() {
        dpor("abba")
            .expect_failure(FailureKind::Deadlock)
            .explore(abba)
            .unwrap_or_else(|f| panic!("{f}"));
    }

    /// A failure found by DPOR replays in one execution, step for step.
    #[test]
    fn a_dpor_trace_replays_in_one_execution() {
        let found = dpor("dpor_replay").explore(lost_update).unwrap_err();
        assert_eq!(found.scheduler(), Scheduler::Dpor);
        let trace = found.trace_path().expect("a trace file").to_path_buf();
        let again = weft::Model::new()
            .name("dpor_replay")
            .replay(&trace)
            .explore(lost_update)
            .unwrap_err();
        assert_eq!(again.kind(), FailureKind::Assertion, "{again}");
        assert_eq!(again.executions(), 1, "{again}");
        let keys = |f: &weft::Failure| {
            f.steps()
                .iter()
                .map(|e| (e.thread, e.op.name(), e.object))
                .collect::<Vec<_>>()
        };
        assert_eq!(keys(&again), keys(&found));
    }

    /// `choose` is a branch of the search: every value is explored, so a
    /// search over a choosing model is still exhaustive.
    fn chooses_a_slot() {
        let slots = Arc::new([
            AtomicUsize::new(0),
            AtomicUsize::new(0),
            AtomicUsize::new(0),
        ]);
        let s2 = slots.clone();
        let t = thread::spawn(move || {
            let i = weft::rand::choose(3);
            s2[i].store(1, SeqCst);
        });
        t.join().unwrap();
        assert_eq!(slots[2].load(SeqCst), 0, "slot 2 was chosen");
    }

    #[test]
    fn every_value_of_choose_is_explored() {
        let stats = dpor("chooses_a_slot")
            .expect_failure(FailureKind::Assertion)
            .explore(chooses_a_slot)
            .unwrap_or_else(|f| panic!("{f}"));
        let caught = stats.caught().expect("caught");
        assert!(caught.to_string().contains("slot 2 was chosen"), "{caught}");
        let stats = dpor("chooses_a_slot_verified")
            .explore(|| {
                let i = weft::rand::choose(3);
                assert!(i < 3);
            })
            .unwrap_or_else(|f| panic!("{f}"));
        assert_eq!(stats.executions(), 3, "{stats}");
        assert!(stats.is_search_complete(), "{stats}");
    }

    /// `spinner` waits for `stop`, which main stores after a bounded
    /// `yield_now` loop of its own.
    fn bounded_wait_beside_a_spinner() {
        let stop = Arc::new(AtomicBool::new(false).named("stop"));
        let s = stop.clone();
        let spinner = thread::spawn(move || {
            while !s.load(SeqCst) {
                thread::yield_now();
            }
        });
        for _ in 0..5 {
            thread::yield_now();
        }
        stop.store(true, SeqCst);
        spinner.join().unwrap();
    }

    /// Once both loops had yielded twice, DPOR took every runnable thread
    /// for a spinner and kept running the current one: `spinner`, to the
    /// step limit, a livelock no fair schedule has. Among spinning
    /// threads the one that polled least goes first now.
    #[test]
    fn a_bounded_yield_loop_beside_a_spinner_is_no_livelock() {
        verified_to_the_end(
            "bounded_wait_beside_a_spinner",
            bounded_wait_beside_a_spinner,
        );
    }

    /// `consumer` receives what main sends after three yields, while
    /// `spinner` waits for main's `stop`.
    fn send_after_yields_beside_a_spinner() {
        let (tx, rx) = mpsc::channel::<u32>();
        let stop = Arc::new(AtomicBool::new(false).named("stop"));
        let s = stop.clone();
        let spinner = thread::spawn(move || {
            while !s.load(SeqCst) {
                thread::yield_now();
            }
        });
        let consumer = thread::spawn(move || rx.recv().unwrap());
        for _ in 0..3 {
            thread::yield_now();
        }
        tx.send(1).unwrap();
        assert_eq!(consumer.join().unwrap(), 1);
        stop.store(true, SeqCst);
        spinner.join().unwrap();
    }

    /// In an execution repeating an explored order, main's send was in
    /// the sleep set and `spinner` the only awake thread: it ran to the
    /// step limit while main never woke. When every awake thread spins,
    /// the sleeping threads run again now.
    /// Two threads take a compare-exchange spinlock (`spin_loop` while
    /// it fails) around a load-then-store increment; `unlocked` says
    /// whether the lock is given back.
    fn spinlock(release: bool) -> impl Fn() + Send + Sync + 'static {
        move || {
            let lock = Arc::new(AtomicBool::new(false).named("lock"));
            let n = Arc::new(AtomicUsize::new(0).named("n"));
            let handles: Vec<_> = (0..2)
                .map(|_| {
                    let (lock, n) = (lock.clone(), n.clone());
                    thread::spawn(move || {
                        while lock.compare_exchange(false, true, SeqCst, SeqCst).is_err() {
                            weft::hint::spin_loop();
                        }
                        let v = n.load(SeqCst);
                        n.store(v + 1, SeqCst);
                        if release {
                            lock.store(false, SeqCst);
                        }
                    })
                })
                .collect();
            for h in handles {
                h.join().unwrap();
            }
            assert_eq!(n.load(SeqCst), 2);
        }
    }

    /// A failed compare-exchange counted as a write: the waiting thread's
    /// loop was never taken for a spin, each execution spun it once more,
    /// and the first one spun it to the step limit, on a correct lock. A
    /// poll that found nothing changes nothing now.
    #[test]
    fn a_compare_exchange_spinlock_is_verified() {
        verified_to_the_end("cas_spinlock", spinlock(true));
        // And one never given back spins for good: the step limit, with
        // the waiting thread's loop shown.
        let failure = dpor("cas_spinlock_never_released")
            .max_steps(500)
            .explore(spinlock(false))
            .unwrap_err();
        assert_eq!(failure.kind(), FailureKind::StepLimit, "{failure}");
        assert_eq!(failure.looping_threads().len(), 1, "{failure}");
    }

    /// A "spinlock" that tests, then sets: both threads may see it free
    /// and enter together. The polling bound must not hide that.
    #[test]
    fn a_test_then_set_lock_is_caught() {
        let stats = dpor("test_then_set")
            .max_steps(5_000)
            .expect_failure(FailureKind::Assertion)
            .explore(|| {
                let lock = Arc::new(AtomicBool::new(false).named("lock"));
                let n = Arc::new(AtomicUsize::new(0).named("n"));
                let handles: Vec<_> = (0..2)
                    .map(|_| {
                        let (lock, n) = (lock.clone(), n.clone());
                        thread::spawn(move || {
                            while lock.load(SeqCst) {
                                weft::hint::spin_loop();
                            }
                            lock.store(true, SeqCst);
                            let v = n.load(SeqCst);
                            n.store(v + 1, SeqCst);
                            lock.store(false, SeqCst);
                        })
                    })
                    .collect();
                for h in handles {
                    h.join().unwrap();
                }
                assert_eq!(n.load(SeqCst), 2, "both threads were inside");
            })
            .unwrap_or_else(|f| panic!("{f}"));
        let caught = stats.caught().expect("caught");
        assert!(
            caught.to_string().contains("both threads were inside"),
            "{caught}"
        );
    }

    /// `consumer` polls with `try_recv` and `yield_now` until main, after a
    /// pause, sends: the channel's lock, taken and given back at every
    /// turn, no longer makes each turn look like progress.
    #[test]
    fn a_try_recv_loop_is_verified() {
        verified_to_the_end("try_recv_loop", || {
            let (tx, rx) = mpsc::channel::<u32>();
            let consumer = thread::spawn(move || loop {
                match rx.try_recv() {
                    Ok(v) => break v,
                    Err(_) => thread::yield_now(),
                }
            });
            for _ in 0..2 {
                thread::yield_now();
            }
            tx.send(5).unwrap();
            assert_eq!(consumer.join().unwrap(), 5);
        });
    }

    /// A consumer waits with `wait_timeout` in a loop until main, after a
    /// pause, sets the flag: its own joining and leaving the condvar's
    /// queue at every timed-out turn made each turn look like progress,
    /// and the search ran it to the step limit. They are no change now.
    #[test]
    fn a_wait_timeout_loop_is_verified() {
        verified_to_the_end("wait_timeout_loop", || {
            let pair = Arc::new((Mutex::new(false), Condvar::new()));
            let p = pair.clone();
            let consumer = thread::spawn(move || {
                let (m, cv) = &*p;
                let mut ready = m.lock().unwrap();
                while !*ready {
                    ready = cv.wait_timeout(ready, Duration::from_millis(10)).unwrap().0;
                }
            });
            for _ in 0..2 {
                thread::yield_now();
            }
            *pair.0.lock().unwrap() = true;
            pair.1.notify_one();
            consumer.join().unwrap();
        });
    }

    /// The same with `recv_timeout` on a channel.
    #[test]
    fn a_recv_timeout_loop_is_verified() {
        verified_to_the_end("recv_timeout_loop", || {
            let (tx, rx) = mpsc::channel::<u32>();
            let consumer = thread::spawn(move || loop {
                if let Ok(v) = rx.recv_timeout(Duration::from_millis(10)) {
                    break v;
                }
            });
            for _ in 0..2 {
                thread::yield_now();
            }
            tx.send(3).unwrap();
            assert_eq!(consumer.join().unwrap(), 3);
        });
    }

    #[test]
    fn a_sender_in_the_sleep_set_beside_a_spinner_is_no_livelock() {
        verified_to_the_end(
            "send_after_yields_beside_a_spinner",
            send_after_yields_beside_a_spinner,
        );
    }
}

/// The default search on shuttle: DPOR, then random schedules if DPOR
/// does not finish within its share of the budget.
#[cfg(feature = "shuttle")]
mod default_search {
    use weft::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    use weft::sync::Arc;
    use weft::thread;
    use weft::{Bound, Scheduler};

    /// `threads` threads each adding 1 to one counter `times` times: the
    /// orders of the adds are the model's traces, (threads × times)! /
    /// times!^threads of them.
    fn adders(threads: usize, times: usize) {
        let n = Arc::new(AtomicUsize::new(0).named("n"));
        let hs: Vec<_> = (0..threads)
            .map(|_| {
                let n = n.clone();
                thread::spawn(move || {
                    for _ in 0..times {
                        n.fetch_add(1, SeqCst);
                    }
                })
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
        assert_eq!(n.load(SeqCst), threads * times);
    }

    /// Six threads adding three times: 18! / 3!^6 traces, far more than
    /// the default search's DPOR runs.
    fn many_adders() {
        adders(6, 3);
    }

    #[test]
    fn an_unfinished_dpor_search_hands_over_to_random_and_says_so() {
        let stats = weft::Model::new()
            .name("many_adders")
            .explore(many_adders)
            .unwrap_or_else(|f| panic!("{f}"));
        assert_eq!(stats.scheduler(), Scheduler::Random, "{stats}");
        let Some(Bound::DporIncomplete(dpor_runs)) = stats.bounds().first().copied() else {
            panic!("{stats}");
        };
        // Its limit is a number of executions, not a time: the same in
        // every build and on every machine.
        assert_eq!(
            dpor_runs,
            weft_sync::explore::DPOR_DEFAULT_EXECUTIONS,
            "{stats}"
        );
        assert!(stats.executions() > dpor_runs, "{stats}");
        assert!(!stats.is_exhaustive(), "{stats}");
        let line = stats.to_string();
        assert!(
            line.contains(&format!(
                "DPOR explored {dpor_runs} executions, not complete; then {} random schedules",
                stats.executions() - dpor_runs
            )),
            "{line}"
        );
    }

    #[test]
    fn a_slow_model_is_verified_by_the_default_search_whatever_the_time() {
        // Each execution takes 100 ms of real time (a debug build, a loaded
        // machine, a model that computes): its 24 traces take 2.4 s on one
        // worker. When the default search gave DPOR 2 s, this model was
        // "not complete; then random"; its verdict now depends on the model
        // alone.
        let stats = weft::Model::new()
            .name("slow_four_adders")
            .workers(1)
            .explore(|| {
                std::thread::sleep(std::time::Duration::from_millis(100));
                // 4! = 24 traces.
                adders(4, 1);
            })
            .unwrap_or_else(|f| panic!("{f}"));
        assert_eq!(stats.scheduler(), Scheduler::Dpor, "{stats}");
        assert!(stats.is_exhaustive(), "{stats}");
        assert_eq!(stats.executions(), 24, "{stats}");
        assert!(
            stats.elapsed() > std::time::Duration::from_secs(2),
            "{stats}"
        );
        assert!(
            stats.to_string().contains(
                "verified: every interleaving under sequential consistency (24 executions)"
            ),
            "{stats}"
        );
    }

    #[test]
    fn eight_threads_are_verified_by_the_default_search() {
        // 8! orders of eight adds: 40,320 traces, within the default
        // search's DPOR limit in any build (a debug build once ran out of
        // its 2 s and said "not complete").
        let stats = weft::Model::new()
            .name("eight_adders")
            .explore(|| adders(8, 1))
            .unwrap_or_else(|f| panic!("{f}"));
        assert_eq!(stats.scheduler(), Scheduler::Dpor, "{stats}");
        assert!(stats.is_exhaustive(), "{stats}");
        assert_eq!(stats.executions(), 40_320, "{stats}");
    }
}
