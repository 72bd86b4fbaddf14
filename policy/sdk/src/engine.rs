//! The one evaluator every variant runs: tables in, cited answers out.

use crate::model::FunctionRef;
use crate::policy::{AccountNeeds, Clock, ContractScope, Fact, PeriodSetting, Policy, RulingRef, Scope, WindowTest};
use crate::request::selected;
use crate::rule::RuleId;
use crate::settings::{self, SettingName};
use crate::term::TermId;
use crate::time::{add_days, from_chrono, to_chrono};
use crate::types::{
    Account, AccountFlags, AccountVerdict, Authorization, Clause as WitClause, ConsentFlags, CustomerFlags, Decision, IncidentVerdict, LiabilityRuling,
    LiabilityRulingRef, Metadata, PartyRef, PartyRuling, Permission, PermissionRuling, ProviderFlags, Reason, Request, Rule as WitRule, Scope as WitScope,
    Segment, ServiceFlags, Settings, Term as WitTerm, TokenStatus, TokenVerdict, Verdict,
};

fn reason(rule: RuleId, met: bool) -> Reason {
    Reason { rule: rule.0, met }
}

fn decision(reasons: &[Reason]) -> Decision {
    if reasons.iter().all(|r| r.met) { Decision::Permit } else { Decision::Deny }
}

/// A variant with the operator's settings in force.
#[derive(Clone, Debug)]
pub struct Engine {
    policy: &'static Policy,
    settings: Settings,
}

impl Engine {
    /// Validates `settings` for `policy` and fills in its defaults.
    ///
    /// # Errors
    /// A message naming the setting at fault.
    pub fn new(policy: &'static Policy, settings: Settings) -> Result<Self, String> {
        let settings = settings::validate(policy, settings)?;
        Ok(Engine { policy, settings })
    }

    /// The variant with its defaults only.
    pub fn with_defaults(policy: &'static Policy) -> Self {
        Engine { policy, settings: settings::defaults(policy) }
    }

