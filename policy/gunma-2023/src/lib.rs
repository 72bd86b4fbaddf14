//! 群馬県信用組合 ＡＰＩ利用規定 (2023年6月6日改定) — `gunma-2023`.
//!
//! The source is the new column (新) of the 新旧対比表 published with the
//! revision (`policy/gunma-2023/source.txt`). Each rule below
//! carries its clause and the sentence of that column it rests on, with the
//! extraction's line breaks joined and nothing else changed. Many clauses are
//! shown only as 省略: they are in the sheet as `omitted`, and answers that
//! would rest on them are `unspecified`, citing them. Readings the text does
//! not state outright are marked `interpreted`, as docs/readings.md records.

use kitei_sdk::prelude::*;

kitei_sdk::rules! {
    // 第1条 ＡＰＩサービス
    R_1_1 = Rule::verbatim(Clause::paragraph(1, 1),
        "ＡＰＩサービスとは、群馬県信用組合（以下、「当組合」といいます。）が提供するインターネットバンキングサービス（以下、「インターネットバンキング」といいます。）またはＡＰＩを使用して、お客さまが利用するＡＰＩ連携事業者（ＡＰＩを介してお客さまにさまざまなサービスを提供する外部事業者の総称。以下同じ。）の依頼に基づいて、ＡＰＩ連携事業者が提供するサービスと各種情報を連携させることが可能になるサービスのことをいいます。")
        .codes("definition", "definition")
        .summary("the API service links information through internet banking or the API");
    // 当組合所定の要件: the cash card is the text's example ([…]等), so the
    // rule as encoded (a cash card suffices) is our reading (docs/readings.md, Eligibility).
    R_1_2_1 = Rule::interpreted(Clause::item(1, 2, 1),
        "当組合とインターネットバンキングの利用に必要となる契約を締結している、または[当組合のキャッシュカードが発行されている等]当組合所定の要件を満たす普通預金口座、貯蓄預金口座（以下、総称して「普通預金口座等」といいます。）を保有していること")
        .codes("internet_banking_or_eligible_account", "no_internet_banking_or_eligible_account")
        .summary("IB contract, or an ordinary/savings account with a cash card (当組合所定の要件 read as the cash card it names as an example: interpreted)");
    R_1_2_2 = Rule::omitted(Clause::item(1, 2, 2))
        .summary("eligibility condition (2): 省略, content unknown, nothing checked");
    R_1_2_3 = Rule::verbatim(Clause::item(1, 2, 3),
        "ＡＰＩサービスの提供について、当組合が定める事項についての同意、ＡＰＩ連携認証の完了その他当組合所定の手続を経ていること")
        .codes("terms_agreed_and_authenticated", "terms_or_authentication_missing")
        .summary("terms agreed and API連携認証 completed");
    R_1_3 = Rule::omitted(Clause::paragraph(1, 3)).summary("省略, content unknown");

    // 第2条 ＡＰＩサービスについて
    R_2_1 = Rule::verbatim(Clause::paragraph(2, 1),
        "ＡＰＩサービスにおいて、当組合からＡＰＩ連携事業者に提供される情報は以下のものとします。")
        .codes("function_offered", "function_not_offered")
        .summary("only the listed information is offered");
    R_2_1_1 = Rule::verbatim(Clause::item(2, 1, 1), "お客さまの口座情報")
        .codes("function_offered", "function_not_offered")
        .summary("account information on any linkable account");
    R_2_1_2 = Rule::verbatim(Clause::item(2, 1, 2), "お客さまの流動性預金口座の残高、入出金明細")
        .codes("function_offered", "function_not_offered_for_account_kind")
        .summary("balance and transactions of liquid deposits");
    R_2_1_3 = Rule::interpreted(Clause::item(2, 1, 3), "お客さまの定期預金の明細")
        .codes("function_offered", "function_not_offered_for_account_kind")
        .summary("time deposits: balance and transactions (明細, interpreted)");
    R_2_1_1_NONE = Rule::verbatim_of(R_2_1_1)
        .codes("account_selected", "no_account_selected")
        .summary("account information is of an account: none selected, nothing to answer for");
    R_2_1_2_NONE = Rule::verbatim_of(R_2_1_2)
        .codes("account_selected", "no_account_selected")
        .summary("balance and transactions are of a deposit account: none selected, nothing to answer for");
    R_2_1_LOAN = Rule::reading_of(R_2_1)
        .codes("function_offered", "function_not_offered_for_account_kind")
        .summary("card loans: account information only (no listed item covers loans, interpreted)");
    R_2_1_HOURS = Rule::verbatim(Clause::paragraph(2, 1),
        "また、これらの情報が提供されるのは、当組合所定のインターネットバンキングのサービス時間帯またはＡＰＩサービスのサービス時間帯に限られます。")
        .codes("within_service_hours", "outside_service_hours")
        .summary("only during the internet banking or the API service hours");
    R_2_2 = Rule::verbatim(Clause::paragraph(2, 2), "ＡＰＩ連携事業者に連携する口座種類は以下のとおりです。")
        .codes("account_kind_linkable", "account_kind_not_linkable")
        .summary("only the listed account kinds link");
    R_2_2_NOTE = Rule::verbatim(Clause::paragraph(2, 2),
        "ただし、ＡＰＩ連携事業者に全ての口座が連携できることを保証するものではありません。")
        .codes("linking_not_guaranteed", "linking_not_guaranteed")
        .summary("no guarantee that every account links with every provider");
    R_2_2_1 = Rule::verbatim(Clause::item(2, 2, 1), "普通預金")
        .codes("account_kind_linkable", "account_kind_not_linkable")
        .summary("ordinary");
    R_2_2_2 = Rule::verbatim(Clause::item(2, 2, 2), "貯蓄預金")
        .codes("account_kind_linkable", "account_kind_not_linkable")
        .summary("savings");
    R_2_2_3 = Rule::verbatim(Clause::item(2, 2, 3), "カードローン")
        .codes("account_kind_linkable", "account_kind_not_linkable")
        .summary("card loan");
    R_2_2_4 = Rule::verbatim(Clause::item(2, 2, 4), "納税準備預金")
        .codes("account_kind_linkable", "account_kind_not_linkable")
        .summary("tax reserve");
    R_2_2_5 = Rule::verbatim(Clause::item(2, 2, 5), "定期預金")
        .codes("account_kind_linkable", "account_kind_not_linkable")
        .summary("time deposit");
    R_2_2_6 = Rule::verbatim(Clause::item(2, 2, 6),
        "当座預金（ただし、インターネットバンキングに登録済みの口座である場合に限ります。）")
        .codes("account_kind_linkable", "account_kind_not_linkable")
        .summary("current, if registered in internet banking");
    R_2_2_6_IB = Rule::verbatim(Clause::item(2, 2, 6),
        "ただし、インターネットバンキングに登録済みの口座である場合に限ります。")
        .codes("registered_in_internet_banking", "account_not_registered_in_internet_banking")
        .summary("current accounts only when registered in internet banking");
    R_2_3 = Rule::verbatim(Clause::paragraph(2, 3),
        "ＡＰＩサービスを利用するにあたり、お客さまは、ＡＰＩ連携事業者と契約を行ったうえで、第４条第１項のＡＰＩ連携認証を行う必要があります。ＡＰＩ連携事業者との契約にあたっては、お客さまが、自らの責任においてＡＰＩ連携事業者との契約内容を検討し、契約を行うものとします。")
        .codes("provider_contract", "provider_contract_missing")
        .summary("contract with the provider, then API連携認証; the customer reviews that contract on their own responsibility");
    R_2_4 = Rule::omitted(Clause::paragraph(2, 4)).summary("省略, content unknown");

    // 第3条 利用手数料
    R_3 = Rule::omitted(Clause::article(3)).summary("fee: 省略, content unknown");

    // 第4条 ＡＰＩサービスの利用
    R_4_1_AUTH = Rule::verbatim(Clause::paragraph(4, 1),
        "ＡＰＩサービスの利用開始にあたっては、ＡＰＩ連携事業者が提供するサービス経由で当組合所定の認証方法（インターネットバンキングで使用する認証方法を含みますが、これに限られません。）による本人確認を受け、当組合が定める事項に同意した上で、ＡＰＩ連携事業者ごとにＡＰＩ連携認証を行う必要があります。")
        .codes("authentication_per_provider", "authentication_per_provider")
        .summary("API連携認証 per provider, with an authentication method the institution determines");
    R_4_1 = Rule::verbatim(Clause::paragraph(4, 1),
        "また、ご利用から一定期間を超えた場合には、再度ＡＰＩ連携認証を行う必要があります。")
        .codes("authentication_within_period", "reauthentication_required")
        .summary("re-authenticate after a period, per provider");
    R_4_1_START = Rule::reading_of(R_4_1)
        .codes("authentication_within_period", "reauthentication_required")
        .summary("the period counts from API連携認証 (ご利用から read as from the authentication: interpreted)");
    R_4_1_PERIOD = Rule::setting(Clause::paragraph(4, 1), "一定期間")
        .codes("reauth_period_set", "reauth_period_not_set")
        .summary("the period is not stated: setting `reauth_after_days`");
    R_4_1_HOURS = Rule::verbatim(Clause::paragraph(4, 1),
        "ＡＰＩ連携認証は、当組合のインターネットバンキングのサービス時間帯または当組合所定のＡＰＩサービス時間帯に行うものとします。")
        .codes("authentication_within_service_hours", "authentication_outside_service_hours")
        .summary("API連携認証 only during the internet banking or the API service hours");
    R_4_2 = Rule::verbatim(Clause::paragraph(4, 2),
        "前項のＡＰＩ連携認証完了後、当組合は、ＡＰＩ連携認証を行ったお客さまの本人確認方法として、トークン（認証キー）を発行し、ＡＰＩ連携事業者に付与します。当組合は、トークン（認証キー）の有効期間中、ＡＰＩ連携事業者によるトークン（認証キー）の使用がなされたことをもって、お客さまの指図に基づいてトークン（認証キー）が使用されているものとみなし、本人確認を完了するものとします。")
        .codes("token_identifies_customer", "token_identifies_customer")
        .summary("the token issued to the provider identifies the customer while valid");
    R_4_3 = Rule::omitted(Clause::paragraph(4, 3))
        .summary("省略, content unknown: liability for credential misuse is unspecified");
    R_4_4 = Rule::omitted(Clause::paragraph(4, 4)).summary("省略, content unknown");
    R_4_5 = Rule::verbatim(Clause::paragraph(4, 5),
        "お客さまは、ＡＰＩ連携事業者のサービス経由でＡＰＩサービスをご利用いただく場合、当該ＡＰＩ連携事業者のセキュリティレベルでの利用となることを了承するものとします。")
        .codes("provider_security_level_accepted", "provider_security_level_accepted")
        .summary("the customer accepts the provider's security level");
    R_4_6 = Rule::omitted(Clause::paragraph(4, 6))
        .summary("省略 (第4条第6項～第8項), content unknown: disclosure of customer information is unspecified");
    R_4_7 = Rule::omitted(Clause::paragraph(4, 7))
        .summary("省略 (第4条第6項～第8項), content unknown: disclosure of customer information is unspecified");
    R_4_8 = Rule::omitted(Clause::paragraph(4, 8))
        .summary("省略 (第4条第6項～第8項), content unknown: disclosure of customer information is unspecified");

    // 第5条 ＡＰＩサービスの変更・取止め
    R_5_1 = Rule::omitted(Clause::paragraph(5, 1))
        .summary("省略, content unknown: how the customer stops the service is unspecified");
    R_5_2 = Rule::verbatim(Clause::paragraph(5, 2),
        "お客さまが第１条第２項の利用資格を喪失したときは、ＡＰＩサービスの提供についても当然に取止めとなります。")
        .codes("service_continues", "service_ended_on_loss_of_eligibility")
        .summary("loss of eligibility ends the service");
    R_5_3 = Rule::omitted(Clause::paragraph(5, 3))
        .summary("省略, content unknown: liability for change or termination is unspecified");

    // 第6条 提供情報
    R_6_1 = Rule::verbatim(Clause::paragraph(6, 1),
        "ＡＰＩサービスで提供される情報は、お客さまの照会操作時点で当組合のシステム上提供可能なものに限られます。当組合のインターネットバンキングまたは当組合所定のＡＰＩサービスのサービス時間帯以外であることその他の事情により、ＡＰＩ連携事業者が提供するサービスにおいて提供される情報は、最新の情報またはすべての情報を反映したものでないことがあります。")
        .codes("information_may_be_stale", "information_may_be_stale")
        .summary("information may not be the latest or complete (no liability rule here)");

    // 第7条 その他免責事項
    R_7 = Rule::omitted(Clause::article(7))
        .summary("other exemptions: 省略, content unknown: liability for the provider's service and stale information is unspecified");

    // 第8条 関係規定の適用・準用
    R_8 = Rule::omitted(Clause::article(8)).summary("省略, content unknown");

    // 第9条 サービス内容または規約の変更
    R_9_1_NOTICE = Rule::verbatim(Clause::paragraph(9, 1),
        "当組合は、ＡＰＩサービスまたは本ＡＰＩ利用規定の内容を、お客さまに事前に通知したうえで変更することがあります。")
        .codes("terms_change_with_notice", "terms_change_with_notice")
        .summary("terms change with prior notice");
    R_9_1_PUBLISH = Rule::verbatim(Clause::paragraph(9, 1),
        "変更日以降は変更後の内容に従い取り扱うこととします。かかる変更内容は、ウェブサイト上等当組合所定の方法によりお客さまに周知します。")
        .codes("terms_change_published", "terms_change_published")
        .summary("changes apply from their date and are published on the website or otherwise");
    R_9_1 = Rule::verbatim(Clause::paragraph(9, 1),
        "かかる変更により万一お客さまに損害が生じた場合でも、当組合は責任を負いません。")
        .codes("institution_exempt", "institution_exempt")
        .summary("terms change: institution not liable");

    GAP = Rule::gap();
}

