//! `cargo-weft`, the `cargo weft` subcommand: see the `weft_cli` crate.

#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    weft_cli::main_impl()
}
