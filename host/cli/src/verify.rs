use anyhow::{Context, Result};
use kitei::trust::{TrustPolicy, read_sidecar, sidecar_path};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The trust file (TOML): whether signatures are required, each institution's keys
    #[arg(long)]
    trust: PathBuf,
    /// The module; its signature is read from MODULE.wasm.sig
    module: PathBuf,
}

/// Verifies a module as the host would before loading it: exit 0 naming the
/// key, 1 naming the reason it is not trusted.
pub fn run(args: Args) -> Result<ExitCode> {
    let policy = TrustPolicy::read(&args.trust)?;
    let bytes = std::fs::read(&args.module).with_context(|| format!("reading `{}`", args.module.display()))?;
    let sig = read_sidecar(&args.module).with_context(|| format!("reading `{}`", sidecar_path(&args.module).display()))?;
    let today = chrono::Utc::now().date_naive();
    let refused = |reason: String| {
        println!("refused: {}: {reason}", args.module.display());
        Ok(ExitCode::from(1))
    };
    let verified = match policy.verify(&bytes, sig.as_deref(), today) {
        Ok(Some(v)) => v,
        Ok(None) => {
            println!("unsigned: {} (the trust file does not require signatures)", args.module.display());
            return Ok(ExitCode::SUCCESS);
        }
        Err(e) => return refused(kitei::Report(&e).to_string()),
    };
    // the statement must be about this module: its own institution and variant
    let checked = match kitei::component::Checked::new(&crate::runtime()?, &args.module, &bytes) {
        Ok(c) => c,
        Err(e) => return refused(kitei::Report(&e).to_string()),
    };
    if let Err(e) = verified.check_module(&checked.metadata.institution, &checked.metadata.variant) {
        return refused(kitei::Report(&e).to_string());
    }
    let s = &verified.statement;
    println!("verified: {} {} {} sequence {} signed by {} for `{}`", args.module.display(), s.variant, s.version, s.sequence, verified.key, s.institution);
    Ok(ExitCode::SUCCESS)
}
