//! A question to a policy: api.md's request, typed.
//!
//! Build one with [`Question::builder`] or read one from api.md JSON with
//! [`Question::from_json`]; both end in [`QuestionBuilder::build`], the one
//! place a question is checked (duplicate account ids, unknown selected ids,
//! a missing `at`, times a policy cannot compute with). Each operation's own
//! input is part of its [`Operation`] variant, so an `authorize` without a
//! function cannot be written.

use crate::error::DecisionError;
use crate::time::{instant_in_range, to_timestamp};
use crate::vocab::OperationName;
use chrono::{DateTime, FixedOffset};
use kitei_sdk::request::{blank, function_flag};
use kitei_sdk::types as m;
use kitei_sdk::types::{AccountFlags, AccountKind, Channel, ConsentFlags, Function, IncidentKind, LossEvent, Segment};

pub(crate) mod json;

/// Which policy a question is for.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    /// the variant of this institution in force at the question's `at`
    Institution(String),
    /// this variant (e.g. `gunma-2019`), whatever the date
    Variant(String),
}

/// What is asked, with the operation's own input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    /// the policy's metadata and rule sheet
    Describe,
    /// whether the customer may use the service at all (利用資格)
    Eligibility,
    /// which of the customer's accounts can be linked
    Accounts,
    /// the whole decision for one function on the selected accounts
    Authorize {
        /// the function (機能) the provider wants to use
        function: Function,
    },
    /// whether the authentication is still valid
    Token,
    /// who bears a loss
    Liability {
        /// what happened
        event: LossEvent,
        /// the institution is at fault (故意または過失)
        institution_at_fault: bool,
    },
    /// what the institution may do after an incident
    Incident {
        /// what happened
        kind: IncidentKind,
    },
}

impl Operation {
    /// The operation's wire name without its input.
    pub fn name(self) -> OperationName {
        match self {
            Operation::Describe => OperationName::Describe,
            Operation::Eligibility => OperationName::Eligibility,
            Operation::Accounts => OperationName::Accounts,
            Operation::Authorize { .. } => OperationName::Authorize,
            Operation::Token => OperationName::Token,
            Operation::Liability { .. } => OperationName::Liability,
            Operation::Incident { .. } => OperationName::Incident,
        }
    }
}

/// One of the customer's accounts, with the id answers refer to it by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    id: String,
    kind: AccountKind,
    flags: AccountFlags,
}

impl Account {
    /// An account of `kind` with no card, PIN or registration.
    pub fn new(id: impl Into<String>, kind: AccountKind) -> Self {
        Account { id: id.into(), kind, flags: AccountFlags::empty() }
    }

    /// Adds facts about the account (`AccountFlags::CASH_CARD | …`).
    #[must_use]
    pub fn with(mut self, flags: AccountFlags) -> Self {
        self.flags |= flags;
        self
    }

    /// The id answers use.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The account kind.
    pub fn kind(&self) -> AccountKind {
        self.kind
    }

    /// The facts about the account.
    pub fn flags(&self) -> AccountFlags {
        self.flags
    }
}

/// The API連携事業者 asking.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Provider {
    id: String,
    channel: Channel,
    flags: m::ProviderFlags,
}

impl Default for Provider {
    fn default() -> Self {
        Provider { id: String::new(), channel: Channel::InstitutionApi, flags: m::ProviderFlags::empty() }
    }
}

impl Provider {
    /// A provider by id, on the institution's own API, neither designated nor contracted.
    pub fn new(id: impl Into<String>) -> Self {
        Provider { id: id.into(), ..Provider::default() }
    }

    /// The channel it connects through.
    #[must_use]
    pub fn channel(mut self, channel: Channel) -> Self {
        self.channel = channel;
        self
    }

    /// Adds facts (`ProviderFlags::DESIGNATED | ProviderFlags::CONTRACT`, …).
    #[must_use]
    pub fn with(mut self, flags: m::ProviderFlags) -> Self {
        self.flags |= flags;
        self
    }
}

/// The customer's consent and authentication.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Consent {
    flags: ConsentFlags,
    authenticated_at: Option<DateTime<FixedOffset>>,
    last_access_at: Option<DateTime<FixedOffset>>,
    registered_at: Option<DateTime<FixedOffset>>,
    authorized: m::FunctionSet,
}

impl Default for Consent {
    fn default() -> Self {
        Consent {
            flags: ConsentFlags::empty(),
            authenticated_at: None,
            last_access_at: None,
            registered_at: None,
            authorized: m::FunctionSet::empty(),
        }
    }
}

impl Consent {
    /// No consent given.
    pub fn new() -> Self {
        Consent::default()
    }

