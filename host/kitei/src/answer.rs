//! An answer: the typed form of api.md's response, every reason cited.
//!
//! A policy answers with rule indices; [`Answer`] expands each to its
//! [`CitedRule`] (clause, provenance, the source sentence), shared with the
//! policy's rule sheet rather than copied. Its `Serialize` is api.md's JSON.

use crate::clock::{from_timestamp, rfc3339};
use crate::error::DecisionError;
use crate::policy::{Outcome, PolicyInfo};
use crate::question::Question;
use crate::vocab::{OperationName, Wire};
use crate::vocabulary::TermRef;
use chrono::{DateTime, FixedOffset};
use kitei_sdk::types as m;
use kitei_sdk::types::{AccountKind, Clause, Decision, LiabilityRuling, Party, PermissionRuling, Provenance, TermKind, TokenStatus};
use serde::Serialize;
use serde::ser::{SerializeMap, SerializeStruct, Serializer};
use std::sync::Arc;

/// A rule of a policy's sheet, with its citation written out once at load.
#[derive(Clone, Debug, PartialEq)]
pub struct CitedRule {
    /// where it stands in the text
    pub clause: Clause,
    /// `第2条第2項第3号`, `注意事項・3`
    pub cite: String,
    /// how the rule relates to the text
    pub provenance: Provenance,
    /// the source sentence, verbatim Japanese
    pub text: String,
    /// one line of English
    pub summary: String,
    /// the reason code when the rule's condition holds
    pub code_met: String,
    /// the reason code when it does not
    pub code_unmet: String,
}

impl CitedRule {
    pub(crate) fn new(rule: &m::Rule) -> Self {
        CitedRule {
            cite: cite(&rule.clause),
            clause: rule.clause.clone(),
            provenance: rule.provenance,
            text: rule.text.clone(),
            summary: rule.summary.clone(),
            code_met: rule.code_met.clone(),
            code_unmet: rule.code_unmet.clone(),
        }
    }
}

/// The human form of a clause: `第2条第2項第3号`, `注意事項・3`.
pub fn cite(c: &Clause) -> String {
    kitei_sdk::rule::cite(c.article, c.paragraph, c.item, c.section.as_deref())
}

/// A clause as api.md writes it: only the parts that are set.
struct ClauseJson<'a>(&'a Clause);

impl Serialize for ClauseJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let c = self.0;
        let mut o = s.serialize_map(None)?;
        for (k, v) in [("article", c.article), ("paragraph", c.paragraph), ("item", c.item)] {
            if let Some(v) = v {
                o.serialize_entry(k, &v)?;
            }
        }
        if let Some(section) = &c.section {
            o.serialize_entry("section", section)?;
        }
        o.end()
    }
}

/// The rule as `describe` lists it.
impl Serialize for CitedRule {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut o = s.serialize_struct("Rule", 7)?;
        o.serialize_field("cite", &self.cite)?;
        o.serialize_field("clause", &ClauseJson(&self.clause))?;
        o.serialize_field("provenance", self.provenance.wire())?;
        o.serialize_field("text", &self.text)?;
        o.serialize_field("summary", &self.summary)?;
        o.serialize_field("code_met", &self.code_met)?;
        o.serialize_field("code_unmet", &self.code_unmet)?;
        o.end()
    }
}

/// Why: a rule of the sheet, and whether its condition held.
#[derive(Clone, Debug, PartialEq)]
pub struct Reason {
    rule: Arc<CitedRule>,
    met: bool,
    index: u16,
}

impl Reason {
    /// The reason code (`account_kind_not_linkable`).
    pub fn code(&self) -> &str {
        if self.met { &self.rule.code_met } else { &self.rule.code_unmet }
    }

    /// Whether the rule's condition held.
    pub fn met(&self) -> bool {
        self.met
    }

    /// The rule cited, with its clause, provenance and text.
    pub fn rule(&self) -> &CitedRule {
        &self.rule
    }

    /// `第2条第2項第3号`.
    pub fn cite(&self) -> &str {
        &self.rule.cite
    }

