//! kitei policy SDK: the one guest binding site and the shared rule machinery.
//!
//! A variant crate is a declarative description of one institution's
//! API利用規定: its rule sheet (each rule with its clause and verbatim
//! sentence, declared with [`rules!`]) and a [`Policy`] whose tables point at
//! those rules. The [`Engine`] evaluates every variant the same way, natively
//! in tests and inside the WebAssembly component, which [`export_policy!`]
//! generates.
//!
//! ```
//! use kitei_sdk::prelude::*;
//!
//! kitei_sdk::rules! {
//!     R_1_2_1 = Rule::verbatim(Clause::item(1, 2, 1), "インターネットバンキングの契約を締結していること")
//!         .codes("internet_banking_contract", "internet_banking_contract_missing")
//!         .summary("IB contract required");
//!     GAP = Rule::gap();
//! }
//!
//! const META: Meta = Meta {
//!     variant: "demo-2024",
//!     institution: "demo",
//!     institution_name: "デモ銀行",
//!     title: "API利用規定",
//!     version: "2024-04-01",
//!     effective_from: "2024-04-01",
//!     effective_until: None,
//! };
//!
//! static POLICY: Policy = Policy {
//!     eligibility: &[Condition { fact: Fact::InternetBankingContract, rule: R_1_2_1 }],
//!     ..Policy::empty(META, RULES, GAP)
//! };
//!
//! let engine = Engine::with_defaults(&POLICY);
//! let mut request = kitei_sdk::request::blank();
//! assert_eq!(engine.eligibility(&request).decision, Decision::Deny);
//! request.customer |= CustomerFlags::INTERNET_BANKING_CONTRACT;
//! assert_eq!(engine.eligibility(&request).decision, Decision::Permit);
//! ```

pub mod arena;
pub mod engine;
pub mod model;
pub mod policy;
pub mod request;
pub mod rule;
pub mod sets;
pub mod settings;
pub mod term;
pub mod testing;
mod time;
pub mod vocab;

