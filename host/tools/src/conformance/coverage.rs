//! Coverage: every clause docs/readings.md and the texts cite for a variant is expected
//! by at least one scenario.

use super::error::ConformanceError;
use super::scenario::Suite;
use std::collections::BTreeMap;
use std::path::Path;

/// The coverage file's name; a suite directory's loader skips it.
pub const COVERAGE_FILE: &str = "coverage.json";

/// The citations required per variant.
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Coverage {
    /// where the list comes from
    pub comment: String,
    /// variant → citations in human form
    pub required: BTreeMap<String, Vec<String>>,
}

impl Coverage {
    /// # Errors
    /// A [`ConformanceError`] naming the file and field.
    pub fn load(file: &Path) -> Result<Coverage, ConformanceError> {
        let text = std::fs::read(file).map_err(|source| ConformanceError::Io { file: file.to_path_buf(), source })?;
        let mut de = serde_json::Deserializer::from_slice(&text);
        serde_path_to_error::deserialize(&mut de)
            .map_err(|e| ConformanceError::Parse { file: file.to_path_buf(), message: format!("field `{}`: {}", e.path(), e.inner()) })
    }
}

/// `(variant, cite)` for every required citation no scenario expects of
/// that variant.
pub fn uncovered(suite: &Suite, coverage: &Coverage) -> Vec<(String, String)> {
    let mut missing = Vec::new();
    for (variant, required) in &coverage.required {
        for cite in required {
            let expected = suite
                .scenarios
                .iter()
                .filter_map(|(_, s)| s.expect.get(variant))
                .any(|e| e.cites.iter().chain(e.reasons.iter().map(|r| &r.cite)).any(|c| c == cite));
            if !expected {
                missing.push((variant.clone(), cite.clone()));
            }
        }
    }
    missing
}
