//! Fuzz targets for everything kitei reads from outside, and the bounded
//! driver CI runs them with (`kitei-fuzz`, docs/fuzzing.md).
//!
//! A target takes any bytes and must return: an error from kitei is a
//! correct answer to bad input, a panic or an abort is a finding. Two
//! targets also check an answer against another (a finding too, reported
//! as `Err`): the same request answered by a component and by the same
//! variant compiled natively must agree, and so must a settings file's
//! acceptance.
//!
//! | target | bytes are | through |
//! |---|---|---|
//! | `request` | api.md's request JSON | [`Question::from_json`], then every variant natively and as a component, and [`Registry::decide`] |
//! | `settings` | `<institution>.settings.json` | [`SettingsFile::parse`], then every variant's validation natively and in its component (`configure`) |
//! | `module` | a module file | [`Checked::new`], `configure`, and one call per operation |
//! | `signature` | a `.wasm.sig` file | [`Sidecar::parse`], [`TrustPolicy::verify`] against each real module |
//! | `trust` | a trust file (or a sequence-floor file) | [`TrustPolicy::from_toml`], [`SequenceFloor::open`] |
//!
//! ```no_run
//! let ctx = kitei_fuzz::Context::new("target/policies".as_ref(), &[])?;
//! ctx.run(kitei_fuzz::Target::Request, br#"{"institution":"toyama","operation":"describe"}"#)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod mutate;

use chrono::NaiveDate;
use kitei::trust::{SequenceFloor, Sidecar, Statement, TrustPolicy};
use kitei::types::Settings;
use kitei::{Limits, Runtime, component::Checked};
use kitei::{LoadedPolicy, NativePolicy, OperationName, Question, Registry, SettingsFile};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

/// Every bundled variant crate's rules by variant id, to run natively beside
/// its component ([`Context::new`] refuses a policy directory with a variant
/// missing here).
pub use kitei_tests::NATIVE;

/// A fuzz target: what kind of input it reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// api.md's request JSON
    Request,
    /// a settings file
    Settings,
    /// a module file
    Module,
    /// a `.wasm.sig` file
    Signature,
    /// a trust file, or a sequence-floor file
    Trust,
}

impl Target {
    /// Every target, in the order the driver runs them.
    pub const ALL: [Target; 5] = [Target::Request, Target::Settings, Target::Module, Target::Signature, Target::Trust];

    /// Its name on the command line and under `fuzz/corpus/`.
    pub fn name(self) -> &'static str {
        match self {
            Target::Request => "request",
            Target::Settings => "settings",
            Target::Module => "module",
            Target::Signature => "signature",
            Target::Trust => "trust",
        }
    }

    /// The target named `name`.
    pub fn from_name(name: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The largest input worth trying: a little over the largest real file
    /// of its kind.
    pub fn max_len(self) -> usize {
        match self {
            Target::Module => 1 << 20,
            _ => 64 << 10,
        }
    }
}

/// A day the fuzz key is valid on, so that verification is the same on
/// every run.
fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default()
}

/// What the targets run against, loaded once per process: the built
/// components of a policy directory, the same variants natively, and a
/// trust policy whose key signed each real module.
pub struct Context {
    dir: PathBuf,
    probes: Vec<Question>,
    runtime: OnceLock<Result<Runtime, String>>,
    module_runtime: OnceLock<Result<Runtime, String>>,
    modules: OnceLock<Result<Vec<Module>, String>>,
    registry: OnceLock<Result<Registry, String>>,
    natives: OnceLock<Vec<(&'static str, NativePolicy)>>,
    signed: OnceLock<Result<Signed, String>>,
}

/// One real component.
pub struct Module {
    /// its bytes
    pub bytes: Vec<u8>,
    /// compiled and checked
    pub checked: Checked,
}

struct Signed {
    trust: TrustPolicy,
    /// the trust file `trust` was read from
    toml: String,
    /// one signature file per module, in the order of `modules`
    sidecars: Vec<Vec<u8>>,
}

impl Context {
    /// A context for the components in `dir` (loaded when a target first
    /// needs them). `probe_requests` are request JSON files; one question of
    /// each operation among them is asked of every module the `module`
    /// target loads.
    ///
    /// # Errors
    /// When no probe request parses (only when some were given).
    pub fn new(dir: &Path, probe_requests: &[Vec<u8>]) -> Result<Self, String> {
        let mut probes: Vec<Question> = Vec::new();
        for body in probe_requests {
            if let Ok(q) = Question::from_json(body)
                && !probes.iter().any(|p| p.operation().name() == q.operation().name())
            {
                probes.push(q);
            }
        }
        if probes.is_empty() && !probe_requests.is_empty() {
            return Err("no probe request parses".into());
        }
        Ok(Context {
            dir: dir.to_path_buf(),
            probes,
            runtime: OnceLock::new(),
            module_runtime: OnceLock::new(),
            modules: OnceLock::new(),
            registry: OnceLock::new(),
            natives: OnceLock::new(),
            signed: OnceLock::new(),
        })
    }

