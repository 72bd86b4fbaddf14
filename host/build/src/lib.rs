//! `kitei build`: a guest crate to a checked policy component.
//!
//! Compiles the crate for `wasm32-unknown-unknown` — with the rustup target
//! when it is installed, otherwise with Debian's `rustc-web` toolchain and
//! `-Zbuild-std` — turns the core module into a component with
//! wit-component, loads it the way the host does (imports nothing, exports
//! the policy interface, describes itself) and writes `<variant>.wasm`.
#![deny(missing_docs)]

use anyhow::{Context, Result, bail};
use kitei::{Runtime, component::Checked};
use std::path::{Path, PathBuf};
use std::process::Command;

const TARGET: &str = "wasm32-unknown-unknown";

/// The target directory kitei's commands keep what they build and read by
/// default: `$CARGO_TARGET_DIR` when set (as cargo does), else `target`,
/// relative to `base` (the current directory for the CLI, the workspace
/// root for the tests). A cargo config's `build.target-dir` is not read.
pub fn target_dir_in(base: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR").filter(|d| !d.is_empty()) {
        Some(dir) => base.join(dir),
        None => base.join("target"),
    }
}

/// The policy directory every command writes to and reads from by default,
/// `<target>/policies` ([`target_dir_in`]): the one place it is decided, so
/// `kitei build`, `kitei demo`, `kitei serve`, `./run` and the tests agree.
pub fn policies_dir_in(base: &Path) -> PathBuf {
    target_dir_in(base).join("policies")
}

/// [`policies_dir_in`] the current directory: `target/policies`, or
/// `$CARGO_TARGET_DIR/policies`.
pub fn policies_dir() -> PathBuf {
    policies_dir_in(Path::new(""))
}

/// Where [`build_crate`] writes the component.
#[derive(Clone, Copy, Debug)]
pub enum Output<'a> {
    /// this file
    File(&'a Path),
    /// `<dir>/<variant>.wasm`
    Dir(&'a Path),
}
const DEBIAN_RUSTC: &str = "/usr/bin/rustc";
const DEBIAN_CARGO: &str = "/usr/bin/cargo";
const DEBIAN_STD_SRC: &str = "/usr/lib/rustlib/src/rust/library";
const DEBIAN_FIX: &str = "apt-get install -y rustc-web cargo-web rust-web-src lld";

/// How the wasm target is compiled on this machine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Toolchain {
    /// `rustup target add wasm32-unknown-unknown` is installed
    Rustup,
    /// Debian's rustc-web with the std sources and wasm-ld
    Debian,
}

impl Toolchain {
    /// Finds a way to compile for wasm, preferring the rustup target.
    ///
    /// # Errors
    /// What is missing, and the commands that fix it.
    pub fn detect() -> Result<Self> {
        if rustup_target_installed() {
            return Ok(Toolchain::Rustup);
        }
        let mut missing = Vec::new();
        if !Path::new(DEBIAN_RUSTC).exists() || !Path::new(DEBIAN_CARGO).exists() {
            missing.push(format!("{DEBIAN_RUSTC} and {DEBIAN_CARGO} (Debian packages rustc-web, cargo-web)"));
        }
        if !Path::new(DEBIAN_STD_SRC).exists() {
            missing.push(format!("the std sources at {DEBIAN_STD_SRC} (Debian package rust-web-src)"));
        }
        if which("wasm-ld").is_none() {
            missing.push("wasm-ld (Debian package lld)".into());
        }
        if missing.is_empty() {
            return Ok(Toolchain::Debian);
        }
        bail!(
            "cannot compile for {TARGET}: the rustup target is not installed, and the Debian route lacks {}.\n\
             fix with one of:\n  rustup target add {TARGET}\n  {DEBIAN_FIX}",
            missing.join(", ")
        )
    }

