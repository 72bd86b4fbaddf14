//! toyama-2023's `authorize` written for two policy engines a bank platform
//! might otherwise pick, so that kitei can be measured against them on the
//! same rules in the same run (`benches/peers.rs`) after a test has shown
//! that all of them decide alike (`tests/agreement.rs`):
//!
//! - [`Peer::cedar`]: a Cedar policy set with its schema
//!   (`policy/toyama.cedar`, `policy/toyama.cedarschema`), evaluated by the
//!   `cedar-policy` crate;
//! - [`Peer::rego`] and [`Peer::rego_vm`]: a Rego policy
//!   (`policy/toyama.rego`) evaluated by regorus, Microsoft's Rust Rego
//!   engine, through its interpreter and through its bytecode VM (RVM).
//!
//! Each [`Peer::authorize`] takes the same [`Request`] the kitei host hands
//! a policy and builds what its engine needs from it (Cedar's entities and
//! context, Rego's input document) on every call, so a timing includes it,
//! as kitei's includes lowering the request into the component.
//!
//! ```
//! use kitei::types::{Request, Settings};
//! use kitei_peers::Peer;
//!
//! let settings = Settings { reauth_after_days: Some(90), ..Settings::default() };
//! let peer = Peer::cedar(&settings).unwrap();
//! # let question = kitei::Question::from_json(include_bytes!("../../../examples/01-toyama-authorize.json")).unwrap();
//! let request: &Request = question.request();
//! let verdict = peer.authorize(request).unwrap();
//! assert!(verdict.permit, "{:?}", verdict.denied_by);
//! ```
#![deny(missing_docs)]

mod cedar;
mod rego;

use kitei::types::{Request, Settings};
use std::sync::Arc;

pub use cedar::CedarPeer;
pub use rego::{RegoPeer, RegoVmPeer};

/// The answer a peer gives to `authorize`: the decision, and the rules that
/// denied it, by their names in `policy/toyama-2023/src/lib.rs` (`R_2_2_3`),
/// once for each time a rule failed (per request, or per selected account).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// `permit` (true) or `deny`
    pub permit: bool,
    /// the failed rules, in no particular order
    pub denied_by: Vec<Arc<str>>,
}

/// What a peer could not do; never an answer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PeerError {
    /// a policy or schema file did not load
    #[error("loading `{file}`: {message}")]
    Load {
        /// the file under `benches/peers/policy`
        file: &'static str,
        /// the engine's message
        message: String,
    },
    /// the engine refused the request it was built from it
    #[error("{engine}: {message}")]
    Request {
        /// `cedar` or `rego`
        engine: &'static str,
        /// the engine's message
        message: String,
    },
    /// the request names no function (`authorize` always does)
    #[error("`function` is required for `authorize`")]
    NoFunction,
    /// the request names a term outside the core vocabulary, which these
    /// encodings of toyama's rules do not have
    #[error("the peers decide in the core vocabulary only: {0}")]
    NotCore(&'static str),
}

/// One engine with toyama-2023's rules and the operator's settings loaded.
#[allow(clippy::large_enum_variant, reason = "a peer is made once per benchmark and never moved on the measured path")]
pub enum Peer {
    /// Cedar
    Cedar(CedarPeer),
    /// Rego, regorus' interpreter
    Rego(RegoPeer),
    /// Rego, regorus' RVM
    RegoVm(RegoVmPeer),
}

impl Peer {
    /// The Cedar encoding with `settings`.
    ///
    /// # Errors
    /// [`PeerError::Load`] when the policies or the schema do not load or
    /// the policies do not validate against the schema.
    pub fn cedar(settings: &Settings) -> Result<Peer, PeerError> {
        CedarPeer::new(settings).map(Peer::Cedar)
    }

    /// The Rego encoding with `settings`, evaluated by regorus' interpreter.
    ///
    /// # Errors
    /// [`PeerError::Load`] when the policy does not parse.
    pub fn rego(settings: &Settings) -> Result<Peer, PeerError> {
        RegoPeer::new(settings).map(Peer::Rego)
    }

    /// The Rego encoding with `settings`, compiled to regorus' RVM bytecode.
    ///
    /// # Errors
    /// [`PeerError::Load`] when the policy does not parse or compile.
    pub fn rego_vm(settings: &Settings) -> Result<Peer, PeerError> {
        RegoVmPeer::new(settings).map(Peer::RegoVm)
    }

    /// What the engine is called in reports.
    pub fn name(&self) -> &'static str {
        match self {
            Peer::Cedar(_) => "cedar",
            Peer::Rego(_) => "rego",
            Peer::RegoVm(_) => "rego-rvm",
        }
    }

    /// Decides toyama-2023's `authorize` for `request`, building the
    /// engine's input from it.
    ///
    /// # Errors
    /// [`PeerError`] when the engine refuses the request or fails; never a
    /// permit.
    pub fn authorize(&self, request: &Request) -> Result<Verdict, PeerError> {
        match self {
            Peer::Cedar(p) => p.authorize(request),
            Peer::Rego(p) => p.authorize(request),
            Peer::RegoVm(p) => p.authorize(request),
        }
    }
}

/// An account's core kind (the peers know no declared one).
fn core_kind(k: kitei::types::KindRef) -> Result<kitei::types::AccountKind, PeerError> {
    match k {
        kitei::types::KindRef::Core(k) => Ok(k),
        _ => Err(PeerError::NotCore("an account kind")),
    }
}

/// The provider's core channel, by its wire name.
fn core_channel(c: kitei::types::ChannelRef) -> Result<&'static str, PeerError> {
    match c {
        kitei::types::ChannelRef::Core(c) => Ok(kitei::Wire::wire(c)),
        _ => Err(PeerError::NotCore("a channel")),
    }
}

/// The function asked about, core.
fn core_function(f: Option<kitei::types::FunctionRef>) -> Result<kitei::types::Function, PeerError> {
    match f.ok_or(PeerError::NoFunction)? {
        kitei::types::FunctionRef::Core(f) => Ok(f),
        _ => Err(PeerError::NotCore("a function")),
    }
}

/// The wire names of an account's flags (`cash_card`, …), from the flag
/// names the contract gives them.
fn flag_names(flags: kitei::types::AccountFlags) -> impl Iterator<Item = String> {
    flags.iter_names().map(|(name, _)| name.to_ascii_lowercase())
}