    /// The rule's place in the answering module's sheet
    /// ([`PolicyInfo::metadata`]`.rules`), as the module gave it.
    pub fn index(&self) -> u16 {
        self.index
    }
}

impl Serialize for Reason {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut o = s.serialize_struct("Reason", 5)?;
        o.serialize_field("code", self.code())?;
        o.serialize_field("clause", &ClauseJson(&self.rule.clause))?;
        o.serialize_field("cite", &self.rule.cite)?;
        o.serialize_field("provenance", self.rule.provenance.wire())?;
        o.serialize_field("text", &self.rule.text)?;
        o.end()
    }
}

/// Serializes an enum of the contract by its wire name.
fn wire<T: Wire, S: Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(v.wire())
}

/// `permit` or `deny`, and why.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EligibilityAnswer {
    /// the decision
    #[serde(serialize_with = "wire")]
    pub decision: Decision,
    /// every condition, met or not
    pub reasons: Vec<Reason>,
}

/// Whether one account can be linked.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AccountAnswer {
    /// the account's id in the question
    pub id: String,
    /// its kind (core, or declared by a module)
    pub kind: TermRef<AccountKind>,
    /// whether it can be linked
    pub linkable: bool,
    /// why
    pub reasons: Vec<Reason>,
}

/// The whole decision for one function.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AuthorizeAnswer {
    /// the decision
    #[serde(serialize_with = "wire")]
    pub decision: Decision,
    /// eligibility, account, function, authorization, window and token rules
    pub reasons: Vec<Reason>,
    /// the authentication's validity
    pub token: TokenAnswer,
}

/// Whether the authentication is still valid.
#[derive(Clone, Debug, PartialEq)]
pub struct TokenAnswer {
    /// valid, expired or unspecified
    pub status: TokenStatus,
    /// when it expires, in the offset of the question's `at`
    pub expires_at: Option<DateTime<FixedOffset>>,
    /// why
    pub reasons: Vec<Reason>,
}

impl Serialize for TokenAnswer {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut o = s.serialize_struct("Token", 3)?;
        o.serialize_field("status", self.status.wire())?;
        o.serialize_field("expires_at", &self.expires_at.as_ref().map(rfc3339))?;
        o.serialize_field("reasons", &self.reasons)?;
        o.end()
    }
}

/// Who bears a loss.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PartyAnswer {
    /// the party (core, or declared by the module)
    pub party: TermRef<Party>,
    /// what the text says of it (core, or a ruling the module declares)
    pub ruling: TermRef<LiabilityRuling>,
    /// why
    pub reasons: Vec<Reason>,
}

/// What the institution may do.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PermissionAnswer {
    /// permitted, not permitted or unspecified
    #[serde(serialize_with = "wire")]
    pub ruling: PermissionRuling,
    /// why
    pub reasons: Vec<Reason>,
}

/// What the institution may do after an incident.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IncidentAnswer {
    /// disclose information to the provider
    pub disclosure: PermissionAnswer,
    /// extend that to chained providers
    pub chained: PermissionAnswer,
    /// suspend the service
    pub suspension: PermissionAnswer,
}

/// The answer of each operation.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Body {
    /// the policy's metadata and rule sheet
    Describe(Box<PolicyInfo>),
    /// `eligibility`
    Eligibility(EligibilityAnswer),
    /// `accounts`, one per account in the question
    Accounts(Vec<AccountAnswer>),
    /// `authorize`
    Authorize(AuthorizeAnswer),
    /// `token`
    Token(TokenAnswer),
    /// `liability`, one per party the variant names
    Liability(Vec<PartyAnswer>),
    /// `incident`
    Incident(IncidentAnswer),
}

/// The module that answered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PolicyRef {
    /// `toyama-2023`
    pub variant: String,
    /// `toyama`
    pub institution: String,
    /// the text's version
    pub version: String,
    /// hex sha256 of the module's bytes (`native` for a linked crate)
    pub sha256: String,
}

/// A decided question.
#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    policy: Arc<PolicyRef>,
    operation: OperationName,
    body: Body,
}

