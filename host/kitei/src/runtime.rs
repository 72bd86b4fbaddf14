//! Policy components under wasmtime: compiled and linked once at load,
//! every call under an epoch deadline and a memory cap.
//!
//! # Instances
//! A call takes an idle instance of the module (or makes one) and gives it
//! back afterwards; at most [`Limits::idle_instances`] are kept per module,
//! so memory stays bounded however many calls ran at once. What a reused
//! instance may carry from one call to the next is the module's linear
//! memory: the engine configured at load (the operator's settings, the
//! same for every call) and whatever the module's own code leaves there.
//! That is safe because an instance only ever serves one module of one
//! institution, each call's inputs are passed whole and its answer is
//! checked against the module's own sheet, and a call that traps or runs
//! out of time drops its instance, never returning it to the pool. A module
//! cannot reach another module's instances, the host, or the outside world
//! (it imports nothing). Fresh instances per call would cost an
//! instantiation and a `configure` call each (see docs/performance.md).
//! So calls to one module are not independent: a module can answer the same
//! question differently the second time (`tests/hostile.rs`, the `stateful`
//! case; docs/security.md).

use crate::bindings::{SERVED, v03, v04};
use crate::error::{Decision, DecisionError, Load, LoadError, RuntimeError};
use crate::policy::{LoadedPolicy, Outcome, PolicyInfo};
use crate::vocab::OperationName;
use kitei_sdk::types as m;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;
use wasmtime::component::{Component, Linker};
use wasmtime::{Config, Engine, Store, StoreLimits, StoreLimitsBuilder, Trap};

/// Limits every call runs under.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// linear memory a module may grow to
    pub memory_bytes: usize,
    /// wall time one call may take
    pub deadline: Duration,
    /// idle instances kept per module for the next calls (at least 1)
    pub idle_instances: usize,
}

impl Default for Limits {
    /// 16 MiB, 1 s, and as many idle instances as the machine has cores.
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        Limits { memory_bytes: 16 << 20, deadline: Duration::from_secs(1), idle_instances: cores }
    }
}

/// How often the epoch advances; deadlines are counted in these ticks, so a
/// call that runs away is stopped within the deadline and about a tick.
pub const TICK: Duration = Duration::from_millis(5);

/// The wasmtime engine shared by every module, with its epoch ticker.
#[derive(Clone)]
pub struct Runtime {
    engine: Engine,
    limits: Limits,
    cache: Option<PathBuf>,
    /// the components compiled last, by sha256 (newest last): verifying a
    /// pulled module and then loading it compiles once
    recent: std::sync::Arc<std::sync::Mutex<std::collections::VecDeque<(String, Component)>>>,
    keep: usize,
}

/// How many compiled components a [`Runtime`] keeps in memory by sha256,
/// unless [`Runtime::keep_compiled`] says otherwise.
pub const KEEP_COMPILED: usize = 8;

impl Runtime {
    /// A runtime whose calls run under `limits`.
    ///
    /// # Errors
    /// When wasmtime cannot be configured on this machine.
    pub fn new(limits: Limits) -> Result<Self, RuntimeError> {
        let mut config = Config::new();
        config.wasm_component_model(true);
        config.epoch_interruption(true);
        if std::env::var_os("KITEI_PERF_MAP").is_some_and(|v| v == "1") {
            // /tmp/perf-<pid>.map names compiled guest functions for `perf report`
            config.profiler(wasmtime::ProfilingStrategy::PerfMap);
        }
        let engine = Engine::new(&config).map_err(|e| RuntimeError(format!("{e:#}")))?;
        let weak = engine.weak();
        // The epoch follows the wall clock: the thread sleeps until the next
        // tick is due and advances the epoch by every tick that has passed.
        // Counting one tick per `sleep(TICK)` instead let each oversleep add
        // up, so on a loaded machine a 1 s deadline stopped a loop after
        // 1.08–1.3 s (tests/hostile.rs).
        std::thread::Builder::new()
            .name("kitei-epoch".into())
            .spawn(move || {
                let start = std::time::Instant::now();
                let mut ticks: u128 = 0;
                while let Some(engine) = weak.upgrade() {
                    let due = start.elapsed().as_nanos() / TICK.as_nanos();
                    while ticks < due {
                        engine.increment_epoch();
                        ticks += 1;
                    }
                    drop(engine);
                    let next = TICK.as_nanos() * (ticks + 1);
                    let now = start.elapsed().as_nanos();
                    std::thread::sleep(Duration::from_nanos(next.saturating_sub(now).min(TICK.as_nanos()) as u64));
                }
            })
            .map_err(|e| RuntimeError(format!("cannot start the epoch thread: {e}")))?;
        Ok(Runtime { engine, limits, cache: None, recent: Default::default(), keep: KEEP_COMPILED })
    }