    /// Adds facts (`ConsentFlags::AGREED_TO_TERMS | ConsentFlags::API_AUTH_COMPLETED`).
    #[must_use]
    pub fn with(mut self, flags: ConsentFlags) -> Self {
        self.flags |= flags;
        self
    }

    /// When the customer last completed API連携認証.
    #[must_use]
    pub fn authenticated_at(mut self, at: DateTime<FixedOffset>) -> Self {
        self.authenticated_at = Some(at);
        self
    }

    /// When the account was registered for the service (利用登録); rules
    /// counting from registration use `authenticated_at` when it is not given.
    #[must_use]
    pub fn registered_at(mut self, at: DateTime<FixedOffset>) -> Self {
        self.registered_at = Some(at);
        self
    }

    /// When the provider last accessed the account.
    #[must_use]
    pub fn last_access_at(mut self, at: DateTime<FixedOffset>) -> Self {
        self.last_access_at = Some(at);
        self
    }

    /// A function the customer authorized (認可).
    #[must_use]
    pub fn authorize(mut self, function: Function) -> Self {
        self.authorized |= function_flag(function);
        self
    }
}

/// A question being put together; [`QuestionBuilder::build`] checks it.
#[derive(Clone, Debug)]
#[must_use = "a builder does nothing until `build`"]
pub struct QuestionBuilder {
    target: Target,
    operation: Operation,
    at: Option<DateTime<FixedOffset>>,
    segment: Segment,
    customer: m::CustomerFlags,
    accounts: Vec<Account>,
    selected: Option<Vec<String>>,
    provider: Provider,
    consent: Consent,
    service: m::ServiceFlags,
}

impl QuestionBuilder {
    /// The time the decision is for (required except to describe a named variant).
    pub fn at(mut self, at: DateTime<FixedOffset>) -> Self {
        self.at = Some(at);
        self
    }

    /// The customer segment (default: individual).
    pub fn segment(mut self, segment: Segment) -> Self {
        self.segment = segment;
        self
    }

    /// Adds customer facts (`CustomerFlags::INTERNET_BANKING_CONTRACT`, …).
    pub fn customer(mut self, flags: m::CustomerFlags) -> Self {
        self.customer |= flags;
        self
    }

    /// Adds one of the customer's accounts.
    pub fn account(mut self, account: Account) -> Self {
        self.accounts.push(account);
        self
    }

    /// The accounts the question is about, by id (default: all of them).
    pub fn select<I: Into<String>>(mut self, ids: impl IntoIterator<Item = I>) -> Self {
        self.selected = Some(ids.into_iter().map(Into::into).collect());
        self
    }

    /// The provider asking.
    pub fn provider(mut self, provider: Provider) -> Self {
        self.provider = provider;
        self
    }

    /// The customer's consent.
    pub fn consent(mut self, consent: Consent) -> Self {
        self.consent = consent;
        self
    }

    /// Whether internet banking and the API are open at `at` (default: both).
    pub fn service(mut self, internet_banking_open: bool, api_open: bool) -> Self {
        self.service = m::ServiceFlags::empty();
        self.service.set(m::ServiceFlags::INTERNET_BANKING_OPEN, internet_banking_open);
        self.service.set(m::ServiceFlags::API_OPEN, api_open);
        self
    }

    /// Checks the question and makes it ready to decide.
    ///
    /// # Errors
    /// [`DecisionError::Invalid`] naming the field: no `at` where one is
    /// needed, an empty or repeated account id, a selected id that is not an
    /// account, a time outside the years a policy can compute with.
    pub fn build(self) -> Result<Question, DecisionError> {
        let invalid = |msg: String| DecisionError::Invalid(msg);
        let operation = self.operation;
        if self.at.is_none() && operation != Operation::Describe {
            return Err(invalid("field `at` is required (the time the decision is for)".into()));
        }
        if matches!(self.target, Target::Institution(_)) && self.at.is_none() {
            return Err(invalid("field `at` is required to pick the variant of `institution` in force".into()));
        }
        let mut req = blank();
        if let Some(at) = self.at {
            req.at = checked("at", at)?;
        }
        req.segment = self.segment;
        req.customer = self.customer;
        let mut account_ids: Vec<String> = Vec::with_capacity(self.accounts.len());
        req.accounts.reserve(self.accounts.len());
        for (i, a) in self.accounts.into_iter().enumerate() {
            if a.id.is_empty() {
                return Err(invalid(format!("field `customer.accounts[{i}].id`: must not be empty")));
            }
            if account_ids.contains(&a.id) {
                return Err(invalid(format!("field `customer.accounts[{i}].id`: `{}` is used twice", a.id)));
            }
            req.accounts.push(m::Account { kind: a.kind, flags: a.flags });
            account_ids.push(a.id);
        }
        req.selected = match self.selected {
            None => (0..account_ids.len() as u32).collect(),
            Some(ids) => ids
                .iter()
                .enumerate()
                .map(|(i, id)| {
                    account_ids.iter().position(|known| known == id).map(|p| p as u32).ok_or_else(|| {
                        invalid(format!("field `account_ids[{i}]`: no account `{id}` in `customer.accounts`"))
                    })
                })
                .collect::<Result<_, _>>()?,
        };
        let p = self.provider;
        req.provider_id = p.id;
        req.provider_channel = p.channel;
        req.provider = p.flags;
        let c = self.consent;
        req.consent = c.flags;
        req.authenticated_at = c.authenticated_at.map(|t| checked("consent.authenticated_at", t)).transpose()?;
        req.last_access_at = c.last_access_at.map(|t| checked("consent.last_access_at", t)).transpose()?;
        req.registered_at = c.registered_at.map(|t| checked("consent.registered_at", t)).transpose()?;
        req.authorized_functions = c.authorized;
        req.service = self.service;
        match operation {
            Operation::Authorize { function } => req.function = Some(function),
            Operation::Liability { event, institution_at_fault } => {
                req.loss_event = Some(event);
                req.institution_at_fault = institution_at_fault;
            }
            Operation::Incident { kind } => req.incident_kind = Some(kind),
            Operation::Describe | Operation::Eligibility | Operation::Accounts | Operation::Token => {}
        }
        Ok(Question { target: self.target, operation, at: self.at, account_ids, request: req })
    }
}

