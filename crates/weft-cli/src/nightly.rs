//! Whether the nightly toolchain that Miri and ThreadSanitizer need is here.

use std::process::{Command, Stdio};

use crate::backend::CheckBackend;

/// The variable that names the nightly toolchain to use (default `nightly`),
/// e.g. `WEFT_NIGHTLY_TOOLCHAIN=nightly-2025-06-01` to pin one.
pub const WEFT_NIGHTLY_TOOLCHAIN: &str = "WEFT_NIGHTLY_TOOLCHAIN";

/// A usable nightly toolchain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Nightly {
    /// The rustup toolchain name (`nightly`).
    pub(crate) toolchain: String,
    /// The host target triple (`x86_64-unknown-linux-gnu`).
    pub(crate) host: String,
}

/// What a nightly backend lacks, in words, and the command that installs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Missing {
    /// What is missing: "the nightly toolchain", "the `miri` component ...".
    pub(crate) needs: String,
    /// The command that installs it.
    pub(crate) install: String,
}

/// Hosts that ThreadSanitizer supports.
const TSAN_HOSTS: [&str; 4] = [
    "x86_64-unknown-linux-gnu",
    "aarch64-unknown-linux-gnu",
    "x86_64-apple-darwin",
    "aarch64-apple-darwin",
];

/// The toolchain name from [`WEFT_NIGHTLY_TOOLCHAIN`], else `nightly`.
pub(crate) fn toolchain_name() -> String {
    std::env::var(WEFT_NIGHTLY_TOOLCHAIN)
        .ok()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| "nightly".to_string())
}

/// Checks that `backend` can run: rustup, the toolchain, its components and
/// (for tsan) a supported host.
///
/// # Errors
///
/// What is missing, with the command that installs it.
pub(crate) fn probe(backend: CheckBackend) -> Result<Nightly, Missing> {
    let toolchain = toolchain_name();
    let components: &[&str] = match backend {
        CheckBackend::Miri => &["miri", "rust-src"],
        _ => &["rust-src"],
    };
    let install = format!(
        "rustup toolchain install {toolchain} --component {}",
        components.join(",")
    );
    let missing = |needs: String| Missing {
        needs,
        install: install.clone(),
    };
    let rustc = output("rustup", &["run", &toolchain, "rustc", "-vV"]);
    let Some(rustc) = rustc else {
        return Err(missing(if output("rustup", &["--version"]).is_none() {
            "rustup and the nightly toolchain (rustup was not found)".to_string()
        } else {
            format!("the `{toolchain}` toolchain, which is not installed")
        }));
    };
    let host = rustc
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .unwrap_or_default()
        .trim()
        .to_string();
    if !rustc.contains("-nightly") && !rustc.contains("-dev") {
        return Err(missing(format!(
            "a nightly toolchain, and `{toolchain}` is not one"
        )));
    }
    let installed = output(
        "rustup",
        &[
            "component",
            "list",
            "--toolchain",
            &toolchain,
            "--installed",
        ],
    )
    .unwrap_or_default();
    let absent: Vec<&str> = components
        .iter()
        .copied()
        .filter(|c| {
            !installed
                .lines()
                .any(|l| l.trim() == *c || l.starts_with(&format!("{c}-")))
        })
        .collect();
    if !absent.is_empty() {
        let names: Vec<String> = absent.iter().map(|c| format!("`{c}`")).collect();
        return Err(missing(format!(
            "the {} component{} of the `{toolchain}` toolchain",
            names.join(" and "),
            if absent.len() > 1 { "s" } else { "" }
        )));
    }
    if backend == CheckBackend::Tsan && !TSAN_HOSTS.contains(&host.as_str()) {
        return Err(Missing {
            needs: format!(
                "a host ThreadSanitizer supports ({}), not `{host}`",
                TSAN_HOSTS.join(", ")
            ),
            install: "run it on one of those hosts".to_string(),
        });
    }
    Ok(Nightly { toolchain, host })
}

/// The stdout of a successful command, or `None`.
fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .env_remove("RUSTUP_TOOLCHAIN")
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}
