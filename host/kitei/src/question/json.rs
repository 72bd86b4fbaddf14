//! api.md's request JSON as one public two-way type, [`DecisionRequest`]:
//! read strictly into a [`QuestionBuilder`], written back the same way.

use super::{Account, Consent, Operation, Provider, Question, QuestionBuilder, Target};
use crate::clock::{parse_timestamp, rfc3339};
use crate::error::DecisionError;
use crate::vocab::{OperationName, Wire};
use crate::vocabulary::TermRef;
use chrono::{DateTime, FixedOffset};
use kitei_sdk::types as m;
use serde::de::{Deserialize, Deserializer, Error as _, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};
use std::collections::BTreeMap;

/// An enum field read and written by its wire name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct W<T>(T);

impl<'de, T: Wire> Deserialize<'de> for W<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        T::from_wire(&s).map(W).ok_or_else(|| D::Error::custom(format!("unknown {} `{s}`, expected one of: {}", T::WHAT, T::expected())))
    }
}

/// A timestamp field: RFC 3339; one without an offset is read as JST.
mod ts {
    use super::*;

    pub fn serialize<S: Serializer>(t: &Option<DateTime<FixedOffset>>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&rfc3339(t)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<FixedOffset>>, D::Error> {
        let Some(s) = <Option<std::borrow::Cow<'de, str>>>::deserialize(d)? else { return Ok(None) };
        // the range a policy can compute with is checked once, in `QuestionBuilder::build`
        parse_timestamp(&s).map(Some).ok_or_else(|| D::Error::custom(format!("invalid timestamp `{s}`, expected RFC 3339 such as 2023-07-03T10:00:00+09:00")))
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_true(b: &bool) -> bool {
    *b
}

fn yes() -> bool {
    true
}

/// api.md's request: what the CLI, the HTTP service, the conformance files
/// and the explorer send, read strictly (an unknown field is an error
/// naming it) and written back with the defaults left out.
///
/// Core terms are typed; a term a module declares is written where a core
/// one would be (`"function": "debit_statement"`, an account's
/// `"sharing_permitted": true`), and declared facts go in `facts`.
///
/// ```
/// use kitei::{DecisionRequest, OperationName};
/// let r: DecisionRequest = serde_json::from_str(r#"{"institution": "toyama", "operation": "eligibility",
///     "at": "2023-07-03T10:00:00+09:00", "customer": {"internet_banking_contract": true}}"#)?;
/// assert_eq!(r.operation, OperationName::Eligibility);
/// assert!(r.customer.internet_banking_contract);
/// let again: DecisionRequest = serde_json::from_value(serde_json::to_value(&r)?)?;
/// assert_eq!(again, r);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DecisionRequest {
    /// the institution (`toyama`): the variant in force at `at` answers
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub institution: Option<String>,
    /// a variant (`gunma-2019`), instead of `institution`, to force one
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// the named service whose 規定 governs the contract, where an
    /// institution publishes one per service (a module's scope)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// what to decide
    #[serde(with = "wire_field")]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::enum_ref::<OperationName>))]
    pub operation: OperationName,
    /// the time the decision is for; it picks the variant in force
    #[serde(default, with = "ts", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::timestamp))]
    pub at: Option<DateTime<FixedOffset>>,
    /// the customer and their accounts
    #[serde(default, skip_serializing_if = "Customer::is_default")]
    pub customer: Customer,
    /// the API連携事業者
    #[serde(default, skip_serializing_if = "ProviderFacts::is_default")]
    pub provider: ProviderFacts,
    /// what the customer agreed to and when they authenticated
    #[serde(default, skip_serializing_if = "ConsentFacts::is_default")]
    pub consent: ConsentFacts,
    /// whether the service windows are open (default: both open)
    #[serde(default, skip_serializing_if = "Service::is_default")]
    pub service: Service,
    /// the function asked for (`authorize` needs it)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::enum_ref::<m::Function>))]
    pub function: Option<TermRef<m::Function>>,
    /// the accounts asked about (default: all of the customer's)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_ids: Option<Vec<String>>,
    /// the incident or loss (`incident` needs `kind`, `liability` needs `loss_event`)
    #[serde(default, skip_serializing_if = "Incident::is_default")]
    pub incident: Incident,
    /// facts a module declares (customer, provider, consent or service
    /// facts), by name: `{"platform_id_registered": true}`
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::declared_facts))]
    pub facts: BTreeMap<String, bool>,
}

