use anyhow::{bail, Result};
use kitei_tools::build::{build_crate, bundled_crates, Toolchain};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Policy crate directories (default: every crate under `policy/` but the SDK)
    crates: Vec<PathBuf>,
    /// Write the component here (one crate only; default `target/policies/<variant>.wasm`)
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Where the bundled crates are, when none is named
    #[arg(long, default_value = "policy")]
    policy_root: PathBuf,
}

/// Builds the named crates, or all bundled ones.
pub fn build_all(crates: &[PathBuf], output: Option<&std::path::Path>, policy_root: &std::path::Path) -> Result<Vec<PathBuf>> {
    let crates = if crates.is_empty() { bundled_crates(policy_root)? } else { crates.to_vec() };
    if output.is_some() && crates.len() != 1 {
        bail!("`--output` needs exactly one crate, got {}", crates.len());
    }
    let toolchain = Toolchain::detect()?;
    let runtime = crate::runtime()?;
    let mut built = Vec::new();
    for (i, dir) in crates.iter().enumerate() {
        eprintln!("kitei build: [{}/{}] {}", i + 1, crates.len(), dir.display());
        built.push(build_crate(&runtime, &toolchain, dir, output)?);
    }
    Ok(built)
}

pub fn run(args: Args) -> Result<ExitCode> {
    build_all(&args.crates, args.output.as_deref(), &args.policy_root)?;
    Ok(ExitCode::SUCCESS)
}
