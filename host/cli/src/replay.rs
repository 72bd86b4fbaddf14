//! `kitei replay`: every logged decision decided again with the module it
//! names, and (with `--against`) by another module, reporting what changes.
//!
//! The logs are read line by line: memory holds the modules, the counts, the
//! first [`LISTED`] problems of each kind and one entry per class of
//! changed answers, never the log.

use anyhow::{Context, Result};
use kitei::trust::{SequenceFloor, Trust, TrustPolicy};
use kitei::{Answer, LoadedPolicy, Question, Reason, Wire};
use kitei::{Runtime, component::sha256_hex};
use kitei_tools::diff::{self, Format, Traffic};
use serde_json::value::RawValue;
use std::collections::{BTreeMap, HashMap};
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

#[derive(clap::Args)]
pub struct Args {
    /// Decision logs (the JSON lines `kitei serve --decision-log` writes, and
    /// its rotated files), read in the order given
    #[arg(required = true, value_name = "LOG")]
    logs: Vec<PathBuf>,
    /// Find logged modules here too, by the sha256 of each *.wasm; its
    /// <institution>.settings.json files are applied to every module
    /// replayed, as `kitei serve --policies` applied them
    #[arg(long, value_name = "DIR")]
    policies: Option<PathBuf>,
    /// The directory `kitei serve --module-store` kept modules in
    /// (<sha256>.wasm): the exact bytes each line names
    #[arg(long, value_name = "DIR")]
    module_store: Option<PathBuf>,
    /// A registry repository (HOST[:PORT]/REPO, as `kitei serve --source`
    /// polled it) to fetch a module from when neither --module-store nor
    /// --policies has it: the tag whose module has the sha256 a line names
    /// is pulled with its signature (verified under --trust when given)
    #[arg(long, value_name = "REPO")]
    module_source: Option<String>,
    /// Also answer the logged requests of this module's institution with it
    /// (a .wasm file; a directory: each module answers its institution's; or
    /// a registry reference, HOST[:PORT]/REPO:TAG or …@sha256:…, pulled with
    /// its signature and verified under --trust) and report what changes,
    /// grouped by clause as `kitei diff` groups it
    #[arg(long, value_name = "MODULE|DIR|REF")]
    against: Option<String>,
    /// Verify every module before it answers, under this trust file: the
    /// replayed ones by the signature kept beside each (`<sha256>.wasm.sig`
    /// in --module-store, `.wasm.sig` in --policies), --against's too. Each
    /// module on its own, keys as of today, no rollback floor (a replay runs
    /// old versions). Required for --against REF
    #[arg(long, value_name = "FILE")]
    trust: Option<PathBuf>,
    #[command(flatten)]
    registry: crate::registry::RegistryArgs,
    /// Format of the --against report: text, md, html, json
    #[arg(long, default_value = "text")]
    format: Format,
    /// Report progress on stderr every N lines (0: never)
    #[arg(long, value_name = "N", default_value_t = 100_000)]
    progress_every: u64,
}

/// How many problems of each kind are listed (all are counted).
const LISTED: usize = 100;

/// One line of the log (docs/decision-log.md), as far as replay reads it.
#[derive(serde::Deserialize)]
struct Line<'a> {
    v: Option<u32>,
    #[serde(borrow)]
    decision_id: Option<&'a str>,
    #[serde(borrow)]
    request: Option<&'a RawValue>,
    request_text: Option<String>,
    time: Option<String>,
    module_sha256: Option<String>,
    decision: Option<String>,
    error: Option<String>,
    #[serde(default)]
    cites: Vec<String>,
    answer_sha256: Option<String>,
}

/// What a module answers: the fields a line logs of it.
#[derive(PartialEq, Eq)]
struct Logged {
    decision: Option<String>,
    error: Option<String>,
    cites: Vec<String>,
    /// the whole answer's JSON, hashed
    answer_sha256: Option<String>,
}

