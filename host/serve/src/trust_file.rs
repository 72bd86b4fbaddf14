//! Key rotation without a restart: the trust file is re-read when it changes.
//!
//! The reloader checks the file on each filesystem event in its directory
//! and at each rescan; the same bytes (by sha256) as last read, good or bad,
//! cost nothing more. New bytes that parse replace the trust policy (the
//! rollback floor is kept: [`Trust::with_policy`]), and the policy directory
//! is then loaded again under the new policy, every module re-verified: a
//! module served under a key the file no longer lists (or no longer valid
//! today) is withdrawn, never kept as a "last good" version, and one whose
//! key was added loads. New bytes that do not parse change nothing: the last
//! good policy stays in force, and `GET /v1/policies` (`trust.error`), the
//! log and `kitei_trust_reloads_total{result="refused"}` say why.

use arc_swap::ArcSwap;
use kitei::trust::{Trust, TrustPolicy};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The trust policy in force, as `GET /v1/policies` shows it (`trust`).
#[derive(Clone, Debug, Default, Serialize)]
pub struct TrustStatus {
    /// the trust file watched (`null`: given in memory, not re-read)
    pub file: Option<PathBuf>,
    /// the sha256 of the file's bytes in force
    pub sha256: Option<String>,
    /// when those bytes were read (RFC 3339, UTC)
    pub loaded_at: Option<String>,
    /// whether a module without a signature is refused
    pub signatures_required: bool,
    /// each institution's trusted keys (fingerprints), in force
    pub keys: BTreeMap<String, Vec<String>>,
    /// why the file's current bytes were refused (the policy above stays in
    /// force); `null` once they are the ones in force
    pub error: Option<String>,
}

/// What one look at the trust file found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TrustCheck {
    /// the bytes already in force, or already refused
    Unchanged,
    /// new bytes, now in force
    Reloaded,
    /// new bytes that do not parse (or a file that cannot be read)
    Refused,
}

/// The trust policy serving now, and the file it is re-read from.
pub(crate) struct TrustState {
    current: ArcSwap<Trust>,
    file: Option<PathBuf>,
    status: Mutex<TrustStatus>,
    /// the sha256 (or read error) last looked at, good or bad
    seen: Mutex<Option<String>>,
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn keys(policy: &TrustPolicy) -> BTreeMap<String, Vec<String>> {
    policy.institutions().map(|(i, ks)| (i.to_string(), ks.iter().map(|k| k.fingerprint()).collect())).collect()
}

impl TrustState {
    /// A policy given in memory: never re-read.
    pub(crate) fn fixed(trust: Arc<Trust>) -> Self {
        let status = TrustStatus {
            signatures_required: trust.policy().require_signatures(),
            keys: keys(trust.policy()),
            loaded_at: Some(now()),
            ..TrustStatus::default()
        };
        TrustState { current: ArcSwap::new(trust), file: None, status: Mutex::new(status), seen: Mutex::new(None) }
    }

    /// The policy read from `file` now, with `floor`'s rollback floor (or a
    /// floor in memory), re-read when the file changes.
    pub(crate) fn watched(file: &Path, floor: Option<&Trust>) -> Result<Self, TrustFileError> {
        let failed = |message| TrustFileError { file: file.to_path_buf(), message };
        let bytes = std::fs::read(file).map_err(|e| failed(format!("`{}`: {e}", file.display())))?;
        let policy = parse(file, &bytes).map_err(failed)?;
        let trust = match floor {
            Some(t) => t.with_policy(policy),
            None => Trust::new(policy, kitei::trust::SequenceFloor::in_memory()),
        };
        let sha = kitei::component::sha256_hex(&bytes);
        let state = TrustState::fixed(Arc::new(trust));
        {
            let mut status = state.lock_status();
            status.file = Some(file.to_path_buf());
            status.sha256 = Some(sha.clone());
        }
        Ok(TrustState { file: Some(file.to_path_buf()), seen: Mutex::new(Some(sha)), ..state })
    }

    pub(crate) fn current(&self) -> Arc<Trust> {
        self.current.load_full()
    }

    pub(crate) fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    pub(crate) fn status(&self) -> TrustStatus {
        self.lock_status().clone()
    }

    fn lock_status(&self) -> std::sync::MutexGuard<'_, TrustStatus> {
        self.status.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Reads the file (blocking I/O) and swaps in its policy when its bytes
    /// are new and parse.
    pub(crate) fn check(&self) -> TrustCheck {
        let Some(file) = &self.file else { return TrustCheck::Unchanged };
        let read = std::fs::read(file);
        let fingerprint = match &read {
            Ok(bytes) => kitei::component::sha256_hex(bytes),
            Err(e) => format!("unreadable: {e}"),
        };
        {
            let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
            if seen.as_deref() == Some(fingerprint.as_str()) {
                return TrustCheck::Unchanged;
            }
            *seen = Some(fingerprint.clone());
        }
        let parsed = read.map_err(|e| format!("`{}`: {e}", file.display())).and_then(|bytes| parse(file, &bytes));
        let mut status = self.lock_status();
        match parsed {
            Ok(policy) => {
                status.signatures_required = policy.require_signatures();
                status.keys = keys(&policy);
                status.sha256 = Some(fingerprint);
                status.loaded_at = Some(now());
                status.error = None;
                let next = self.current().with_policy(policy);
                self.current.store(Arc::new(next));
                tracing::info!(file = %file.display(), "trust file reloaded: every module is verified again under it");
                TrustCheck::Reloaded
            }
            Err(message) => {
                let message = format!("{message}; the trust file read at {} stays in force", status.loaded_at.as_deref().unwrap_or("start"));
                tracing::warn!(file = %file.display(), "trust file refused: {message}");
                status.error = Some(message);
                TrustCheck::Refused
            }
        }
    }
}

/// A trust file that cannot be read, or is not a trust file; the message
/// names the file.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct TrustFileError {
    file: PathBuf,
    message: String,
}

impl TrustFileError {
    /// The trust file.
    pub fn file(&self) -> &Path {
        &self.file
    }
}

fn parse(file: &Path, bytes: &[u8]) -> Result<TrustPolicy, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| format!("`{}`: not UTF-8", file.display()))?;
    TrustPolicy::from_toml(text).map_err(|e| format!("`{}`: {e}", file.display()))
}

/// Names every field of [`TrustStatus`]: a new one is a compile error until
/// `openapi::trust` describes it.
#[allow(dead_code)]
fn fields(t: &TrustStatus) {
    let TrustStatus { file: _, sha256: _, loaded_at: _, signatures_required: _, keys: _, error: _ } = t;
}
