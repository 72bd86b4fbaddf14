//! Hot reload: watch the policy directory, debounce, load the new set off the
//! request path (reusing unchanged modules), then swap it in atomically.
//!
//! Filesystem events (the `notify` crate) trigger a reload after
//! [`ReloadConfig::debounce`] of quiet; a periodic rescan catches what events
//! miss (a directory that did not exist yet, network filesystems). A rescan
//! that finds the same bytes changes nothing.
//!
//! The trust file, when it is watched (`kitei serve --trust FILE`), is
//! looked at first on each of these (its directory is watched too): new
//! bytes that parse become the trust policy, and the directory is then
//! loaded again whatever its files, each module verified under the new
//! policy (`super::trust_file`). Before each load, the modules serving are
//! checked against the policy in force on the day: one whose key it no
//! longer lists (or not today) is not reused, nor kept as a last good
//! version; its file must verify again or its variant is withdrawn.

use super::state::AppState;
use super::trust_file::TrustCheck;
use kitei::Registry;
use kitei::component::sha256_hex;
use kitei::trust::Trust;
use notify::{EventKind, RecursiveMode, Watcher};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// When to reload.
#[derive(Clone, Copy, Debug)]
pub struct ReloadConfig {
    /// quiet time after the last filesystem event before reloading
    pub debounce: Duration,
    /// how often the directory is rescanned without an event
    pub rescan: Duration,
}

impl Default for ReloadConfig {
    fn default() -> Self {
        ReloadConfig { debounce: Duration::from_millis(100), rescan: Duration::from_secs(2) }
    }
}

/// The policy, signature and settings files of a directory with their sha256.
type Fingerprint = Vec<(PathBuf, String)>;

fn fingerprint(dir: &Path) -> std::io::Result<Fingerprint> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if path.is_file() && (name.ends_with(".wasm") || name.ends_with(".wasm.sig") || name.ends_with(".settings.json")) {
            let digest = std::fs::read(&path).map(|b| sha256_hex(&b)).unwrap_or_else(|e| format!("unreadable: {e}"));
            out.push((path, digest));
        }
    }
    out.sort();
    Ok(out)
}

/// The policies of `registry` that `trust` still trusts today: only those
/// may be reused or kept as a last good version by the next load.
fn still_trusted(registry: std::sync::Arc<Registry>, trust: Option<&Trust>) -> std::sync::Arc<Registry> {
    let Some(trust) = trust else { return registry };
    let today = chrono::Utc::now().date_naive();
    let refusal = |p: &dyn kitei::LoadedPolicy| trust.policy().recheck(p.info().signature.as_ref(), today).err();
    if registry.policies().iter().all(|p| refusal(p.as_ref()).is_none()) {
        return registry;
    }
    std::sync::Arc::new(registry.retain(|p| match refusal(p) {
        None => true,
        Some(e) => {
            let info = p.info();
            tracing::warn!(variant = %info.variant(), sha256 = %info.sha256, "no longer trusted ({e}): withdrawn unless its file verifies");
            false
        }
    }))
}

/// Loads the directory unless its files are the ones already serving (and
/// `force` is false). Runs on the blocking pool: compiling is never on the
/// request path.
fn reload_blocking(state: &AppState, last: Option<&Fingerprint>, force: bool) -> std::io::Result<Option<(Fingerprint, Registry)>> {
    let dir = state.policies_dir();
    let fp = fingerprint(dir)?;
    if state.is_ready() && !force && last == Some(&fp) {
        return Ok(None);
    }
    let trust = state.trust();
    let previous = still_trusted(state.registry(), trust.as_deref());
    let mut next = Registry::load_dir_trusted(state.runtime(), dir, &previous, trust.as_deref())?;
    if let Some(store) = state.module_store() {
        // kept before it answers, so every logged decision can be replayed;
        // one that cannot be kept does not serve
        let mut unkept = Vec::new();
        for p in next.policies() {
            let info = p.info();
            if let Err(e) = store.keep(info) {
                tracing::error!(variant = %info.variant(), sha256 = %info.sha256, "not served: cannot keep it in the module store `{}`: {e}", store.dir().display());
                unkept.push(info.sha256.clone());
            }
        }
        if !unkept.is_empty() {
            next = next.retain(|p| !unkept.contains(&p.info().sha256));
        }
    }
    if trust.is_none() {
        let reused = |p: &std::sync::Arc<dyn kitei::LoadedPolicy>| previous.policies().iter().any(|q| std::sync::Arc::ptr_eq(p, q));
        for p in next.policies().iter().filter(|p| !reused(p)) {
            tracing::warn!(variant = %p.info().variant(), sha256 = %p.info().sha256, "serving a module whose signature is not verified (no trust policy)");
        }
    }
    Ok(Some((fp, next)))
}

