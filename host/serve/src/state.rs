//! What every request shares: the registry serving now, readiness, metrics
//! and the decision log.

use super::decision_log::DecisionLog;
use super::limits::HttpLimits;
use super::metrics::Metrics;
use super::module_store::ModuleStore;
use super::review::Reviews;
use super::shadow::Shadow;
use super::source::{SourceConfig, SourceStatus, Sources};
use super::trust_file::{TrustCheck, TrustState, TrustStatus};
use arc_swap::ArcSwap;
use kitei::Registry;
use kitei::Runtime;
use kitei::trust::Trust;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Shared state of the service; cloning is cheap.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    registry: ArcSwap<Registry>,
    ready: AtomicBool,
    runtime: Runtime,
    policies_dir: PathBuf,
    limits: HttpLimits,
    metrics: Metrics,
    decision_log: Option<DecisionLog>,
    module_store: Option<ModuleStore>,
    trust: Option<TrustState>,
    sources: Arc<Sources>,
    slow: SlowModules,
    reviews: Reviews,
    openapi: OpenApiCache,
    shadow: Option<Shadow>,
}

/// `/openapi.json` for one registry: made at the first request after a
/// registry is installed, then served as is until another is. The registry
/// is held weakly (its modules are not kept alive by the cache) and
/// compared by identity, which a live weak pointer keeps unique.
#[derive(Default)]
struct OpenApiCache {
    made: std::sync::Mutex<Option<(std::sync::Weak<Registry>, axum::body::Bytes)>>,
}

impl OpenApiCache {
    fn get(&self, registry: &Arc<Registry>) -> axum::body::Bytes {
        let mut made = self.made.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((of, json)) = made.as_ref()
            && std::sync::Weak::ptr_eq(of, &Arc::downgrade(registry))
        {
            return json.clone();
        }
        let json = axum::body::Bytes::from(super::openapi::document_for(registry.vocabulary()));
        *made = Some((Arc::downgrade(registry), json.clone()));
        json
    }
}

/// Modules (by sha256) that ran out of time lately, with when that ends.
#[derive(Default)]
pub struct SlowModules {
    /// whether any is marked: the common case reads one atomic, no lock
    any: AtomicBool,
    until: std::sync::Mutex<std::collections::HashMap<String, std::time::Instant>>,
}

impl SlowModules {
    /// Whether the module with this sha256 is marked slow now.
    pub fn is_slow(&self, sha256: &str) -> bool {
        if !self.any.load(Ordering::Relaxed) {
            return false;
        }
        let mut until = self.until.lock().unwrap_or_else(|e| e.into_inner());
        let now = std::time::Instant::now();
        until.retain(|_, t| *t > now);
        self.any.store(!until.is_empty(), Ordering::Relaxed);
        until.contains_key(sha256)
    }

    /// Marks a module slow for `period`.
    pub fn mark(&self, sha256: &str, period: std::time::Duration) {
        let mut until = self.until.lock().unwrap_or_else(|e| e.into_inner());
        until.insert(sha256.to_string(), std::time::Instant::now() + period);
        self.any.store(true, Ordering::Relaxed);
        tracing::warn!(%sha256, "a module ran out of time: its calls run on the blocking pool for {}s", period.as_secs());
    }
}

impl AppState {
    /// A state with nothing loaded yet (`/readyz` answers 503 until
    /// [`AppState::install`]).
    pub fn new(runtime: Runtime, policies_dir: PathBuf, limits: HttpLimits, decision_log: Option<DecisionLog>) -> Self {
        AppState {
            inner: Arc::new(Inner {
                registry: ArcSwap::from_pointee(Registry::default()),
                ready: AtomicBool::new(false),
                runtime,
                policies_dir,
                limits,
                metrics: Metrics::default(),
                decision_log,
                module_store: None,
                trust: None,
                sources: Arc::default(),
                slow: SlowModules::default(),
                reviews: Reviews::default(),
                openapi: OpenApiCache::default(),
                shadow: None,
            }),
        }
    }

    /// The registry serving now. A request takes it once, so it is answered
    /// wholly by one set of policies even while a reload swaps in another.
    pub fn registry(&self) -> Arc<Registry> {
        self.inner.registry.load_full()
    }

    /// Swaps in a new set atomically and marks the service ready.
    pub fn install(&self, registry: Registry) {
        self.inner.metrics.reload(true, registry.policies().len(), registry.rejected().len());
        if let Some(shadow) = &self.inner.shadow {
            shadow.install(&registry);
        }
        self.inner.registry.store(Arc::new(registry));
        self.inner.ready.store(true, Ordering::Release);
    }

    /// Whether the first load has finished (`/readyz` is 200 from then on).
    pub fn is_ready(&self) -> bool {
        self.inner.ready.load(Ordering::Acquire)
    }

