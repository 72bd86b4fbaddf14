//! `kitei matrix`: every variant side by side, rule by rule. Each cell is
//! the module's own answer to a canonical request (never read from source),
//! with the clauses it cites; `unspecified` answers are shown as such.

use crate::diff::answer::{Cited, answer, cite_labels};
use crate::diff::compare::NOT_IN_TEXT;
use crate::diff::generate::{AccountCase, Case};
use crate::diff::{DiffError, Module};
use chrono::{DateTime, FixedOffset};
use kitei::types::{AccountKind, Function, IncidentKind, LossEvent};
use kitei::{Answer, Body, LoadedPolicy};
use kitei::{OperationName, Wire};
use kitei::{Question, SettingName};
use std::sync::Arc;

/// One answer: the outcome, and the clauses cited (`✗`: not met).
#[derive(Clone, Debug, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[allow(missing_docs, reason = "a doc comment here becomes a description in the OpenAPI document, which stays byte-identical")]
#[cfg_attr(feature = "openapi", schema(as = MatrixCell))]
pub struct Cell {
    pub value: String,
    pub cites: Vec<String>,
}

#[allow(missing_docs, reason = "a doc comment here becomes a description in the OpenAPI document, which stays byte-identical")]
#[derive(Clone, Debug, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = MatrixRow))]
pub struct Row {
    pub label: String,
    /// one per variant, in [`Matrix::variants`] order
    pub cells: Vec<Cell>,
}

#[allow(missing_docs, reason = "a doc comment here becomes a description in the OpenAPI document, which stays byte-identical")]
#[derive(Clone, Debug, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = MatrixSection))]
pub struct Section {
    pub title: String,
    /// the canonical request the rows vary, in words
    pub note: String,
    pub rows: Vec<Row>,
}
#[allow(missing_docs, reason = "a doc comment here becomes a description in the OpenAPI document, which stays byte-identical")]
#[derive(Clone, Debug, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Matrix {
    pub at: String,
    pub variants: Vec<Module>,
    pub sections: Vec<Section>,
}

fn full_account(kind: AccountKind) -> AccountCase {
    AccountCase { kind, cash_card: true, loan_card: true, pin_registered: true, internet_banking_registered: true }
}

/// Every eligibility fact, and an ordinary account with cash card, PIN and IB registration.
fn baseline(op: OperationName) -> Case {
    Case {
        account: Some(AccountCase { loan_card: false, ..full_account(AccountKind::Ordinary) }),
        function: Some(kitei::types::Function::Balance),
        function_authorized: true,
        authenticated_days_ago: Some(1),
        ..Case::eligible(op)
    }
}

struct Ask<'a> {
    policies: &'a [Arc<dyn LoadedPolicy>],
    at: DateTime<FixedOffset>,
}

impl Ask<'_> {
    fn decide(&self, p: &dyn LoadedPolicy, facts: &Case) -> Result<Answer, DiffError> {
        let request = facts.to_json(p.info().variant(), self.at);
        let question = Question::from_value(&request).map_err(|e| DiffError::Generator(format!("{request}: {e}")))?;
        Ok(p.decide(&question)?)
    }

    /// A row of whole answers.
    fn row(&self, label: impl Into<String>, facts: &Case) -> Result<Row, DiffError> {
        let mut cells = Vec::new();
        for p in self.policies {
            let a = answer(&self.decide(p.as_ref(), facts)?);
            let cites = a.cites.iter().map(Cited::label).collect();
            cells.push(Cell { value: a.outcome, cites });
        }
        Ok(Row { label: label.into(), cells })
    }

    /// An `authorize` row citing only what eligibility does not.
    fn authorize_row(&self, label: impl Into<String>, facts: &Case) -> Result<Row, DiffError> {
        let mut cells = Vec::new();
        let elig = Case { operation: OperationName::Eligibility, ..facts.clone() };
        for p in self.policies {
            let a = answer(&self.decide(p.as_ref(), facts)?);
            let e = answer(&self.decide(p.as_ref(), &elig)?);
            let cites = a.cites.iter().filter(|c| !e.cites.contains(c)).map(Cited::label).collect();
            cells.push(Cell { value: a.outcome, cites });
        }
        Ok(Row { label: label.into(), cells })
    }

    fn incident_rows(&self, kind: IncidentKind) -> Result<Vec<Row>, DiffError> {
        let facts = Case { incident: Some(kind), ..Case::blank(OperationName::Incident) };
        let mut rows: Vec<Row> =
            ["disclosure", "chained", "suspension"].iter().map(|part| Row { label: format!("{} — {part}", kind.wire()), cells: Vec::new() }).collect();
        for p in self.policies {
            let answer = self.decide(p.as_ref(), &facts)?;
            let Body::Incident(v) = answer.body() else {
                return Err(DiffError::Policy { variant: p.info().variant().into(), message: "incident answered with another operation".into() });
            };
            for (row, perm) in rows.iter_mut().zip([&v.disclosure, &v.chained, &v.suspension]) {
                row.cells.push(Cell { value: perm.ruling.wire().into(), cites: cite_labels(&perm.reasons) });
            }
        }
        Ok(rows)
    }
}

