//! One module's answer reduced to what a comparison looks at: the outcome
//! (decision, linkable, rulings, token status) and the set of cited clauses.
//!
//! Rule sheets differ per variant, so answers are compared by cite strings
//! (`第2条第2項第3号`) and whether each condition held, never by rule index.

use crate::diff::DiffError;
use kitei::Wire;
use kitei::cite;
use kitei::types as m;
use kitei::{Outcome, PolicyInfo};
use std::collections::BTreeSet;

/// A clause as it sorts in a document: numbered articles first, in order.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClauseKey {
    pub sectioned: bool,
    pub article: Option<u32>,
    pub paragraph: Option<u32>,
    pub item: Option<u32>,
    pub section: Option<String>,
}

impl ClauseKey {
    pub fn of(c: &m::Clause) -> Self {
        ClauseKey { sectioned: c.section.is_some(), article: c.article, paragraph: c.paragraph, item: c.item, section: c.section.clone() }
    }
}

/// A cited clause and whether its condition held (`false`: the reason is
/// a failed condition, or an exemption that does not apply).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cited {
    pub key: ClauseKey,
    pub cite: String,
    pub met: bool,
}

impl Cited {
    /// `第2条第1項 ✗`, `第2条第2項第1号`
    pub fn label(&self) -> String {
        if self.met { self.cite.clone() } else { format!("{} ✗", self.cite) }
    }
}

/// What one module answered to one request.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Reduced {
    /// `permit`, `linkable`, `valid`, `institution not_liable; provider …`
    pub outcome: String,
    pub cites: BTreeSet<Cited>,
    /// the reasons behind `cites` (rule index into the module's sheet, met), for texts
    pub rules: BTreeSet<(u16, bool)>,
}

struct Collect<'a> {
    info: &'a PolicyInfo,
    cites: BTreeSet<Cited>,
    rules: BTreeSet<(u16, bool)>,
}

impl Collect<'_> {
    fn add(&mut self, reasons: &[m::Reason]) -> Result<(), DiffError> {
        for r in reasons {
            let rule = self.info.metadata.rules.get(r.rule as usize).ok_or_else(|| DiffError::Policy {
                variant: self.info.variant().to_string(),
                message: format!("reason cites rule {} but the sheet has {}", r.rule, self.info.metadata.rules.len()),
            })?;
            self.cites.insert(Cited { key: ClauseKey::of(&rule.clause), cite: cite(&rule.clause), met: r.met });
            self.rules.insert((r.rule, r.met));
        }
        Ok(())
    }
}

/// The clauses some reasons cite ([`Cited::label`]), in document order.
///
/// # Errors
/// [`DiffError::Policy`] when a reason names a rule outside the sheet.
pub fn cite_strings(info: &PolicyInfo, reasons: &[m::Reason]) -> Result<Vec<String>, DiffError> {
    let mut c = Collect { info, cites: BTreeSet::new(), rules: BTreeSet::new() };
    c.add(reasons)?;
    Ok(c.cites.iter().map(Cited::label).collect())
}

/// Reduces an outcome to an [`Reduced`].
///
/// # Errors
/// [`DiffError::Policy`] when a reason names a rule outside the sheet.
pub fn answer(info: &PolicyInfo, outcome: &Outcome) -> Result<Reduced, DiffError> {
    let mut c = Collect { info, cites: BTreeSet::new(), rules: BTreeSet::new() };
    let outcome = match outcome {
        Outcome::Describe => String::new(),
        Outcome::Eligibility(v) => {
            c.add(&v.reasons)?;
            v.decision.wire().to_string()
        }
        Outcome::Accounts(list) => {
            let mut parts = Vec::new();
            for a in list {
                c.add(&a.reasons)?;
                parts.push(if a.linkable { "linkable" } else { "not linkable" });
            }
            parts.join(", ")
        }
        Outcome::Authorize(a) => {
            c.add(&a.reasons)?;
            c.add(&a.token.reasons)?;
            format!("{}, token {}", a.decision.wire(), a.token.status.wire())
        }
        Outcome::Token(t) => {
            c.add(&t.reasons)?;
            format!("token {}", t.status.wire())
        }
        Outcome::Liability(list) => {
            let mut parts = Vec::new();
            for p in list {
                c.add(&p.reasons)?;
                parts.push(format!("{} {}", info.party_name(p.party), info.ruling_name(p.ruling)));
            }
            parts.join("; ")
        }
        Outcome::Incident(v) => {
            for p in [&v.disclosure, &v.chained, &v.suspension] {
                c.add(&p.reasons)?;
            }
            format!("disclosure {}; chained {}; suspension {}", v.disclosure.ruling.wire(), v.chained.ruling.wire(), v.suspension.ruling.wire())
        }
    };
    Ok(Reduced { outcome, cites: c.cites, rules: c.rules })
}

impl Reduced {
    /// What two answers are compared on: the outcome and the cited clauses.
    pub fn same_as(&self, other: &Reduced) -> bool {
        self.outcome == other.outcome && self.cites == other.cites
    }
}
