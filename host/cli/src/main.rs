//! `kitei`: build, inspect and run API利用規定 policy modules.

/// mimalloc: the decision path allocates many small, short-lived values
/// (the parsed request, the answer, its JSON); see docs/performance.md.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod build;
#[cfg(feature = "service")]
mod copy;
mod demo;
mod describe;
mod devkey;
mod diff;
mod eval;
mod explain;
mod keygen;
mod matrix;
mod new;
#[cfg(feature = "service")]
mod pull;
#[cfg(feature = "service")]
mod push;
#[cfg(feature = "service")]
mod registry;
#[cfg(feature = "service")]
mod replay;
#[cfg(feature = "service")]
mod serve;
mod sign;
mod test;
mod trust;
mod verify;
#[cfg(not(feature = "service"))]
mod without_service;
#[cfg(not(feature = "service"))]
use without_service as copy;
#[cfg(not(feature = "service"))]
use without_service as pull;
#[cfg(not(feature = "service"))]
use without_service as push;
#[cfg(not(feature = "service"))]
use without_service as replay;
#[cfg(not(feature = "service"))]
use without_service as serve;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Executable API利用規定: policy components for API連携 decisions.
#[derive(Parser)]
#[command(name = "kitei", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where built policies are written and read by default: `target/policies`,
/// or `$CARGO_TARGET_DIR/policies` (`kitei_build::policies_dir`).
pub fn default_policies() -> PathBuf {
    kitei_build::policies_dir()
}

#[derive(Subcommand)]
#[allow(clippy::large_enum_variant, reason = "parsed once per run: one command's arguments")]
enum Command {
    /// Scaffold a policy crate outside the workspace: Cargo.toml, source.txt, a rule sheet, a test, a scenario
    New(new::Args),
    /// Compile policy crates to components and sign them (all bundled variants when none is named)
    Build(build::Args),
    /// Decide one api.md request (a file, or `-` for stdin) and print the response
    Eval(eval::Args),
    /// Show a variant's metadata and rule sheet
    Describe(describe::Args),
    /// Build the bundled policies and decide the example requests
    Demo(demo::Args),
    /// Run conformance scenarios against every variant and print the matrix
    Test(test::Args),
    /// Compare two variants' answers: the automatic 新旧対比表 (exit 1 when they differ)
    Diff(diff::Args),
    /// Every variant side by side, rule by rule
    Matrix(matrix::Args),
    /// Decide every logged decision again with the module it names and check the answers are the logged ones (exit 1 naming each that is not); with --against, report what another module would change
    Replay(replay::Args),
    /// Serve decisions over HTTP (the explorer at /, OpenAPI at /openapi.json), hot-reloading the policy directory
    Serve(serve::Args),
    /// Make an ed25519 key pair for signing modules (PATH and PATH.pub)
    Keygen(keygen::Args),
    /// Sign a module: what it says of itself, its sha256 and size (writes MODULE.wasm.sig)
    Sign(sign::Args),
    /// Verify a module against a trust file (exit 0 naming the key, 1 naming the reason)
    Verify(verify::Args),
    /// Push a module and its signature to an OCI registry (refuses what does not verify with --trust)
    Push(push::Args),
    /// Pull a module from an OCI registry, verify it, then write it and its signature atomically
    Pull(pull::Args),
    /// Copy a module and its signatures to another registry, byte for byte (the same digest)
    Copy(copy::Args),
    /// Inspect a trust file
    #[command(subcommand)]
    Trust(trust::Command),
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("KITEI_LOG").unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::New(a) => new::run(a),
        Command::Build(a) => build::run(a),
        Command::Eval(a) => eval::run(a),
        Command::Describe(a) => describe::run(a),
        Command::Demo(a) => demo::run(a),
        Command::Test(a) => test::run(a),
        Command::Diff(a) => diff::run(a),
        Command::Matrix(a) => matrix::run(a),
        Command::Serve(a) => serve::run(a),
        Command::Replay(a) => replay::run(a),
        Command::Keygen(a) => keygen::run(a),
        Command::Sign(a) => sign::run(a),
        Command::Verify(a) => verify::run(a),
        Command::Push(a) => push::run(a),
        Command::Pull(a) => pull::run(a),
        Command::Copy(a) => copy::run(a),
        Command::Trust(c) => trust::run(c),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// The runtime with default limits.
pub fn runtime() -> anyhow::Result<kitei::Runtime> {
    Ok(kitei::Runtime::new(kitei::Limits::default())?)
}

/// Reads an `--at` value: RFC 3339 (JST when it has no offset), or a date
/// meaning its start in JST.
pub fn parse_at(value: &str) -> anyhow::Result<chrono::DateTime<chrono::FixedOffset>> {
    let date = || {
        chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .and_then(|t| t.and_local_timezone(kitei::time::jst()).single())
    };
    kitei::time::parse_timestamp(value)
        .or_else(date)
        .ok_or_else(|| anyhow::anyhow!("`--at`: invalid time `{value}`, expected RFC 3339 (2023-06-06T10:00:00+09:00) or a date (2023-06-06)"))
}

/// Loads a policy directory, reporting rejected files on stderr.
pub fn load(dir: &std::path::Path) -> anyhow::Result<kitei::Registry> {
    load_trusted(dir, None)
}

/// Loads a policy directory, verifying each module under `trust` when given.
pub fn load_trusted(dir: &std::path::Path, trust: Option<&kitei::trust::Trust>) -> anyhow::Result<kitei::Registry> {
    use anyhow::Context;
    let registry = kitei::Registry::load_dir_trusted(&runtime()?, dir, &kitei::Registry::default(), trust)
        .with_context(|| format!("reading policy directory `{}` (build it with `kitei build`)", dir.display()))?;
    for r in registry.rejected() {
        eprintln!("warning: rejected {r}");
    }
    Ok(registry)
}

/// Writes a report to stdout; a closed pipe (`| head`) is not an error.
pub fn print_out(text: &str) -> std::io::Result<()> {
    use std::io::Write;
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}