impl std::fmt::Display for Logged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.error, &self.decision) {
            (Some(e), _) => write!(f, "error {e}")?,
            (None, Some(d)) => write!(f, "{d}")?,
            (None, None) => write!(f, "(no decision)")?,
        }
        write!(f, " [{}]", self.cites.join(", "))?;
        if let Some(sha) = &self.answer_sha256 {
            write!(f, " answer sha256 {}", &sha[..sha.len().min(12)])?;
        }
        Ok(())
    }
}

#[derive(Default)]
struct Problems {
    count: usize,
    listed: Vec<String>,
}

impl Problems {
    fn add(&mut self, message: impl FnOnce() -> String) {
        self.count += 1;
        if self.listed.len() < LISTED {
            self.listed.push(message());
        }
    }

    fn print(&self, out: &mut String, title: &str) {
        use std::fmt::Write as _;
        if self.count == 0 {
            return;
        }
        let _ = writeln!(out, "\n{title} ({}):", self.count);
        for m in &self.listed {
            let _ = writeln!(out, "  {m}");
        }
        if self.count > self.listed.len() {
            let _ = writeln!(out, "  … and {} more", self.count - self.listed.len());
        }
    }
}

/// Modules by sha256: the store's `<sha256>.wasm`, else a `*.wasm` of
/// `--policies` with that sha256; each loaded once.
struct Modules {
    runtime: Runtime,
    trust: Option<TrustPolicy>,
    /// `--module-source`: the repository, how to reach it, and where pulled modules are kept
    source: Option<Source>,
    store: Option<PathBuf>,
    policies: Option<PathBuf>,
    /// sha256 → file, of `--policies` (hashed on first need)
    in_policies: Option<HashMap<String, PathBuf>>,
    loaded: HashMap<String, Result<Arc<dyn LoadedPolicy>, String>>,
}

impl Modules {
    fn get(&mut self, sha256: &str) -> Result<Arc<dyn LoadedPolicy>, String> {
        if let Some(found) = self.loaded.get(sha256) {
            return found.clone();
        }
        let found = self.find(sha256).and_then(|file| {
            let policy = load(&self.runtime, &file, self.policies.as_deref(), self.trust.as_ref()).map_err(|e| kitei::Report(&e).to_string())?;
            if policy.info().sha256 != sha256 {
                return Err(format!("`{}` has sha256 {}, not the one its name says", file.display(), policy.info().sha256));
            }
            Ok(policy)
        });
        self.loaded.insert(sha256.to_string(), found.clone());
        found
    }

    fn find(&mut self, sha256: &str) -> Result<PathBuf, String> {
        if let Some(store) = &self.store {
            let (file, _) = kitei_serve::module_store_paths(store, sha256);
            if file.is_file() {
                return Ok(file);
            }
        }
        if let Some(dir) = &self.policies {
            let index = self.in_policies.get_or_insert_with(|| hash_dir(dir));
            if let Some(file) = index.get(sha256) {
                return Ok(file.clone());
            }
        }
        if let Some(source) = &mut self.source {
            match source.fetch(sha256) {
                Ok(Some(file)) => return Ok(file),
                Ok(None) => {}
                Err(e) => return Err(format!("--module-source {}: {e:#}", source.given)),
            }
        }
        let mut looked = Vec::new();
        if let Some(source) = &self.source {
            looked.push(format!("--module-source {}", source.given));
        }
        if let Some(store) = &self.store {
            looked.push(format!("--module-store {}", store.display()));
        }
        if let Some(dir) = &self.policies {
            looked.push(format!("--policies {}", dir.display()));
        }
        if looked.is_empty() {
            return Err("no --module-store, --policies or --module-source to look in".into());
        }
        Err(format!("not in {}", looked.join(" nor ")))
    }
}

/// `--module-source`: modules found by sha256 among a repository's tags,
/// pulled into a private directory removed at exit.
struct Source {
    given: String,
    reference: kitei_oci::Reference,
    client: kitei_oci::Client,
    rt: tokio::runtime::Runtime,
    dir: Option<crate::serve::PrivateDir>,
}