    pub fn policy(&self) -> &'static Policy {
        self.policy
    }

    /// The settings in force.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    fn holds(&self, fact: &Fact, req: &Request) -> bool {
        match fact {
            Fact::InternetBankingContract => req.customer.contains(CustomerFlags::INTERNET_BANKING_CONTRACT),
            Fact::DirectBankingRegistered => req.customer.contains(CustomerFlags::DIRECT_BANKING_REGISTERED),
            Fact::Individual => req.segment == Segment::Individual,
            Fact::AgreedToTerms => req.consent.contains(ConsentFlags::AGREED_TO_TERMS),
            Fact::ApiAuthCompleted => req.consent.contains(ConsentFlags::API_AUTH_COMPLETED),
            Fact::ProviderContract => req.provider.contains(ProviderFlags::CONTRACT),
            Fact::ProviderDesignated => match &self.settings.designated_providers {
                Some(ids) => ids.contains(&req.provider_id),
                None => req.provider.contains(ProviderFlags::DESIGNATED),
            },
            Fact::HoldsAccount { kinds, needs } => req.accounts.iter().any(|a| kinds.holds(a.kind) && meets(a, *needs)),
            Fact::All(facts) => facts.iter().all(|f| self.holds(f, req)),
            Fact::Any(facts) => facts.iter().any(|f| self.holds(f, req)),
            Fact::Unknown => true,
            Fact::Declared(t) => req.extension_fact(t.position),
        }
    }

    /// 利用資格: every condition, each with its outcome.
    pub fn eligibility(&self, req: &Request) -> Verdict {
        let mut reasons = Vec::with_capacity(self.policy.eligibility.len());
        let decision = self.eligibility_into(req, &mut reasons);
        Verdict { decision, reasons }
    }

    fn eligibility_into(&self, req: &Request, out: &mut Vec<Reason>) -> Decision {
        let from = out.len();
        for c in self.policy.eligibility {
            let met = self.holds(&c.fact, req);
            let operator_list = self.operator_list_decides().then_some(self.policy.provider_setting).flatten();
            match (&c.fact, operator_list) {
                // designation is all the rule tests: the operator's list stands in its place
                (Fact::ProviderDesignated, Some(setting)) => out.push(reason(setting, met)),
                (Fact::ProviderDesignated, None) => out.push(reason(self.listed_row(req).unwrap_or(c.rule), met)),
                // the rule asks more than designation: the setting is cited beside it
                (fact, Some(setting)) if fact.tests_designation() => {
                    out.push(reason(c.rule, met));
                    out.push(reason(setting, self.holds(&Fact::ProviderDesignated, req)));
                }
                _ => out.push(reason(c.rule, met)),
            }
        }
        decision(&out[from..])
    }

    /// Whether the operator's `designated_providers` decides designation:
    /// a list is set and it is not the one the text publishes (compared as
    /// sets: the order of a list does not matter).
    fn operator_list_decides(&self) -> bool {
        let Some(ids) = self.settings.designated_providers.as_deref() else { return false };
        match self.policy.defaults.designated_providers {
            Some(published) => !(ids.iter().all(|id| published.contains(&id.as_str())) && published.iter().all(|p| ids.iter().any(|id| id == p))),
            None => true,
        }
    }

    /// The row of the provider list the text publishes (akita's
    /// 連携先一覧) that names the request's provider.
    fn listed_row(&self, req: &Request) -> Option<RuleId> {
        self.policy.provider_rows.iter().find(|row| row.id == req.provider_id).map(|row| row.rule)
    }

    fn account_reasons(&self, account: &Account, req: &Request, out: &mut Vec<Reason>) -> bool {
        let table = &self.policy.accounts;
        let Some(entry) = table.entries.iter().find(|e| e.kinds.holds(account.kind)) else {
            out.push(reason(table.unlisted, false));
            return false;
        };
        let on_channel = entry.channels.holds(req.provider_channel);
        out.push(reason(entry.rule, on_channel));
        let mut ok = on_channel;
        if entry.needs != AccountNeeds::Nothing {
            let met = meets(account, entry.needs);
            out.push(reason(entry.needs_rule.unwrap_or(entry.rule), met));
            ok &= met;
        }
        if ok {
            out.extend(table.notes.iter().map(|&n| reason(n, true)));
        }
        ok
    }

    /// 口座種類: whether each selected account can be linked.
    pub fn accounts(&self, req: &Request) -> Vec<AccountVerdict> {
        selected(req)
            .map(|(index, account)| {
                let mut reasons = Vec::new();
                let linkable = self.account_reasons(account, req, &mut reasons);
                AccountVerdict { index, linkable, reasons }
            })
            .collect()
    }

    fn function_reasons(&self, req: &Request, out: &mut Vec<Reason>) {
        let table = &self.policy.functions;
        let Some(function) = req.function else { return };
        let entries = || table.entries.iter().filter(|e| e.functions.holds(function));
        let Some(first) = entries().next().map(|e| e.rule) else {
            out.push(reason(table.unlisted, false));
            return;
        };
        let mut consent = None;
        if let Some(e) = entries().find(|e| e.scope == Scope::Customer) {
            out.push(reason(e.rule, true));
            consent = e.consent;
        } else if selected(req).next().is_none() {
            // a function on accounts, and no account to run it on
            let rule = entries().find_map(|e| e.no_account).unwrap_or(first);
            out.push(reason(rule, false));
        } else {
            for (_, account) in selected(req) {
                let covering = entries().find(|e| matches!(e.scope, Scope::Accounts(k) if k.holds(account.kind)));
                match covering {
                    Some(e) => {
                        out.push(reason(e.rule, true));
                        consent = consent.or(e.consent);
                    }
                    None => out.push(reason(table.uncovered.unwrap_or(first), false)),
                }
            }
        }
        if let Some(rule) = consent.or_else(|| entries().find_map(|e| e.consent)) {
            out.push(reason(rule, req.authorized(function)));
        }
    }

    fn window_reason(&self, req: &Request) -> Option<Reason> {
        let w = self.policy.window?;
        let ib = req.service.contains(ServiceFlags::INTERNET_BANKING_OPEN);
        let api = req.service.contains(ServiceFlags::API_OPEN);
        let open = match w.test {
            WindowTest::InternetBankingHours => ib,
            WindowTest::ApiHours => api,
            WindowTest::EitherHours => ib || api,
        };
        Some(reason(w.rule, open))
    }

    /// The whole decision for one function on the selected accounts:
    /// eligibility, each account, the function, the customer's authorization,
    /// the service window and the token. A token the text gives no period for
    /// (`unspecified`) does not deny by itself; its reason says so.
    pub fn authorize(&self, req: &Request) -> Authorization {
        // room for the usual answer: conditions, an account or two, the
        // function, its consent, the window
        let mut reasons = Vec::with_capacity(self.policy.eligibility.len() + 8);
        if self.eligibility_into(req, &mut reasons) == Decision::Deny {
            reasons.extend(self.policy.lapse.map(|r| reason(r, false)));
        }
        // A customer-level function (登録済の振込先) involves no account.
        if !req.function.is_some_and(|f| self.is_customer_level(f)) {
            for (_, account) in selected(req) {
                self.account_reasons(account, req, &mut reasons);
            }
        }
        self.function_reasons(req, &mut reasons);
        reasons.extend(self.window_reason(req));
        // Through a chained provider (連鎖接続先): what the text says of it,
        // the permitting clause or the 省略 / gap rule, always shown; the
        // decision does not turn on it (docs/readings.md, Accounts and functions).
        if req.provider.contains(ProviderFlags::VIA_CHAINED) {
            reasons.extend(self.chained_provision().iter().map(|&r| reason(r, true)));
        }
        let token = self.token(req);
        let mut decision = decision(&reasons);
        if token.status == TokenStatus::Expired {
            decision = Decision::Deny;
        }
        Authorization { decision, reasons, token }
    }

    /// The rules on chained provision (`chained_provision`, else the gap).
    fn chained_provision(&self) -> &'static [RuleId] {
        match self.policy.chained_provision {
            [] => core::slice::from_ref(&self.policy.gap),
            rules => rules,
        }
    }

    fn is_customer_level(&self, f: FunctionRef) -> bool {
        self.policy.functions.entries.iter().any(|e| e.scope == Scope::Customer && e.functions.holds(f))
    }

    /// The days a period lasts, as set (or the variant's default).
    fn period_days(&self, setting: PeriodSetting, settings: &Settings) -> Option<u32> {
        match setting {
            PeriodSetting::Core(name) => name.days(settings),
            PeriodSetting::Declared(t) => settings::declared_number(settings, t),
        }
    }

    /// Authentication validity: `valid` while `at` is before every period's end.
    pub fn token(&self, req: &Request) -> TokenVerdict {
        let periods = self.policy.token;
        if periods.is_empty() {
            return TokenVerdict { status: TokenStatus::Unspecified, expires_at: None, reasons: vec![reason(self.policy.gap, true)] };
        }
        let at = to_chrono(&req.at);
        let mut reasons = Vec::with_capacity(2 * periods.len());
        let mut unspecified = false;
        let mut expired = false;
        let mut end = None;
        for p in periods {
            let Some(days) = self.period_days(p.setting, &self.settings) else {
                reasons.push(reason(p.length_rule, false));
                unspecified = true;
                continue;
            };
            let stated = self.period_days(p.setting, &settings::defaults(self.policy));
            match p.override_rule {
                // the operator replaced the number the text states: the
                // setting is what applies, the text's number is shown as not
                Some(setting) if stated.is_some_and(|s| s != days) => {
                    reasons.push(reason(setting, true));
                    reasons.push(reason(p.length_rule, false));
                }
                _ => reasons.push(reason(p.length_rule, true)),
            }
            let start = match p.from {
                Clock::SinceAuthentication => req.authenticated_at.as_ref(),
                Clock::SinceLastAccess => req.last_access_at.as_ref().or(req.authenticated_at.as_ref()),
                Clock::SinceRegistration => req.registered_at.as_ref().or(req.authenticated_at.as_ref()),
            };
            let ends = start.and_then(to_chrono).and_then(|s| add_days(s, days));
            let valid = matches!((at, ends), (Some(at), Some(ends)) if at < ends);
            reasons.push(reason(p.rule, valid));
            expired |= !valid;
            if let Some(e) = ends {
                end = Some(end.map_or(e, |cur: chrono::DateTime<_>| cur.min(e)));
            }
        }
        let status = if expired {
            TokenStatus::Expired
        } else if unspecified {
            TokenStatus::Unspecified
        } else {
            TokenStatus::Valid
        };
        // shown in the offset the question was asked in
        let offset = at.map(|t| *t.offset());
        let expires_at = end.map(|e| from_chrono(offset.map_or(e, |o| e.with_timezone(&o))));
        TokenVerdict { status, expires_at, reasons }
    }

    /// Liability for the request's loss event, per party the variant names
    /// (core parties first, then declared ones). A loss event the variant
    /// does not declare is one its text does not name.
    pub fn liability(&self, req: &Request) -> Vec<PartyRuling> {
        let core = self.policy.parties.iter().map(|&p| (PartyRef::Core(p), Some(p), None));
        let declared = self.policy.declared_parties.iter().map(|t| (PartyRef::Extension(t.position), None, Some(*t)));
        core.chain(declared)
            .map(|(party, core, declared)| {
                let entry = req.loss_event.and_then(|ev| {
                    self.policy
                        .liability
                        .iter()
                        .find(|e| e.event == ev && (core.is_some_and(|p| e.parties.contains(&p)) || declared.is_some_and(|t| e.declared_parties.contains(&t))))
                });
                match entry {
                    Some(e) => {
                        let at_fault = req.institution_at_fault;
                        let excepted = e.unless_at_fault && at_fault;
                        // the text lifts the exemption; it does not say the party is liable
                        let ruling = if excepted { RulingRef::Core(LiabilityRuling::NotExempt) } else { e.ruling };
                        // at fault, an exemption without a fault exception
                        // that covers only some cases leaves the answer open
                        let ruling = if excepted && e.in_some_cases.is_some() { RulingRef::Core(LiabilityRuling::Unspecified) } else { ruling };
                        // at fault, what the text says then (its own ruling),
                        // or a ruling that stands by reading the specific
                        // clause over a general fault exception: cite those
                        let ruling = match e.at_fault_ruling {
                            Some(r) if at_fault => r,
                            _ => ruling,
                        };
                        let rules = if at_fault && !e.at_fault_reading.is_empty() { e.at_fault_reading } else { e.rules };
                        let met = !excepted || e.at_fault_ruling.is_some();
                        let mut reasons: Vec<Reason> = rules.iter().map(|&r| reason(r, met)).collect();
                        reasons.extend(e.in_some_cases.map(|r| reason(r, true)));
                        PartyRuling { party, ruling: ruling_ref(ruling), reasons }
                    }
                    None => PartyRuling { party, ruling: LiabilityRulingRef::Core(LiabilityRuling::Unspecified), reasons: vec![reason(self.policy.gap, true)] },
                }
            })
            .collect()
    }

    /// Disclosure to the provider, its extension to chained providers, and
    /// suspension by the institution, for the request's incident kind.
    ///
    /// The extension (`chained`: rokin 4.8, koza-renkei 7.3) carries the
    /// disclosure answer of the listed events it extends, resting on the
    /// listing clause and the extension only (an entry's `also`, rokin
    /// 第8条's consent to disclosure to the provider, does not reach a
    /// chained provider), and a refusal of the others; a disclosure
    /// permitted outside the list (`otherwise`: rokin 第8条 again) is not
    /// extended: `unspecified`, the extension cited as not reaching it.
    pub fn incident(&self, req: &Request) -> IncidentVerdict {
        let permitted = |r: PermissionRuling| r == PermissionRuling::Permitted;
        // the answer, and the entry that listed the kind (if one did)
        let lookup = |table: &crate::policy::PermissionTable| -> (Permission, Option<&crate::policy::PermissionEntry>) {
            let hit = req.incident_kind.and_then(|k| table.entries.iter().find(|e| e.kinds.holds(k)));
            match hit {
                Some(e) => {
                    let mut reasons = vec![reason(e.rule, permitted(e.ruling))];
                    reasons.extend(e.also.map(|r| reason(r, permitted(e.ruling))));
                    (Permission { ruling: e.ruling, reasons }, Some(e))
                }
                None => {
                    // only a refusal is a failed condition; an `unspecified`
                    // answer's reasons (省略, the gap) are shown as met, as
                    // in `liability` and `token`
                    let met = table.otherwise != PermissionRuling::NotPermitted;
                    let mut reasons = vec![reason(table.otherwise_rule, met)];
                    reasons.extend(table.otherwise_also.iter().map(|&r| reason(r, met)));
                    (Permission { ruling: table.otherwise, reasons }, None)
                }
            }
        };
        let (disclosure, listed) = lookup(&self.policy.disclosure);
        let chained = match self.policy.chained {
            Some(rule) if disclosure.ruling != PermissionRuling::Unspecified => {
                let extends = listed.is_some() || disclosure.ruling == PermissionRuling::NotPermitted;
                let ruling = if extends { disclosure.ruling } else { PermissionRuling::Unspecified };
                let mut reasons = match listed {
                    Some(e) => vec![reason(e.rule, permitted(e.ruling))],
                    None => disclosure.reasons.clone(),
                };
                reasons.push(reason(rule, extends && permitted(ruling)));
                Permission { ruling, reasons }
            }
            _ => Permission { ruling: PermissionRuling::Unspecified, reasons: self.chained_provision().iter().map(|&r| reason(r, true)).collect() },
        };
        let (suspension, _) = lookup(&self.policy.suspension);
        IncidentVerdict { disclosure, chained, suspension }
    }

    /// The variant's metadata with the settings in force as its defaults.
    pub fn describe(&self) -> Metadata {
        Metadata { defaults: self.settings.clone(), ..describe(self.policy) }
    }
}

