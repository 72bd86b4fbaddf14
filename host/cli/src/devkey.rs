//! The development signing key and trust file `kitei build` makes, so that
//! the default path (`./run demo`, `./run serve`) loads signed modules and
//! exercises verification. For development only: a platform writes its own
//! trust file with each institution's real keys.

use anyhow::{Context, Result};
use kitei::trust::{Sidecar, Statement};
use ssh_key::rand_core::OsRng;
use ssh_key::{Algorithm, LineEnding, PrivateKey};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Where the development key lives: `target/dev-keys/kitei-dev` (made once).
pub const DEV_KEY: &str = "target/dev-keys/kitei-dev";

/// The trust file naming the development key for every institution it signed.
pub const DEV_TRUST: &str = "target/dev-trust.toml";

/// The development key, generated on first use.
pub fn dev_key() -> Result<PrivateKey> {
    let path = Path::new(DEV_KEY);
    if path.exists() {
        return PrivateKey::read_openssh_file(path).with_context(|| format!("reading `{DEV_KEY}`"));
    }
    std::fs::create_dir_all(path.parent().unwrap_or(Path::new("."))).context("creating target/dev-keys")?;
    let mut key = PrivateKey::random(&mut OsRng, Algorithm::Ed25519).context("generating the development key")?;
    key.set_comment("kitei-dev (development only)");
    key.write_openssh_file(path, LineEnding::LF).with_context(|| format!("writing `{DEV_KEY}`"))?;
    key.public_key().write_openssh_file(&crate::keygen::pub_path(path)).context("writing the development public key")?;
    eprintln!("kitei build: made the development signing key {DEV_KEY} (development only)");
    Ok(key)
}

/// Writes the development trust file: signatures required, the development
/// key for every institution whose module in `dir` it signed.
pub fn write_dev_trust(key: &PrivateKey, dir: &Path) -> Result<PathBuf> {
    let mut institutions = BTreeSet::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading `{}`", dir.display()))? {
        let path = entry?.path();
        if !path.to_string_lossy().ends_with(".wasm.sig") {
            continue;
        }
        let Ok(sidecar) = std::fs::read(&path).map_err(anyhow::Error::from).and_then(|b| Ok(Sidecar::parse(&b)?)) else { continue };
        let Ok(sig) = ssh_key::SshSig::from_pem(sidecar.signature.as_bytes()) else { continue };
        if sig.public_key() != key.public_key().key_data() {
            continue;
        }
        if let Ok(statement) = serde_json::from_str::<Statement>(&sidecar.statement) {
            institutions.insert(statement.institution);
        }
    }
    let line = key.public_key().to_openssh()?;
    let mut text = String::from(
        "# Development trust file written by `kitei build`: the development key for every\n\
         # institution it signed. For development only; never deploy it.\nrequire_signatures = true\n",
    );
    for institution in institutions {
        text.push_str(&format!("\n[institutions.{institution}]\nkeys = [\"{line}\"]\n"));
    }
    std::fs::write(DEV_TRUST, text).with_context(|| format!("writing `{DEV_TRUST}`"))?;
    Ok(PathBuf::from(DEV_TRUST))
}
