use anyhow::Result;
use kitei_tools::diff::{self, Format};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The old variant (id in `--policies`, or a `.wasm` file)
    old: String,
    /// The new variant (id in `--policies`, or a `.wasm` file)
    new: String,
    /// Directory of built policies
    #[arg(long, default_value_os_t = crate::default_policies())]
    policies: PathBuf,
    /// Output format: text, md, html, json
    #[arg(long, default_value = "text")]
    format: Format,
    /// The time the generated requests are for (RFC 3339)
    #[arg(long, default_value = diff::DEFAULT_AT)]
    at: String,
}

/// Prints the report; exit 0 when nothing differs, 1 when something does
/// (errors exit 2 in `main`).
pub fn run(args: Args) -> Result<ExitCode> {
    let at = crate::parse_at(&args.at)?;
    let runtime = kitei::Runtime::new(diff::batch_limits())?;
    let old = diff::load_module(&runtime, &args.old, &args.policies)?;
    let new = diff::load_module(&runtime, &args.new, &args.policies)?;
    let report = diff::compare(&old, &new, at)?;
    crate::print_out(&diff::render(&report, args.format)?)?;
    Ok(if report.differs() { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
