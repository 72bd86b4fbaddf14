use anyhow::{Context, Result};
use kitei_oci::Reference;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The module to copy: HOST[:PORT]/REPO:TAG (or @sha256:…), with or without oci://
    source: String,
    /// Where to: HOST[:PORT]/REPO:TAG, or pinned to the source's digest
    destination: String,
    #[command(flatten)]
    registry: crate::registry::RegistryArgs,
}

/// Mirrors a module and every signature referring to it to another
/// registry, byte for byte: the same digest there, and `kitei pull` from the
/// mirror verifies exactly as from the source. Prints the destination pinned
/// by digest.
pub fn run(args: Args) -> Result<ExitCode> {
    let source: Reference = args.source.parse()?;
    let destination: Reference = args.destination.parse()?;
    let client = args.registry.client()?;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().context("starting tokio")?;
    let copied = rt.block_on(client.copy(&source, &destination))?;
    let signed = match copied.signatures.len() {
        0 => "unsigned".to_string(),
        1 => "with its signature".to_string(),
        n => format!("with its {n} signatures"),
    };
    eprintln!("kitei copy: {source} → {destination} ({signed})");
    println!("{}", destination.with_digest(&copied.digest));
    Ok(ExitCode::SUCCESS)
}
