//! A module's rule sheet as a Markdown page (`kitei describe --format md`):
//! what `docs/readings/<variant>.md` holds for each bundled variant, so the
//! reading the code follows is readable in the repository, rule by rule.

use kitei::cite;
use kitei::{PolicyInfo, Wire};
use std::fmt::Write as _;

/// The sheet of `info` as Markdown: the text's identity, whose contracts it
/// governs, the settings it reads, the terms it declares, and every rule in
/// document order with its cite, provenance, the sentence it quotes and one
/// line of English. Nothing that changes from build to build (the module's
/// sha256) or from operator to operator (the settings in force) is in it.
pub fn markdown(info: &PolicyInfo) -> String {
    let md = &info.metadata;
    let mut out = String::new();
    let _ = writeln!(out, "# `{}` — {} {}\n", md.variant, md.institution_name, md.title);
    let _ = writeln!(
        out,
        "Generated from the module's rule sheet by `kitei describe {} --format md`; the reasons for its readings are in \
         [docs/readings.md](../readings.md), the text it quotes in `policy/{}/source.txt`.\n",
        md.variant, md.variant
    );
    let _ = writeln!(out, "| | |\n|---|---|");
    let _ = writeln!(out, "| institution | `{}` ({}) |", md.institution, md.institution_name);
    let _ = writeln!(out, "| version | {} |", md.version);
    let _ = match &md.effective_until {
        Some(until) => writeln!(out, "| in force | {} – {until} |", md.effective_from),
        None => writeln!(out, "| in force | from {} |", md.effective_from),
    };
    let governs = match &md.scope {
        kitei::types::Scope::EveryCustomer => "every customer's contracts".to_string(),
        kitei::types::Scope::Individual => "individual customers' contracts (個人)".to_string(),
        kitei::types::Scope::Corporate => "corporate customers' contracts (法人)".to_string(),
        kitei::types::Scope::Service(name) => format!("the contracts of the service `{name}`"),
    };
    let _ = writeln!(out, "| governs | {governs} |");
    let settings: Vec<String> = md.settings_used.iter().map(|s| format!("`{s}`")).collect();
    let _ = writeln!(out, "| settings read | {} |", if settings.is_empty() { "none".to_string() } else { settings.join(", ") });
    let parties: Vec<&str> = md.parties.iter().map(|p| info.party_name(*p)).collect();
    let _ = writeln!(out, "| parties | {} |", parties.join(", "));
    if !md.terms.is_empty() {
        let _ = writeln!(out, "\n## Terms this text declares\n");
        let _ = writeln!(out, "| name | kind | 日本語 | summary | introduced by |\n|---|---|---|---|---|");
        for t in &md.terms {
            let by = md.rules.get(t.rule as usize).map(|r| cite(&r.clause)).unwrap_or_default();
            let _ = writeln!(out, "| `{}` | {} | {} | {} | {by} |", t.name, t.kind.wire(), cell(&t.ja), cell(&t.summary));
        }
    }
    let _ = writeln!(out, "\n## Rules\n");
    let _ = writeln!(out, "| # | cite | provenance | what it decides | the text |\n|---|---|---|---|---|");
    for (i, r) in md.rules.iter().enumerate() {
        let _ = writeln!(out, "| {i} | {} | {} | {} | {} |", cite(&r.clause), r.provenance.wire(), cell(&r.summary), cell(&r.text));
    }
    out
}

/// Text for a table cell: no line breaks, no stray column separators.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}