fn watch_dir(dir: &Path, tx: mpsc::UnboundedSender<()>) -> Option<notify::RecommendedWatcher> {
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        // reading the files to load them must not trigger another load
        if event.is_ok_and(|e| !matches!(e.kind, EventKind::Access(_))) {
            let _ = tx.send(());
        }
    })
    .ok()?;
    watcher.watch(dir, RecursiveMode::NonRecursive).ok()?;
    Some(watcher)
}

/// Keeps `state` in step with its directory (and its registry sources,
/// checked once before the first load, then polled) until `shutdown` changes.
pub async fn run(state: AppState, config: ReloadConfig, mut shutdown: watch::Receiver<bool>) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut poller = None;
    if !state.sources().is_empty() {
        // pulled modules are written there: a missing directory is made
        if let Err(e) = std::fs::create_dir_all(state.policies_dir()) {
            tracing::warn!("cannot create the policy directory `{}`: {e}", state.policies_dir().display());
        }
        super::source::check_all(&state, &tx).await;
        poller = Some(tokio::spawn(super::source::poll_all(state.clone(), tx.clone(), shutdown.clone())));
    }
    let _poller = AbortOnDrop(poller);
    let mut watcher = None;
    // the trust file's directory: an edit, or a file renamed over it
    let _trust_watcher = state.trust_file().and_then(|file| {
        let dir = file.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        watch_dir(dir, tx.clone())
    });
    let mut force = false;
    let mut last: Option<Fingerprint> = None;
    let mut last_error: Option<String> = None;
    let mut ticker = tokio::time::interval(config.rescan);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        if watcher.is_none() {
            watcher = watch_dir(state.policies_dir(), tx.clone());
        }
        let st = state.clone();
        if tokio::task::spawn_blocking(move || st.check_trust_file()).await.ok() == Some(TrustCheck::Reloaded) {
            // every module is verified again, and refused digests looked at again
            force = true;
            state.sources().forget_refusals();
        }
        let st = state.clone();
        let prev = last.clone();
        match tokio::task::spawn_blocking(move || reload_blocking(&st, prev.as_ref(), force)).await {
            Ok(Ok(Some((fp, next)))) => {
                tracing::info!(policies = next.policies().len(), rejected = next.rejected().len(), "policy set loaded");
                state.install(next);
                last = Some(fp);
                last_error = None;
                force = false;
            }
            Ok(Ok(None)) => {}
            Ok(Err(e)) => {
                let message = format!("cannot read policy directory `{}`: {e}", state.policies_dir().display());
                if last_error.as_ref() != Some(&message) {
                    tracing::warn!("{message}");
                }
                state.metrics().reload(false, 0, 0);
                last_error = Some(message);
                // the directory may come back as a new inode: watch it afresh
                watcher = None;
            }
            Err(e) => tracing::error!("reload task failed: {e}"),
        }
        tokio::select! {
            _ = shutdown.changed() => return,
            Some(()) = rx.recv() => {
                // debounce: wait for a quiet period after the last event
                while let Ok(Some(())) = tokio::time::timeout(config.debounce, rx.recv()).await {}
            }
            _ = ticker.tick() => {}
        }
    }
}

/// Stops the source poller with the reloader.
struct AbortOnDrop(Option<tokio::task::JoinHandle<()>>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(h) = &self.0 {
            h.abort();
        }
    }
}