/// A time as a policy takes it, refused outside the years it can compute with.
fn checked(field: &str, t: DateTime<FixedOffset>) -> Result<m::Timestamp, DecisionError> {
    let ts = to_timestamp(t);
    if instant_in_range(&ts) {
        Ok(ts)
    } else {
        Err(DecisionError::Invalid(format!("field `{field}`: timestamp `{}` {}", t.to_rfc3339(), kitei_sdk::model::OUT_OF_RANGE)))
    }
}

/// A checked question, ready for [`Registry::decide`](crate::Registry::decide).
#[derive(Clone, Debug)]
pub struct Question {
    target: Target,
    operation: Operation,
    at: Option<DateTime<FixedOffset>>,
    account_ids: Vec<String>,
    request: m::Request,
}

impl Question {
    /// Starts a question for `target`: the customer, provider and consent
    /// default to api.md's defaults (no facts, both services open).
    ///
    /// ```
    /// use kitei::{Account, AccountKind, Function, Operation, Question, Target};
    /// let at = kitei::time::parse_timestamp("2023-07-03T10:00:00+09:00").unwrap();
    /// let q = Question::builder(Target::Institution("toyama".into()), Operation::Authorize { function: Function::Balance })
    ///     .at(at)
    ///     .account(Account::new("A1", AccountKind::Ordinary))
    ///     .build()?;
    /// assert_eq!(q.account_ids(), ["A1"]);
    /// # Ok::<(), kitei::DecisionError>(())
    /// ```
    pub fn builder(target: Target, operation: Operation) -> QuestionBuilder {
        QuestionBuilder {
            target,
            operation,
            at: None,
            segment: Segment::Individual,
            customer: m::CustomerFlags::empty(),
            accounts: Vec::new(),
            selected: None,
            provider: Provider::default(),
            consent: Consent::default(),
            service: m::ServiceFlags::all(),
        }
    }

    /// Reads api.md's request JSON strictly: unknown fields, wrong enum
    /// values and bad timestamps are errors naming the field
    /// (`customer.accounts[0].kind`).
    ///
    /// # Errors
    /// [`DecisionError::Malformed`] for text that is not JSON,
    /// [`DecisionError::Invalid`] naming the field for the wrong shape.
    pub fn from_json(body: &[u8]) -> Result<Self, DecisionError> {
        json::parse(body)
    }

    /// As [`Question::from_json`], for a request already parsed as a JSON value.
    ///
    /// # Errors
    /// As [`Question::from_json`].
    pub fn from_value(value: &serde_json::Value) -> Result<Self, DecisionError> {
        let bytes = serde_json::to_vec(value).map_err(|e| DecisionError::Malformed(e.to_string()))?;
        json::parse(&bytes)
    }

    /// Which policy it is for.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// What is asked.
    pub fn operation(&self) -> Operation {
        self.operation
    }

    /// The time the decision is for.
    pub fn at(&self) -> Option<DateTime<FixedOffset>> {
        self.at
    }

    /// The id of every account, in the order given.
    pub fn account_ids(&self) -> &[String] {
        &self.account_ids
    }

    /// The facts as a policy takes them (the SDK's request model).
    pub fn request(&self) -> &m::Request {
        &self.request
    }
}