fn ruling_ref(r: RulingRef) -> LiabilityRulingRef {
    match r {
        RulingRef::Core(r) => LiabilityRulingRef::Core(r),
        RulingRef::Declared(t) => LiabilityRulingRef::Extension(t.position),
    }
}

fn meets(account: &Account, needs: AccountNeeds) -> bool {
    let f = account.flags;
    match needs {
        AccountNeeds::Declared(TermId { position, .. }) => position < 32 && account.extension_flags & (1 << position) != 0,
        AccountNeeds::Nothing => true,
        AccountNeeds::InternetBankingRegistered => f.contains(AccountFlags::INTERNET_BANKING_REGISTERED),
        AccountNeeds::CashCard => f.contains(AccountFlags::CASH_CARD),
        AccountNeeds::CardWithPin => f.intersects(AccountFlags::CASH_CARD | AccountFlags::LOAN_CARD) && f.contains(AccountFlags::PIN_REGISTERED),
    }
}

/// The variant's metadata and rule sheet, as `describe` returns it.
pub fn describe(policy: &Policy) -> Metadata {
    let m = &policy.meta;
    Metadata {
        variant: m.variant.into(),
        institution: m.institution.into(),
        institution_name: m.institution_name.into(),
        title: m.title.into(),
        version: m.version.into(),
        effective_from: m.effective_from.into(),
        effective_until: m.effective_until.map(Into::into),
        scope: match policy.scope {
            ContractScope::EveryCustomer => WitScope::EveryCustomer,
            ContractScope::Individual => WitScope::Individual,
            ContractScope::Corporate => WitScope::Corporate,
            ContractScope::Service(name) => WitScope::Service(name.into()),
        },
        settings_used: policy
            .settings
            .iter()
            .map(|s| SettingName::name(*s).into())
            .chain(policy.terms.iter().filter(|t| t.kind == crate::term::TermKind::Setting).map(|t| t.name.into()))
            .collect(),
        defaults: settings::defaults(policy),
        parties: policy.parties.iter().map(|&p| PartyRef::Core(p)).chain(policy.declared_parties.iter().map(|t| PartyRef::Extension(t.position))).collect(),
        terms: policy.terms.iter().map(|t| WitTerm { kind: t.kind, name: t.name.into(), ja: t.ja.into(), summary: t.summary.into(), rule: t.rule.0 }).collect(),
        rules: policy
            .rules
            .iter()
            .map(|r| WitRule {
                clause: WitClause { article: r.clause.article, paragraph: r.clause.paragraph, item: r.clause.item, section: r.clause.section.map(Into::into) },
                provenance: r.provenance,
                text: r.text.into(),
                code_met: r.code_met.into(),
                code_unmet: r.code_unmet.into(),
                summary: r.summary.into(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;
    use crate::request::blank;
    use crate::testing::{cites, jst, no_settings, party_ruling};

    crate::rules! {
        R_1 = Rule::verbatim(Clause::article(1), "一");
        R_2 = Rule::verbatim(Clause::article(2), "二");
        R_3 = Rule::verbatim(Clause::article(3), "三");
        R_4 = Rule::omitted(Clause::article(4));
        R_5 = Rule::omitted(Clause::article(5));
        R_ROW_A = Rule::verbatim(Clause::section("一覧"), "A社");
        R_SET = Rule::setting(Clause::section("設定"), "operator");
        GAP = Rule::gap();
    }

    const META: Meta = crate::testing::TEST_META;

    static POLICY: Policy = Policy {
        settings: &[SettingName::ReauthAfterDays, SettingName::DesignatedProviders],
        defaults: Defaults { reauth_after_days: Some(90), designated_providers: Some(&["a"]), ..Policy::empty(META, RULES, GAP).defaults },
        eligibility: &[Condition { fact: Fact::ProviderDesignated, rule: R_1 }],
        provider_rows: &[ProviderRow { id: "a", rule: R_ROW_A }],
        provider_setting: Some(R_SET),
        token: &[Period::new(SettingName::ReauthAfterDays, Clock::SinceAuthentication, R_1, R_2).overridden_by(R_SET)],
        liability: &[LiabilityEntry::institution(LossEvent::ServiceTermination, LiabilityRuling::NotLiable, &[R_1]).unless_at_fault().or_in_some_cases(R_2)],
        disclosure: PermissionTable {
            entries: &[PermissionEntry::permitted(&[IncidentKind::Leak], R_1).also(R_3)],
            otherwise: PermissionRuling::Permitted,
            otherwise_rule: R_3,
            otherwise_also: &[],
        },
        chained: Some(R_2),
        chained_provision: &[R_4, R_5],
        suspension: PermissionTable::omitted(&[R_4, R_5]),
        ..Policy::empty(META, RULES, GAP)
    };

    #[test]
    fn a_listed_provider_cites_its_row_and_an_operator_list_the_setting() {
        let engine = Engine::with_defaults(&POLICY);
        let mut req = blank();
        req.provider_id = "a".into();
        assert_eq!(cites(&POLICY, &engine.eligibility(&req).reasons), ["一覧"]);
        req.provider_id = "b".into();
        let v = engine.eligibility(&req);
        assert_eq!((v.decision, cites(&POLICY, &v.reasons)), (Decision::Deny, vec!["第1条".to_string()]));
        let engine = Engine::new(&POLICY, Settings { designated_providers: Some(vec!["b".into()]), ..no_settings() }).unwrap();
        let v = engine.eligibility(&req);
        assert_eq!((v.decision, cites(&POLICY, &v.reasons)), (Decision::Permit, vec!["設定".to_string()]));
    }

    #[test]
    fn the_published_list_in_another_order_is_still_the_published_list() {
        static LISTED: Policy = Policy {
            defaults: Defaults { designated_providers: Some(&["a", "b"]), ..POLICY.defaults },
            provider_rows: &[ProviderRow { id: "a", rule: R_ROW_A }, ProviderRow { id: "b", rule: R_3 }],
            ..POLICY
        };
        let mut req = blank();
        req.provider_id = "a".into();
        let reordered = Engine::new(&LISTED, Settings { designated_providers: Some(vec!["b".into(), "a".into()]), ..no_settings() }).unwrap();
        assert_eq!(cites(&LISTED, &reordered.eligibility(&req).reasons), ["一覧"]);
        let other = Engine::new(&LISTED, Settings { designated_providers: Some(vec!["a".into()]), ..no_settings() }).unwrap();
        assert_eq!(cites(&LISTED, &other.eligibility(&req).reasons), ["設定"]);
    }

    #[test]
    fn an_operator_list_is_cited_beside_a_rule_that_asks_more_than_designation() {
        static CONTRACT: Policy = Policy {
            defaults: Defaults { designated_providers: None, ..POLICY.defaults },
            eligibility: &[Condition { fact: Fact::All(&[Fact::ProviderContract, Fact::ProviderDesignated]), rule: R_1 }],
            provider_rows: &[],
            ..POLICY
        };
        let mut req = blank();
        req.provider_id = "b".into();
        req.provider |= ProviderFlags::CONTRACT | ProviderFlags::DESIGNATED;
        // no list set: the request's flag decides, the rule alone is cited
        assert_eq!(cites(&CONTRACT, &Engine::with_defaults(&CONTRACT).eligibility(&req).reasons), ["第1条"]);
        let engine = Engine::new(&CONTRACT, Settings { designated_providers: Some(vec!["a".into()]), ..no_settings() }).unwrap();
        let v = engine.eligibility(&req);
        assert_eq!(cites(&CONTRACT, &v.reasons), ["第1条", "設定"]);
        assert_eq!((v.decision, v.reasons.iter().map(|r| r.met).collect::<Vec<_>>()), (Decision::Deny, vec![false, false]));
    }

    #[test]
    fn a_function_on_accounts_with_no_account_selected_is_denied() {
        crate::rules! {
            F_1 = Rule::verbatim(Clause::item(2, 1, 1), "残高照会").codes("function_offered", "function_not_offered");
            F_1_NONE = Rule::verbatim_of(F_1).codes("account_selected", "no_account_selected");
            F_2 = Rule::verbatim(Clause::item(2, 1, 2), "登録済の振込先").codes("function_offered", "function_not_offered");
            F_GAP = Rule::gap();
        }
        static FUNCTIONS: Policy = Policy {
            functions: Functions {
                entries: &[
                    FunctionEntry::on(&[Function::Balance], KindSet::ALL, F_1).no_account(F_1_NONE),
                    FunctionEntry::customer(&[Function::RegisteredPayees], F_2),
                ],
                unlisted: F_GAP,
                uncovered: None,
            },
            ..Policy::empty(META, RULES, F_GAP)
        };
        assert_eq!(FUNCTIONS.check(), Ok(()));
        let engine = Engine::with_defaults(&FUNCTIONS);
        let mut req = blank();
        req.function = Some(Function::Balance.into());
        let a = engine.authorize(&req);
        assert_eq!(a.decision, Decision::Deny);
        assert_eq!(crate::testing::unmet(&FUNCTIONS, &a.reasons), [("第2条第1項第1号".to_string(), "no_account_selected")]);
        // customer-level: no account needed
        req.function = Some(Function::RegisteredPayees.into());
        assert_eq!(engine.authorize(&req).decision, Decision::Permit);
        // and the check refuses a table that forgets the rule
        static FORGOT: Policy = Policy {
            functions: Functions { entries: &[FunctionEntry::on(&[Function::Balance], KindSet::ALL, F_1)], unlisted: F_GAP, uncovered: None },
            ..FUNCTIONS
        };
        assert_eq!(FORGOT.consistency(), Err(crate::policy::check::TableError::NoAccountRuleMissing { entry: 0 }));
        static WRONG_CODE: Policy = Policy {
            functions: Functions { entries: &[FunctionEntry::on(&[Function::Balance], KindSet::ALL, F_1).no_account(F_1)], unlisted: F_GAP, uncovered: None },
            ..FUNCTIONS
        };
        assert_eq!(WRONG_CODE.consistency(), Err(crate::policy::check::TableError::NoAccountCode { entry: 0 }));
    }

    #[test]
    fn at_fault_a_ruling_that_stands_by_a_reading_cites_it() {
        static READ: Policy = Policy {
            liability: &[LiabilityEntry::institution(LossEvent::DisclosedInfoMishandled, LiabilityRuling::NotLiable, &[R_1]).at_fault_read_as(&[R_SET])],
            ..POLICY
        };
        let engine = Engine::with_defaults(&READ);
        let mut req = blank();
        req.loss_event = Some(LossEvent::DisclosedInfoMishandled.into());
        let r = party_ruling(engine.liability(&req), Party::Institution);
        assert_eq!((r.ruling, cites(&READ, &r.reasons)), (LiabilityRuling::NotLiable, vec!["第1条".to_string()]));
        req.institution_at_fault = true;
        let r = party_ruling(engine.liability(&req), Party::Institution);
        assert_eq!((r.ruling, cites(&READ, &r.reasons)), (LiabilityRuling::NotLiable, vec!["設定".to_string()]));
    }

    mod declared {
        //! A variant in its own terms: each kind of extension term decides.
        use super::*;
        use crate::policy::check::TableError;

        crate::rules! {
            D_ELIGIBLE = Rule::verbatim(Clause::item(1, 2, 1), "かもめIDを登録していること").codes("platform_id_registered", "platform_id_missing");
            D_KINDS = Rule::verbatim(Clause::paragraph(2, 2), "普通預金、事業性普通預金").codes("account_kind_linkable", "account_kind_not_linkable");
            D_SHARED = Rule::verbatim(Clause::paragraph(2, 3), "提供を許可した口座").codes("sharing_permitted", "sharing_not_permitted");
            D_FUNCTIONS = Rule::verbatim(Clause::paragraph(2, 1), "振替指示").codes("function_offered", "function_not_offered");
            D_FUNCTIONS_NONE = Rule::verbatim_of(D_FUNCTIONS).codes("account_selected", "no_account_selected");
            D_PERIOD = Rule::setting(Clause::paragraph(4, 1), "当金庫所定の期間").codes("period_set", "period_not_set");
            D_REAUTH = Rule::verbatim(Clause::paragraph(4, 1), "再度認証").codes("within_period", "reauthentication_required");
            D_BREACH = Rule::verbatim(Clause::item(6, 1, 1), "接続停止").codes("suspension_permitted", "suspension_not_listed");
            D_LOSS = Rule::verbatim(Clause::paragraph(8, 1), "不正払戻し").codes("exempt", "exempt");
            D_LOSS_FAULT = Rule::verbatim(Clause::paragraph(8, 2), "当金庫の責めに帰すべき事由").codes("institution_bears_loss", "institution_bears_loss");
            D_GAP = Rule::gap();
        }
        crate::terms! {
            PLATFORM_ID = Term::customer_fact("platform_id_registered", "かもめID", "a shared platform id is registered", D_ELIGIBLE);
            BUSINESS = Term::account_kind("business_ordinary", "事業性普通預金", "a business ordinary account", D_KINDS);
            SHARED = Term::account_flag("sharing_permitted", "提供を許可した口座", "the customer allowed this account to be shared", D_SHARED);
            OWN_TRANSFER = Term::function("own_account_transfer", "振替指示", "a transfer between the customer's own accounts", D_FUNCTIONS);
            SCRAPING = Term::channel("screen_scraping", "ログイン情報の預託", "logon credentials handed to the provider", D_KINDS);
            PERIOD = Term::setting("platform_reauth_days", "当金庫所定の期間", "days a platform authentication lasts", D_PERIOD);
            BREACH = Term::incident_kind("provider_contract_breach", "接続停止", "the provider breaches its contract", D_BREACH);
            WITHDRAWAL = Term::loss_event("unauthorized_withdrawal", "不正払戻し", "deposits withdrawn without authority", D_LOSS);
            GUARANTOR = Term::party("platform_operator", "基盤運営者", "the platform's operator", D_LOSS);
        }

        const META: Meta = crate::testing::TEST_META;
        static DECLARED: Policy = Policy {
            terms: TERMS,
            eligibility: &[Condition { fact: Fact::Declared(PLATFORM_ID), rule: D_ELIGIBLE }],
            accounts: Accounts {
                entries: &[AccountEntry::kinds(kinds(&[AccountKind::Ordinary]).and(&[BUSINESS]), ChannelSet::ALL.and(&[SCRAPING]), D_KINDS)
                    .needs(AccountNeeds::Declared(SHARED), D_SHARED)],
                unlisted: D_KINDS,
                notes: &[],
            },
            functions: Functions {
                entries: &[FunctionEntry::declared_on(&[OWN_TRANSFER], KindSet::ALL.and(&[BUSINESS]), D_FUNCTIONS).no_account(D_FUNCTIONS_NONE)],
                unlisted: D_FUNCTIONS,
                uncovered: None,
            },
            token: &[Period::declared(PERIOD, Clock::SinceAuthentication, D_REAUTH, D_PERIOD)],
            declared_parties: &[GUARANTOR],
            liability: &[LiabilityEntry::declared(WITHDRAWAL, &[Party::Institution], LiabilityRuling::NotLiable, &[D_LOSS])
                .and_parties(&[GUARANTOR])
                .liable_at_fault(&[D_LOSS_FAULT])],
            suspension: PermissionTable {
                entries: &[PermissionEntry::permitted_declared(&[BREACH], D_BREACH)],
                otherwise: PermissionRuling::Unspecified,
                otherwise_rule: D_GAP,
                otherwise_also: &[],
            },
            ..Policy::empty(META, RULES, D_GAP)
        };

        fn request() -> Request {
            let mut req = blank();
            req.extension_facts = 1 << PLATFORM_ID.position;
            req.accounts = vec![Account { kind: KindRef::Extension(BUSINESS.position), flags: AccountFlags::empty(), extension_flags: 1 << SHARED.position }];
            req.selected = vec![0];
            req
        }

        #[test]
        fn the_tables_hold_together() {
            assert_eq!(DECLARED.check(), Ok(()));
            assert_eq!(crate::policy::check::channel_positions(&DECLARED), 1 << SCRAPING.position);
        }

        #[test]
        fn declared_facts_kinds_flags_and_channels_decide() {
            let engine = Engine::with_defaults(&DECLARED);
            let mut req = request();
            assert_eq!(engine.eligibility(&req).decision, Decision::Permit);
            assert!(engine.accounts(&req)[0].linkable);
            req.provider_channel = ChannelRef::Extension(SCRAPING.position);
            assert!(engine.accounts(&req)[0].linkable, "the declared channel is in the entry's set");
            // a channel or a kind another module declares is not this text's
            req.provider_channel = ChannelRef::Undeclared;
            assert!(!engine.accounts(&req)[0].linkable);
            req.provider_channel = Channel::InstitutionApi.into();
            req.accounts[0].kind = KindRef::Undeclared;
            let a = &engine.accounts(&req)[0];
            assert_eq!((a.linkable, cites(&DECLARED, &a.reasons)), (false, vec!["第2条第2項".to_string()]));
            req.accounts[0].kind = KindRef::Extension(BUSINESS.position);
            req.accounts[0].extension_flags = 0;
            assert!(!engine.accounts(&req)[0].linkable, "the declared flag is required");
            req.extension_facts = 0;
            assert_eq!(engine.eligibility(&req).decision, Decision::Deny);
        }

        #[test]
        fn a_declared_function_is_offered_and_an_undeclared_one_denied_by_the_list() {
            let engine = Engine::new(
                &DECLARED,
                Settings {
                    extension: vec![crate::types::ExtensionSetting { position: PERIOD.position, value: crate::types::SettingValue::Number(30) }],
                    ..no_settings()
                },
            )
            .unwrap();
            let mut req = request();
            req.authenticated_at = Some(jst(0));
            req.at = jst(86_400);
            req.function = Some(FunctionRef::Extension(OWN_TRANSFER.position));
            let a = engine.authorize(&req);
            assert_eq!((a.decision, a.token.status), (Decision::Permit, TokenStatus::Valid), "{a:?}");
            req.at = jst(31 * 86_400);
            assert_eq!(engine.authorize(&req).token.status, TokenStatus::Expired, "the declared setting is the period");
            req.at = jst(86_400);
            req.selected.clear();
            let a = engine.authorize(&req);
            assert_eq!(crate::testing::unmet(&DECLARED, &a.reasons), [("第2条第1項".to_string(), "no_account_selected")]);
            req.selected = vec![0];
            req.function = Some(FunctionRef::Undeclared);
            let a = engine.authorize(&req);
            assert_eq!(crate::testing::unmet(&DECLARED, &a.reasons), [("第2条第1項".to_string(), "function_not_offered")]);
            req.function = Some(Function::Balance.into());
            assert_eq!(engine.authorize(&req).decision, Decision::Deny, "a core function the text does not list");
            // an out-of-range period is refused, naming the setting
            let bad = Settings {
                extension: vec![crate::types::ExtensionSetting { position: PERIOD.position, value: crate::types::SettingValue::Number(0) }],
                ..no_settings()
            };
            assert_eq!(Engine::new(&DECLARED, bad).unwrap_err(), "setting `platform_reauth_days` must be between 1 and 3650 days, got 0");
        }

        #[test]
        fn declared_events_parties_rulings_and_incidents_decide() {
            let engine = Engine::with_defaults(&DECLARED);
            let mut req = request();
            req.loss_event = Some(LossEventRef::Extension(WITHDRAWAL.position));
            let rulings = engine.liability(&req);
            let guarantor = rulings.iter().find(|r| r.party == PartyRef::Extension(GUARANTOR.position)).unwrap();
            assert_eq!(guarantor.ruling, LiabilityRuling::NotLiable);
            req.institution_at_fault = true;
            let rulings = engine.liability(&req);
            let institution = &rulings[0];
            assert_eq!(institution.ruling, LiabilityRuling::Liable, "the text makes the institution bear the loss at fault");
            assert_eq!(cites(&DECLARED, &institution.reasons), ["第8条第2項"]);
            req.loss_event = Some(LossEventRef::Undeclared);
            assert!(engine.liability(&req).iter().all(|r| r.ruling == LiabilityRuling::Unspecified));
            req.incident_kind = Some(IncidentKindRef::Extension(BREACH.position));
            assert_eq!(engine.incident(&req).suspension.ruling, PermissionRuling::Permitted);
            req.incident_kind = Some(IncidentKindRef::Undeclared);
            assert_eq!(engine.incident(&req).suspension.ruling, PermissionRuling::Unspecified);
            let md = engine.describe();
            assert_eq!(md.terms.len(), TERMS.len());
            assert!(md.settings_used.contains(&"platform_reauth_days".to_string()));
            assert_eq!(md.parties.last(), Some(&PartyRef::Extension(GUARANTOR.position)));
        }

        #[test]
        fn a_clashing_unused_or_misnamed_term_is_refused_by_name() {
            const CLASH: [Term; 1] = [Term::function("balance", "残高", "", D_FUNCTIONS)];
            static CLASHES: Policy = Policy { terms: &CLASH, ..Policy::empty(META, RULES, D_GAP) };
            assert_eq!(CLASHES.consistency(), Err(TableError::TermClashesWithCore { name: "balance" }));
            const UNUSED: [Term; 1] = [Term::function("debit_statement", "デビット", "", D_FUNCTIONS)];
            static UNUSES: Policy = Policy { terms: &UNUSED, ..Policy::empty(META, RULES, D_GAP) };
            assert_eq!(UNUSES.consistency(), Err(TableError::TermUnused { name: "debit_statement" }));
            let msg = UNUSES.check().unwrap_err();
            assert!(msg.contains("`debit_statement`") && msg.contains("test-2024"), "{msg}");
            const BAD: [Term; 1] = [Term::function("DebitStatement", "デビット", "", D_FUNCTIONS)];
            static BADLY: Policy = Policy { terms: &BAD, ..Policy::empty(META, RULES, D_GAP) };
            assert_eq!(BADLY.consistency(), Err(TableError::TermNotSnakeCase { name: "DebitStatement" }));
            const TWICE: [Term; 2] = [Term::customer_fact("x", "", "", D_ELIGIBLE), Term::provider_fact("x", "", "", D_ELIGIBLE)];
            static TWICES: Policy = Policy { terms: &TWICE, ..Policy::empty(META, RULES, D_GAP) };
            assert_eq!(TWICES.consistency(), Err(TableError::TermDeclaredTwice { name: "x" }));
        }
    }

    #[test]
    fn an_overridden_stated_period_cites_the_setting_beside_the_text() {
        let mut req = blank();
        req.authenticated_at = Some(jst(0));
        let t = Engine::with_defaults(&POLICY).token(&req);
        assert_eq!(cites(&POLICY, &t.reasons), ["第2条", "第1条"]);
        assert!(t.reasons.iter().all(|r| r.met));
        let engine = Engine::new(&POLICY, Settings { reauth_after_days: Some(30), ..no_settings() }).unwrap();
        let t = engine.token(&req);
        assert_eq!(cites(&POLICY, &t.reasons), ["設定", "第2条", "第1条"]);
        assert_eq!(t.reasons.iter().map(|r| r.met).collect::<Vec<_>>(), [true, false, true]);
    }

    #[test]
    fn an_exemption_for_some_cases_leaves_the_at_fault_answer_open() {
        let engine = Engine::with_defaults(&POLICY);
        let mut req = blank();
        req.loss_event = Some(LossEvent::ServiceTermination.into());
        let r = party_ruling(engine.liability(&req), Party::Institution);
        assert_eq!((r.ruling, cites(&POLICY, &r.reasons)), (LiabilityRuling::NotLiable, vec!["第1条".into(), "第2条".into()]));
        req.institution_at_fault = true;
        let r = party_ruling(engine.liability(&req), Party::Institution);
        assert_eq!(r.ruling, LiabilityRuling::Unspecified);
        assert_eq!(r.reasons.iter().map(|r| r.met).collect::<Vec<_>>(), [false, true]);
    }

    #[test]
    fn the_chained_extension_reaches_listed_events_only() {
        let engine = Engine::with_defaults(&POLICY);
        let mut req = blank();
        req.incident_kind = Some(IncidentKind::Leak.into());
        let v = engine.incident(&req);
        assert_eq!(cites(&POLICY, &v.disclosure.reasons), ["第1条", "第3条"]);
        // the listing clause and the extension: the entry's `also` (a consent
        // naming the provider only) does not reach a chained provider
        assert_eq!((v.chained.ruling, cites(&POLICY, &v.chained.reasons)), (PermissionRuling::Permitted, vec!["第1条".to_string(), "第2条".to_string()]));
        req.incident_kind = Some(IncidentKind::Maintenance.into());
        let v = engine.incident(&req);
        assert_eq!((v.disclosure.ruling, cites(&POLICY, &v.disclosure.reasons)), (PermissionRuling::Permitted, vec!["第3条".to_string()]));
        assert_eq!(v.chained.ruling, PermissionRuling::Unspecified);
        assert_eq!(v.chained.reasons.last().map(|r| (r.rule, r.met)), Some((R_2.0, false)));
        assert_eq!((v.suspension.ruling, cites(&POLICY, &v.suspension.reasons)), (PermissionRuling::Unspecified, vec!["第4条".into(), "第5条".into()]));
    }

    #[test]
    fn authorize_via_a_chained_provider_cites_chained_provision_without_deciding() {
        let engine = Engine::with_defaults(&POLICY);
        let mut req = blank();
        req.provider_id = "a".into();
        let direct = engine.authorize(&req);
        req.provider |= ProviderFlags::VIA_CHAINED;
        let chained = engine.authorize(&req);
        assert_eq!(direct.decision, chained.decision);
        assert_eq!(cites(&POLICY, &chained.reasons[direct.reasons.len()..]), ["第4条", "第5条"]);
        assert!(chained.reasons[direct.reasons.len()..].iter().all(|r| r.met));
    }
}
