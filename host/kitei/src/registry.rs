//! The set of loaded policies: loaded from a directory, selected by
//! institution and date.

use crate::answer::{Answer, PolicyRef};
use crate::clock::jst;
use crate::error::{Decision, DecisionError, Load, LoadError};
use crate::policy::LoadedPolicy;
use crate::question::{Question, Target};
use crate::runtime::{Checked, Runtime};
use crate::settings::SettingsFile;
use crate::signing::Trust;
use crate::vocabulary::Vocabulary;
use chrono::{DateTime, FixedOffset, NaiveDate};
use kitei_sdk::types as m;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

mod reuse;

/// A file that was refused, and why: the typed [`LoadError`], and, when a
/// reload refused a new copy of a module already served, the policy that
/// keeps serving in its place. Its `Display` (and the `error` of its JSON,
/// `{"file", "error"}`) is the error's message with its causes (as
/// [`crate::Report`] shows them), followed in that case by
/// "; the last good \`VARIANT\` (sha256 HEX) keeps serving".
#[derive(Clone, Debug)]
pub struct Rejected {
    file: PathBuf,
    error: Arc<LoadError>,
    kept: Option<Arc<PolicyRef>>,
}

impl Rejected {
    pub(crate) fn new(file: &Path, error: LoadError, kept: Option<Arc<PolicyRef>>) -> Self {
        Rejected { file: file.to_path_buf(), error: Arc::new(error), kept }
    }

    /// The file refused.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// Why it was refused (its message names the file).
    pub fn error(&self) -> &LoadError {
        &self.error
    }

    /// The last good policy of the file that keeps serving in its place,
    /// when a reload refused a changed module already served.
    pub fn kept_serving(&self) -> Option<&PolicyRef> {
        self.kept.as_deref()
    }
}

impl std::fmt::Display for Rejected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", crate::error::Report(self.error.as_ref()))?;
        if let Some(k) = &self.kept {
            write!(f, "; the last good `{}` (sha256 {}) keeps serving", k.variant, k.sha256)?;
        }
        Ok(())
    }
}

impl serde::Serialize for Rejected {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut o = s.serialize_struct("Rejected", 2)?;
        o.serialize_field("file", &self.file)?;
        o.serialize_field("error", &self.to_string())?;
        o.end()
    }
}

/// An immutable set of policies. Reloading builds a new one.
#[derive(Clone, Default)]
pub struct Registry {
    policies: Vec<Arc<dyn LoadedPolicy>>,
    rejected: Vec<Rejected>,
    /// raw bytes of each institution's settings file at load (see `reuse`)
    settings_inputs: BTreeMap<String, Vec<u8>>,
    /// variant id → position in `policies`
    by_variant: HashMap<String, usize>,
    /// institution id → positions in `policies` with when each is in force,
    /// latest `effective_from` first, so that selection costs the same with 6
    /// or 600 policies loaded
    by_institution: HashMap<String, Vec<(usize, InForce)>>,
    /// every term the loaded modules declare
    vocabulary: Vocabulary,
}

/// When a version of an institution's rules is in force (JST dates, inclusive).
#[derive(Clone, Copy, Debug)]
struct InForce {
    from: NaiveDate,
    until: Option<NaiveDate>,
}

impl InForce {
    /// `None` when the dates are not ISO dates (then it is never in force;
    /// components are refused at load for that already).
    fn of(md: &m::Metadata) -> Option<Self> {
        let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        let until = match &md.effective_until {
            Some(u) => Some(date(u)?),
            None => None,
        };
        Some(InForce { from: date(&md.effective_from)?, until })
    }

    fn contains(self, day: NaiveDate) -> bool {
        self.from <= day && self.until.is_none_or(|u| day <= u)
    }
}

const SETTINGS_SUFFIX: &str = ".settings.json";

/// Loads one module file as [`Registry::load_dir`] would load it from a
/// directory: its institution's `<institution>.settings.json` from
/// `settings_dir`, when there is one, applied; no signature is verified.
/// (`kitei replay` loads a kept module, `<sha256>.wasm`, so.)
///
/// # Errors
/// The module or the settings file does not load (naming the file).
pub fn load_module_file(runtime: &Runtime, file: &Path, settings_dir: Option<&Path>) -> Result<Arc<dyn LoadedPolicy>, LoadError> {
    load_module_file_trusted(runtime, file, settings_dir, None)
}

/// [`load_module_file`], and with a [`Trust`] the module's signature
/// (`<module>.wasm.sig`) is verified before it is compiled, exactly as
/// [`Registry::load_dir_trusted`] verifies a directory's modules (`kitei
/// serve --stage` loads a staged module so).
///
/// # Errors
/// The module or the settings file does not load, or `trust` refuses it
/// ([`LoadErrorKind::Untrusted`](crate::LoadErrorKind::Untrusted)), naming the file.
pub fn load_module_file_trusted(
    runtime: &Runtime,
    file: &Path,
    settings_dir: Option<&Path>,
    trust: Option<&Trust>,
) -> Result<Arc<dyn LoadedPolicy>, LoadError> {
    let entries: Vec<PathBuf> = match settings_dir.map(std::fs::read_dir) {
        Some(Ok(entries)) => entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_file()).collect(),
        _ => Vec::new(),
    };
    load_file(runtime, file, &reuse::settings_files(&entries).parsed, trust)
}

