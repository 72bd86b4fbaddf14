//! The scenario × variant matrix, for people.

use super::run::ScenarioResult;
use std::fmt::Write;

/// One scenario's verdicts, in the order of [`Results::variants`].
#[derive(Clone, Debug)]
pub struct Row {
    /// the scenario's name (its file stem)
    pub name: String,
    /// the scenario's `description`
    pub description: String,
    /// one verdict per variant, in [`Results::variants`] order
    pub cells: Vec<ScenarioResult>,
}

/// Every scenario × variant.
#[derive(Clone, Debug)]
pub struct Results {
    /// the variants run, in column order
    pub variants: Vec<String>,
    /// one row per scenario, in name order
    pub rows: Vec<Row>,
}

impl Results {
    fn count(&self, f: impl Fn(&ScenarioResult) -> bool) -> usize {
        self.rows.iter().flat_map(|r| &r.cells).filter(|c| f(c)).count()
    }

    /// How many scenario × variant cells failed (the suite fails when any did).
    pub fn failures(&self) -> usize {
        self.count(ScenarioResult::failed)
    }

    /// How many cells passed.
    pub fn passes(&self) -> usize {
        self.count(|c| *c == ScenarioResult::Pass)
    }

    /// How many cells were skipped (the scenario says why for that variant).
    pub fn skips(&self) -> usize {
        self.count(|c| matches!(c, ScenarioResult::Skip(_)))
    }

    /// The table (`pass`, `FAIL`, `skip`), then what differed in each
    /// failure, then the totals.
    pub fn render(&self) -> String {
        let name_width = self.rows.iter().map(|r| r.name.chars().count()).max().unwrap_or(8).max(8);
        let widths: Vec<usize> = self.variants.iter().map(|v| v.chars().count().max(4)).collect();
        let mut out = String::new();
        let _ = write!(out, "{:name_width$}", "scenario");
        for (v, w) in self.variants.iter().zip(&widths) {
            let _ = write!(out, "  {v:w$}");
        }
        out.push('\n');
        for row in &self.rows {
            let _ = write!(out, "{:name_width$}", row.name);
            for (cell, w) in row.cells.iter().zip(&widths) {
                let mark = match cell {
                    ScenarioResult::Pass => "pass",
                    ScenarioResult::Fail(_) => "FAIL",
                    ScenarioResult::Skip(_) => "skip",
                };
                let _ = write!(out, "  {mark:w$}");
            }
            out.push('\n');
        }
        for row in &self.rows {
            for (cell, variant) in row.cells.iter().zip(&self.variants) {
                if let ScenarioResult::Fail(diffs) = cell {
                    let _ = writeln!(out, "\nFAIL {} × {variant} — {}", row.name, row.description);
                    for d in diffs {
                        let _ = writeln!(out, "  {d}");
                    }
                }
            }
        }
        let _ = writeln!(
            out,
            "\n{} scenarios × {} variants: {} passed, {} failed, {} skipped",
            self.rows.len(),
            self.variants.len(),
            self.passes(),
            self.failures(),
            self.skips()
        );
        out
    }
}
