use anyhow::{Context, Result};
use kitei_serve::HttpLimits;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Directory of built policies and settings files (watched and hot-reloaded);
    /// modules pulled from --source are written here too. Default: target/policies
    /// (or $CARGO_TARGET_DIR/policies),
    /// or with --source only, a private directory removed at exit
    #[arg(long)]
    policies: Option<PathBuf>,
    /// Also serve the module at this registry reference (repeatable):
    /// HOST[:PORT]/REPO:TAG is polled for new versions, …@sha256:… is fetched
    /// once; each version is verified against --trust before it is written
    /// into --policies. Loopback registries are spoken to over plain HTTP
    /// unless --registry-ca is given
    #[arg(long = "source", value_name = "REF", requires = "trust")]
    sources: Vec<String>,
    /// Seconds between two checks of a --source tag (each wait is 80–100% of it)
    #[arg(long, value_name = "SECONDS", default_value = "30", value_parser = seconds)]
    poll_interval: std::time::Duration,
    /// How --source registries are reached (credentials, CA, plain HTTP)
    #[command(flatten)]
    registry: crate::registry::RegistryArgs,
    /// Address to listen on
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Largest body of POST /v1/decisions, in bytes (413 beyond)
    #[arg(long, value_name = "BYTES", default_value_t = HttpLimits::default().body_bytes)]
    body_limit: usize,
    /// Largest body of POST /v1/decisions/batch, in bytes (413 beyond)
    #[arg(long, value_name = "BYTES", default_value_t = HttpLimits::default().batch_body_bytes)]
    batch_body_limit: usize,
    /// Most requests in one batch (413 beyond)
    #[arg(long, value_name = "N", default_value_t = HttpLimits::default().batch_requests)]
    batch_limit: usize,
    /// Seconds for a request's headers to arrive, and for the next request
    /// on an idle kept-alive connection (the connection is closed after)
    #[arg(long, value_name = "SECONDS", default_value = "10", value_parser = seconds)]
    header_timeout: std::time::Duration,
    /// Seconds for a request's body to arrive once its headers have (408 after)
    #[arg(long, value_name = "SECONDS", default_value = "10", value_parser = seconds)]
    body_timeout: std::time::Duration,
    /// Connections served at once; more wait in the listen backlog
    #[arg(long, value_name = "N", default_value_t = HttpLimits::default().connections as u32, value_parser = clap::value_parser!(u32).range(1..))]
    max_connections: u32,
    /// Append one JSON line per decision to this file (docs/decision-log.md):
    /// its decision id (the answer's kitei-decision-id header), the request,
    /// the module's sha256 and the answer; `kitei replay` checks it
    #[arg(long)]
    decision_log: Option<PathBuf>,
    /// How far each decision-log line is on disk before its response leaves:
    /// none (written to the kernel: survives the process, not the machine),
    /// batch (fdatasync in groups; each response waits for its group),
    /// always (fdatasync per line)
    #[arg(long, value_name = "POLICY", default_value = "batch", requires = "decision_log")]
    decision_log_sync: kitei_serve::LogSync,
    /// Rotate the decision log to FILE.<unix ms> before it grows past this many bytes
    #[arg(long, value_name = "BYTES", requires = "decision_log")]
    decision_log_max_bytes: Option<u64>,
    /// What each decision-log line keeps of the request: full (the request
    /// as received, so `kitei replay` can decide it again) or hash (only its
    /// sha256: no customer facts on disk, and the line cannot be replayed)
    #[arg(long, value_name = "WHAT", default_value = "full", requires = "decision_log")]
    decision_log_request: kitei_serve::LogRequest,
    /// Keep every module served in this directory as <sha256>.wasm (and its
    /// signature as <sha256>.wasm.sig), written once before it answers, so
    /// `kitei replay --module-store DIR` finds the exact bytes a logged
    /// decision names after any number of reloads
    #[arg(long, value_name = "DIR")]
    module_store: Option<PathBuf>,
    /// Verify every module against this trust file before it loads (its
    /// `.wasm.sig`); refused modules are listed in GET /v1/policies. The file
    /// is re-read when it changes (key rotation without a restart): every
    /// module is verified again under it; a file that does not parse leaves
    /// the last good one in force
    #[arg(long)]
    trust: Option<PathBuf>,
    /// With --trust: keep the highest signed sequence per variant in this
    /// file, so a restart still refuses rollbacks (default: in memory only)
    #[arg(long, requires = "trust")]
    sequence_floor: Option<PathBuf>,
    /// Serve modules without verifying any signature (a warning on every load)
    #[arg(long, conflicts_with = "trust")]
    allow_unsigned: bool,
    /// Shadow evaluation: after each decision's reply (each element of a
    /// batch), answer it again off the request path with the institution's
    /// next version not yet in force at the request's date, and with the
    /// --stage modules of its institution; what would change is counted per
    /// clause in GET /v1/shadow and /metrics (kitei_shadow_*)
    #[arg(long)]
    shadow: bool,
    /// With --shadow: decisions waiting to be shadowed at most; a decision
    /// arriving at a full queue is not shadowed (kitei_shadow_dropped_total),
    /// its reply never waits
    #[arg(long, value_name = "N", default_value_t = kitei_serve::ShadowConfig::default().queue as u32, requires = "shadow",
        value_parser = clap::value_parser!(u32).range(1..))]
    shadow_queue: u32,
    /// With --shadow: the share of one core the shadow may use, in percent
    /// (1–100): after each shadowed decision the shadow thread rests long
    /// enough to stay within it, so that on a busy machine it takes at most
    /// that from answers; what it cannot keep up with is dropped and counted
    #[arg(long, value_name = "PERCENT", default_value_t = kitei_serve::ShadowConfig::default().cpu_percent, requires = "shadow",
        value_parser = clap::value_parser!(u8).range(1..=100))]
    shadow_cpu: u8,
    /// With --shadow: a module that never answers, only shadows its
    /// institution's decisions (repeatable): a .wasm file (its .wasm.sig
    /// beside it), or a registry reference HOST[:PORT]/REPO:TAG or …@sha256:…
    /// (with --trust; pulled once at start with its signature, reached as
    /// --source is). Verified under --trust as a served module is, its
    /// settings from --policies; a refused one is logged and listed in
    /// GET /v1/shadow as refused
    #[arg(long = "stage", value_name = "FILE|REF", requires = "shadow")]
    staged: Vec<String>,
    /// Idle instances kept per module for the next requests (default: the number of cores)
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1024))]
    idle_instances: Option<u32>,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let mut limits = kitei::Limits::default();
    if let Some(n) = args.idle_instances {
        limits.idle_instances = n as usize;
    }
    let trust = match &args.trust {
        None if !args.allow_unsigned => anyhow::bail!(
            "`kitei serve` needs `--trust FILE` (verify every module; `kitei build` writes a development one at {}) or `--allow-unsigned`",
            crate::devkey::dev_trust_path().display()
        ),
        None => None,
        Some(file) => {
            let policy = kitei::trust::TrustPolicy::read(file)?;
            let floor = match &args.sequence_floor {
                Some(f) => kitei::trust::SequenceFloor::open(f)?,
                None => {
                    eprintln!("kitei serve: no --sequence-floor: rollbacks are refused only until the process restarts");
                    kitei::trust::SequenceFloor::in_memory()
                }
            };
            Some(std::sync::Arc::new(kitei::trust::Trust::new(policy, floor)))
        }
    };
    let staged = stage(&args)?;
    let references = args.sources.iter().map(|r| r.parse::<kitei_oci::Reference>().with_context(|| format!("--source `{r}`"))).collect::<Result<Vec<_>>>()?;
    // credentials are looked for only when a registry is followed
    let registry = if references.is_empty() { kitei_oci::ClientOptions::default() } else { args.registry.options()? };
    let staged_files = staged.files.clone();
    // registry sources alone: a private cache, so nothing else is served
    let private = match &args.policies {
        None if !references.is_empty() => Some(PrivateDir::create()?),
        _ => None,
    };
    let policies = match (&args.policies, &private) {
        (Some(dir), _) => dir.clone(),
        (None, Some(p)) => p.0.clone(),
        (None, None) => crate::default_policies(),
    };
    let config = kitei_serve::Config {
        policies,
        addr: args.addr,
        http: HttpLimits {
            body_bytes: args.body_limit,
            batch_body_bytes: args.batch_body_limit,
            batch_requests: args.batch_limit,
            header_timeout: args.header_timeout,
            body_timeout: args.body_timeout,
            connections: args.max_connections as usize,
        },
        decision_log: args.decision_log,
        decision_log_sync: args.decision_log_sync,
        decision_log_max_bytes: args.decision_log_max_bytes,
        decision_log_request: args.decision_log_request,
        module_store: args.module_store,
        limits,
        trust,
        trust_file: args.trust.clone(),
        sources: kitei_serve::SourceConfig { references, interval: args.poll_interval, registry },
        shadow: args.shadow.then_some(kitei_serve::ShadowConfig { queue: args.shadow_queue as usize, cpu_percent: args.shadow_cpu, staged: staged_files }),
        ..Default::default()
    };
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting tokio")?;
    rt.block_on(async {
        let (addr, handle) = kitei_serve::spawn(config).await?;
        eprintln!("kitei serve: listening on http://{addr}");
        shutdown_signal().await;
        eprintln!("kitei serve: shutting down; answering requests in flight");
        handle.shutdown();
        handle.join().await?;
        drop(staged);
        Ok(ExitCode::SUCCESS)
    })
}