impl Answer {
    /// The module that answered.
    pub fn policy(&self) -> &PolicyRef {
        &self.policy
    }

    /// The operation answered.
    pub fn operation(&self) -> OperationName {
        self.operation
    }

    /// The operation's answer.
    pub fn body(&self) -> &Body {
        &self.body
    }

    /// The decision, for the operations that make one (`eligibility`, `authorize`).
    pub fn decision(&self) -> Option<Decision> {
        match &self.body {
            Body::Eligibility(v) => Some(v.decision),
            Body::Authorize(a) => Some(a.decision),
            _ => None,
        }
    }

    /// Every reason of the answer, in the order api.md's JSON lists them
    /// (none for `describe`, whose sheet is not a reason).
    pub fn reasons(&self) -> Vec<&Reason> {
        let mut out = Vec::new();
        match &self.body {
            Body::Describe(_) => {}
            Body::Eligibility(v) => out.extend(&v.reasons),
            Body::Accounts(list) => list.iter().for_each(|a| out.extend(&a.reasons)),
            Body::Authorize(a) => {
                out.extend(&a.reasons);
                out.extend(&a.token.reasons);
            }
            Body::Token(t) => out.extend(&t.reasons),
            Body::Liability(list) => list.iter().for_each(|p| out.extend(&p.reasons)),
            Body::Incident(v) => {
                for p in [&v.disclosure, &v.chained, &v.suspension] {
                    out.extend(&p.reasons);
                }
            }
        }
        out
    }

    /// What the answer decided, on one line and without its reasons (how
    /// `kitei diff`, `kitei replay --against` and shadow evaluation compare
    /// two answers): `permit`; one `linkable` or `not linkable` per
    /// account, comma-separated; `permit, token valid`; `token expired`;
    /// `institution not_liable; provider liable` (each party and its
    /// ruling); `disclosure permitted; chained unspecified; suspension
    /// permitted`; empty for `describe`.
    pub fn verdict(&self) -> String {
        match &self.body {
            Body::Describe(_) => String::new(),
            Body::Eligibility(v) => v.decision.wire().to_string(),
            Body::Accounts(list) => list.iter().map(|a| if a.linkable { "linkable" } else { "not linkable" }).collect::<Vec<_>>().join(", "),
            Body::Authorize(a) => format!("{}, token {}", a.decision.wire(), a.token.status.wire()),
            Body::Token(t) => format!("token {}", t.status.wire()),
            Body::Liability(list) => list.iter().map(|p| format!("{} {}", p.party.wire(), p.ruling.wire())).collect::<Vec<_>>().join("; "),
            Body::Incident(v) => {
                format!("disclosure {}; chained {}; suspension {}", v.disclosure.ruling.wire(), v.chained.ruling.wire(), v.suspension.ruling.wire())
            }
        }
    }

    /// api.md's JSON as a value.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_else(|e| unreachable!("an answer always serializes: {e}"))
    }

    /// Expands a policy's outcome for a question into an answer.
    ///
    /// # Errors
    /// [`DecisionErrorKind::PolicyFailed`](crate::DecisionErrorKind::PolicyFailed) when the module's answer does not fit
    /// its own sheet or the question (fail closed).
    pub(crate) fn new(info: &PolicyInfo, question: &Question, outcome: Outcome) -> Result<Self, DecisionError> {
        let x = Expand { info };
        let body = match outcome {
            Outcome::Describe => Body::Describe(Box::new(info.clone())),
            Outcome::Eligibility(v) => Body::Eligibility(EligibilityAnswer { decision: v.decision, reasons: x.reasons(&v.reasons)? }),
            Outcome::Accounts(list) => {
                let mut accounts = Vec::with_capacity(list.len());
                for a in list {
                    let i = a.index as usize;
                    let (Some(id), Some(kind)) = (question.account_ids().get(i), question.account_kind(i)) else {
                        return Err(x.fail(format!("answered for account index {i}, which the request does not have")));
                    };
                    accounts.push(AccountAnswer { id: id.clone(), kind, linkable: a.linkable, reasons: x.reasons(&a.reasons)? });
                }
                Body::Accounts(accounts)
            }
            Outcome::Authorize(a) => Body::Authorize(AuthorizeAnswer { decision: a.decision, reasons: x.reasons(&a.reasons)?, token: x.token(&a.token)? }),
            Outcome::Token(t) => Body::Token(x.token(&t)?),
            Outcome::Liability(list) => Body::Liability(
                list.iter()
                    .map(|p| Ok(PartyAnswer { party: x.party(p.party)?, ruling: x.ruling(p.ruling)?, reasons: x.reasons(&p.reasons)? }))
                    .collect::<Result<_, DecisionError>>()?,
            ),
            Outcome::Incident(v) => Body::Incident(IncidentAnswer {
                disclosure: x.permission(&v.disclosure)?,
                chained: x.permission(&v.chained)?,
                suspension: x.permission(&v.suspension)?,
            }),
        };
        Ok(Answer { policy: info.reference.clone(), operation: question.operation().name(), body })
    }
}