const LIQUID: KindSet = kinds(&[AccountKind::Ordinary, AccountKind::Savings, AccountKind::Current, AccountKind::TaxReserve]);

/// 第4条第6項～第8項, shown only as 省略: where the answer on disclosed
/// information would be, if the text were published.
const ART_4_6_TO_8: &[RuleId] = &[R_4_6, R_4_7, R_4_8];

/// 第5条 (変更・取止め) and 第7条 (その他免責事項), shown only as 省略 but
/// for 5.2: where suspension, termination and pending cancellation would be
/// decided, if the text were published.
const ART_5_AND_7: &[RuleId] = &[R_5_1, R_5_3, R_7];

/// The parties of a liability answer.
const EVERY_PARTY: &[Party] = &[Party::Institution, Party::Provider, Party::ChainedProvider];

/// The text: who publishes it, and when it is in force.
const META: Meta = Meta {
    variant: "gunma-2023",
    institution: "gunma",
    institution_name: "群馬県信用組合",
    title: "ＡＰＩ利用規定",
    version: "2023-06-06",
    effective_from: "2023-06-06",
    effective_until: None,
};

/// The variant.
pub static POLICY: Policy = Policy {
    // `designated_providers` is not read: 1.2(2), where a designation would
    // be, is 省略, so the setting is refused (docs/readings.md, Settings).
    settings: &[SettingName::ReauthAfterDays],
    eligibility: &[
        Condition {
            fact: Fact::Any(&[
                Fact::InternetBankingContract,
                Fact::HoldsAccount { kinds: kinds(&[AccountKind::Ordinary, AccountKind::Savings]), needs: AccountNeeds::CashCard },
            ]),
            rule: R_1_2_1,
        },
        Condition { fact: Fact::Unknown, rule: R_1_2_2 },
        Condition { fact: Fact::All(&[Fact::AgreedToTerms, Fact::ApiAuthCompleted]), rule: R_1_2_3 },
        Condition { fact: Fact::ProviderContract, rule: R_2_3 },
    ],
    lapse: Some(R_5_2),
    accounts: Accounts {
        entries: &[
            AccountEntry::kind(AccountKind::Ordinary, ChannelSet::ALL, R_2_2_1),
            AccountEntry::kind(AccountKind::Savings, ChannelSet::ALL, R_2_2_2),
            AccountEntry::kind(AccountKind::CardLoan, ChannelSet::ALL, R_2_2_3),
            AccountEntry::kind(AccountKind::TaxReserve, ChannelSet::ALL, R_2_2_4),
            AccountEntry::kind(AccountKind::TimeDeposit, ChannelSet::ALL, R_2_2_5),
            AccountEntry::kind(AccountKind::Current, ChannelSet::ALL, R_2_2_6).needs(AccountNeeds::InternetBankingRegistered, R_2_2_6_IB),
        ],
        unlisted: R_2_2,
        notes: &[R_2_2_NOTE],
    },
    functions: Functions {
        entries: &[
            FunctionEntry::on(&[Function::AccountInfo], KindSet::ALL, R_2_1_1).no_account(R_2_1_1_NONE),
            FunctionEntry::on(&[Function::Balance, Function::Transactions], LIQUID, R_2_1_2).no_account(R_2_1_2_NONE),
            FunctionEntry::on(&[Function::Balance, Function::Transactions], kinds(&[AccountKind::TimeDeposit]), R_2_1_3),
        ],
        unlisted: R_2_1,
        uncovered: Some(R_2_1_LOAN),
    },
    window: Some(Window { test: WindowTest::EitherHours, rule: R_2_1_HOURS }),
    token: &[Period::new(SettingName::ReauthAfterDays, Clock::SinceAuthentication, R_4_1_START, R_4_1_PERIOD)],
    liability: &[
        // Every party's answer that would be in an article shown only as
        // 省略 cites that article (provenance `omitted`), never the gap rule.
        LiabilityEntry::new(LossEvent::CredentialMisuse, EVERY_PARTY, LiabilityRuling::Unspecified, &[R_4_3, R_4_4]),
        LiabilityEntry::new(LossEvent::DisclosedInfoMishandled, EVERY_PARTY, LiabilityRuling::Unspecified, ART_4_6_TO_8),
        LiabilityEntry::new(LossEvent::ProviderService, EVERY_PARTY, LiabilityRuling::Unspecified, &[R_7]),
        // 6.1 is published: information may be stale; who bears the loss is in 第7条
        LiabilityEntry::new(LossEvent::StaleInformation, EVERY_PARTY, LiabilityRuling::Unspecified, &[R_6_1, R_7]),
        LiabilityEntry::new(LossEvent::ServiceSuspension, EVERY_PARTY, LiabilityRuling::Unspecified, ART_5_AND_7),
        LiabilityEntry::new(LossEvent::ServiceTermination, EVERY_PARTY, LiabilityRuling::Unspecified, ART_5_AND_7),
        LiabilityEntry::institution(LossEvent::TermsChange, LiabilityRuling::NotLiable, &[R_9_1]),
        LiabilityEntry::new(LossEvent::PendingCancellation, EVERY_PARTY, LiabilityRuling::Unspecified, ART_5_AND_7),
    ],
    // Disclosure, its extension to chained providers and suspension would be
    // in articles shown only as 省略 (docs/readings.md, Incidents): `unspecified`,
    // citing them (provenance `omitted`), never the gap rule.
    disclosure: PermissionTable::omitted(ART_4_6_TO_8),
    chained_provision: ART_4_6_TO_8,
    suspension: PermissionTable::omitted(ART_5_AND_7),
    ..Policy::empty(META, RULES, GAP)
};

