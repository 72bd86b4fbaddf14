//! Modules from OCI registries: `kitei serve --source oci://HOST/REPO:TAG`.
//!
//! Each source is checked once before the first load (so a replica starts
//! with what its registry holds), then every poll interval, less up to a
//! fifth at random so replicas do not reach the registry together:
//! - a tag is resolved with one `HEAD` (its manifest digest); the same
//!   digest as installed, or as refused last time, costs nothing more;
//! - a new digest is pulled **by that digest** (what was resolved is what is
//!   pulled, even if the tag moves meanwhile), verified under the server's
//!   trust policy — signature, the institution's keys, statement against
//!   the module's own metadata, and the rollback floor — and only then
//!   written into the policy directory (`kitei::trust::Trust::install`:
//!   signature first, each by rename). The reload that follows verifies
//!   the files again and swaps the set in; requests in flight finish on the
//!   set they started with;
//! - a reference pinned by digest is fetched until installed, then never
//!   polled again;
//! - a refused digest is not pulled again until the tag moves, except one
//!   refused for want of a signature (a signing step may attach it later).
//!
//! A refused or unreachable version changes nothing that serves: the last
//! good module keeps answering, and `GET /v1/policies` (`sources`), the
//! log and `kitei_source_checks_total` say why.

use super::state::AppState;
use kitei::Report;
use kitei::trust::TrustErrorKind;
use kitei_oci::{Client, Reference};
use serde::Serialize;
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// How sources are polled.
#[derive(Clone, Debug)]
pub struct SourceConfig {
    /// the references to follow (a tag) or fetch once (a digest)
    pub references: Vec<Reference>,
    /// time between two checks of one tag (each wait is 80–100% of it)
    pub interval: Duration,
    /// how registries are reached: credentials, CA, plain HTTP
    pub registry: kitei_oci::ClientOptions,
}

impl Default for SourceConfig {
    fn default() -> Self {
        SourceConfig { references: Vec::new(), interval: Duration::from_secs(30), registry: kitei_oci::ClientOptions::default() }
    }
}

/// What one check of a source found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckResult {
    /// the digest already installed, or already refused
    Unchanged,
    /// a new version verified and written into the policy directory
    Installed,
    /// a new version the trust policy (or the loader) refused
    Refused,
    /// the registry could not be reached or answered wrongly
    Failed,
}

impl CheckResult {
    /// Every result, in the order `/metrics` lists them.
    pub const ALL: [CheckResult; 4] = [CheckResult::Unchanged, CheckResult::Installed, CheckResult::Refused, CheckResult::Failed];

    /// The label value.
    pub fn name(self) -> &'static str {
        match self {
            CheckResult::Unchanged => "unchanged",
            CheckResult::Installed => "installed",
            CheckResult::Refused => "refused",
            CheckResult::Failed => "failed",
        }
    }
}

/// A source as `GET /v1/policies` shows it.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SourceStatus {
    /// the reference as configured
    pub reference: String,
    /// pinned by digest: fetched once, never polled
    pub pinned: bool,
    /// the module manifest digest last installed from it
    pub installed: Option<String>,
    /// that module's variant
    pub variant: Option<String>,
    /// its signed sequence
    pub sequence: Option<u64>,
    /// checks made so far
    pub checks: u64,
    /// when the last check ended (RFC 3339, UTC)
    pub checked_at: Option<String>,
    /// what the last check found
    pub result: Option<CheckResult>,
    /// the digest last refused, not pulled again until the tag moves (or
    /// the server restarts); an unsigned one is looked at again each check,
    /// since a signature may be attached after the push
    pub refused: Option<String>,
    /// why the last check did not install (refusal or registry error)
    pub error: Option<String>,
}

/// One configured source and its status.
pub(crate) struct Source {
    reference: Reference,
    status: Mutex<SourceStatus>,
}

impl Source {
    pub(crate) fn new(reference: Reference) -> Self {
        let status = SourceStatus { reference: reference.to_string(), pinned: reference.digest().is_some(), ..Default::default() };
        Source { reference, status: Mutex::new(status) }
    }