impl Source {
    fn new(given: &str, registry: &crate::registry::RegistryArgs) -> Result<Self> {
        // a repository has no tag of its own: one is supplied to read it
        let reference = format!("{given}:latest").parse().with_context(|| format!("--module-source `{given}`: not HOST[:PORT]/REPO"))?;
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().context("starting tokio")?;
        Ok(Source { given: given.to_string(), reference, client: registry.client()?, rt, dir: None })
    }

    /// The module with this sha256, pulled from a tag of the repository
    /// (with its signature beside it), or `None` when no tag holds it.
    fn fetch(&mut self, sha256: &str) -> Result<Option<PathBuf>> {
        let Some(got) = self.rt.block_on(self.client.find_module(&self.reference, sha256))? else { return Ok(None) };
        let dir = match &self.dir {
            Some(d) => d,
            None => self.dir.insert(crate::serve::PrivateDir::create_named("kitei-replay-source", "modules fetched from --module-source")?),
        };
        let file = dir.path().join(format!("{sha256}.wasm"));
        crate::registry::write_pulled(&got, &file)?;
        eprintln!("kitei replay: module {sha256} fetched from --module-source {} ({})", self.given, got.digest);
        Ok(Some(file))
    }
}

fn hash_dir(dir: &Path) -> HashMap<String, PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return HashMap::new() };
    entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "wasm") && p.is_file())
        .filter_map(|p| std::fs::read(&p).ok().map(|b| (sha256_hex(&b), p)))
        .collect()
}

/// A module, verified under `trust` when given: each on its own (a fresh
/// rollback floor), since a replay runs old versions a floor would refuse.
fn load(runtime: &Runtime, file: &Path, settings_dir: Option<&Path>, trust: Option<&TrustPolicy>) -> Result<Arc<dyn LoadedPolicy>, kitei::LoadError> {
    let trust = trust.map(|policy| Trust::new(policy.clone(), SequenceFloor::in_memory()));
    kitei::load_module_file_trusted(runtime, file, settings_dir, trust.as_ref())
}

/// The modules of `--against`, by institution.
fn against(runtime: &Runtime, path: &Path, trust: Option<&TrustPolicy>) -> Result<BTreeMap<String, Arc<dyn LoadedPolicy>>> {
    let (files, settings_dir) = if path.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)
            .with_context(|| format!("--against: reading `{}`", path.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "wasm"))
            .collect();
        files.sort();
        (files, Some(path))
    } else {
        (vec![path.to_path_buf()], path.parent())
    };
    let mut out: BTreeMap<String, Arc<dyn LoadedPolicy>> = BTreeMap::new();
    for file in files {
        let policy = load(runtime, &file, settings_dir, trust).with_context(|| format!("--against: loading `{}`", file.display()))?;
        let institution = policy.info().metadata.institution.clone();
        if let Some(other) = out.get(&institution) {
            anyhow::bail!("--against: `{}` and {} are both of institution `{institution}`: name one module", file.display(), other.info().variant());
        }
        out.insert(institution, policy);
    }
    anyhow::ensure!(!out.is_empty(), "--against: no module in `{}`", path.display());
    Ok(out)
}

/// One comparison of `--against`: the logged module's answers and another's.
struct Pair {
    traffic: Traffic,
    lines: usize,
    first: Option<String>,
    last: Option<String>,
}

/// The module's answer to a logged request now: as a log line records it,
/// and the question and answer when it answers.
fn answer_of(policy: &dyn LoadedPolicy, request: &[u8]) -> (Logged, Option<(Question, Answer)>) {
    let error = |code: &str| Logged { decision: None, error: Some(code.to_string()), cites: Vec::new(), answer_sha256: None };
    let question = match Question::from_json(request) {
        Ok(q) => q,
        Err(e) => return (error(e.code()), None),
    };
    match policy.decide(&question) {
        Ok(a) => {
            let logged = Logged {
                decision: a.decision().map(|d| d.wire().to_string()),
                error: None,
                cites: a.reasons().into_iter().map(Reason::cite).map(str::to_string).collect(),
                answer_sha256: Some(kitei_serve::answer_sha256(&a)),
            };
            (logged, Some((question, a)))
        }
        Err(e) => (error(e.code()), None),
    }
}

