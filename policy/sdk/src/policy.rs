//! The declarative shape of a variant: metadata and rule tables.
//!
//! Every table entry points at a rule of the variant's sheet ([`RuleId`]),
//! so each answer the [`Engine`](crate::Engine) gives names its clause.

pub mod check;

use crate::model::LossEventRef;
use crate::rule::RuleId;
use crate::sets::{ChannelSet, FunctionList, IncidentSet, KindSet};
use crate::settings::SettingName;
use crate::term::{Term, TermId};
use crate::types::{AccountKind, Function, IncidentKind, LiabilityRuling, LossEvent, Party, PermissionRuling};

/// Who publishes the text, and when it is in force.
#[derive(Clone, Copy, Debug)]
pub struct Meta {
    /// e.g. `toyama-2023`
    pub variant: &'static str,
    /// e.g. `toyama`: requests name the institution, the host picks the variant in force
    pub institution: &'static str,
    /// e.g. `富山県信用組合`
    pub institution_name: &'static str,
    /// e.g. `API利用規定`
    pub title: &'static str,
    /// the date the text is "as of" (現在 / 改定), ISO
    pub version: &'static str,
    /// first day in force (JST), ISO
    pub effective_from: &'static str,
    /// last day in force (JST), ISO; `None` while in force
    pub effective_until: Option<&'static str>,
}

/// The operator's defaults where the source states a number.
#[derive(Clone, Copy, Debug, Default)]
pub struct Defaults {
    pub reauth_after_days: Option<u32>,
    pub registration_valid_days: Option<u32>,
    pub permission_valid_days: Option<u32>,
    pub inactivity_days: Option<u32>,
    pub designated_providers: Option<&'static [&'static str]>,
    /// declared settings ([`Term::setting`]) whose number the text states
    pub declared: &'static [(TermId, u32)],
}

/// A fact of the request that a condition tests.
#[derive(Clone, Copy, Debug)]
pub enum Fact {
    /// the customer has an internet banking contract
    InternetBankingContract,
    /// registered for direct banking (ダイレクトバンキング)
    DirectBankingRegistered,
    /// an individual (not a corporate) customer
    Individual,
    /// agreed to the terms (同意)
    AgreedToTerms,
    /// API連携認証 / 利用登録 completed
    ApiAuthCompleted,
    /// a contract with the provider's service
    ProviderContract,
    /// the provider is designated: listed in `designated_providers`, or, when
    /// the operator lists none, the request's `provider.designated` flag
    ProviderDesignated,
    /// holds an account of one of `kinds` meeting `needs`
    HoldsAccount { kinds: KindSet, needs: AccountNeeds },
    /// every fact holds
    All(&'static [Fact]),
    /// at least one fact holds
    Any(&'static [Fact]),
    /// the clause is 省略: its content is unknown, nothing is checked
    Unknown,
    /// a fact the variant declares ([`Term::customer_fact`] and the other
    /// fact kinds) holds
    Declared(TermId),
}

impl Fact {
    /// Whether the fact, or one it combines, is [`Fact::ProviderDesignated`].
    pub fn tests_designation(&self) -> bool {
        match self {
            Fact::ProviderDesignated => true,
            Fact::All(facts) | Fact::Any(facts) => facts.iter().any(Fact::tests_designation),
            _ => false,
        }
    }
}

/// A condition an account must meet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountNeeds {
    Nothing,
    /// registered in internet banking
    InternetBankingRegistered,
    /// a cash card issued
    CashCard,
    /// a cash card or loan card issued, with its PIN registered
    CardWithPin,
    /// an account flag the variant declares ([`Term::account_flag`]) holds
    Declared(TermId),
}

/// One eligibility condition (利用資格) and the rule it rests on.
#[derive(Clone, Copy, Debug)]
pub struct Condition {
    pub fact: Fact,
    pub rule: RuleId,
}

/// A linkable account kind (口座種類), on which channels, under which condition.
#[derive(Clone, Copy, Debug)]
pub struct AccountEntry {
    pub kinds: KindSet,
    pub channels: ChannelSet,
    /// the rule listing the kind (and its channel restriction)
    pub rule: RuleId,
    pub needs: AccountNeeds,
    /// the rule stating `needs`, when it is not `rule` itself
    pub needs_rule: Option<RuleId>,
}

impl AccountEntry {
    /// `kind` links on `channels`, as `rule` lists it, with no further condition.
    pub const fn kind(kind: AccountKind, channels: ChannelSet, rule: RuleId) -> Self {
        Self::kinds(KindSet::of(&[kind]), channels, rule)
    }

