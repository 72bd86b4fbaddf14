//! 秋田県信用組合: API連携サービス提供のご案内（個人向けインターネットバンキング） — `akita-notice`.
//!
//! Each rule below carries its place in the notice and the sentence of the
//! source (`policy/akita-notice/source.txt`) it rests on. The notice
//! has no article numbers: rules cite a heading (`API連携とは`, `連携先一覧`)
//! or a bullet under <ご利用にあたっての注意事項> counted from 1 (`注意事項・3`).
//!
//! The notice is not the API利用規定 itself (注意事項・5 refers to it), so it
//! decides little: no liability, incident or service-window rule. Those
//! questions answer `unspecified`, citing 注意事項・5's reference to the
//! API利用規定 as `omitted` (it was not published with the notice). The
//! notice is undated.

use kitei_sdk::prelude::*;

/// <ご利用にあたっての注意事項>
const NOTES: &str = "注意事項";

kitei_sdk::rules! {
    // 表題
    R_TITLE = Rule::interpreted(Clause::section("API連携サービス提供のご案内について"), "API連携サービス提供のご案内について")
        .codes("notice_undated", "notice_undated")
        .summary("describe: the notice bears no date; version `undated` and effective_from 0001-01-01 are placeholders, not dates from the text");

    // <API 連携とは>
    R_API = Rule::interpreted(Clause::section("API連携とは"),
        "API 連携とは、家計簿アプリや会計ソフト等を取扱う「API 業者」に対して、お客様の同意を得たうえで、お客様のログインIDやログインパスワードを預けることなく、残高や入出金明細等の情報を連携するサービスです。")
        .codes("function_offered", "function_not_offered_for_account_kind")
        .summary("balance and transactions (残高や入出金明細等, interpreted) on any linkable account");
    R_API_NONE = Rule::reading_of(R_API)
        .codes("account_selected", "no_account_selected")
        .summary("balance and transactions are of an account: none selected, nothing to answer for");
    R_API_UNLISTED = Rule::reading_of(R_API)
        .codes("function_offered", "function_not_offered")
        .summary("no other function is named: information linkage only (interpreted; 等 leaves the list open, so other functions are denied for want of a clause, not by one)");

    // <連携先・サービス内容一覧>
    R_LIST = Rule::verbatim(Clause::section("連携先一覧"), "<連携先・サービス内容一覧>")
        .codes("provider_listed", "provider_not_listed")
        .summary("the provider is one of the listed API連携先: a listed provider cites its own row (setting `designated_providers`, default: the eight listed)");
    R_LIST_SETTING = Rule::setting(Clause::section("連携先一覧"), "API 連携先")
        .codes("provider_in_operator_list", "provider_not_in_operator_list")
        .summary("the operator's `designated_providers` replaces the notice's list");
    R_ROW_MONEYFORWARD = Rule::verbatim(Clause::section("連携先一覧"), "株式会社マネーフォワード マネーフォワード クラウド会計 等")
        .codes("provider_listed", "provider_not_listed").summary("listed: moneyforward");
    R_ROW_FREEE = Rule::verbatim(Clause::section("連携先一覧"), "フリー株式会社 クラウド会計ソフト freee 等")
        .codes("provider_listed", "provider_not_listed").summary("listed: freee");
    R_ROW_MONEYTREE = Rule::verbatim(Clause::section("連携先一覧"), "マネーツリー株式会社 Moneytree 等")
        .codes("provider_listed", "provider_not_listed").summary("listed: moneytree");
    R_ROW_YAYOI = Rule::verbatim(Clause::section("連携先一覧"), "弥生株式会社 弥生会計 等")
        .codes("provider_listed", "provider_not_listed").summary("listed: yayoi");
    R_ROW_SORIMACHI = Rule::verbatim(Clause::section("連携先一覧"), "ソリマチ株式会社 会計王、スマホ社長 等")
        .codes("provider_listed", "provider_not_listed").summary("listed: sorimachi");
    R_ROW_SBI = Rule::verbatim(Clause::section("連携先一覧"), "SBI ビジネス・ソリューションズ株式会社 マネールック 等")
        .codes("provider_listed", "provider_not_listed").summary("listed: sbi-business-solutions");
    R_ROW_ZAIM = Rule::verbatim(Clause::section("連携先一覧"), "株式会社 Zaim zaim 等")
        .codes("provider_listed", "provider_not_listed").summary("listed: zaim");
    R_ROW_LINE_PAY = Rule::verbatim(Clause::section("連携先一覧"), "LINE Pay 株式会社 LINE 家計簿 等")
        .codes("provider_listed", "provider_not_listed").summary("listed: line-pay");

    // <ご利用にあたっての注意事項>
    R_N1_IB = Rule::verbatim(Clause::bullet(NOTES, 1),
        "API 連携サービスのご利用にあたっては、事前に「API 業者」のサービス利用契約および個人向けインターネットバンキングサービスの利用契約が必要です。")
        .codes("individual_internet_banking_contract", "no_individual_internet_banking_contract")
        .summary("an individual customer with a personal IB contract");
    R_N1_PROVIDER = Rule::verbatim_of(R_N1_IB)
        .codes("provider_contract", "no_provider_contract")
        .summary("a contract with the provider's service");
    R_N1_ACCOUNTS = Rule::reading_of(R_N1_IB)
        .codes("account_kind_linkable", "account_kind_not_linkable")
        .summary("any account kind (interpreted: the notice lists no kinds)");
    R_N1_IB_ACCOUNT = Rule::reading_of(R_N1_IB)
        .codes("account_registered_in_internet_banking", "account_not_registered_in_internet_banking")
        .summary("the account is registered in the personal IB (interpreted)");
    R_N2 = Rule::verbatim(Clause::bullet(NOTES, 2),
        "「API 業者」へお客様の情報提供を停止するには、「API 業者」への利用停止の手続きが必要です。")
        .codes("stop_through_provider", "stop_through_provider")
        .summary("describe: the customer stops the service through the provider");
    R_N3_PERIOD = Rule::verbatim(Clause::bullet(NOTES, 3), "「API 業者」との API 連携サービスには、有効期限 (90日) が定められています。")
        .codes("validity_period_stated", "stated_period_overridden")
        .summary("valid for 90 days (stated; default of `reauth_after_days`; shown as not applied when the operator sets another)");
    R_N3_SETTING = Rule::setting(Clause::bullet(NOTES, 3), "有効期限")
        .codes("validity_period_set", "validity_period_not_set")
        .summary("the operator's `reauth_after_days` replaces the stated 90 days");
    R_N3 = Rule::verbatim(Clause::bullet(NOTES, 3), "有効期限が過ぎた場合は、再度、利用登録が必要となります。")
        .codes("registration_within_validity", "registration_expired")
        .summary("after the period, register again");
    R_N3_REGISTERED = Rule::reading_of(R_N3)
        .codes("registration_completed", "registration_missing")
        .summary("API連携認証（利用登録） completed (interpreted: registering again after the period presupposes a registration, which the steps of 利用者登録 describe)");
    R_N4 = Rule::verbatim(Clause::bullet(NOTES, 4),
        "API 連携先のサービスは、当組合が提供するサービスではございません。サービス内容についてのご不明な点につきましては、それぞれのサービスを提供する「API 業者」へお問い合わせください。")
        .codes("provider_service_not_institutions", "provider_service_not_institutions")
        .summary("describe: the provider's service is not the credit union's (no liability ruling is drawn from it)");
    R_N5_REGISTERED = Rule::interpreted(Clause::bullet(NOTES, 5),
        "API 連携認証 (利用者登録) 機能は、お客様の金融情報を「API 業者」に提供するものです。")
        .codes("registration_completed", "registration_missing")
        .summary("information reaches the provider through API連携認証（利用者登録）: it is completed (interpreted)");
    R_N5 = Rule::verbatim(Clause::bullet(NOTES, 5),
        "当組合のAPI 利用規定に同意し、必ずお客様自身の責任において行っていただきますようお願いいたします。")
        .codes("agreed_to_terms", "terms_not_agreed")
        .summary("agreed to the credit union's API利用規定");
    // What the notice does not decide, the API利用規定 it refers to does;
    // that text was not published with the notice: unknown, not absent.
    R_N5_TERMS = Rule::unpublished(Clause::bullet(NOTES, 5), "当組合のAPI 利用規定")
        .summary("the credit union's API利用規定, which decides what this notice does not, was not published with it: those answers are unspecified");
}

