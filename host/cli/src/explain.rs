//! An answer for a person to read: the decision first, then every reason
//! with its cite, whether its condition held, and the sentence it rests on.

use kitei::{Answer, DecisionError, Wire};
use kitei::{Body, PermissionAnswer, Reason, TokenAnswer};
use std::fmt::Write as _;

/// The answer, readable: what was decided, by which module, and why.
pub fn answer(a: &Answer) -> String {
    let mut out = String::new();
    let p = a.policy();
    let head = match a.decision() {
        Some(d) => format!("{} — ", d.wire().to_uppercase()),
        None => String::new(),
    };
    let _ = writeln!(out, "{head}{} answers `{}` ({} version {})", p.variant, a.operation().wire(), p.institution, p.version);
    match a.body() {
        Body::Describe(info) => {
            let md = &info.metadata;
            let _ = writeln!(out, "  {} {}: {} rules, {} declared terms", md.institution_name, md.title, md.rules.len(), md.terms.len());
        }
        Body::Eligibility(v) => reasons(&mut out, "  ", &v.reasons),
        Body::Accounts(list) => {
            for acct in list {
                let linkable = if acct.linkable { "linkable" } else { "NOT linkable" };
                let _ = writeln!(out, "  account {} ({}): {linkable}", acct.id, acct.kind.wire());
                reasons(&mut out, "    ", &acct.reasons);
            }
        }
        Body::Authorize(v) => {
            reasons(&mut out, "  ", &v.reasons);
            token(&mut out, &v.token);
        }
        Body::Token(t) => token(&mut out, t),
        Body::Liability(list) => {
            for party in list {
                let _ = writeln!(out, "  {}: {}", party.party.wire(), party.ruling.wire());
                reasons(&mut out, "    ", &party.reasons);
            }
        }
        Body::Incident(v) => {
            for (name, part) in [("disclosure to the provider", &v.disclosure), ("to chained providers", &v.chained), ("suspension", &v.suspension)] {
                permission(&mut out, name, part);
            }
        }
        _ => {}
    }
    out
}

/// An error, readable: its code and message.
pub fn error(e: &DecisionError) -> String {
    format!("ERROR {}: {e}\n", e.code())
}

fn reasons(out: &mut String, indent: &str, list: &[Reason]) {
    for r in list {
        let mark = if r.met() { "✓" } else { "✗" };
        let rule = r.rule();
        let _ = writeln!(out, "{indent}{mark} {}  {} ({})", r.cite(), r.code(), rule.provenance.wire());
        let _ = writeln!(out, "{indent}    {}", rule.text);
    }
}

fn token(out: &mut String, t: &TokenAnswer) {
    let until = t.expires_at.as_ref().map(|e| format!(" until {}", e.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))).unwrap_or_default();
    let _ = writeln!(out, "  token: {}{until}", t.status.wire());
    reasons(out, "    ", &t.reasons);
}

fn permission(out: &mut String, name: &str, p: &PermissionAnswer) {
    let _ = writeln!(out, "  {name}: {}", p.ruling.wire());
    reasons(out, "    ", &p.reasons);
}
