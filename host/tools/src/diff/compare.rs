//! Runs both modules on every generated request and groups the requests
//! whose answers differ by operation and by the pair of answers (outcome and
//! cited clauses on each side); also lists clauses whose text changed.

use crate::diff::DiffError;
use crate::diff::answer::{Cited, ClauseKey, Reduced, answer};
use crate::diff::generate::{Case, generate};
use chrono::{DateTime, FixedOffset};
use kitei::cite;
use kitei::{Answer, Question};
use kitei::{LoadedPolicy, PolicyInfo};
use kitei::{OperationName, Wire};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// A module as the report names it.
#[derive(Clone, Debug, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = Module))]
#[allow(missing_docs, reason = "a doc comment here becomes a description in the OpenAPI document, which stays byte-identical")]
pub struct Module {
    pub variant: String,
    pub institution_name: String,
    pub title: String,
    pub version: String,
    pub effective_from: String,
    pub effective_until: Option<String>,
    pub sha256: String,
    #[cfg_attr(feature = "openapi", schema(schema_with = kitei::openapi::settings))]
    pub settings: Value,
}

impl Module {
    pub(crate) fn of(info: &PolicyInfo) -> Self {
        let md = &info.metadata;
        Module {
            variant: md.variant.clone(),
            institution_name: md.institution_name.clone(),
            title: md.title.clone(),
            version: md.version.clone(),
            effective_from: md.effective_from.clone(),
            effective_until: md.effective_until.clone(),
            sha256: info.sha256.clone(),
            settings: serde_json::to_value(kitei::json::Settings(&info.settings, &info.terms)).unwrap_or_default(),
        }
    }
}

/// A cited clause with the texts of the rules the answer rests on.
#[derive(Clone, Debug, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[allow(missing_docs, reason = "a doc comment here becomes a description in the OpenAPI document, which stays byte-identical")]
pub struct ClauseView {
    pub cite: String,
    /// false: a failed condition, or an exemption that does not apply
    pub met: bool,
    /// the reason code(s) of the rules the example's answer cites there
    pub code: String,
    pub provenance: Vec<String>,
    pub texts: Vec<String>,
}

/// One side's answer for a group.
#[derive(Clone, Debug, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[allow(missing_docs, reason = "a doc comment here becomes a description in the OpenAPI document, which stays byte-identical")]
pub struct SideView {
    pub outcome: String,
    pub clauses: Vec<ClauseView>,
}

impl SideView {
    /// The side's outcome and the clauses it cites that the other side does not.
    fn of(info: &PolicyInfo, a: &Reduced, other: &Reduced) -> Self {
        let clauses = a
            .cites
            .iter()
            .filter(|c| !other.cites.contains(c))
            .map(|c| {
                let rules: Vec<_> = a
                    .rules
                    .iter()
                    .filter(|&&(_, met)| met == c.met)
                    .filter_map(|&(i, _)| info.metadata.rules.get(i as usize))
                    .filter(|r| cite(&r.clause) == c.cite)
                    .collect();
                let mut provenance: Vec<String> = rules.iter().map(|r| r.provenance.wire().to_string()).collect();
                provenance.dedup();
                let mut codes: Vec<&str> = rules.iter().map(|r| if c.met { r.code_met.as_str() } else { r.code_unmet.as_str() }).collect();
                codes.dedup();
                ClauseView { cite: c.cite.clone(), met: c.met, code: codes.join("/"), provenance, texts: rules.iter().map(|r| r.text.clone()).collect() }
            })
            .collect();
        SideView { outcome: a.outcome.clone(), clauses }
    }

    /// `第1条第2項第1号 ✗ internet_banking_contract_missing, 第1条第2項第3号`:
    /// a failed condition with its reason code
    pub fn cite_list(&self) -> String {
        if self.clauses.is_empty() {
            return "—".into();
        }
        self.clauses.iter().map(|c| if c.met { c.cite.clone() } else { format!("{} ✗ {}", c.cite, c.code) }).collect::<Vec<_>>().join(", ")
    }
}

