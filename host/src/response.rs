//! The response JSON of api.md, expanded from rule indices to cited reasons.

use crate::error::DecisionError;
use crate::policy::{Outcome, PolicyInfo};
use crate::request::Parsed;
use crate::vocab::Wire;
use kitei_sdk::types as m;
use serde_json::{json, Map, Value};

/// The human form of a clause: `第2条第2項第3号`, `注意事項・3`.
pub fn cite(c: &m::Clause) -> String {
    kitei_sdk::rule::cite(c.article, c.paragraph, c.item, c.section.as_deref())
}

/// The clause object: only the parts that are set.
pub fn clause_json(c: &m::Clause) -> Value {
    let mut o = Map::new();
    for (k, v) in [("article", c.article), ("paragraph", c.paragraph), ("item", c.item)] {
        if let Some(v) = v {
            o.insert(k.into(), v.into());
        }
    }
    if let Some(s) = &c.section {
        o.insert("section".into(), s.clone().into());
    }
    Value::Object(o)
}

/// A rule of the sheet as `describe` shows it.
pub fn rule_json(r: &m::Rule) -> Value {
    json!({
        "cite": cite(&r.clause),
        "clause": clause_json(&r.clause),
        "provenance": r.provenance.wire(),
        "text": r.text,
        "summary": r.summary,
        "code_met": r.code_met,
        "code_unmet": r.code_unmet,
    })
}

pub fn settings_json(s: &m::Settings) -> Value {
    json!({
        "reauth_after_days": s.reauth_after_days,
        "registration_valid_days": s.registration_valid_days,
        "permission_valid_days": s.permission_valid_days,
        "inactivity_days": s.inactivity_days,
        "designated_providers": s.designated_providers,
    })
}

/// What identifies a loaded variant and when it is in force, with the
/// settings in force: the common part of `describe` and `GET /v1/policies`.
pub fn summary_json(info: &PolicyInfo) -> Map<String, Value> {
    let md = &info.metadata;
    let mut o = Map::new();
    o.insert("variant".into(), md.variant.clone().into());
    o.insert("institution".into(), md.institution.clone().into());
    o.insert("institution_name".into(), md.institution_name.clone().into());
    o.insert("title".into(), md.title.clone().into());
    o.insert("version".into(), md.version.clone().into());
    o.insert("effective_from".into(), md.effective_from.clone().into());
    o.insert("effective_until".into(), md.effective_until.clone().into());
    o.insert("settings".into(), settings_json(&info.settings));
    o
}

/// `describe`'s metadata object.
pub fn metadata_json(info: &PolicyInfo) -> Value {
    let md = &info.metadata;
    let mut o = summary_json(info);
    o.insert("settings_used".into(), json!(md.settings_used));
    o.insert("parties".into(), json!(md.parties.iter().map(|p| p.wire()).collect::<Vec<_>>()));
    o.insert("rules".into(), Value::Array(md.rules.iter().map(rule_json).collect()));
    Value::Object(o)
}

/// The `policy` block naming the module that answered.
pub fn policy_json(info: &PolicyInfo) -> Value {
    json!({
        "variant": info.metadata.variant,
        "institution": info.metadata.institution,
        "version": info.metadata.version,
        "sha256": info.sha256,
    })
}

struct Render<'a> {
    info: &'a PolicyInfo,
}

impl Render<'_> {
    /// A reason; a rule index outside the sheet is the module's failure.
    fn reason(&self, r: &m::Reason) -> Result<Value, DecisionError> {
        let rule = self.info.metadata.rules.get(r.rule as usize).ok_or_else(|| DecisionError::PolicyFailed {
            variant: self.info.metadata.variant.clone(),
            message: format!("reason cites rule {} but the sheet has {}", r.rule, self.info.metadata.rules.len()),
        })?;
        Ok(json!({
            "code": if r.met { &rule.code_met } else { &rule.code_unmet },
            "clause": clause_json(&rule.clause),
            "cite": cite(&rule.clause),
            "provenance": rule.provenance.wire(),
            "text": rule.text,
        }))
    }

    fn reasons(&self, rs: &[m::Reason]) -> Result<Value, DecisionError> {
        Ok(Value::Array(rs.iter().map(|r| self.reason(r)).collect::<Result<_, _>>()?))
    }

    fn token(&self, t: &m::TokenVerdict) -> Result<Value, DecisionError> {
        Ok(json!({
            "status": t.status.wire(),
            "expires_at": t.expires_at.as_ref().map(timestamp_string),
            "reasons": self.reasons(&t.reasons)?,
        }))
    }

    fn permission(&self, p: &m::Permission) -> Result<Value, DecisionError> {
        Ok(json!({ "ruling": p.ruling.wire(), "reasons": self.reasons(&p.reasons)? }))
    }
}

/// RFC 3339 in the offset the time was given in.
pub fn timestamp_string(t: &m::Timestamp) -> String {
    chrono::FixedOffset::east_opt(t.offset_seconds)
        .and_then(|o| chrono::DateTime::from_timestamp(t.seconds, t.nanos).map(|d| d.with_timezone(&o)))
        .map_or_else(|| format!("@{}", t.seconds), |d| d.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
}

/// The whole response for one decided request.
///
/// # Errors
/// [`DecisionError::PolicyFailed`] when the module's answer does not fit its
/// own sheet or the request (fail closed).
pub fn render(info: &PolicyInfo, parsed: &Parsed, outcome: &Outcome) -> Result<Value, DecisionError> {
    let r = Render { info };
    let mut out = Map::new();
    out.insert("policy".into(), policy_json(info));
    out.insert("operation".into(), parsed.operation.wire().into());
    let fail = |message: String| DecisionError::PolicyFailed { variant: info.metadata.variant.clone(), message };
    match outcome {
        Outcome::Describe => {
            out.insert("metadata".into(), metadata_json(info));
        }
        Outcome::Eligibility(v) => {
            out.insert("decision".into(), v.decision.wire().into());
            out.insert("reasons".into(), r.reasons(&v.reasons)?);
        }
        Outcome::Accounts(list) => {
            let mut accounts = Vec::with_capacity(list.len());
            for a in list {
                let i = a.index as usize;
                let (Some(id), Some(acct)) = (parsed.account_ids.get(i), parsed.request.accounts.get(i)) else {
                    return Err(fail(format!("answered for account index {i}, which the request does not have")));
                };
                accounts.push(json!({
                    "id": id,
                    "kind": acct.kind.wire(),
                    "linkable": a.linkable,
                    "reasons": r.reasons(&a.reasons)?,
                }));
            }
            out.insert("accounts".into(), Value::Array(accounts));
        }
        Outcome::Authorize(a) => {
            out.insert("decision".into(), a.decision.wire().into());
            out.insert("reasons".into(), r.reasons(&a.reasons)?);
            out.insert("token".into(), r.token(&a.token)?);
        }
        Outcome::Token(t) => {
            out.insert("token".into(), r.token(t)?);
        }
        Outcome::Liability(list) => {
            let parties = list
                .iter()
                .map(|p| Ok(json!({ "party": p.party.wire(), "ruling": p.ruling.wire(), "reasons": r.reasons(&p.reasons)? })))
                .collect::<Result<Vec<_>, DecisionError>>()?;
            out.insert("liability".into(), Value::Array(parties));
        }
        Outcome::Incident(v) => {
            out.insert("disclosure".into(), r.permission(&v.disclosure)?);
            out.insert("chained".into(), r.permission(&v.chained)?);
            out.insert("suspension".into(), r.permission(&v.suspension)?);
        }
    }
    Ok(Value::Object(out))
}
