use anyhow::{Context, Result, bail};
use kitei_build::{Output, Toolchain, build_crate, bundled_crates};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Policy crate directories (default: every crate under `policy/` but the SDK)
    crates: Vec<PathBuf>,
    /// Write the component here (one crate only; default `target/policies/<variant>.wasm`,
    /// or under $CARGO_TARGET_DIR: where every command reads by default)
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Where the bundled crates are, when none is named
    #[arg(long, default_value = "policy")]
    policy_root: PathBuf,
    /// Sign each module with this private key (OpenSSH) instead of the
    /// development key (`target/dev-keys/kitei-dev`, made on first use, and
    /// `target/dev-trust.toml` naming it)
    #[arg(long, conflicts_with = "no_sign")]
    key: Option<PathBuf>,
    /// Leave the modules unsigned
    #[arg(long)]
    no_sign: bool,
}

/// Builds the named crates, or all bundled ones.
pub fn build_all(crates: &[PathBuf], output: Option<&std::path::Path>, policy_root: &std::path::Path) -> Result<Vec<PathBuf>> {
    let crates = if crates.is_empty() { bundled_crates(policy_root)? } else { crates.to_vec() };
    if output.is_some() && crates.len() != 1 {
        bail!("`--output` needs exactly one crate, got {}", crates.len());
    }
    let toolchain = Toolchain::detect()?;
    let runtime = crate::runtime()?;
    let policies = crate::default_policies();
    let out = match output {
        Some(file) => Output::File(file),
        None => Output::Dir(&policies),
    };
    let mut built = Vec::new();
    for (i, dir) in crates.iter().enumerate() {
        eprintln!("kitei build: [{}/{}] {}", i + 1, crates.len(), dir.display());
        built.push(build_crate(&runtime, &toolchain, dir, out)?);
    }
    Ok(built)
}

pub fn run(args: Args) -> Result<ExitCode> {
    let built = build_all(&args.crates, args.output.as_deref(), &args.policy_root)?;
    if !args.no_sign {
        match &args.key {
            Some(path) => {
                let key = ssh_key::PrivateKey::read_openssh_file(path).with_context(|| format!("reading the private key `{}`", path.display()))?;
                sign_all(&key, &built, false)?;
            }
            None => sign_all(&crate::devkey::dev_key()?, &built, true)?,
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Signs every built module (`<module>.wasm.sig`); with the development key,
/// also writes the development trust file.
pub fn sign_all(key: &ssh_key::PrivateKey, built: &[PathBuf], development: bool) -> Result<()> {
    for module in built {
        let s = crate::sign::sign_module(key, module, None)?;
        eprintln!("kitei build: signed {} (sequence {})", module.display(), s.sequence);
    }
    if development && let Some(dir) = built.first().and_then(|m| m.parent()) {
        let trust = crate::devkey::write_dev_trust(key, dir)?;
        eprintln!("kitei build: development trust file {} (development only)", trust.display());
    }
    Ok(())
}
