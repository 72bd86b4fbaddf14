//! api.md's request JSON, read strictly into a [`QuestionBuilder`].

use super::{Account, Consent, Operation, Provider, Question, QuestionBuilder, Target};
use crate::error::DecisionError;
use crate::time::parse_timestamp;
use crate::vocab::{OperationName, Wire};
use chrono::{DateTime, FixedOffset};
use kitei_sdk::types as m;
use serde::de::{Deserialize, Deserializer, Error as _};

/// An enum field read by its wire name.
#[derive(Clone, Copy, Debug)]
struct W<T>(T);

impl<'de, T: Wire> Deserialize<'de> for W<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        T::from_wire(&s)
            .map(W)
            .ok_or_else(|| D::Error::custom(format!("unknown {} `{s}`, expected one of: {}", T::WHAT, T::expected())))
    }
}

/// A timestamp field.
#[derive(Clone, Copy, Debug)]
struct Ts(DateTime<FixedOffset>);

impl<'de> Deserialize<'de> for Ts {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let t = parse_timestamp(&s)
            .ok_or_else(|| D::Error::custom(format!("invalid timestamp `{s}`, expected RFC 3339 such as 2023-07-03T10:00:00+09:00")))?;
        // the range a policy can compute with is checked once, in `QuestionBuilder::build`
        Ok(Ts(t))
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = DecisionRequest))]
struct Raw {
    /// the institution (`toyama`): the variant in force at `at` answers
    institution: Option<String>,
    /// a variant (`gunma-2019`), instead of `institution`, to force one
    variant: Option<String>,
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::enum_ref::<OperationName>))]
    /// what to decide
    operation: W<OperationName>,
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::timestamp))]
    /// the time the decision is for; it picks the variant in force
    at: Option<Ts>,
    /// the customer and their accounts
    #[serde(default)]
    customer: RawCustomer,
    /// the API連携事業者
    #[serde(default)]
    provider: RawProvider,
    /// what the customer agreed to and when they authenticated
    #[serde(default)]
    consent: RawConsent,
    /// whether the service windows are open (default: both open)
    #[serde(default)]
    service: RawService,
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::enum_ref::<m::Function>))]
    /// the function asked for (`authorize` needs it)
    function: Option<W<m::Function>>,
    /// the accounts asked about (default: all of the customer's)
    account_ids: Option<Vec<String>>,
    /// the incident or loss (`incident` needs `kind`, `liability` needs `loss_event`)
    #[serde(default)]
    incident: RawIncident,
}

#[derive(serde::Deserialize, Default)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = Customer))]
struct RawCustomer {
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::enum_ref::<m::Segment>))]
    /// default `individual`
    segment: Option<W<m::Segment>>,
    #[serde(default)]
    internet_banking_contract: bool,
    #[serde(default)]
    direct_banking_registered: bool,
    #[serde(default)]
    /// each with a unique `id`
    accounts: Vec<RawAccount>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = Account))]
struct RawAccount {
    id: String,
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::enum_ref::<m::AccountKind>))]
    kind: W<m::AccountKind>,
    #[serde(default)]
    general_account: bool,
    #[serde(default)]
    cash_card: bool,
    #[serde(default)]
    loan_card: bool,
    #[serde(default)]
    pin_registered: bool,
    #[serde(default)]
    internet_banking_registered: bool,
}

#[derive(serde::Deserialize, Default)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = Provider))]
struct RawProvider {
    #[serde(default)]
    id: String,
    #[serde(default)]
    designated: bool,
    #[serde(default)]
    contract: bool,
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::enum_ref::<m::Channel>))]
    /// the API the provider connects through (default `institution_api`)
    channel: Option<W<m::Channel>>,
    #[serde(default)]
    via_chained: bool,
}

#[derive(serde::Deserialize, Default)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = Consent))]
struct RawConsent {
    #[serde(default)]
    agreed_to_terms: bool,
    #[serde(default)]
    api_auth_completed: bool,
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::timestamp))]
    /// when the customer last completed API連携認証 / gave the permission
    authenticated_at: Option<Ts>,
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::timestamp))]
    /// the provider's last access
    last_access_at: Option<Ts>,
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::timestamp))]
    /// when the account was registered (利用登録); default `authenticated_at`
    registered_at: Option<Ts>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::enum_list::<m::Function>))]
    /// the functions the customer authorized
    authorized_functions: Vec<W<m::Function>>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = Service))]
struct RawService {
    /// default true
    #[serde(default = "yes")]
    internet_banking_open: bool,
    /// default true
    #[serde(default = "yes")]
    api_open: bool,
}

impl Default for RawService {
    fn default() -> Self {
        RawService { internet_banking_open: true, api_open: true }
    }
}

fn yes() -> bool {
    true
}

#[derive(serde::Deserialize, Default)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = Incident))]
struct RawIncident {
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::enum_ref::<m::IncidentKind>))]
    /// what happened (for `incident`)
    kind: Option<W<m::IncidentKind>>,
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::enum_ref::<m::LossEvent>))]
    /// what the loss arose from (for `liability`)
    loss_event: Option<W<m::LossEvent>>,
    #[serde(default)]
    institution_at_fault: bool,
}

/// The request's schema, derived from the structs above.
#[cfg(feature = "openapi")]
pub(crate) fn request_schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    <Raw as utoipa::PartialSchema>::schema()
}

/// The schemas the request's refers to.
#[cfg(feature = "openapi")]
pub(crate) fn request_schemas(schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>) {
    <Raw as utoipa::ToSchema>::schemas(schemas);
}

