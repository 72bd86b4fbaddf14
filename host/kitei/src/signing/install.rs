//! Putting a verified module into a policy directory, so that a server
//! hot-reloading that directory never loads half of a pair.
//!
//! [`install`] verifies first (the signature with the trust policy, then the
//! statement against the module's own metadata, as `kitei verify` does) and
//! writes nothing unless that passes. It then writes `<variant>.wasm.sig` and
//! `<variant>.wasm` to hidden temporary files in the same directory
//! (`.<name>.partial`: neither `*.wasm` nor `*.wasm.sig`, so never loaded),
//! and renames them into place, **signature first**:
//! - a variant new to the directory: its module appears only once its
//!   signature is there, so it is never seen unsigned;
//! - a replaced variant: between the two renames the server may see the new
//!   signature beside the old module; that pair does not verify (the bytes
//!   differ from the statement), so the reload refuses it and the last good
//!   version keeps serving until the module's rename triggers the next
//!   reload (the server's debounce usually folds both renames into one).
//!
//! At no moment is an unverified pair loaded: a module is served only with
//! a signature over its exact bytes. Each rename is atomic on one filesystem.

use super::{Trust, TrustError, TrustPolicy, Verified, sidecar_path};
use crate::runtime::{Checked, Runtime};
use chrono::NaiveDate;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A module written into a policy directory.
#[derive(Clone, Debug)]
pub struct Installed {
    /// `DIR/<variant>.wasm`
    pub module: PathBuf,
    /// `DIR/<variant>.wasm.sig`, when the module was signed
    pub signature: Option<PathBuf>,
    /// the module's variant, from its own metadata
    pub variant: String,
    /// the verified statement and key; `None` when unsigned and allowed
    pub verified: Option<Verified>,
}

