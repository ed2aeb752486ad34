//! A FIFO queue's sequential specification, for the check's unit tests
//! and its benchmark (`benches/lincheck.rs` includes this file by path):
//! histories only, so the concurrent side is never run.

use std::collections::VecDeque;

use proptest::prelude::*;

use crate::Spec;

/// A FIFO queue of values below `VALUES`: `Some(v)` pushes `v` (and
/// returns `None`), `None` pops.
pub(crate) struct Queue<const VALUES: u8>;

impl<const VALUES: u8> Spec for Queue<VALUES> {
    type Op = Option<u8>;
    type Ret = Option<u8>;
    type Conc = ();
    type Seq = VecDeque<u8>;
    fn new_conc() {}
    fn new_seq() -> VecDeque<u8> {
        VecDeque::new()
    }
    fn ops() -> BoxedStrategy<Option<u8>> {
        proptest::option::of(0..VALUES).boxed()
    }
    fn run(_: &(), _: &Option<u8>) -> Option<u8> {
        unreachable!("only the sequential specification is used")
    }
    fn step(seq: &mut VecDeque<u8>, op: &Option<u8>) -> Option<u8> {
        match op {
            Some(v) => {
                seq.push_back(*v);
                None
            }
            None => seq.pop_front(),
        }
    }
}
