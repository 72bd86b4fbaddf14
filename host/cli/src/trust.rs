use anyhow::Result;
use kitei::trust::TrustPolicy;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Read a trust file strictly and list each institution's keys
    Check {
        /// The trust file (TOML)
        trust: PathBuf,
    },
    /// Print an OpenSSH allowed_signers file for `ssh-keygen -Y verify`
    AllowedSigners {
        /// The trust file (TOML)
        trust: PathBuf,
    },
}

pub fn run(command: Command) -> Result<ExitCode> {
    match command {
        Command::Check { trust } => {
            let policy = TrustPolicy::read(&trust)?;
            let required = if policy.require_signatures() { "required" } else { "not required" };
            let mut out = format!("{}: signatures {required}\n", trust.display());
            for (institution, keys) in policy.institutions() {
                for k in keys {
                    out.push_str(&format!("  {institution}  {}  valid {}\n", k.fingerprint(), k.window()));
                }
            }
            crate::print_out(&out)?;
        }
        Command::AllowedSigners { trust } => crate::print_out(&TrustPolicy::read(&trust)?.allowed_signers())?,
    }
    Ok(ExitCode::SUCCESS)
}
