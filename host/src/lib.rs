//! kitei: executable API利用規定.
//!
//! Loads policy components (one per institution's 規定 and version) from a
//! directory, picks the one in force at a request's date, and answers the
//! JSON decision contract of `spec/api.md` with every reason cited.
//!
//! ```no_run
//! use kitei::{component::{Limits, Runtime}, registry::Registry};
//!
//! let runtime = Runtime::new(Limits::default())?;
//! let registry = Registry::load_dir(&runtime, "target/policies".as_ref())?;
//! let answer = kitei::decide_json(&registry, br#"{
//!     "institution": "toyama", "operation": "accounts", "at": "2023-07-03T10:00:00",
//!     "customer": { "accounts": [{ "id": "L1", "kind": "card_loan" }] },
//!     "provider": { "channel": "anser_api" }
//! }"#)?;
//! assert_eq!(answer["accounts"][0]["linkable"], false);
//! # Ok::<(), anyhow::Error>(())
//! ```

mod bindings;
pub mod build;
pub mod component;
pub mod conformance;
pub mod diff;
pub mod error;
pub mod policy;
pub mod registry;
pub mod request;
pub mod response;
pub mod serve;
pub mod vocab;

pub use error::{DecisionError, LoadError};
pub use registry::Registry;

use serde_json::Value;

/// Decides a parsed request against a registry.
///
/// # Errors
/// A [`DecisionError`]: unknown institution, nothing in force, or a module
/// that failed. Never a permit in place of an error.
pub fn decide(registry: &Registry, parsed: &request::Parsed) -> Result<Value, DecisionError> {
    let policy = registry.select(&parsed.target, parsed.at)?;
    let outcome = policy.decide(parsed.operation, &parsed.request)?;
    response::render(policy.info(), parsed, &outcome)
}

/// Parses an api.md request and decides it.
///
/// # Errors
/// As [`request::parse`] and [`decide`].
pub fn decide_json(registry: &Registry, body: &[u8]) -> Result<Value, DecisionError> {
    decide(registry, &request::parse(body)?)
}
