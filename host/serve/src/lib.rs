//! kitei-serve: the decision service over HTTP (`kitei serve`), with hot reload.
//!
//! [`router`] gives the axum routes over an [`AppState`] (testable without a
//! port); [`spawn`] binds, loads the directory in the background (`/readyz`
//! is 503 until then), keeps it reloaded, and returns a handle for graceful
//! shutdown.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let config = kitei_serve::Config { policies: "target/policies".into(), ..Default::default() };
//! let (addr, handle) = kitei_serve::spawn(config).await?;
//! println!("listening on http://{addr}");
//! handle.shutdown();
//! handle.join().await?;
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

mod body;
mod decision_log;
mod decisions;
mod error;
mod explorer;
mod limits;
mod metrics;
mod module_store;
mod openapi;
mod reload;
mod review;
mod routes;
mod shadow;
mod source;
mod state;
mod status;
mod trust_file;

pub use decision_log::{DecisionLog, RequestMode as LogRequest, Sync as LogSync};
pub use decisions::answer_sha256;
pub use error::{ServeError, decision_status};
pub use limits::HttpLimits;
pub use metrics::Metrics;
pub use module_store::{KeepError, ModuleStore, paths as module_store_paths};
pub use openapi::document_for as openapi_json_for;
pub use openapi::document_json as openapi_json;
pub use reload::ReloadConfig;
pub use routes::router;
pub use shadow::{Shadow, ShadowConfig, ShadowReport};
pub use source::{CheckResult, SourceConfig, SourceStatus};
pub use state::{AppState, SlowModules};
pub use trust_file::{TrustFileError, TrustStatus};

