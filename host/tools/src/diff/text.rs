//! The readable text report (the default format).

use crate::diff::compare::{Module, NOT_IN_TEXT, Report, SideView, TermSide};
use kitei::Wire;
use std::fmt::Write as _;

fn module_line(label: &str, m: &Module) -> String {
    format!(
        "  {label} {}  {} {} (version {}, in force {} – {})",
        m.variant,
        m.institution_name,
        m.title,
        m.version,
        m.effective_from,
        m.effective_until.as_deref().unwrap_or("")
    )
}

fn side(out: &mut String, label: &str, s: &SideView) {
    let _ = writeln!(out, "  {label} {}: {}", s.outcome, s.cite_list());
}

/// Renders the report as plain text. Module hashes are left out so the
/// output stays the same when a module is rebuilt unchanged in meaning.
pub fn render(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "kitei diff: {} → {}", r.old.variant, r.new.variant);
    let _ = writeln!(out, "{}", module_line("旧", &r.old));
    let _ = writeln!(out, "{}", module_line("新", &r.new));
    match &r.traffic {
        Some(traffic) => {
            let _ = writeln!(out, "  requests: {traffic}");
        }
        None => {
            let _ = writeln!(out, "  requests at {}; every validity period set to {} days on both sides", r.at, crate::diff::generate::PERIOD_DAYS);
        }
    }
    let explored: Vec<String> = r.explored.iter().map(|e| format!("{} {}/{}", e.operation.wire(), e.differing, e.requests)).collect();
    let _ = writeln!(out, "  differing/explored: {}", explored.join(", "));
    let _ = writeln!(out, "  {} difference groups, {} clause text changes", r.groups.len(), r.texts.len());
    if !r.terms.is_empty() {
        let changed = r.terms.iter().filter(|t| t.changed()).count();
        let _ = writeln!(out, "  {} declared terms, {changed} declared differently or in one text only", r.terms.len());
    }
    if !r.differs() {
        let _ = writeln!(out, "\nno differences");
        return out;
    }
    let mut current = None;
    let mut n = 0;
    for g in &r.groups {
        if current != Some(g.operation) {
            current = Some(g.operation);
            n = 0;
            let _ = writeln!(out, "\n== {} ==", g.operation.wire());
        }
        n += 1;
        let _ = writeln!(out, "\n[{} {n}] {} request{}", g.operation.wire(), g.count, if g.count == 1 { "" } else { "s" });
        side(&mut out, "旧", &g.old);
        side(&mut out, "新", &g.new);
        if !g.common.is_empty() {
            let _ = writeln!(out, "  both: {}", g.common.join(", "));
        }
        let _ = writeln!(out, "  example: {}", g.example);
        if !g.decisions.is_empty() {
            let _ = writeln!(out, "  decisions: {}{}", g.decisions.join(", "), if g.count > g.decisions.len() { ", …" } else { "" });
        }
    }
    if !r.texts.is_empty() {
        let _ = writeln!(out, "\n== clause texts ==");
        for t in &r.texts {
            let _ = writeln!(out, "\n{}", t.cite);
            let show = |texts: &[String]| if texts.is_empty() { "(なし)".to_string() } else { texts.join(" ") };
            let _ = writeln!(out, "  旧 {}", show(&t.old));
            let _ = writeln!(out, "  新 {}", show(&t.new));
        }
    }
    if !r.terms.is_empty() {
        let _ = writeln!(out, "\n== declared terms ==");
        for t in &r.terms {
            let mark = if t.changed() { "" } else { " (same in both)" };
            let _ = writeln!(out, "\n{} {}{mark}", t.kind.wire(), t.name);
            let show = |s: &Option<TermSide>| s.as_ref().map_or_else(|| NOT_IN_TEXT.to_string(), TermSide::line);
            let _ = writeln!(out, "  旧 {}", show(&t.old));
            let _ = writeln!(out, "  新 {}", show(&t.new));
        }
    }
    out
}