kitei_sdk::export_policy!(POLICY);

/// The sheet against its source text, the settings it refuses, and the
/// decisions no conformance scenario holds yet. The rest of what the rules
/// decide is checked by the conformance suite (`tests/conformance/*.json`,
/// docs/conformance.md).
#[cfg(test)]
mod tests {
    use super::*;
    use kitei_sdk::request::blank;
    use kitei_sdk::testing::account;
    use kitei_sdk::types::{Request, Settings};

    /// No IB contract; agreed, authenticated, an ordinary account with a cash card selected.
    fn ready() -> Request {
        let mut req = blank();
        req.consent = ConsentFlags::AGREED_TO_TERMS | ConsentFlags::API_AUTH_COMPLETED;
        req.provider = ProviderFlags::CONTRACT;
        req.accounts = vec![account(AccountKind::Ordinary, AccountFlags::CASH_CARD)];
        req.selected = vec![0];
        req
    }

    /// 1.2(1) read as "IB or a cash card": the IB contract alone suffices
    /// (the scenarios hold the cash card without IB, and neither).
    #[test]
    fn an_ib_contract_suffices_without_a_cash_card() {
        let engine = Engine::with_defaults(&POLICY);
        let mut req = ready();
        req.accounts = vec![account(AccountKind::Ordinary, AccountFlags::empty())];
        assert_eq!(engine.eligibility(&req).decision, Decision::Deny);
        req.customer = CustomerFlags::INTERNET_BANKING_CONTRACT;
        assert_eq!(engine.eligibility(&req).decision, Decision::Permit);
    }