    /// Keeps compiled components in `dir` (created if missing), named by the
    /// sha256 of the component bytes and this engine's compatibility hash, so
    /// a module seen before loads without compiling. The directory is trusted
    /// local state the host writes itself: it must not be shared with anyone
    /// who can write policy files.
    ///
    /// # Errors
    /// When the directory cannot be created.
    pub fn with_cache(mut self, dir: &Path) -> std::io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        self.cache = Some(dir.to_path_buf());
        Ok(self)
    }

    /// Keeps the last `n` compiled components in memory, by the sha256 of
    /// their bytes (default [`KEEP_COMPILED`]; 0 compiles every time, as a
    /// benchmark of compiling wants).
    #[must_use]
    pub fn keep_compiled(mut self, n: usize) -> Self {
        self.keep = n;
        self.recent.lock().unwrap_or_else(|e| e.into_inner()).truncate(n);
        self
    }

    /// Compiles component bytes, or reuses what was compiled before from
    /// the same bytes (in memory, or the artifact in the cache directory).
    fn component(&self, bytes: &[u8], sha256: &str) -> wasmtime::Result<Component> {
        let mut recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(i) = recent.iter().position(|(sha, _)| sha == sha256) {
            let entry = recent.remove(i).unwrap_or_else(|| unreachable!("position is in range"));
            let component = entry.1.clone();
            recent.push_back(entry);
            return Ok(component);
        }
        drop(recent);
        let component = self.compile(bytes, sha256)?;
        let mut recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
        if self.keep > 0 && !recent.iter().any(|(sha, _)| sha == sha256) {
            if recent.len() >= self.keep {
                recent.pop_front();
            }
            recent.push_back((sha256.to_string(), component.clone()));
        }
        Ok(component)
    }

    /// Compiles component bytes, or loads the artifact compiled before.
    fn compile(&self, bytes: &[u8], sha256: &str) -> wasmtime::Result<Component> {
        let Some(dir) = &self.cache else { return Component::new(&self.engine, bytes) };
        let mut h = std::hash::DefaultHasher::new();
        std::hash::Hash::hash(&self.engine.precompile_compatibility_hash(), &mut h);
        let path = dir.join(format!("{sha256}-{:016x}.cwasm", std::hash::Hasher::finish(&h)));
        if path.is_file() {
            // SAFETY: the artifact was written by `serialize` below for these
            // exact bytes (sha256 in the name) and this engine configuration
            // (compatibility hash in the name); wasmtime checks the header too.
            match unsafe { Component::deserialize_file(&self.engine, &path) } {
                Ok(c) => return Ok(c),
                Err(e) => tracing::warn!(file = %path.display(), "ignoring unusable precompiled artifact: {e}"),
            }
        }
        let component = Component::new(&self.engine, bytes)?;
        let tmp = path.with_extension("tmp");
        if let Err(e) = component.serialize().and_then(|b| Ok(std::fs::write(&tmp, b)?)).and_then(|()| Ok(std::fs::rename(&tmp, &path)?)) {
            tracing::warn!(file = %path.display(), "cannot cache the compiled component: {e}");
        }
        Ok(component)
    }

    /// The wasmtime engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The limits every call runs under.
    pub fn limits(&self) -> Limits {
        self.limits
    }
}

/// Hex sha256 of bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

struct StoreState {
    limits: StoreLimits,
}

/// A module linked for the contract version it exports.
#[derive(Clone)]
enum Pre {
    V04(v04::InstitutionPolicyPre<StoreState>),
    V03(v03::InstitutionPolicyPre<StoreState>),
}

/// An instance of a module, of its version.
enum Instance {
    V04(v04::InstitutionPolicy),
    V03(v03::InstitutionPolicy),
}

/// The operator's settings as the module's version takes them.
enum WireSettings {
    V04(v04::wt::Settings),
    V03(v03::wt::Settings),
}

