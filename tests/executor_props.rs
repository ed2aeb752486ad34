//! Properties of `weft_patterns::executor` under random sequences of
//! submit, cancel, add_done_callback, result, wait, as_completed and
//! shutdown, on real threads: every future ends exactly once, in one of its
//! documented final states, consistent with what happened to it; every
//! callback runs exactly once and sees that final state; every task runs at
//! most once, and exactly when its future did not end cancelled.
//!
//! Real threads only: under a checker the pool runs inside models
//! (`models/executor.rs`).

#![cfg(not(any(feature = "loom", feature = "shuttle")))]

use std::panic;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Once};
use std::time::Duration;

use proptest::prelude::*;
use weft_patterns::executor::{
    as_completed, wait, Future, FutureError, FutureState, ReturnWhen, SubmitError, ThreadPool,
};

const DELIBERATE: &str = "deliberate";

fn quiet_deliberate_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let message = info
                .payload()
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| info.payload().downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            if !message.starts_with(DELIBERATE) {
                default(info);
            }
        }));
    });
}

#[derive(Clone, Debug)]
enum Op {
    /// Submit a task that spins a little, then returns or panics.
    Submit { panics: bool, spin: u16 },
    /// Cancel the future at this (wrapped) index.
    Cancel(usize),
    /// Add a counting callback to the future at this index.
    Callback(usize),
    /// `result(Some(ZERO))` or `result(None)` on the future at this index.
    Result { index: usize, block: bool },
    /// `wait` (no timeout) on these futures.
    Wait { picks: Vec<usize>, when: u8 },
    /// `as_completed` (no timeout) over these futures.
    AsCompleted { picks: Vec<usize> },
    /// `shutdown(wait, cancel_futures)`.
    Shutdown { wait: bool, cancel_futures: bool },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (any::<bool>(), 0u16..400).prop_map(|(p, spin)| Op::Submit { panics: p && spin % 3 == 0, spin }),
        2 => any::<usize>().prop_map(Op::Cancel),
        2 => any::<usize>().prop_map(Op::Callback),
        1 => (any::<usize>(), any::<bool>()).prop_map(|(index, block)| Op::Result { index, block }),
        1 => (prop::collection::vec(any::<usize>(), 0..4), 0u8..3).prop_map(|(picks, when)| Op::Wait { picks, when }),
        1 => prop::collection::vec(any::<usize>(), 0..4).prop_map(|picks| Op::AsCompleted { picks }),
        1 => (any::<bool>(), any::<bool>()).prop_map(|(wait, cancel_futures)| Op::Shutdown { wait, cancel_futures }),
    ]
}

/// A callback's run count and the states it saw.
type CallbackLog = (Arc<AtomicUsize>, Arc<Mutex<Vec<FutureState>>>);

/// What the test knows about one future.
struct Record {
    future: Future<usize>,
    index: usize,
    panics: bool,
    runs: Arc<AtomicUsize>,
    /// Each callback's run count and the states it saw.
    callbacks: Vec<CallbackLog>,
    /// `cancel()` returned true at least once.
    cancel_succeeded: bool,
    /// `cancel()` returned false at least once (the task had started).
    cancel_refused: bool,
    /// A `shutdown(_, cancel_futures = true)` came after its submit.
    cancel_shutdown_after: bool,
    /// The value was moved out by a `result` call.
    taken: bool,
}

impl Record {
    fn expected(&self) -> usize {
        self.index * 3 + 1
    }

    fn panic_message(&self) -> String {
        format!("{DELIBERATE} task {}", self.index)
    }

    /// Checks a `result` outcome seen during the run against the record.
    fn check_result(&mut self, result: Result<usize, FutureError>) -> Result<(), TestCaseError> {
        match result {
            Ok(v) => {
                prop_assert!(!self.taken, "value taken twice");
                prop_assert!(!self.panics);
                prop_assert_eq!(v, self.expected());
                self.taken = true;
            }
            Err(FutureError::AlreadyTaken) => prop_assert!(self.taken),
            Err(FutureError::Timeout) => {}
            Err(FutureError::Cancelled) => {
                prop_assert!(self.cancel_succeeded || self.cancel_shutdown_after)
            }
            Err(FutureError::Panicked(m)) => {
                prop_assert!(self.panics);
                prop_assert_eq!(m, self.panic_message());
            }
            Err(other) => prop_assert!(false, "unexpected error {other:?}"),
        }
        Ok(())
    }
}

