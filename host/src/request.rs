//! The JSON request of api.md, parsed strictly into the contract's request.
//!
//! Unknown fields, wrong enum values and bad timestamps are errors that name
//! the field (`customer.accounts[0].kind`); missing optional facts take
//! api.md's defaults.

use crate::error::DecisionError;
use crate::vocab::{Operation, Wire};
use chrono::{DateTime, FixedOffset, NaiveDateTime};
use kitei_sdk::request::{blank, function_flag};
use kitei_sdk::types as m;
use serde::de::{Deserialize, Deserializer, Error as _};

/// JST, the offset of a timestamp written without one.
pub fn jst() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).expect("nine hours is a valid offset")
}

/// Parses RFC 3339; a timestamp without an offset is read as JST.
pub fn parse_timestamp(s: &str) -> Option<DateTime<FixedOffset>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t);
    }
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
        .and_then(|n| n.and_local_timezone(jst()).single())
}

pub fn to_timestamp(t: DateTime<FixedOffset>) -> m::Timestamp {
    m::Timestamp { seconds: t.timestamp(), nanos: t.timestamp_subsec_nanos(), offset_seconds: t.offset().local_minus_utc() }
}

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
        // policies take instants as nanoseconds since the epoch in an s64
        if kitei_sdk::model::instant(&to_timestamp(t)).is_none() {
            return Err(D::Error::custom(format!("timestamp `{s}` {}", kitei_sdk::model::OUT_OF_RANGE)));
        }
        Ok(Ts(t))
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    institution: Option<String>,
    variant: Option<String>,
    operation: W<Operation>,
    at: Option<Ts>,
    #[serde(default)]
    customer: RawCustomer,
    #[serde(default)]
    provider: RawProvider,
    #[serde(default)]
    consent: RawConsent,
    #[serde(default)]
    service: RawService,
    function: Option<W<m::Function>>,
    account_ids: Option<Vec<String>>,
    #[serde(default)]
    incident: RawIncident,
}

#[derive(serde::Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawCustomer {
    segment: Option<W<m::Segment>>,
    #[serde(default)]
    internet_banking_contract: bool,
    #[serde(default)]
    direct_banking_registered: bool,
    #[serde(default)]
    accounts: Vec<RawAccount>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAccount {
    id: String,
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
struct RawProvider {
    #[serde(default)]
    id: String,
    #[serde(default)]
    designated: bool,
    #[serde(default)]
    contract: bool,
    channel: Option<W<m::Channel>>,
    #[serde(default)]
    via_chained: bool,
}

#[derive(serde::Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawConsent {
    #[serde(default)]
    agreed_to_terms: bool,
    #[serde(default)]
    api_auth_completed: bool,
    authenticated_at: Option<Ts>,
    last_access_at: Option<Ts>,
    #[serde(default)]
    authorized_functions: Vec<W<m::Function>>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawService {
    #[serde(default = "yes")]
    internet_banking_open: bool,
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
struct RawIncident {
    kind: Option<W<m::IncidentKind>>,
    loss_event: Option<W<m::LossEvent>>,
    #[serde(default)]
    institution_at_fault: bool,
}

/// Which policy a request asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// the variant of this institution in force at `at`
    Institution(String),
    /// this variant, whatever the date
    Variant(String),
}

/// A request ready to decide.
#[derive(Clone, Debug)]
pub struct Parsed {
    pub target: Target,
    pub operation: Operation,
    pub at: Option<DateTime<FixedOffset>>,
    /// the id of every account in `request.accounts`, by index
    pub account_ids: Vec<String>,
    pub request: m::Request,
}

fn invalid(msg: impl Into<String>) -> DecisionError {
    DecisionError::Invalid(msg.into())
}

/// Parses and checks one api.md request.
///
/// # Errors
/// [`DecisionError::Malformed`] for text that is not JSON,
/// [`DecisionError::Invalid`] naming the field for the wrong shape.
pub fn parse(body: &[u8]) -> Result<Parsed, DecisionError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let raw: Raw = match serde_path_to_error::deserialize(&mut de) {
        Ok(raw) => raw,
        Err(e) => {
            let inner = e.inner();
            return Err(match inner.classify() {
                serde_json::error::Category::Syntax | serde_json::error::Category::Eof | serde_json::error::Category::Io => {
                    DecisionError::Malformed(inner.to_string())
                }
                serde_json::error::Category::Data => {
                    let path = e.path().to_string();
                    if path == "." || path.is_empty() {
                        invalid(format!("request: {inner}"))
                    } else {
                        invalid(format!("field `{path}`: {inner}"))
                    }
                }
            });
        }
    };
    de.end().map_err(|e| DecisionError::Malformed(e.to_string()))?;
    from_raw(raw)
}

/// Parses a request that is already a JSON value (test files, batches).
///
/// # Errors
/// As [`parse`].
pub fn parse_value(value: &serde_json::Value) -> Result<Parsed, DecisionError> {
    let bytes = serde_json::to_vec(value).map_err(|e| DecisionError::Malformed(e.to_string()))?;
    parse(&bytes)
}