struct Slot {
    store: Store<StoreState>,
    policy: Instance,
}

/// A component compiled, checked and linked, ready to answer.
pub struct ComponentPolicy {
    info: PolicyInfo,
    pre: Pre,
    runtime: Runtime,
    settings: WireSettings,
    pool: Mutex<Vec<Slot>>,
}

/// A component that passed the checks, before settings are applied.
/// Cloning shares the compiled code; each configured copy has its own instances.
#[derive(Clone)]
pub struct Checked {
    pre: Pre,
    runtime: Runtime,
    /// hex sha256 of the component bytes
    pub sha256: String,
    /// what `describe` answered at load
    pub metadata: m::Metadata,
    /// where the bytes came from
    pub file: PathBuf,
}

/// The bytes of a module file; a file that cannot be read is a
/// [`LoadError`] naming it, with the I/O error as its source.
pub(crate) fn read_module(file: &Path) -> Result<Vec<u8>, LoadError> {
    std::fs::read(file).map_err(|source| LoadError::new(file, Load::Io(source)))
}

fn trap_message(e: &wasmtime::Error) -> String {
    format!("{e:#}")
}

impl Checked {
    /// Compiles and checks component bytes: a component (not a core module),
    /// importing nothing, exporting the policy interface; reads its metadata.
    ///
    /// # Errors
    /// A [`LoadError`] naming `file` and the reason.
    pub fn new(runtime: &Runtime, file: &Path, bytes: &[u8]) -> Result<Self, LoadError> {
        let file = file.to_path_buf();
        if wasmparser::Parser::is_core_wasm(bytes) {
            return Err(LoadError::new(file, Load::CoreModule));
        }
        let sha256 = sha256_hex(bytes);
        let component = runtime.component(bytes, &sha256).map_err(|e| LoadError::new(&file, Load::Corrupt(trap_message(&e))))?;
        Self::from_component(runtime, file, sha256, &component)
    }

    /// [`Checked::new`] of the bytes of `file`.
    ///
    /// # Errors
    /// A [`LoadError`] naming `file`: it cannot be read, or as [`Checked::new`].
    pub fn read(runtime: &Runtime, file: &Path) -> Result<Self, LoadError> {
        Self::new(runtime, file, &read_module(file)?)
    }

    fn from_component(runtime: &Runtime, file: PathBuf, sha256: String, component: &Component) -> Result<Self, LoadError> {
        let engine = runtime.engine();
        let ty = component.component_type();
        let imports: Vec<String> = ty.imports(engine).map(|(name, _)| format!("`{name}`")).collect();
        if !imports.is_empty() {
            return Err(LoadError::new(file, Load::Imports(imports.join(", "))));
        }
        let exports: Vec<String> = ty.exports(engine).map(|(name, _)| name.to_string()).collect();
        let version = exports.iter().find_map(|e| contract_of(e));
        let linker: Linker<StoreState> = Linker::new(engine);
        let unlinked = |interface: &'static str, e: wasmtime::Error| LoadError::new(&file, Load::WrongWorld { expected: interface, found: trap_message(&e) });
        let pre = match version {
            Some(Contract::V04) => {
                linker.instantiate_pre(component).and_then(v04::InstitutionPolicyPre::new).map(Pre::V04).map_err(|e| unlinked(v04::INTERFACE, e))?
            }
            Some(Contract::V03) => {
                linker.instantiate_pre(component).and_then(v03::InstitutionPolicyPre::new).map(Pre::V03).map_err(|e| unlinked(v03::INTERFACE, e))?
            }
            None => {
                let policy = exports.iter().find(|e| e.starts_with(POLICY_INTERFACE)).cloned();
                let served = SERVED.iter().map(|(_, v)| *v).collect::<Vec<_>>().join(", ");
                return Err(match policy {
                    Some(found) => LoadError::new(file, Load::UnsupportedContract { found, served }),
                    None => {
                        let found = if exports.is_empty() { "nothing".into() } else { exports.iter().map(|e| format!("`{e}`")).collect::<Vec<_>>().join(", ") };
                        LoadError::new(file, Load::WrongWorld { expected: v04::INTERFACE, found })
                    }
                });
            }
        };
        let mut checked = Checked { pre, runtime: runtime.clone(), sha256, metadata: m::Metadata::default(), file };
        let mut slot = checked.instantiate().map_err(|e| checked.failed(e))?;
        // the deadline `new_slot` set covers making the instance and this
        // call: a load step ends within it, however long instantiating took
        let md = match &slot.policy {
            Instance::V04(p) => p.kitei_policy_policy().call_describe(&mut slot.store).map(v04::metadata_out),
            Instance::V03(p) => p.kitei_policy_policy().call_describe(&mut slot.store).map(v03::metadata_out),
        };
        checked.metadata = md.map_err(|e| checked.failed(e))?;
        check_metadata(&checked.metadata).map_err(|message| LoadError::new(&checked.file, Load::Metadata(message)))?;
        Ok(checked)
    }

