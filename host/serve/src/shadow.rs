//! Shadow evaluation (`kitei serve --shadow`): every decision is also
//! answered, off the request path, by the institution's next version not yet
//! in force and by any module staged with `--stage`, and what would change
//! is counted by clause.
//!
//! After a reply is built, the request path does one map lookup (the
//! answering module's sha256 in the [`Plan`] of the registry serving now)
//! and, when that module has shadows, a `try_send` of the request's bytes
//! and the answer sent into a bounded queue: a full queue drops the job and
//! counts it, never waits. One dedicated thread at the lowest priority,
//! paced to a share of one core ([`ShadowConfig::cpu_percent`]), drains the
//! queue: it answers the request with each shadow,
//! compares that with the answer sent as `kitei diff` and `kitei replay
//! --against` do ([`kitei_tools::diff::Answers`]: outcome and cited
//! clauses), and counts the comparison per (module in force, shadow) and
//! each changed clause, keeping the first [`EXAMPLES`] decision ids of each
//! clause.

use kitei::Runtime;
use kitei::trust::Trust;
use kitei::{Answer, LoadedPolicy, Question, Registry};
use kitei_tools::diff::Answers;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// How many decision ids are kept per (pair, clause).
pub const EXAMPLES: usize = 5;

/// The default bound of the shadow queue (`--shadow-queue`).
pub const DEFAULT_QUEUE: usize = 1024;

/// The default share of one core the shadow may use (`--shadow-cpu`).
pub const DEFAULT_CPU_PERCENT: u8 = 10;

/// How to shadow: the queue's bound, the shadow's share of a core, and the
/// staged module files.
#[derive(Clone, Debug)]
pub struct ShadowConfig {
    /// jobs waiting at most; a decision arriving at a full queue is not shadowed (counted)
    pub queue: usize,
    /// the share of one core the shadow thread may use, in percent (1–100; 100: no resting)
    pub cpu_percent: u8,
    /// module files answering only as shadows (`--stage`; a registry reference is pulled into a file first), each for its institution's requests
    pub staged: Vec<PathBuf>,
}

impl Default for ShadowConfig {
    fn default() -> Self {
        ShadowConfig { queue: DEFAULT_QUEUE, cpu_percent: DEFAULT_CPU_PERCENT, staged: Vec::new() }
    }
}

/// Why a module shadows: the next version of the one in force, or staged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
#[schema(as = ShadowSource)]
pub enum Source {
    /// the institution's next version in the policy directory, not in force at the request's date
    Next,
    /// a module of `--stage`
    Staged,
}

#[derive(Clone)]
struct Target {
    module: Arc<dyn LoadedPolicy>,
    source: Source,
}

/// A module serving, and its shadows.
type Shadowed = (Arc<dyn LoadedPolicy>, Arc<[Target]>);

/// For each module serving (by sha256): the module and its shadows. Made
/// once per installed registry.
#[derive(Default)]
struct Plan {
    by_module: HashMap<String, Shadowed>,
}

/// Whether two modules govern the same customers (a next version replaces
/// one of its own scope).
fn same_scope(a: &dyn LoadedPolicy, b: &dyn LoadedPolicy) -> bool {
    a.info().metadata.scope == b.info().metadata.scope
}

impl Plan {
    fn of(registry: &Registry, staged: &[Arc<dyn LoadedPolicy>]) -> Plan {
        let mut by_module = HashMap::new();
        for p in registry.policies() {
            let info = p.info();
            let from = info.metadata.effective_from.as_str();
            // the next version: the earliest of its institution and scope taking effect after it
            let next = registry
                .policies()
                .iter()
                .filter(|q| q.info().institution() == info.institution() && same_scope(q.as_ref(), p.as_ref()))
                .filter(|q| q.info().metadata.effective_from.as_str() > from)
                .min_by(|a, b| a.info().metadata.effective_from.cmp(&b.info().metadata.effective_from));
            let mut targets: Vec<Target> = next.map(|q| Target { module: q.clone(), source: Source::Next }).into_iter().collect();
            for s in staged.iter().filter(|s| s.info().institution() == info.institution()) {
                if s.info().sha256 != info.sha256 && !targets.iter().any(|t| t.module.info().sha256 == s.info().sha256) {
                    targets.push(Target { module: s.clone(), source: Source::Staged });
                }
            }
            if !targets.is_empty() {
                by_module.insert(info.sha256.clone(), (p.clone(), targets.into()));
            }
        }
        Plan { by_module }
    }
}

