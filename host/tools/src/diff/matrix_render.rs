//! Renderers for [`Matrix`]: text, Markdown and one HTML page.

use crate::diff::escape;
use crate::diff::html::{filters, page};
use crate::diff::matrix::{Cell, Matrix};
use std::fmt::Write as _;

fn cell_text(c: &Cell) -> String {
    if c.cites.is_empty() { c.value.clone() } else { format!("{} [{}]", c.value, c.cites.join(", ")) }
}

/// One block per row, one line per variant: wide tables do not fit a terminal.
pub fn text(m: &Matrix) -> String {
    let width = m.variants.iter().map(|v| v.variant.len()).max().unwrap_or(0);
    let mut out = String::new();
    let names: Vec<&str> = m.variants.iter().map(|v| v.variant.as_str()).collect();
    let _ = writeln!(out, "kitei matrix: {} (requests at {})", names.join(", "), m.at);
    for s in &m.sections {
        let _ = writeln!(out, "\n== {} ==\n   ({})", s.title, s.note);
        for r in &s.rows {
            let _ = writeln!(out, "\n{}", r.label);
            for (v, c) in m.variants.iter().zip(&r.cells) {
                let _ = writeln!(out, "  {:<width$}  {}", v.variant, cell_text(c));
            }
        }
    }
    out
}

fn md_cell(c: &Cell) -> String {
    let mut s = format!("**{}**", c.value.replace('|', "\\|"));
    if !c.cites.is_empty() {
        let _ = write!(s, "<br>{}", c.cites.join(", "));
    }
    s
}

pub fn markdown(m: &Matrix) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# kitei matrix\n\nRequests at `{}`. ✗ marks a condition that does not hold.", m.at);
    let head: Vec<String> = m.variants.iter().map(|v| format!("{}<br>{}", v.variant, v.institution_name)).collect();
    for s in &m.sections {
        let _ = writeln!(out, "\n## {}\n\n{}\n", s.title, s.note);
        let _ = writeln!(out, "| | {} |", head.join(" | "));
        let _ = writeln!(out, "|---|{}", "---|".repeat(m.variants.len()));
        for r in &s.rows {
            let cells: Vec<String> = r.cells.iter().map(md_cell).collect();
            let _ = writeln!(out, "| {} | {} |", r.label, cells.join(" | "));
        }
    }
    out
}

pub fn html(m: &Matrix) -> String {
    let mut b = String::new();
    let _ = write!(b, "<h1>kitei matrix</h1><div class=\"meta\">requests at {}</div>", escape(&m.at));
    let titles: Vec<&str> = m.sections.iter().map(|s| s.title.as_str()).collect();
    b.push_str(&filters(&titles));
    b.push_str("<table id=\"matrix\"><thead><tr><th>section</th><th>question</th>");
    for v in &m.variants {
        let _ = write!(b, "<th>{}<br>{}</th>", escape(&v.variant), escape(&v.institution_name));
    }
    b.push_str("</tr></thead><tbody>");
    for s in &m.sections {
        for r in &s.rows {
            let _ = write!(b, "<tr class=\"row\" data-operation=\"{0}\"><td class=\"op\">{0}</td><td>{1}</td>", escape(&s.title), escape(&r.label));
            for c in &r.cells {
                let class = if c.value.contains("unspecified") { " class=\"none\"" } else { "" };
                let _ = write!(b, "<td{class}><div class=\"outcome\">{}</div><div class=\"prov\">{}</div></td>", escape(&c.value), escape(&c.cites.join(", ")));
            }
            b.push_str("</tr>");
        }
    }
    b.push_str("</tbody></table>");
    page("kitei matrix", &b)
}
