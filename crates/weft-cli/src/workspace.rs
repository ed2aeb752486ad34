//! The cargo workspace under test, from `cargo metadata` (read by the
//! `cargo_metadata` crate): its packages,
//! their features and test targets, and the target directory.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::errors::ExpectedError;

/// The cargo workspace, as `cargo metadata --no-deps` describes it.
#[derive(Clone, Debug)]
pub(crate) struct Workspace {
    /// The workspace root directory.
    pub(crate) root: PathBuf,
    /// The target directory (`target/`, or `CARGO_TARGET_DIR`).
    pub(crate) target_dir: PathBuf,
    /// The workspace members.
    pub(crate) packages: Vec<Package>,
}

/// One workspace member.
#[derive(Clone, Debug)]
pub(crate) struct Package {
    /// Its name.
    pub(crate) name: String,
    /// Its `Cargo.toml`.
    pub(crate) manifest_path: PathBuf,
    /// Its features' names.
    pub(crate) features: BTreeSet<String>,
    /// Its targets.
    pub(crate) targets: Vec<Target>,
}

/// A target of a package.
#[derive(Clone, Debug)]
pub(crate) struct Target {
    /// Its name.
    pub(crate) name: String,
    /// `lib`, `bin`, `test`, `bench`, `example`, ...
    pub(crate) kind: Vec<String>,
    /// Whether `cargo test` runs it by default (`test = true`).
    pub(crate) test: bool,
}

impl From<cargo_metadata::Package> for Package {
    fn from(p: cargo_metadata::Package) -> Package {
        Package {
            name: p.name.to_string(),
            manifest_path: p.manifest_path.into_std_path_buf(),
            features: p.features.into_keys().collect(),
            targets: p
                .targets
                .into_iter()
                .map(|t| Target {
                    name: t.name,
                    kind: t.kind.iter().map(ToString::to_string).collect(),
                    test: t.test,
                })
                .collect(),
        }
    }
}

/// A test target to pass to `cargo test`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TestTarget {
    /// `lib`, `bin` or `test`.
    pub(crate) kind: TargetKind,
    /// Its name.
    pub(crate) name: String,
}

/// The kinds of target `cargo weft` runs tests of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TargetKind {
    /// The library's unit tests (`--lib`).
    Lib,
    /// A binary's unit tests (`--bin NAME`).
    Bin,
    /// An integration test (`--test NAME`).
    Test,
}

impl TestTarget {
    /// The `cargo test` arguments that select this target alone.
    pub(crate) fn cargo_args(&self) -> Vec<String> {
        match self.kind {
            TargetKind::Lib => vec!["--lib".to_string()],
            TargetKind::Bin => vec!["--bin".to_string(), self.name.clone()],
            TargetKind::Test => vec!["--test".to_string(), self.name.clone()],
        }
    }

    /// How the target is named in output: `models`, `lib`, `bin cargo-weft`.
    pub(crate) fn label(&self) -> String {
        match self.kind {
            TargetKind::Lib => "lib".to_string(),
            TargetKind::Bin => format!("bin {}", self.name),
            TargetKind::Test => self.name.clone(),
        }
    }
}

/// The program cargo runs as: `$CARGO` (set when cargo runs a subcommand),
/// else `cargo` from `PATH`.
pub(crate) fn cargo_program() -> PathBuf {
    std::env::var_os("CARGO")
        .filter(|c| !c.is_empty())
        .map_or_else(|| PathBuf::from("cargo"), PathBuf::from)
}