impl Registry {
    /// A registry of `policies` (a second copy of a variant is rejected).
    pub fn new(policies: Vec<Arc<dyn LoadedPolicy>>, rejected: Vec<Rejected>) -> Self {
        let mut registry = Registry { rejected, ..Registry::default() };
        for p in policies {
            registry.add(p);
        }
        registry
    }

    /// Loads every `*.wasm` in `dir`, with `<institution>.settings.json`
    /// applied to that institution's modules. A bad file is rejected with its
    /// reason while the good ones load.
    ///
    /// # Errors
    /// Only when the directory itself cannot be read.
    pub fn load_dir(runtime: &Runtime, dir: &Path) -> std::io::Result<Registry> {
        Self::load_dir_reusing(runtime, dir, &Registry::default())
    }

    fn reject(&mut self, file: &Path, error: LoadError) {
        self.rejected.push(Rejected::new(file, error, None));
    }

    /// Adds a policy unless its variant is already loaded (then it is rejected).
    pub fn add(&mut self, policy: Arc<dyn LoadedPolicy>) {
        let file = policy.info().source.clone().unwrap_or_default();
        if let Some(other) = self.variant(policy.info().variant()) {
            let error =
                LoadError::new(&file, Load::Duplicate { variant: policy.info().variant().to_string(), other: other.info().source.clone().unwrap_or_default() });
            self.reject(&file, error);
            return;
        }
        if let Err(error) = self.vocabulary.add(&policy.info().metadata) {
            let error = LoadError::new(&file, Load::TermConflict { variant: policy.info().variant().to_string(), error });
            self.reject(&file, error);
            return;
        }
        let index = self.policies.len();
        let info = policy.info();
        self.by_variant.insert(info.variant().to_string(), index);
        let versions = self.by_institution.entry(info.institution().to_string()).or_default();
        if let Some(dates) = InForce::of(&info.metadata) {
            // latest first; of two taking effect the same day, the one added later
            let at = versions.partition_point(|(_, x)| x.from > dates.from);
            versions.insert(at, (index, dates));
        }
        self.policies.push(policy);
    }

    /// Every policy loaded, in load order.
    pub fn policies(&self) -> &[Arc<dyn LoadedPolicy>] {
        &self.policies
    }

    /// Every file refused, with its reason.
    pub fn rejected(&self) -> &[Rejected] {
        &self.rejected
    }

    /// A loaded variant by id.
    pub fn variant(&self, id: &str) -> Option<&Arc<dyn LoadedPolicy>> {
        self.by_variant.get(id).map(|&i| &self.policies[i])
    }

    /// Every term the loaded modules declare.
    pub fn vocabulary(&self) -> &Vocabulary {
        &self.vocabulary
    }

    /// The policy a question is for: the named variant, or the
    /// institution's variant in force on the JST date of `at` whose scope
    /// governs the question's contract (every customer's; individual or
    /// corporate customers', by `segment`; a named service's, by `scope`),
    /// the latest to take effect when two of one scope overlap.
    ///
    /// # Errors
    /// 404-class errors: unknown variant or institution, nothing in force;
    /// [`DecisionErrorKind::Ambiguous`](crate::DecisionErrorKind::Ambiguous) when modules of two scopes both govern
    /// the question, naming both.
    pub fn select_for(&self, question: &Question) -> Result<&Arc<dyn LoadedPolicy>, DecisionError> {
        self.select_scoped(question.target(), question.at(), question.request().segment, question.scope())
    }

    /// [`Registry::select_for`] from a target and a time alone: a question
    /// of an individual customer with no named service.
    ///
    /// # Errors
    /// As [`Registry::select_for`].
    pub fn select(&self, target: &Target, at: Option<DateTime<FixedOffset>>) -> Result<&Arc<dyn LoadedPolicy>, DecisionError> {
        self.select_scoped(target, at, m::Segment::Individual, None)
    }