/// The eight API連携先 of <連携先・サービス内容一覧>, in the notice's order.
pub const LISTED_PROVIDERS: &[&str] = &["moneyforward", "freee", "moneytree", "yayoi", "sorimachi", "sbi-business-solutions", "zaim", "line-pay"];

/// The text: who publishes it, and when it is in force.
const META: Meta = Meta {
    variant: "akita-notice",
    institution: "akita",
    institution_name: "秋田県信用組合",
    title: "API連携サービス提供のご案内（個人向けインターネットバンキング）",
    version: "undated",
    effective_from: "0001-01-01",
    effective_until: None,
};

/// The variant.
pub static POLICY: Policy = Policy {
    settings: &[SettingName::ReauthAfterDays, SettingName::DesignatedProviders],
    defaults: Defaults {
        reauth_after_days: Some(90),
        registration_valid_days: None,
        permission_valid_days: None,
        inactivity_days: None,
        designated_providers: Some(LISTED_PROVIDERS),
        declared: &[],
    },
    eligibility: &[
        Condition { fact: Fact::All(&[Fact::Individual, Fact::InternetBankingContract]), rule: R_N1_IB },
        Condition { fact: Fact::ProviderContract, rule: R_N1_PROVIDER },
        Condition { fact: Fact::ProviderDesignated, rule: R_LIST },
        Condition { fact: Fact::ApiAuthCompleted, rule: R_N3_REGISTERED },
        Condition { fact: Fact::ApiAuthCompleted, rule: R_N5_REGISTERED },
        Condition { fact: Fact::AgreedToTerms, rule: R_N5 },
    ],
    accounts: Accounts {
        entries: &[AccountEntry::kinds(KindSet::ALL, ChannelSet::ALL, R_N1_ACCOUNTS).needs(AccountNeeds::InternetBankingRegistered, R_N1_IB_ACCOUNT)],
        unlisted: R_N5_TERMS,
        notes: &[],
    },
    functions: Functions {
        entries: &[FunctionEntry::on(&[Function::Balance, Function::Transactions], KindSet::ALL, R_API).no_account(R_API_NONE)],
        unlisted: R_API_UNLISTED,
        uncovered: None,
    },
    token: &[Period::new(SettingName::ReauthAfterDays, Clock::SinceAuthentication, R_N3, R_N3_PERIOD).overridden_by(R_N3_SETTING)],
    provider_rows: &[
        ProviderRow { id: "moneyforward", rule: R_ROW_MONEYFORWARD },
        ProviderRow { id: "freee", rule: R_ROW_FREEE },
        ProviderRow { id: "moneytree", rule: R_ROW_MONEYTREE },
        ProviderRow { id: "yayoi", rule: R_ROW_YAYOI },
        ProviderRow { id: "sorimachi", rule: R_ROW_SORIMACHI },
        ProviderRow { id: "sbi-business-solutions", rule: R_ROW_SBI },
        ProviderRow { id: "zaim", rule: R_ROW_ZAIM },
        ProviderRow { id: "line-pay", rule: R_ROW_LINE_PAY },
    ],
    provider_setting: Some(R_LIST_SETTING),
    // window, liability, disclosure, chained, suspension: the notice is
    // silent, and the API利用規定 it refers to was not published.
    ..Policy::empty(META, RULES, R_N5_TERMS)
};