    /// The wasmtime runtime every module is compiled and run under.
    pub fn runtime(&self) -> &Runtime {
        &self.inner.runtime
    }

    /// The directory policies are loaded from.
    pub fn policies_dir(&self) -> &std::path::Path {
        &self.inner.policies_dir
    }

    /// What one client may cost.
    pub fn limits(&self) -> &HttpLimits {
        &self.inner.limits
    }

    /// The Prometheus counters and histograms `/metrics` writes.
    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    /// The decision log, when `--decision-log` is set.
    pub fn decision_log(&self) -> Option<&DecisionLog> {
        self.inner.decision_log.as_ref()
    }

    /// Every module loaded is kept in `store` before it answers (set before serving).
    #[must_use]
    pub fn with_module_store(self, store: Option<ModuleStore>) -> Self {
        self.configured(|inner| inner.module_store = store)
    }

    /// Decisions are also answered in the shadow (set before serving).
    #[must_use]
    pub fn with_shadow(self, shadow: Option<Shadow>) -> Self {
        self.configured(|inner| inner.shadow = shadow)
    }

    /// Shadow evaluation, when on.
    pub fn shadow(&self) -> Option<&Shadow> {
        self.inner.shadow.as_ref()
    }

    /// The module store, when `--module-store` is set.
    pub fn module_store(&self) -> Option<&ModuleStore> {
        self.inner.module_store.as_ref()
    }

    /// Loads verify every module against `trust` (set before serving).
    #[must_use]
    pub fn with_trust(self, trust: Option<Arc<Trust>>) -> Self {
        self.configured(|inner| inner.trust = trust.map(TrustState::fixed))
    }

    /// The trust policy is read from `file` now and again whenever it
    /// changes (key rotation without a restart); the rollback floor is the
    /// one of [`AppState::with_trust`]'s policy, if given, else one in
    /// memory. Set before serving.
    ///
    /// # Errors
    /// The file cannot be read or is not a trust file (naming it).
    pub fn with_trust_file(self, file: &std::path::Path) -> Result<Self, crate::TrustFileError> {
        let floor = self.trust();
        let watched = TrustState::watched(file, floor.as_deref())?;
        Ok(self.configured(|inner| inner.trust = Some(watched)))
    }

    /// Modules are also fetched from these registry references (set before
    /// serving; `spawn` polls them).
    ///
    /// # Errors
    /// The registry client cannot be set up (a CA certificate it refuses).
    pub fn with_sources(self, config: &SourceConfig) -> Result<Self, kitei_oci::SetupError> {
        let sources = Arc::new(Sources::new(config)?);
        Ok(self.configured(|inner| inner.sources = sources))
    }

    fn configured(self, f: impl FnOnce(&mut Inner)) -> Self {
        let mut inner = Arc::try_unwrap(self.inner).unwrap_or_else(|_| unreachable!("a state is configured before it is shared"));
        f(&mut inner);
        AppState { inner: Arc::new(inner) }
    }

    /// The trust policy and rollback floor loads run under now, if any.
    pub fn trust(&self) -> Option<Arc<Trust>> {
        self.inner.trust.as_ref().map(TrustState::current)
    }

    /// The trust policy in force and the file it is re-read from.
    pub fn trust_status(&self) -> Option<TrustStatus> {
        self.inner.trust.as_ref().map(TrustState::status)
    }

    /// The trust file re-read while serving, if any.
    pub(crate) fn trust_file(&self) -> Option<&std::path::Path> {
        self.inner.trust.as_ref().and_then(TrustState::file)
    }

    /// Re-reads the trust file when its bytes changed (blocking I/O), and counts the result.
    pub(crate) fn check_trust_file(&self) -> TrustCheck {
        let Some(t) = &self.inner.trust else { return TrustCheck::Unchanged };
        let check = t.check();
        match check {
            TrustCheck::Unchanged => {}
            TrustCheck::Reloaded => self.inner.metrics.trust_reload(true),
            TrustCheck::Refused => self.inner.metrics.trust_reload(false),
        }
        check
    }

    /// `/openapi.json` for the registry serving now: every term its
    /// modules declare; made once per installed registry.
    pub fn openapi_json(&self) -> axum::body::Bytes {
        self.inner.openapi.get(&self.registry())
    }

    /// Modules whose calls run on the blocking pool for a while.
    pub fn slow_modules(&self) -> &SlowModules {
        &self.inner.slow
    }

    /// Comparisons made for `/v1/diff` and `/v1/matrix`.
    pub(crate) fn reviews(&self) -> &Reviews {
        &self.inner.reviews
    }

    pub(crate) fn sources(&self) -> &Sources {
        &self.inner.sources
    }

    /// What each registry source last found, in configuration order.
    pub fn source_status(&self) -> Vec<SourceStatus> {
        self.inner.sources.status()
    }
}
