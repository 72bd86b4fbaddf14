use anyhow::{Context, Result};
use kitei::trust::{TrustPolicy, install};
use kitei_oci::Reference;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// What to pull: HOST[:PORT]/REPO:TAG (or @sha256:…), with or without oci://
    reference: String,
    /// The trust file (TOML) the module must verify against
    #[arg(long)]
    trust: PathBuf,
    /// The policy directory to write DIR/<variant>.wasm and .wasm.sig into
    #[arg(short = 'o', long = "out")]
    out: PathBuf,
    #[command(flatten)]
    registry: crate::registry::RegistryArgs,
}

/// Pulls a module and its signature, verifies them as `kitei verify` does,
/// and only then writes the pair (signature first, each by rename: a server
/// hot-reloading DIR never loads an unverified pair). Exit 1 naming the
/// reason when the module is refused; nothing is written then.
pub fn run(args: Args) -> Result<ExitCode> {
    let reference: Reference = args.reference.parse()?;
    let policy = TrustPolicy::read(&args.trust)?;
    std::fs::create_dir_all(&args.out).with_context(|| format!("creating `{}`", args.out.display()))?;
    let client = args.registry.client()?;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().context("starting tokio")?;
    let pulled = rt.block_on(client.pull(&reference))?;
    let origin = reference.with_digest(&pulled.digest).to_string();
    let today = chrono::Utc::now().date_naive();
    let sig = pulled.signature.as_ref().map(|s| s.bytes.as_slice());
    match install(&crate::runtime()?, &policy, today, &args.out, &origin, &pulled.module, sig) {
        Ok(installed) => {
            match &installed.verified {
                Some(v) => eprintln!(
                    "kitei pull: {} {} sequence {} signed by {} for `{}`",
                    installed.variant, v.statement.version, v.statement.sequence, v.key, v.statement.institution
                ),
                None => eprintln!("kitei pull: {} unsigned (the trust file does not require signatures)", installed.variant),
            }
            println!("{}", installed.module.display());
            Ok(ExitCode::SUCCESS)
        }
        Err(e) if e.is_refusal() => {
            println!("{}", kitei::Report(&e));
            Ok(ExitCode::from(1))
        }
        Err(e) => Err(e.into()),
    }
}