    /// The contract version the module exports.
    pub fn contract(&self) -> Contract {
        match self.pre {
            Pre::V04(_) => Contract::V04,
            Pre::V03(_) => Contract::V03,
        }
    }

    fn failed(&self, e: wasmtime::Error) -> LoadError {
        LoadError::new(&self.file, Load::Failed(trap_message(&e)))
    }

    fn instantiate(&self) -> wasmtime::Result<Slot> {
        new_slot(&self.runtime, &self.pre)
    }

    /// Applies the operator's settings (validated by the module) and makes
    /// the policy ready to answer.
    ///
    /// # Errors
    /// [`LoadErrorKind::Settings`](crate::LoadErrorKind::Settings) with the module's message.
    pub fn configure(self, settings: &m::Settings, settings_source: Option<PathBuf>) -> Result<ComponentPolicy, LoadError> {
        let settings = match self.pre {
            Pre::V04(_) => WireSettings::V04(v04::settings_in(settings)),
            Pre::V03(_) => WireSettings::V03(v03::settings_in(settings)),
        };
        let mut slot = self.instantiate().map_err(|e| self.failed(e))?;
        let in_force = configure_slot(&mut slot, &settings).map_err(|e| self.failed(e))?.map_err(|message| {
            LoadError::new(settings_source.clone().unwrap_or_else(|| self.file.clone()), Load::Settings { variant: self.metadata.variant.clone(), message })
        })?;
        let contract = self.contract();
        let mut info = PolicyInfo::new(self.metadata, self.sha256, in_force).map_err(|e| LoadError::new(&self.file, Load::Metadata(e.to_string())))?;
        info.contract = contract;
        info.source = Some(self.file);
        info.settings_source = settings_source;
        Ok(ComponentPolicy { info, pre: self.pre, runtime: self.runtime, settings, pool: Mutex::new(vec![slot]) })
    }
}

/// A fresh instance in a store of its own, with the runtime's limits.
fn new_slot(runtime: &Runtime, pre: &Pre) -> wasmtime::Result<Slot> {
    let limits = StoreLimitsBuilder::new().memory_size(runtime.limits().memory_bytes).instances(1).trap_on_grow_failure(true).build();
    let mut store = Store::new(runtime.engine(), StoreState { limits });
    store.limiter(|s| &mut s.limits);
    store.set_epoch_deadline(ticks(runtime.limits().deadline));
    let policy = match pre {
        Pre::V04(pre) => Instance::V04(pre.instantiate(&mut store)?),
        Pre::V03(pre) => Instance::V03(pre.instantiate(&mut store)?),
    };
    Ok(Slot { store, policy })
}

/// Configures a slot `new_slot` just made, under the deadline it set (which
/// so covers instantiating and configuring together); the settings in force
/// as the module answered them.
fn configure_slot(slot: &mut Slot, settings: &WireSettings) -> wasmtime::Result<Result<m::Settings, String>> {
    Ok(match (&slot.policy, settings) {
        (Instance::V04(p), WireSettings::V04(s)) => p.kitei_policy_policy().call_configure(&mut slot.store, s)?.map(v04::settings_out),
        (Instance::V03(p), WireSettings::V03(s)) => p.kitei_policy_policy().call_configure(&mut slot.store, s)?.map(v03::settings_out),
        _ => unreachable!("a module's settings are made for its own version"),
    })
}

/// The interface name every version of the contract shares.
const POLICY_INTERFACE: &str = "kitei:policy/policy@";

/// The contract version a module exports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Contract {
    /// `kitei:policy@0.4.x`: the current contract, with declared terms
    #[default]
    V04,
    /// `kitei:policy@0.3.0`, served through the adapter
    V03,
}