    /// Every kind of `kinds` links on `channels`, as `rule` lists them, with
    /// no further condition.
    pub const fn kinds(kinds: KindSet, channels: ChannelSet, rule: RuleId) -> Self {
        AccountEntry { kinds, channels, rule, needs: AccountNeeds::Nothing, needs_rule: None }
    }

    /// ... only if the account also meets `needs`, as `rule` states.
    pub const fn needs(self, needs: AccountNeeds, rule: RuleId) -> Self {
        AccountEntry { needs, needs_rule: Some(rule), ..self }
    }
}

/// The account-kind table.
#[derive(Clone, Copy, Debug)]
pub struct Accounts {
    pub entries: &'static [AccountEntry],
    /// cited when a kind is not listed
    pub unlisted: RuleId,
    /// caveats attached to every linkable answer (e.g. 連携可能な口座はAPI連携事業者により異なります)
    pub notes: &'static [RuleId],
}

/// Where a function is offered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// on accounts of these kinds
    Accounts(KindSet),
    /// on the customer, with no account (登録済の振込先)
    Customer,
}

/// A function (機能・情報) the institution offers to the provider.
#[derive(Clone, Copy, Debug)]
pub struct FunctionEntry {
    pub functions: FunctionList,
    pub scope: Scope,
    pub rule: RuleId,
    /// when set, the customer must have authorized the function (認可), per this rule
    pub consent: Option<RuleId>,
    /// a function offered on accounts, asked for with no account selected:
    /// denied, citing this rule (the entry's clause, code
    /// `no_account_selected`); required on the first entry of every
    /// function offered only on accounts (the consistency check)
    pub no_account: Option<RuleId>,
}

impl FunctionEntry {
    /// `functions` are offered on accounts of `kinds`, as `rule` lists them.
    pub const fn on(functions: &'static [Function], kinds: KindSet, rule: RuleId) -> Self {
        Self::new(FunctionList::of(functions), Scope::Accounts(kinds), rule)
    }

    /// `functions` are offered on the customer, with no account
    /// (登録済の振込先), as `rule` lists them.
    pub const fn customer(functions: &'static [Function], rule: RuleId) -> Self {
        Self::new(FunctionList::of(functions), Scope::Customer, rule)
    }

    /// Declared functions ([`Term::function`]) offered on accounts of
    /// `kinds`, as `rule` lists them.
    pub const fn declared_on(functions: &'static [TermId], kinds: KindSet, rule: RuleId) -> Self {
        Self::new(FunctionList::declared(functions), Scope::Accounts(kinds), rule)
    }

    /// Declared functions offered on the customer, with no account.
    pub const fn declared_customer(functions: &'static [TermId], rule: RuleId) -> Self {
        Self::new(FunctionList::declared(functions), Scope::Customer, rule)
    }

    const fn new(functions: FunctionList, scope: Scope, rule: RuleId) -> Self {
        FunctionEntry { functions, scope, rule, consent: None, no_account: None }
    }

    /// ... once the customer has authorized the function (認可), as `rule` states.
    pub const fn with_consent(self, rule: RuleId) -> Self {
        FunctionEntry { consent: Some(rule), ..self }
    }