fn invalid(msg: &str) -> DecisionError {
    DecisionError::Invalid(msg.into())
}

/// Parses and checks one api.md request.
pub(super) fn parse(body: &[u8]) -> Result<Question, DecisionError> {
    // the common case, a valid request, is parsed without tracking the path
    match serde_json::from_slice::<Raw>(body) {
        Ok(raw) => builder(raw)?.build(),
        Err(fast) => Err(explain(body, &fast)),
    }
}

/// Why `body` is not a request: parsed again, tracking the path, so the
/// error names the field at fault.
fn explain(body: &[u8], fast: &serde_json::Error) -> DecisionError {
    let classify = |e: &serde_json::Error, path: Option<String>| match e.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof | serde_json::error::Category::Io => {
            DecisionError::Malformed(e.to_string())
        }
        serde_json::error::Category::Data => match path {
            Some(path) if !(path == "." || path.is_empty()) => DecisionError::Invalid(format!("field `{path}`: {e}")),
            _ => DecisionError::Invalid(format!("request: {e}")),
        },
    };
    let mut de = serde_json::Deserializer::from_slice(body);
    match serde_path_to_error::deserialize::<_, Raw>(&mut de) {
        Err(e) => classify(e.inner(), Some(e.path().to_string())),
        Ok(_) => match de.end() {
            Err(e) => DecisionError::Malformed(e.to_string()),
            Ok(()) => classify(fast, None),
        },
    }
}

fn operation(raw: &Raw) -> Result<Operation, DecisionError> {
    Ok(match raw.operation.0 {
        OperationName::Describe => Operation::Describe,
        OperationName::Eligibility => Operation::Eligibility,
        OperationName::Accounts => Operation::Accounts,
        OperationName::Token => Operation::Token,
        OperationName::Authorize => Operation::Authorize {
            function: raw.function.ok_or_else(|| invalid("field `function` is required for operation `authorize`"))?.0,
        },
        OperationName::Liability => Operation::Liability {
            event: raw
                .incident
                .loss_event
                .ok_or_else(|| invalid("field `incident.loss_event` is required for operation `liability`"))?
                .0,
            institution_at_fault: raw.incident.institution_at_fault,
        },
        OperationName::Incident => Operation::Incident {
            kind: raw.incident.kind.ok_or_else(|| invalid("field `incident.kind` is required for operation `incident`"))?.0,
        },
    })
}

fn builder(raw: Raw) -> Result<QuestionBuilder, DecisionError> {
    let target = match (&raw.institution, &raw.variant) {
        (_, Some(v)) => Target::Variant(v.clone()),
        (Some(i), None) => Target::Institution(i.clone()),
        (None, None) => return Err(invalid("one of `institution` or `variant` is required")),
    };
    let mut q = Question::builder(target, operation(&raw)?);
    if let Some(Ts(at)) = raw.at {
        q = q.at(at);
    }
    let c = raw.customer;
    if let Some(s) = c.segment {
        q = q.segment(s.0);
    }
    let mut customer = m::CustomerFlags::empty();
    customer.set(m::CustomerFlags::INTERNET_BANKING_CONTRACT, c.internet_banking_contract);
    customer.set(m::CustomerFlags::DIRECT_BANKING_REGISTERED, c.direct_banking_registered);
    q = q.customer(customer);
    for a in c.accounts {
        let mut flags = m::AccountFlags::empty();
        flags.set(m::AccountFlags::GENERAL_ACCOUNT, a.general_account);
        flags.set(m::AccountFlags::CASH_CARD, a.cash_card);
        flags.set(m::AccountFlags::LOAN_CARD, a.loan_card);
        flags.set(m::AccountFlags::PIN_REGISTERED, a.pin_registered);
        flags.set(m::AccountFlags::INTERNET_BANKING_REGISTERED, a.internet_banking_registered);
        q = q.account(Account::new(a.id, a.kind.0).with(flags));
    }
    if let Some(ids) = raw.account_ids {
        q = q.select(ids);
    }
    let p = raw.provider;
    let mut provider_flags = m::ProviderFlags::empty();
    provider_flags.set(m::ProviderFlags::DESIGNATED, p.designated);
    provider_flags.set(m::ProviderFlags::CONTRACT, p.contract);
    provider_flags.set(m::ProviderFlags::VIA_CHAINED, p.via_chained);
    let mut provider = Provider::new(p.id).with(provider_flags);
    if let Some(channel) = p.channel {
        provider = provider.channel(channel.0);
    }
    q = q.provider(provider);
    let k = raw.consent;
    let mut consent_flags = m::ConsentFlags::empty();
    consent_flags.set(m::ConsentFlags::AGREED_TO_TERMS, k.agreed_to_terms);
    consent_flags.set(m::ConsentFlags::API_AUTH_COMPLETED, k.api_auth_completed);
    let mut consent = Consent::new().with(consent_flags);
    if let Some(Ts(t)) = k.authenticated_at {
        consent = consent.authenticated_at(t);
    }
    if let Some(Ts(t)) = k.last_access_at {
        consent = consent.last_access_at(t);
    }
    if let Some(Ts(t)) = k.registered_at {
        consent = consent.registered_at(t);
    }
    for f in k.authorized_functions {
        consent = consent.authorize(f.0);
    }
    Ok(q.consent(consent).service(raw.service.internet_banking_open, raw.service.api_open))
}
