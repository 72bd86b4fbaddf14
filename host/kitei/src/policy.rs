//! A loaded policy, whatever runs it: a component, or a variant crate
//! linked natively (tests and benchmarks compare the two).

use crate::answer::{Answer, CitedRule, PolicyRef};
use crate::error::{DecisionError, Native, NativeError, TermError};
use crate::question::Question;
use crate::runtime::Contract;
use crate::vocab::OperationName;
use crate::vocabulary::ModuleTerms;
use kitei_sdk::types as m;
use std::path::PathBuf;
use std::sync::Arc;

/// What is known of a loaded policy without calling it.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyInfo {
    /// `describe`'s metadata and rule sheet, read once at load
    pub metadata: m::Metadata,
    /// hex sha256 of the component bytes (`native` for a linked crate)
    pub sha256: String,
    /// the settings in force (defaults filled in)
    pub settings: m::Settings,
    /// where it was loaded from
    pub source: Option<PathBuf>,
    /// the settings file applied, if any
    pub settings_source: Option<PathBuf>,
    /// the verified signature, when loaded under a trust policy
    pub signature: Option<crate::signing::Verified>,
    /// the rule sheet with citations written out, shared by every answer
    pub sheet: Arc<[Arc<CitedRule>]>,
    /// what answers name as the module that answered
    pub reference: Arc<PolicyRef>,
    /// the contract version the module exports
    pub contract: Contract,
    /// the terms the module declares, by name (read once, from `metadata`)
    pub terms: ModuleTerms,
}

impl PolicyInfo {
    /// The information of a policy with this metadata, module hash and settings.
    ///
    /// # Errors
    /// The declared term at fault (see [`ModuleTerms::from_metadata`]).
    pub fn new(metadata: m::Metadata, sha256: String, settings: m::Settings) -> Result<Self, TermError> {
        let sheet = metadata.rules.iter().map(|r| Arc::new(CitedRule::new(r))).collect();
        let reference = Arc::new(PolicyRef {
            variant: metadata.variant.clone(),
            institution: metadata.institution.clone(),
            version: metadata.version.clone(),
            sha256: sha256.clone(),
        });
        let terms = ModuleTerms::from_metadata(&metadata)?;
        Ok(PolicyInfo { metadata, sha256, settings, source: None, settings_source: None, signature: None, sheet, reference, contract: Contract::V04, terms })
    }

    /// The variant id (`toyama-2023`).
    pub fn variant(&self) -> &str {
        &self.metadata.variant
    }

    /// The institution id (`toyama`).
    pub fn institution(&self) -> &str {
        &self.metadata.institution
    }

    /// A party of this module's answers, by its wire name (`?` for a
    /// position the module does not declare, which an answer never has).
    pub fn party_name(&self, p: m::PartyRef) -> &str {
        match p {
            m::PartyRef::Core(p) => crate::Wire::wire(p),
            m::PartyRef::Extension(x) => self.terms.name(m::TermKind::Party, x).map_or("?", |n| n),
        }
    }

    /// A liability ruling of this module's answers, by its wire name.
    pub fn ruling_name(&self, r: m::LiabilityRulingRef) -> &str {
        match r {
            m::LiabilityRulingRef::Core(r) => crate::Wire::wire(r),
            m::LiabilityRulingRef::Extension(x) => self.terms.name(m::TermKind::LiabilityRuling, x).map_or("?", |n| n),
        }
    }
}

/// A policy's answer to one operation, in rule indices (see
/// [`Answer`] for the cited form).
#[derive(Clone, Debug)]
pub enum Outcome {
    /// `describe` needs no call: the metadata was read at load
    Describe,
    /// `eligibility`
    Eligibility(m::Verdict),
    /// `accounts`
    Accounts(Vec<m::AccountVerdict>),
    /// `authorize`
    Authorize(m::Authorization),
    /// `token`
    Token(m::TokenVerdict),
    /// `liability`
    Liability(Vec<m::PartyRuling>),
    /// `incident`
    Incident(m::IncidentVerdict),
}