struct Expand<'a> {
    info: &'a PolicyInfo,
}

impl Expand<'_> {
    fn fail(&self, message: String) -> DecisionError {
        DecisionError::policy_failed(self.info.variant(), message)
    }

    /// A reason; a rule index outside the sheet is the module's failure.
    fn reason(&self, r: &m::Reason) -> Result<Reason, DecisionError> {
        let sheet = &self.info.sheet;
        let rule = sheet.get(r.rule as usize).ok_or_else(|| self.fail(format!("reason cites rule {} but the sheet has {}", r.rule, sheet.len())))?;
        Ok(Reason { rule: rule.clone(), met: r.met, index: r.rule })
    }

    fn reasons(&self, rs: &[m::Reason]) -> Result<Vec<Reason>, DecisionError> {
        rs.iter().map(|r| self.reason(r)).collect()
    }

    fn token(&self, t: &m::TokenVerdict) -> Result<TokenAnswer, DecisionError> {
        let expires_at = match &t.expires_at {
            None => None,
            Some(e) => Some(from_timestamp(e).ok_or_else(|| self.fail(format!("answered an expiry that is not a time: {e:?}")))?),
        };
        Ok(TokenAnswer { status: t.status, expires_at, reasons: self.reasons(&t.reasons)? })
    }

    /// A declared term by its position, as the module's metadata names it.
    fn declared(&self, kind: TermKind, position: u16) -> Result<std::sync::Arc<str>, DecisionError> {
        self.info.terms.name(kind, position).cloned().ok_or_else(|| self.fail(format!("answered with {kind:?} #{position}, which it does not declare")))
    }

    fn party(&self, p: m::PartyRef) -> Result<TermRef<Party>, DecisionError> {
        Ok(match p {
            m::PartyRef::Core(p) => TermRef::Core(p),
            m::PartyRef::Extension(x) => TermRef::Declared(self.declared(TermKind::Party, x)?),
        })
    }

    fn ruling(&self, r: m::LiabilityRulingRef) -> Result<TermRef<LiabilityRuling>, DecisionError> {
        Ok(match r {
            m::LiabilityRulingRef::Core(r) => TermRef::Core(r),
            m::LiabilityRulingRef::Extension(x) => TermRef::Declared(self.declared(TermKind::LiabilityRuling, x)?),
        })
    }

    fn permission(&self, p: &m::Permission) -> Result<PermissionAnswer, DecisionError> {
        Ok(PermissionAnswer { ruling: p.ruling, reasons: self.reasons(&p.reasons)? })
    }
}

impl Serialize for Answer {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut o = s.serialize_map(None)?;
        o.serialize_entry("policy", &*self.policy)?;
        o.serialize_entry("operation", self.operation.wire())?;
        match &self.body {
            Body::Describe(info) => o.serialize_entry("metadata", &Metadata(info))?,
            Body::Eligibility(v) => {
                o.serialize_entry("decision", v.decision.wire())?;
                o.serialize_entry("reasons", &v.reasons)?;
            }
            Body::Accounts(list) => o.serialize_entry("accounts", list)?,
            Body::Authorize(a) => {
                o.serialize_entry("decision", a.decision.wire())?;
                o.serialize_entry("reasons", &a.reasons)?;
                o.serialize_entry("token", &a.token)?;
            }
            Body::Token(t) => o.serialize_entry("token", t)?,
            Body::Liability(list) => o.serialize_entry("liability", list)?,
            Body::Incident(v) => {
                o.serialize_entry("disclosure", &v.disclosure)?;
                o.serialize_entry("chained", &v.chained)?;
                o.serialize_entry("suspension", &v.suspension)?;
            }
        }
        o.end()
    }
}