/// One decision to shadow.
struct Job {
    /// the question as the request path read it (not read again here)
    question: Question,
    /// the answer sent
    answer: Answer,
    decision_id: String,
    module: Arc<dyn LoadedPolicy>,
    targets: Arc<[Target]>,
}

/// A module as the report names it.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
#[schema(as = ShadowModuleRef)]
pub struct ModuleRef {
    pub variant: String,
    pub version: String,
    pub effective_from: String,
    pub sha256: String,
}

impl ModuleRef {
    fn of(p: &dyn LoadedPolicy) -> Self {
        let md = &p.info().metadata;
        ModuleRef { variant: md.variant.clone(), version: md.version.clone(), effective_from: md.effective_from.clone(), sha256: p.info().sha256.clone() }
    }
}

/// A shadow module, and why it shadows.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
#[schema(as = ShadowModule)]
pub struct ShadowRef {
    #[serde(flatten)]
    #[schema(inline)]
    pub module: ModuleRef,
    pub source: Source,
}

/// A clause the shadow's answers change, how often, and the first decisions.
#[derive(Clone, Debug, Default, serde::Serialize, utoipa::ToSchema)]
#[schema(as = ShadowClause)]
pub struct ClauseCount {
    /// the clause as `kitei diff` cites it (`第2条第2項`)
    pub clause: String,
    pub count: u64,
    /// the first decision ids (`kitei-decision-id`; `<id>/<index>` in a batch), at most [`EXAMPLES`]
    pub decisions: Vec<String>,
}

/// One (module in force, shadow) pair of `GET /v1/shadow`.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
#[schema(as = ShadowPair)]
pub struct PairReport {
    pub institution: String,
    /// the module that answered
    pub module: ModuleRef,
    /// the module that answered in its shadow
    pub shadow: ShadowRef,
    /// when the first decision of this pair was compared (RFC 3339)
    pub since: String,
    /// decisions both answered
    pub compared: u64,
    /// of those, the decisions the shadow answers differently (outcome or cited clauses)
    pub changed: u64,
    /// decisions the shadow failed to answer
    pub failed: u64,
    /// the changed decisions by clause, most frequent first (a decision counts under each clause it changes)
    pub clauses: Vec<ClauseCount>,
}

/// A staged module refused at start (signature, trust, or not a module).
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
#[schema(as = ShadowRefused)]
pub struct Refused {
    #[schema(value_type = String)]
    pub file: PathBuf,
    pub error: String,
}

/// A staged module loaded.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
#[schema(as = ShadowStaged)]
pub struct Staged {
    #[schema(value_type = String)]
    pub file: PathBuf,
    pub institution: String,
    #[serde(flatten)]
    #[schema(inline)]
    pub module: ModuleRef,
}

/// `GET /v1/shadow`.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ShadowReport {
    /// whether `kitei serve --shadow` is on
    pub enabled: bool,
    /// what to do when it is off
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// when shadowing started (RFC 3339; null when off)
    pub since: Option<String>,
    /// the queue's bound (`--shadow-queue`)
    pub queue: usize,
    /// jobs queued or being answered now
    pub pending: u64,
    /// decisions not shadowed because the queue was full
    pub dropped: u64,
    #[allow(missing_docs, reason = "a doc comment here becomes a description in the OpenAPI document, which stays byte-identical")]
    pub staged: Vec<Staged>,
    #[allow(missing_docs, reason = "a doc comment here becomes a description in the OpenAPI document, which stays byte-identical")]
    pub refused: Vec<Refused>,
    #[allow(missing_docs, reason = "a doc comment here becomes a description in the OpenAPI document, which stays byte-identical")]
    pub pairs: Vec<PairReport>,
}

