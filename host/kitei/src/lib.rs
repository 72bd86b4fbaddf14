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
//! use kitei::{Account, AccountFlags, AccountKind, Function, Limits, Operation, Question, Registry, Runtime, Target};
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

pub mod answer;
mod bindings;
pub mod component;
pub mod error;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod policy;
pub mod question;
pub mod registry;
pub mod settings;
pub mod time;
pub mod trust;
pub mod vocab;
pub mod vocabulary;

pub use answer::{
    AccountAnswer, Answer, AuthorizeAnswer, Body, CitedRule, EligibilityAnswer, IncidentAnswer, PartyAnswer, PermissionAnswer, PolicyRef, Reason, TokenAnswer,
};
pub use component::{Limits, Runtime};
pub use error::{DecisionError, LoadError, RuntimeError};
/// A setting a variant may read, by its wire name (`reauth_after_days`, …).
pub use kitei_sdk::settings::SettingName;
pub use policy::{LoadedPolicy, NativePolicy, PolicyInfo};
pub use question::{Account, Consent, DecisionRequest, Operation, Provider, Question, QuestionBuilder, Target};
pub use registry::Registry;
pub use vocab::{OperationName, Wire};
pub use vocabulary::{TermRef, Vocabulary};

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

/// Times in questions and answers are chrono's.
pub use chrono::{DateTime, FixedOffset};

pub use types::{
    AccountFlags, AccountKind, Channel, ConsentFlags, CustomerFlags, Decision, Function, IncidentKind, LiabilityRuling, LossEvent, Party, PermissionRuling,
    Provenance, ProviderFlags, Segment, Settings, TokenStatus,
};
