//! Signed modules: which keys may publish a module for which institution.
//!
//! An institution signs a small [`Statement`] about its module — institution,
//! variant, version, a rising `sequence`, the module's sha256 and size — with
//! an SSH key, in the SSHSIG format git and `ssh-keygen -Y sign` use, under
//! the fixed namespace [`NAMESPACE`]. The signature travels beside the module
//! as `<module>.wasm.sig` ([`Sidecar`]).
//!
//! The platform decides what it trusts in a [`TrustPolicy`] (TOML, from its
//! own configuration, never from the policy directory or a registry):
//! whether signatures are required, and each institution's keys with their
//! validity. Verification ([`TrustPolicy::verify`]) runs before a module is
//! compiled, and takes nothing from the artifact on trust:
//! - whether a signature is needed is the policy's, not the module's, choice;
//! - only the keys of the institution the statement names are tried, so
//!   gunma's key cannot publish for toyama (and the statement's institution
//!   and variant must then equal the module's own metadata:
//!   [`Verified::check_module`]);
//! - the signature must be in [`NAMESPACE`], by a key valid today;
//! - the sha256 and size of the exact bytes read must be the statement's;
//! - the `sequence` must not fall below the highest accepted for the variant
//!   ([`SequenceFloor`], persisted), so an old signed module cannot be replayed.
//!
//! [`install`] puts a module that verifies into a policy directory (what
//! `kitei pull` does with a module fetched from a registry): nothing is
//! written unless it verifies, and the signature is renamed into place
//! before the module, so a hot-reloading server never loads half a pair.
//!
//! ```
//! use kitei::trust::TrustPolicy;
//! let policy = TrustPolicy::from_toml(r#"
//!     require_signatures = true
//!     [institutions.gunma]
//!     keys = ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBvHYdqb6/yZ9xVDOHwBgYwgoYbqW3pkl6Zw5vdcUrXP gunma-2026"]
//! "#)?;
//! assert!(policy.require_signatures());
//! # Ok::<(), kitei::trust::TrustError>(())
//! ```

mod install;
pub use install::{InstallError, InstallErrorKind, Installed, install};

use crate::runtime::sha256_hex;
use chrono::NaiveDate;
use ssh_key::{PublicKey, SshSig};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The SSHSIG namespace of module statements: a signature made for anything
/// else (a git commit, a file) is not a module signature.
pub const NAMESPACE: &str = "kitei-policy@v1";

/// The file a module's signature is kept in: `<module>.wasm.sig`.
pub fn sidecar_path(module: &Path) -> PathBuf {
    let mut name = module.as_os_str().to_owned();
    name.push(".sig");
    PathBuf::from(name)
}

/// Reads a module's signature file; `None` when there is none.
///
/// # Errors
/// When the file exists but cannot be read.
pub fn read_sidecar(module: &Path) -> std::io::Result<Option<Vec<u8>>> {
    match std::fs::read(sidecar_path(module)) {
        Ok(sig) => Ok(Some(sig)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// What an institution signs about one module.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Statement {
    /// the institution the module answers for (`gunma`)
    pub institution: String,
    /// the variant it is (`gunma-2023`)
    pub variant: String,
    /// the text's version, as the module's metadata says
    pub version: String,
    /// rises with every module the institution publishes for the variant
    pub sequence: u64,
    /// hex sha256 of the module's bytes
    pub sha256: String,
    /// the module's size in bytes
    pub size: u64,
    /// when it was signed (RFC 3339; informative: validity is judged by the
    /// verifier's date, not by a date the signer wrote)
    pub signed_at: String,
}

/// The signature file: the exact statement text that was signed, and the
/// SSHSIG armour over it.
///
/// An auditor checks one with OpenSSH alone:
/// `jq -j .statement M.wasm.sig > msg; jq -j .signature M.wasm.sig > sig;
/// ssh-keygen -Y verify -f allowed_signers -I gunma -n kitei-policy@v1 -s sig < msg`
/// (`allowed_signers` from `kitei trust allowed-signers`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sidecar {
    /// the statement as signed, byte for byte (JSON)
    pub statement: String,
    /// `-----BEGIN SSH SIGNATURE-----` …
    pub signature: String,
}

impl Sidecar {
    /// Signs `statement` with `key` (an OpenSSH private key).
    ///
    /// # Errors
    /// [`TrustErrorKind::Malformed`] when the key cannot sign.
    pub fn sign(key: &ssh_key::PrivateKey, statement: &Statement) -> Result<Self, TrustError> {
        let text = serde_json::to_string(statement).map_err(|e| TrustFault::Malformed(e.to_string()))?;
        let sig = key.sign(NAMESPACE, ssh_key::HashAlg::Sha512, text.as_bytes()).map_err(|e| TrustFault::Malformed(format!("cannot sign: {e}")))?;
        let signature = sig.to_pem(ssh_key::LineEnding::LF).map_err(|e| TrustFault::Malformed(e.to_string()))?;
        Ok(Sidecar { statement: text, signature })
    }

    /// The file's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec_pretty(self).unwrap_or_else(|e| unreachable!("two strings serialize: {e}"));
        out.push(b'\n');
        out
    }

    /// Reads a signature file.
    ///
    /// # Errors
    /// [`TrustErrorKind::Malformed`] naming what is wrong.
    pub fn parse(bytes: &[u8]) -> Result<Self, TrustError> {
        serde_json::from_slice(bytes).map_err(|e| TrustFault::Malformed(format!("signature file: {e}")).into())
    }
}

