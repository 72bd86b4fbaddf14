//! Reloading a directory against the registry already serving it.
//!
//! A reload must not recompile what did not change, and must not lose a
//! variant to a bad edit: a module whose bytes (sha256), file and settings
//! file are unchanged is reused as is (the same compiled, linked
//! `Arc<dyn LoadedPolicy>`); a file that loaded before and is now refused keeps its
//! last good policy serving while the refusal is reported; a removed file
//! withdraws its variant.

use super::{Registry, Rejected, SETTINGS_SUFFIX, load_file};
use crate::policy::LoadedPolicy;
use crate::runtime::{Runtime, sha256_hex};
use crate::settings::SettingsFile;
use crate::signing::{Sidecar, Trust, sidecar_path};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The settings files of a directory, by institution: parsed, and raw.
pub(super) struct SettingsFiles {
    pub(super) parsed: BTreeMap<String, (PathBuf, Result<SettingsFile, crate::error::SettingsError>)>,
    raw: BTreeMap<String, Vec<u8>>,
}

pub(super) fn settings_files(entries: &[PathBuf]) -> SettingsFiles {
    let mut files = SettingsFiles { parsed: BTreeMap::new(), raw: BTreeMap::new() };
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let Some(institution) = name.strip_suffix(SETTINGS_SUFFIX) else { continue };
        let (raw, parsed) = match std::fs::read(path) {
            Ok(raw) => {
                let parsed = SettingsFile::parse(&raw);
                (raw, parsed)
            }
            Err(e) => (Vec::new(), Err(crate::error::SettingsError::new(None, format!("cannot read: {e}")))),
        };
        files.raw.insert(institution.to_string(), raw);
        files.parsed.insert(institution.to_string(), (path.clone(), parsed));
    }
    files
}

impl Registry {
    /// Loads `dir` as [`Registry::load_dir`] does, reusing what `previous`
    /// already compiled: a module is reused when its file, its sha256 and
    /// its institution's settings file (byte for byte) are unchanged. When a
    /// file that `previous` served is now refused (corrupt, wrong world,
    /// imports, invalid settings), its previous policy keeps serving and the
    /// refusal is listed in [`Registry::rejected`].
    ///
    /// With an empty `previous` this is a fresh load.
    ///
    /// # Errors
    /// Only when the directory itself cannot be read.
    pub fn load_dir_reusing(runtime: &Runtime, dir: &Path, previous: &Registry) -> std::io::Result<Registry> {
        Self::load_dir_trusted(runtime, dir, previous, None)
    }

    /// As [`Registry::load_dir_reusing`], and with a [`Trust`] every module
    /// is verified against its signature (`<module>.wasm.sig`) before it is
    /// compiled: a module refused for trust is listed in
    /// [`Registry::rejected`] with the reason, and a last good version keeps
    /// serving. A module is reused only while its signature file says what
    /// it said when it was verified.
    ///
    /// # Errors
    /// Only when the directory itself cannot be read.
    pub fn load_dir_trusted(runtime: &Runtime, dir: &Path, previous: &Registry, trust: Option<&Trust>) -> std::io::Result<Registry> {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_file()).collect();
        entries.sort();
        let settings = settings_files(&entries);
        let mut registry = Registry { settings_inputs: settings.raw.clone(), ..Registry::default() };
        for path in entries.iter().filter(|p| p.extension().is_some_and(|e| e == "wasm")) {
            let served = previous.policies.iter().find(|p| p.info().source.as_deref() == Some(path.as_path()));
            if let Some(p) = served.filter(|p| reusable(p.as_ref(), path, previous, &settings, trust.is_some())) {
                registry.add(p.clone());
                continue;
            }
            match load_file(runtime, path, &settings.parsed, trust) {
                Ok(policy) => registry.add(policy),
                Err(e) => match served {
                    Some(last_good) => {
                        registry.rejected.push(Rejected::new(path, e, Some(last_good.info().reference.clone())));
                        registry.add(last_good.clone());
                    }
                    None => registry.reject(path, e),
                },
            }
        }
        for r in &registry.rejected {
            tracing::warn!(file = %r.file().display(), "rejected: {r}");
        }
        Ok(registry)
    }
}

impl Registry {
    /// The policies `keep` accepts, with the same settings inputs and
    /// refusals: what a server passes as `previous` to
    /// [`Registry::load_dir_trusted`] once its trust policy has changed, so
    /// a policy dropped here is neither reused nor kept as a last good
    /// version (its file is verified again, under the new policy).
    pub fn retain(&self, mut keep: impl FnMut(&dyn LoadedPolicy) -> bool) -> Registry {
        let mut registry = Registry { rejected: self.rejected.clone(), settings_inputs: self.settings_inputs.clone(), ..Registry::default() };
        for p in self.policies.iter().filter(|p| keep(p.as_ref())) {
            registry.add(p.clone());
        }
        registry
    }
}

/// Whether `policy`, served by `previous` from `path`, can serve again as is.
fn reusable(policy: &dyn LoadedPolicy, path: &Path, previous: &Registry, settings: &SettingsFiles, trusted: bool) -> bool {
    let institution = policy.info().institution();
    let Ok(bytes) = std::fs::read(path) else { return false };
    if trusted && !same_signature(policy, path) {
        return false;
    }
    // the settings file parses, and fits this module (a declared setting it
    // does not have refuses it again on every rescan)
    let settings_ok = match settings.parsed.get(institution) {
        None => true,
        Some((_, Ok(file))) => file.for_module(&policy.info().terms, policy.info().variant()).is_ok(),
        Some((_, Err(_))) => false,
    };
    sha256_hex(&bytes) == policy.info().sha256 && settings_ok && previous.settings_inputs.get(institution) == settings.raw.get(institution)
}

/// Whether the module's signature file still carries the statement it was
/// verified with (none before and none now included).
fn same_signature(policy: &dyn LoadedPolicy, path: &Path) -> bool {
    let now = std::fs::read(sidecar_path(path)).ok().map(|b| Sidecar::parse(&b).map(|s| s.statement));
    match (&policy.info().signature, now) {
        (None, None) => true,
        (Some(v), Some(Ok(statement))) => serde_json::from_str(&statement).is_ok_and(|s: crate::signing::Statement| s == v.statement),
        _ => false,
    }
}
