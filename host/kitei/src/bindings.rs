//! The host's one binding site: `bindgen!` for each contract version the
//! host serves, and the conversions between the SDK's types (the host's
//! model of a request and an answer, which is the current contract's) and
//! the generated types that cross into a component.
//!
//! Two versions are bound side by side, as Spin's `crates/world` binds its
//! worlds: [`v04`] (`wit/policy.wit`, the current contract) and [`v03`]
//! (`wit/0.3.0/policy.wit`, served through an adapter: docs/contract.md).
//! What the two share is converted by one macro, [`shared_conversions!`].

/// The contract versions this host serves, newest first: the interface a
/// module must export, and the version as docs and errors write it.
pub const SERVED: [(&str, &str); 2] = [("kitei:policy/policy@0.4.0", "0.4.0"), ("kitei:policy/policy@0.3.0", "0.3.0")];

/// `From` both ways between the SDK's and a binding's copy of a WIT enum,
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

/// `From` the SDK's flags to a binding's, from the SDK's one list of flags
/// (a flag the binding's version does not have is refused by the caller
/// before it gets here).
macro_rules! same_flags {
    (Facts { $($f:ident),+ $(,)? }) => {};
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

/// The SDK's `facts` in a binding's, flag by flag: the facts both versions
/// have, and the ones named after them.
macro_rules! copy_facts {
    ($x:expr $(, $extra:ident)*) => {{
        let x = $x;
        let mut out = wt::Facts::empty();
        $( if x.contains(m::Facts::$extra) { out |= wt::Facts::$extra; } )*
        copy_facts!(@ x, out, CORPORATE, INTERNET_BANKING_CONTRACT, DIRECT_BANKING_REGISTERED, AGREED_TO_TERMS,
            API_AUTH_COMPLETED, PROVIDER_DESIGNATED, PROVIDER_CONTRACT, PROVIDER_VIA_CHAINED, ANSER_CHANNEL,
            INTERNET_BANKING_OPEN, API_OPEN, INSTITUTION_AT_FAULT, HAS_AUTHENTICATED_AT, HAS_LAST_ACCESS_AT,
            HAS_REGISTERED_AT);
        out
    }};
    (@ $x:ident, $out:ident, $($f:ident),+) => {
        $( if $x.contains(m::Facts::$f) { $out |= wt::Facts::$f; } )+
    };
}

/// The conversions both versions share: enums, flags, reasons, verdicts,
/// tokens, permissions and rules. Invoked inside each version's module.
macro_rules! shared_conversions {
    () => {
        use kitei_sdk::types as m;

        kitei_sdk::for_each_enum!(same_enum);
        kitei_sdk::for_each_flags!(same_flags);

        fn ts_out(t: wt::Timestamp) -> m::Timestamp {
            m::Timestamp { seconds: t.seconds, nanos: t.nanos, offset_seconds: t.offset_seconds }
        }

        fn reasons_out(rs: Vec<wt::Reason>) -> Vec<m::Reason> {
            rs.into_iter().map(|r| m::Reason { rule: r.rule, met: r.met }).collect()
        }

        pub fn verdict_out(v: wt::Verdict) -> m::Verdict {
            m::Verdict { decision: v.decision.into(), reasons: reasons_out(v.reasons) }
        }

        pub fn accounts_out(v: Vec<wt::AccountVerdict>) -> Vec<m::AccountVerdict> {
            v.into_iter().map(|a| m::AccountVerdict { index: a.index, linkable: a.linkable, reasons: reasons_out(a.reasons) }).collect()
        }

        /// `at` is the request's time: the component answers in UTC, and the
        /// host shows `expires_at` in the offset the question was asked in,
        /// as the engine does natively.
        pub fn token_out(t: wt::TokenVerdict, at: &m::Timestamp) -> m::TokenVerdict {
            // the same instant written in `at`'s offset (`seconds` count from the epoch in UTC)
            let in_offset = |e: wt::Timestamp| m::Timestamp { offset_seconds: at.offset_seconds, ..ts_out(e) };
            m::TokenVerdict { status: t.status.into(), expires_at: t.expires_at.map(in_offset), reasons: reasons_out(t.reasons) }
        }

        pub fn authorization_out(a: wt::Authorization, at: &m::Timestamp) -> m::Authorization {
            m::Authorization { decision: a.decision.into(), reasons: reasons_out(a.reasons), token: token_out(a.token, at) }
        }

        fn permission_out(p: wt::Permission) -> m::Permission {
            m::Permission { ruling: p.ruling.into(), reasons: reasons_out(p.reasons) }
        }

        pub fn incident_out(v: wt::IncidentVerdict) -> m::IncidentVerdict {
            m::IncidentVerdict { disclosure: permission_out(v.disclosure), chained: permission_out(v.chained), suspension: permission_out(v.suspension) }
        }

        fn rules_out(rules: Vec<wt::Rule>) -> Vec<m::Rule> {
            rules
                .into_iter()
                .map(|r| m::Rule {
                    clause: m::Clause { article: r.clause.article, paragraph: r.clause.paragraph, item: r.clause.item, section: r.clause.section },
                    provenance: r.provenance.into(),
                    text: r.text,
                    code_met: r.code_met,
                    code_unmet: r.code_unmet,
                    summary: r.summary,
                })
                .collect()
        }

        /// The request's times as instants, refused outside the range
        /// (the request parser refuses those first).
        fn instants(r: &m::Request) -> Result<(i64, [i64; 3]), String> {
            use kitei_sdk::model::{OUT_OF_RANGE, instant, optional_instants};
            let out_of_range = |field: &str| format!("`{field}` {OUT_OF_RANGE}");
            let times = optional_instants(r).ok_or_else(|| out_of_range("consent"))?;
            Ok((instant(&r.at).ok_or_else(|| out_of_range("at"))?, times))
        }
    };
}

/// `kitei:policy@0.4.0`: the current contract, with declared terms.
pub mod v04 {
    wasmtime::component::bindgen!({
        world: "institution-policy",
        path: "../../wit",
    });

    pub use exports::kitei::policy::policy as wt;

    /// The interface a module of this version exports.
    pub const INTERFACE: &str = super::SERVED[0].0;

    shared_conversions!();

    impl From<m::Facts> for wt::Facts {
        fn from(x: m::Facts) -> Self {
            copy_facts!(x, OTHER_CHANNEL)
        }
    }

    /// The request as it crosses into the component: the SDK's flat form
    /// (`kitei_sdk::model`), in wasmtime's types. The operation's own
    /// question goes as its own argument.
    ///
    /// # Errors
    /// A time outside the instant range.
    pub fn request_in(r: &m::Request) -> Result<wt::Request, String> {
        let (at, [authenticated_at, last_access_at, registered_at]) = instants(r)?;
        Ok(wt::Request {
            at,
            facts: kitei_sdk::model::facts(r).into(),
            accounts: r.accounts.iter().map(|a| wt::Account { kind: kind_in(a.kind), flags: a.flags.into(), extension_flags: a.extension_flags }).collect(),
            selected: r.selected.clone(),
            provider_id: r.provider_id.clone(),
            authenticated_at,
            last_access_at,
            registered_at,
            authorized_functions: r.authorized_functions.into(),
            extension_facts: kitei_sdk::model::extension_facts(r),
            extension_authorized: r.extension_authorized,
        })
    }

    fn kind_in(k: m::KindRef) -> wt::KindRef {
        match k {
            m::KindRef::Core(k) => wt::KindRef::Core(k.into()),
            m::KindRef::Extension(p) => wt::KindRef::Extension(p),
            m::KindRef::Undeclared => wt::KindRef::Undeclared,
        }
    }

    macro_rules! asked {
        ($name:ident, $model:ident, $wire:ident) => {
            /// The operation's subject as it crosses into the component.
            pub fn $name(x: Option<m::$model>) -> wt::$wire {
                match x {
                    None => wt::$wire::None,
                    Some(m::$model::Core(c)) => wt::$wire::Core(c.into()),
                    Some(m::$model::Extension(p)) => wt::$wire::Extension(p),
                    Some(m::$model::Undeclared) => wt::$wire::Undeclared,
                }
            }
        };
    }

    asked!(function_in, FunctionRef, AskedFunction);
    asked!(incident_kind_in, IncidentKindRef, AskedIncidentKind);
    asked!(loss_event_in, LossEventRef, AskedLossEvent);

    /// The operator's settings as they cross into the component.
    pub fn settings_in(s: &m::Settings) -> wt::Settings {
        wt::Settings {
            reauth_after_days: s.reauth_after_days,
            registration_valid_days: s.registration_valid_days,
            permission_valid_days: s.permission_valid_days,
            inactivity_days: s.inactivity_days,
            designated_providers: s.designated_providers.clone(),
            extension: s
                .extension
                .iter()
                .map(|e| wt::ExtensionSetting {
                    position: e.position,
                    value: match &e.value {
                        m::SettingValue::Number(n) => wt::SettingValue::Number(*n),
                        m::SettingValue::Ids(ids) => wt::SettingValue::Ids(ids.clone()),
                        m::SettingValue::Flag(b) => wt::SettingValue::Flag(*b),
                    },
                })
                .collect(),
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
            extension: s
                .extension
                .into_iter()
                .map(|e| m::ExtensionSetting {
                    position: e.position,
                    value: match e.value {
                        wt::SettingValue::Number(n) => m::SettingValue::Number(n),
                        wt::SettingValue::Ids(ids) => m::SettingValue::Ids(ids),
                        wt::SettingValue::Flag(b) => m::SettingValue::Flag(b),
                    },
                })
                .collect(),
        }
    }

    fn party_out(p: wt::PartyRef) -> m::PartyRef {
        match p {
            wt::PartyRef::Core(p) => m::PartyRef::Core(p.into()),
            wt::PartyRef::Extension(x) => m::PartyRef::Extension(x),
        }
    }

    pub fn liability_out(v: Vec<wt::PartyRuling>) -> Vec<m::PartyRuling> {
        v.into_iter()
            .map(|p| m::PartyRuling {
                party: party_out(p.party),
                ruling: match p.ruling {
                    wt::LiabilityRulingRef::Core(r) => m::LiabilityRulingRef::Core(r.into()),
                    wt::LiabilityRulingRef::Extension(x) => m::LiabilityRulingRef::Extension(x),
                },
                reasons: reasons_out(p.reasons),
            })
            .collect()
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
            scope: match md.scope {
                wt::Scope::EveryCustomer => m::Scope::EveryCustomer,
                wt::Scope::Individual => m::Scope::Individual,
                wt::Scope::Corporate => m::Scope::Corporate,
                wt::Scope::Service(name) => m::Scope::Service(name),
            },
            settings_used: md.settings_used,
            defaults: settings_out(md.defaults),
            parties: md.parties.into_iter().map(party_out).collect(),
            terms: md.terms.into_iter().map(|t| m::Term { kind: t.kind.into(), name: t.name, ja: t.ja, summary: t.summary, rule: t.rule }).collect(),
            rules: rules_out(md.rules),
        }
    }

    impl From<wt::TermKind> for m::TermKind {
        fn from(k: wt::TermKind) -> Self {
            match k {
                wt::TermKind::Function => m::TermKind::Function,
                wt::TermKind::AccountKind => m::TermKind::AccountKind,
                wt::TermKind::AccountFlag => m::TermKind::AccountFlag,
                wt::TermKind::CustomerFact => m::TermKind::CustomerFact,
                wt::TermKind::ProviderFact => m::TermKind::ProviderFact,
                wt::TermKind::ConsentFact => m::TermKind::ConsentFact,
                wt::TermKind::ServiceFact => m::TermKind::ServiceFact,
                wt::TermKind::Channel => m::TermKind::Channel,
                wt::TermKind::IncidentKind => m::TermKind::IncidentKind,
                wt::TermKind::LossEvent => m::TermKind::LossEvent,
                wt::TermKind::Party => m::TermKind::Party,
                wt::TermKind::LiabilityRuling => m::TermKind::LiabilityRuling,
                wt::TermKind::Setting => m::TermKind::Setting,
            }
        }
    }
}

