//! かもめ信用金庫 個人のお客さま向けAPI利用規定 (2026年4月1日制定) —
//! `kamome-kojin-2026`. **Fictional**: an invented institution and text
//! (`source.txt`), the proof that a seventh institution ships its own terms
//! (docs/authoring.md).
//!
//! The text governs individual customers' contracts (scope `individual`);
//! `kamome-hojin-2026` governs corporate customers' at the same time. It
//! declares three terms the core vocabulary lacks: the function
//! デビット利用明細照会, the fact かもめ共通ID registered, and the setting
//! for how long an authentication with that ID lasts.

use kitei_sdk::prelude::*;

kitei_sdk::rules! {
    // 第1条 APIサービス
    R_1_2 = Rule::verbatim(Clause::paragraph(1, 2),
        "APIサービスをご利用いただけるお客さまは、次の各号のすべてを満たす個人のお客さまとします。")
        .codes("individual_customer", "not_an_individual_customer")
        .summary("individual customers only");
    R_1_2_1 = Rule::verbatim(Clause::item(1, 2, 1), "当金庫の個人向けインターネットバンキングの利用契約を締結していること。")
        .codes("internet_banking_contract", "no_internet_banking_contract")
        .summary("a personal internet banking contract");
    R_1_2_2 = Rule::verbatim(Clause::item(1, 2, 2), "かもめ共通IDを登録していること。")
        .codes("platform_id_registered", "platform_id_not_registered")
        .summary("the shared かもめ共通ID is registered");
    R_1_2_3 = Rule::verbatim(Clause::item(1, 2, 3),
        "API連携事業者との間で、API連携事業者が提供するサービスの利用に必要な契約を締結していること。")
        .codes("provider_contract", "no_provider_contract")
        .summary("a contract with the provider's service");
    R_1_2_4 = Rule::verbatim(Clause::item(1, 2, 4), "本規定に同意し、API連携認証を完了していること。")
        .codes("terms_agreed_and_authenticated", "terms_or_authentication_missing")
        .summary("terms agreed and API連携認証 completed");

    // 第2条 提供する情報
    R_2_1 = Rule::verbatim(Clause::paragraph(2, 1),
        "APIサービスにおいて当金庫がAPI連携事業者に提供する情報は、次の各号のとおりとします。")
        .codes("function_offered", "function_not_offered")
        .summary("only the listed information is offered");
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
    R_2_1_3 = Rule::verbatim(Clause::item(2, 1, 3), "デビット利用明細照会（当金庫のデビットカードの利用の明細をいいます。）")
        .codes("function_offered", "function_not_offered_for_account_kind")
        .summary("the debit card statement, on the ordinary account the card draws on (a declared function)");
    R_2_1_3_NONE = Rule::verbatim_of(R_2_1_3)
        .codes("account_selected", "no_account_selected")
        .summary("a debit statement is of the account the card draws on: none selected, nothing to answer for");
    R_2_1_3_KIND = Rule::reading_of(R_2_1_3)
        .codes("function_offered", "function_not_offered_for_account_kind")
        .summary("a debit card draws on an ordinary account: savings has no debit statement (interpreted)");
    R_2_2 = Rule::verbatim(Clause::paragraph(2, 2), "API連携事業者に連携する口座の種類は、普通預金および貯蓄預金とします。")
        .codes("account_kind_linkable", "account_kind_not_linkable")
        .summary("ordinary and savings accounts link");

    // 第3条 認証の有効期間
    R_3_1 = Rule::verbatim(Clause::paragraph(3, 1), "かもめ共通IDによるAPI連携認証の有効期間は、認証の日から180日とします。")
        .codes("validity_period_stated", "stated_period_overridden")
        .summary("an authentication with the かもめ共通ID lasts 180 days (the default of the declared setting `platform_id_auth_days`)");
    R_3_1_SETTING = Rule::setting(Clause::paragraph(3, 1), "有効期間")
        .codes("validity_period_set", "validity_period_not_set")
        .summary("the operator's `platform_id_auth_days` replaces the stated 180 days");
    R_3_2 = Rule::verbatim(Clause::paragraph(3, 2), "前項の有効期間を経過した場合は、再度API連携認証を行う必要があります。")
        .codes("authentication_within_period", "reauthentication_required")
        .summary("after the period, authenticate again");

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
    DEBIT_STATEMENT = Term::function("debit_statement", "デビット利用明細照会", "the debit card statement of the account the card draws on", R_2_1_3);
    /// 第1条第2項第2号: a customer fact the core vocabulary lacks.
    PLATFORM_ID = Term::customer_fact("platform_id_registered", "かもめ共通IDを登録", "the customer registered the shared かもめ共通ID", R_1_2_2);
    /// 第3条第1項: a number of days the operator may set.
    PLATFORM_ID_DAYS = Term::setting("platform_id_auth_days", "かもめ共通IDによるAPI連携認証の有効期間", "days an authentication with the かもめ共通ID lasts", R_3_1_SETTING);
}

const LINKABLE: KindSet = kinds(&[AccountKind::Ordinary, AccountKind::Savings]);

