//! Linearizability (`weft::lincheck`): correct objects verified on every
//! backend; a queue whose `len` reads two counters, a stack whose `pop` on
//! empty can return a stale element and a map whose `get_or_insert` races
//! caught on the checkers, each shrunk to its minimal scenario; and
//! crossbeam's `SegQueue` and `ArrayQueue`, which are not built on weft
//! primitives, checked on real threads only (std mode).

use std::collections::{BTreeMap, VecDeque};

use proptest::prelude::*;
use weft::lincheck::{Lincheck, Spec};
use weft::sync::atomic::{AtomicI64, AtomicU32, AtomicU64, Ordering};
use weft::sync::Mutex;

#[derive(Clone, Debug)]
pub(crate) enum QueueOp {
    Push(u8),
    Pop,
    Len,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum QueueRet {
    Done,
    Popped(Option<u8>),
    Len(i64),
}

fn queue_ops() -> BoxedStrategy<QueueOp> {
    prop_oneof![
        (0..3u8).prop_map(QueueOp::Push),
        Just(QueueOp::Pop),
        Just(QueueOp::Len)
    ]
    .boxed()
}

fn queue_step(seq: &mut VecDeque<u8>, op: &QueueOp) -> QueueRet {
    match op {
        QueueOp::Push(v) => {
            seq.push_back(*v);
            QueueRet::Done
        }
        QueueOp::Pop => QueueRet::Popped(seq.pop_front()),
        QueueOp::Len => QueueRet::Len(seq.len() as i64),
    }
}

/// A `Mutex<VecDeque>`: linearizable.
pub(crate) struct LockedQueue;

impl Spec for LockedQueue {
    type Op = QueueOp;
    type Ret = QueueRet;
    type Conc = Mutex<VecDeque<u8>>;
    type Seq = VecDeque<u8>;
    fn new_conc() -> Self::Conc {
        Mutex::new(VecDeque::new()).named("queue")
    }
    fn new_seq() -> Self::Seq {
        VecDeque::new()
    }
    fn ops() -> BoxedStrategy<QueueOp> {
        queue_ops()
    }
    fn run(conc: &Self::Conc, op: &QueueOp) -> QueueRet {
        queue_step(&mut conc.lock().unwrap(), op)
    }
    fn step(seq: &mut VecDeque<u8>, op: &QueueOp) -> QueueRet {
        queue_step(seq, op)
    }
}

#[test]
fn a_locked_queue_is_linearizable() {
    let stats = Lincheck::new()
        .threads(2)
        .ops_per_thread(3)
        .scenarios(30)
        .check::<LockedQueue>();
    assert!(stats.executions() >= 30);
}

/// Objects with a linearizability bug: each is caught on the checkers
/// and shrunk to its minimal scenario. (A stress run on real threads may
/// never hit the interleaving: these tests are the checkers'.)
#[cfg_attr(not(any(feature = "loom", feature = "shuttle")), allow(dead_code))]
pub(crate) mod caught {
    use super::*;

    /// A queue whose `len` reads the count of pushes and the count of pops
    /// one after the other: between the two reads, other threads may push and
    /// pop, and the difference is a length the queue never had.
    pub(crate) struct TwoCounterQueue;

    pub(crate) struct TwoCounters {
        items: Mutex<VecDeque<u8>>,
        pushed: AtomicI64,
        popped: AtomicI64,
    }

    impl Spec for TwoCounterQueue {
        type Op = QueueOp;
        type Ret = QueueRet;
        type Conc = TwoCounters;
        type Seq = VecDeque<u8>;
        fn new_conc() -> TwoCounters {
            TwoCounters {
                items: Mutex::new(VecDeque::new()).named("items"),
                pushed: AtomicI64::new(0).named("pushed"),
                popped: AtomicI64::new(0).named("popped"),
            }
        }
        fn new_seq() -> Self::Seq {
            VecDeque::new()
        }
        fn ops() -> BoxedStrategy<QueueOp> {
            queue_ops()
        }
        fn run(q: &TwoCounters, op: &QueueOp) -> QueueRet {
            match op {
                QueueOp::Push(v) => {
                    q.items.lock().unwrap().push_back(*v);
                    q.pushed.fetch_add(1, Ordering::SeqCst);
                    QueueRet::Done
                }
                QueueOp::Pop => {
                    let v = q.items.lock().unwrap().pop_front();
                    if v.is_some() {
                        q.popped.fetch_add(1, Ordering::SeqCst);
                    }
                    QueueRet::Popped(v)
                }
                QueueOp::Len => {
                    // BUG: two reads, not one snapshot.
                    let pushed = q.pushed.load(Ordering::SeqCst);
                    let popped = q.popped.load(Ordering::SeqCst);
                    QueueRet::Len(pushed - popped)
                }
            }
        }
        fn step(seq: &mut VecDeque<u8>, op: &QueueOp) -> QueueRet {
            queue_step(seq, op)
        }
    }