/// A class of requests the two modules answer differently.
#[derive(Clone, Debug, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[allow(missing_docs, reason = "a doc comment here becomes a description in the OpenAPI document, which stays byte-identical")]
#[cfg_attr(feature = "openapi", schema(as = DiffGroup))]
pub struct Group {
    #[serde(serialize_with = "wire")]
    #[cfg_attr(feature = "openapi", schema(schema_with = kitei::openapi::enum_ref::<OperationName>))]
    pub operation: OperationName,
    /// how many generated requests fall in this class
    pub count: usize,
    /// the old answer, with the clauses only the old side cites
    pub old: SideView,
    /// the new answer, with the clauses only the new side cites
    pub new: SideView,
    /// clauses both sides cite for the example (same cite, same outcome)
    pub common: Vec<String>,
    /// the request of the class with the fewest true flags, as api.md JSON
    /// with `variant` set to the old module (`kitei replay --against`: the
    /// first logged request of the class, as received)
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::diff::example_schema))]
    pub example: Value,
    /// `kitei replay --against` only: the decision ids of the first logged
    /// requests of the class (at most [`DECISION_EXAMPLES`])
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decisions: Vec<String>,
}

/// How many decision ids a group of `kitei replay --against` keeps.
pub const DECISION_EXAMPLES: usize = 5;

fn wire<S: serde::Serializer>(op: &OperationName, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(op.wire())
}

/// A clause whose text differs between the sheets (or exists in one only).
#[derive(Clone, Debug, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[allow(missing_docs, reason = "a doc comment here becomes a description in the OpenAPI document, which stays byte-identical")]
pub struct TextChange {
    pub cite: String,
    pub old: Vec<String>,
    pub new: Vec<String>,
}

/// How one module's text has a declared term: its word, its English line
/// and the clause of the rule that introduces it.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TermSide {
    pub ja: String,
    pub summary: String,
    /// the clause of the rule introducing it (第N条…)
    pub cite: String,
}

impl TermSide {
    /// `国内送金指示 (a transfer instruction) at 第3条第1項`
    pub fn line(&self) -> String {
        format!("{} ({}) at {}", self.ja, self.summary, self.cite)
    }
}

/// A term either module declares (contract 0.4), as each text has it:
/// `None` on the side whose module does not declare it ("not in that text").
#[derive(Clone, Debug, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = DiffTerm))]
pub struct TermChange {
    /// what it names (`function`, `customer_fact`, …)
    #[serde(serialize_with = "kitei::json::serialize_wire")]
    #[cfg_attr(feature = "openapi", schema(schema_with = kitei::openapi::enum_ref::<kitei::types::TermKind>))]
    pub kind: kitei::types::TermKind,
    /// its wire name
    pub name: String,
    /// null: the old module does not declare it
    pub old: Option<TermSide>,
    /// null: the new module does not declare it
    pub new: Option<TermSide>,
}

impl TermChange {
    /// Whether the two texts have it differently (one only, or another word,
    /// line or clause).
    pub fn changed(&self) -> bool {
        self.old != self.new
    }
}

/// The words "not in that text", for a side that does not declare a term.
pub const NOT_IN_TEXT: &str = "not in that text";

/// Every term either module declares, by kind and name.
pub(crate) fn term_changes(old: &PolicyInfo, new: &PolicyInfo) -> Vec<TermChange> {
    let sides = |info: &PolicyInfo| -> BTreeMap<(String, String), TermSide> {
        let md = &info.metadata;
        md.terms
            .iter()
            .map(|t| {
                let cite = md.rules.get(t.rule as usize).map_or_else(|| format!("rule {}", t.rule), |r| cite(&r.clause));
                ((t.kind.wire().to_string(), t.name.clone()), TermSide { ja: t.ja.clone(), summary: t.summary.clone(), cite })
            })
            .collect()
    };
    let (mut a, mut b) = (sides(old), sides(new));
    let kinds: BTreeMap<(String, String), kitei::types::TermKind> =
        old.metadata.terms.iter().chain(&new.metadata.terms).map(|t| ((t.kind.wire().to_string(), t.name.clone()), t.kind)).collect();
    kinds.into_iter().map(|(key, kind)| TermChange { kind, name: key.1.clone(), old: a.remove(&key), new: b.remove(&key) }).collect()
}

