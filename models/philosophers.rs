//! Dining philosophers: each philosopher needs the fork on its left and the
//! one on its right. Taking the left fork first, every philosopher can hold
//! one fork and wait for the next forever; taking both through
//! `lock_order::lock_all` (one global order) cannot deadlock.
//!
//! 3 philosophers on loom (at most 4 spawned threads) and std, 5 on
//! shuttle.

use weft::sync::{Arc, Mutex};
use weft::thread;
use weft::{Backend, Model};
use weft_patterns::lock_order;

#[cfg(any(feature = "loom", feature = "shuttle"))]
use weft::FailureKind;

/// How many philosophers sit at the table on this backend.
fn seats() -> usize {
    if Backend::current() == Backend::Shuttle {
        5
    } else {
        3
    }
}

/// The table: fork `i` lies between philosopher `i` and philosopher
/// `i + 1`; each fork counts the meals it served.
fn table(seats: usize) -> Arc<Vec<Mutex<usize>>> {
    Arc::new(
        (0..seats)
            .map(|i| Mutex::new(0).named(format!("fork[{i}]")))
            .collect(),
    )
}

/// Seats the philosophers, each running `dine(forks, seat)`, and checks
/// that every fork served its two neighbours.
fn dinner(dine: fn(&[Mutex<usize>], usize)) {
    let seats = seats();
    let forks = table(seats);
    let philosophers: Vec<_> = (0..seats)
        .map(|seat| {
            let forks = forks.clone();
            thread::Builder::new()
                .name(format!("philosopher-{seat}"))
                .spawn(move || dine(&forks, seat))
                .expect("spawn a philosopher")
        })
        .collect();
    for p in philosophers {
        p.join().unwrap();
    }
    for fork in forks.iter() {
        assert_eq!(*fork.lock().unwrap(), 2);
    }
}

const NAIVE_LEFT_LINE: u32 = line!() + 3;
const NAIVE_RIGHT_LINE: u32 = line!() + 3;
fn dine_naively(forks: &[Mutex<usize>], seat: usize) {
    let mut left = forks[seat].lock().unwrap();
    let mut right = forks[(seat + 1) % forks.len()].lock().unwrap();
    *left += 1;
    *right += 1;
}

fn dine_in_order(forks: &[Mutex<usize>], seat: usize) {
    let [mut left, mut right] =
        lock_order::lock_all([&forks[seat], &forks[(seat + 1) % forks.len()]]).unwrap();
    *left += 1;
    *right += 1;
}

#[test]
fn ordered_philosophers_never_deadlock() {
    Model::new()
        .name("ordered_philosophers")
        .check(|| dinner(dine_in_order));
}

#[test]
#[cfg(any(feature = "loom", feature = "shuttle"))]
fn naive_philosophers_deadlock_in_a_cycle_of_forks() {
    let failure = Model::new()
        .name("naive_philosophers")
        .expect_failure(FailureKind::Deadlock)
        .check(|| dinner(dine_naively))
        .into_caught()
        .expect("the declared failure");
    assert_eq!(failure.kind(), FailureKind::Deadlock);
    let cycle = failure
        .deadlock_cycle()
        .unwrap_or_else(|| panic!("a wait-for cycle: {failure}"));
    let seats = seats();
    assert_eq!(cycle.len(), seats, "{failure}");
    let mut seen = Vec::new();
    for edge in &cycle {
        let seat: usize = edge
            .thread
            .strip_prefix("philosopher-")
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("a philosopher: {}", edge.thread));
        seen.push(seat);
        // Each holds its left fork, taken at the first lock line, and waits
        // at the second for its right fork, held by its right neighbour.
        let (holds, at) = edge.holds.clone().expect("holds a fork");
        assert_eq!(holds, format!("fork[{seat}]"));
        assert_eq!((at.file, at.line), (file!(), NAIVE_LEFT_LINE));
        assert_eq!(edge.waits_for, format!("fork[{}]", (seat + 1) % seats));
        assert_eq!(
            (edge.waits_at.file, edge.waits_at.line),
            (file!(), NAIVE_RIGHT_LINE)
        );
        assert_eq!(edge.held_by, format!("philosopher-{}", (seat + 1) % seats));
    }
    seen.sort_unstable();
    assert_eq!(seen, (0..seats).collect::<Vec<_>>());
    let report = failure.to_string();
    assert!(
        report.contains("fork[0]") && report.contains("philosopher-0"),
        "{report}"
    );
    assert!(
        report.contains(&format!("{}:{NAIVE_RIGHT_LINE}", file!())),
        "{report}"
    );
}

/// The line constants point at the two lock statements the report names.
#[test]
fn line_constants_point_at_the_fork_locks() {
    let source: Vec<&str> = include_str!("philosophers.rs").lines().collect();
    let line = |n: u32| source[n as usize - 1].trim();
    assert_eq!(
        line(NAIVE_LEFT_LINE),
        "let mut left = forks[seat].lock().unwrap();"
    );
    assert_eq!(
        line(NAIVE_RIGHT_LINE),
        "let mut right = forks[(seat + 1) % forks.len()].lock().unwrap();"
    );
}

/// The naive philosophers are only a risk: when they take turns (each
/// finishes before the next sits down) every fork serves both neighbours
/// (checked with the lock-order check off, see below).
// Not in std mode with the `lockdep` feature: there the policy is the
// process's while a model runs, and the suite's other models (all `Fail`)
// run at once (tests/lockdep_std.rs covers the policies, one at a time).
#[cfg(not(all(feature = "lockdep", not(any(feature = "loom", feature = "shuttle")))))]
#[test]
fn naive_philosophers_eat_when_they_take_turns() {
    Model::new()
        .name("naive_philosophers_in_turn")
        .lock_order(weft::Policy::Off)
        .check(naive_philosophers_in_turn);
}

#[cfg_attr(
    all(feature = "lockdep", not(any(feature = "loom", feature = "shuttle"))),
    allow(dead_code)
)]
fn naive_philosophers_in_turn() {
    let forks = table(3);
    for seat in 0..3 {
        dine_naively(&forks, seat);
    }
    for fork in forks.iter() {
        assert_eq!(*fork.lock().unwrap(), 2);
    }
}

/// ...a risk the lock-order check sees though no execution deadlocks:
/// taken in turns, the forks still close the cycle fork[0] → fork[1] →
/// fork[2] → fork[0], reported as a potential deadlock naming each fork
/// and the lines that took them.
#[cfg(any(feature = "loom", feature = "shuttle"))]
#[test]
fn naive_philosophers_in_turn_are_a_potential_deadlock() {
    let failure = Model::new()
        .name("naive_philosophers_in_turn_lockdep")
        .expect_failure(FailureKind::PotentialDeadlock)
        .check(naive_philosophers_in_turn)
        .into_caught()
        .expect("the declared failure");
    let cycle = failure.lock_cycle().expect("the lock-order cycle");
    assert_eq!(
        cycle.locks(),
        ["fork[0]", "fork[1]", "fork[2]"],
        "{failure}"
    );
    for edge in &cycle.edges {
        assert_eq!(edge.thread, "main");
        assert_eq!(edge.held_at.line, NAIVE_LEFT_LINE);
        assert_eq!(edge.acquired_at.line, NAIVE_RIGHT_LINE);
    }
    assert!(cycle.in_one_execution());
    assert_eq!(
        cycle.closing().map(|e| e.acquired.as_str()),
        Some("fork[0]")
    );
}