/// `operation` by its wire name.
mod wire_field {
    use super::*;

    pub fn serialize<T: Wire, S: Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(v.wire())
    }

    pub fn deserialize<'de, T: Wire, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
        W::<T>::deserialize(d).map(|w| w.0)
    }
}

/// `Option<enum>` by its wire name.
mod wire_option {
    use super::*;

    pub fn serialize<T: Wire, S: Serializer>(v: &Option<T>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => s.serialize_str(v.wire()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, T: Wire, D: Deserializer<'de>>(d: D) -> Result<Option<T>, D::Error> {
        Ok(<Option<W<T>>>::deserialize(d)?.map(|w| w.0))
    }
}

impl DecisionRequest {
    /// A request for `operation` with api.md's defaults.
    pub fn new(operation: OperationName) -> Self {
        DecisionRequest {
            institution: None,
            variant: None,
            scope: None,
            operation,
            at: None,
            customer: Customer::default(),
            provider: ProviderFacts::default(),
            consent: ConsentFacts::default(),
            service: Service::default(),
            function: None,
            account_ids: None,
            incident: Incident::default(),
            facts: BTreeMap::new(),
        }
    }
}

/// The customer and their accounts.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Customer {
    /// default `individual`
    #[serde(default, with = "wire_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::enum_ref::<m::Segment>))]
    pub segment: Option<m::Segment>,
    /// an internet banking contract
    #[serde(default, skip_serializing_if = "is_false")]
    pub internet_banking_contract: bool,
    /// registered for direct banking
    #[serde(default, skip_serializing_if = "is_false")]
    pub direct_banking_registered: bool,
    /// each with a unique `id`
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accounts: Vec<AccountFacts>,
}

impl Customer {
    fn is_default(&self) -> bool {
        *self == Customer::default()
    }
}

/// One of the customer's accounts. Account flags a module declares are
/// written beside the core ones (`"sharing_permitted": true`).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = Account))]
// the document lists the core flags and, once modules are loaded, their
// declared ones (`openapi::apply_vocabulary`): nothing else is accepted
#[cfg_attr(feature = "openapi", serde(deny_unknown_fields))]
pub struct AccountFacts {
    /// the id answers use (unique among the customer's accounts)
    #[cfg_attr(feature = "openapi", schema(min_length = 1))]
    pub id: String,
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::enum_ref::<m::AccountKind>))]
    /// the account kind
    pub kind: TermRef<m::AccountKind>,
    /// part of a 総合口座
    #[cfg_attr(feature = "openapi", schema(required = false, default = false))]
    pub general_account: bool,
    /// a cash card is issued
    #[cfg_attr(feature = "openapi", schema(required = false, default = false))]
    pub cash_card: bool,
    /// a loan card is issued
    #[cfg_attr(feature = "openapi", schema(required = false, default = false))]
    pub loan_card: bool,
    /// the card's PIN is registered
    #[cfg_attr(feature = "openapi", schema(required = false, default = false))]
    pub pin_registered: bool,
    /// registered in internet banking
    #[cfg_attr(feature = "openapi", schema(required = false, default = false))]
    pub internet_banking_registered: bool,
    /// account flags a module declares, by name
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub declared: BTreeMap<String, bool>,
}

impl AccountFacts {
    /// An account of `kind` with no card, PIN or registration.
    pub fn new(id: impl Into<String>, kind: impl Into<TermRef<m::AccountKind>>) -> Self {
        AccountFacts {
            id: id.into(),
            kind: kind.into(),
            general_account: false,
            cash_card: false,
            loan_card: false,
            pin_registered: false,
            internet_banking_registered: false,
            declared: BTreeMap::new(),
        }
    }

    /// The core flags, with their wire names, in the contract's order.
    fn core_flags(&self) -> [(&'static str, bool); 5] {
        [
            ("general_account", self.general_account),
            ("cash_card", self.cash_card),
            ("loan_card", self.loan_card),
            ("pin_registered", self.pin_registered),
            ("internet_banking_registered", self.internet_banking_registered),
        ]
    }

    fn core_flag(&mut self, name: &str) -> Option<&mut bool> {
        Some(match name {
            "general_account" => &mut self.general_account,
            "cash_card" => &mut self.cash_card,
            "loan_card" => &mut self.loan_card,
            "pin_registered" => &mut self.pin_registered,
            "internet_banking_registered" => &mut self.internet_banking_registered,
            _ => return None,
        })
    }
}

impl Serialize for AccountFacts {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut o = s.serialize_map(None)?;
        o.serialize_entry("id", &self.id)?;
        o.serialize_entry("kind", &self.kind)?;
        for (name, set) in self.core_flags() {
            if set {
                o.serialize_entry(name, &true)?;
            }
        }
        for (name, set) in &self.declared {
            if *set {
                o.serialize_entry(name, &true)?;
            }
        }
        o.end()
    }
}

