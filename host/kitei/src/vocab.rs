//! Wire names (docs/api.md) of the contract's enums.
//!
//! Nothing here lists a name: the cases come from the SDK's one list
//! ([`kitei_sdk::for_each_enum!`]) and each wire name is the case's WIT name
//! (`card-loan` → `card_loan`), derived from the Rust name wit-bindgen gave it.

use kitei_sdk::types as m;
use kitei_sdk::vocab::snake_case;

/// An enum of the contract with its snake_case wire names.
pub trait Wire: Sized + Copy + PartialEq + 'static {
    /// What the JSON calls this type, for error messages.
    const WHAT: &'static str;

    /// The type's name in the OpenAPI document (`AccountKind`).
    const NAME: &'static str;

    /// Every value, in the contract's order.
    fn all() -> &'static [Self];

    /// The wire name of every value of [`Wire::all`], in the same order.
    fn names() -> &'static [&'static str];

    /// The wire name.
    fn wire(self) -> &'static str {
        let i = Self::all().iter().position(|v| *v == self).unwrap_or_else(|| unreachable!("`all` lists every value"));
        Self::names()[i]
    }

    /// The value with this wire name.
    fn from_wire(name: &str) -> Option<Self> {
        Self::names().iter().position(|n| *n == name).map(|i| Self::all()[i])
    }

    /// `a, b, c`: the accepted names, for error messages.
    fn expected() -> String {
        Self::names().join(", ")
    }
}

/// Names leaked once per type: a few dozen short strings for the process's life.
fn leak_names(rust_names: &[&str]) -> Vec<&'static str> {
    rust_names.iter().map(|n| &*snake_case(n).leak()).collect()
}

macro_rules! wire {
    (impl $ty:ty, $name:expr, $what:expr, $all:expr, [$($case:ident),+]) => {
        impl Wire for $ty {
            const WHAT: &'static str = $what;
            const NAME: &'static str = $name;
            fn all() -> &'static [Self] {
                &$all
            }
            fn names() -> &'static [&'static str] {
                static NAMES: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
                NAMES.get_or_init(|| leak_names(&[$(stringify!($case)),+]))
            }
        }
    };
    ($ty:ident $what:literal { $($case:ident),+ $(,)? }) => {
        wire!(impl m::$ty, stringify!($ty), m::$ty::WHAT, m::$ty::ALL, [$($case),+]);
    };
}

kitei_sdk::for_each_enum!(wire);

/// The operations of api.md, without their inputs (see [`crate::Operation`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OperationName {
    /// `describe`
    Describe,
    /// `eligibility`
    Eligibility,
    /// `accounts`
    Accounts,
    /// `authorize`
    Authorize,
    /// `token`
    Token,
    /// `liability`
    Liability,
    /// `incident`
    Incident,
}

impl OperationName {
    /// Every operation, in api.md's order (`describe` first).
    pub const ALL: [OperationName; 7] = [
        OperationName::Describe,
        OperationName::Eligibility,
        OperationName::Accounts,
        OperationName::Authorize,
        OperationName::Token,
        OperationName::Liability,
        OperationName::Incident,
    ];

    /// The operations that decide something: all but `describe`.
    pub fn deciding() -> impl Iterator<Item = OperationName> {
        Self::ALL.into_iter().filter(|op| *op != OperationName::Describe)
    }
}

wire!(impl OperationName, "Operation", "operation", OperationName::ALL, [Describe, Eligibility, Accounts, Authorize, Token, Liability, Incident]);

/// The kinds of term a module may declare (`wit/policy.wit`'s `term-kind`).
const TERM_KINDS: [m::TermKind; 13] = [
    m::TermKind::Function,
    m::TermKind::AccountKind,
    m::TermKind::AccountFlag,
    m::TermKind::CustomerFact,
    m::TermKind::ProviderFact,
    m::TermKind::ConsentFact,
    m::TermKind::ServiceFact,
    m::TermKind::Channel,
    m::TermKind::IncidentKind,
    m::TermKind::LossEvent,
    m::TermKind::Party,
    m::TermKind::LiabilityRuling,
    m::TermKind::Setting,
];

wire!(
    impl m::TermKind,
    "TermKind",
    "term kind",
    TERM_KINDS,
    [
        Function,
        AccountKind,
        AccountFlag,
        CustomerFact,
        ProviderFact,
        ConsentFact,
        ServiceFact,
        Channel,
        IncidentKind,
        LossEvent,
        Party,
        LiabilityRuling,
        Setting
    ]
);

/// Serializes a value of the contract by its wire name (`serialize_with`).
///
/// # Errors
/// The serializer's.
pub fn serialize_wire<T: Wire, S: serde::Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(v.wire())
}
