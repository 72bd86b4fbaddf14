//! Comparing a response (api.md JSON) with what a scenario expects: the
//! one place that decides pass or fail.

use super::scenario::Expect;
use serde_json::Value;

/// Every way `response` differs from `expect`, as lines for people.
pub fn differences(expect: &Expect, response: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(want) = &expect.decision {
        field(&mut out, "decision", want, response.get("decision"), response.get("reasons"));
    }
    if let Some(want) = &expect.token {
        let token = response.get("token");
        field(&mut out, "token", want, token.and_then(|t| t.get("status")), token.and_then(|t| t.get("reasons")));
    }
    for (id, &want) in expect.accounts.iter().flatten() {
        let account =
            response.get("accounts").and_then(Value::as_array).and_then(|list| list.iter().find(|a| a.get("id").and_then(Value::as_str) == Some(id.as_str())));
        match account.and_then(|a| a.get("linkable")).and_then(Value::as_bool) {
            Some(got) if got == want => {}
            Some(got) => out.push(format!("accounts.{id}: expected linkable {want}, got {got}{}", because(account.and_then(|a| a.get("reasons"))))),
            None => out.push(format!("accounts.{id}: not in the answer")),
        }
    }
    for (key, want) in expect.rulings.iter().flatten() {
        let found = ruling(response, key);
        field(&mut out, &format!("rulings.{key}"), want, found.and_then(|r| r.get("ruling")), found.and_then(|r| r.get("reasons")));
    }
    if !expect.cites.is_empty() {
        let mut got = Vec::new();
        cites(response, &mut got);
        for want in &expect.cites {
            if !got.iter().any(|g| g == want) {
                got.dedup();
                out.push(format!("cites: {want} is not among the reasons (cited: {})", list(&got)));
            }
        }
    }
    for want in &expect.reasons {
        let given = reasons_in(response, want.part.as_deref());
        if !given.iter().any(|r| want.matches(r)) {
            out.push(format!("reasons: no reason {} (given: {})", want.describe(), described(&given)));
        }
    }
    for not in &expect.not_cites {
        let not = not.pattern();
        let given = reasons_in(response, not.part.as_deref());
        if given.iter().any(|r| not.matches(r)) {
            out.push(format!("not_cites: a reason {} is given (given: {})", not.describe(), described(&given)));
        }
    }
    out
}

/// The reasons of one part of the answer (`in` of a scenario), or every
/// reason anywhere in it (for `describe`, the rule sheet's rules).
fn reasons_in<'a>(response: &'a Value, part: Option<&str>) -> Vec<&'a Value> {
    let Some(part) = part else {
        let mut out = Vec::new();
        every_reason(response, &mut out);
        return out;
    };
    let holder = match (part.strip_prefix("accounts."), part) {
        (Some(id), _) => {
            response.get("accounts").and_then(Value::as_array).and_then(|list| list.iter().find(|a| a.get("id").and_then(Value::as_str) == Some(id)))
        }
        (None, "reasons") => Some(response),
        (None, "token") => response.get("token"),
        (None, key) => ruling(response, key),
    };
    holder.and_then(|h| h.get("reasons")).and_then(Value::as_array).map(|list| list.iter().collect()).unwrap_or_default()
}

fn every_reason<'a>(v: &'a Value, out: &mut Vec<&'a Value>) {
    match v {
        Value::Object(o) if o.get("cite").is_some_and(Value::is_string) => out.push(v),
        Value::Object(o) => o.values().for_each(|v| every_reason(v, out)),
        Value::Array(a) => a.iter().for_each(|v| every_reason(v, out)),
        _ => {}
    }
}

/// `第4条第3項 omitted clause_omitted …`: reasons as given.
fn described(reasons: &[&Value]) -> String {
    let parts: Vec<String> = reasons
        .iter()
        .map(|r| {
            let s = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or("?").to_string();
            format!("{} {} {}", s("cite"), s("provenance"), s("code"))
        })
        .collect();
    list(&parts)
}

/// The object holding a ruling: `liability.<party>` or a permission.
fn ruling<'a>(response: &'a Value, key: &str) -> Option<&'a Value> {
    match key.strip_prefix("liability.") {
        Some(party) => {
            response.get("liability").and_then(Value::as_array).and_then(|list| list.iter().find(|p| p.get("party").and_then(Value::as_str) == Some(party)))
        }
        None => response.get(key),
    }
}

fn field(out: &mut Vec<String>, name: &str, want: &str, got: Option<&Value>, reasons: Option<&Value>) {
    match got.and_then(Value::as_str) {
        Some(got) if got == want => {}
        Some(got) => out.push(format!("{name}: expected {want}, got {got}{}", because(reasons))),
        None => out.push(format!("{name}: not in the answer")),
    }
}

/// ` (第1条第2項第1号 code, …)`: the reasons given, to see why.
fn because(reasons: Option<&Value>) -> String {
    let Some(list) = reasons.and_then(Value::as_array) else { return String::new() };
    let parts: Vec<String> = list
        .iter()
        .map(|r| {
            let s = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or("?").to_string();
            format!("{} {}", s("cite"), s("code"))
        })
        .collect();
    if parts.is_empty() { String::new() } else { format!(" ({})", parts.join(", ")) }
}

/// Every `cite` anywhere in the answer (for `describe`, the rule sheet).
fn cites(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(o) => {
            for (k, v) in o {
                match (k.as_str(), v) {
                    ("cite", Value::String(s)) => out.push(s.clone()),
                    _ => cites(v, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|v| cites(v, out)),
        _ => {}
    }
}

fn list(items: &[String]) -> String {
    if items.is_empty() { "none".into() } else { items.join(" ") }
}