pub fn run(args: Args) -> Result<ExitCode> {
    let runtime = Runtime::new(diff::batch_limits())?;
    let trust = args.trust.as_deref().map(TrustPolicy::read).transpose()?;
    let mut pulled = None;
    let against = match &args.against {
        // a missing file or directory is said when read
        Some(given) => Some(against(&runtime, &args.registry.module_path("--against", given, args.trust.is_some(), &mut pulled)?, trust.as_ref())?),
        None => None,
    };
    let source = args.module_source.as_deref().map(|given| Source::new(given, &args.registry)).transpose()?;
    let mut modules =
        Modules { runtime, trust, source, store: args.module_store.clone(), policies: args.policies.clone(), in_policies: None, loaded: HashMap::new() };
    let (mut lines, mut equal, mut skipped) = (0u64, 0u64, 0u64);
    let (mut mismatches, mut unreadable, mut not_replayable) = (Problems::default(), Problems::default(), Problems::default());
    let mut missing: BTreeMap<String, (usize, String, String)> = BTreeMap::new();
    let mut pairs: BTreeMap<(String, String), Pair> = BTreeMap::new();
    let mut buf = String::new();
    for file in &args.logs {
        let mut reader = std::io::BufReader::new(std::fs::File::open(file).with_context(|| format!("opening the log `{}`", file.display()))?);
        let mut number = 0usize;
        loop {
            buf.clear();
            let n = reader.read_line(&mut buf).with_context(|| format!("reading `{}` after line {number}", file.display()))?;
            if n == 0 {
                break;
            }
            number += 1;
            lines += 1;
            if args.progress_every > 0 && lines.is_multiple_of(args.progress_every) {
                eprintln!("kitei replay: {lines} lines ({}:{number}), {} differ", file.display(), mismatches.count);
            }
            let text = buf.trim_end_matches(['\n', '\r']);
            if text.trim().is_empty() {
                continue;
            }
            let at = || format!("{}:{number}", file.display());
            let line: Line = match serde_json::from_str(text) {
                Ok(l) => l,
                Err(e) => {
                    unreadable.add(|| format!("{}: not a decision-log line: {e}", at()));
                    continue;
                }
            };
            if line.v != Some(2) {
                let v = line.v.map_or("none".to_string(), |v| v.to_string());
                not_replayable.add(|| format!("{}: line format version {v}, not 2: it holds no request", at()));
                continue;
            }
            let id = line.decision_id.unwrap_or("?");
            let Some(sha256) = &line.module_sha256 else {
                // refused before any module decided (an unknown institution, a malformed body)
                skipped += 1;
                continue;
            };
            let request: &[u8] = match (&line.request, &line.request_text) {
                (Some(raw), _) => raw.get().as_bytes(),
                (None, Some(text)) => text.as_bytes(),
                (None, None) => {
                    not_replayable.add(|| format!("{} ({id}): the request was not kept (logged with --decision-log-request hash): only its sha256", at()));
                    continue;
                }
            };
            let module = match modules.get(sha256) {
                Ok(m) => m,
                Err(reason) => {
                    let entry = missing.entry(sha256.clone()).or_insert_with(|| (0, at(), reason));
                    entry.0 += 1;
                    continue;
                }
            };
            let logged =
                Logged { decision: line.decision.clone(), error: line.error.clone(), cites: line.cites.clone(), answer_sha256: line.answer_sha256.clone() };
            let (now, answered) = answer_of(module.as_ref(), request);
            if now == logged {
                equal += 1;
            } else {
                mismatches.add(|| format!("{} ({id}): logged {logged}, {} now answers {now}", at(), module.info().variant()));
            }
            // compared where the module answered then and answers now (a mismatch is reported above)
            let (Some(against), Some((question, answer)), None) = (&against, answered, &logged.error) else { continue };
            let Some(other) = against.get(&module.info().metadata.institution) else { continue };
            let pair = pairs.entry((sha256.clone(), other.info().sha256.clone())).or_insert_with(|| Pair {
                traffic: Traffic::new(module.clone(), other.clone()),
                lines: 0,
                first: None,
                last: None,
            });
            pair.lines += 1;
            if pair.first.is_none() {
                pair.first = line.time.clone();
            }
            pair.last = line.time.clone();
            let example = || serde_json::from_slice(request).unwrap_or(serde_json::Value::Null);
            pair.traffic.add(&question, &answer, example, id).with_context(|| format!("{}: deciding with {}", at(), other.info().variant()))?;
        }
    }
    if args.progress_every > 0 && lines >= args.progress_every {
        eprintln!("kitei replay: {lines} lines read");
    }

    use std::fmt::Write as _;
    let mut out = String::new();
    let replayed = equal + mismatches.count as u64;
    let _ = writeln!(
        out,
        "kitei replay: {lines} lines in {} log{}: {replayed} decisions replayed, {equal} equal, {} differ; {} unreadable, {} not replayable, {} for missing modules, {skipped} refused before any module (not replayed)",
        args.logs.len(),
        if args.logs.len() == 1 { "" } else { "s" },
        mismatches.count,
        unreadable.count,
        not_replayable.count,
        missing.values().map(|m| m.0).sum::<usize>(),
    );
    mismatches.print(&mut out, "answers that differ from the logged ones");
    unreadable.print(&mut out, "unreadable lines");
    not_replayable.print(&mut out, "lines that cannot be replayed");
    if !missing.is_empty() {
        let _ = writeln!(out, "\nmissing modules ({}):", missing.len());
        for (sha, (count, first, reason)) in &missing {
            let _ = writeln!(out, "  {sha}: {count} line{}, first {first}: {reason}", if *count == 1 { "" } else { "s" });
        }
    }
    let problems = mismatches.count + unreadable.count + not_replayable.count + missing.len() > 0;

    let mut changed = false;
    if let Some(against) = &against {
        let mut reports = Vec::new();
        for ((_, _), pair) in pairs {
            let traffic = format!(
                "{} logged decisions of {} ({} – {}) replayed from {}",
                pair.lines,
                pair.traffic_old_variant(),
                pair.first.as_deref().unwrap_or("?"),
                pair.last.as_deref().unwrap_or("?"),
                args.logs.iter().map(|l| l.display().to_string()).collect::<Vec<_>>().join(", ")
            );
            reports.push(pair.traffic.report(traffic));
        }
        changed = reports.iter().any(|r| !r.groups.is_empty());
        if reports.is_empty() {
            let names: Vec<&str> = against.values().map(|p| p.info().variant()).collect();
            let _ = writeln!(out, "\n--against: no logged decision of the institution of {}", names.join(", "));
        }
        if args.format == Format::Json {
            eprint!("{out}");
            crate::print_out(&(serde_json::to_string_pretty(&reports)? + "\n"))?;
        } else {
            let rendered: Vec<String> = reports.iter().map(|r| diff::render(r, args.format)).collect::<Result<_, _>>()?;
            if args.format == Format::Text {
                crate::print_out(&out)?;
                for r in rendered {
                    crate::print_out(&format!("\n{r}"))?;
                }
            } else {
                eprint!("{out}");
                crate::print_out(&rendered.join("\n"))?;
            }
        }
    } else {
        crate::print_out(&out)?;
    }
    Ok(if problems || changed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

impl Pair {
    fn traffic_old_variant(&self) -> String {
        self.traffic.old_variant().to_string()
    }
}
