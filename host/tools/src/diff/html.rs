//! The HTML report: one self-contained page (inline CSS and JS, nothing
//! fetched), 旧 and 新 side by side, filterable by operation. Each
//! difference group is one `<tr class="group" data-operation="…">`.

use crate::diff::compare::{NOT_IN_TEXT, Report, SideView, TermSide};
use crate::diff::escape;
use kitei::Wire;
use std::fmt::Write as _;

/// Shared by the diff and matrix pages.
pub(crate) const STYLE: &str = r#"
body { font-family: "Noto Sans CJK JP", "Hiragino Sans", "Yu Gothic", "Meiryo", sans-serif; margin: 1.5rem; color: #1d2433; background: #fafbfc; }
h1 { font-size: 1.4rem; margin: 0 0 .5rem; }
h2 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
.meta { color: #4a5468; margin-bottom: 1rem; }
.filters { margin: .75rem 0; display: flex; flex-wrap: wrap; gap: .4rem; }
.filters button { border: 1px solid #9aa5b8; background: #fff; border-radius: 1rem; padding: .2rem .8rem; cursor: pointer; font-size: .9rem; }
.filters button.on { background: #1d4ed8; color: #fff; border-color: #1d4ed8; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { border: 1px solid #d5dae3; padding: .4rem .5rem; vertical-align: top; text-align: left; font-size: .88rem; }
th { background: #eef1f6; position: sticky; top: 0; white-space: nowrap; }
td.count { text-align: right; white-space: nowrap; }
td.op { white-space: nowrap; font-family: monospace; }
.outcome { font-weight: bold; margin-bottom: .25rem; }
.old .outcome { color: #9a3412; }
.new .outcome { color: #166534; }
.clause { margin: .15rem 0; }
.cite { font-weight: bold; white-space: nowrap; }
.unmet .cite { color: #b91c1c; }
.unmet .cite::after { content: " ✗"; }
.text { color: #374151; }
.prov { color: #6b7280; font-size: .78rem; }
details summary { cursor: pointer; color: #1d4ed8; }
pre { white-space: pre-wrap; word-break: break-all; font-size: .75rem; background: #f3f4f6; padding: .4rem; margin: .3rem 0 0; }
.none { color: #6b7280; }
"#;

fn side(s: &SideView) -> String {
    let mut out = format!("<div class=\"outcome\">{}</div>", escape(&s.outcome));
    for c in &s.clauses {
        let class = if c.met { "clause" } else { "clause unmet" };
        let _ = write!(
            out,
            "<div class=\"{class}\"><span class=\"cite\">{}</span> <code class=\"prov\">{}</code> <span class=\"prov\">{}</span><div class=\"text\">{}</div></div>",
            escape(&c.cite),
            escape(&c.code),
            escape(&c.provenance.join(", ")),
            escape(&c.texts.join(" "))
        );
    }
    out
}

/// The filter script: buttons show one operation's rows, or all.
pub(crate) const SCRIPT: &str = r#"
document.querySelectorAll('.filters button').forEach(function (b) {
  b.addEventListener('click', function () {
    var op = b.getAttribute('data-filter');
    document.querySelectorAll('.filters button').forEach(function (x) { x.classList.toggle('on', x === b); });
    document.querySelectorAll('tr[data-operation]').forEach(function (tr) {
      tr.style.display = (op === 'all' || tr.getAttribute('data-operation') === op) ? '' : 'none';
    });
  });
});
"#;

pub(crate) fn filters(ops: &[&str]) -> String {
    let mut out = String::from("<div class=\"filters\"><button class=\"on\" data-filter=\"all\">all</button>");
    for op in ops {
        let _ = write!(out, "<button data-filter=\"{0}\">{0}</button>", escape(op));
    }
    out.push_str("</div>");
    out
}

pub(crate) fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}\n<script>{SCRIPT}</script>\n</body>\n</html>\n",
        escape(title)
    )
}

/// Renders the report as one HTML page.
pub fn render(r: &Report) -> String {
    let mut b = String::new();
    let _ = write!(b, "<h1>新旧対比表: {} → {}</h1>", escape(&r.old.variant), escape(&r.new.variant));
    let requests = match &r.traffic {
        Some(traffic) => format!("requests: {}", escape(traffic)),
        None => format!("requests at {}; every validity period {} days on both sides", escape(&r.at), crate::diff::generate::PERIOD_DAYS),
    };
    let _ = write!(
        b,
        "<div class=\"meta\">旧 {} {} {}（{}） / 新 {} {} {}（{}）<br>{requests}; {} difference groups, {} clause text changes</div>",
        escape(&r.old.variant),
        escape(&r.old.institution_name),
        escape(&r.old.title),
        escape(&r.old.version),
        escape(&r.new.variant),
        escape(&r.new.institution_name),
        escape(&r.new.title),
        escape(&r.new.version),
        r.groups.len(),
        r.texts.len()
    );
    let mut ops: Vec<&str> = r.groups.iter().map(|g| g.operation.wire()).collect();
    ops.dedup();
    b.push_str(&filters(&ops));
    if r.groups.is_empty() {
        b.push_str("<p class=\"none\" id=\"no-differences\">no differences in answers</p>");
    } else {
        let _ = write!(
            b,
            "<table id=\"groups\"><thead><tr><th>operation</th><th>件数</th><th>旧 {}</th><th>新 {}</th><th>例</th></tr></thead><tbody>",
            escape(&r.old.variant),
            escape(&r.new.variant)
        );
        for g in &r.groups {
            let op = g.operation.wire();
            let mut example = serde_json::to_string_pretty(&g.example).unwrap_or_default();
            if !g.decisions.is_empty() {
                example = format!("decisions: {}\n{example}", g.decisions.join(", "));
            }
            let _ = write!(
                b,
                "<tr class=\"group\" data-operation=\"{op}\"><td class=\"op\">{op}</td><td class=\"count\">{}</td><td class=\"old\">{}</td><td class=\"new\">{}</td><td><div class=\"prov\">共通: {}</div><details><summary>request</summary><pre>{}</pre></details></td></tr>",
                g.count,
                side(&g.old),
                side(&g.new),
                escape(&if g.common.is_empty() { "—".to_string() } else { g.common.join(", ") }),
                escape(&example)
            );
        }
        b.push_str("</tbody></table>");
    }
    if !r.texts.is_empty() {
        b.push_str("<h2>条文の変更</h2><table id=\"texts\"><thead><tr><th>条項</th><th>旧</th><th>新</th></tr></thead><tbody>");
        for t in &r.texts {
            let show = |texts: &[String]| {
                if texts.is_empty() { "<span class=\"none\">（なし）</span>".to_string() } else { escape(&texts.join("\n")).replace('\n', "<br>") }
            };
            let _ = write!(b, "<tr class=\"text-change\"><td class=\"cite\">{}</td><td>{}</td><td>{}</td></tr>", escape(&t.cite), show(&t.old), show(&t.new));
        }
        b.push_str("</tbody></table>");
    }
    if !r.terms.is_empty() {
        b.push_str("<h2>用語 (declared terms)</h2><table id=\"terms\"><thead><tr><th>term</th><th>旧</th><th>新</th></tr></thead><tbody>");
        for t in &r.terms {
            let show = |s: &Option<TermSide>| s.as_ref().map_or_else(|| format!("<span class=\"none\">{NOT_IN_TEXT}</span>"), |s| escape(&s.line()));
            let class = if t.changed() { "term changed" } else { "term" };
            let _ = write!(
                b,
                "<tr class=\"{class}\" data-term=\"{0}\"><td><code>{0}</code> <span class=\"prov\">{1}</span></td><td>{2}</td><td>{3}</td></tr>",
                escape(&t.name),
                t.kind.wire(),
                show(&t.old),
                show(&t.new)
            );
        }
        b.push_str("</tbody></table>");
    }
    page(&format!("kitei diff {} → {}", r.old.variant, r.new.variant), &b)
}
