//! かもめ信用金庫 法人のお客さま向けAPI利用規定 (2026年4月1日制定) —
//! `kamome-hojin-2026`. **Fictional**: an invented institution and text
//! (`source.txt`), the proof that a seventh institution ships its own terms
//! (docs/authoring.md).
//!
//! The text governs corporate customers' contracts (scope `corporate`);
//! `kamome-kojin-2026` governs individual customers' at the same time. It
//! declares two terms the core vocabulary lacks: the function 振替指示 (a
//! transfer between the customer's own accounts) and the account flag
//! 提供を許可した口座 (an account the customer allowed to be shared).

use kitei_sdk::prelude::*;

kitei_sdk::rules! {
    // 第1条 APIサービス
    R_1_2_1 = Rule::verbatim(Clause::item(1, 2, 1), "当金庫の法人向けインターネットバンキングの利用契約を締結していること。")
        .codes("internet_banking_contract", "no_internet_banking_contract")
        .summary("a corporate internet banking contract");
    R_1_2_2 = Rule::verbatim(Clause::item(1, 2, 2),
        "API連携事業者との間で、API連携事業者が提供するサービスの利用に必要な契約を締結していること。")
        .codes("provider_contract", "no_provider_contract")
        .summary("a contract with the provider's service");
    R_1_2_3 = Rule::verbatim(Clause::item(1, 2, 3), "本規定に同意し、API連携認証を完了していること。")
        .codes("terms_agreed_and_authenticated", "terms_or_authentication_missing")
        .summary("terms agreed and API連携認証 completed");

    // 第2条 提供する情報および機能
    R_2_1 = Rule::verbatim(Clause::paragraph(2, 1),
        "APIサービスにおいて当金庫がAPI連携事業者に提供する情報および機能は、次の各号のとおりとします。")
        .codes("function_offered", "function_not_offered")
        .summary("only the listed information and functions are offered");
    R_2_1_1 = Rule::verbatim(Clause::item(2, 1, 1), "残高照会")
        .codes("function_offered", "function_not_offered_for_account_kind")
        .summary("balance of a linkable account");
    R_2_1_1_NONE = Rule::verbatim_of(R_2_1_1)
        .codes("account_selected", "no_account_selected")
        .summary("a balance is of an account: none selected, nothing to answer for");
    R_2_1_2 = Rule::verbatim(Clause::item(2, 1, 2), "入出金明細照会")
        .codes("function_offered", "function_not_offered_for_account_kind")
        .summary("transactions of a linkable account");
    R_2_1_2_NONE = Rule::verbatim_of(R_2_1_2)
        .codes("account_selected", "no_account_selected")
        .summary("transactions are of an account: none selected, nothing to answer for");
    R_2_1_3 = Rule::verbatim(Clause::item(2, 1, 3), "振替指示（お客さま名義の当金庫の口座の間で資金を移動する指図をいいます。）")
        .codes("function_offered", "function_not_offered_for_account_kind")
        .summary("a transfer between the customer's own accounts (a declared function)");
    R_2_1_3_NONE = Rule::verbatim_of(R_2_1_3)
        .codes("account_selected", "no_account_selected")
        .summary("a transfer is from an account: none selected, nothing to answer for");
    R_2_2 = Rule::verbatim(Clause::paragraph(2, 2), "API連携事業者に連携する口座の種類は、普通預金および当座預金とします。")
        .codes("account_kind_linkable", "account_kind_not_linkable")
        .summary("ordinary and current accounts link");
    R_2_3 = Rule::verbatim(Clause::paragraph(2, 3),
        "前項の口座のうち、API連携事業者に情報を提供する口座は、お客さまがインターネットバンキングにおいて提供を許可した口座に限ります。")
        .codes("sharing_permitted", "sharing_not_permitted")
        .summary("only the accounts the customer allowed to be shared (a declared account flag)");
    R_2_4 = Rule::verbatim(Clause::paragraph(2, 4),
        "振替指示は、お客さまがAPI連携事業者に対して振替指示の権限を付与した場合に限り、受け付けます。")
        .codes("function_authorized", "function_not_authorized")
        .summary("a transfer only once the customer authorized the provider to instruct it");

    // 第3条 認証の有効期間
    R_3_1 = Rule::verbatim(Clause::paragraph(3, 1), "有効期間を経過した場合は、再度API連携認証を行う必要があります。")
        .codes("authentication_within_period", "reauthentication_required")
        .summary("after the period, authenticate again");
    R_3_1_PERIOD = Rule::setting(Clause::paragraph(3, 1), "当金庫所定の期間")
        .codes("reauth_period_set", "reauth_period_not_set")
        .summary("the period is 当金庫所定: setting `reauth_after_days`");

    // 第4条 免責事項
    R_4_1 = Rule::verbatim(Clause::paragraph(4, 1),
        "当金庫は、API連携事業者が提供するサービスに起因してお客さまに生じた損害について、当金庫の責めに帰すべき事由がある場合を除き、責任を負いません。")
        .codes("institution_exempt", "exemption_excluded_institution_at_fault")
        .summary("damage from the provider's service: institution not liable unless at fault");

    // 第5条 規定の変更
    R_5_1 = Rule::verbatim(Clause::paragraph(5, 1), "当金庫は、本規定の内容を、お客さまに事前に通知したうえで変更することがあります。")
        .codes("terms_change_with_notice", "terms_change_with_notice")
        .summary("describe: the terms change with prior notice");

    GAP = Rule::gap();
}