    #[test]
    fn only_ordinary_or_savings_cash_cards_count() {
        let engine = Engine::with_defaults(&POLICY);
        let mut req = ready();
        req.accounts =
            vec![account(AccountKind::CardLoan, AccountFlags::CASH_CARD | AccountFlags::LOAN_CARD), account(AccountKind::Current, AccountFlags::CASH_CARD)];
        assert_eq!(engine.eligibility(&req).decision, Decision::Deny);
        req.accounts.push(account(AccountKind::Savings, AccountFlags::CASH_CARD));
        assert_eq!(engine.eligibility(&req).decision, Decision::Permit);
    }

    /// 2.1(2) 入出金明細 of any linked account, a tax reserve too.
    #[test]
    fn transactions_of_a_tax_reserve_are_offered() {
        let engine = Engine::with_defaults(&POLICY);
        let mut req = ready();
        req.accounts.push(account(AccountKind::TaxReserve, AccountFlags::empty()));
        req.selected = vec![1];
        req.function = Some(Function::Transactions.into());
        assert_eq!(engine.authorize(&req).decision, Decision::Permit);
    }

    #[test]
    fn losing_eligibility_ends_the_service() {
        let engine = Engine::with_defaults(&POLICY);
        let mut req = ready();
        req.function = Some(Function::Balance.into());
        req.accounts[0].flags = AccountFlags::empty();
        let a = engine.authorize(&req);
        assert_eq!(a.decision, Decision::Deny);
        assert!(a.reasons.iter().any(|r| r.rule == R_5_2.0 && !r.met));
        assert!(!POLICY.rules[R_5_2.0 as usize].text.contains("解約"));
    }

