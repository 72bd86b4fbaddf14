use anyhow::{Context, Result};
use kitei::trust::{sidecar_path, Sidecar, Statement};
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
    let key = ssh_key::PrivateKey::read_openssh_file(&args.key)
        .with_context(|| format!("reading the private key `{}`", args.key.display()))?;
    let bytes = std::fs::read(&args.module).with_context(|| format!("reading `{}`", args.module.display()))?;
    let checked = kitei::component::Checked::new(&crate::runtime()?, &args.module, &bytes)?;
    let md = &checked.metadata;
    let now = chrono::Utc::now();
    let statement = Statement {
        institution: md.institution.clone(),
        variant: md.variant.clone(),
        version: md.version.clone(),
        sequence: args.sequence.unwrap_or(now.timestamp().max(0) as u64),
        sha256: checked.sha256.clone(),
        size: bytes.len() as u64,
        signed_at: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    };
    let sidecar = Sidecar::sign(&key, &statement)?;
    let out = sidecar_path(&args.module);
    std::fs::write(&out, sidecar.to_bytes()).with_context(|| format!("writing `{}`", out.display()))?;
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
