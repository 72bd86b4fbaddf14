//! One module's answer reduced to what a comparison looks at: the outcome
//! (decision, linkable, rulings, token status) and the set of cited clauses.
//!
//! Rule sheets differ per variant, so answers are compared by cite strings
//! (`第2条第2項第3号`) and whether each condition held, never by rule index.

use kitei::types as m;
use kitei::{Answer, Reason};
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
    fn of(r: &Reason) -> Self {
        Cited { key: ClauseKey::of(&r.rule().clause), cite: r.cite().to_string(), met: r.met() }
    }

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

/// The clauses some reasons cite ([`Cited::label`]), in document order.
pub fn cite_labels(reasons: &[Reason]) -> Vec<String> {
    reasons.iter().map(Cited::of).collect::<BTreeSet<_>>().iter().map(Cited::label).collect()
}

/// Reduces an answer to a [`Reduced`]: its [`Answer::verdict`], and each
/// reason's clause (whether its condition held) and rule.
pub fn answer(answer: &Answer) -> Reduced {
    let reasons = answer.reasons();
    Reduced {
        outcome: answer.verdict(),
        cites: reasons.iter().copied().map(Cited::of).collect(),
        rules: reasons.iter().map(|r| (r.index(), r.met())).collect(),
    }
}

impl Reduced {
    /// What two answers are compared on: the outcome and the cited clauses.
    pub fn same_as(&self, other: &Reduced) -> bool {
        self.outcome == other.outcome && self.cites == other.cites
    }
}