/// The text: who publishes it, and when it is in force.
const META: Meta = Meta {
    variant: "kamome-kojin-2026",
    institution: "kamome",
    institution_name: "かもめ信用金庫",
    title: "個人のお客さま向けAPI利用規定",
    version: "2026-04-01",
    effective_from: "2026-04-01",
    effective_until: None,
};

/// The variant.
pub static POLICY: Policy = Policy {
    scope: ContractScope::Individual,
    terms: TERMS,
    defaults: Defaults {
        reauth_after_days: None,
        registration_valid_days: None,
        permission_valid_days: None,
        inactivity_days: None,
        designated_providers: None,
        declared: &[(PLATFORM_ID_DAYS, 180)],
    },
    eligibility: &[
        Condition { fact: Fact::Individual, rule: R_1_2 },
        Condition { fact: Fact::InternetBankingContract, rule: R_1_2_1 },
        Condition { fact: Fact::Declared(PLATFORM_ID), rule: R_1_2_2 },
        Condition { fact: Fact::ProviderContract, rule: R_1_2_3 },
        Condition { fact: Fact::All(&[Fact::AgreedToTerms, Fact::ApiAuthCompleted]), rule: R_1_2_4 },
    ],
    accounts: Accounts { entries: &[AccountEntry::kinds(LINKABLE, ChannelSet::ALL, R_2_2)], unlisted: R_2_2, notes: &[] },
    functions: Functions {
        entries: &[
            FunctionEntry::on(&[Function::Balance], LINKABLE, R_2_1_1).no_account(R_2_1_1_NONE),
            FunctionEntry::on(&[Function::Transactions], LINKABLE, R_2_1_2).no_account(R_2_1_2_NONE),
            FunctionEntry::declared_on(&[DEBIT_STATEMENT], kinds(&[AccountKind::Ordinary]), R_2_1_3).no_account(R_2_1_3_NONE),
        ],
        unlisted: R_2_1,
        uncovered: Some(R_2_1_3_KIND),
    },
    token: &[Period::declared(PLATFORM_ID_DAYS, Clock::SinceAuthentication, R_3_2, R_3_1).overridden_by(R_3_1_SETTING)],
    liability: &[LiabilityEntry::institution(LossEvent::ProviderService, LiabilityRuling::NotLiable, &[R_4_1]).unless_at_fault()],
    ..Policy::empty(META, RULES, GAP)
};

kitei_sdk::export_policy!(POLICY);

#[cfg(test)]
mod tests {
    use super::*;
    use kitei_sdk::request::blank;
    use kitei_sdk::testing::{account, cites, jst, unmet};
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
        kitei_sdk::testing::assert_one_character_change_is_caught(SOURCE, POLICY.rules[R_4_1.0 as usize]);
    }

    fn eligible() -> Request {
        let mut req = blank();
        req.customer = CustomerFlags::INTERNET_BANKING_CONTRACT;
        req.extension_facts = 1 << PLATFORM_ID.position;
        req.provider = ProviderFlags::CONTRACT;
        req.consent = ConsentFlags::AGREED_TO_TERMS | ConsentFlags::API_AUTH_COMPLETED;
        req.authenticated_at = Some(jst(0));
        req.at = jst(86_400);
        req
    }

    #[test]
    fn the_platform_id_is_a_condition() {
        let engine = Engine::with_defaults(&POLICY);
        let mut req = eligible();
        assert_eq!(engine.eligibility(&req).decision, Decision::Permit);
        req.extension_facts = 0;
        let v = engine.eligibility(&req);
        assert_eq!(v.decision, Decision::Deny);
        assert_eq!(unmet(&POLICY, &v.reasons), [("第1条第2項第2号".to_string(), "platform_id_not_registered")]);
    }

    #[test]
    fn the_debit_statement_is_of_an_ordinary_account() {
        let engine = Engine::with_defaults(&POLICY);
        let mut req = eligible();
        req.accounts = vec![account(AccountKind::Ordinary, AccountFlags::empty())];
        req.selected = vec![0];
        req.function = Some(FunctionRef::Extension(DEBIT_STATEMENT.position));
        let a = engine.authorize(&req);
        assert_eq!(a.decision, Decision::Permit, "{a:?}");
        assert!(cites(&POLICY, &a.reasons).contains(&"第2条第1項第3号".to_string()));
        req.accounts = vec![account(AccountKind::Savings, AccountFlags::empty())];
        let a = engine.authorize(&req);
        assert_eq!(a.decision, Decision::Deny);
        req.function = Some(FunctionRef::Undeclared);
        let a = engine.authorize(&req);
        assert_eq!(unmet(&POLICY, &a.reasons), [("第2条第1項".to_string(), "function_not_offered")]);
    }

    #[test]
    fn the_stated_180_days_are_the_period() {
        let engine = Engine::with_defaults(&POLICY);
        let mut req = eligible();
        req.authenticated_at = Some(jst(0));
        req.at = jst(179 * 86_400);
        assert_eq!(engine.token(&req).status, TokenStatus::Valid);
        req.at = jst(181 * 86_400);
        let t = engine.token(&req);
        assert_eq!(t.status, TokenStatus::Expired);
        assert!(cites(&POLICY, &t.reasons).contains(&"第3条第2項".to_string()));
    }
}