impl ShadowReport {
    /// The report when shadowing is off.
    pub fn disabled() -> Self {
        ShadowReport {
            enabled: false,
            message: Some("shadow evaluation is off: start `kitei serve --shadow` (and `--stage FILE|REF` for staged modules)".into()),
            since: None,
            queue: 0,
            pending: 0,
            dropped: 0,
            staged: Vec::new(),
            refused: Vec::new(),
            pairs: Vec::new(),
        }
    }
}

struct PairStats {
    report: PairReport,
    /// clause → place in `report.clauses`
    places: HashMap<String, usize>,
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The counts, shared by the worker (writing) and the routes (reading).
#[derive(Default)]
struct Stats {
    /// by (module sha256, shadow sha256)
    pairs: Mutex<BTreeMap<(String, String), PairStats>>,
    dropped: AtomicU64,
    pending: AtomicU64,
}

impl Stats {
    fn record(&self, module: &dyn LoadedPolicy, target: &Target, decision_id: &str, outcome: Result<Vec<String>, ()>) {
        let mut pairs = self.pairs.lock().unwrap_or_else(|e| e.into_inner());
        let key = (module.info().sha256.clone(), target.module.info().sha256.clone());
        let pair = pairs.entry(key).or_insert_with(|| PairStats {
            report: PairReport {
                institution: module.info().institution().to_string(),
                module: ModuleRef::of(module),
                shadow: ShadowRef { module: ModuleRef::of(target.module.as_ref()), source: target.source },
                since: now(),
                compared: 0,
                changed: 0,
                failed: 0,
                clauses: Vec::new(),
            },
            places: HashMap::new(),
        });
        let changed = match outcome {
            Err(()) => {
                pair.report.failed += 1;
                return;
            }
            Ok(changed) => changed,
        };
        pair.report.compared += 1;
        if changed.is_empty() {
            return;
        }
        pair.report.changed += 1;
        for clause in changed {
            let place = *pair.places.entry(clause.clone()).or_insert_with(|| {
                pair.report.clauses.push(ClauseCount { clause, count: 0, decisions: Vec::new() });
                pair.report.clauses.len() - 1
            });
            let c = &mut pair.report.clauses[place];
            c.count += 1;
            if c.decisions.len() < EXAMPLES {
                c.decisions.push(decision_id.to_string());
            }
        }
    }
}

/// Shadow evaluation of a running service.
pub struct Shadow {
    queue: usize,
    since: String,
    tx: std::sync::mpsc::SyncSender<Job>,
    plan: arc_swap::ArcSwap<Plan>,
    staged: Vec<(PathBuf, Arc<dyn LoadedPolicy>)>,
    refused: Vec<Refused>,
    stats: Arc<Stats>,
}

impl Shadow {
    /// Loads the staged modules (each verified under `trust` as a served
    /// module is, with `settings_dir`'s settings; a refused one is reported,
    /// not served) and starts the worker thread (an error when the thread
    /// cannot start). Compiling is blocking work.
    pub fn start(config: &ShadowConfig, runtime: &Runtime, settings_dir: &Path, trust: Option<&Trust>) -> std::io::Result<Shadow> {
        let mut staged = Vec::new();
        let mut refused = Vec::new();
        for file in &config.staged {
            match kitei::load_module_file_trusted(runtime, file, Some(settings_dir), trust) {
                Ok(p) => {
                    if trust.is_none() {
                        tracing::warn!(file = %file.display(), variant = %p.info().variant(), "staging a module whose signature is not verified (no trust policy)");
                    }
                    tracing::info!(file = %file.display(), variant = %p.info().variant(), sha256 = %p.info().sha256, "staged: answers in the shadow of its institution's decisions");
                    staged.push((file.clone(), p));
                }
                Err(e) => {
                    let error = kitei::Report(&e).to_string();
                    tracing::error!(file = %file.display(), "--stage refused: {error}");
                    refused.push(Refused { file: file.clone(), error });
                }
            }
        }
        let (tx, rx) = std::sync::mpsc::sync_channel::<Job>(config.queue.max(1));
        let stats = Arc::new(Stats::default());
        let worker_stats = stats.clone();
        let mut pace = Pace::new(config.cpu_percent);
        std::thread::Builder::new().name("kitei-shadow".into()).spawn(move || {
            lower_priority();
            // ends when the service (every sender) is gone
            while let Ok(job) = rx.recv() {
                let started = Busy::now();
                answer(&worker_stats, &job);
                drop(job);
                worker_stats.pending.fetch_sub(1, Ordering::Relaxed);
                pace.after(started.elapsed());
            }
        })?;
        Ok(Shadow { queue: config.queue.max(1), since: now(), tx, plan: arc_swap::ArcSwap::default(), staged, refused, stats })
    }