/// Why a module is not trusted. Each names what failed; none is ever
/// answered by loading the module anyway. What failed is
/// [`TrustError::kind`]; the fields are private, read by the accessors.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct TrustError(#[from] TrustFault);

/// What kind of [`TrustError`]: which check failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TrustErrorKind {
    /// the trust file cannot be read as a trust policy
    TrustFile,
    /// signatures are required and the module has none
    Unsigned,
    /// the signature file or its statement cannot be read
    Malformed,
    /// the signature is for another purpose than module statements
    Namespace,
    /// the trust policy names no keys for the statement's institution
    UnknownInstitution,
    /// the key that signed is another institution's
    OtherInstitution,
    /// the key that signed is not trusted at all
    UnknownKey,
    /// the key is trusted but not today
    KeyNotValid,
    /// the signature does not verify: the statement was changed, or the armour is corrupt
    BadSignature,
    /// the module's bytes are not the ones signed
    Digest,
    /// the statement says another institution or variant than the module
    Mismatch,
    /// an older module than one already accepted (rollback)
    Rollback,
    /// the rollback floor cannot be read or written
    Floor,
}

impl TrustError {
    /// Which check failed.
    pub fn kind(&self) -> TrustErrorKind {
        match &self.0 {
            TrustFault::TrustFile(_) => TrustErrorKind::TrustFile,
            TrustFault::Unsigned => TrustErrorKind::Unsigned,
            TrustFault::Malformed(_) => TrustErrorKind::Malformed,
            TrustFault::Namespace(_) => TrustErrorKind::Namespace,
            TrustFault::UnknownInstitution(_) => TrustErrorKind::UnknownInstitution,
            TrustFault::OtherInstitution { .. } => TrustErrorKind::OtherInstitution,
            TrustFault::UnknownKey { .. } => TrustErrorKind::UnknownKey,
            TrustFault::KeyNotValid { .. } => TrustErrorKind::KeyNotValid,
            TrustFault::BadSignature(_) => TrustErrorKind::BadSignature,
            TrustFault::Digest(_) => TrustErrorKind::Digest,
            TrustFault::Mismatch { .. } => TrustErrorKind::Mismatch,
            TrustFault::Rollback { .. } => TrustErrorKind::Rollback,
            TrustFault::Floor { .. } => TrustErrorKind::Floor,
        }
    }

    /// The statement's institution, when the check that failed is about
    /// its keys (no keys, another institution's key, an unknown key).
    pub fn institution(&self) -> Option<&str> {
        match &self.0 {
            TrustFault::UnknownInstitution(institution) | TrustFault::OtherInstitution { institution, .. } | TrustFault::UnknownKey { institution, .. } => {
                Some(institution)
            }
            _ => None,
        }
    }

    /// The institution whose key signed, for [`TrustErrorKind::OtherInstitution`].
    pub fn signer(&self) -> Option<&str> {
        match &self.0 {
            TrustFault::OtherInstitution { signer, .. } => Some(signer),
            _ => None,
        }
    }

