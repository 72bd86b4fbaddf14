//! The host's one binding site: `bindgen!` for the policy world, and the
//! conversions between the SDK's types (the host's model of a request) and
//! the generated host types that cross into the component.

use kitei_sdk::types as m;

wasmtime::component::bindgen!({
    world: "institution-policy",
    path: "../../wit",
});

pub use exports::kitei::policy::policy as wt;

/// The WIT package and interface every module must export.
pub const INTERFACE: &str = "kitei:policy/policy@0.3.0";

/// `From` both ways between the SDK's and wasmtime's copy of a WIT enum,
/// from the SDK's one list of cases. `Segment` and `Channel` are the SDK
/// model's own (the WIT carries them as facts).
macro_rules! same_enum {
    (Segment $($rest:tt)*) => {};
    (Channel $($rest:tt)*) => {};
    ($ty:ident $what:literal { $($v:ident),+ $(,)? }) => {
        impl From<m::$ty> for wt::$ty {
            fn from(x: m::$ty) -> Self { match x { $(m::$ty::$v => wt::$ty::$v),+ } }
        }
        impl From<wt::$ty> for m::$ty {
            fn from(x: wt::$ty) -> Self { match x { $(wt::$ty::$v => m::$ty::$v),+ } }
        }
    };
}

kitei_sdk::for_each_enum!(same_enum);

/// `From` the SDK's flags to wasmtime's, from the SDK's one list of flags.
macro_rules! same_flags {
    ($ty:ident { $($f:ident),+ $(,)? }) => {
        impl From<m::$ty> for wt::$ty {
            fn from(x: m::$ty) -> Self {
                let mut out = wt::$ty::empty();
                $( if x.contains(m::$ty::$f) { out |= wt::$ty::$f; } )+
                out
            }
        }
    };
}

kitei_sdk::for_each_flags!(same_flags);

fn ts_out(t: wt::Timestamp) -> m::Timestamp {
    m::Timestamp { seconds: t.seconds, nanos: t.nanos, offset_seconds: t.offset_seconds }
}

/// The request as it crosses into the component: the SDK's flat form
/// (`kitei_sdk::model`), in wasmtime's types. The operation's own question
/// (function, incident kind, loss event) goes as its own argument.
///
/// # Errors
/// A time outside the instant range (the request parser refuses those first).
pub fn request_in(r: &m::Request) -> Result<wt::Request, String> {
    use kitei_sdk::model::{facts, instant, optional_instants, OUT_OF_RANGE};
    let out_of_range = |field: &str| format!("`{field}` {OUT_OF_RANGE}");
    let [authenticated_at, last_access_at, registered_at] =
        optional_instants(r).ok_or_else(|| out_of_range("consent"))?;
    Ok(wt::Request {
        at: instant(&r.at).ok_or_else(|| out_of_range("at"))?,
        facts: facts(r).into(),
        accounts: r.accounts.iter().map(|a| wt::Account { kind: a.kind.into(), flags: a.flags.into() }).collect(),
        selected: r.selected.clone(),
        provider_id: r.provider_id.clone(),
        authenticated_at,
        last_access_at,
        registered_at,
        authorized_functions: r.authorized_functions.into(),
    })
}

/// The operator's settings as they cross into the component.
pub fn settings_in(s: &m::Settings) -> wt::Settings {
    wt::Settings {
        reauth_after_days: s.reauth_after_days,
        registration_valid_days: s.registration_valid_days,
        permission_valid_days: s.permission_valid_days,
        inactivity_days: s.inactivity_days,
        designated_providers: s.designated_providers.clone(),
    }
}

/// The settings a component answered with.
pub fn settings_out(s: wt::Settings) -> m::Settings {
    m::Settings {
        reauth_after_days: s.reauth_after_days,
        registration_valid_days: s.registration_valid_days,
        permission_valid_days: s.permission_valid_days,
        inactivity_days: s.inactivity_days,
        designated_providers: s.designated_providers,
    }
}

fn reasons_out(rs: Vec<wt::Reason>) -> Vec<m::Reason> {
    rs.into_iter().map(|r| m::Reason { rule: r.rule, met: r.met }).collect()
}

pub fn verdict_out(v: wt::Verdict) -> m::Verdict {
    m::Verdict { decision: v.decision.into(), reasons: reasons_out(v.reasons) }
}

pub fn accounts_out(v: Vec<wt::AccountVerdict>) -> Vec<m::AccountVerdict> {
    v.into_iter()
        .map(|a| m::AccountVerdict { index: a.index, linkable: a.linkable, reasons: reasons_out(a.reasons) })
        .collect()
}

/// `at` is the request's time: the component answers in UTC, and the host
/// shows `expires_at` in the offset the question was asked in, as the engine
/// does natively.
pub fn token_out(t: wt::TokenVerdict, at: &m::Timestamp) -> m::TokenVerdict {
    // the same instant written in `at`'s offset (`seconds` count from the epoch in UTC)
    let in_offset = |e: wt::Timestamp| m::Timestamp { offset_seconds: at.offset_seconds, ..ts_out(e) };
    m::TokenVerdict { status: t.status.into(), expires_at: t.expires_at.map(in_offset), reasons: reasons_out(t.reasons) }
}

pub fn authorization_out(a: wt::Authorization, at: &m::Timestamp) -> m::Authorization {
    m::Authorization { decision: a.decision.into(), reasons: reasons_out(a.reasons), token: token_out(a.token, at) }
}

pub fn liability_out(v: Vec<wt::PartyRuling>) -> Vec<m::PartyRuling> {
    v.into_iter()
        .map(|p| m::PartyRuling { party: p.party.into(), ruling: p.ruling.into(), reasons: reasons_out(p.reasons) })
        .collect()
}

fn permission_out(p: wt::Permission) -> m::Permission {
    m::Permission { ruling: p.ruling.into(), reasons: reasons_out(p.reasons) }
}

pub fn incident_out(v: wt::IncidentVerdict) -> m::IncidentVerdict {
    m::IncidentVerdict {
        disclosure: permission_out(v.disclosure),
        chained: permission_out(v.chained),
        suspension: permission_out(v.suspension),
    }
}

pub fn metadata_out(md: wt::Metadata) -> m::Metadata {
    m::Metadata {
        variant: md.variant,
        institution: md.institution,
        institution_name: md.institution_name,
        title: md.title,
        version: md.version,
        effective_from: md.effective_from,
        effective_until: md.effective_until,
        settings_used: md.settings_used,
        defaults: settings_out(md.defaults),
        parties: md.parties.into_iter().map(Into::into).collect(),
        rules: md
            .rules
            .into_iter()
            .map(|r| m::Rule {
                clause: m::Clause {
                    article: r.clause.article,
                    paragraph: r.clause.paragraph,
                    item: r.clause.item,
                    section: r.clause.section,
                },
                provenance: r.provenance.into(),
                text: r.text,
                code_met: r.code_met,
                code_unmet: r.code_unmet,
                summary: r.summary,
            })
            .collect(),
    }
}