    /// ... and asked for with no account selected, denied citing `rule`:
    /// the entry's clause again ([`Rule::verbatim_of`](crate::Rule::verbatim_of)),
    /// with the codes `account_selected` / `no_account_selected`.
    pub const fn no_account(self, rule: RuleId) -> Self {
        FunctionEntry { no_account: Some(rule), ..self }
    }
}

/// The function table.
#[derive(Clone, Copy, Debug)]
pub struct Functions {
    pub entries: &'static [FunctionEntry],
    /// cited when a function is not offered at all
    pub unlisted: RuleId,
    /// cited when a function is offered, but on no account of that kind;
    /// `None` cites the function's first entry
    pub uncovered: Option<RuleId>,
}

/// When the service answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WindowTest {
    InternetBankingHours,
    ApiHours,
    EitherHours,
}

/// The service window rule.
#[derive(Clone, Copy, Debug)]
pub struct Window {
    pub test: WindowTest,
    pub rule: RuleId,
}

/// What a validity period counts from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clock {
    /// the API連携認証 / permission given (`consent.authenticated_at`)
    SinceAuthentication,
    /// the provider's last access (`consent.last_access_at`, else `authenticated_at`)
    SinceLastAccess,
    /// the account's registration, 利用登録 (`consent.registered_at`, else
    /// `authenticated_at`, as api.md defaults it)
    SinceRegistration,
}

/// A validity period of the authentication (トークン / 利用登録 / 許可).
#[derive(Clone, Copy, Debug)]
pub struct Period {
    pub setting: PeriodSetting,
    pub from: Clock,
    /// the clause requiring re-authentication after the period
    pub rule: RuleId,
    /// the clause the number comes from (`setting` provenance when 所定)
    pub length_rule: RuleId,
    /// where the text states the number (the variant's default) and the
    /// operator sets another: the rule (provenance `setting`) cited for the
    /// number in force, beside `length_rule` answered as not applied
    pub override_rule: Option<RuleId>,
}

impl Period {
    /// Re-authenticate (`rule`) once `setting` days have passed `from`, the
    /// length resting on `length_rule`.
    pub const fn new(setting: SettingName, from: Clock, rule: RuleId, length_rule: RuleId) -> Self {
        Period { setting: PeriodSetting::Core(setting), from, rule, length_rule, override_rule: None }
    }

    /// ... the length being a setting the variant declares
    /// ([`Term::setting`], a number of days).
    pub const fn declared(setting: TermId, from: Clock, rule: RuleId, length_rule: RuleId) -> Self {
        Period { setting: PeriodSetting::Declared(setting), from, rule, length_rule, override_rule: None }
    }

    /// ... and when the operator overrides the number the text states,
    /// cite `rule` (provenance `setting`) for the number in force.
    pub const fn overridden_by(self, rule: RuleId) -> Self {
        Period { override_rule: Some(rule), ..self }
    }
}

/// A liability ruling for one or more parties on one loss event.
#[derive(Clone, Copy, Debug)]
pub struct LiabilityEntry {
    pub event: LossEventRef,
    /// the parties the ruling is for (当金庫および労働金庫連合会: two at once)
    pub parties: &'static [Party],
    /// parties the variant declares ([`Term::party`]) the ruling is for too
    pub declared_parties: &'static [TermId],
    pub ruling: RulingRef,
    /// the exemption does not apply when the institution is at fault (責めに帰すべき事由がある場合を除き)
    pub unless_at_fault: bool,
    pub rules: &'static [RuleId],
    /// another exemption that covers the event in some cases only and has no
    /// fault exception (koza-renkei 5.2 beside 8.3): cited beside `rules`;
    /// when the institution is at fault the answer turns on which of the two
    /// applies, a fact the request does not carry, so it is `unspecified`
    pub in_some_cases: Option<RuleId>,
    /// an exemption without a fault exception where a general clause has
    /// one (koza-renkei 7.2 beside 8.3): at fault the ruling stands only by
    /// reading the specific clause over the general one, so these rules
    /// (provenance `interpreted`) are cited instead of `rules`
    pub at_fault_reading: &'static [RuleId],
    /// where the text itself says what follows from the institution's
    /// fault (当金庫の責めに帰すべき事由による場合は、当金庫が負担します):
    /// the ruling then, cited with `at_fault_reading`
    pub at_fault_ruling: Option<RulingRef>,
}