fn run(workers: usize, ops: Vec<Op>) -> Result<(), TestCaseError> {
    quiet_deliberate_panics();
    let pool = ThreadPool::new(workers);
    let mut records: Vec<Record> = Vec::new();
    let mut shut_down = false;
    for op in ops {
        let n = records.len();
        match op {
            Op::Submit { panics, spin } => {
                let index = n;
                let runs = Arc::new(AtomicUsize::new(0));
                let task_runs = runs.clone();
                let submitted = pool.submit(move || {
                    task_runs.fetch_add(1, Ordering::SeqCst);
                    for _ in 0..spin {
                        std::hint::spin_loop();
                    }
                    if panics {
                        panic!("{DELIBERATE} task {index}");
                    }
                    index * 3 + 1
                });
                match submitted {
                    Ok(future) => {
                        prop_assert!(!shut_down, "submit after shutdown succeeded");
                        records.push(Record {
                            future,
                            index,
                            panics,
                            runs,
                            callbacks: Vec::new(),
                            cancel_succeeded: false,
                            cancel_refused: false,
                            cancel_shutdown_after: false,
                            taken: false,
                        });
                    }
                    Err(e) => {
                        prop_assert!(shut_down);
                        prop_assert_eq!(e, SubmitError::Shutdown);
                    }
                }
            }
            Op::Cancel(i) if n > 0 => {
                let r = &mut records[i % n];
                if r.future.cancel() {
                    r.cancel_succeeded = true;
                } else {
                    r.cancel_refused = true;
                }
            }
            Op::Callback(i) if n > 0 => {
                let r = &mut records[i % n];
                let count = Arc::new(AtomicUsize::new(0));
                let seen = Arc::new(Mutex::new(Vec::new()));
                let (c, s) = (count.clone(), seen.clone());
                r.future.add_done_callback(move |f| {
                    c.fetch_add(1, Ordering::SeqCst);
                    s.lock().unwrap().push(f.state());
                });
                r.callbacks.push((count, seen));
            }
            Op::Result { index, block } if n > 0 => {
                let r = &mut records[index % n];
                let timeout = if block { None } else { Some(Duration::ZERO) };
                let result = r.future.result(timeout);
                if block {
                    prop_assert_ne!(&result, &Err(FutureError::Timeout));
                }
                r.check_result(result)?;
            }
            Op::Wait { picks, when } if n > 0 => {
                let when = [
                    ReturnWhen::FirstCompleted,
                    ReturnWhen::FirstException,
                    ReturnWhen::AllCompleted,
                ][when as usize];
                let chosen: Vec<&Future<usize>> =
                    picks.iter().map(|p| &records[p % n].future).collect();
                let outcome = wait(chosen.iter().copied(), None, when);
                prop_assert_eq!(outcome.done.len() + outcome.not_done.len(), chosen.len());
                prop_assert!(outcome.done.iter().all(|f| f.done()));
                match when {
                    ReturnWhen::AllCompleted => prop_assert!(outcome.not_done.is_empty()),
                    ReturnWhen::FirstCompleted => {
                        prop_assert!(chosen.is_empty() || !outcome.done.is_empty())
                    }
                    ReturnWhen::FirstException => prop_assert!(
                        outcome.not_done.is_empty()
                            || outcome
                                .done
                                .iter()
                                .any(|f| f.state() == FutureState::Failed)
                    ),
                }
            }
            Op::AsCompleted { picks } if n > 0 => {
                let chosen: Vec<&Future<usize>> =
                    picks.iter().map(|p| &records[p % n].future).collect();
                let mut yielded = 0;
                for f in as_completed(chosen.iter().copied(), None) {
                    let f = f.expect("no timeout was set");
                    prop_assert!(f.done());
                    yielded += 1;
                }
                prop_assert_eq!(yielded, chosen.len());
            }
            Op::Shutdown {
                wait,
                cancel_futures,
            } => {
                pool.shutdown(wait, cancel_futures);
                shut_down = true;
                if cancel_futures {
                    for r in &mut records {
                        r.cancel_shutdown_after = true;
                    }
                }
                if wait {
                    prop_assert!(records.iter().all(|r| r.future.done()));
                }
            }
            _ => {} // an op on a future before any exists
        }
    }
    drop(pool); // shutdown(wait = true): every callback has run after this

    for r in &mut records {
        let state = r.future.state();
        prop_assert!(state.is_done(), "future {} ended {state:?}", r.index);
        let runs = r.runs.load(Ordering::SeqCst);
        prop_assert!(runs <= 1, "task {} ran {runs} times", r.index);
        match state {
            FutureState::Cancelled => {
                prop_assert_eq!(runs, 0);
                prop_assert!(r.cancel_succeeded || r.cancel_shutdown_after);
                prop_assert!(!r.cancel_refused);
            }
            FutureState::Succeeded => {
                prop_assert_eq!(runs, 1);
                prop_assert!(!r.panics && !r.cancel_succeeded);
            }
            FutureState::Failed => {
                prop_assert_eq!(runs, 1);
                prop_assert!(r.panics && !r.cancel_succeeded);
            }
            other => prop_assert!(false, "not a final state: {other:?}"),
        }
        // The outcome is stable and matches the state.
        let result = r.future.result(Some(Duration::ZERO));
        match state {
            FutureState::Succeeded if !r.taken => {
                prop_assert_eq!(result, Ok(r.expected()));
                prop_assert_eq!(r.future.result(None), Err(FutureError::AlreadyTaken));
            }
            FutureState::Succeeded => prop_assert_eq!(result, Err(FutureError::AlreadyTaken)),
            FutureState::Failed => {
                prop_assert_eq!(result, Err(FutureError::Panicked(r.panic_message())))
            }
            _ => prop_assert_eq!(result, Err(FutureError::Cancelled)),
        }
        for (count, seen) in &r.callbacks {
            prop_assert_eq!(count.load(Ordering::SeqCst), 1, "callback runs");
            prop_assert_eq!(&*seen.lock().unwrap(), &[state]);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn every_future_ends_once_in_a_documented_state_and_every_callback_runs_once(
        workers in 1usize..=3,
        ops in prop::collection::vec(op(), 0..40),
    ) {
        run(workers, ops)?;
    }
}
