//! A question to a policy: api.md's request, typed.
//!
//! Build one with [`Question::builder`] or read one from api.md JSON with
//! [`Question::from_json`] (or a [`DecisionRequest`]); all end in
//! [`QuestionBuilder::build`], the one place a question is checked
//! (duplicate account ids, unknown selected ids, a missing `at`, times a
//! policy cannot compute with). Each operation's own input is part of its
//! [`Operation`] variant, so an `authorize` without a function cannot be
//! written.
//!
//! Core terms are typed (`Function::Balance`); terms a module declares are
//! given by name ([`TermRef::Declared`]) and turned into that module's
//! positions when it is asked ([`Question::request_for`]).

use crate::clock::{instant_in_range, to_timestamp};
use crate::error::DecisionError;
use crate::policy::PolicyInfo;
use crate::vocab::OperationName;
use crate::vocabulary::{FACT_KINDS, ModuleTerms, TermRef, Vocabulary};
use chrono::{DateTime, FixedOffset};
use kitei_sdk::request::{blank, function_flag};
use kitei_sdk::types as m;
use kitei_sdk::types::{AccountFlags, AccountKind, Channel, ConsentFlags, Function, IncidentKind, LossEvent, Segment, TermKind};
use std::borrow::Cow;
use std::sync::Arc;

pub(crate) mod json;

pub use json::DecisionRequest;

/// Which policy a question is for.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    /// the variant of this institution in force at the question's `at`
    Institution(String),
    /// this variant (e.g. `gunma-2019`), whatever the date
    Variant(String),
}

/// What is asked, with the operation's own input.
#[derive(Clone, Debug, PartialEq, Eq)]
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
        function: TermRef<Function>,
    },
    /// whether the authentication is still valid
    Token,
    /// who bears a loss
    Liability {
        /// what happened
        event: TermRef<LossEvent>,
        /// the institution is at fault (故意または過失)
        institution_at_fault: bool,
    },
    /// what the institution may do after an incident
    Incident {
        /// what happened
        kind: TermRef<IncidentKind>,
    },
}

impl Operation {
    /// The operation's wire name without its input.
    pub fn name(&self) -> OperationName {
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
    kind: TermRef<AccountKind>,
    flags: AccountFlags,
    declared: Vec<Arc<str>>,
}

impl Account {
    /// An account of `kind` (core, or declared by name) with no card, PIN
    /// or registration.
    pub fn new(id: impl Into<String>, kind: impl Into<TermRef<AccountKind>>) -> Self {
        Account { id: id.into(), kind: kind.into(), flags: AccountFlags::empty(), declared: Vec::new() }
    }

    /// Adds facts about the account (`AccountFlags::CASH_CARD | …`).
    #[must_use]
    pub fn with(mut self, flags: AccountFlags) -> Self {
        self.flags |= flags;
        self
    }

    /// Adds an account flag a module declares (`sharing_permitted`), by name.
    #[must_use]
    pub fn with_declared(mut self, flag: &str) -> Self {
        if !self.declared.iter().any(|f| &**f == flag) {
            self.declared.push(flag.into());
        }
        self
    }

    /// The id answers use.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The account kind.
    pub fn kind(&self) -> &TermRef<AccountKind> {
        &self.kind
    }

    /// The declared account flags that hold, by name.
    pub fn declared(&self) -> &[Arc<str>] {
        &self.declared
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
    channel: TermRef<Channel>,
    flags: m::ProviderFlags,
}

impl Default for Provider {
    fn default() -> Self {
        Provider { id: String::new(), channel: TermRef::Core(Channel::InstitutionApi), flags: m::ProviderFlags::empty() }
    }
}

impl Provider {
    /// A provider by id, on the institution's own API, neither designated nor contracted.
    pub fn new(id: impl Into<String>) -> Self {
        Provider { id: id.into(), ..Provider::default() }
    }