    fn select_scoped(
        &self,
        target: &Target,
        at: Option<DateTime<FixedOffset>>,
        segment: m::Segment,
        service: Option<&str>,
    ) -> Result<&Arc<dyn LoadedPolicy>, DecisionError> {
        match target {
            Target::Variant(v) => self.variant(v).ok_or_else(|| DecisionError::unknown_variant(v.clone())),
            Target::Institution(i) => {
                let Some(versions) = self.by_institution.get(i.as_str()) else {
                    return Err(Decision::UnknownInstitution(i.clone()).into());
                };
                let at = at.ok_or_else(|| DecisionError::invalid("field `at` is required"))?;
                let day = at.with_timezone(&jst()).date_naive();
                let governs = |scope: &m::Scope| match scope {
                    m::Scope::EveryCustomer => true,
                    m::Scope::Individual => segment == m::Segment::Individual,
                    m::Scope::Corporate => segment == m::Segment::Corporate,
                    m::Scope::Service(name) => service == Some(name.as_str()),
                };
                // the latest in force of each scope that governs (versions are latest first)
                let mut chosen: Vec<&Arc<dyn LoadedPolicy>> = Vec::new();
                for &(index, dates) in versions {
                    let policy = &self.policies[index];
                    let scope = &policy.info().metadata.scope;
                    if dates.contains(day) && governs(scope) && !chosen.iter().any(|c| &c.info().metadata.scope == scope) {
                        chosen.push(policy);
                    }
                }
                match chosen.as_slice() {
                    [] => Err(Decision::NotInForce { institution: i.clone(), at: at.to_rfc3339() }.into()),
                    [one] => Ok(one),
                    [first, second, ..] => Err(Decision::Ambiguous {
                        institution: i.clone(),
                        at: at.to_rfc3339(),
                        first: first.info().variant().to_string(),
                        second: second.info().variant().to_string(),
                    }
                    .into()),
                }
            }
        }
    }
}

impl Registry {
    /// Decides a question with the policy it is for.
    ///
    /// ```no_run
    /// use kitei::{Limits, Question, Registry, Runtime};
    /// let runtime = Runtime::new(Limits::default())?;
    /// let registry = Registry::load_dir(&runtime, "target/policies".as_ref())?;
    /// let answer = registry.decide(&Question::from_json(br#"{
    ///     "institution": "toyama", "operation": "accounts", "at": "2023-07-03T10:00:00",
    ///     "customer": { "accounts": [{ "id": "L1", "kind": "card_loan" }] },
    ///     "provider": { "channel": "anser_api" }
    /// }"#)?)?;
    /// let kitei::Body::Accounts(accounts) = answer.body() else { unreachable!() };
    /// assert!(!accounts[0].linkable);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// A [`DecisionError`]: unknown institution or variant, nothing in
    /// force, or a module that failed. Never a permit in place of an error.
    pub fn decide(&self, question: &Question) -> Result<Answer, DecisionError> {
        question.check_terms(&self.vocabulary)?;
        self.select_for(question)?.decide(question)
    }

    /// Reads api.md's request JSON and decides it.
    ///
    /// # Errors
    /// As [`Question::from_json`] and [`Registry::decide`].
    pub fn decide_json(&self, body: &[u8]) -> Result<Answer, DecisionError> {
        self.decide(&Question::from_json(body)?)
    }
}

/// Whether a variant is in force on a JST calendar day.
pub fn in_force(md: &m::Metadata, day: NaiveDate) -> bool {
    InForce::of(md).is_some_and(|dates| dates.contains(day))
}

fn load_file(
    runtime: &Runtime,
    path: &Path,
    settings: &BTreeMap<String, (PathBuf, Result<SettingsFile, crate::error::SettingsError>)>,
    trust: Option<&Trust>,
) -> Result<Arc<dyn LoadedPolicy>, LoadError> {
    let untrusted = |reason| LoadError::new(path, Load::Untrusted(reason));
    let bytes = crate::runtime::read_module(path)?;
    // the signature first: nothing untrusted is compiled
    let today = chrono::Utc::now().date_naive();
    let verified = trust.map(|t| t.verify_file(path, &bytes, today)).transpose().map_err(untrusted)?.flatten();
    let checked = Checked::new(runtime, path, &bytes)?;
    if let Some(v) = &verified {
        v.check_module(&checked.metadata.institution, &checked.metadata.variant).map_err(untrusted)?;
    }
    let mut policy = match settings.get(&checked.metadata.institution) {
        None => checked.configure(&m::Settings::default(), None)?,
        Some((file, Ok(s))) => {
            let terms = crate::vocabulary::ModuleTerms::from_metadata(&checked.metadata).map_err(|e| LoadError::new(path, Load::Metadata(e.to_string())))?;
            let s = s
                .for_module(&terms, &checked.metadata.variant)
                .map_err(|e| LoadError::new(file, Load::Settings { variant: checked.metadata.variant.clone(), message: e.to_string() }))?;
            checked.configure(&s, Some(file.clone()))?
        }
        Some((file, Err(error))) => {
            return Err(LoadError::new(file, Load::SettingsFile(error.clone())));
        }
    };
    if let (Some(t), Some(v)) = (trust, &verified) {
        t.accept(v).map_err(untrusted)?;
    }
    if trust.is_some() && verified.is_none() {
        tracing::warn!(file = %path.display(), "loaded without a signature (the trust policy does not require one)");
    }
    policy.set_signature(verified);
    tracing::info!(file = %path.display(), variant = %policy_variant(&policy), "loaded");
    Ok(Arc::new(policy))
}

fn policy_variant(p: &dyn LoadedPolicy) -> String {
    p.info().variant().to_string()
}
