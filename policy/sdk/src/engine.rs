//! The one evaluator every variant runs: tables in, cited answers out.

use crate::policy::{AccountNeeds, Clock, Fact, Policy, Scope, WindowTest};
use crate::request::{function_flag, selected};
use crate::rule::RuleId;
use crate::settings::{self, SettingName};
use crate::time::{add_days, from_chrono, to_chrono};
use crate::types::{
    Account, AccountFlags, AccountVerdict, Authorization, Clause as WitClause, ConsentFlags,
    CustomerFlags, Decision, IncidentVerdict, LiabilityRuling, Metadata, PartyRuling, Permission,
    PermissionRuling, ProviderFlags, Reason, Request, Rule as WitRule, Segment, ServiceFlags,
    Settings, TokenStatus, TokenVerdict, Verdict,
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
                Some(ids) => ids.iter().any(|id| *id == req.provider_id),
                None => req.provider.contains(ProviderFlags::DESIGNATED),
            },
            Fact::HoldsAccount { kinds, needs } => req
                .accounts
                .iter()
                .any(|a| kinds.contains(a.kind) && meets(a, *needs)),
            Fact::All(facts) => facts.iter().all(|f| self.holds(f, req)),
            Fact::Any(facts) => facts.iter().any(|f| self.holds(f, req)),
            Fact::Unknown => true,
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
        out.extend(self.policy.eligibility.iter().map(|c| reason(c.rule, self.holds(&c.fact, req))));
        decision(&out[from..])
    }

    fn account_reasons(&self, account: &Account, req: &Request, out: &mut Vec<Reason>) -> bool {
        let table = &self.policy.accounts;
        let Some(entry) = table.entries.iter().find(|e| e.kinds.contains(account.kind)) else {
            out.push(reason(table.unlisted, false));
            return false;
        };
        let on_channel = entry.channels.contains(req.provider_channel);
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
        let entries = || table.entries.iter().filter(|e| e.functions.contains(&function));
        let Some(first) = entries().next().map(|e| e.rule) else {
            out.push(reason(table.unlisted, false));
            return;
        };
        let mut consent = None;
        if let Some(e) = entries().find(|e| e.scope == Scope::Customer) {
            out.push(reason(e.rule, true));
            consent = e.consent;
        } else {
            for (_, account) in selected(req) {
                let covering = entries().find(|e| matches!(e.scope, Scope::Accounts(k) if k.contains(account.kind)));
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
            out.push(reason(rule, req.authorized_functions.contains(function_flag(function))));
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
        let token = self.token(req);
        let mut decision = decision(&reasons);
        if token.status == TokenStatus::Expired {
            decision = Decision::Deny;
        }
        Authorization { decision, reasons, token }
    }

    fn is_customer_level(&self, f: crate::types::Function) -> bool {
        self.policy
            .functions
            .entries
            .iter()
            .any(|e| e.scope == Scope::Customer && e.functions.contains(&f))
    }

    /// Authentication validity: `valid` while `at` is before every period's end.
    pub fn token(&self, req: &Request) -> TokenVerdict {
        let periods = self.policy.token;
        if periods.is_empty() {
            return TokenVerdict {
                status: TokenStatus::Unspecified,
                expires_at: None,
                reasons: vec![reason(self.policy.gap, true)],
            };
        }
        let at = to_chrono(&req.at);
        let mut reasons = Vec::with_capacity(2 * periods.len());
        let mut unspecified = false;
        let mut expired = false;
        let mut end = None;
        for p in periods {
            let Some(days) = p.setting.days(&self.settings) else {
                reasons.push(reason(p.length_rule, false));
                unspecified = true;
                continue;
            };
            reasons.push(reason(p.length_rule, true));
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

    /// Liability for the request's loss event, per party the variant names.
    pub fn liability(&self, req: &Request) -> Vec<PartyRuling> {
        self.policy
            .parties
            .iter()
            .map(|&party| {
                let entry = req.loss_event.and_then(|ev| {
                    self.policy.liability.iter().find(|e| e.event == ev && e.parties.contains(&party))
                });
                match entry {
                    Some(e) => {
                        let excepted = e.unless_at_fault && req.institution_at_fault;
                        // the text lifts the exemption; it does not say the party is liable
                        let ruling = if excepted { LiabilityRuling::NotExempt } else { e.ruling };
                        let reasons = e.rules.iter().map(|&r| reason(r, !excepted)).collect();
                        PartyRuling { party, ruling, reasons }
                    }
                    None => PartyRuling {
                        party,
                        ruling: LiabilityRuling::Unspecified,
                        reasons: vec![reason(self.policy.gap, true)],
                    },
                }
            })
            .collect()
    }

    /// Disclosure to the provider, its extension to chained providers, and
    /// suspension by the institution, for the request's incident kind.
    pub fn incident(&self, req: &Request) -> IncidentVerdict {
        let lookup = |table: &crate::policy::PermissionTable| -> Permission {
            let hit = req
                .incident_kind
                .and_then(|k| table.entries.iter().find(|e| e.kinds.contains(&k)));
            match hit {
                Some(e) => Permission { ruling: e.ruling, reasons: vec![reason(e.rule, e.ruling == PermissionRuling::Permitted)] },
                None => Permission {
                    ruling: table.otherwise,
                    reasons: vec![reason(table.otherwise_rule, table.otherwise == PermissionRuling::Permitted)],
                },
            }
        };
        let disclosure = lookup(&self.policy.disclosure);
        let chained = match self.policy.chained {
            Some(rule) if disclosure.ruling != PermissionRuling::Unspecified => {
                let mut reasons = disclosure.reasons.clone();
                reasons.push(reason(rule, disclosure.ruling == PermissionRuling::Permitted));
                Permission { ruling: disclosure.ruling, reasons }
            }
            _ => Permission { ruling: PermissionRuling::Unspecified, reasons: vec![reason(self.policy.gap, true)] },
        };
        let suspension = lookup(&self.policy.suspension);
        IncidentVerdict { disclosure, chained, suspension }
    }

    /// The variant's metadata with the settings in force as its defaults.
    pub fn describe(&self) -> Metadata {
        Metadata { defaults: self.settings.clone(), ..describe(self.policy) }
    }
}

fn meets(account: &Account, needs: AccountNeeds) -> bool {
    let f = account.flags;
    match needs {
        AccountNeeds::Nothing => true,
        AccountNeeds::InternetBankingRegistered => f.contains(AccountFlags::INTERNET_BANKING_REGISTERED),
        AccountNeeds::CashCard => f.contains(AccountFlags::CASH_CARD),
        AccountNeeds::CardWithPin => {
            f.intersects(AccountFlags::CASH_CARD | AccountFlags::LOAN_CARD)
                && f.contains(AccountFlags::PIN_REGISTERED)
        }
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
        settings_used: policy.settings.iter().map(|s| SettingName::name(*s).into()).collect(),
        defaults: settings::defaults(policy),
        parties: policy.parties.to_vec(),
        rules: policy
            .rules
            .iter()
            .map(|r| WitRule {
                clause: WitClause {
                    article: r.clause.article,
                    paragraph: r.clause.paragraph,
                    item: r.clause.item,
                    section: r.clause.section.map(Into::into),
                },
                provenance: r.provenance,
                text: r.text.into(),
                code_met: r.code_met.into(),
                code_unmet: r.code_unmet.into(),
                summary: r.summary.into(),
            })
            .collect(),
    }
}