    /// The shadows of each module of a registry being installed.
    pub(crate) fn install(&self, registry: &Registry) {
        let staged: Vec<Arc<dyn LoadedPolicy>> = self.staged.iter().map(|(_, p)| p.clone()).collect();
        self.plan.store(Arc::new(Plan::of(registry, &staged)));
    }

    /// On the request path, after the reply is built: queues the `question`
    /// and the `answer` sent, when the module that answered has shadows;
    /// never waits (a full queue drops it and counts it).
    pub(crate) fn offer(&self, answer: Answer, question: Question, decision_id: String) {
        let plan = self.plan.load();
        let Some((module, targets)) = plan.by_module.get(&answer.policy().sha256) else {
            return;
        };
        let job = Job { question, answer, decision_id, module: module.clone(), targets: targets.clone() };
        self.stats.pending.fetch_add(1, Ordering::Relaxed);
        if self.tx.try_send(job).is_err() {
            self.stats.pending.fetch_sub(1, Ordering::Relaxed);
            self.stats.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// `GET /v1/shadow`: every pair seen, most changed first.
    pub fn report(&self) -> ShadowReport {
        let mut pairs: Vec<PairReport> = self.stats.pairs.lock().unwrap_or_else(|e| e.into_inner()).values().map(|p| p.report.clone()).collect();
        for p in &mut pairs {
            p.clauses.sort_by_key(|c| std::cmp::Reverse(c.count));
        }
        pairs.sort_by(|a, b| {
            (&a.institution, &a.module.effective_from, &a.shadow.module.effective_from).cmp(&(
                &b.institution,
                &b.module.effective_from,
                &b.shadow.module.effective_from,
            ))
        });
        ShadowReport {
            enabled: true,
            message: None,
            since: Some(self.since.clone()),
            queue: self.queue,
            pending: self.stats.pending.load(Ordering::Relaxed),
            dropped: self.stats.dropped.load(Ordering::Relaxed),
            staged: self
                .staged
                .iter()
                .map(|(file, p)| Staged { file: file.clone(), institution: p.info().institution().to_string(), module: ModuleRef::of(p.as_ref()) })
                .collect(),
            refused: self.refused.clone(),
            pairs,
        }
    }

    /// The `kitei_shadow_*` metrics (Prometheus text), summed by variant.
    pub fn render_metrics(&self, o: &mut String) {
        let mut decisions: BTreeMap<(String, String), (u64, u64, u64)> = BTreeMap::new();
        let mut clauses: BTreeMap<(String, String, String), u64> = BTreeMap::new();
        for p in self.stats.pairs.lock().unwrap_or_else(|e| e.into_inner()).values() {
            let r = &p.report;
            let key = (r.module.variant.clone(), r.shadow.module.variant.clone());
            let d = decisions.entry(key.clone()).or_default();
            d.0 += r.compared;
            d.1 += r.changed;
            d.2 += r.failed;
            for c in &r.clauses {
                *clauses.entry((key.0.clone(), key.1.clone(), c.clause.clone())).or_default() += c.count;
            }
        }
        use super::metrics::{family, label};
        family(o, "kitei_shadow_decisions_total", "counter", "Decisions answered again in the shadow, by module in force and shadow module (variants).");
        for ((m, s), (n, _, _)) in &decisions {
            let _ = writeln!(o, "kitei_shadow_decisions_total{{module=\"{}\",shadow=\"{}\"}} {n}", label(m), label(s));
        }
        family(o, "kitei_shadow_changed_total", "counter", "Shadowed decisions the shadow module answers differently (outcome or cited clauses).");
        for ((m, s), (_, n, _)) in &decisions {
            let _ = writeln!(o, "kitei_shadow_changed_total{{module=\"{}\",shadow=\"{}\"}} {n}", label(m), label(s));
        }
        family(o, "kitei_shadow_divergences_total", "counter", "Shadowed decisions changed under a clause, by module, shadow and clause.");
        for ((m, s, c), n) in &clauses {
            let _ = writeln!(o, "kitei_shadow_divergences_total{{module=\"{}\",shadow=\"{}\",clause=\"{}\"}} {n}", label(m), label(s), label(c));
        }
        family(o, "kitei_shadow_failed_total", "counter", "Shadowed decisions the shadow module failed to answer.");
        for ((m, s), (_, _, n)) in &decisions {
            let _ = writeln!(o, "kitei_shadow_failed_total{{module=\"{}\",shadow=\"{}\"}} {n}", label(m), label(s));
        }
        family(o, "kitei_shadow_dropped_total", "counter", "Decisions not shadowed because the shadow queue (--shadow-queue) was full.");
        let _ = writeln!(o, "kitei_shadow_dropped_total {}", self.stats.dropped.load(Ordering::Relaxed));
        family(o, "kitei_shadow_pending", "gauge", "Shadow jobs queued or being answered.");
        let _ = writeln!(o, "kitei_shadow_pending {}", self.stats.pending.load(Ordering::Relaxed));
    }
}

/// The time the calling thread has been running: its CPU time where the
/// platform gives it (so time spent preempted does not count), else wall
/// time (which errs towards resting).
enum Busy {
    Cpu(std::time::Duration),
    Wall(std::time::Instant),
}

impl Busy {
    fn now() -> Self {
        thread_cpu_time().map_or_else(|| Busy::Wall(std::time::Instant::now()), Busy::Cpu)
    }

    fn elapsed(&self) -> std::time::Duration {
        match self {
            Busy::Cpu(then) => thread_cpu_time().map_or(std::time::Duration::ZERO, |now| now.saturating_sub(*then)),
            Busy::Wall(then) => then.elapsed(),
        }
    }
}

/// The calling thread's CPU time (`CLOCK_THREAD_CPUTIME_ID`).
fn thread_cpu_time() -> Option<std::time::Duration> {
    #[cfg(target_os = "linux")]
    {
        let mut t = libc::timespec { tv_sec: 0, tv_nsec: 0 };
        // SAFETY: a plain system call writing into a valid timespec
        if unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) } == 0 {
            return Some(std::time::Duration::new(u64::try_from(t.tv_sec).ok()?, u32::try_from(t.tv_nsec).ok()?));
        }
    }
    None
}

/// Keeps the shadow thread within a share of one core: after each job it
/// owes a rest of `busy × (100 / percent − 1)` ([`Busy`]: its CPU time),
/// taken once a millisecond is owed (shorter sleeps cost more than they
/// save).
struct Pace {
    /// rest owed per unit of busy time
    rest_per_busy: f64,
    owed: std::time::Duration,
}

impl Pace {
    /// Rests are taken once this much is owed.
    const STEP: std::time::Duration = std::time::Duration::from_millis(1);

