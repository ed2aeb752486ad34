//! Tells the crate whether it is built without optimizations (the
//! `cfg(weft_unoptimized)` that `unoptimized_hint` reads): cargo gives a
//! build script the opt-level of the profile its package is built with,
//! a `[profile.dev.package."*"]` override included, which `cfg!` cannot.

fn main() {
    println!("cargo:rustc-check-cfg=cfg(weft_unoptimized)");
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var("OPT_LEVEL").as_deref() == Ok("0") {
        println!("cargo:rustc-cfg=weft_unoptimized");
    }
}
