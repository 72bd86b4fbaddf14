//! Running scenarios: one decision per scenario × variant.

use super::compare::differences;
use super::report::{Results, Row};
use super::scenario::{Scenario, Suite};
use super::subjects::Subjects;
use kitei::{DecisionErrorKind, Question, Target};
use serde_json::Value;

/// The outcome of one scenario for one variant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScenarioResult {
    /// every expectation held
    Pass,
    /// what differed, one line each
    Fail(Vec<String>),
    /// the scenario says why this variant is not run
    Skip(String),
}

impl ScenarioResult {
    /// Whether the scenario failed for this variant (a skip is not a failure).
    pub fn failed(&self) -> bool {
        matches!(self, ScenarioResult::Fail(_))
    }
}

/// Decides `scenario` with `variant` and compares the answer.
pub fn check(subjects: &Subjects, scenario: &Scenario, variant: &str) -> ScenarioResult {
    let Some(expect) = scenario.expect.get(variant) else {
        return ScenarioResult::Fail(vec![format!("`expect` does not list `{variant}` (add it, or `skip` with a reason)")]);
    };
    if let Some(reason) = &expect.skip {
        return ScenarioResult::Skip(reason.clone());
    }
    match answer(subjects, scenario, variant) {
        Err(e) => ScenarioResult::Fail(vec![e]),
        Ok((response, selected)) => {
            let mut diffs = differences(expect, &response);
            if let Some(want) = expect.selected {
                match selected {
                    Ok(got) if got == want => {}
                    Ok(got) => diffs.push(format!("selected: expected {want}, got {got}")),
                    Err(e) => diffs.push(format!("selected: {e}")),
                }
            }
            if diffs.is_empty() { ScenarioResult::Pass } else { ScenarioResult::Fail(diffs) }
        }
    }
}

/// The response `variant` gives to `scenario`'s request (api.md JSON), with
/// the scenario's settings applied; a term of the request that no loaded
/// module declares is an error naming it, as it is for the service.
///
/// # Errors
/// The request's or the variant's error ([`super::ScenarioError`]).
pub fn response(subjects: &Subjects, scenario: &Scenario, variant: &str) -> Result<Value, super::ScenarioError> {
    answer(subjects, scenario, variant).map(|(response, _)| response).map_err(super::ScenarioError::from)
}

/// The response, and whether the host would pick this variant for its
/// institution at the request's `at`.
fn answer(subjects: &Subjects, scenario: &Scenario, variant: &str) -> Result<(Value, Result<bool, String>), String> {
    let mut body = scenario.request.clone();
    if let Some(o) = body.as_object_mut() {
        o.insert("variant".into(), variant.into());
    }
    let question = Question::from_value(&body).map_err(|e| format!("request: {e}"))?;
    question.check_terms(subjects.registry().vocabulary()).map_err(|e| format!("request: {e}"))?;
    let policy = subjects.policy(variant, scenario.settings.get(variant)).map_err(|e| e.to_string())?;
    let response = policy.decide(&question).map_err(|e| e.to_string())?.to_json();
    let institution = Target::Institution(policy.info().institution().to_string());
    let selected = match subjects.registry().select(&institution, question.at()) {
        Ok(p) => Ok(p.info().variant() == variant),
        Err(e) if e.kind() == DecisionErrorKind::NotInForce => Ok(false),
        Err(e) => Err(e.to_string()),
    };
    Ok((response, selected))
}

/// Runs every scenario of `suite` against every loaded variant, and every
/// variant a scenario names (a variant named but not loaded fails).
pub fn run(subjects: &Subjects, suite: &Suite) -> Results {
    let mut variants = subjects.variants();
    for v in suite.variants() {
        if !variants.contains(&v) {
            variants.push(v);
        }
    }
    let rows = suite
        .scenarios
        .iter()
        .map(|(name, scenario)| Row {
            name: name.clone(),
            description: scenario.description.clone(),
            cells: variants.iter().map(|v| check(subjects, scenario, v)).collect(),
        })
        .collect();
    Results { variants, rows }
}