    pub(crate) fn status(&self) -> SourceStatus {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, SourceStatus> {
        self.status.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A wait of 80–100% of `interval`, at random.
fn jittered(interval: Duration) -> Duration {
    use std::hash::{BuildHasher, Hasher};
    let r = std::collections::hash_map::RandomState::new().build_hasher().finish();
    let fifth = interval / 5;
    interval - fifth.mul_f64((r % 10_000) as f64 / 10_000.0)
}

/// Checks `source` once. `reload` is poked after a module is written.
async fn check(state: &AppState, client: &Client, source: &Source, reload: &mpsc::UnboundedSender<()>) -> CheckResult {
    let (result, error) = match check_inner(state, client, source).await {
        Ok(result) => (result, None),
        Err((result, message)) => (result, Some(message)),
    };
    state.metrics().source_check(result);
    let mut status = source.lock();
    status.checks += 1;
    status.checked_at = Some(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
    status.result = Some(result);
    match result {
        CheckResult::Installed => {
            status.error = None;
            let _ = reload.send(());
        }
        CheckResult::Unchanged => {}
        CheckResult::Refused | CheckResult::Failed => {
            if status.error != error {
                tracing::warn!(source = %source.reference, "{}", error.as_deref().unwrap_or_default());
            }
            status.error = error;
        }
    }
    result
}

async fn check_inner(state: &AppState, client: &Client, source: &Source) -> Result<CheckResult, (CheckResult, String)> {
    let r = &source.reference;
    let failed = |e: kitei_oci::OciError| (CheckResult::Failed, e.to_string());
    let digest = match r.digest() {
        Some(d) => d.to_string(),
        None => client.resolve(r).await.map_err(failed)?,
    };
    {
        let status = source.lock();
        if status.installed.as_deref() == Some(&digest) || status.refused.as_deref() == Some(&digest) {
            return Ok(CheckResult::Unchanged);
        }
    }
    let pinned = r.with_digest(&digest);
    let pulled = client.pull(&pinned).await.map_err(failed)?;
    let Some(trust) = state.trust() else {
        return Err((CheckResult::Refused, "no trust policy: modules from a registry need --trust".into()));
    };
    let st = state.clone();
    let origin = pinned.to_string();
    let installed = tokio::task::spawn_blocking(move || {
        let sig = pulled.signature.as_ref().map(|s| s.bytes.as_slice());
        let today = chrono::Utc::now().date_naive();
        trust.install(st.runtime(), today, st.policies_dir(), &origin, &pulled.module, sig)
    })
    .await
    .map_err(|e| (CheckResult::Failed, format!("installing: {e}")))?;
    let mut status = source.lock();
    match installed {
        Ok(installed) => {
            tracing::info!(source = %r, %digest, variant = %installed.variant, "new version verified and written");
            status.installed = Some(digest);
            status.refused = None;
            status.variant = Some(installed.variant);
            status.sequence = installed.verified.map(|v| v.statement.sequence);
            Ok(CheckResult::Installed)
        }
        // no signature yet: one may be attached to the same digest later
        // (a signing step after the push), so it is looked for again
        Err(e) if e.trust_error().is_some_and(|t| t.kind() == TrustErrorKind::Unsigned) => Err((CheckResult::Refused, Report(&e).to_string())),
        Err(e) if e.is_refusal() => {
            status.refused = Some(digest);
            Err((CheckResult::Refused, Report(&e).to_string()))
        }
        Err(e) => Err((CheckResult::Failed, Report(&e).to_string())),
    }
}

/// The configured sources, their client and interval.
#[derive(Default)]
pub(crate) struct Sources {
    list: Vec<Source>,
    interval: Duration,
    client: Option<Client>,
}

impl Sources {
    pub(crate) fn new(config: &SourceConfig) -> Result<Self, kitei_oci::SetupError> {
        Ok(Sources {
            list: config.references.iter().cloned().map(Source::new).collect(),
            interval: config.interval,
            client: Some(Client::new(config.registry.clone())?),
        })
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub(crate) fn status(&self) -> Vec<SourceStatus> {
        self.list.iter().map(Source::status).collect()
    }

    /// Forgets the digests refused so far (the trust policy changed: a key
    /// added may make them acceptable); each is pulled again at its next check.
    pub(crate) fn forget_refusals(&self) {
        for s in &self.list {
            s.lock().refused = None;
        }
    }
}

/// Checks every source once, concurrently (before the first load).
pub(crate) async fn check_all(state: &AppState, reload: &mpsc::UnboundedSender<()>) {
    let sources = state.sources();
    let Some(client) = &sources.client else { return };
    futures_util::future::join_all(sources.list.iter().map(|s| check(state, client, s, reload))).await;
}

/// Polls every source until `shutdown` changes; a pinned one stops once installed.
pub(crate) async fn poll_all(state: AppState, reload: mpsc::UnboundedSender<()>, shutdown: watch::Receiver<bool>) {
    let sources = state.sources();
    let Some(client) = &sources.client else { return };
    let polls = sources.list.iter().map(|source| {
        let mut shutdown = shutdown.clone();
        let (state, reload) = (&state, &reload);
        async move {
            loop {
                if source.reference.digest().is_some() && source.lock().installed.is_some() {
                    return;
                }
                tokio::select! {
                    _ = shutdown.changed() => return,
                    _ = tokio::time::sleep(jittered(sources.interval)) => {}
                }
                check(state, client, source, reload).await;
            }
        }
    });
    futures_util::future::join_all(polls).await;
}

#[cfg(test)]
mod tests {
    use super::jittered;
    use std::time::Duration;

    #[test]
    fn a_wait_is_never_longer_than_the_interval_nor_shorter_than_four_fifths() {
        let interval = Duration::from_secs(10);
        let waits: Vec<Duration> = (0..200).map(|_| jittered(interval)).collect();
        assert!(waits.iter().all(|w| *w <= interval && *w >= interval * 4 / 5), "{waits:?}");
        assert!(waits.iter().any(|w| *w != waits[0]), "the waits vary");
    }
}