    /// The statement's field that differs from the module's metadata
    /// (`institution` or `variant`), for [`TrustErrorKind::Mismatch`].
    pub fn field(&self) -> Option<&'static str> {
        match &self.0 {
            TrustFault::Mismatch { field, .. } => Some(*field),
            _ => None,
        }
    }

    /// The highest sequence already accepted, for [`TrustErrorKind::Rollback`].
    pub fn floor(&self) -> Option<u64> {
        match &self.0 {
            TrustFault::Rollback { floor, .. } => Some(*floor),
            _ => None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum TrustFault {
    /// the trust file cannot be read as a trust policy
    #[error("trust file: {0}")]
    TrustFile(String),
    /// signatures are required and the module has none
    #[error("no signature (`.wasm.sig`) and the trust policy requires one")]
    Unsigned,
    /// the signature file or its statement cannot be read
    #[error("signature: {0}")]
    Malformed(String),
    /// the signature is for another purpose than module statements
    #[error("signature is in namespace `{0}`, not `kitei-policy@v1`")]
    Namespace(String),
    /// the trust policy names no keys for the statement's institution
    #[error("no trusted keys for institution `{0}`")]
    UnknownInstitution(String),
    /// the key that signed is another institution's
    #[error("signed by a key of `{signer}`, but the statement is for `{institution}`")]
    OtherInstitution {
        /// the statement's institution
        institution: String,
        /// the institution whose key signed
        signer: String,
    },
    /// the key that signed is not trusted at all
    #[error("signed by an unknown key ({fingerprint}) for `{institution}`")]
    UnknownKey {
        /// the statement's institution
        institution: String,
        /// the signing key's fingerprint
        fingerprint: String,
    },
    /// the key is trusted but not today
    #[error("the key that signed ({fingerprint}) is valid {window}, not on {today}")]
    KeyNotValid {
        /// the key's fingerprint
        fingerprint: String,
        /// its validity window
        window: String,
        /// the verifier's date
        today: NaiveDate,
    },
    /// the signature does not verify: the statement was changed, or the armour is corrupt
    #[error("signature does not verify: {0}")]
    BadSignature(String),
    /// the module's bytes are not the ones signed
    #[error("module bytes differ from the signed statement: {0}")]
    Digest(String),
    /// the statement says another institution or variant than the module
    #[error("statement says {field} `{statement}`, the module says `{module}`")]
    Mismatch {
        /// `institution` or `variant`
        field: &'static str,
        /// what the statement says
        statement: String,
        /// what the module's metadata says
        module: String,
    },
    /// an older module than one already accepted (rollback)
    #[error("sequence {sequence} of `{variant}` is below {floor}, already accepted (rollback refused)")]
    Rollback {
        /// the variant
        variant: String,
        /// the statement's sequence
        sequence: u64,
        /// the highest accepted
        floor: u64,
    },
    /// the rollback floor cannot be read or written
    #[error("sequence floor `{file}`: {message}")]
    Floor {
        /// the floor file
        file: PathBuf,
        /// what went wrong
        message: String,
    },
}

/// A key as the trust file writes it: the OpenSSH public key line alone, or
/// with its validity.
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum KeyEntry {
    Line(String),
    Windowed { key: String, not_before: Option<NaiveDate>, not_after: Option<NaiveDate> },
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct InstitutionEntry {
    keys: Vec<KeyEntry>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TrustFile {
    require_signatures: bool,
    #[serde(default)]
    institutions: BTreeMap<String, InstitutionEntry>,
}

/// A key an institution signs with, and the days it may (inclusive, the
/// verifier's UTC date).
#[derive(Clone, Debug)]
pub struct TrustedKey {
    key: PublicKey,
    not_before: Option<NaiveDate>,
    not_after: Option<NaiveDate>,
}

impl TrustedKey {
    fn valid_on(&self, day: NaiveDate) -> bool {
        self.not_before.is_none_or(|b| b <= day) && self.not_after.is_none_or(|a| day <= a)
    }

    /// `2026-01-01 – 2026-12-31`, with `…` for an open end.
    pub fn window(&self) -> String {
        let d = |d: Option<NaiveDate>| d.map_or("…".to_string(), |d| d.to_string());
        format!("{} – {}", d(self.not_before), d(self.not_after))
    }

    /// `SHA256:…`, as `ssh-keygen -l` prints it.
    pub fn fingerprint(&self) -> String {
        self.key.fingerprint(ssh_key::HashAlg::Sha256).to_string()
    }
}

/// What the platform trusts: configuration, never read from the policy
/// directory or a registry.
#[derive(Clone, Debug)]
pub struct TrustPolicy {
    require_signatures: bool,
    institutions: BTreeMap<String, Vec<TrustedKey>>,
}

/// A module whose signature verified, and by which key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    /// what was signed
    pub statement: Statement,
    /// the fingerprint of the key that signed
    pub key: String,
}

impl Verified {
    /// Checks that the statement is about this module: its institution and
    /// variant as the module's own metadata says them, so a key cannot move
    /// a module into another institution's or variant's slot.
    ///
    /// # Errors
    /// [`TrustErrorKind::Mismatch`] naming the field.
    pub fn check_module(&self, institution: &str, variant: &str) -> Result<(), TrustError> {
        for (field, statement, module) in [("institution", &self.statement.institution, institution), ("variant", &self.statement.variant, variant)] {
            if statement != module {
                return Err(TrustFault::Mismatch { field, statement: statement.clone(), module: module.to_string() }.into());
            }
        }
        Ok(())
    }
}

impl TrustPolicy {
    /// Reads a trust file.
    ///
    /// # Errors
    /// [`TrustErrorKind::TrustFile`] naming the field or key at fault.
    pub fn from_toml(text: &str) -> Result<Self, TrustError> {
        let file: TrustFile = toml::from_str(text).map_err(|e| TrustFault::TrustFile(e.to_string()))?;
        let mut institutions = BTreeMap::new();
        for (institution, entry) in file.institutions {
            let mut keys = Vec::with_capacity(entry.keys.len());
            for (i, k) in entry.keys.into_iter().enumerate() {
                let (line, not_before, not_after) = match k {
                    KeyEntry::Line(line) => (line, None, None),
                    KeyEntry::Windowed { key, not_before, not_after } => (key, not_before, not_after),
                };
                let key = PublicKey::from_openssh(line.trim())
                    .map_err(|e| TrustFault::TrustFile(format!("`institutions.{institution}.keys[{i}]`: not an OpenSSH public key: {e}")))?;
                if let (Some(b), Some(a)) = (not_before, not_after)
                    && a < b
                {
                    return Err(TrustFault::TrustFile(format!("`institutions.{institution}.keys[{i}]`: not_after {a} is before not_before {b}")).into());
                }
                keys.push(TrustedKey { key, not_before, not_after });
            }
            if keys.is_empty() {
                return Err(TrustFault::TrustFile(format!("`institutions.{institution}.keys` is empty")).into());
            }
            institutions.insert(institution, keys);
        }
        if file.require_signatures && institutions.is_empty() {
            return Err(TrustFault::TrustFile("signatures are required but no institution has keys".into()).into());
        }
        Ok(TrustPolicy { require_signatures: file.require_signatures, institutions })
    }

    /// Reads a trust file from disk.
    ///
    /// # Errors
    /// As [`TrustPolicy::from_toml`], or the file cannot be read.
    pub fn read(path: &Path) -> Result<Self, TrustError> {
        let text = std::fs::read_to_string(path).map_err(|e| TrustFault::TrustFile(format!("`{}`: {e}", path.display())))?;
        Self::from_toml(&text).map_err(|e| match e.0 {
            TrustFault::TrustFile(m) => TrustFault::TrustFile(format!("`{}`: {m}", path.display())).into(),
            other => other.into(),
        })
    }

    /// Whether a module without a signature is refused.
    pub fn require_signatures(&self) -> bool {
        self.require_signatures
    }

    /// The institutions with keys, and their keys.
    pub fn institutions(&self) -> impl Iterator<Item = (&str, &[TrustedKey])> {
        self.institutions.iter().map(|(i, k)| (i.as_str(), k.as_slice()))
    }

    /// Verifies a module's bytes against its signature file, if any, on
    /// `today` (UTC). `Ok(None)`: unsigned, and the policy allows it.
    ///
    /// # Errors
    /// A [`TrustError`] naming what failed.
    pub fn verify(&self, module: &[u8], sidecar: Option<&[u8]>, today: NaiveDate) -> Result<Option<Verified>, TrustError> {
        let Some(sidecar) = sidecar else {
            return if self.require_signatures { Err(TrustFault::Unsigned.into()) } else { Ok(None) };
        };
        let sidecar = Sidecar::parse(sidecar)?;
        let sig = SshSig::from_pem(sidecar.signature.as_bytes()).map_err(|e| TrustFault::Malformed(format!("SSHSIG armour: {e}")))?;
        if sig.namespace() != NAMESPACE {
            return Err(TrustFault::Namespace(sig.namespace().to_string()).into());
        }
        let statement: Statement = serde_json::from_str(&sidecar.statement).map_err(|e| TrustFault::Malformed(format!("statement: {e}")))?;
        let institution = &statement.institution;
        let keys = self.institutions.get(institution).ok_or_else(|| TrustFault::UnknownInstitution(institution.clone()))?;
        let Some(key) = keys.iter().find(|k| k.key.key_data() == sig.public_key()) else {
            let fingerprint = sig.public_key().fingerprint(ssh_key::HashAlg::Sha256).to_string();
            return Err(match self.institutions.iter().find(|(_, ks)| ks.iter().any(|k| k.key.key_data() == sig.public_key())) {
                Some((signer, _)) => TrustFault::OtherInstitution { institution: institution.clone(), signer: signer.clone() },
                None => TrustFault::UnknownKey { institution: institution.clone(), fingerprint },
            }
            .into());
        };
        if !key.valid_on(today) {
            return Err(TrustFault::KeyNotValid { fingerprint: key.fingerprint(), window: key.window(), today }.into());
        }
        key.key.verify(NAMESPACE, sidecar.statement.as_bytes(), &sig).map_err(|e| TrustFault::BadSignature(e.to_string()))?;
        let sha256 = sha256_hex(module);
        if sha256 != statement.sha256 {
            return Err(TrustFault::Digest(format!("sha256 {sha256}, signed {}", statement.sha256)).into());
        }
        if module.len() as u64 != statement.size {
            return Err(TrustFault::Digest(format!("{} bytes, signed {}", module.len(), statement.size)).into());
        }
        Ok(Some(Verified { statement, key: key.fingerprint() }))
    }

    /// Whether a module verified earlier (`None`: loaded unsigned) would
    /// still be trusted under this policy on `today`: its statement's
    /// institution still lists the key that signed it, valid that day.
    /// What a server asks of the modules it serves when its trust file
    /// changes (the signature itself verified when they loaded).
    ///
    /// # Errors
    /// [`TrustErrorKind::Unsigned`], [`TrustErrorKind::UnknownInstitution`],
    /// [`TrustErrorKind::UnknownKey`] or [`TrustErrorKind::KeyNotValid`].
    pub fn recheck(&self, verified: Option<&Verified>, today: NaiveDate) -> Result<(), TrustError> {
        let Some(v) = verified else {
            return if self.require_signatures { Err(TrustFault::Unsigned.into()) } else { Ok(()) };
        };
        let institution = &v.statement.institution;
        let keys = self.institutions.get(institution).ok_or_else(|| TrustFault::UnknownInstitution(institution.clone()))?;
        let key = keys
            .iter()
            .find(|k| k.fingerprint() == v.key)
            .ok_or_else(|| TrustFault::UnknownKey { institution: institution.clone(), fingerprint: v.key.clone() })?;
        if !key.valid_on(today) {
            return Err(TrustFault::KeyNotValid { fingerprint: key.fingerprint(), window: key.window(), today }.into());
        }
        Ok(())
    }

    /// An OpenSSH `allowed_signers` file for these keys (principal = the
    /// institution, namespace `kitei-policy@v1`, validity as configured), so
    /// an auditor can check a module with `ssh-keygen -Y verify` alone.
    pub fn allowed_signers(&self) -> String {
        let mut out = String::new();
        for (institution, keys) in &self.institutions {
            for k in keys {
                let mut options = vec![format!("namespaces=\"{NAMESPACE}\"")];
                if let Some(b) = k.not_before {
                    options.push(format!("valid-after=\"{}\"", b.format("%Y%m%d")));
                }
                if let Some(a) = k.not_after {
                    // inclusive last day: valid before the next one
                    let next = a.succ_opt().unwrap_or(a);
                    options.push(format!("valid-before=\"{}\"", next.format("%Y%m%d")));
                }
                let line = k.key.to_openssh().unwrap_or_default();
                out.push_str(&format!("{institution} {} {line}\n", options.join(",")));
            }
        }
        out
    }
}

/// The highest `sequence` accepted per variant, kept in a JSON file so a
/// restart does not forget it (the rollback floor).
#[derive(Debug, Default)]
pub struct SequenceFloor {
    file: Option<PathBuf>,
    highest: BTreeMap<String, u64>,
}

impl SequenceFloor {
    /// A floor kept only in memory.
    pub fn in_memory() -> Self {
        SequenceFloor::default()
    }

    /// The floor persisted in `file` (created on the first acceptance).
    ///
    /// # Errors
    /// [`TrustErrorKind::Floor`] when the file exists but cannot be read.
    pub fn open(file: &Path) -> Result<Self, TrustError> {
        let fail = |message: String| TrustError::from(TrustFault::Floor { file: file.to_path_buf(), message });
        let highest = match std::fs::read(file) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| fail(e.to_string()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
            Err(e) => return Err(fail(e.to_string())),
        };
        Ok(SequenceFloor { file: Some(file.to_path_buf()), highest })
    }

    /// The highest sequence accepted for `variant`.
    pub fn get(&self, variant: &str) -> Option<u64> {
        self.highest.get(variant).copied()
    }

    /// Refuses a statement below the floor of its variant.
    ///
    /// # Errors
    /// [`TrustErrorKind::Rollback`].
    pub fn check(&self, statement: &Statement) -> Result<(), TrustError> {
        match self.get(&statement.variant) {
            Some(floor) if statement.sequence < floor => {
                Err(TrustFault::Rollback { variant: statement.variant.clone(), sequence: statement.sequence, floor }.into())
            }
            _ => Ok(()),
        }
    }

    /// Raises the floor to the statement's sequence, and persists it
    /// (write and rename) before the module is served.
    ///
    /// # Errors
    /// [`TrustErrorKind::Rollback`] as [`SequenceFloor::check`];
    /// [`TrustErrorKind::Floor`] when the file cannot be written.
    pub fn accept(&mut self, statement: &Statement) -> Result<(), TrustError> {
        self.check(statement)?;
        if self.get(&statement.variant).is_some_and(|f| f >= statement.sequence) {
            return Ok(());
        }
        self.highest.insert(statement.variant.clone(), statement.sequence);
        let Some(file) = &self.file else { return Ok(()) };
        let fail = |message: String| TrustError::from(TrustFault::Floor { file: file.clone(), message });
        let bytes = serde_json::to_vec_pretty(&self.highest).map_err(|e| fail(e.to_string()))?;
        let tmp = file.with_extension("tmp");
        std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, file)).map_err(|e| fail(e.to_string()))
    }
}

/// A trust policy and the rollback floor, as loading uses them (shared
/// between reloads; the floor behind a lock).
#[derive(Debug)]
pub struct Trust {
    policy: TrustPolicy,
    floor: std::sync::Arc<std::sync::Mutex<SequenceFloor>>,
}

impl Trust {
    /// Loading under `policy`, with `floor` as the rollback floor.
    pub fn new(policy: TrustPolicy, floor: SequenceFloor) -> Self {
        Trust { policy, floor: std::sync::Arc::new(std::sync::Mutex::new(floor)) }
    }

    /// Loading under another `policy` (a trust file rotated while serving)
    /// with this rollback floor: both share it, so a rotation never lowers it.
    pub fn with_policy(&self, policy: TrustPolicy) -> Self {
        Trust { policy, floor: self.floor.clone() }
    }

    /// The trust policy.
    pub fn policy(&self) -> &TrustPolicy {
        &self.policy
    }

    /// Verifies `bytes` read from `module` against its sidecar file and
    /// against the floor (before anything is compiled).
    ///
    /// # Errors
    /// A [`TrustError`] naming what failed.
    pub fn verify_file(&self, module: &Path, bytes: &[u8], today: NaiveDate) -> Result<Option<Verified>, TrustError> {
        let sig = read_sidecar(module).map_err(|e| TrustFault::Malformed(format!("`{}`: {e}", sidecar_path(module).display())))?;
        let verified = self.policy.verify(bytes, sig.as_deref(), today)?;
        if let Some(v) = &verified {
            self.check_floor(v)?;
        }
        Ok(verified)
    }

    /// Refuses a verified statement below the rollback floor of its variant.
    ///
    /// # Errors
    /// [`TrustErrorKind::Rollback`].
    pub fn check_floor(&self, verified: &Verified) -> Result<(), TrustError> {
        self.lock().check(&verified.statement)
    }

    /// Raises the floor to a module about to serve.
    ///
    /// # Errors
    /// [`TrustErrorKind::Rollback`] or [`TrustErrorKind::Floor`].
    pub fn accept(&self, verified: &Verified) -> Result<(), TrustError> {
        self.lock().accept(&verified.statement)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, SequenceFloor> {
        self.floor.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests;
