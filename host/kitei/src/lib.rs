//! kitei: executable API利用規定.
//!
//! The library a bank platform embeds. It loads policy components (one per
//! institution's 規定 and version, built with `kitei build`), checks them
//! (a component, importing nothing, exporting this host's contract), runs
//! each call under a deadline and a memory cap, picks the variant in force
//! at a question's date, and answers with every reason cited to its clause.
//! It brings no HTTP server, CLI or file watcher: those are `kitei-serve`,
//! `kitei-tools` and the `kitei` binary, built on this crate.
//!
//! ```no_run
//! use kitei::types::{AccountFlags, AccountKind, Function};
//! use kitei::{Account, Limits, Operation, Question, Registry, Runtime, Target};
//!
//! let runtime = Runtime::new(Limits::default())?;
//! let registry = Registry::load_dir(&runtime, "target/policies".as_ref())?;
//! let at = kitei::time::parse_timestamp("2023-07-03T10:00:00+09:00").expect("RFC 3339");
//! let question = Question::builder(Target::Institution("toyama".into()), Operation::Authorize { function: Function::Balance.into() })
//!     .at(at)
//!     .account(Account::new("A1", AccountKind::CardLoan).with(AccountFlags::CASH_CARD))
//!     .build()?;
//! let answer = registry.decide(&question)?;
//! println!("{:?} by {}", answer.decision(), answer.policy().variant);
//! for reason in answer.reasons() {
//!     println!("{} {} {}", reason.code(), reason.cite(), reason.rule().text);
//! }
//! println!("{}", serde_json::to_string(&answer)?); // api.md's JSON
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

mod answer;
mod bindings;
mod clock;
mod error;
mod policy;
mod question;
mod registry;
mod runtime;
#[cfg(feature = "openapi")]
mod schema;
mod settings;
mod signing;
mod vocab;
mod vocabulary;

// Each public item has one path: the crate root for what an embedder uses
// to load policies, ask them and read their answers; a facade module for
// each group a user reaches for as a whole (`types`, `time`, `trust`,
// `component`, `json`, `openapi`). Facades hold only re-exports.

pub use answer::{
    AccountAnswer, Answer, AuthorizeAnswer, Body, CitedRule, EligibilityAnswer, IncidentAnswer, PartyAnswer, PermissionAnswer, PolicyRef, Reason, TokenAnswer,
    cite,
};
pub use error::{DecisionError, DecisionErrorKind, LoadError, LoadErrorKind, NativeError, Report, RuntimeError, SettingsError, TermError};
/// A setting a variant may read, by its wire name (`reauth_after_days`, …).
pub use kitei_sdk::settings::SettingName;
pub use policy::{LoadedPolicy, NativePolicy, Outcome, PolicyInfo, VariantTables};
pub use question::{Account, Consent, DecisionRequest, Operation, Provider, Question, QuestionBuilder, Target};
pub use registry::{Registry, Rejected, in_force, load_module_file, load_module_file_trusted};
pub use runtime::{Limits, Runtime};
pub use settings::SettingsFile;
pub use vocab::{OperationName, Wire};
pub use vocabulary::{Declared, FACT_KINDS, ModuleTerms, TermRef, Vocabulary, What, is_fact};

/// Times in questions and answers are chrono's.
pub use chrono::{DateTime, FixedOffset};

/// The contract's vocabulary and records, as the policy SDK defines them
/// (re-exported so that an embedder names every type through this crate).
pub mod types {
    pub use kitei_sdk::types::{
        Account as WireAccount, AccountFlags, AccountKind, Channel, ChannelRef, Clause, ConsentFlags, CustomerFlags, Decision, ExtensionSetting, Function,
        FunctionRef, FunctionSet, IncidentKind, IncidentKindRef, KindRef, LiabilityRuling, LiabilityRulingRef, LossEvent, LossEventRef, Metadata, Party,
        PartyRef, PermissionRuling, Provenance, ProviderFlags, Request, Rule, Scope, Segment, ServiceFlags, SettingValue, Settings, Term, TermKind,
        TokenStatus,
    };
    pub use kitei_sdk::types::{AccountVerdict, Authorization, IncidentVerdict, PartyRuling, Permission, Reason, TokenVerdict, Verdict};
}

/// Times as questions and answers carry them: RFC 3339, read in JST when
/// no offset is given.
pub mod time {
    pub use crate::clock::{jst, parse_timestamp};
}

/// Signed modules and the operator's trust in them: the signature sidecar
/// (`<module>.wasm.sig`), the trust file's policy, verification, the
/// rollback floor, and installing a module into a served directory.
pub mod trust {
    pub use crate::signing::{
        InstallError, InstallErrorKind, Installed, NAMESPACE, SequenceFloor, Sidecar, Statement, Trust, TrustError, TrustErrorKind, TrustPolicy, TrustedKey,
        Verified, install, read_sidecar, sidecar_path,
    };
}

/// The component side of loading, for tools that check or compile a module
/// before (or without) serving it: a checked component, the policy it
/// configures into, the contract versions served, and the module digest.
pub mod component {
    pub use crate::runtime::{Checked, ComponentPolicy, Contract, KEEP_COMPILED, TICK, sha256_hex};
}

/// JSON views of a loaded policy as `describe` and `GET /v1/policies`
/// write them (each a `Serialize` over borrowed data).
pub mod json {
    pub use crate::answer::{Metadata, ScopeJson as Scope, Summary};
    pub use crate::settings::SettingsJson as Settings;
    pub use crate::vocab::serialize_wire;
}

/// Schemas of api.md's JSON for an OpenAPI document (`kitei-serve`'s
/// `/openapi.json`), with the loaded modules' declared terms applied.
#[cfg(feature = "openapi")]
pub mod openapi {
    pub use crate::schema::{
        ClauseSchema, DecisionRequest, YEARS_PATTERN, apply_vocabulary, declared_facts, enum_list, enum_ref, enums, nullable_string, object, settings, string,
        summary, timestamp, wire_enum,
    };
}
