use anyhow::{Context, Result};
use kitei::trust::{TrustPolicy, read_sidecar, sidecar_path};
use kitei_oci::Reference;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The module; its signature MODULE.wasm.sig is pushed with it when present
    module: PathBuf,
    /// Where to: HOST[:PORT]/REPO:TAG (or @sha256:…), with or without oci://
    reference: String,
    /// Refuse to push a module that does not verify against this trust file
    #[arg(long)]
    trust: Option<PathBuf>,
    #[command(flatten)]
    registry: crate::registry::RegistryArgs,
}

/// Pushes a module and its signature; with `--trust`, only one that verifies
/// as a host would verify it (exit 1 naming the reason).
pub fn run(args: Args) -> Result<ExitCode> {
    let reference: Reference = args.reference.parse()?;
    let bytes = std::fs::read(&args.module).with_context(|| format!("reading `{}`", args.module.display()))?;
    let sig = read_sidecar(&args.module).with_context(|| format!("reading `{}`", sidecar_path(&args.module).display()))?;
    if let Some(trust) = &args.trust {
        let policy = TrustPolicy::read(trust)?;
        let refused = |reason: String| {
            println!("refused: {}: {reason}", args.module.display());
            Ok(ExitCode::from(1))
        };
        let verified = match policy.verify(&bytes, sig.as_deref(), chrono::Utc::now().date_naive()) {
            Ok(v) => v,
            Err(e) => return refused(kitei::Report(&e).to_string()),
        };
        let checked = match kitei::component::Checked::new(&crate::runtime()?, &args.module, &bytes) {
            Ok(c) => c,
            Err(e) => return refused(kitei::Report(&e).to_string()),
        };
        if let Some(v) = &verified
            && let Err(e) = v.check_module(&checked.metadata.institution, &checked.metadata.variant)
        {
            return refused(kitei::Report(&e).to_string());
        }
    }
    let client = args.registry.client()?;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().context("starting tokio")?;
    let digest = rt.block_on(client.push(&reference, &bytes, sig.as_deref()))?;
    let signed = if sig.is_some() { "with its signature" } else { "unsigned" };
    eprintln!("kitei push: {} → {reference} ({signed})", args.module.display());
    println!("{}", reference.with_digest(&digest));
    Ok(ExitCode::SUCCESS)
}