/// A liability ruling in a table: core, or one the variant declares
/// ([`Term::liability_ruling`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RulingRef {
    Core(LiabilityRuling),
    Declared(TermId),
}

/// Where a validity period's length comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeriodSetting {
    Core(SettingName),
    /// a setting the variant declares ([`Term::setting`])
    Declared(TermId),
}

impl LiabilityEntry {
    /// Each of `parties` answers `ruling` for `event`, per `rules`.
    pub const fn new(event: LossEvent, parties: &'static [Party], ruling: LiabilityRuling, rules: &'static [RuleId]) -> Self {
        LiabilityEntry {
            event: LossEventRef::Core(event),
            parties,
            declared_parties: &[],
            ruling: RulingRef::Core(ruling),
            unless_at_fault: false,
            rules,
            in_some_cases: None,
            at_fault_reading: &[],
            at_fault_ruling: None,
        }
    }

    /// Each of `parties` answers `ruling` for a loss event the variant
    /// declares ([`Term::loss_event`]), per `rules`.
    pub const fn declared(event: TermId, parties: &'static [Party], ruling: LiabilityRuling, rules: &'static [RuleId]) -> Self {
        LiabilityEntry { event: LossEventRef::Extension(event.position), ..Self::new(LossEvent::CredentialMisuse, parties, ruling, rules) }
    }

    /// ... for these declared parties ([`Term::party`]) too.
    pub const fn and_parties(self, parties: &'static [TermId]) -> Self {
        LiabilityEntry { declared_parties: parties, ..self }
    }

    /// ... the ruling being one the variant declares ([`Term::liability_ruling`]).
    pub const fn ruling_declared(self, ruling: TermId) -> Self {
        LiabilityEntry { ruling: RulingRef::Declared(ruling), ..self }
    }

    /// ... and, when the institution is at fault, the text makes it bear the
    /// loss: `liable`, citing `rules` (where `not_exempt` says only that an
    /// exemption does not apply).
    pub const fn liable_at_fault(self, rules: &'static [RuleId]) -> Self {
        LiabilityEntry { at_fault_reading: rules, at_fault_ruling: Some(RulingRef::Core(LiabilityRuling::Liable)), ..self }
    }

    /// ... and, when the institution is at fault, the text's own ruling
    /// for that case (loss shared by fault, …), citing `rules`.
    pub const fn at_fault_declared(self, ruling: TermId, rules: &'static [RuleId]) -> Self {
        LiabilityEntry { at_fault_reading: rules, at_fault_ruling: Some(RulingRef::Declared(ruling)), ..self }
    }

    /// The institution answers `ruling` for `event`, per `rules`.
    pub const fn institution(event: LossEvent, ruling: LiabilityRuling, rules: &'static [RuleId]) -> Self {
        Self::new(event, &[Party::Institution], ruling, rules)
    }

    /// ... except when the institution is at fault (責めに帰すべき事由がある場合を除き),
    /// for every party of the entry.
    pub const fn unless_at_fault(self) -> Self {
        LiabilityEntry { unless_at_fault: true, ..self }
    }

    /// ... and, in some cases the request cannot tell apart, `rule` exempts
    /// without a fault exception: at fault the answer is `unspecified`,
    /// citing both (see [`in_some_cases`](Self::in_some_cases)).
    pub const fn or_in_some_cases(self, rule: RuleId) -> Self {
        LiabilityEntry { in_some_cases: Some(rule), ..self }
    }

