//! The Markdown report: a 旧 | 新 table per operation, clause texts in
//! Japanese as the documents state them.

use crate::diff::compare::{NOT_IN_TEXT, Report, SideView, TermSide};
use kitei::Wire;
use std::fmt::Write as _;

/// Escapes what would break a table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn side(s: &SideView) -> String {
    let mut parts = vec![format!("**{}**", cell(&s.outcome))];
    for c in &s.clauses {
        let mark = if c.met { "" } else { " ✗" };
        parts.push(format!("{}{mark} `{}` 「{}」", c.cite, c.code, cell(&c.texts.join(" "))));
    }
    parts.join("<br>")
}

/// Renders the report as Markdown.
pub fn render(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# 新旧対比表: {} → {}\n", r.old.variant, r.new.variant);
    let _ = writeln!(out, "| | 旧 | 新 |\n|---|---|---|");
    let _ =
        writeln!(out, "| 規定 | {} {} {} | {} {} {} |", r.old.variant, r.old.institution_name, r.old.title, r.new.variant, r.new.institution_name, r.new.title);
    let _ = writeln!(out, "| 版 | {} | {} |", r.old.version, r.new.version);
    match &r.traffic {
        Some(traffic) => {
            let _ = writeln!(out, "\nRequests: {}. ✗ marks a condition that does not hold.\n", cell(traffic));
        }
        None => {
            let _ = writeln!(
                out,
                "\nRequests at `{}`, every validity period {} days on both sides. ✗ marks a condition that does not hold.\n",
                r.at,
                crate::diff::generate::PERIOD_DAYS
            );
        }
    }
    let _ = writeln!(out, "| operation | requests | differing |\n|---|---:|---:|");
    for e in &r.explored {
        let _ = writeln!(out, "| {} | {} | {} |", e.operation.wire(), e.requests, e.differing);
    }
    if !r.differs() {
        let _ = writeln!(out, "\nNo differences.");
        return out;
    }
    let mut current = None;
    let mut n = 0;
    for g in &r.groups {
        if current != Some(g.operation) {
            current = Some(g.operation);
            n = 0;
            let _ = writeln!(out, "\n## {}\n", g.operation.wire());
            let _ = writeln!(out, "| # | 件数 | 旧 ({}) | 新 ({}) | 共通 | 例 |\n|---|---:|---|---|---|---|", r.old.variant, r.new.variant);
        }
        n += 1;
        let ids = if g.decisions.is_empty() {
            String::new()
        } else {
            format!("<br>decisions: {}", g.decisions.iter().map(|d| format!("`{d}`")).collect::<Vec<_>>().join(", "))
        };
        let _ =
            writeln!(out, "| {n} | {} | {} | {} | {} | `{}`{ids} |", g.count, side(&g.old), side(&g.new), g.common.join(", "), cell(&g.example.to_string()));
    }
    if !r.texts.is_empty() {
        let _ = writeln!(out, "\n## 条文\n\n| 条項 | 旧 | 新 |\n|---|---|---|");
        for t in &r.texts {
            let show = |texts: &[String]| if texts.is_empty() { "（なし）".to_string() } else { cell(&texts.join("<br>")) };
            let _ = writeln!(out, "| {} | {} | {} |", t.cite, show(&t.old), show(&t.new));
        }
    }
    if !r.terms.is_empty() {
        let _ = writeln!(out, "\n## 用語 (declared terms)\n\n| term | 旧 | 新 |\n|---|---|---|");
        for t in &r.terms {
            let show = |s: &Option<TermSide>| s.as_ref().map_or_else(|| format!("*{NOT_IN_TEXT}*"), |s| cell(&s.line()));
            let _ = writeln!(out, "| `{}` ({}) | {} | {} |", t.name, t.kind.wire(), show(&t.old), show(&t.new));
        }
    }
    out
}