impl Contract {
    /// The version as docs and errors write it.
    pub fn version(self) -> &'static str {
        match self {
            Contract::V04 => SERVED[0].1,
            Contract::V03 => SERVED[1].1,
        }
    }
}

/// The served version an export names: `kitei:policy/policy@0.4.x` (any
/// patch, semver-compatible with 0.4.0) or `@0.3.0`.
fn contract_of(export: &str) -> Option<Contract> {
    let version = export.strip_prefix(POLICY_INTERFACE)?;
    let mut parts = version.split('.');
    match (parts.next(), parts.next(), parts.next().map(|p| p.split(['-', '+']).next().unwrap_or(p).parse::<u32>().is_ok()), parts.next()) {
        (Some("0"), Some("4"), Some(true), None) => Some(Contract::V04),
        _ if version == "0.3.0" => Some(Contract::V03),
        _ => None,
    }
}

fn ticks(deadline: Duration) -> u64 {
    (deadline.as_millis() / TICK.as_millis()).max(1) as u64 + 1
}

/// Checks what the host relies on: ids present, ISO dates, a rule sheet.
fn check_metadata(md: &m::Metadata) -> Result<(), String> {
    let id_ok = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !id_ok(&md.variant) {
        return Err(format!("variant id `{}` must be lowercase ASCII letters, digits and '-'", md.variant));
    }
    if !id_ok(&md.institution) {
        return Err(format!("institution id `{}` must be lowercase ASCII letters, digits and '-'", md.institution));
    }
    for (field, value) in [("effective_from", Some(&md.effective_from)), ("effective_until", md.effective_until.as_ref())] {
        if let Some(v) = value {
            chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| format!("`{field}` `{v}` is not an ISO date"))?;
        }
    }
    if md.rules.is_empty() {
        return Err("the rule sheet is empty".into());
    }
    Ok(())
}

impl ComponentPolicy {
    fn failure(&self, e: &wasmtime::Error) -> DecisionError {
        let variant = self.info.metadata.variant.clone();
        if matches!(e.downcast_ref::<Trap>(), Some(Trap::Interrupt)) {
            DecisionError::timeout(variant, self.runtime.limits().deadline.as_millis() as u64)
        } else {
            DecisionError::policy_failed(variant, trap_message(e))
        }
    }

    /// Records the signature the module was verified with.
    pub(crate) fn set_signature(&mut self, signature: Option<crate::signing::Verified>) {
        self.info.signature = signature;
    }

    fn slot(&self) -> Result<Slot, DecisionError> {
        if let Some(slot) = self.pool.lock().unwrap_or_else(|e| e.into_inner()).pop() {
            return Ok(slot);
        }
        let fail = |e: wasmtime::Error| self.failure(&e);
        let mut slot = new_slot(&self.runtime, &self.pre).map_err(fail)?;
        configure_slot(&mut slot, &self.settings)
            .map_err(fail)?
            .map_err(|message| DecisionError::policy_failed(self.info.metadata.variant.clone(), message))?;
        Ok(slot)
    }

    fn call(&self, operation: OperationName, slot: &mut Slot, r: &m::Request) -> Result<wasmtime::Result<Outcome>, DecisionError> {
        if operation == OperationName::Describe {
            return Ok(Ok(Outcome::Describe));
        }
        let Slot { store: s, policy } = slot;
        s.set_epoch_deadline(ticks(self.runtime.limits().deadline));
        Ok(match policy {
            Instance::V04(p) => Self::call_v04(p, s, operation, r),
            Instance::V03(p) => self.call_v03(p, s, operation, r)?,
        })
    }

    fn call_v04(p: &v04::InstitutionPolicy, s: &mut Store<StoreState>, operation: OperationName, r: &m::Request) -> wasmtime::Result<Outcome> {
        let p = p.kitei_policy_policy();
        let req = &v04::request_in(r).map_err(wasmtime::Error::msg)?;
        Ok(match operation {
            OperationName::Describe => Outcome::Describe,
            OperationName::Eligibility => Outcome::Eligibility(v04::verdict_out(p.call_eligibility(&mut *s, req)?)),
            OperationName::Accounts => Outcome::Accounts(v04::accounts_out(p.call_accounts(&mut *s, req)?)),
            OperationName::Authorize => {
                let answer = p.call_authorize(&mut *s, req, v04::function_in(r.function))?;
                Outcome::Authorize(v04::authorization_out(answer, &r.at))
            }
            OperationName::Token => Outcome::Token(v04::token_out(p.call_token(&mut *s, req)?, &r.at)),
            OperationName::Liability => Outcome::Liability(v04::liability_out(p.call_liability(&mut *s, req, v04::loss_event_in(r.loss_event))?)),
            OperationName::Incident => Outcome::Incident(v04::incident_out(p.call_incident(&mut *s, req, v04::incident_kind_in(r.incident_kind))?)),
        })
    }

