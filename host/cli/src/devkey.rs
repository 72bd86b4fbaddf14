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

/// Where the development key lives: `target/dev-keys/kitei-dev` (made
/// once), beside the default policy directory (`$CARGO_TARGET_DIR` too).
pub fn dev_key_path() -> PathBuf {
    kitei_build::target_dir_in(Path::new("")).join("dev-keys/kitei-dev")
}

/// The trust file naming the development key for every institution it
/// signed: `target/dev-trust.toml` (or under `$CARGO_TARGET_DIR`).
pub fn dev_trust_path() -> PathBuf {
    kitei_build::target_dir_in(Path::new("")).join("dev-trust.toml")
}

/// The development key, generated on first use.
pub fn dev_key() -> Result<PrivateKey> {
    let path = dev_key_path();
    if path.exists() {
        return PrivateKey::read_openssh_file(&path).with_context(|| format!("reading `{}`", path.display()));
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("creating `{}`", dir.display()))?;
    let mut key = PrivateKey::random(&mut OsRng, Algorithm::Ed25519).context("generating the development key")?;
    key.set_comment("kitei-dev (development only)");
    key.write_openssh_file(&path, LineEnding::LF).with_context(|| format!("writing `{}`", path.display()))?;
    key.public_key().write_openssh_file(&crate::keygen::pub_path(&path)).context("writing the development public key")?;
    eprintln!("kitei build: made the development signing key {} (development only)", path.display());
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
    let file = dev_trust_path();
    std::fs::write(&file, text).with_context(|| format!("writing `{}`", file.display()))?;
    Ok(file)
}
