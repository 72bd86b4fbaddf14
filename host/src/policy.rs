//! A loaded policy, whatever runs it: a component, or a variant crate
//! linked natively (tests and benchmarks compare the two).

use crate::error::DecisionError;
use crate::vocab::Operation;
use kitei_sdk::types as m;
use std::path::PathBuf;

/// What is known of a loaded policy without calling it.
#[derive(Clone, Debug)]
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
}

impl PolicyInfo {
    pub fn variant(&self) -> &str {
        &self.metadata.variant
    }
    pub fn institution(&self) -> &str {
        &self.metadata.institution
    }
}

/// A policy's answer to one operation.
#[derive(Clone, Debug)]
pub enum Outcome {
    Describe,
    Eligibility(m::Verdict),
    Accounts(Vec<m::AccountVerdict>),
    Authorize(m::Authorization),
    Token(m::TokenVerdict),
    Liability(Vec<m::PartyRuling>),
    Incident(m::IncidentVerdict),
}

/// Something that answers the contract's operations.
pub trait Policy: Send + Sync {
    fn info(&self) -> &PolicyInfo;

    /// Runs one operation.
    ///
    /// # Errors
    /// [`DecisionError::PolicyFailed`] or [`DecisionError::Timeout`]: a
    /// failure is never an answer.
    fn decide(&self, operation: Operation, request: &m::Request) -> Result<Outcome, DecisionError>;
}

/// A variant crate called directly, with the same engine the component runs.
pub struct NativePolicy {
    engine: kitei_sdk::Engine,
    info: PolicyInfo,
}

impl NativePolicy {
    /// # Errors
    /// The variant's message when it rejects the settings.
    pub fn new(policy: &'static kitei_sdk::Policy, settings: m::Settings) -> Result<Self, String> {
        let engine = kitei_sdk::Engine::new(policy, settings)?;
        let info = PolicyInfo {
            metadata: kitei_sdk::engine::describe(policy),
            sha256: "native".into(),
            settings: engine.settings().clone(),
            source: None,
            settings_source: None,
        };
        Ok(NativePolicy { engine, info })
    }
}

impl Policy for NativePolicy {
    fn info(&self) -> &PolicyInfo {
        &self.info
    }

    fn decide(&self, operation: Operation, r: &m::Request) -> Result<Outcome, DecisionError> {
        let e = &self.engine;
        Ok(match operation {
            Operation::Describe => Outcome::Describe,
            Operation::Eligibility => Outcome::Eligibility(e.eligibility(r)),
            Operation::Accounts => Outcome::Accounts(e.accounts(r)),
            Operation::Authorize => Outcome::Authorize(e.authorize(r)),
            Operation::Token => Outcome::Token(e.token(r)),
            Operation::Liability => Outcome::Liability(e.liability(r)),
            Operation::Incident => Outcome::Incident(e.incident(r)),
        })
    }
}