    /// The channel it connects through (core, or declared by name).
    #[must_use]
    pub fn channel(mut self, channel: impl Into<TermRef<Channel>>) -> Self {
        self.channel = channel.into();
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
    authorized_declared: Vec<Arc<str>>,
}

impl Default for Consent {
    fn default() -> Self {
        Consent {
            flags: ConsentFlags::empty(),
            authenticated_at: None,
            last_access_at: None,
            registered_at: None,
            authorized: m::FunctionSet::empty(),
            authorized_declared: Vec::new(),
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

    /// A function the customer authorized (認可), core or declared by name.
    #[must_use]
    pub fn authorize(mut self, function: impl Into<TermRef<Function>>) -> Self {
        match function.into() {
            TermRef::Core(f) => self.authorized |= function_flag(f),
            TermRef::Declared(name) => {
                if !self.authorized_declared.contains(&name) {
                    self.authorized_declared.push(name);
                }
            }
        }
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
    facts: Vec<Arc<str>>,
    scope: Option<String>,
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

    /// A fact a module declares holds (`platform_id_registered`), by name.
    pub fn fact(mut self, name: &str) -> Self {
        if !self.facts.iter().any(|f| &**f == name) {
            self.facts.push(name.into());
        }
        self
    }

    /// The named service whose 規定 governs the contract, for institutions
    /// that publish one per service (the module's scope).
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
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
    /// [`DecisionErrorKind::Invalid`](crate::DecisionErrorKind::Invalid) naming the field: no `at` where one is
    /// needed, an empty or repeated account id, a selected id that is not an
    /// account, a time outside the years a policy can compute with.
    pub fn build(self) -> Result<Question, DecisionError> {
        let invalid = |msg: String| DecisionError::invalid(msg);
        let operation = self.operation;
        if self.at.is_none() && operation != Operation::Describe {
            return Err(invalid("field `at` is required (the time the decision is for)".into()));
        }
        if matches!(self.target, Target::Institution(_)) && self.at.is_none() {
            return Err(invalid("field `at` is required to pick the variant of `institution` in force".into()));
        }
        let mut req = blank();
        let mut declared = Declared::default();
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
            let kind = match a.kind {
                TermRef::Core(k) => m::KindRef::Core(k),
                TermRef::Declared(name) => {
                    declared.kinds.push((i, name));
                    m::KindRef::Undeclared
                }
            };
            if !a.declared.is_empty() {
                declared.flags.push((i, a.declared));
            }
            req.accounts.push(m::Account { kind, flags: a.flags, extension_flags: 0 });
            account_ids.push(a.id);
        }
        req.selected = match self.selected {
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
        let p = self.provider;
        req.provider_id = p.id;
        req.provider_channel = match p.channel {
            TermRef::Core(c) => m::ChannelRef::Core(c),
            TermRef::Declared(name) => {
                declared.channel = Some(name);
                m::ChannelRef::Undeclared
            }
        };
        req.provider = p.flags;
        let c = self.consent;
        req.consent = c.flags;
        req.authenticated_at = c.authenticated_at.map(|t| checked("consent.authenticated_at", t)).transpose()?;
        req.last_access_at = c.last_access_at.map(|t| checked("consent.last_access_at", t)).transpose()?;
        req.registered_at = c.registered_at.map(|t| checked("consent.registered_at", t)).transpose()?;
        req.authorized_functions = c.authorized;
        declared.authorized = c.authorized_declared;
        declared.facts = self.facts;
        req.service = self.service;
        match &operation {
            Operation::Authorize { function } => {
                req.function = Some(match function {
                    TermRef::Core(f) => m::FunctionRef::Core(*f),
                    TermRef::Declared(name) => {
                        declared.asked = Some((TermKind::Function, name.clone()));
                        m::FunctionRef::Undeclared
                    }
                })
            }
            Operation::Liability { event, institution_at_fault } => {
                req.loss_event = Some(match event {
                    TermRef::Core(e) => m::LossEventRef::Core(*e),
                    TermRef::Declared(name) => {
                        declared.asked = Some((TermKind::LossEvent, name.clone()));
                        m::LossEventRef::Undeclared
                    }
                });
                req.institution_at_fault = *institution_at_fault;
            }
            Operation::Incident { kind } => {
                req.incident_kind = Some(match kind {
                    TermRef::Core(k) => m::IncidentKindRef::Core(*k),
                    TermRef::Declared(name) => {
                        declared.asked = Some((TermKind::IncidentKind, name.clone()));
                        m::IncidentKindRef::Undeclared
                    }
                })
            }
            Operation::Describe | Operation::Eligibility | Operation::Accounts | Operation::Token => {}
        }
        let declared = (!declared.is_empty()).then(|| Box::new(declared));
        Ok(Question { target: self.target, operation, at: self.at, account_ids, request: req, declared, scope: self.scope })
    }
}

/// The terms of a question that some module declares, by name, and where
/// each goes in the request: kept until the module asked is known.
#[derive(Clone, Debug, Default, PartialEq)]
struct Declared {
    /// declared facts that hold
    facts: Vec<Arc<str>>,
    /// (account index, its declared kind)
    kinds: Vec<(usize, Arc<str>)>,
    /// (account index, its declared flags)
    flags: Vec<(usize, Vec<Arc<str>>)>,
    channel: Option<Arc<str>>,
    /// declared functions the customer authorized
    authorized: Vec<Arc<str>>,
    /// the operation's declared subject: a function, loss event or incident kind
    asked: Option<(TermKind, Arc<str>)>,
}

impl Declared {
    fn is_empty(&self) -> bool {
        self.facts.is_empty() && self.kinds.is_empty() && self.flags.is_empty() && self.channel.is_none() && self.authorized.is_empty() && self.asked.is_none()
    }

    /// Every declared name with the field it is in and the kinds it may be.
    fn names(&self) -> Vec<(String, &str, &'static [TermKind])> {
        let mut out: Vec<(String, &str, &'static [TermKind])> = Vec::new();
        out.extend(self.facts.iter().map(|f| (format!("facts.{f}"), &**f, &FACT_KINDS[..])));
        out.extend(self.kinds.iter().map(|(i, k)| (format!("customer.accounts[{i}].kind"), &**k, &[TermKind::AccountKind][..])));
        for (i, flags) in &self.flags {
            out.extend(flags.iter().map(|f| (format!("customer.accounts[{i}].{f}"), &**f, &[TermKind::AccountFlag][..])));
        }
        out.extend(self.channel.iter().map(|c| ("provider.channel".to_string(), &**c, &[TermKind::Channel][..])));
        out.extend(self.authorized.iter().map(|f| ("consent.authorized_functions".to_string(), &**f, &[TermKind::Function][..])));
        if let Some((kind, name)) = &self.asked {
            let (field, kinds): (&str, &'static [TermKind]) = match kind {
                TermKind::Function => ("function", &[TermKind::Function]),
                TermKind::LossEvent => ("incident.loss_event", &[TermKind::LossEvent]),
                _ => ("incident.kind", &[TermKind::IncidentKind]),
            };
            out.push((field.to_string(), name, kinds));
        }
        out
    }

    /// The request in one module's terms: each declared name at the
    /// module's position for it, or undeclared.
    fn resolve(&self, terms: &ModuleTerms, req: &mut m::Request) {
        for f in &self.facts {
            if let Some(p) = terms.position(f, &FACT_KINDS) {
                req.extension_facts |= 1 << p;
            }
        }
        for (i, k) in &self.kinds {
            req.accounts[*i].kind = terms.position(k, &[TermKind::AccountKind]).map_or(m::KindRef::Undeclared, m::KindRef::Extension);
        }
        for (i, flags) in &self.flags {
            for f in flags {
                if let Some(p) = terms.position(f, &[TermKind::AccountFlag]) {
                    req.accounts[*i].extension_flags |= 1 << p;
                }
            }
        }
        if let Some(c) = &self.channel {
            req.provider_channel = terms.position(c, &[TermKind::Channel]).map_or(m::ChannelRef::Undeclared, m::ChannelRef::Extension);
        }
        for f in &self.authorized {
            if let Some(p) = terms.position(f, &[TermKind::Function]) {
                req.extension_authorized |= 1 << p;
            }
        }
        if let Some((kind, name)) = &self.asked {
            let p = terms.position(name, &[*kind]);
            match kind {
                TermKind::Function => req.function = Some(p.map_or(m::FunctionRef::Undeclared, m::FunctionRef::Extension)),
                TermKind::LossEvent => req.loss_event = Some(p.map_or(m::LossEventRef::Undeclared, m::LossEventRef::Extension)),
                _ => req.incident_kind = Some(p.map_or(m::IncidentKindRef::Undeclared, m::IncidentKindRef::Extension)),
            }
        }
    }
}

/// The years a question's times may be written in.
pub(crate) const YEARS: std::ops::RangeInclusive<i32> = 1678..=2261;

/// A time as a policy takes it, refused outside the years it can compute with.
///
/// The years are counted as the time is written (its own offset): 1678 to
/// 2261, exactly what the OpenAPI document's pattern for a timestamp says,
/// and always inside the nanosecond range a policy computes with.
fn checked(field: &str, t: DateTime<FixedOffset>) -> Result<m::Timestamp, DecisionError> {
    use chrono::Datelike;
    let ts = to_timestamp(t);
    if instant_in_range(&ts) && YEARS.contains(&t.year()) {
        Ok(ts)
    } else {
        Err(DecisionError::invalid(format!("field `{field}`: timestamp `{}` {}", t.to_rfc3339(), kitei_sdk::model::OUT_OF_RANGE)))
    }
}

/// A checked question, ready for [`Registry::decide`](crate::Registry::decide).
#[derive(Clone, Debug)]
pub struct Question {
    target: Target,
    operation: Operation,
    at: Option<DateTime<FixedOffset>>,
    account_ids: Vec<String>,
    /// the core facts; declared terms are undeclared here until resolved
    request: m::Request,
    declared: Option<Box<Declared>>,
    scope: Option<String>,
}

impl Question {
    /// Starts a question for `target`: the customer, provider and consent
    /// default to api.md's defaults (no facts, both services open).
    ///
    /// ```
    /// use kitei::types::{AccountKind, Function};
    /// use kitei::{Account, Operation, Question, Target};
    /// let at = kitei::time::parse_timestamp("2023-07-03T10:00:00+09:00").unwrap();
    /// let q = Question::builder(Target::Institution("toyama".into()), Operation::Authorize { function: Function::Balance.into() })
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
            facts: Vec::new(),
            scope: None,
        }
    }

    /// Reads api.md's request JSON strictly: unknown fields, wrong enum
    /// values and bad timestamps are errors naming the field
    /// (`customer.accounts[0].kind`).
    ///
    /// # Errors
    /// [`DecisionErrorKind::Malformed`](crate::DecisionErrorKind::Malformed) for text that is not JSON,
    /// [`DecisionErrorKind::Invalid`](crate::DecisionErrorKind::Invalid) naming the field for the wrong shape.
    pub fn from_json(body: &[u8]) -> Result<Self, DecisionError> {
        json::parse(body)
    }

    /// As [`Question::from_json`], for a request already parsed as a JSON value.
    ///
    /// # Errors
    /// As [`Question::from_json`].
    pub fn from_value(value: &serde_json::Value) -> Result<Self, DecisionError> {
        let bytes = serde_json::to_vec(value).map_err(|e| DecisionError::malformed(e.to_string()))?;
        json::parse(&bytes)
    }

    /// Which policy it is for.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// What is asked.
    pub fn operation(&self) -> &Operation {
        &self.operation
    }

    /// The time the decision is for.
    pub fn at(&self) -> Option<DateTime<FixedOffset>> {
        self.at
    }

    /// The id of every account, in the order given.
    pub fn account_ids(&self) -> &[String] {
        &self.account_ids
    }

    /// The facts in the core vocabulary (the SDK's request model): a term
    /// some module declares is undeclared here ([`Question::request_for`]
    /// puts it in one module's terms).
    pub fn request(&self) -> &m::Request {
        &self.request
    }

    /// The kind of the account at `index` in the question, by name.
    pub fn account_kind(&self, index: usize) -> Option<TermRef<AccountKind>> {
        match self.request.accounts.get(index)?.kind {
            m::KindRef::Core(k) => Some(TermRef::Core(k)),
            _ => self.declared.as_ref()?.kinds.iter().find(|(i, _)| *i == index).map(|(_, name)| TermRef::Declared(name.clone())),
        }
    }

    /// The named service whose 規定 governs the contract, if given.
    pub fn scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }

    /// Whether the question names a term some module declares.
    pub fn uses_declared_terms(&self) -> bool {
        self.declared.is_some()
    }

    /// The facts as the policy `info` describes takes them: each declared
    /// term at that module's position for it, or undeclared when the
    /// module does not declare it (its own text answers then). Borrowed
    /// when the question names no declared term.
    pub fn request_for(&self, info: &PolicyInfo) -> Cow<'_, m::Request> {
        match &self.declared {
            None => Cow::Borrowed(&self.request),
            Some(d) => {
                let mut req = self.request.clone();
                d.resolve(&info.terms, &mut req);
                Cow::Owned(req)
            }
        }
    }

    /// Checks that every declared term the question names is declared so
    /// by a loaded module.
    ///
    /// # Errors
    /// [`DecisionErrorKind::Invalid`](crate::DecisionErrorKind::Invalid) naming the field and the term.
    pub fn check_terms(&self, vocabulary: &Vocabulary) -> Result<(), DecisionError> {
        let Some(d) = &self.declared else { return Ok(()) };
        for (field, name, kinds) in d.names() {
            vocabulary.check(&field, name, kinds).map_err(|e| DecisionError::invalid(e.to_string()))?;
        }
        Ok(())
    }

    /// The declared terms the question names, as `(kind, name)`.
    pub fn declared_terms(&self) -> Vec<(TermKind, String)> {
        let Some(d) = &self.declared else { return Vec::new() };
        d.names().into_iter().map(|(_, name, kinds)| (kinds[0], name.to_string())).collect()
    }
}
