//! Scenario files: a request and, per variant, the answer expected.

use super::error::ConformanceError;
use kitei::Wire;
use kitei::types::{Decision, LiabilityRuling, Party, PermissionRuling, Provenance, TokenStatus};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One scenario file.
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// what the scenario is about, for people
    pub description: String,
    /// an api.md request without `institution` or `variant`
    pub request: Value,
    /// the expected answer of every variant, keyed by variant id
    pub expect: BTreeMap<String, Expect>,
    /// operator settings per variant (as in `<institution>.settings.json`)
    #[serde(default)]
    pub settings: BTreeMap<String, kitei::SettingsFile>,
}

/// What one variant must answer. Fields left out are not checked.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// the variant is deliberately not run, and why
    pub skip: Option<String>,
    /// `permit` or `deny`
    pub decision: Option<String>,
    /// account id → linkable
    pub accounts: Option<BTreeMap<String, bool>>,
    /// `liability.<party>`, `disclosure`, `chained`, `suspension` → ruling
    pub rulings: Option<BTreeMap<String, String>>,
    /// the token status: `valid`, `expired`, `unspecified`
    pub token: Option<String>,
    /// clauses that must appear among the answer's reasons (`第2条第2項第3号`)
    #[serde(default)]
    pub cites: Vec<String>,
    /// reasons that must appear, each with what it must say (its clause,
    /// and any of provenance, code and outcome), optionally in one part of
    /// the answer
    #[serde(default)]
    pub reasons: Vec<ExpectReason>,
    /// clauses that must not be cited, anywhere or in one part of the answer
    #[serde(default)]
    pub not_cites: Vec<NotCite>,
    /// whether the host picks this variant for its institution at `at`
    pub selected: Option<bool>,
    /// why this variant's answer differs from the others (the clauses)
    pub why: Option<String>,
}

/// A reason an answer must give: its clause and its provenance, its code
/// or both, optionally in one part of the answer (`in`, see [`check_part`]).
pub type ExpectReason = ExpectReasonPattern;

/// A reason an answer must not give: `"第8条"` (that clause, anywhere), or
/// `{"in": "chained", "cite": "第8条"}` with any of `in`, `provenance` and
/// `code` narrowing it (`{"cite": "第1条第2項第2号", "provenance": "setting"}`:
/// no reason citing the clause as a setting).
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(untagged)]
pub enum NotCite {
    Anywhere(String),
    Reason(ExpectReasonPattern),
}

/// A reason's clause, and optionally the part of the answer, provenance and
/// code that narrow what is matched.
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectReasonPattern {
    #[serde(rename = "in")]
    pub part: Option<String>,
    pub cite: String,
    pub provenance: Option<String>,
    pub code: Option<String>,
}

impl NotCite {
    /// The reason that must not be given.
    pub fn pattern(&self) -> ExpectReasonPattern {
        match self {
            NotCite::Anywhere(cite) => ExpectReasonPattern { part: None, cite: cite.clone(), provenance: None, code: None },
            NotCite::Reason(p) => p.clone(),
        }
    }
}

impl ExpectReasonPattern {
    fn validate(&self, field: &str) -> Result<(), String> {
        if self.cite.trim().is_empty() {
            return Err(format!("{field}.cite`: empty citation"));
        }
        if let Some(part) = &self.part {
            check_part(part).map_err(|m| format!("{field}.in`: {m}"))?;
        }
        if let Some(p) = &self.provenance {
            known::<Provenance>(&format!("{field}.provenance"), p)?;
        }
        if self.code.as_deref().is_some_and(|c| c.trim().is_empty()) {
            return Err(format!("{field}.code`: empty code"));
        }
        Ok(())
    }

    /// Whether `reason` (api.md JSON) is one this pattern describes.
    pub fn matches(&self, reason: &Value) -> bool {
        let s = |k: &str| reason.get(k).and_then(Value::as_str);
        s("cite") == Some(self.cite.as_str())
            && self.provenance.as_deref().is_none_or(|p| s("provenance") == Some(p))
            && self.code.as_deref().is_none_or(|c| s("code") == Some(c))
    }

    /// `第8条 setting provider_in_operator_list in chained`, for people.
    pub fn describe(&self) -> String {
        let mut out = vec![self.cite.clone()];
        out.extend(self.provenance.clone());
        out.extend(self.code.clone());
        if let Some(part) = &self.part {
            out.push(format!("in {part}"));
        }
        out.join(" ")
    }
}

/// A part of an answer that holds reasons, as scenarios name it in `in`:
/// `reasons` (eligibility, authorize), `token`, `accounts.<id>`,
/// `liability.<party>`, `disclosure`, `chained`, `suspension`.
pub fn check_part(part: &str) -> Result<(), String> {
    if let Some(party) = part.strip_prefix("liability.") {
        return match Party::from_wire(party) {
            Some(_) => Ok(()),
            None => Err(format!("unknown party `{party}`, expected one of: {}", Party::expected())),
        };
    }
    if part.strip_prefix("accounts.").is_some_and(|id| !id.is_empty()) {
        return Ok(());
    }
    match part {
        "reasons" | "token" | "disclosure" | "chained" | "suspension" => Ok(()),
        _ => Err(format!("unknown part `{part}`, expected `reasons`, `token`, `accounts.<id>`, `liability.<party>`, `disclosure`, `chained` or `suspension`")),
    }
}

/// A loaded set of scenarios, by name (the file stem), in name order.
#[derive(Clone, Debug, Default)]
pub struct Suite {
    /// each scenario with its name (the file stem), in name order
    pub scenarios: Vec<(String, Scenario)>,
}