    /// Through the 0.3 adapter: a term 0.3 cannot carry is refused before
    /// the call (`Err`), never asked as something else.
    fn call_v03(
        &self,
        p: &v03::InstitutionPolicy,
        s: &mut Store<StoreState>,
        operation: OperationName,
        r: &m::Request,
    ) -> Result<wasmtime::Result<Outcome>, DecisionError> {
        let beyond = |what: v03::Beyond| -> DecisionError {
            Decision::BeyondContract {
                variant: self.info.metadata.variant.clone(),
                contract: Contract::V03.version(),
                what: match what {
                    v03::Beyond::AccountKind => "an account kind",
                    v03::Beyond::Channel => "a channel",
                    v03::Beyond::Function => "a function",
                },
            }
            .into()
        };
        let req = match v03::request_in(r) {
            Ok(req) => req,
            Err(Ok(what)) => return Err(beyond(what)),
            Err(Err(message)) => return Ok(Err(wasmtime::Error::msg(message))),
        };
        let function = if operation == OperationName::Authorize { v03::function_in(r.function).map_err(beyond)? } else { None };
        let p = p.kitei_policy_policy();
        let mut call = || -> wasmtime::Result<Outcome> {
            Ok(match operation {
                OperationName::Describe => Outcome::Describe,
                OperationName::Eligibility => Outcome::Eligibility(v03::verdict_out(p.call_eligibility(&mut *s, &req)?)),
                OperationName::Accounts => Outcome::Accounts(v03::accounts_out(p.call_accounts(&mut *s, &req)?)),
                OperationName::Authorize => Outcome::Authorize(v03::authorization_out(p.call_authorize(&mut *s, &req, function)?, &r.at)),
                OperationName::Token => Outcome::Token(v03::token_out(p.call_token(&mut *s, &req)?, &r.at)),
                OperationName::Liability => Outcome::Liability(v03::liability_out(p.call_liability(&mut *s, &req, v03::loss_event_in(r.loss_event))?)),
                OperationName::Incident => Outcome::Incident(v03::incident_out(p.call_incident(&mut *s, &req, v03::incident_kind_in(r.incident_kind))?)),
            })
        };
        Ok(call())
    }
}

impl LoadedPolicy for ComponentPolicy {
    fn info(&self) -> &PolicyInfo {
        &self.info
    }

    /// Takes an idle instance (or makes one), calls it, and returns it to the
    /// pool unless the pool is full; an instance that trapped is dropped,
    /// never reused.
    fn call(&self, operation: OperationName, request: &m::Request) -> Result<Outcome, DecisionError> {
        let mut slot = self.slot()?;
        // a question the 0.3 adapter refuses leaves the instance untouched
        let called = match self.call(operation, &mut slot, request) {
            Ok(called) => called,
            Err(refused) => {
                self.pool.lock().unwrap_or_else(|e| e.into_inner()).push(slot);
                return Err(refused);
            }
        };
        match called {
            Ok(outcome) => {
                let mut pool = self.pool.lock().unwrap_or_else(|e| e.into_inner());
                if pool.len() < self.runtime.limits().idle_instances.max(1) {
                    pool.push(slot);
                }
                Ok(outcome)
            }
            Err(e) => Err(self.failure(&e)),
        }
    }

    fn idle_instances(&self) -> usize {
        self.pool.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    fn with_settings(&self, settings: &m::Settings) -> Option<Result<std::sync::Arc<dyn LoadedPolicy>, LoadError>> {
        let checked = Checked {
            pre: self.pre.clone(),
            runtime: self.runtime.clone(),
            sha256: self.info.sha256.clone(),
            metadata: self.info.metadata.clone(),
            file: self.info.source.clone().unwrap_or_default(),
        };
        Some(checked.configure(settings, None).map(|p| std::sync::Arc::new(p) as std::sync::Arc<dyn LoadedPolicy>))
    }
}