/// Why a module was not installed. Nothing was written. What happened is
/// [`InstallError::kind`]; a refusal's cause (the trust check, or why the
/// bytes are not a module) and a failed write's I/O error are its
/// [`std::error::Error::source`], shown after the message by
/// [`crate::Report`].
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct InstallError(#[from] InstallFault);

/// What kind of [`InstallError`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum InstallErrorKind {
    /// the trust policy refuses it ([`InstallError::trust_error`] says why)
    Refused,
    /// the bytes are not a policy module this host loads
    NotAModule,
    /// the variant's name cannot be a file name
    BadVariant,
    /// writing into the directory failed (what was written is removed)
    Write,
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum InstallFault {
    #[error("`{origin}`: refused")]
    Refused { origin: String, source: TrustError },
    #[error("`{origin}`: refused")]
    NotAModule { origin: String, source: crate::error::LoadError },
    #[error("`{origin}`: refused: variant `{variant}` is not a file name")]
    BadVariant { origin: String, variant: String },
    #[error("writing `{}`", file.display())]
    Write { file: PathBuf, source: std::io::Error },
}

impl InstallError {
    /// What kind of failure this is.
    pub fn kind(&self) -> InstallErrorKind {
        match &self.0 {
            InstallFault::Refused { .. } => InstallErrorKind::Refused,
            InstallFault::NotAModule { .. } => InstallErrorKind::NotAModule,
            InstallFault::BadVariant { .. } => InstallErrorKind::BadVariant,
            InstallFault::Write { .. } => InstallErrorKind::Write,
        }
    }

    /// Whether the module itself was refused (untrusted, not a module, a
    /// variant that cannot be a file name), as against a failed write.
    pub fn is_refusal(&self) -> bool {
        self.kind() != InstallErrorKind::Write
    }

    /// Where the module came from (a path or reference), for a refusal.
    pub fn origin(&self) -> Option<&str> {
        match &self.0 {
            InstallFault::Refused { origin, .. } | InstallFault::NotAModule { origin, .. } | InstallFault::BadVariant { origin, .. } => Some(origin),
            InstallFault::Write { .. } => None,
        }
    }

    /// The trust check that refused the module, for [`InstallErrorKind::Refused`].
    pub fn trust_error(&self) -> Option<&TrustError> {
        match &self.0 {
            InstallFault::Refused { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Verifies `module` (from `origin`, a path or reference, for messages)
/// with its `sidecar` under `policy` on `today`, checks the statement
/// against the module's metadata, and only then writes the pair into `dir`
/// as `<variant>.wasm` and `<variant>.wasm.sig`, signature first (see the
/// module docs). An unsigned module the policy allows replaces any stale
/// signature of its variant.
///
/// The rollback floor is not checked here (a puller has none; the loading
/// server checks its own): [`Trust::install`] checks it too.
///
/// # Errors
/// [`InstallError`] naming why; nothing is then left in `dir`.
pub fn install(
    runtime: &Runtime,
    policy: &TrustPolicy,
    today: NaiveDate,
    dir: &Path,
    origin: &str,
    module: &[u8],
    sidecar: Option<&[u8]>,
) -> Result<Installed, InstallError> {
    install_checked(runtime, policy, None, today, dir, origin, module, sidecar)
}

impl Trust {
    /// [`install`] under this trust policy, refusing also a statement below
    /// the rollback floor (without raising it: the load that serves the
    /// module does), so a rollback never reaches the directory a server
    /// restarts from.
    ///
    /// # Errors
    /// As [`install`], and [`super::TrustErrorKind::Rollback`] as a refusal.
    pub fn install(
        &self,
        runtime: &Runtime,
        today: NaiveDate,
        dir: &Path,
        origin: &str,
        module: &[u8],
        sidecar: Option<&[u8]>,
    ) -> Result<Installed, InstallError> {
        install_checked(runtime, self.policy(), Some(self), today, dir, origin, module, sidecar)
    }
}

#[allow(clippy::too_many_arguments)]
fn install_checked(
    runtime: &Runtime,
    policy: &TrustPolicy,
    floor: Option<&Trust>,
    today: NaiveDate,
    dir: &Path,
    origin: &str,
    module: &[u8],
    sidecar: Option<&[u8]>,
) -> Result<Installed, InstallError> {
    let refused = |source| InstallError::from(InstallFault::Refused { origin: origin.to_string(), source });
    let verified = policy.verify(module, sidecar, today).map_err(refused)?;
    if let (Some(trust), Some(v)) = (floor, &verified) {
        trust.check_floor(v).map_err(refused)?;
    }
    // compiled and asked `describe` only after its signature verified
    let checked = Checked::new(runtime, Path::new(origin), module).map_err(|source| InstallFault::NotAModule { origin: origin.to_string(), source })?;
    let md = &checked.metadata;
    if let Some(v) = &verified {
        v.check_module(&md.institution, &md.variant).map_err(refused)?;
    }
    let variant = md.variant.clone();
    let file_name_ok =
        !variant.is_empty() && !variant.starts_with('.') && variant.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if !file_name_ok {
        return Err(InstallFault::BadVariant { origin: origin.to_string(), variant }.into());
    }
    let module_path = dir.join(format!("{variant}.wasm"));
    let sig_path = sidecar_path(&module_path);
    let module_tmp = partial(&module_path);
    let sig_tmp = partial(&sig_path);
    let result = (|| {
        write_synced(&module_tmp, module)?;
        match (&verified, sidecar) {
            (Some(_), Some(sidecar)) => {
                write_synced(&sig_tmp, sidecar)?;
                rename(&sig_tmp, &sig_path)?;
            }
            _ => match std::fs::remove_file(&sig_path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(write_error(&sig_path, e)),
                _ => {}
            },
        }
        rename(&module_tmp, &module_path)?;
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&module_tmp);
        let _ = std::fs::remove_file(&sig_tmp);
        return Err(e);
    }
    let signature = verified.is_some().then_some(sig_path);
    Ok(Installed { module: module_path, signature, variant, verified })
}

/// `DIR/.<name>.partial`: hidden, and not a name the loader reads.
fn partial(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!(".{name}.partial"))
}

fn write_error(file: &Path, source: std::io::Error) -> InstallError {
    InstallFault::Write { file: file.to_path_buf(), source }.into()
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), InstallError> {
    let mut f = std::fs::File::create(path).map_err(|e| write_error(path, e))?;
    f.write_all(bytes).and_then(|()| f.sync_all()).map_err(|e| write_error(path, e))
}

fn rename(from: &Path, to: &Path) -> Result<(), InstallError> {
    std::fs::rename(from, to).map_err(|e| write_error(to, e))
}