kitei_sdk::export_policy!(POLICY);

/// The sheet against its source text, and the decisions no conformance
/// scenario holds yet. The rest of what the rules decide is checked by the
/// conformance suite (`tests/conformance/*.json`, docs/conformance.md).
#[cfg(test)]
mod tests {
    use super::*;
    use kitei_sdk::request::blank;
    use kitei_sdk::testing::{account, jst, no_settings, unmet};
    use kitei_sdk::types::{Request, Settings};

    /// The text as received, header and all, kept beside this crate.
    const SOURCE: &str = include_str!("../source.txt");

    /// Every quoted text of the sheet (verbatim, interpreted, setting) is
    /// in `source.txt`, normalising only whitespace and widths.
    #[test]
    fn quoted_texts_are_in_the_source() {
        kitei_sdk::testing::assert_texts_in_source(&POLICY, SOURCE);
    }

    const DAY: i64 = 86_400;
    const T0: i64 = 1_700_000_000;

    /// Eligible: individual, IB contract, Money Forward contract, terms agreed,
    /// registered at `T0`, one ordinary account registered in IB.
    fn eligible() -> Request {
        let mut req = blank();
        req.customer = CustomerFlags::INTERNET_BANKING_CONTRACT;
        req.provider_id = "moneyforward".into();
        req.provider = ProviderFlags::CONTRACT;
        req.consent = ConsentFlags::AGREED_TO_TERMS | ConsentFlags::API_AUTH_COMPLETED;
        req.authenticated_at = Some(jst(T0));
        req.at = jst(T0 + DAY);
        req.accounts = vec![account(AccountKind::Ordinary, AccountFlags::INTERNET_BANKING_REGISTERED)];
        req.selected = vec![0];
        req
    }

    /// The token answer names when the registration expires: 90 days after
    /// it (the scenarios hold valid and expired around that instant).
    #[test]
    fn the_registration_expires_90_days_after_it() {
        let engine = Engine::with_defaults(&POLICY);
        let mut req = eligible();
        req.at = jst(T0 + 89 * DAY);
        assert_eq!(engine.token(&req).expires_at, Some(jst(T0 + 90 * DAY)));
    }

    #[test]
    fn an_unlisted_provider_is_not_eligible() {
        let engine = Engine::with_defaults(&POLICY);
        let mut req = eligible();
        req.provider_id = "unlisted-app".into();
        // the request's own flag does not override the notice's list
        req.provider |= ProviderFlags::DESIGNATED;
        let v = engine.eligibility(&req);
        assert_eq!(v.decision, Decision::Deny);
        assert_eq!(unmet(&POLICY, &v.reasons), [("連携先一覧".to_string(), "provider_not_listed")]);
        for id in LISTED_PROVIDERS {
            req.provider_id = (*id).into();
            assert_eq!(engine.eligibility(&req).decision, Decision::Permit, "{id}");
        }
        // an operator who adds a provider to the list makes it eligible
        let mut ids: Vec<String> = LISTED_PROVIDERS.iter().map(|s| (*s).to_string()).collect();
        ids.push("unlisted-app".into());
        let engine = Engine::new(&POLICY, Settings { designated_providers: Some(ids), ..no_settings() }).unwrap();
        req.provider_id = "unlisted-app".into();
        assert_eq!(engine.eligibility(&req).decision, Decision::Permit);
    }
}