/// Requests generated for one operation.
#[derive(Clone, Debug, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[allow(missing_docs, reason = "a doc comment here becomes a description in the OpenAPI document, which stays byte-identical")]
pub struct Explored {
    #[serde(serialize_with = "wire")]
    #[cfg_attr(feature = "openapi", schema(schema_with = kitei::openapi::enum_ref::<OperationName>))]
    pub operation: OperationName,
    pub requests: usize,
    pub differing: usize,
}

/// The automatic 新旧対比表.
#[derive(Clone, Debug, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = DiffReport))]
#[allow(missing_docs, reason = "a doc comment here becomes a description in the OpenAPI document, which stays byte-identical")]
pub struct Report {
    pub old: Module,
    pub new: Module,
    pub at: String,
    pub explored: Vec<Explored>,
    pub groups: Vec<Group>,
    pub texts: Vec<TextChange>,
    /// every term either module declares, as each text has it (empty when
    /// neither declares one)
    pub terms: Vec<TermChange>,
    /// `kitei replay --against` only: the requests were logged traffic, not
    /// generated (which logs, how many lines, when), each module under its
    /// own settings
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traffic: Option<String>,
}

impl Report {
    /// Whether anything differs (answers, clause texts or declared terms).
    pub fn differs(&self) -> bool {
        !self.groups.is_empty() || !self.texts.is_empty() || self.terms.iter().any(TermChange::changed)
    }
}

/// A class: both outcomes and the clauses cited on each side (old cites →
/// new cites).
type Key = (String, BTreeSet<Cited>, String, BTreeSet<Cited>);

struct Acc {
    count: usize,
    weight: (usize, usize),
    facts: Case,
    old: Reduced,
    new: Reduced,
}

/// Runs `old` and `new` on every generated request at `at`.
///
/// # Errors
/// A [`DiffError`] when a module fails: a failure is reported, never
/// counted as a difference.
pub fn compare(old: &dyn LoadedPolicy, new: &dyn LoadedPolicy, at: DateTime<FixedOffset>) -> Result<Report, DiffError> {
    let (oi, ni) = (old.info(), new.info());
    let mut explored = Vec::new();
    let mut groups = Vec::new();
    for op in OperationName::deciding() {
        let mut acc: BTreeMap<Key, Acc> = BTreeMap::new();
        let cases = generate(op);
        let mut differing = 0;
        for facts in &cases {
            let request = facts.to_json(oi.variant(), at);
            let question = Question::from_value(&request).map_err(|e| DiffError::Generator(format!("{request}: {e}")))?;
            let a = answer(&old.decide(&question)?);
            let b = answer(&new.decide(&question)?);
            if a.same_as(&b) {
                continue;
            }
            differing += 1;
            let weight = facts.weight();
            let key = (a.outcome.clone(), a.cites.clone(), b.outcome.clone(), b.cites.clone());
            match acc.get_mut(&key) {
                Some(g) => {
                    g.count += 1;
                    if weight < g.weight {
                        *g = Acc { count: g.count, weight, facts: facts.clone(), old: a, new: b };
                    }
                }
                None => {
                    acc.insert(key, Acc { count: 1, weight, facts: facts.clone(), old: a, new: b });
                }
            }
        }
        explored.push(Explored { operation: op, requests: cases.len(), differing });
        let mut found: Vec<Group> = acc
            .into_values()
            .map(|g| Group {
                operation: op,
                count: g.count,
                old: SideView::of(oi, &g.old, &g.new),
                new: SideView::of(ni, &g.new, &g.old),
                common: g.old.cites.intersection(&g.new.cites).map(Cited::label).collect(),
                example: g.facts.to_json(oi.variant(), at),
                decisions: Vec::new(),
            })
            .collect();
        // most frequent first; the sort is stable, so ties keep key order
        found.sort_by_key(|x| std::cmp::Reverse(x.count));
        groups.extend(found);
    }
    Ok(Report {
        old: Module::of(oi),
        new: Module::of(ni),
        at: at.to_rfc3339(),
        explored,
        groups,
        texts: text_changes(oi, ni),
        terms: term_changes(oi, ni),
        traffic: None,
    })
}