/// `kitei:policy@0.3.0`, served through an adapter: its modules declare no
/// terms, so a question naming a term beyond 0.3's vocabulary that the
/// module would have to answer from its lists (a function, an account
/// kind, a channel) is refused before the call, and one it would not read
/// (a fact, an account flag) or would answer as unnamed (an incident kind,
/// a loss event) is left out, exactly as a 0.4 module that does not declare
/// it answers (docs/contract.md).
pub mod v03 {
    wasmtime::component::bindgen!({
        world: "institution-policy",
        path: "../../wit/0.3.0",
    });

    pub use exports::kitei::policy::policy as wt;

    /// The interface a module of this version exports.
    pub const INTERFACE: &str = super::SERVED[1].0;

    shared_conversions!();

    /// The facts 0.3 has: every fact but `other-channel` (the adapter
    /// refuses a declared channel before it gets here).
    fn facts_in(x: m::Facts) -> wt::Facts {
        copy_facts!(x)
    }

    /// What the adapter cannot put to a 0.3 module: a term its lists would
    /// have to answer for, by what it is.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Beyond {
        /// an account's kind
        AccountKind,
        /// the provider's channel
        Channel,
        /// the function asked about
        Function,
    }

    /// The request as a 0.3 module takes it.
    ///
    /// # Errors
    /// `Err(Ok(beyond))` for a term 0.3 cannot carry (the caller names it),
    /// `Err(Err(message))` for a time outside the instant range.
    pub fn request_in(r: &m::Request) -> Result<wt::Request, Result<Beyond, String>> {
        let (at, [authenticated_at, last_access_at, registered_at]) = instants(r).map_err(Err)?;
        if !matches!(r.provider_channel, m::ChannelRef::Core(_)) {
            return Err(Ok(Beyond::Channel));
        }
        let mut accounts = Vec::with_capacity(r.accounts.len());
        for a in &r.accounts {
            let m::KindRef::Core(kind) = a.kind else { return Err(Ok(Beyond::AccountKind)) };
            accounts.push(wt::Account { kind: kind.into(), flags: a.flags.into() });
        }
        Ok(wt::Request {
            at,
            facts: facts_in(kitei_sdk::model::facts(r)),
            accounts,
            selected: r.selected.clone(),
            provider_id: r.provider_id.clone(),
            authenticated_at,
            last_access_at,
            registered_at,
            authorized_functions: r.authorized_functions.into(),
        })
    }

    /// The function asked about, as 0.3 takes it.
    ///
    /// # Errors
    /// [`Beyond::Function`] for a function 0.3 cannot name.
    pub fn function_in(f: Option<m::FunctionRef>) -> Result<Option<wt::Function>, Beyond> {
        match f {
            None => Ok(None),
            Some(m::FunctionRef::Core(f)) => Ok(Some(f.into())),
            Some(_) => Err(Beyond::Function),
        }
    }

    /// An incident kind 0.3 cannot name is one its text does not list:
    /// asked as none, which its tables answer as they answer an unlisted kind.
    pub fn incident_kind_in(k: Option<m::IncidentKindRef>) -> Option<wt::IncidentKind> {
        match k {
            Some(m::IncidentKindRef::Core(k)) => Some(k.into()),
            _ => None,
        }
    }

    /// A loss event 0.3 cannot name is one its text does not name: asked as none.
    pub fn loss_event_in(e: Option<m::LossEventRef>) -> Option<wt::LossEvent> {
        match e {
            Some(m::LossEventRef::Core(e)) => Some(e.into()),
            _ => None,
        }
    }

    /// The operator's settings as a 0.3 module takes them (it declares none
    /// of its own, so there are none to pass).
    pub fn settings_in(s: &m::Settings) -> wt::Settings {
        wt::Settings {
            reauth_after_days: s.reauth_after_days,
            registration_valid_days: s.registration_valid_days,
            permission_valid_days: s.permission_valid_days,
            inactivity_days: s.inactivity_days,
            designated_providers: s.designated_providers.clone(),
        }
    }

    /// The settings a 0.3 module answered with.
    pub fn settings_out(s: wt::Settings) -> m::Settings {
        m::Settings {
            reauth_after_days: s.reauth_after_days,
            registration_valid_days: s.registration_valid_days,
            permission_valid_days: s.permission_valid_days,
            inactivity_days: s.inactivity_days,
            designated_providers: s.designated_providers,
            extension: Vec::new(),
        }
    }

    pub fn liability_out(v: Vec<wt::PartyRuling>) -> Vec<m::PartyRuling> {
        v.into_iter()
            .map(|p| m::PartyRuling {
                party: m::PartyRef::Core(p.party.into()),
                ruling: m::LiabilityRulingRef::Core(p.ruling.into()),
                reasons: reasons_out(p.reasons),
            })
            .collect()
    }

    /// A 0.3 module's metadata in the current model: every customer's
    /// contracts, no declared terms.
    pub fn metadata_out(md: wt::Metadata) -> m::Metadata {
        m::Metadata {
            variant: md.variant,
            institution: md.institution,
            institution_name: md.institution_name,
            title: md.title,
            version: md.version,
            effective_from: md.effective_from,
            effective_until: md.effective_until,
            scope: m::Scope::EveryCustomer,
            settings_used: md.settings_used,
            defaults: settings_out(md.defaults),
            parties: md.parties.into_iter().map(|p| m::PartyRef::Core(p.into())).collect(),
            terms: Vec::new(),
            rules: rules_out(md.rules),
        }
    }
}
