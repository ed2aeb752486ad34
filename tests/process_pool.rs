//! `executor::ProcessPool` on real OS processes (in progress).

mod process_support;

fn main() {
    weft_patterns::process::main(&[]);
    process_support::run(&[])
}