    #[cfg(any(feature = "loom", feature = "shuttle"))]
    #[test]
    fn a_len_that_reads_two_counters_is_caught() {
        let stats = Lincheck::new()
            .name("two_counter_len")
            .expect_failure(weft::FailureKind::NotLinearizable)
            .explore::<TwoCounterQueue>()
            .unwrap();
        let caught = stats.caught().unwrap();
        let failure = caught.failure();
        assert_eq!(failure.kind(), weft::FailureKind::NotLinearizable);
        // Minimal: a `len` against a push and a pop (two operations give
        // nothing `len` could get wrong).
        assert_eq!(caught.threads(), 2, "{failure}");
        assert_eq!(caught.ops(), 3, "{failure}");
        let report = failure.to_string();
        assert!(
            report.contains("No sequential order of these operations gives these results"),
            "{report}"
        );
        assert!(
            report.contains("Len: Len(-1)") || report.contains("Len: Len("),
            "{report}"
        );
        assert!(
            report.contains("The longest prefix that can be linearized"),
            "{report}"
        );
        assert!(
            report.contains("`pushed`") && report.contains("`popped`"),
            "{report}"
        );
    }

    #[derive(Clone, Debug)]
    pub(crate) enum StackOp {
        Push(u8),
        Pop,
    }

    /// A stack with a cached top for a lock-free "is it empty" fast path; when
    /// the cache says non-empty but the stack is empty by the time `pop`
    /// holds the lock, it returns the cached (stale) element.
    pub(crate) struct StaleStack;

    pub(crate) struct CachedTop {
        items: Mutex<Vec<u8>>,
        /// The top element plus one; 0 when empty.
        top: AtomicU32,
    }

    fn stack_step(seq: &mut Vec<u8>, op: &StackOp) -> Option<u8> {
        match op {
            StackOp::Push(v) => {
                seq.push(*v);
                None
            }
            StackOp::Pop => seq.pop(),
        }
    }

    impl Spec for StaleStack {
        type Op = StackOp;
        type Ret = Option<u8>;
        type Conc = CachedTop;
        type Seq = Vec<u8>;
        fn new_conc() -> CachedTop {
            CachedTop {
                items: Mutex::new(Vec::new()).named("items"),
                top: AtomicU32::new(0).named("top"),
            }
        }
        fn new_seq() -> Vec<u8> {
            Vec::new()
        }
        fn ops() -> BoxedStrategy<StackOp> {
            prop_oneof![(0..3u8).prop_map(StackOp::Push), Just(StackOp::Pop)].boxed()
        }
        fn run(s: &CachedTop, op: &StackOp) -> Option<u8> {
            match op {
                StackOp::Push(v) => {
                    let mut items = s.items.lock().unwrap();
                    items.push(*v);
                    s.top.store(u32::from(*v) + 1, Ordering::SeqCst);
                    None
                }
                StackOp::Pop => {
                    let cached = s.top.load(Ordering::SeqCst);
                    if cached == 0 {
                        return None;
                    }
                    let mut items = s.items.lock().unwrap();
                    let v = items.pop();
                    let next = items.last().map_or(0, |t| u32::from(*t) + 1);
                    s.top.store(next, Ordering::SeqCst);
                    // BUG: trusts the cache read before the lock.
                    Some(v.unwrap_or((cached - 1) as u8))
                }
            }
        }
        fn step(seq: &mut Vec<u8>, op: &StackOp) -> Option<u8> {
            stack_step(seq, op)
        }
    }

    #[cfg(any(feature = "loom", feature = "shuttle"))]
    #[test]
    fn a_pop_on_empty_that_returns_a_stale_element_is_caught() {
        let stats = Lincheck::new()
            .name("stale_pop")
            .expect_failure(weft::FailureKind::NotLinearizable)
            .explore::<StaleStack>()
            .unwrap();
        let caught = stats.caught().unwrap();
        let failure = caught.failure();
        assert_eq!(failure.kind(), weft::FailureKind::NotLinearizable);
        // Minimal: one push and two pops that both get it.
        assert_eq!(caught.threads(), 2, "{failure}");
        assert_eq!(caught.ops(), 3, "{failure}");
    }