use kitei::{Limits, Runtime};
use std::net::SocketAddr;
use std::path::PathBuf;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How to run the service.
#[derive(Clone, Debug)]
pub struct Config {
    /// the policy directory (`*.wasm`, `<institution>.settings.json`)
    pub policies: PathBuf,
    /// where to listen; port 0 picks a free one
    pub addr: SocketAddr,
    /// body sizes, batch size, header and body timeouts, connections
    pub http: HttpLimits,
    /// append one JSON line per decision here
    pub decision_log: Option<PathBuf>,
    /// how far each line is on disk before its response leaves (default
    /// [`LogSync::Batch`], as `kitei serve`'s: durable across a crash of the
    /// machine, a group commit per batch of lines)
    pub decision_log_sync: LogSync,
    /// rotate the decision log before it grows past this many bytes
    pub decision_log_max_bytes: Option<u64>,
    /// what a decision-log line keeps of the request (default the request itself)
    pub decision_log_request: LogRequest,
    /// keep every module served here by sha256 (`--module-store`)
    pub module_store: Option<PathBuf>,
    /// memory and time limits of every policy call
    pub limits: Limits,
    /// how the directory is watched and reloaded
    pub reload: ReloadConfig,
    /// verify every module's signature under this trust policy before it loads
    pub trust: Option<std::sync::Arc<kitei::trust::Trust>>,
    /// read the trust policy from this file, and again whenever it changes
    /// (key rotation without a restart; `trust`, if given, lends its rollback
    /// floor, and the file's policy replaces its own)
    pub trust_file: Option<PathBuf>,
    /// registry references whose modules are pulled into `policies` (needs `trust`)
    pub sources: SourceConfig,
    /// also answer every decision, off the request path, by the
    /// institution's next version and the staged modules (`--shadow`)
    pub shadow: Option<ShadowConfig>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            policies: PathBuf::from("target/policies"),
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            http: HttpLimits::default(),
            decision_log: None,
            decision_log_sync: LogSync::Batch,
            decision_log_max_bytes: None,
            decision_log_request: LogRequest::Full,
            module_store: None,
            limits: Limits::default(),
            reload: ReloadConfig::default(),
            trust: None,
            trust_file: None,
            sources: SourceConfig::default(),
            shadow: None,
        }
    }
}

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot listen on `{addr}`")]
    /// the address cannot be bound
    Bind {
        /// the address asked for
        addr: SocketAddr,
        /// the I/O error
        source: std::io::Error,
    },
    #[error("cannot open the decision log `{}`", file.display())]
    /// the decision log file cannot be opened for appending
    DecisionLog {
        /// the log file
        file: PathBuf,
        /// the I/O error
        source: std::io::Error,
    },
    #[error("cannot open the module store `{}`", dir.display())]
    /// the module store directory cannot be created
    ModuleStore {
        /// the store directory
        dir: PathBuf,
        /// the I/O error
        source: std::io::Error,
    },
    #[error("cannot start wasmtime: {0}")]
    /// wasmtime cannot be set up on this machine
    Runtime(String),
    #[error("modules from a registry (--source) are verified before they are written: a trust policy (--trust) is required")]
    /// `--source` given without `--trust`
    SourcesNeedTrust,
    #[error("cannot read the trust policy")]
    /// the trust file cannot be read, or is not a trust file
    Trust(#[source] TrustFileError),
    #[error("the registry sources")]
    /// a registry client cannot be set up (a CA certificate it refuses)
    Registry(#[from] kitei_oci::SetupError),
}

/// A running service. Dropping it shuts the service down too.
pub struct ServerHandle {
    shutdown: watch::Sender<bool>,
    server: JoinHandle<std::io::Result<()>>,
    reloader: Option<JoinHandle<()>>,
    state: AppState,
}

impl ServerHandle {
    /// Stops accepting connections; requests in flight are answered.
    pub fn shutdown(&self) {
        let _ = self.shutdown.send(true);
    }

    /// Waits until the server has stopped (after [`ServerHandle::shutdown`]).
    ///
    /// # Errors
    /// The server's I/O error, if it failed.
    pub async fn join(self) -> std::io::Result<()> {
        let ServerHandle { shutdown, server, reloader, .. } = self;
        let result = server.await.map_err(std::io::Error::other)?;
        if let Some(r) = reloader {
            let _ = r.await;
        }
        drop(shutdown);
        result
    }

    /// The state the service answers from (the loaded registry, metrics, logs).
    pub fn state(&self) -> &AppState {
        &self.state
    }
}

/// Binds `config.addr`, starts loading and watching `config.policies`
/// (after checking `config.sources` once), and serves. Returns the bound address (useful with port 0).
///
/// # Errors
/// A [`StartError`]: the address, the decision log or wasmtime.
pub async fn spawn(config: Config) -> Result<(SocketAddr, ServerHandle), StartError> {
    if !config.sources.references.is_empty() && config.trust.is_none() && config.trust_file.is_none() {
        return Err(StartError::SourcesNeedTrust);
    }
    let runtime = Runtime::new(config.limits).map_err(|e| StartError::Runtime(format!("{e:#}")))?;
    let log = match &config.decision_log {
        None => None,
        Some(file) => Some(
            DecisionLog::open_with(file, config.decision_log_sync, config.decision_log_max_bytes)
                .map_err(|source| StartError::DecisionLog { file: file.clone(), source })?
                .keeping(config.decision_log_request),
        ),
    };
    let store = match &config.module_store {
        None => None,
        Some(dir) => Some(ModuleStore::open(dir).map_err(|source| StartError::ModuleStore { dir: dir.clone(), source })?),
    };
    let mut state = AppState::new(runtime, config.policies.clone(), config.http, log).with_trust(config.trust.clone()).with_module_store(store);
    if let Some(file) = &config.trust_file {
        state = state.with_trust_file(file).map_err(StartError::Trust)?;
    }
    let state = state.with_sources(&config.sources)?;
    let state = match &config.shadow {
        None => state,
        Some(shadow) => {
            // staged modules compile before serving (blocking work)
            let (shadow, runtime, dir, trust) = (shadow.clone(), state.runtime().clone(), config.policies.clone(), state.trust());
            let started = tokio::task::spawn_blocking(move || Shadow::start(&shadow, &runtime, &dir, trust.as_deref()))
                .await
                .map_err(|e| StartError::Runtime(format!("starting shadow evaluation: {e}")))?
                .map_err(|e| StartError::Runtime(format!("starting the shadow thread: {e}")))?;
            state.with_shadow(Some(started))
        }
    };
    spawn_state(state, config.addr, Some(config.reload)).await
}

/// Serves an existing state; with `reload`, also loads and watches its
/// directory (without, the caller installs registries itself).
///
/// Connections are served by hyper's HTTP/1 server with the state's
/// [`HttpLimits`]: at most `connections` at once (the next wait in the
/// listen backlog), each closed when a request's headers, or the next
/// request on an idle kept-alive connection, take longer than
/// `header_timeout`. On shutdown, connections finish the request in flight.
///
/// # Errors
/// [`StartError::Bind`].
pub async fn spawn_state(state: AppState, addr: SocketAddr, reload: Option<ReloadConfig>) -> Result<(SocketAddr, ServerHandle), StartError> {
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|source| StartError::Bind { addr, source })?;
    let local = listener.local_addr().map_err(|source| StartError::Bind { addr, source })?;
    let (tx, rx) = watch::channel(false);
    let reloader = reload.map(|cfg| tokio::spawn(reload::run(state.clone(), cfg, rx.clone())));
    let app = router(state.clone());
    let server = tokio::spawn(accept_loop(listener, app, *state.limits(), rx));
    Ok((local, ServerHandle { shutdown: tx, server, reloader, state }))
}

async fn accept_loop(listener: tokio::net::TcpListener, app: axum::Router, limits: HttpLimits, mut stop: watch::Receiver<bool>) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout).keep_alive(true);
    let slots = std::sync::Arc::new(tokio::sync::Semaphore::new(limits.connections.max(1)));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    loop {
        let permit = tokio::select! {
            p = slots.clone().acquire_owned() => p.map_err(std::io::Error::other)?,
            _ = stop.changed() => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // out of file descriptors and the like: wait, keep serving
                    tracing::warn!("accepting a connection: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = stop.changed() => break,
        };
        let _ = stream.set_nodelay(true);
        let service = hyper_util::service::TowerToHyperService::new(app.clone());
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            // a closed or timed-out connection is the client's business
            let _ = connection.await;
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}