    #[test]
    fn designated_providers_is_refused() {
        let settings = Settings { designated_providers: Some(vec!["moneyforward".into()]), ..kitei_sdk::settings::defaults(&POLICY) };
        assert_eq!(Engine::new(&POLICY, settings).unwrap_err(), "setting `designated_providers` does not apply to gunma-2023");
    }

    /// The notice as received, header and all, kept beside this crate.
    const SOURCE: &str = include_str!("../source.txt");

    /// Every quoted text of the sheet (verbatim, interpreted, setting) is
    /// in `source.txt`, normalising only whitespace and widths.
    #[test]
    fn quoted_texts_are_in_the_source() {
        kitei_sdk::testing::assert_texts_in_source(&POLICY, SOURCE);
    }

    /// ... and in this variant's column: the new column (新) on each of the three
    /// pages, by line of the document (from 1). A text of the other column
    /// would pass the whole-document check but not this one.
    #[test]
    fn quoted_texts_are_in_the_column() {
        kitei_sdk::testing::assert_texts_in_lines(&POLICY, SOURCE, &[123..=211, 290..=372, 439..=497]);
    }

    /// The check fails on a one-character change of a real rule.
    #[test]
    fn a_one_character_change_is_caught() {
        kitei_sdk::testing::assert_one_character_change_is_caught(SOURCE, POLICY.rules[R_2_3.0 as usize]);
    }
}