    /// ... and, when the institution is at fault, the ruling rests on
    /// reading the entry's clause over a general fault exception: cite
    /// `rules` (provenance `interpreted`) instead (see
    /// [`at_fault_reading`](Self::at_fault_reading)).
    pub const fn at_fault_read_as(self, rules: &'static [RuleId]) -> Self {
        LiabilityEntry { at_fault_reading: rules, ..self }
    }
}

/// A permission ruling for some incident kinds.
#[derive(Clone, Copy, Debug)]
pub struct PermissionEntry {
    pub kinds: IncidentSet,
    pub ruling: PermissionRuling,
    pub rule: RuleId,
    /// a second clause the ruling also rests on (rokin 第8条's prior consent
    /// beside 4.6's list), cited after `rule`
    pub also: Option<RuleId>,
}

impl PermissionEntry {
    /// Permitted for `kinds`, per `rule`.
    pub const fn permitted(kinds: &'static [IncidentKind], rule: RuleId) -> Self {
        PermissionEntry { kinds: IncidentSet::of(kinds), ruling: PermissionRuling::Permitted, rule, also: None }
    }

    /// Permitted for incident kinds the variant declares ([`Term::incident_kind`]), per `rule`.
    pub const fn permitted_declared(kinds: &'static [TermId], rule: RuleId) -> Self {
        PermissionEntry { kinds: IncidentSet::of(&[]).and(kinds), ruling: PermissionRuling::Permitted, rule, also: None }
    }

    /// Refused for incident kinds (a clause that says so), per `rule`.
    pub const fn not_permitted(kinds: IncidentSet, rule: RuleId) -> Self {
        PermissionEntry { kinds, ruling: PermissionRuling::NotPermitted, rule, also: None }
    }

    /// ... and per `rule` too.
    pub const fn also(self, rule: RuleId) -> Self {
        PermissionEntry { also: Some(rule), ..self }
    }
}

/// Disclosure or suspension by incident kind.
#[derive(Clone, Copy, Debug)]
pub struct PermissionTable {
    pub entries: &'static [PermissionEntry],
    /// the ruling for kinds no entry names
    pub otherwise: PermissionRuling,
    /// the rule cited for those kinds
    pub otherwise_rule: RuleId,
    /// further rules cited after `otherwise_rule` (a range shown as 省略:
    /// gunma 第4条第5項～第7項)
    pub otherwise_also: &'static [RuleId],
}

impl PermissionTable {
    /// Nothing in the text: every kind `unspecified`, citing `gap`.
    pub const fn silent(gap: RuleId) -> Self {
        PermissionTable { entries: &[], otherwise: PermissionRuling::Unspecified, otherwise_rule: gap, otherwise_also: &[] }
    }

    /// The clauses that would decide are shown only as 省略: every kind
    /// `unspecified`, citing them all (provenance `omitted`).
    #[allow(clippy::panic, reason = "const evaluation: the panic is a compile error in the variant crate, naming the fault")]
    pub const fn omitted(rules: &'static [RuleId]) -> Self {
        let (first, rest) = match rules.split_first() {
            Some(split) => split,
            None => panic!("PermissionTable::omitted needs at least one rule"),
        };
        PermissionTable { entries: &[], otherwise: PermissionRuling::Unspecified, otherwise_rule: *first, otherwise_also: rest }
    }
}

/// One row of a provider list the text publishes (akita's
/// 連携先・サービス内容一覧): the provider id and the rule quoting its row.
#[derive(Clone, Copy, Debug)]
pub struct ProviderRow {
    pub id: &'static str,
    pub rule: RuleId,
}

/// Whose contracts a text governs (the host selects one module per
/// institution, scope and date).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContractScope {
    /// every customer's
    EveryCustomer,
    /// individual customers' (個人)
    Individual,
    /// corporate customers' (法人)
    Corporate,
    /// those of a named service; requests name it in `scope`
    Service(&'static str),
}