fn from_raw(raw: Raw) -> Result<Parsed, DecisionError> {
    let target = match (raw.institution, raw.variant) {
        (_, Some(v)) => Target::Variant(v),
        (Some(i), None) => Target::Institution(i),
        (None, None) => return Err(invalid("one of `institution` or `variant` is required")),
    };
    let operation = raw.operation.0;
    if raw.at.is_none() && operation != Operation::Describe {
        return Err(invalid("field `at` is required (the time the decision is for)"));
    }
    if matches!(target, Target::Institution(_)) && raw.at.is_none() {
        return Err(invalid("field `at` is required to pick the variant of `institution` in force"));
    }
    let mut req = blank();
    if let Some(Ts(at)) = raw.at {
        req.at = to_timestamp(at);
    }
    let c = raw.customer;
    req.segment = c.segment.map_or(m::Segment::Individual, |s| s.0);
    if c.internet_banking_contract {
        req.customer |= m::CustomerFlags::INTERNET_BANKING_CONTRACT;
    }
    if c.direct_banking_registered {
        req.customer |= m::CustomerFlags::DIRECT_BANKING_REGISTERED;
    }
    let mut account_ids = Vec::with_capacity(c.accounts.len());
    for (i, a) in c.accounts.into_iter().enumerate() {
        if a.id.is_empty() {
            return Err(invalid(format!("field `customer.accounts[{i}].id`: must not be empty")));
        }
        if account_ids.contains(&a.id) {
            return Err(invalid(format!("field `customer.accounts[{i}].id`: `{}` is used twice", a.id)));
        }
        let mut flags = m::AccountFlags::empty();
        for (on, flag) in [
            (a.general_account, m::AccountFlags::GENERAL_ACCOUNT),
            (a.cash_card, m::AccountFlags::CASH_CARD),
            (a.loan_card, m::AccountFlags::LOAN_CARD),
            (a.pin_registered, m::AccountFlags::PIN_REGISTERED),
            (a.internet_banking_registered, m::AccountFlags::INTERNET_BANKING_REGISTERED),
        ] {
            if on {
                flags |= flag;
            }
        }
        req.accounts.push(m::Account { kind: a.kind.0, flags });
        account_ids.push(a.id);
    }
    req.selected = match raw.account_ids {
        None => (0..account_ids.len() as u32).collect(),
        Some(ids) => ids
            .iter()
            .enumerate()
            .map(|(i, id)| {
                account_ids
                    .iter()
                    .position(|known| known == id)
                    .map(|p| p as u32)
                    .ok_or_else(|| invalid(format!("field `account_ids[{i}]`: no account `{id}` in `customer.accounts`")))
            })
            .collect::<Result<_, _>>()?,
    };
    let p = raw.provider;
    req.provider_id = p.id;
    req.provider_channel = p.channel.map_or(m::Channel::InstitutionApi, |c| c.0);
    for (on, flag) in [
        (p.designated, m::ProviderFlags::DESIGNATED),
        (p.contract, m::ProviderFlags::CONTRACT),
        (p.via_chained, m::ProviderFlags::VIA_CHAINED),
    ] {
        if on {
            req.provider |= flag;
        }
    }
    let k = raw.consent;
    if k.agreed_to_terms {
        req.consent |= m::ConsentFlags::AGREED_TO_TERMS;
    }
    if k.api_auth_completed {
        req.consent |= m::ConsentFlags::API_AUTH_COMPLETED;
    }
    req.authenticated_at = k.authenticated_at.map(|t| to_timestamp(t.0));
    req.last_access_at = k.last_access_at.map(|t| to_timestamp(t.0));
    for f in k.authorized_functions {
        req.authorized_functions |= function_flag(f.0);
    }
    req.service = m::ServiceFlags::empty();
    if raw.service.internet_banking_open {
        req.service |= m::ServiceFlags::INTERNET_BANKING_OPEN;
    }
    if raw.service.api_open {
        req.service |= m::ServiceFlags::API_OPEN;
    }
    req.function = raw.function.map(|f| f.0);
    req.incident_kind = raw.incident.kind.map(|k| k.0);
    req.loss_event = raw.incident.loss_event.map(|k| k.0);
    req.institution_at_fault = raw.incident.institution_at_fault;

    match operation {
        Operation::Authorize if req.function.is_none() => {
            return Err(invalid("field `function` is required for operation `authorize`"));
        }
        Operation::Liability if req.loss_event.is_none() => {
            return Err(invalid("field `incident.loss_event` is required for operation `liability`"));
        }
        Operation::Incident if req.incident_kind.is_none() => {
            return Err(invalid("field `incident.kind` is required for operation `incident`"));
        }
        _ => {}
    }
    Ok(Parsed { target, operation, at: raw.at.map(|t| t.0), account_ids, request: req })
}