/// Real requests (a decision log's) answered by two modules, grouped as
/// [`compare`] groups generated ones; fed one request at a time, it keeps
/// one entry per class of differing answers, not the requests.
pub struct Traffic {
    old: Arc<dyn LoadedPolicy>,
    new: Arc<dyn LoadedPolicy>,
    /// per operation, in [`OperationName::ALL`] order: requests, differing
    explored: Vec<(OperationName, usize, usize)>,
    /// by operation (its place in [`OperationName::ALL`]) and class
    groups: BTreeMap<(usize, Key), TrafficGroup>,
}

struct TrafficGroup {
    count: usize,
    example: Value,
    decisions: Vec<String>,
    old: Reduced,
    new: Reduced,
}

impl Traffic {
    /// Compares two modules over the requests later fed to them; nothing is decided yet.
    pub fn new(old: Arc<dyn LoadedPolicy>, new: Arc<dyn LoadedPolicy>) -> Self {
        Traffic { old, new, explored: OperationName::ALL.iter().map(|&op| (op, 0, 0)).collect(), groups: BTreeMap::new() }
    }

    /// The variant whose logged answers are the old side.
    pub fn old_variant(&self) -> &str {
        self.old.info().variant()
    }

    /// Compares `old_answer`, the old module's answer to `question` (as
    /// replayed), with the new module's; returns whether they differ.
    /// `request` (the example shown) and `decision_id` name it in the report.
    ///
    /// # Errors
    /// A [`DiffError`] when the new module fails on it.
    pub fn add(&mut self, question: &Question, old_answer: &Answer, request: impl FnOnce() -> Value, decision_id: &str) -> Result<bool, DiffError> {
        let op = question.operation().name();
        let Answers { old: a, new: b } = Answers::after(old_answer, self.new.as_ref(), question)?;
        let place = OperationName::ALL.iter().position(|&o| o == op).unwrap_or_default();
        let explored = &mut self.explored[place];
        explored.1 += 1;
        if a.same_as(&b) {
            return Ok(false);
        }
        explored.2 += 1;
        let key = (a.outcome.clone(), a.cites.clone(), b.outcome.clone(), b.cites.clone());
        let g = self.groups.entry((place, key)).or_insert_with(|| TrafficGroup { count: 0, example: request(), decisions: Vec::new(), old: a, new: b });
        g.count += 1;
        if g.decisions.len() < DECISION_EXAMPLES {
            g.decisions.push(decision_id.to_string());
        }
        Ok(true)
    }

    /// The report: most frequent classes first within each operation.
    pub fn report(self, traffic: String) -> Report {
        let (oi, ni) = (self.old.info(), self.new.info());
        let mut groups: Vec<Group> = Vec::new();
        for (place, &op) in OperationName::ALL.iter().enumerate() {
            let mut found: Vec<Group> = self
                .groups
                .iter()
                .filter(|((o, _), _)| *o == place)
                .map(|(_, g)| Group {
                    operation: op,
                    count: g.count,
                    old: SideView::of(oi, &g.old, &g.new),
                    new: SideView::of(ni, &g.new, &g.old),
                    common: g.old.cites.intersection(&g.new.cites).map(Cited::label).collect(),
                    example: g.example.clone(),
                    decisions: g.decisions.clone(),
                })
                .collect();
            found.sort_by_key(|x| std::cmp::Reverse(x.count));
            groups.extend(found);
        }
        let explored = self.explored.iter().filter(|e| e.1 > 0).map(|&(operation, requests, differing)| Explored { operation, requests, differing }).collect();
        Report {
            old: Module::of(oi),
            new: Module::of(ni),
            at: String::new(),
            explored,
            groups,
            texts: text_changes(oi, ni),
            terms: term_changes(oi, ni),
            traffic: Some(traffic),
        }
    }
}