fn section(title: &str, note: &str, rows: Vec<Row>) -> Section {
    Section { title: title.into(), note: note.into(), rows }
}

/// Asks every policy the canonical questions.
///
/// # Errors
/// A [`DiffError`] when a module fails.
pub fn matrix(policies: &[Arc<dyn LoadedPolicy>], at: DateTime<FixedOffset>) -> Result<Matrix, DiffError> {
    let ask = Ask { policies, at };
    let mut sections = Vec::new();

    let e = baseline(OperationName::Eligibility);
    let no_card = Some(AccountCase { cash_card: false, pin_registered: false, ..full_account(AccountKind::Ordinary) });
    let mut rows = vec![ask.row("all facts", &e)?];
    let without: [(&str, Case); 9] = [
        ("without IB contract", Case { internet_banking_contract: false, ..e.clone() }),
        ("without cash card (ordinary, IB-registered)", Case { account: no_card, ..e.clone() }),
        ("without IB contract or cash card", Case { internet_banking_contract: false, account: no_card, ..e.clone() }),
        ("without provider contract", Case { provider_contract: false, ..e.clone() }),
        ("provider not designated", Case { provider_designated: false, ..e.clone() }),
        ("terms not agreed", Case { agreed_to_terms: false, ..e.clone() }),
        ("API auth not completed", Case { api_auth_completed: false, ..e.clone() }),
        ("corporate customer", Case { corporate: true, ..e.clone() }),
        ("without direct banking", Case { direct_banking_registered: false, ..e.clone() }),
    ];
    for (label, f) in &without {
        rows.push(ask.row(*label, f)?);
    }
    sections.push(section("eligibility", "every fact true, an ordinary account with cash card, PIN and IB registration; each row removes one", rows));

    let mut rows = Vec::new();
    for kind in AccountKind::ALL {
        for anser_api in [false, true] {
            let f = Case { account: Some(full_account(kind)), anser_api, ..Case::blank(OperationName::Accounts) };
            let channel = if anser_api { "anser_api" } else { "institution_api" };
            rows.push(ask.row(format!("{} @ {channel}", kind.wire()), &f)?);
        }
        let bare = AccountCase { kind, cash_card: false, loan_card: false, pin_registered: false, internet_banking_registered: false };
        let f = Case { account: Some(bare), ..Case::blank(OperationName::Accounts) };
        rows.push(ask.row(format!("{} @ institution_api, no card, not IB-registered", kind.wire()), &f)?);
    }
    sections.push(section("accounts × channel", "one account with cash card, loan card, PIN and IB registration, unless the row says otherwise", rows));

    let mut rows = Vec::new();
    let a = baseline(OperationName::Authorize);
    for function in Function::ALL {
        for kind in AccountKind::ALL {
            let f = Case { function: Some(function), account: Some(full_account(kind)), ..a.clone() };
            rows.push(ask.authorize_row(format!("{} on {}", function.wire(), kind.wire()), &f)?);
        }
    }
    rows.push(ask.authorize_row("balance on ordinary, not authorized by the customer", &Case { function_authorized: false, ..a.clone() })?);
    sections.push(section(
        "functions",
        "authorize, every eligibility fact true, the function authorized, authenticated a day before; cites beyond eligibility",
        rows,
    ));

    let mut rows = Vec::new();
    for (ib, api) in [(true, true), (true, false), (false, true), (false, false)] {
        let label = format!("IB {} / API {}", if ib { "open" } else { "closed" }, if api { "open" } else { "closed" });
        rows.push(ask.authorize_row(label, &Case { internet_banking_open: ib, api_open: api, ..a.clone() })?);
    }
    sections.push(section("service windows", "authorize balance on an ordinary account, every eligibility fact true", rows));

    let mut rows =
        vec![Row { label: "settings in force".into(), cells: policies.iter().map(|p| Cell { value: settings_text(p.as_ref()), cites: Vec::new() }).collect() }];
    for days in [1, 30, 89, 90, 91, 180, 365] {
        let f = Case { authenticated_days_ago: Some(days), ..Case::blank(OperationName::Token) };
        rows.push(ask.row(format!("authenticated {days} days before"), &f)?);
    }
    rows.push(ask.row("never authenticated", &Case::blank(OperationName::Token))?);
    sections.push(section("token periods", "token, no last access; settings from the policy directory", rows));

    let mut rows = Vec::new();
    for event in LossEvent::ALL {
        for at_fault in [false, true] {
            let f = Case { loss_event: Some(event), institution_at_fault: at_fault, ..Case::blank(OperationName::Liability) };
            let label = if at_fault { format!("{} (institution at fault)", event.wire()) } else { event.wire().to_string() };
            rows.push(ask.row(label, &f)?);
        }
    }
    sections.push(section("liability", "ruling per party; ✗ marks an exemption that does not apply", rows));

    let mut rows = Vec::new();
    for kind in IncidentKind::ALL {
        rows.extend(ask.incident_rows(kind)?);
    }
    sections.push(section("incidents", "disclosure to the provider, its extension to chained providers, suspension by the institution", rows));

    if let Some(terms) = terms_section(policies) {
        sections.push(terms);
    }

    let variants = policies.iter().map(|p| Module::of(p.info())).collect();
    Ok(Matrix { at: at.to_rfc3339(), variants, sections })
}