    /// A `cargo build` command for the target with this toolchain.
    fn cargo(&self) -> Command {
        let mut cmd = match self {
            Toolchain::Rustup => Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())),
            Toolchain::Debian => {
                let mut c = Command::new(DEBIAN_CARGO);
                c.env("RUSTC", DEBIAN_RUSTC).env("RUSTC_BOOTSTRAP", "1");
                c
            }
        };
        // Flags meant for the host build must not leak into the guest build.
        for var in ["RUSTFLAGS", "CARGO_ENCODED_RUSTFLAGS", "RUSTC_WRAPPER", "RUSTC_WORKSPACE_WRAPPER", "CARGO_BUILD_TARGET"] {
            cmd.env_remove(var);
        }
        if *self == Toolchain::Debian {
            cmd.env("RUSTFLAGS", "-C linker=wasm-ld");
        }
        cmd.args(["build", "--profile", "policy", "--target", TARGET]);
        if *self == Toolchain::Debian {
            cmd.arg("-Zbuild-std=std,panic_abort");
        }
        cmd
    }

    /// How the toolchain is named in messages (`rustup target wasm32-unknown-unknown`, …).
    pub fn describe(&self) -> &'static str {
        match self {
            Toolchain::Rustup => "rustup target wasm32-unknown-unknown",
            Toolchain::Debian => "Debian rustc-web with -Zbuild-std",
        }
    }
}

fn rustup_target_installed() -> bool {
    let Ok(out) = Command::new("rustc").args(["--print", "sysroot"]).output() else { return false };
    let sysroot = String::from_utf8_lossy(&out.stdout).trim().to_string();
    Path::new(&sysroot).join("lib/rustlib").join(TARGET).join("lib").is_dir()
}

fn which(bin: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| std::env::split_paths(&paths).map(|p| p.join(bin)).find(|p| p.is_file()))
}

/// What `cargo metadata` says of a guest crate.
struct CrateInfo {
    package: String,
    lib_name: String,
    target_dir: PathBuf,
}

fn crate_info(crate_dir: &Path) -> Result<CrateInfo> {
    let manifest = crate_dir.join("Cargo.toml");
    if !manifest.is_file() {
        bail!("`{}` has no Cargo.toml", crate_dir.display());
    }
    let out = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["metadata", "--no-deps", "--format-version", "1", "--manifest-path"])
        .arg(&manifest)
        .output()
        .context("running `cargo metadata`")?;
    if !out.status.success() {
        bail!("`cargo metadata` failed for `{}`: {}", manifest.display(), String::from_utf8_lossy(&out.stderr).trim());
    }
    let md: serde_json::Value = serde_json::from_slice(&out.stdout).context("reading `cargo metadata` output")?;
    let manifest = manifest.canonicalize()?;
    let pkg = md["packages"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["manifest_path"].as_str().is_some_and(|m| Path::new(m) == manifest)))
        .with_context(|| format!("`cargo metadata` does not list the package of `{}`", manifest.display()))?;
    let lib = pkg["targets"]
        .as_array()
        .and_then(|ts| ts.iter().find(|t| t["crate_types"].as_array().is_some_and(|c| c.iter().any(|c| c == "cdylib"))))
        .with_context(|| format!("`{}` has no cdylib target: add `crate-type = [\"cdylib\", \"rlib\"]` under [lib]", manifest.display()))?;
    Ok(CrateInfo {
        package: pkg["name"].as_str().unwrap_or_default().to_string(),
        lib_name: lib["name"].as_str().unwrap_or_default().replace('-', "_"),
        target_dir: PathBuf::from(md["target_directory"].as_str().unwrap_or("target")),
    })
}