    fn new(percent: u8) -> Self {
        let percent = f64::from(percent.clamp(1, 100));
        Pace { rest_per_busy: 100.0 / percent - 1.0, owed: std::time::Duration::ZERO }
    }

    /// After a job that took `busy`: rests if a step is owed.
    fn after(&mut self, busy: std::time::Duration) {
        self.owed += busy.mul_f64(self.rest_per_busy);
        if self.owed >= Self::STEP {
            std::thread::sleep(std::mem::take(&mut self.owed));
        }
    }
}

/// The nice value of the shadow thread: the lowest priority.
pub const NICE: i32 = 19;

/// Gives the calling thread (the shadow worker) the nice value [`NICE`]
/// (Linux: a thread's own attribute); elsewhere, or if refused, it keeps
/// the process's. Not `SCHED_IDLE`: measured, the idle class made the
/// answers' p99 latency 6–245 ms instead of 2.3–3 ms (a thread preempted
/// for long while holding what request threads then wait for, such as an
/// allocator arena it frees into), where nice 19 kept it at 3.6–6 ms.
/// Priority alone does not bound what the shadow takes: [`Pace`] does
/// (docs/performance.md).
fn lower_priority() {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: a plain system call on the calling thread's own id
        let done = unsafe { libc::setpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t, NICE) };
        if done != 0 {
            tracing::warn!("shadow: cannot lower the shadow thread's priority: {}", std::io::Error::last_os_error());
        }
    }
}

