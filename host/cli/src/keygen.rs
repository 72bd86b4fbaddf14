use anyhow::{Context, Result, bail};
use ssh_key::rand_core::OsRng;
use ssh_key::{Algorithm, LineEnding, PrivateKey};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Write the private key here (OpenSSH format, mode 0600) and the public key to PATH.pub
    #[arg(long)]
    out: PathBuf,
    /// The key's comment (who it belongs to), e.g. `gunma-2026`
    #[arg(long, default_value = "kitei-policy")]
    comment: String,
    /// Overwrite existing files
    #[arg(long)]
    force: bool,
}

/// An ed25519 key pair for signing modules; `ssh-keygen -t ed25519` keys work as well.
pub fn run(args: Args) -> Result<ExitCode> {
    let public = pub_path(&args.out);
    for p in [&args.out, &public] {
        if p.exists() && !args.force {
            bail!("`{}` exists (use --force to overwrite)", p.display());
        }
    }
    let mut key = PrivateKey::random(&mut OsRng, Algorithm::Ed25519).context("generating an ed25519 key")?;
    key.set_comment(&args.comment);
    key.write_openssh_file(&args.out, LineEnding::LF).with_context(|| format!("writing `{}`", args.out.display()))?;
    key.public_key().write_openssh_file(&public).with_context(|| format!("writing `{}`", public.display()))?;
    eprintln!("kitei keygen: wrote {} and {}", args.out.display(), public.display());
    println!("{}", key.public_key().to_openssh()?);
    Ok(ExitCode::SUCCESS)
}

/// `PATH.pub`.
pub fn pub_path(private: &std::path::Path) -> PathBuf {
    let mut name = private.as_os_str().to_owned();
    name.push(".pub");
    PathBuf::from(name)
}