/// The bundled variant crates: every crate under `policy_root` but the SDK.
///
/// # Errors
/// When the directory cannot be read.
pub fn bundled_crates(policy_root: &Path) -> Result<Vec<PathBuf>> {
    let mut crates: Vec<PathBuf> = std::fs::read_dir(policy_root)
        .with_context(|| format!("reading `{}`", policy_root.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("Cargo.toml").is_file() && p.file_name().is_some_and(|n| n != "sdk"))
        .collect();
    crates.sort();
    Ok(crates)
}

/// Turns a core module carrying its WIT into a component.
///
/// # Errors
/// When wit-component cannot encode or validate it.
pub fn componentize(core: &[u8]) -> Result<Vec<u8>> {
    wit_component::ComponentEncoder::default()
        .module(core)
        .context("reading the core module's component-type section")?
        .validate(true)
        .encode()
        .context("encoding the component")
}

/// A guest crate compiled and turned into a component, before the host's
/// checks: what [`build_crate`] checks and writes, and what the hostile-module
/// tests write without checking (the checks are what they test).
pub struct Compiled {
    /// the component's bytes
    pub component: Vec<u8>,
    /// the core module cargo wrote
    pub core_path: PathBuf,
    /// the crate's cargo target directory
    pub target_dir: PathBuf,
}

/// Compiles one guest crate for the wasm target, with these cargo features
/// of the crate on, and turns the core module into a component. Progress
/// goes to stderr.
///
/// # Errors
/// Compilation or componentization failed.
pub fn compile_crate(toolchain: &Toolchain, crate_dir: &Path, features: &[&str]) -> Result<Compiled> {
    compile_crate_in(toolchain, crate_dir, features, None)
}

/// [`compile_crate`], in `target_dir` instead of the crate's cargo target
/// directory when given: crates outside the workspace (each its own
/// workspace, each with its own `target/`) can then share one, so the
/// wasm std and the SDK are compiled once for all of them.
///
/// # Errors
/// Compilation or componentization failed.
pub fn compile_crate_in(toolchain: &Toolchain, crate_dir: &Path, features: &[&str], target_dir: Option<&Path>) -> Result<Compiled> {
    let mut info = crate_info(crate_dir)?;
    if let Some(dir) = target_dir {
        info.target_dir = dir.to_path_buf();
    }
    let wasm_dir = info.target_dir.join("wasm");
    let with = if features.is_empty() { String::new() } else { format!(" with {}", features.join(",")) };
    eprintln!("kitei build: compiling {}{with} ({})", info.package, toolchain.describe());
    let mut cargo = toolchain.cargo();
    cargo.arg("--manifest-path").arg(crate_dir.join("Cargo.toml")).arg("--target-dir").arg(&wasm_dir);
    if !features.is_empty() {
        cargo.arg("--features").arg(features.join(","));
    }
    let status = cargo.status().context("starting cargo")?;
    if !status.success() {
        bail!("compiling `{}`{with} for {TARGET} failed ({status})", info.package);
    }
    let core_path = wasm_dir.join(TARGET).join("policy").join(format!("{}.wasm", info.lib_name));
    let core = std::fs::read(&core_path).with_context(|| format!("reading `{}`", core_path.display()))?;
    let component = componentize(&core).with_context(|| format!("componentizing `{}`", core_path.display()))?;
    Ok(Compiled { component, core_path, target_dir: info.target_dir })
}

/// Builds one guest crate and writes its component to `out` (a file, or
/// `<variant>.wasm` in a directory such as [`policies_dir`]). Progress goes
/// to stderr.
///
/// # Errors
/// Compilation, componentization or the host's checks failed.
pub fn build_crate(runtime: &Runtime, toolchain: &Toolchain, crate_dir: &Path, out: Output<'_>) -> Result<PathBuf> {
    build_crate_in(runtime, toolchain, crate_dir, out, None)
}

/// [`build_crate`], compiling in `target_dir` when given
/// ([`compile_crate_in`]).
///
/// # Errors
/// Compilation, componentization or the host's checks failed.
pub fn build_crate_in(runtime: &Runtime, toolchain: &Toolchain, crate_dir: &Path, out: Output<'_>, target_dir: Option<&Path>) -> Result<PathBuf> {
    let started = std::time::Instant::now();
    let Compiled { component, core_path, .. } = compile_crate_in(toolchain, crate_dir, &[], target_dir)?;
    let checked = Checked::new(runtime, &core_path, &component)?;
    let variant = checked.metadata.variant.clone();
    let dest = match out {
        Output::File(p) => p.to_path_buf(),
        Output::Dir(d) => d.join(format!("{variant}.wasm")),
    };
    if let Some(parent) = dest.parent() {
        std::fs::create_dir_all(parent).with_context(|| format!("creating `{}`", parent.display()))?;
    }
    std::fs::write(&dest, &component).with_context(|| format!("writing `{}`", dest.display()))?;
    eprintln!(
        "kitei build: {variant} -> {} ({} KiB, {} rules, {:.1}s)",
        dest.display(),
        component.len() / 1024,
        checked.metadata.rules.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(dest)
}