/// The worker's part: one request answered by each shadow, and compared with the answer sent.
fn answer(stats: &Stats, job: &Job) {
    let question = &job.question;
    let day = question.at().map(|at| at.with_timezone(&kitei::time::jst()).date_naive());
    for t in job.targets.iter() {
        // a next version shadows only the decisions it is not in force for yet
        if t.source == Source::Next && day.is_some_and(|d| t.module.info().metadata.effective_from.as_str() <= d.format("%Y-%m-%d").to_string().as_str()) {
            continue;
        }
        let outcome = match Answers::after(&job.answer, t.module.as_ref(), question) {
            Ok(a) => Ok(a.changed_clauses()),
            Err(e) => {
                tracing::warn!(decision_id = %job.decision_id, shadow = %t.module.info().variant(), "shadow: {e}");
                Err(())
            }
        };
        stats.record(job.module.as_ref(), t, &job.decision_id, outcome);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    #[test]
    fn the_pace_rests_in_proportion_to_the_work_done() {
        // 10%: nine times the busy time at rest, taken once a millisecond is owed
        let mut pace = Pace::new(10);
        let start = Instant::now();
        for _ in 0..20 {
            pace.after(Duration::from_micros(100));
        }
        let rested = start.elapsed();
        assert!(rested >= Duration::from_micros(20 * 900), "rested {rested:?}");
        assert_eq!(pace.owed, Duration::ZERO, "every whole step owed is taken");
        // 100%: never rests
        let mut pace = Pace::new(100);
        pace.after(Duration::from_secs(1));
        assert_eq!(pace.owed, Duration::ZERO);
    }

    fn module(variant: &str) -> Arc<dyn LoadedPolicy> {
        let runtime = Runtime::new(kitei::Limits::default()).unwrap();
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/policies");
        kitei::load_module_file(&runtime, &dir.join(format!("{variant}.wasm")), None).unwrap_or_else(|e| panic!("{variant}: {e} (run `kitei build`)"))
    }

    #[test]
    fn the_next_version_of_each_module_and_the_staged_ones_of_its_institution_shadow_it() {
        let (g19, g23, t23) = (module("gunma-2019"), module("gunma-2023"), module("toyama-2023"));
        let registry = Registry::new(vec![g19.clone(), g23.clone(), t23.clone()], Vec::new());
        let plan = Plan::of(&registry, &[]);
        let (_, targets) = plan.by_module.get(&g19.info().sha256).expect("gunma-2019 is shadowed");
        assert_eq!(targets.len(), 1);
        assert_eq!(targets[0].module.info().variant(), "gunma-2023");
        assert_eq!(targets[0].source, Source::Next);
        assert!(!plan.by_module.contains_key(&g23.info().sha256), "gunma-2023 has no next version");
        assert!(!plan.by_module.contains_key(&t23.info().sha256), "toyama has one version");

        // staged: for its institution only, never for itself
        let registry = Registry::new(vec![g19.clone(), t23.clone()], Vec::new());
        let plan = Plan::of(&registry, std::slice::from_ref(&g23));
        let (_, targets) = plan.by_module.get(&g19.info().sha256).expect("gunma-2019 is shadowed");
        assert_eq!((targets.len(), targets[0].source), (1, Source::Staged));
        assert!(!plan.by_module.contains_key(&t23.info().sha256), "a gunma module does not shadow toyama");
        let plan = Plan::of(&Registry::new(vec![g19.clone()], Vec::new()), std::slice::from_ref(&g19));
        assert!(plan.by_module.is_empty(), "a module staged as it serves shadows nothing");
    }

    #[test]
    fn a_full_queue_drops_and_counts_and_the_worker_counts_by_clause() {
        let runtime = Runtime::new(kitei::Limits::default()).unwrap();
        let (g19, g23) = (module("gunma-2019"), module("gunma-2023"));
        let shadow = Shadow::start(&ShadowConfig { queue: 1, ..ShadowConfig::default() }, &runtime, Path::new("."), None).expect("the shadow thread starts");
        shadow.install(&Registry::new(vec![g19.clone(), g23.clone()], Vec::new()));
        let request = serde_json::json!({
            "institution": "gunma", "operation": "accounts", "at": "2021-04-01T10:00:00+09:00",
            "customer": { "internet_banking_contract": true, "accounts": [ { "id": "L1", "kind": "card_loan" } ] },
            "provider": { "id": "moneyforward", "contract": true, "channel": "anser_api" }
        });
        let question = Question::from_value(&request).unwrap();
        let answer = g19.decide(&question).unwrap();
        let sent = 200;
        for i in 0..sent {
            shadow.offer(answer.clone(), question.clone(), format!("d{i}"));
        }
        // gunma-2023 has no shadow
        shadow.offer(g23.decide(&question).unwrap(), question, "x".into());
        let start = std::time::Instant::now();
        while shadow.report().pending > 0 {
            assert!(start.elapsed() < std::time::Duration::from_secs(60), "the worker drains the queue");
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        let report = shadow.report();
        assert!(report.dropped > 0, "a queue of 1 fed 200 jobs at once drops some");
        let pair = &report.pairs[0];
        assert_eq!(pair.compared + report.dropped, sent, "every job is compared or dropped: {report:?}");
        assert_eq!(pair.changed, pair.compared, "every card loan of 2021 changes under gunma-2023");
        let clause = pair.clauses.iter().find(|c| c.clause == "第2条第2項").unwrap_or_else(|| panic!("第2条第2項: {report:?}"));
        assert_eq!(clause.count, pair.changed);
        assert_eq!(clause.decisions.len(), EXAMPLES.min(pair.changed as usize));
        assert_eq!(clause.decisions[0], "d0", "the first job is never dropped");
        #[cfg(target_os = "linux")]
        {
            // the shadow thread runs at the lowest priority
            let nices: Vec<String> = std::fs::read_dir("/proc/self/task")
                .unwrap()
                .filter_map(|t| t.ok().map(|t| t.path()))
                .filter(|t| std::fs::read_to_string(t.join("comm")).is_ok_and(|c| c.trim() == "kitei-shadow"))
                .filter_map(|t| std::fs::read_to_string(t.join("stat")).ok())
                // the fields after the command's closing parenthesis: state is 3rd, nice the 19th
                .filter_map(|stat| stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().nth(16).map(str::to_string)))
                .collect();
            assert!(!nices.is_empty() && nices.iter().all(|n| *n == NICE.to_string()), "the shadow threads' nice values: {nices:?}");
        }
        let mut metrics = String::new();
        shadow.render_metrics(&mut metrics);
        assert!(metrics.contains(&format!("kitei_shadow_dropped_total {}", report.dropped)), "{metrics}");
        assert!(
            metrics.contains(&format!("kitei_shadow_divergences_total{{module=\"gunma-2019\",shadow=\"gunma-2023\",clause=\"第2条第2項\"}} {}", clause.count)),
            "{metrics}"
        );
    }
}