impl Suite {
    /// Loads scenario files; a directory contributes every `*.json` in it
    /// except the coverage file.
    ///
    /// # Errors
    /// A [`ConformanceError`] naming the file and field at fault.
    pub fn load(paths: &[PathBuf]) -> Result<Suite, ConformanceError> {
        let mut files = Vec::new();
        for path in paths {
            if path.is_dir() {
                let entries = std::fs::read_dir(path).map_err(|source| ConformanceError::Io { file: path.clone(), source })?;
                let mut found: Vec<PathBuf> = entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|e| e == "json"))
                    .filter(|p| p.file_name().is_some_and(|n| n != super::COVERAGE_FILE))
                    .collect();
                found.sort();
                files.extend(found);
            } else {
                files.push(path.clone());
            }
        }
        if files.is_empty() {
            let names: Vec<String> = paths.iter().map(|p| format!("`{}`", p.display())).collect();
            return Err(ConformanceError::Empty(names.join(", ")));
        }
        let mut suite = Suite::default();
        for file in files {
            let scenario = Scenario::load(&file)?;
            let name = file.file_stem().map_or_else(|| file.display().to_string(), |s| s.to_string_lossy().into_owned());
            suite.scenarios.push((name, scenario));
        }
        Ok(suite)
    }

    /// Every variant some scenario names.
    pub fn variants(&self) -> Vec<String> {
        let mut all: Vec<String> = self.scenarios.iter().flat_map(|(_, s)| s.expect.keys().cloned()).collect();
        all.sort();
        all.dedup();
        all
    }
}

impl Scenario {
    /// Reads and checks one scenario file.
    ///
    /// # Errors
    /// A [`ConformanceError`] naming `file` and the field at fault.
    pub fn load(file: &Path) -> Result<Scenario, ConformanceError> {
        let text = std::fs::read(file).map_err(|source| ConformanceError::Io { file: file.to_path_buf(), source })?;
        let mut de = serde_json::Deserializer::from_slice(&text);
        let scenario: Scenario = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let path = e.path().to_string();
            let message = if path == "." { e.inner().to_string() } else { format!("field `{path}`: {}", e.inner()) };
            ConformanceError::Parse { file: file.to_path_buf(), message }
        })?;
        scenario.validate().map_err(|message| ConformanceError::Invalid { file: file.to_path_buf(), message })?;
        Ok(scenario)
    }

    fn validate(&self) -> Result<(), String> {
        let Some(request) = self.request.as_object() else {
            return Err("field `request`: must be an object".into());
        };
        for field in ["institution", "variant"] {
            if request.contains_key(field) {
                return Err(format!("field `request.{field}`: leave it out, the runner sets `variant`"));
            }
        }
        if self.expect.is_empty() {
            return Err("field `expect`: names no variant".into());
        }
        for variant in self.settings.keys() {
            if !self.expect.contains_key(variant) {
                return Err(format!("field `settings.{variant}`: `{variant}` is not in `expect`"));
            }
        }
        for (variant, e) in &self.expect {
            e.validate().map_err(|m| match m.strip_prefix('`') {
                Some(rest) => format!("field `expect.{variant}`{rest}"),
                None => format!("field `expect.{variant}.{m}"),
            })?;
        }
        Ok(())
    }
}

fn known<T: Wire>(field: &str, value: &str) -> Result<(), String> {
    match T::from_wire(value) {
        Some(_) => Ok(()),
        None => Err(format!("{field}`: unknown {} `{value}`, expected one of: {}", T::WHAT, T::expected())),
    }
}

impl Expect {
    /// Checks the expectation; the message starts with the field path
    /// below `expect.<variant>.` and its closing backtick.
    fn validate(&self) -> Result<(), String> {
        let checks = self.decision.is_some()
            || self.accounts.is_some()
            || self.rulings.is_some()
            || self.token.is_some()
            || !self.cites.is_empty()
            || !self.reasons.is_empty()
            || !self.not_cites.is_empty()
            || self.selected.is_some();
        match (&self.skip, checks) {
            (Some(_), true) => return Err("skip`: a skipped variant expects nothing else".into()),
            (None, false) => return Err("`: expects nothing (give `skip` with a reason to leave a variant out)".into()),
            (Some(reason), false) if reason.trim().is_empty() => return Err("skip`: give the reason".into()),
            _ => {}
        }
        if let Some(d) = &self.decision {
            known::<Decision>("decision", d)?;
        }
        if let Some(t) = &self.token {
            known::<TokenStatus>("token", t)?;
        }
        for (key, ruling) in self.rulings.iter().flatten() {
            let field = format!("rulings.{key}");
            if let Some(party) = key.strip_prefix("liability.") {
                known::<Party>(&field, party)?;
                known::<LiabilityRuling>(&field, ruling)?;
            } else if matches!(key.as_str(), "disclosure" | "chained" | "suspension") {
                known::<PermissionRuling>(&field, ruling)?;
            } else {
                return Err(format!("{field}`: expected `liability.<party>`, `disclosure`, `chained` or `suspension`"));
            }
        }
        for (i, c) in self.cites.iter().enumerate() {
            if c.trim().is_empty() {
                return Err(format!("cites[{i}]`: empty citation"));
            }
        }
        for (i, r) in self.reasons.iter().enumerate() {
            let field = format!("reasons[{i}]");
            r.validate(&field)?;
            if r.provenance.is_none() && r.code.is_none() {
                return Err(format!("{field}`: say what the reason must be (`provenance`, `code` or both); a clause alone goes in `cites`"));
            }
        }
        for (i, n) in self.not_cites.iter().enumerate() {
            n.pattern().validate(&format!("not_cites[{i}]"))?;
        }
        Ok(())
    }
}