/// Read by hand, so that a declared account flag sits beside the core ones
/// without buffering the object: `id` and `kind` are required, the core
/// flags default to false, any other key is a declared flag and must be a
/// boolean whose name could be declared.
impl<'de> Deserialize<'de> for AccountFacts {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = AccountFacts;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an account object with `id` and `kind`")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<AccountFacts, A::Error> {
                let mut id: Option<String> = None;
                let mut kind: Option<TermRef<m::AccountKind>> = None;
                let mut out = AccountFacts::new(String::new(), m::AccountKind::Ordinary);
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    match &*key {
                        "id" if id.is_some() => return Err(A::Error::duplicate_field("id")),
                        "id" => id = Some(map.next_value()?),
                        "kind" if kind.is_some() => return Err(A::Error::duplicate_field("kind")),
                        "kind" => kind = Some(map.next_value()?),
                        name => match (out.core_flag(name), map.next_value::<MaybeBool>()?.0) {
                            (Some(slot), Some(value)) => *slot = value,
                            (Some(_), None) => return Err(A::Error::custom(format!("field `{name}`: expected true or false"))),
                            // a declared account flag is a yes/no beside the core ones
                            (None, Some(value)) if kitei_sdk::term::is_snake_case(name) => {
                                out.declared.insert(name.to_string(), value);
                            }
                            (None, _) => return Err(A::Error::unknown_field(name, ACCOUNT_FIELDS)),
                        },
                    }
                }
                out.id = id.ok_or_else(|| A::Error::missing_field("id"))?;
                out.kind = kind.ok_or_else(|| A::Error::missing_field("kind"))?;
                Ok(out)
            }
        }
        d.deserialize_map(V)
    }
}

/// Any JSON value, remembering only whether it was a yes/no.
struct MaybeBool(Option<bool>);

impl<'de> Deserialize<'de> for MaybeBool {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MaybeBool;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any value")
            }
            fn visit_bool<E: serde::de::Error>(self, b: bool) -> Result<MaybeBool, E> {
                Ok(MaybeBool(Some(b)))
            }
            fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<MaybeBool, E> {
                Ok(MaybeBool(None))
            }
            fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<MaybeBool, E> {
                Ok(MaybeBool(None))
            }
            fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<MaybeBool, E> {
                Ok(MaybeBool(None))
            }
            fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<MaybeBool, E> {
                Ok(MaybeBool(None))
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<MaybeBool, E> {
                Ok(MaybeBool(None))
            }
            fn visit_none<E: serde::de::Error>(self) -> Result<MaybeBool, E> {
                Ok(MaybeBool(None))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<MaybeBool, D::Error> {
                d.deserialize_any(V)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<MaybeBool, A::Error> {
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(MaybeBool(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<MaybeBool, A::Error> {
                while map.next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?.is_some() {}
                Ok(MaybeBool(None))
            }
        }
        d.deserialize_any(V)
    }
}

const ACCOUNT_FIELDS: &[&str] = &["id", "kind", "general_account", "cash_card", "loan_card", "pin_registered", "internet_banking_registered"];

/// The API連携事業者.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = Provider))]
pub struct ProviderFacts {
    /// the provider's id (`moneyforward`)
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// designated by the institution (where the operator sets no list)
    #[serde(default, skip_serializing_if = "is_false")]
    pub designated: bool,
    /// a contract with the provider's service
    #[serde(default, skip_serializing_if = "is_false")]
    pub contract: bool,
    /// the channel the provider connects through (default `institution_api`)
    #[serde(default = "institution_api", skip_serializing_if = "is_institution_api")]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::enum_ref::<m::Channel>))]
    pub channel: TermRef<m::Channel>,
    /// asking for a chained provider (連鎖接続先)
    #[serde(default, skip_serializing_if = "is_false")]
    pub via_chained: bool,
}

fn institution_api() -> TermRef<m::Channel> {
    TermRef::Core(m::Channel::InstitutionApi)
}

fn is_institution_api(c: &TermRef<m::Channel>) -> bool {
    *c == institution_api()
}

impl Default for ProviderFacts {
    fn default() -> Self {
        ProviderFacts { id: String::new(), designated: false, contract: false, channel: institution_api(), via_chained: false }
    }
}

impl ProviderFacts {
    fn is_default(&self) -> bool {
        *self == ProviderFacts::default()
    }
}

/// What the customer agreed to and when they authenticated.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = Consent))]
pub struct ConsentFacts {
    /// agreed to the terms (同意)
    #[serde(default, skip_serializing_if = "is_false")]
    pub agreed_to_terms: bool,
    /// API連携認証 / 利用登録 completed
    #[serde(default, skip_serializing_if = "is_false")]
    pub api_auth_completed: bool,
    /// when the customer last completed API連携認証 / gave the permission
    #[serde(default, with = "ts", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::timestamp))]
    pub authenticated_at: Option<DateTime<FixedOffset>>,
    /// the provider's last access
    #[serde(default, with = "ts", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::timestamp))]
    pub last_access_at: Option<DateTime<FixedOffset>>,
    /// when the account was registered (利用登録); default `authenticated_at`
    #[serde(default, with = "ts", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::timestamp))]
    pub registered_at: Option<DateTime<FixedOffset>>,
    /// the functions the customer authorized
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::enum_list::<m::Function>))]
    pub authorized_functions: Vec<TermRef<m::Function>>,
}

