use anyhow::{Context, Result};
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Directory of built policies and settings files
    #[arg(long, default_value_os_t = crate::default_policies())]
    policies: PathBuf,
    /// The request file, or `-` for stdin
    #[arg(default_value = "-")]
    request: PathBuf,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let body = if args.request.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin().read_to_end(&mut buf).context("reading the request from stdin")?;
        buf
    } else {
        std::fs::read(&args.request).with_context(|| format!("reading `{}`", args.request.display()))?
    };
    let registry = crate::load(&args.policies)?;
    Ok(print_decision(&registry, &body))
}

/// Prints the response, or the api.md error JSON with a failing exit status.
pub fn print_decision(registry: &kitei::Registry, body: &[u8]) -> ExitCode {
    match registry.decide_json(body) {
        Ok(v) => {
            let _ = crate::print_out(&(serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"));
            ExitCode::SUCCESS
        }
        Err(e) => {
            let _ = crate::print_out(&(serde_json::to_string_pretty(&e.to_json()).unwrap_or_default() + "\n"));
            ExitCode::from(1)
        }
    }
}
