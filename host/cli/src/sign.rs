use anyhow::{Context, Result};
use kitei::trust::{Sidecar, Statement, sidecar_path};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The institution's private key (OpenSSH format, ed25519)
    #[arg(long)]
    key: PathBuf,
    /// The module to sign; writes MODULE.wasm.sig beside it
    module: PathBuf,
    /// The statement's sequence: must rise with every module published for
    /// the variant (default: the current time in seconds since 1970)
    #[arg(long)]
    sequence: Option<u64>,
}

/// Signs what the module says of itself: institution, variant and version
/// from its metadata, with its sha256 and size.
pub fn run(args: Args) -> Result<ExitCode> {
    let key = ssh_key::PrivateKey::read_openssh_file(&args.key).with_context(|| format!("reading the private key `{}`", args.key.display()))?;
    let statement = sign_module(&key, &args.module, args.sequence)?;
    let out = sidecar_path(&args.module);
    eprintln!(
        "kitei sign: {} {} sequence {} signed by {}",
        statement.variant,
        statement.version,
        statement.sequence,
        key.public_key().fingerprint(ssh_key::HashAlg::Sha256)
    );
    println!("{}", out.display());
    Ok(ExitCode::SUCCESS)
}

/// Signs a module as it says of itself (institution, variant and version
/// from its metadata, its sha256 and size) into `<module>.wasm.sig`; the
/// sequence defaults to the signing time in seconds, so it rises.
pub fn sign_module(key: &ssh_key::PrivateKey, module: &std::path::Path, sequence: Option<u64>) -> Result<Statement> {
    let bytes = std::fs::read(module).with_context(|| format!("reading `{}`", module.display()))?;
    let checked = kitei::component::Checked::new(&crate::runtime()?, module, &bytes)?;
    let md = &checked.metadata;
    let now = chrono::Utc::now();
    let statement = Statement {
        institution: md.institution.clone(),
        variant: md.variant.clone(),
        version: md.version.clone(),
        sequence: sequence.unwrap_or(now.timestamp().max(0) as u64),
        sha256: checked.sha256.clone(),
        size: bytes.len() as u64,
        signed_at: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    };
    let out = sidecar_path(module);
    std::fs::write(&out, Sidecar::sign(key, &statement)?.to_bytes()).with_context(|| format!("writing `{}`", out.display()))?;
    Ok(statement)
}