kitei_sdk::terms! {
    /// 第2条第1項第3号: a function the core vocabulary lacks.
    OWN_TRANSFER = Term::function("transfer_between_own_accounts", "振替指示", "a transfer between the customer's own accounts at the institution", R_2_1_3);
    /// 第2条第3項: an account flag the core vocabulary lacks.
    SHARING = Term::account_flag("sharing_permitted", "提供を許可した口座", "the customer allowed this account to be shared with providers", R_2_3);
}

const LINKABLE: KindSet = kinds(&[AccountKind::Ordinary, AccountKind::Current]);

/// The text: who publishes it, and when it is in force.
const META: Meta = Meta {
    variant: "kamome-hojin-2026",
    institution: "kamome",
    institution_name: "かもめ信用金庫",
    title: "法人のお客さま向けAPI利用規定",
    version: "2026-04-01",
    effective_from: "2026-04-01",
    effective_until: None,
};

/// The variant.
pub static POLICY: Policy = Policy {
    scope: ContractScope::Corporate,
    terms: TERMS,
    settings: &[SettingName::ReauthAfterDays],
    eligibility: &[
        Condition { fact: Fact::InternetBankingContract, rule: R_1_2_1 },
        Condition { fact: Fact::ProviderContract, rule: R_1_2_2 },
        Condition { fact: Fact::All(&[Fact::AgreedToTerms, Fact::ApiAuthCompleted]), rule: R_1_2_3 },
    ],
    accounts: Accounts {
        entries: &[AccountEntry::kinds(LINKABLE, ChannelSet::ALL, R_2_2).needs(AccountNeeds::Declared(SHARING), R_2_3)],
        unlisted: R_2_2,
        notes: &[],
    },
    functions: Functions {
        entries: &[
            FunctionEntry::on(&[Function::Balance], LINKABLE, R_2_1_1).no_account(R_2_1_1_NONE),
            FunctionEntry::on(&[Function::Transactions], LINKABLE, R_2_1_2).no_account(R_2_1_2_NONE),
            FunctionEntry::declared_on(&[OWN_TRANSFER], LINKABLE, R_2_1_3).no_account(R_2_1_3_NONE).with_consent(R_2_4),
        ],
        unlisted: R_2_1,
        uncovered: None,
    },
    token: &[Period::new(SettingName::ReauthAfterDays, Clock::SinceAuthentication, R_3_1, R_3_1_PERIOD)],
    liability: &[LiabilityEntry::institution(LossEvent::ProviderService, LiabilityRuling::NotLiable, &[R_4_1]).unless_at_fault()],
    ..Policy::empty(META, RULES, GAP)
};

kitei_sdk::export_policy!(POLICY);

#[cfg(test)]
mod tests {
    use super::*;
    use kitei_sdk::model::Account;
    use kitei_sdk::request::blank;
    use kitei_sdk::testing::unmet;
    use kitei_sdk::types::Request;

    /// The text as written, header and all, kept beside this crate.
    const SOURCE: &str = include_str!("../source.txt");

    /// Every quoted text of the sheet (verbatim, interpreted, setting) is
    /// in `source.txt`, normalising only whitespace and widths.
    #[test]
    fn quoted_texts_are_in_the_source() {
        kitei_sdk::testing::assert_texts_in_source(&POLICY, SOURCE);
    }

    /// The check fails on a one-character change of a real rule.
    #[test]
    fn a_one_character_change_is_caught() {
        kitei_sdk::testing::assert_one_character_change_is_caught(SOURCE, POLICY.rules[R_2_3.0 as usize]);
    }

    fn transfer(shared: bool) -> Request {
        let mut req = blank();
        req.segment = Segment::Corporate;
        req.customer = CustomerFlags::INTERNET_BANKING_CONTRACT;
        req.provider = ProviderFlags::CONTRACT;
        req.consent = ConsentFlags::AGREED_TO_TERMS | ConsentFlags::API_AUTH_COMPLETED;
        req.accounts = vec![Account {
            kind: KindRef::Core(AccountKind::Current),
            flags: AccountFlags::empty(),
            extension_flags: if shared { 1 << SHARING.position } else { 0 },
        }];
        req.selected = vec![0];
        req.function = Some(FunctionRef::Extension(OWN_TRANSFER.position));
        req.extension_authorized = 1 << OWN_TRANSFER.position;
        req
    }

    #[test]
    fn only_a_shared_account_links() {
        let engine = Engine::with_defaults(&POLICY);
        assert!(engine.accounts(&transfer(true))[0].linkable);
        let v = &engine.accounts(&transfer(false))[0];
        assert!(!v.linkable);
        assert_eq!(unmet(&POLICY, &v.reasons), [("第2条第3項".to_string(), "sharing_not_permitted")]);
    }

    #[test]
    fn a_transfer_needs_the_customers_authorization() {
        let engine = Engine::with_defaults(&POLICY);
        let mut req = transfer(true);
        let a = engine.authorize(&req);
        assert!(unmet(&POLICY, &a.reasons).is_empty(), "{a:?}");
        req.extension_authorized = 0;
        let a = engine.authorize(&req);
        assert_eq!(a.decision, Decision::Deny);
        assert_eq!(unmet(&POLICY, &a.reasons), [("第2条第4項".to_string(), "function_not_authorized")]);
    }
}