/// The files of `--stage`: each FILE as given; each registry reference
/// pulled (module and signature, unverified here: the server verifies them
/// under --trust as it verifies its directory's) into a private directory
/// removed at exit.
struct Staged {
    files: Vec<PathBuf>,
    _pulled: Option<PrivateDir>,
}

fn stage(args: &Args) -> Result<Staged> {
    let mut pulled = None;
    // a missing file is refused, and said, at start
    let files = args.staged.iter().map(|given| args.registry.module_path("--stage", given, args.trust.is_some(), &mut pulled)).collect::<Result<_>>()?;
    Ok(Staged { files, _pulled: pulled })
}

/// ctrl-c, or SIGTERM on unix.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}

/// A positive number of seconds, at least 0.1 (`30`, `0.5`).
fn seconds(text: &str) -> Result<std::time::Duration, String> {
    match text.parse::<f64>() {
        Ok(s) if (0.1..=86_400.0).contains(&s) => Ok(std::time::Duration::from_secs_f64(s)),
        _ => Err(format!("`{text}` is not a number of seconds between 0.1 and 86400")),
    }
}

/// `$TMPDIR/kitei-serve-<pid>` (or another prefix), removed when dropped.
pub(crate) struct PrivateDir(PathBuf);

impl PrivateDir {
    /// The directory.
    pub(crate) fn path(&self) -> &std::path::Path {
        &self.0
    }

    fn create() -> Result<Self> {
        let dir = Self::make("kitei-serve")?;
        eprintln!("kitei serve: modules from --source are kept in {} (removed at exit; --policies DIR to keep them)", dir.0.display());
        Ok(dir)
    }

    /// `$TMPDIR/<prefix>-<pid>`, saying what it holds.
    pub(crate) fn create_named(prefix: &str, what: &str) -> Result<Self> {
        let dir = Self::make(prefix)?;
        eprintln!("kitei: {what} are kept in {} (removed at exit)", dir.0.display());
        Ok(dir)
    }

    fn make(prefix: &str) -> Result<Self> {
        let dir = std::env::temp_dir().join(format!("{prefix}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).with_context(|| format!("creating `{}`", dir.display()))?;
        Ok(PrivateDir(dir))
    }
}

impl Drop for PrivateDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
