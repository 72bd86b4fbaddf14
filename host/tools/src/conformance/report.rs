//! The scenario × variant matrix, for people.

use super::run::Verdict;
use std::fmt::Write;

/// One scenario's verdicts, in the order of [`Matrix::variants`].
#[derive(Clone, Debug)]
pub struct Row {
    pub name: String,
    pub description: String,
    pub cells: Vec<Verdict>,
}

/// Every scenario × variant.
#[derive(Clone, Debug)]
pub struct Matrix {
    pub variants: Vec<String>,
    pub rows: Vec<Row>,
}

impl Matrix {
    fn count(&self, f: impl Fn(&Verdict) -> bool) -> usize {
        self.rows.iter().flat_map(|r| &r.cells).filter(|c| f(c)).count()
    }

    pub fn failures(&self) -> usize {
        self.count(Verdict::failed)
    }

    pub fn passes(&self) -> usize {
        self.count(|c| *c == Verdict::Pass)
    }

    pub fn skips(&self) -> usize {
        self.count(|c| matches!(c, Verdict::Skip(_)))
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
                    Verdict::Pass => "pass",
                    Verdict::Fail(_) => "FAIL",
                    Verdict::Skip(_) => "skip",
                };
                let _ = write!(out, "  {mark:w$}");
            }
            out.push('\n');
        }
        for row in &self.rows {
            for (cell, variant) in row.cells.iter().zip(&self.variants) {
                if let Verdict::Fail(diffs) = cell {
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