/// The guest bindings, generated from `wit/` (the only `generate!` on the guest side).
#[doc(hidden)]
pub mod bindings {
    wit_bindgen::generate!({
        world: "institution-policy",
        path: "../../wit",
        pub_export_macro: true,
        export_macro_name: "export_institution_policy",
        default_bindings_module: "kitei_sdk::bindings",
        additional_derives: [PartialEq],
        additional_type_attributes: {
            "kitei:policy/policy@0.4.0/settings": [#[derive(Default)]],
            "kitei:policy/policy@0.4.0/metadata": [#[derive(Default)]],
        },
    });
}

impl Default for bindings::exports::kitei::policy::policy::Scope {
    /// A text that does not say otherwise governs every customer's contract.
    fn default() -> Self {
        Self::EveryCustomer
    }
}

/// The contract's types (records, enums and flags of `wit/policy.wit`),
/// with the request in its rule-side [`model`] form.
pub mod types {
    pub use crate::bindings::exports::kitei::policy::policy::*;
    pub use crate::model::{
        Channel, ChannelRef, ConsentFlags, CustomerFlags, FunctionRef, IncidentKindRef, LossEventRef, ProviderFlags, Request, Segment, ServiceFlags,
    };
}

/// The request as it crosses the boundary (`request` in `wit/policy.wit`).
pub mod wire {
    pub use crate::bindings::exports::kitei::policy::policy::{Facts, Instant, Request};
}

pub use engine::Engine;
pub use policy::*;
pub use rule::{Clause, Rule, RuleId};
pub use sets::{ChannelSet, FunctionList, IncidentSet, KindSet};

/// Everything a variant crate needs.
pub mod prelude {
    pub use crate::Engine;
    pub use crate::policy::*;
    pub use crate::rule::{Clause, Rule, RuleId};
    pub use crate::sets::{ChannelSet, FunctionList, IncidentSet, KindSet};
    pub use crate::settings::SettingName;
    pub use crate::term::{Term, TermId, TermKind};
    pub use crate::types::{
        AccountFlags, AccountKind, Channel, ChannelRef, ConsentFlags, CustomerFlags, Decision, Function, FunctionRef, FunctionSet, IncidentKind,
        IncidentKindRef, KindRef, LiabilityRuling, LiabilityRulingRef, LossEvent, LossEventRef, Party, PartyRef, PermissionRuling, Provenance, ProviderFlags,
        Segment, ServiceFlags, TokenStatus,
    };
}

/// Exports a variant's [`Policy`] as the component's `policy` interface.
///
/// Expands to a `Component` type implementing the generated `Guest` trait by
/// running the shared [`Engine`], with the operator's settings kept in the
/// instance after `configure`. It first asserts the policy's
/// [`consistency`](Policy::consistency) at compile time: a variant whose
/// tables contradict its sheet does not build.
#[macro_export]
macro_rules! export_policy {
    ($policy:path) => {
        const _: () = $crate::policy::check::assert_consistent_at(&$policy, ::core::file!(), ::core::line!());
        /// The positions of the declared channels among the declared facts.
        const __CHANNELS: u64 = $crate::policy::check::channel_positions(&$policy);

        /// This variant as a component export.
        pub struct Component;

        static ENGINE: ::std::sync::Mutex<::core::option::Option<$crate::Engine>> = ::std::sync::Mutex::new(::core::option::Option::None);

        fn __with_engine<T>(f: impl FnOnce(&$crate::Engine) -> T) -> T {
            let mut slot = ENGINE.lock().unwrap_or_else(|e| e.into_inner());
            let engine = slot.get_or_insert_with(|| $crate::arena::persistent(|| $crate::Engine::with_defaults(&$policy)));
            f(engine)
        }

        impl $crate::types::Guest for Component {
            fn describe() -> $crate::types::Metadata {
                $crate::engine::describe(&$policy)
            }
            fn configure(settings: $crate::types::Settings) -> ::core::result::Result<$crate::types::Settings, ::std::string::String> {
                // the engine outlives this call: its memory (a deep copy of
                // the settings, not the call's copy) must not be the arena's
                let engine = $crate::arena::persistent(|| $crate::Engine::new(&$policy, settings.clone()))?;
                drop(settings);
                let in_force = engine.settings().clone();
                *ENGINE.lock().unwrap_or_else(|e| e.into_inner()) = ::core::option::Option::Some(engine);
                ::core::result::Result::Ok(in_force)
            }
            fn eligibility(req: $crate::wire::Request) -> $crate::types::Verdict {
                let req = $crate::model::from_wire(req, __CHANNELS, None, None, None);
                __with_engine(|e| e.eligibility(&req))
            }
            fn accounts(req: $crate::wire::Request) -> ::std::vec::Vec<$crate::types::AccountVerdict> {
                let req = $crate::model::from_wire(req, __CHANNELS, None, None, None);
                __with_engine(|e| e.accounts(&req))
            }
            fn authorize(req: $crate::wire::Request, function: $crate::types::AskedFunction) -> $crate::types::Authorization {
                let req = $crate::model::from_wire(req, __CHANNELS, $crate::model::function_from_wire(function), None, None);
                __with_engine(|e| e.authorize(&req))
            }
            fn token(req: $crate::wire::Request) -> $crate::types::TokenVerdict {
                let req = $crate::model::from_wire(req, __CHANNELS, None, None, None);
                __with_engine(|e| e.token(&req))
            }
            fn liability(req: $crate::wire::Request, event: $crate::types::AskedLossEvent) -> ::std::vec::Vec<$crate::types::PartyRuling> {
                let req = $crate::model::from_wire(req, __CHANNELS, None, None, $crate::model::loss_event_from_wire(event));
                __with_engine(|e| e.liability(&req))
            }
            fn incident(req: $crate::wire::Request, kind: $crate::types::AskedIncidentKind) -> $crate::types::IncidentVerdict {
                let req = $crate::model::from_wire(req, __CHANNELS, None, $crate::model::incident_kind_from_wire(kind), None);
                __with_engine(|e| e.incident(&req))
            }
        }

        #[cfg(target_arch = "wasm32")]
        $crate::bindings::export_institution_policy!(Component);
    };
}
