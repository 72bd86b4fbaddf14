use anyhow::{Context, Result, bail};
use kitei_tools::diff::{self, Format};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Directory of built policies and settings files
    #[arg(long, default_value_os_t = crate::default_policies())]
    policies: PathBuf,
    /// Output format: text, md, html, json
    #[arg(long, default_value = "text")]
    format: Format,
    /// The time the canonical requests are for (RFC 3339)
    #[arg(long, default_value = diff::DEFAULT_AT)]
    at: String,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let at = crate::parse_at(&args.at)?;
    let runtime = kitei::Runtime::new(diff::batch_limits())?;
    let registry = kitei::Registry::load_dir(&runtime, &args.policies).with_context(|| format!("reading policy directory `{}`", args.policies.display()))?;
    for r in registry.rejected() {
        eprintln!("warning: rejected {r}");
    }
    if registry.policies().is_empty() {
        bail!("no policies in `{}` (build them with `kitei build`)", args.policies.display());
    }
    let m = diff::matrix::matrix(registry.policies(), at)?;
    crate::print_out(&diff::render_matrix(&m, args.format)?)?;
    Ok(ExitCode::SUCCESS)
}