/// What [`Answers::changed_clauses`] names when the outcomes differ and
/// neither answer cites a clause.
pub const NO_CLAUSE: &str = "(no clause cited)";

/// One real request answered by two modules, each answer reduced as
/// [`compare`] and [`Traffic`] reduce them (outcome and cited clauses):
/// what `kitei serve --shadow` compares.
pub struct Answers {
    old: Reduced,
    new: Reduced,
}

impl Answers {
    /// Compares `old`, an answer already given to `question` (the one a
    /// service sent, or a replay's), with `new`'s answer to it: the old
    /// module is not asked again.
    ///
    /// # Errors
    /// A [`DiffError`] when `new` fails on it.
    pub fn after(old: &Answer, new: &dyn LoadedPolicy, question: &Question) -> Result<Self, DiffError> {
        Ok(Answers { old: answer(old), new: answer(&new.decide(question)?) })
    }

    /// Whether the answers differ: in outcome or in the clauses cited (and
    /// whether each condition held), as a [`Group`] of the report would.
    pub fn differ(&self) -> bool {
        !self.old.same_as(&self.new)
    }

    /// The clauses the change is under, in document order, each once: those
    /// a [`Group`] lists on its old and new sides (cited by one answer only,
    /// or with the other outcome of its condition), by their cite
    /// (`第2条第2項`); when both answers cite the same clauses and only the
    /// outcome differs, the clauses both cite. Empty when nothing differs.
    pub fn changed_clauses(&self) -> Vec<String> {
        if !self.differ() {
            return Vec::new();
        }
        let (a, b) = (&self.old.cites, &self.new.cites);
        let mut changed: BTreeSet<(&ClauseKey, &str)> = a.symmetric_difference(b).map(|c| (&c.key, c.cite.as_str())).collect();
        if changed.is_empty() {
            changed = a.iter().map(|c| (&c.key, c.cite.as_str())).collect();
        }
        if changed.is_empty() {
            return vec![NO_CLAUSE.to_string()];
        }
        changed.into_iter().map(|(_, cite)| cite.to_string()).collect()
    }
}

/// Every clause's texts, in document order.
fn sheet(info: &PolicyInfo) -> BTreeMap<ClauseKey, (String, Vec<String>)> {
    let mut out: BTreeMap<ClauseKey, (String, Vec<String>)> = BTreeMap::new();
    for r in &info.metadata.rules {
        let texts = &mut out.entry(ClauseKey::of(&r.clause)).or_insert_with(|| (cite(&r.clause), Vec::new())).1;
        // two rules of one clause may quote the same sentence
        if !texts.contains(&r.text) {
            texts.push(r.text.clone());
        }
    }
    out
}

fn text_changes(old: &PolicyInfo, new: &PolicyInfo) -> Vec<TextChange> {
    let (a, b) = (sheet(old), sheet(new));
    let keys: BTreeSet<&ClauseKey> = a.keys().chain(b.keys()).collect();
    keys.into_iter()
        .filter_map(|k| {
            let (oa, nb) = (a.get(k), b.get(k));
            let texts = |s: Option<&(String, Vec<String>)>| s.map(|s| s.1.clone()).unwrap_or_default();
            if texts(oa) == texts(nb) {
                return None;
            }
            let cite = oa.or(nb).map(|s| s.0.clone()).unwrap_or_default();
            Some(TextChange { cite, old: texts(oa), new: texts(nb) })
        })
        .collect()
}