/// A policy ready to answer the contract's operations: a component under
/// wasmtime ([`ComponentPolicy`](crate::runtime::ComponentPolicy)) or a
/// variant crate linked natively ([`NativePolicy`]).
pub trait LoadedPolicy: Send + Sync {
    /// What is known of it without calling it.
    fn info(&self) -> &PolicyInfo;

    /// Answers a question with this policy, whatever the question's target
    /// (the registry picks the policy; conformance and diff ask one
    /// directly): the question's facts put in this module's terms, the
    /// operation run, and every reason cited to the policy's own sheet.
    ///
    /// # Errors
    /// As [`LoadedPolicy::call`], and [`DecisionErrorKind::PolicyFailed`](crate::DecisionErrorKind::PolicyFailed) when
    /// the answer does not fit the policy's own sheet or the question.
    fn decide(&self, question: &Question) -> Result<Answer, DecisionError> {
        let info = self.info();
        let outcome = self.call(question.operation().name(), &question.request_for(info))?;
        Answer::new(info, question, outcome)
    }

    /// The raw call: runs one operation on a request already in this
    /// module's terms and returns its [`Outcome`] in rule indices, uncited
    /// and unchecked against the question ([`LoadedPolicy::decide`] is the
    /// way to ask; benchmarks and `kitei diff`, which reduce outcomes
    /// themselves, call this).
    ///
    /// # Errors
    /// [`DecisionErrorKind::PolicyFailed`](crate::DecisionErrorKind::PolicyFailed) or [`DecisionErrorKind::Timeout`](crate::DecisionErrorKind::Timeout): a
    /// failure is never an answer.
    fn call(&self, operation: OperationName, request: &m::Request) -> Result<Outcome, DecisionError>;

    /// Instances kept idle for the next call (0 where nothing is pooled).
    fn idle_instances(&self) -> usize {
        0
    }

    /// The same policy under other settings, sharing its compiled code (a
    /// comparison gives two modules the same values); `None` where this
    /// kind of policy cannot be reconfigured.
    ///
    /// # Errors
    /// Inside the `Some`: the load error, with the module's message when it
    /// rejects the settings.
    fn with_settings(&self, _settings: &m::Settings) -> Option<Result<Arc<dyn LoadedPolicy>, crate::LoadError>> {
        None
    }
}

/// A variant crate's tables (`kitei_sdk::Policy`), as a native policy takes them.
pub use kitei_sdk::Policy as VariantTables;

/// A variant crate called directly, with the same engine the component runs.
pub struct NativePolicy {
    engine: kitei_sdk::Engine,
    info: PolicyInfo,
}

impl NativePolicy {
    /// The variant with the operator's settings.
    ///
    /// # Errors
    /// a [`NativeError`] with the variant's message when it
    /// rejects the settings, or naming the term when its declared terms
    /// cannot be used.
    pub fn new(tables: &'static VariantTables, settings: m::Settings) -> Result<Self, NativeError> {
        let engine = kitei_sdk::Engine::new(tables, settings).map_err(|message| NativeError::from(Native::Settings(message)))?;
        let info = PolicyInfo::new(kitei_sdk::engine::describe(tables), "native".into(), engine.settings().clone())?;
        Ok(NativePolicy { engine, info })
    }
}

impl LoadedPolicy for NativePolicy {
    fn info(&self) -> &PolicyInfo {
        &self.info
    }

    fn call(&self, operation: OperationName, r: &m::Request) -> Result<Outcome, DecisionError> {
        let e = &self.engine;
        Ok(match operation {
            OperationName::Describe => Outcome::Describe,
            OperationName::Eligibility => Outcome::Eligibility(e.eligibility(r)),
            OperationName::Accounts => Outcome::Accounts(e.accounts(r)),
            OperationName::Authorize => Outcome::Authorize(e.authorize(r)),
            OperationName::Token => Outcome::Token(e.token(r)),
            OperationName::Liability => Outcome::Liability(e.liability(r)),
            OperationName::Incident => Outcome::Incident(e.incident(r)),
        })
    }
}