/// A variant: one institution's 規定 as tables over its rule sheet.
#[derive(Clone, Copy, Debug)]
pub struct Policy {
    pub meta: Meta,
    pub rules: &'static [crate::Rule],
    /// whose contracts the text governs
    pub scope: ContractScope,
    /// the extension terms the text declares ([`terms!`](crate::terms))
    pub terms: &'static [Term],
    /// the settings this variant reads
    pub settings: &'static [SettingName],
    pub defaults: Defaults,
    /// parties a liability answer covers
    pub parties: &'static [Party],
    /// declared parties ([`Term::party`]) a liability answer covers too
    pub declared_parties: &'static [TermId],
    pub eligibility: &'static [Condition],
    /// cited by `authorize` when eligibility is lost (取止め)
    pub lapse: Option<RuleId>,
    pub accounts: Accounts,
    pub functions: Functions,
    pub window: Option<Window>,
    pub token: &'static [Period],
    pub liability: &'static [LiabilityEntry],
    pub disclosure: PermissionTable,
    /// extends disclosure to chained providers (連鎖接続先)
    pub chained: Option<RuleId>,
    /// what the text says of provision to chained providers (連鎖接続先):
    /// the permitting clause, or the 省略 clauses where it would be. Cited
    /// (met) by `authorize` whenever `provider.via_chained`, without changing
    /// the decision, and by `incident` for `chained` when `chained` is
    /// `None`. Empty: the gap rule
    pub chained_provision: &'static [RuleId],
    /// the provider list the text publishes, a row per provider: the
    /// `ProviderDesignated` condition cites the matched row while the list in
    /// force is the variant's default
    pub provider_rows: &'static [ProviderRow],
    /// cited (provenance `setting`) when the operator's
    /// `designated_providers` decides a `ProviderDesignated` condition: in
    /// place of the condition's rule where designation is all it tests
    /// (akita's 連携先一覧), beside it where the rule also asks more
    /// (toyama's and rokin's 1.2(2): a contract with a designated provider)
    pub provider_setting: Option<RuleId>,
    pub suspension: PermissionTable,
    /// the "not addressed" rule, cited where the text does not decide
    pub gap: RuleId,
}

impl Policy {
    /// A policy that decides nothing: every table empty, every question `gap`.
    /// Variants start from it with struct update syntax, giving their
    /// metadata here and only here (`..Policy::empty(META, RULES, GAP)`).
    pub const fn empty(meta: Meta, rules: &'static [crate::Rule], gap: RuleId) -> Self {
        Policy {
            meta,
            rules,
            scope: ContractScope::EveryCustomer,
            terms: &[],
            settings: &[],
            defaults: Defaults {
                reauth_after_days: None,
                registration_valid_days: None,
                permission_valid_days: None,
                inactivity_days: None,
                designated_providers: None,
                declared: &[],
            },
            parties: &[Party::Institution, Party::Provider, Party::ChainedProvider],
            declared_parties: &[],
            eligibility: &[],
            lapse: None,
            accounts: Accounts { entries: &[], unlisted: gap, notes: &[] },
            functions: Functions { entries: &[], unlisted: gap, uncovered: None },
            window: None,
            token: &[],
            liability: &[],
            disclosure: PermissionTable::silent(gap),
            chained: None,
            chained_provision: &[],
            provider_rows: &[],
            provider_setting: None,
            suspension: PermissionTable::silent(gap),
            gap,
        }
    }

    /// The rule a [`RuleId`] names.
    pub fn rule(&self, id: RuleId) -> &crate::Rule {
        &self.rules[id.0 as usize]
    }
}

/// Shorthand for account kinds in tables.
pub const fn kinds(k: &[AccountKind]) -> KindSet {
    KindSet::of(k)
}