impl Workspace {
    /// Reads the workspace that `manifest_path` (or the current directory)
    /// belongs to.
    ///
    /// # Errors
    ///
    /// [`ExpectedError::Spawn`] when cargo cannot run,
    /// [`ExpectedError::Workspace`] with cargo's own reason when it fails.
    pub(crate) fn load(manifest_path: Option<&Path>) -> Result<Workspace, ExpectedError> {
        let cargo = cargo_program();
        let mut cmd = cargo_metadata::MetadataCommand::new();
        cmd.cargo_path(&cargo).no_deps();
        if let Some(path) = manifest_path {
            cmd.manifest_path(path);
        }
        let meta = cmd.exec().map_err(|e| match e {
            cargo_metadata::Error::CargoMetadata { stderr } => ExpectedError::Workspace {
                reason: stderr
                    .lines()
                    .find_map(|l| l.strip_prefix("error: "))
                    .unwrap_or("`cargo metadata` failed")
                    .trim()
                    .to_string(),
            },
            cargo_metadata::Error::Io(source) => ExpectedError::Spawn {
                program: cargo.display().to_string(),
                source,
            },
            other => ExpectedError::Workspace {
                reason: format!(
                    "`cargo metadata` printed what this cargo weft cannot read: {other}"
                ),
            },
        })?;
        Ok(Workspace {
            root: meta.workspace_root.into_std_path_buf(),
            target_dir: meta.target_directory.into_std_path_buf(),
            packages: meta.packages.into_iter().map(Package::from).collect(),
        })
    }

    /// The package named `name`, or by default the one whose directory
    /// holds `manifest_path` or the current directory, or the root package.
    ///
    /// # Errors
    ///
    /// [`ExpectedError::UnknownPackage`] for a name not in the workspace;
    /// [`ExpectedError::NoDefaultPackage`] in a virtual workspace with no name.
    pub(crate) fn package(
        &self,
        name: Option<&str>,
        manifest_path: Option<&Path>,
    ) -> Result<&Package, ExpectedError> {
        let available = || {
            self.packages
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        if let Some(name) = name {
            return self
                .packages
                .iter()
                .find(|p| p.name == name)
                .ok_or_else(|| ExpectedError::UnknownPackage {
                    name: name.to_string(),
                    available: available(),
                });
        }
        let start = match manifest_path {
            Some(path) => path
                .canonicalize()
                .ok()
                .and_then(|p| p.parent().map(Path::to_path_buf)),
            None => std::env::current_dir().ok(),
        };
        let mut dir = start.as_deref();
        while let Some(d) = dir {
            if let Some(p) = self
                .packages
                .iter()
                .find(|p| p.manifest_path.parent() == Some(d))
            {
                return Ok(p);
            }
            if d == self.root {
                break;
            }
            dir = d.parent();
        }
        self.packages
            .iter()
            .find(|p| p.manifest_path.parent() == Some(self.root.as_path()))
            .ok_or_else(|| ExpectedError::NoDefaultPackage {
                available: available(),
            })
    }
}

impl Package {
    /// The test targets to run: the ones named, or `models` if the package
    /// has it, or every target `cargo test` runs by default.
    ///
    /// # Errors
    ///
    /// [`ExpectedError::UnknownTestTarget`] for a name the package lacks.
    pub(crate) fn test_targets(&self, names: &[String]) -> Result<Vec<TestTarget>, ExpectedError> {
        let all: Vec<TestTarget> = self
            .targets
            .iter()
            .filter_map(|t| {
                let kind = if t.kind.iter().any(|k| k == "test") {
                    TargetKind::Test
                } else if t
                    .kind
                    .iter()
                    .any(|k| k.ends_with("lib") || k == "proc-macro")
                {
                    TargetKind::Lib
                } else if t.kind.iter().any(|k| k == "bin") {
                    TargetKind::Bin
                } else {
                    return None;
                };
                Some((t, kind))
            })
            .map(|(t, kind)| TestTarget {
                kind,
                name: t.name.clone(),
            })
            .collect();
        if !names.is_empty() {
            return names
                .iter()
                .map(|n| {
                    all.iter()
                        .find(|t| t.kind == TargetKind::Test && t.name == *n)
                        .cloned()
                        .ok_or_else(|| ExpectedError::UnknownTestTarget {
                            package: self.name.clone(),
                            name: n.clone(),
                            available: all
                                .iter()
                                .filter(|t| t.kind == TargetKind::Test)
                                .map(|t| t.name.as_str())
                                .collect::<Vec<_>>()
                                .join(", "),
                        })
                })
                .collect();
        }
        if let Some(models) = all
            .iter()
            .find(|t| t.kind == TargetKind::Test && t.name == "models")
        {
            return Ok(vec![models.clone()]);
        }
        Ok(all
            .into_iter()
            .filter(|t| {
                self.targets
                    .iter()
                    .any(|raw| raw.name == t.name && raw.test)
            })
            .collect())
    }
}