    #[derive(Clone, Debug)]
    pub(crate) enum MapOp {
        GetOrInsert(u8, u8),
        Get(u8),
    }

    /// A map whose `get_or_insert` looks the key up and inserts under two
    /// separate locks: two threads can both miss and both insert, each
    /// returning its own value.
    pub(crate) struct RacyMap;

    fn map_step(seq: &mut BTreeMap<u8, u8>, op: &MapOp) -> Option<u8> {
        match op {
            MapOp::GetOrInsert(k, v) => Some(*seq.entry(*k).or_insert(*v)),
            MapOp::Get(k) => seq.get(k).copied(),
        }
    }

    fn map_ops() -> BoxedStrategy<MapOp> {
        prop_oneof![
            (0..2u8, 0..3u8).prop_map(|(k, v)| MapOp::GetOrInsert(k, v)),
            (0..2u8).prop_map(MapOp::Get)
        ]
        .boxed()
    }

    impl Spec for RacyMap {
        type Op = MapOp;
        type Ret = Option<u8>;
        type Conc = Mutex<BTreeMap<u8, u8>>;
        type Seq = BTreeMap<u8, u8>;
        fn new_conc() -> Self::Conc {
            Mutex::new(BTreeMap::new()).named("map")
        }
        fn new_seq() -> Self::Seq {
            BTreeMap::new()
        }
        fn ops() -> BoxedStrategy<MapOp> {
            map_ops()
        }
        fn run(map: &Self::Conc, op: &MapOp) -> Option<u8> {
            match op {
                MapOp::GetOrInsert(k, v) => {
                    // BUG: the lookup and the insert are two critical sections.
                    let found = map.lock().unwrap().get(k).copied();
                    if found.is_some() {
                        return found;
                    }
                    map.lock().unwrap().insert(*k, *v);
                    Some(*v)
                }
                MapOp::Get(k) => map.lock().unwrap().get(k).copied(),
            }
        }
        fn step(seq: &mut BTreeMap<u8, u8>, op: &MapOp) -> Option<u8> {
            map_step(seq, op)
        }
        fn partition(op: &MapOp) -> Option<u64> {
            match op {
                MapOp::GetOrInsert(k, _) | MapOp::Get(k) => Some(u64::from(*k)),
            }
        }
    }

    #[cfg(any(feature = "loom", feature = "shuttle"))]
    #[test]
    fn a_racy_get_or_insert_is_caught() {
        let stats = Lincheck::new()
            .name("racy_get_or_insert")
            .expect_failure(weft::FailureKind::NotLinearizable)
            .explore::<RacyMap>()
            .unwrap();
        let caught = stats.caught().unwrap();
        let failure = caught.failure();
        assert_eq!(failure.kind(), weft::FailureKind::NotLinearizable);
        // Minimal: two threads, one `get_or_insert` each, of one key with
        // different values.
        assert_eq!(caught.threads(), 2, "{failure}");
        assert_eq!(caught.ops(), 2, "{failure}");
        assert_eq!(caught.parallel_ops(), vec![1, 1], "{failure}");
        // The two share a key (which one is where shrinking stopped). On
        // shuttle the history is checked one key at a time; on loom, whose
        // histories keep program order only, it is checked whole (splitting
        // by key is sound under real-time order alone).
        let by_key = failure
            .to_string()
            .contains("Checked one key at a time (Spec::partition)");
        assert_eq!(by_key, cfg!(feature = "shuttle"), "{failure}");
    }
}

/// A lock-free counter: `fetch_add` and `load`.
struct AtomicCounter;

#[derive(Clone, Debug)]
pub(crate) enum CounterOp {
    Add(u8),
    Get,
}

impl Spec for AtomicCounter {
    type Op = CounterOp;
    type Ret = u64;
    type Conc = AtomicU64;
    type Seq = u64;
    fn new_conc() -> AtomicU64 {
        AtomicU64::new(0).named("counter")
    }
    fn new_seq() -> u64 {
        0
    }
    fn ops() -> BoxedStrategy<CounterOp> {
        prop_oneof![(1..4u8).prop_map(CounterOp::Add), Just(CounterOp::Get)].boxed()
    }
    fn run(c: &AtomicU64, op: &CounterOp) -> u64 {
        match op {
            // A compare-and-swap loop, as lock-free objects are written.
            CounterOp::Add(n) => {
                let mut cur = c.load(Ordering::SeqCst);
                loop {
                    match c.compare_exchange(
                        cur,
                        cur + u64::from(*n),
                        Ordering::SeqCst,
                        Ordering::SeqCst,
                    ) {
                        Ok(prev) => return prev,
                        Err(now) => cur = now,
                    }
                }
            }
            CounterOp::Get => c.load(Ordering::SeqCst),
        }
    }
    fn step(seq: &mut u64, op: &CounterOp) -> u64 {
        match op {
            CounterOp::Add(n) => {
                let prev = *seq;
                *seq += u64::from(*n);
                prev
            }
            CounterOp::Get => *seq,
        }
    }
}

#[test]
fn a_lock_free_counter_is_linearizable() {
    let stats = Lincheck::new()
        .threads(3)
        .ops_per_thread(2)
        .scenarios(20)
        .check::<AtomicCounter>();
    assert!(stats.executions() >= 20);
}

/// crossbeam's queues against a `VecDeque`. They are not built on weft
/// primitives, so no checker can see their steps: they are checked on
/// real threads only, as stress runs (std mode), which can show a
/// violation when one happens but never prove there is none.
#[cfg(not(any(feature = "loom", feature = "shuttle")))]
mod crossbeam {
    use super::*;