impl ConsentFacts {
    fn is_default(&self) -> bool {
        *self == ConsentFacts::default()
    }
}

/// Whether the service windows are open at the request's time.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Service {
    /// default true
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub internet_banking_open: bool,
    /// default true
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub api_open: bool,
}

impl Default for Service {
    fn default() -> Self {
        Service { internet_banking_open: true, api_open: true }
    }
}

impl Service {
    fn is_default(&self) -> bool {
        *self == Service::default()
    }
}

/// The incident or loss a question is about.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Incident {
    /// what happened (for `incident`)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::enum_ref::<m::IncidentKind>))]
    pub kind: Option<TermRef<m::IncidentKind>>,
    /// what the loss arose from (for `liability`)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::enum_ref::<m::LossEvent>))]
    pub loss_event: Option<TermRef<m::LossEvent>>,
    /// the institution is at fault (故意または過失)
    #[serde(default, skip_serializing_if = "is_false")]
    pub institution_at_fault: bool,
}

impl Incident {
    fn is_default(&self) -> bool {
        *self == Incident::default()
    }
}

/// The request's schema, derived from the structs above.
#[cfg(feature = "openapi")]
pub(crate) fn request_schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    <DecisionRequest as utoipa::PartialSchema>::schema()
}

/// The schemas the request's refers to.
#[cfg(feature = "openapi")]
pub(crate) fn request_schemas(schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>) {
    <DecisionRequest as utoipa::ToSchema>::schemas(schemas);
}

fn invalid(msg: &str) -> DecisionError {
    DecisionError::invalid(msg)
}

/// Parses and checks one api.md request.
pub(super) fn parse(body: &[u8]) -> Result<Question, DecisionError> {
    // the common case, a valid request, is parsed without tracking the path
    match serde_json::from_slice::<DecisionRequest>(body) {
        Ok(raw) => raw.question(),
        Err(fast) => Err(explain(body, &fast)),
    }
}

/// Why `body` is not a request: parsed again, tracking the path, so the
/// error names the field at fault.
fn explain(body: &[u8], fast: &serde_json::Error) -> DecisionError {
    let classify = |e: &serde_json::Error, path: Option<String>| match e.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof | serde_json::error::Category::Io => DecisionError::malformed(e.to_string()),
        serde_json::error::Category::Data => match path {
            Some(path) if !(path == "." || path.is_empty()) => DecisionError::invalid(format!("field `{path}`: {e}")),
            _ => DecisionError::invalid(format!("request: {e}")),
        },
    };
    let mut de = serde_json::Deserializer::from_slice(body);
    match serde_path_to_error::deserialize::<_, DecisionRequest>(&mut de) {
        Err(e) => classify(e.inner(), Some(e.path().to_string())),
        Ok(_) => match de.end() {
            Err(e) => DecisionError::malformed(e.to_string()),
            Ok(()) => classify(fast, None),
        },
    }
}

