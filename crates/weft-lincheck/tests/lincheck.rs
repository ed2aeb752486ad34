//! The `Lincheck` runner on every backend: an object that is wrong even
//! sequentially (a "queue" that is a stack) fails on std, loom and
//! shuttle alike, and is shrunk; a correct one passes, and declaring a
//! failure it does not have fails as `NotCaught`.

use proptest::prelude::*;
use weft_check::FailureKind;
use weft_lincheck::{Lincheck, Spec};
use weft_sync::sync::Mutex;

#[derive(Clone, Debug)]
enum Op {
    Push(u8),
    Pop,
}

fn ops() -> BoxedStrategy<Op> {
    prop_oneof![(0..4u8).prop_map(Op::Push), Just(Op::Pop)].boxed()
}

fn fifo(seq: &mut std::collections::VecDeque<u8>, op: &Op) -> Option<u8> {
    match op {
        Op::Push(v) => {
            seq.push_back(*v);
            None
        }
        Op::Pop => seq.pop_front(),
    }
}

/// Claims to be a FIFO queue; pops the newest element.
struct StackAsQueue;

impl Spec for StackAsQueue {
    type Op = Op;
    type Ret = Option<u8>;
    type Conc = Mutex<Vec<u8>>;
    type Seq = std::collections::VecDeque<u8>;
    fn new_conc() -> Self::Conc {
        Mutex::new(Vec::new())
    }
    fn new_seq() -> Self::Seq {
        Default::default()
    }
    fn ops() -> BoxedStrategy<Op> {
        ops()
    }
    fn run(conc: &Self::Conc, op: &Op) -> Option<u8> {
        let mut v = conc.lock().unwrap();
        match op {
            Op::Push(x) => {
                v.push(*x);
                None
            }
            Op::Pop => v.pop(),
        }
    }
    fn step(seq: &mut Self::Seq, op: &Op) -> Option<u8> {
        fifo(seq, op)
    }
}

/// A correct queue.
struct Queue;

impl Spec for Queue {
    type Op = Op;
    type Ret = Option<u8>;
    type Conc = Mutex<std::collections::VecDeque<u8>>;
    type Seq = std::collections::VecDeque<u8>;
    fn new_conc() -> Self::Conc {
        Mutex::new(Default::default())
    }
    fn new_seq() -> Self::Seq {
        Default::default()
    }
    fn ops() -> BoxedStrategy<Op> {
        ops()
    }
    fn run(conc: &Self::Conc, op: &Op) -> Option<u8> {
        fifo(&mut conc.lock().unwrap(), op)
    }
    fn step(seq: &mut Self::Seq, op: &Op) -> Option<u8> {
        fifo(seq, op)
    }
}

#[test]
fn a_sequentially_wrong_object_fails_and_is_shrunk_to_two_pushes_and_a_pop() {
    let failure = Lincheck::new()
        .name("stack_as_queue")
        .threads(2)
        .ops_per_thread(4)
        .iterations(5)
        .explore::<StackAsQueue>()
        .unwrap_err();
    assert_eq!(failure.kind(), FailureKind::NotLinearizable);
    let report = failure.to_string();
    assert!(report.contains("failed on"), "{report}");
    assert!(report.contains(": not linearizable"), "{report}");
    assert!(
        report.contains("No sequential order of these operations gives these results"),
        "{report}"
    );
    // Two different pushes, then the pop that gets the second: three
    // operations (fewer cannot tell a stack from a queue).
    assert!(report.contains("3 operations; shrunk from"), "{report}");
    assert!(
        report.contains("The longest prefix that can be linearized (2 of 3"),
        "{report}"
    );
}

#[test]
fn expected_failures_are_caught_with_their_scenario() {
    let stats = Lincheck::new()
        .name("stack_as_queue_expected")
        .iterations(5)
        .expect_failure(FailureKind::NotLinearizable)
        .explore::<StackAsQueue>()
        .unwrap();
    let caught = stats.caught().unwrap();
    assert_eq!(caught.failure().kind(), FailureKind::NotLinearizable);
    assert_eq!(caught.ops(), 3);
}

#[test]
fn a_correct_queue_passes_and_an_expected_failure_it_lacks_is_not_caught() {
    let stats = Lincheck::new()
        .scenarios(10)
        .iterations(5)
        .explore::<Queue>()
        .unwrap();
    assert_eq!(stats.scenarios(), 10);
    assert!(stats.caught().is_none());
    let failure = Lincheck::new()
        .name("queue_not_caught")
        .scenarios(10)
        .iterations(5)
        .expect_failure(FailureKind::NotLinearizable)
        .explore::<Queue>()
        .unwrap_err();
    assert_eq!(failure.kind(), FailureKind::NotCaught);
    assert!(
        failure.message().contains("all 10 scenarios passed"),
        "{failure}"
    );
}

#[test]
fn without_shrinking_the_first_failing_scenario_is_reported() {
    let failure = Lincheck::new()
        .name("unshrunk")
        .threads(2)
        .ops_per_thread(4)
        .iterations(5)
        .shrink(false)
        .explore::<StackAsQueue>()
        .unwrap_err();
    assert!(!failure.to_string().contains("shrunk from"), "{failure}");
}

#[test]
#[should_panic(expected = "a scenario needs at least 1 thread, got threads(0)")]
fn zero_threads_is_refused() {
    let _ = Lincheck::new().threads(0);
}