    struct SegQueueSpec;

    impl Spec for SegQueueSpec {
        type Op = QueueOp;
        type Ret = QueueRet;
        type Conc = crossbeam_queue::SegQueue<u8>;
        type Seq = VecDeque<u8>;
        fn new_conc() -> Self::Conc {
            crossbeam_queue::SegQueue::new()
        }
        fn new_seq() -> Self::Seq {
            VecDeque::new()
        }
        fn ops() -> BoxedStrategy<QueueOp> {
            // `len` is not linearizable in crossbeam's queues (it is a
            // snapshot of two indices, documented as approximate).
            prop_oneof![(0..3u8).prop_map(QueueOp::Push), Just(QueueOp::Pop)].boxed()
        }
        fn run(q: &Self::Conc, op: &QueueOp) -> QueueRet {
            match op {
                QueueOp::Push(v) => {
                    q.push(*v);
                    QueueRet::Done
                }
                QueueOp::Pop => QueueRet::Popped(q.pop()),
                QueueOp::Len => QueueRet::Len(q.len() as i64),
            }
        }
        fn step(seq: &mut VecDeque<u8>, op: &QueueOp) -> QueueRet {
            queue_step(seq, op)
        }
    }

    struct ArrayQueueSpec;

    /// Capacity of the `ArrayQueue` under test; its spec refuses a push
    /// when full, as the queue does.
    const CAPACITY: usize = 2;

    impl Spec for ArrayQueueSpec {
        type Op = QueueOp;
        type Ret = QueueRet;
        type Conc = crossbeam_queue::ArrayQueue<u8>;
        type Seq = VecDeque<u8>;
        fn new_conc() -> Self::Conc {
            crossbeam_queue::ArrayQueue::new(CAPACITY)
        }
        fn new_seq() -> Self::Seq {
            VecDeque::new()
        }
        fn ops() -> BoxedStrategy<QueueOp> {
            SegQueueSpec::ops()
        }
        fn run(q: &Self::Conc, op: &QueueOp) -> QueueRet {
            match op {
                QueueOp::Push(v) => match q.push(*v) {
                    Ok(()) => QueueRet::Done,
                    Err(_) => QueueRet::Popped(None),
                },
                QueueOp::Pop => QueueRet::Popped(q.pop()),
                QueueOp::Len => QueueRet::Len(q.len() as i64),
            }
        }
        fn step(seq: &mut VecDeque<u8>, op: &QueueOp) -> QueueRet {
            match op {
                QueueOp::Push(_) if seq.len() == CAPACITY => QueueRet::Popped(None),
                _ => queue_step(seq, op),
            }
        }
    }

    #[test]
    fn crossbeam_seg_queue_is_linearizable_on_real_threads() {
        Lincheck::new()
            .threads(3)
            .ops_per_thread(4)
            .scenarios(50)
            .check::<SegQueueSpec>();
    }

    #[test]
    fn crossbeam_array_queue_is_linearizable_on_real_threads() {
        Lincheck::new()
            .threads(3)
            .ops_per_thread(4)
            .scenarios(50)
            .check::<ArrayQueueSpec>();
    }
}