/// What identifies a loaded variant and when it is in force, with the
/// settings in force: the common part of `describe` and `GET /v1/policies`.
#[derive(Serialize)]
pub struct Summary<'a> {
    variant: &'a str,
    institution: &'a str,
    institution_name: &'a str,
    title: &'a str,
    version: &'a str,
    effective_from: &'a str,
    effective_until: Option<&'a str>,
    settings: crate::settings::SettingsJson<'a>,
}

impl<'a> Summary<'a> {
    /// The summary of a loaded policy.
    pub fn of(info: &'a PolicyInfo) -> Self {
        let md = &info.metadata;
        Summary {
            variant: &md.variant,
            institution: &md.institution,
            institution_name: &md.institution_name,
            title: &md.title,
            version: &md.version,
            effective_from: &md.effective_from,
            effective_until: md.effective_until.as_deref(),
            settings: crate::settings::SettingsJson(&info.settings, &info.terms),
        }
    }
}

/// `describe`'s metadata object: the summary, whose contracts the text
/// governs, the settings the variant reads, its parties, the terms it
/// declares and its rule sheet.
pub struct Metadata<'a>(pub &'a PolicyInfo);

/// A scope as JSON: `every_customer`, `individual`, `corporate`, or
/// `{"service": "<name>"}`.
pub struct ScopeJson<'a>(pub &'a m::Scope);

impl Serialize for ScopeJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            m::Scope::EveryCustomer => s.serialize_str("every_customer"),
            m::Scope::Individual => s.serialize_str("individual"),
            m::Scope::Corporate => s.serialize_str("corporate"),
            m::Scope::Service(name) => {
                let mut o = s.serialize_map(Some(1))?;
                o.serialize_entry("service", name)?;
                o.end()
            }
        }
    }
}

/// A declared term as `describe` lists it: with the cite of the rule that
/// introduces it.
struct TermJson<'a> {
    term: &'a m::Term,
    sheet: &'a [Arc<CitedRule>],
}

impl Serialize for TermJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let t = self.term;
        let mut o = s.serialize_struct("Term", 6)?;
        o.serialize_field("name", &t.name)?;
        o.serialize_field("kind", t.kind.wire())?;
        o.serialize_field("ja", &t.ja)?;
        o.serialize_field("summary", &t.summary)?;
        o.serialize_field("rule", &t.rule)?;
        o.serialize_field("cite", &self.sheet.get(t.rule as usize).map(|r| r.cite.as_str()))?;
        o.end()
    }
}

impl Serialize for Metadata<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Out<'a> {
            #[serde(flatten)]
            summary: Summary<'a>,
            scope: ScopeJson<'a>,
            contract: &'static str,
            settings_used: &'a [String],
            parties: Vec<&'a str>,
            terms: Vec<TermJson<'a>>,
            rules: &'a [Arc<CitedRule>],
        }
        let info = self.0;
        let parties = info
            .metadata
            .parties
            .iter()
            .map(|p| match p {
                m::PartyRef::Core(p) => p.wire(),
                m::PartyRef::Extension(x) => info.terms.name(TermKind::Party, *x).map_or("?", |n| n),
            })
            .collect();
        Out {
            summary: Summary::of(info),
            scope: ScopeJson(&info.metadata.scope),
            contract: info.contract.version(),
            settings_used: &info.metadata.settings_used,
            parties,
            terms: info.metadata.terms.iter().map(|term| TermJson { term, sheet: &info.sheet }).collect(),
            rules: &info.sheet,
        }
        .serialize(s)
    }
}