    fn runtime(&self) -> Result<&Runtime, String> {
        let limits = Limits { idle_instances: 1, ..Limits::default() };
        self.runtime.get_or_init(|| Runtime::new(limits).map_err(|e| e.to_string())).as_ref().map_err(Clone::clone)
    }

    /// Mutated modules run under a short deadline and a small memory cap,
    /// so that a case costs at most a compile and a few short calls.
    fn module_runtime(&self) -> Result<&Runtime, String> {
        let limits = Limits { memory_bytes: 16 << 20, deadline: Duration::from_millis(50), idle_instances: 1 };
        self.module_runtime.get_or_init(|| Runtime::new(limits).map(|r| r.keep_compiled(1)).map_err(|e| e.to_string())).as_ref().map_err(Clone::clone)
    }

    /// The real components of the policy directory, in file-name order.
    ///
    /// # Errors
    /// When the directory holds none, one does not load, or one's variant
    /// has no native build in [`NATIVE`].
    pub fn modules(&self) -> Result<&[Module], String> {
        self.modules.get_or_init(|| self.load_modules()).as_deref().map_err(Clone::clone)
    }

    fn load_modules(&self) -> Result<Vec<Module>, String> {
        let runtime = self.runtime()?;
        let read = std::fs::read_dir(&self.dir).map_err(|e| format!("`{}`: {e} (build the policies first: `kitei build`)", self.dir.display()))?;
        let mut files: Vec<PathBuf> = read.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "wasm")).collect();
        files.sort();
        let mut out = Vec::new();
        for file in files {
            let bytes = std::fs::read(&file).map_err(|e| format!("`{}`: {e}", file.display()))?;
            let checked = Checked::new(runtime, &file, &bytes).map_err(|e| e.to_string())?;
            let variant = &checked.metadata.variant;
            if !NATIVE.iter().any(|(v, _)| v == variant) {
                return Err(format!("`{}`: variant `{variant}` has no native build in kitei_fuzz::NATIVE", file.display()));
            }
            out.push(Module { bytes, checked });
        }
        if out.is_empty() {
            return Err(format!("`{}` holds no module (build the policies first: `kitei build`)", self.dir.display()));
        }
        Ok(out)
    }

    fn registry(&self) -> Result<&Registry, String> {
        self.registry
            .get_or_init(|| {
                let modules = self.modules()?;
                let policies = modules
                    .iter()
                    .map(|m| m.checked.clone().configure(&Settings::default(), None).map(|p| std::sync::Arc::new(p) as std::sync::Arc<dyn LoadedPolicy>))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| e.to_string())?;
                Ok(Registry::new(policies, Vec::new()))
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    fn natives(&self) -> &[(&'static str, NativePolicy)] {
        self.natives.get_or_init(|| NATIVE.iter().filter_map(|&(v, tables)| NativePolicy::new(tables, Settings::default()).ok().map(|p| (v, p))).collect())
    }

    /// A key made from a fixed seed (signatures are then the same on every
    /// run), trusted for every institution of the real modules, and one
    /// signature file per module.
    fn signed(&self) -> Result<&Signed, String> {
        self.signed
            .get_or_init(|| {
                let modules = self.modules()?;
                let mut key = ssh_key::PrivateKey::from(ssh_key::private::Ed25519Keypair::from_seed(&[7; 32]));
                key.set_comment("kitei-fuzz");
                let line = key.public_key().to_openssh().map_err(|e| e.to_string())?;
                let mut toml = String::from("require_signatures = true\n");
                let mut institutions: Vec<&str> = modules.iter().map(|m| m.checked.metadata.institution.as_str()).collect();
                institutions.dedup();
                for i in institutions {
                    toml.push_str(&format!("[institutions.{i}]\nkeys = [\"{line}\"]\n"));
                }
                let trust = TrustPolicy::from_toml(&toml).map_err(|e| e.to_string())?;
                let sidecars =
                    modules.iter().map(|m| Sidecar::sign(&key, &statement(m)).map(|s| s.to_bytes()).map_err(|e| e.to_string())).collect::<Result<_, _>>()?;
                Ok(Signed { trust, toml, sidecars })
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Seeds made at run time from build outputs: the real components for
    /// `module`, their signature files for `signature`, the trust file that
    /// verifies them for `trust`.
    ///
    /// # Errors
    /// As [`Context::modules`].
    pub fn derived_seeds(&self, target: Target) -> Result<Vec<Vec<u8>>, String> {
        Ok(match target {
            Target::Module => self.modules()?.iter().map(|m| m.bytes.clone()).collect(),
            Target::Signature => self.signed()?.sidecars.clone(),
            Target::Trust => vec![self.signed()?.toml.clone().into_bytes()],
            Target::Request | Target::Settings => Vec::new(),
        })
    }

    /// Runs one input through `target`: `true` when the first reader
    /// accepted it (the request or file parsed, the module loaded), so that
    /// a run can say how many cases went deeper than the parser.
    ///
    /// # Errors
    /// A finding that is not a crash: a component and its native build
    /// disagree, or the context could not be loaded.
    pub fn run(&self, target: Target, data: &[u8]) -> Result<bool, String> {
        match target {
            Target::Request => self.request(data),
            Target::Settings => self.settings(data),
            Target::Module => self.module(data),
            Target::Signature => self.signature(data),
            Target::Trust => self.trust(data),
        }
    }

    /// Bytes → [`Question::from_json`] → every variant natively and as a
    /// component (any variant answers any question, as conformance asks
    /// them), and the registry's own choice. The two builds must agree.
    fn request(&self, data: &[u8]) -> Result<bool, String> {
        let Ok(question) = Question::from_json(data) else { return Ok(false) };
        let registry = self.registry()?;
        let _ = registry.decide(&question).map(|a| serde_json::to_vec(&a));
        for (variant, native) in self.natives() {
            let from_native = native.decide(&question);
            let Some(component) = registry.variant(variant) else { continue };
            let from_component = component.decide(&question);
            if question.operation().name() == OperationName::Describe {
                continue; // describe's answer names the module's file and hash
            }
            if let (Ok(n), Ok(c)) = (&from_native, &from_component) {
                let n = serde_json::to_string(n).map_err(|e| e.to_string())?;
                let c = serde_json::to_string(c).map_err(|e| e.to_string())?.replace(&component.info().sha256, "native");
                if n != c {
                    return Err(format!("`{variant}` answers differently natively and as a component:\nnative:    {n}\ncomponent: {c}"));
                }
            }
        }
        Ok(true)
    }

    /// Bytes → [`SettingsFile::parse`] → every variant's validation natively and
    /// in its component; both accept or both refuse, and accepted settings
    /// come back the same.
    fn settings(&self, data: &[u8]) -> Result<bool, String> {
        let Ok(file) = SettingsFile::parse(data) else { return Ok(false) };
        for module in self.modules()? {
            let variant = module.checked.metadata.variant.as_str();
            let Some((_, tables)) = NATIVE.iter().find(|(v, _)| *v == variant) else { continue };
            let Ok(terms) = kitei::ModuleTerms::from_metadata(&module.checked.metadata) else { continue };
            // a declared setting the module does not have is refused before either sees it
            let Ok(settings) = file.for_module(&terms, variant) else { continue };
            let native = NativePolicy::new(tables, settings.clone());
            let component = module.checked.clone().configure(&settings, None);
            match (&native, &component) {
                (Ok(n), Ok(c)) if n.info().settings != c.info().settings => {
                    return Err(format!("`{variant}`: settings in force differ: native {:?}, component {:?}", n.info().settings, c.info().settings));
                }
                (Ok(n), Ok(c)) => {
                    for q in &self.probes {
                        let _ = n.decide(q).map(|a| serde_json::to_vec(&a));
                        let _ = c.decide(q).map(|a| serde_json::to_vec(&a));
                    }
                }
                (Ok(_), Err(e)) => return Err(format!("`{variant}`: the component refuses settings the native build accepts: {e}")),
                (Err(e), Ok(_)) => return Err(format!("`{variant}`: the native build refuses settings the component accepts: {e}")),
                (Err(_), Err(_)) => {}
            }
        }
        Ok(true)
    }

    /// Bytes → [`Checked::new`] → `configure` with no settings → one call
    /// per operation. Anything may fail; nothing may crash.
    fn module(&self, data: &[u8]) -> Result<bool, String> {
        let runtime = self.module_runtime()?;
        let Ok(checked) = Checked::new(runtime, Path::new("fuzz.wasm"), data) else { return Ok(false) };
        let Ok(policy) = checked.configure(&Settings::default(), None) else { return Ok(false) };
        for q in &self.probes {
            let _ = policy.decide(q).map(|a| serde_json::to_vec(&a));
        }
        Ok(true)
    }

    /// Bytes → [`Sidecar::parse`], then [`TrustPolicy::verify`] of each real
    /// module with them as its signature file, and for a signature that
    /// verifies the checks loading makes next.
    fn signature(&self, data: &[u8]) -> Result<bool, String> {
        let parsed = Sidecar::parse(data).is_ok();
        let signed = self.signed()?;
        for module in self.modules()? {
            if let Ok(Some(verified)) = signed.trust.verify(&module.bytes, Some(data), today()) {
                let md = &module.checked.metadata;
                let _ = verified.check_module(&md.institution, &md.variant);
                let _ = SequenceFloor::in_memory().accept(&verified.statement);
            }
        }
        Ok(parsed)
    }

    /// Bytes → [`TrustPolicy::from_toml`] (as text, the way a trust file is
    /// read), and a policy that parses verifies a real signed module and
    /// writes its `allowed_signers`; the same bytes as a sequence-floor file
    /// → [`SequenceFloor::open`].
    fn trust(&self, data: &[u8]) -> Result<bool, String> {
        let mut parsed = false;
        if let Ok(text) = std::str::from_utf8(data)
            && let Ok(policy) = TrustPolicy::from_toml(text)
        {
            parsed = true;
            let _ = policy.allowed_signers();
            if let (Ok(signed), Ok(modules)) = (self.signed(), self.modules())
                && let (Some(sidecar), Some(module)) = (signed.sidecars.first(), modules.first())
            {
                let _ = policy.verify(&module.bytes, Some(sidecar), today());
                let _ = policy.verify(&module.bytes, None, today());
            }
        }
        if data.first() == Some(&b'{') {
            let file = floor_file();
            if std::fs::write(&file, data).is_ok()
                && let Ok(floor) = SequenceFloor::open(&file)
            {
                parsed = true;
                let _ = floor.get("toyama-2023");
                let s = Statement {
                    institution: "toyama".into(),
                    variant: "toyama-2023".into(),
                    version: "2023-05-31".into(),
                    sequence: 1,
                    sha256: String::new(),
                    size: 0,
                    signed_at: String::new(),
                };
                let _ = floor.check(&s);
            }
        }
        Ok(parsed)
    }
}

impl Drop for Context {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(floor_file());
    }
}

/// The statement a real module's signature makes.
fn statement(m: &Module) -> Statement {
    let md = &m.checked.metadata;
    Statement {
        institution: md.institution.clone(),
        variant: md.variant.clone(),
        version: md.version.clone(),
        sequence: 1,
        sha256: m.checked.sha256.clone(),
        size: m.bytes.len() as u64,
        signed_at: "2026-11-22T00:00:00Z".into(),
    }
}

/// A sequence-floor file of this process's own (the `trust` target writes
/// each input there and opens it).
fn floor_file() -> PathBuf {
    static FILE: OnceLock<PathBuf> = OnceLock::new();
    FILE.get_or_init(|| std::env::temp_dir().join(format!("kitei-fuzz-floor-{}.json", std::process::id()))).clone()
}