impl DecisionRequest {
    fn operation(&self) -> Result<Operation, DecisionError> {
        Ok(match self.operation {
            OperationName::Describe => Operation::Describe,
            OperationName::Eligibility => Operation::Eligibility,
            OperationName::Accounts => Operation::Accounts,
            OperationName::Token => Operation::Token,
            OperationName::Authorize => {
                Operation::Authorize { function: self.function.clone().ok_or_else(|| invalid("field `function` is required for operation `authorize`"))? }
            }
            OperationName::Liability => Operation::Liability {
                event: self.incident.loss_event.clone().ok_or_else(|| invalid("field `incident.loss_event` is required for operation `liability`"))?,
                institution_at_fault: self.incident.institution_at_fault,
            },
            OperationName::Incident => {
                Operation::Incident { kind: self.incident.kind.clone().ok_or_else(|| invalid("field `incident.kind` is required for operation `incident`"))? }
            }
        })
    }

    /// The question this request asks, checked ([`QuestionBuilder::build`]).
    ///
    /// # Errors
    /// [`DecisionErrorKind::Invalid`](crate::DecisionErrorKind::Invalid) naming the field.
    pub fn question(&self) -> Result<Question, DecisionError> {
        self.builder()?.build()
    }

    fn builder(&self) -> Result<QuestionBuilder, DecisionError> {
        let target = match (&self.institution, &self.variant) {
            (_, Some(v)) => Target::Variant(v.clone()),
            (Some(i), None) => Target::Institution(i.clone()),
            (None, None) => return Err(invalid("one of `institution` or `variant` is required")),
        };
        let mut q = Question::builder(target, self.operation()?);
        if let Some(at) = self.at {
            q = q.at(at);
        }
        if let Some(scope) = &self.scope {
            q = q.scope(scope.clone());
        }
        let c = &self.customer;
        if let Some(s) = c.segment {
            q = q.segment(s);
        }
        let mut customer = m::CustomerFlags::empty();
        customer.set(m::CustomerFlags::INTERNET_BANKING_CONTRACT, c.internet_banking_contract);
        customer.set(m::CustomerFlags::DIRECT_BANKING_REGISTERED, c.direct_banking_registered);
        q = q.customer(customer);
        for a in &c.accounts {
            let mut flags = m::AccountFlags::empty();
            flags.set(m::AccountFlags::GENERAL_ACCOUNT, a.general_account);
            flags.set(m::AccountFlags::CASH_CARD, a.cash_card);
            flags.set(m::AccountFlags::LOAN_CARD, a.loan_card);
            flags.set(m::AccountFlags::PIN_REGISTERED, a.pin_registered);
            flags.set(m::AccountFlags::INTERNET_BANKING_REGISTERED, a.internet_banking_registered);
            let mut account = Account::new(a.id.clone(), a.kind.clone()).with(flags);
            for (name, _) in a.declared.iter().filter(|(_, set)| **set) {
                account = account.with_declared(name);
            }
            q = q.account(account);
        }
        if let Some(ids) = &self.account_ids {
            q = q.select(ids.iter().cloned());
        }
        let p = &self.provider;
        let mut provider_flags = m::ProviderFlags::empty();
        provider_flags.set(m::ProviderFlags::DESIGNATED, p.designated);
        provider_flags.set(m::ProviderFlags::CONTRACT, p.contract);
        provider_flags.set(m::ProviderFlags::VIA_CHAINED, p.via_chained);
        q = q.provider(Provider::new(p.id.clone()).with(provider_flags).channel(p.channel.clone()));
        let k = &self.consent;
        let mut consent_flags = m::ConsentFlags::empty();
        consent_flags.set(m::ConsentFlags::AGREED_TO_TERMS, k.agreed_to_terms);
        consent_flags.set(m::ConsentFlags::API_AUTH_COMPLETED, k.api_auth_completed);
        let mut consent = Consent::new().with(consent_flags);
        if let Some(t) = k.authenticated_at {
            consent = consent.authenticated_at(t);
        }
        if let Some(t) = k.last_access_at {
            consent = consent.last_access_at(t);
        }
        if let Some(t) = k.registered_at {
            consent = consent.registered_at(t);
        }
        for f in &k.authorized_functions {
            consent = consent.authorize(f.clone());
        }
        for (name, _) in self.facts.iter().filter(|(_, set)| **set) {
            if !kitei_sdk::term::is_snake_case(name) {
                return Err(DecisionError::invalid(format!("field `facts.{name}`: not a term's name (snake_case)")));
            }
            q = q.fact(name);
        }
        Ok(q.consent(consent).service(self.service.internet_banking_open, self.service.api_open))
    }
}