fn settings_text(p: &dyn LoadedPolicy) -> String {
    let info = p.info();
    let s = &info.settings;
    let parts: Vec<String> = info
        .metadata
        .settings_used
        .iter()
        .filter(|n| n.ends_with("_days"))
        .map(|n| {
            let v = SettingName::from_name(n).and_then(|name| name.days(s));
            format!("{n} = {}", v.map_or("unset".to_string(), |d| d.to_string()))
        })
        .collect();
    if parts.is_empty() { "none".into() } else { parts.join(", ") }
}

/// The terms the modules declare (contract 0.4), one row per term, each
/// cell the variant's word for it and the clause introducing it, or
/// [`NOT_IN_TEXT`]; `None` when no module declares any.
fn terms_section(policies: &[Arc<dyn LoadedPolicy>]) -> Option<Section> {
    use std::collections::BTreeSet;
    let all: BTreeSet<(&str, &str)> = policies.iter().flat_map(|p| p.info().metadata.terms.iter().map(|t| (t.kind.wire(), t.name.as_str()))).collect();
    if all.is_empty() {
        return None;
    }
    let rows = all
        .into_iter()
        .map(|(kind, name)| Row {
            label: format!("{kind} {name}"),
            cells: policies
                .iter()
                .map(|p| {
                    let md = &p.info().metadata;
                    match md.terms.iter().find(|t| t.kind.wire() == kind && t.name == name) {
                        Some(t) => Cell {
                            value: format!("{} ({})", t.ja, t.summary),
                            cites: md.rules.get(t.rule as usize).map(|r| kitei::cite(&r.clause)).into_iter().collect(),
                        },
                        None => Cell { value: NOT_IN_TEXT.into(), cites: Vec::new() },
                    }
                })
                .collect(),
        })
        .collect();
    Some(section("declared terms", "the terms each module declares beyond the core vocabulary, with the clause introducing it", rows))
}
