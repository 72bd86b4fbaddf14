//! 富山県信用組合 API利用規定 (2023年5月31日現在) — `toyama-2023`.
//!
//! Each rule below carries its clause and the sentence of the source
//! (`policy/toyama-2023/source.txt`) it rests on. Readings the text
//! does not state outright are marked `interpreted`, as docs/readings.md records.

use kitei_sdk::prelude::*;

kitei_sdk::rules! {
    // 第1条 APIサービス
    // 当組合所定の要件: the cash card is the text's example (…等), so the
    // rule as encoded (a cash card suffices) is our reading (docs/readings.md, Eligibility).
    R_1_2_1 = Rule::interpreted(Clause::item(1, 2, 1),
        "当組合とインターネットバンキングの利用に必要となる契約を締結している、または、当組合のキャッシュカードが発行されている等当組合所定の要件を満たす普通預金口座、貯蓄預金口座（以下、総称して「普通預金口座等」という）を保有していること。")
        .codes("internet_banking_or_eligible_account", "no_internet_banking_or_eligible_account")
        .summary("IB contract, or an ordinary/savings account with a cash card (当組合所定の要件 read as the cash card it names as an example: interpreted)");
    R_1_2_2 = Rule::verbatim(Clause::item(1, 2, 2),
        "当組合が指定するAPI連携事業者との間で、API連携事業者が提供するサービスの利用に必要となる契約を締結していること")
        .codes("designated_provider_contract", "no_designated_provider_contract")
        .summary("a contract with a provider the institution designates");
    R_1_2_2_SETTING = Rule::setting(Clause::item(1, 2, 2), "当組合が指定する")
        .codes("provider_in_operator_list", "provider_not_in_operator_list")
        .summary("which providers the credit union designates: the operator's `designated_providers`, when set (else the request's `provider.designated`)");
    R_1_2_3 = Rule::verbatim(Clause::item(1, 2, 3),
        "APIサービスの提供について、当組合が定める事項についての同意、API連携認証の完了その他当組合所定の手続を経ていること")
        .codes("terms_agreed_and_authenticated", "terms_or_authentication_missing")
        .summary("terms agreed and API連携認証 completed");

    // 第2条 APIサービスについて
    R_2_1 = Rule::verbatim(Clause::paragraph(2, 1),
        "APIサービスにおいて、当組合からAPI連携事業者に提供される情報は以下のものとします。")
        .codes("function_offered", "function_not_offered")
        .summary("only the listed information is offered");
    R_2_1_1 = Rule::verbatim(Clause::item(2, 1, 1), "お客様の口座情報")
        .codes("function_offered", "function_not_offered")
        .summary("account information on any linkable account");
    R_2_1_2 = Rule::verbatim(Clause::item(2, 1, 2), "お客様の流動性預金口座の残高、入出金明細")
        .codes("function_offered", "function_not_offered_for_account_kind")
        .summary("balance and transactions of liquid deposits");
    R_2_1_3 = Rule::interpreted(Clause::item(2, 1, 3), "お客様の定期預金の明細")
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
        "また、これらの情報が提供されるのは、当組合所定のAPIサービスのサービス時間帯に限られます。")
        .codes("within_service_hours", "outside_service_hours")
        .summary("only during the API service hours");
    R_2_2 = Rule::verbatim(Clause::paragraph(2, 2), "API連携事業者に連携する口座種類は以下のとおりです。")
        .codes("account_kind_linkable", "account_kind_not_linkable")
        .summary("only the listed account kinds link");
    R_2_2_NOTE = Rule::verbatim(Clause::paragraph(2, 2), "連携可能な口座はAPI連携事業者により異なります。")
        .codes("linkable_accounts_vary_by_provider", "linkable_accounts_vary_by_provider")
        .summary("linkable accounts also vary by provider");
    R_2_2_1 = Rule::verbatim(Clause::item(2, 2, 1), "普通預金")
        .codes("account_kind_linkable", "account_kind_not_linkable")
        .summary("ordinary: any channel");
    R_2_2_2 = Rule::verbatim(Clause::item(2, 2, 2), "貯蓄預金（金融機関APIのみ連携）")
        .codes("account_kind_linkable", "account_kind_not_linkable")
        .summary("savings: institution API only");
    R_2_2_3 = Rule::verbatim(Clause::item(2, 2, 3), "カードローン（金融機関APIのみ連携）")
        .codes("account_kind_linkable", "account_kind_not_linkable")
        .summary("card loan: institution API only");
    R_2_2_4 = Rule::verbatim(Clause::item(2, 2, 4), "納税準備預金（金融機関APIのみ連携）")
        .codes("account_kind_linkable", "account_kind_not_linkable")
        .summary("tax reserve: institution API only");
    R_2_2_5 = Rule::verbatim(Clause::item(2, 2, 5), "定期預金（金融機関APIのみ連携）")
        .codes("account_kind_linkable", "account_kind_not_linkable")
        .summary("time deposit: institution API only");
    R_2_2_6 = Rule::verbatim(Clause::item(2, 2, 6), "当座預金（ANSERAPIのみ連携）")
        .codes("account_kind_linkable", "account_kind_not_linkable")
        .summary("current: ANSER-API only");

    R_2_4 = Rule::setting(Clause::paragraph(2, 4),
        "APIサービスで提供するデータの提供期間は、当組合所定のものとしますが、API連携事業者が提供するサービスにより提供期間は変更されることがあります。")
        .codes("data_period_institution_determined", "data_period_institution_determined")
        .summary("describe: the data period is 当組合所定 (no decision reads it; the provider may change it)");

    // 第3条 利用手数料
    R_3_1 = Rule::verbatim(Clause::paragraph(3, 1), "APIサービスの利用にあたっては、当組合への追加料金の支払は発生しません。")
        .codes("no_additional_fee", "no_additional_fee")
        .summary("no additional fee");

    // 第4条 APIサービスの利用
    R_4_1 = Rule::verbatim(Clause::paragraph(4, 1),
        "また、ご利用から一定期間を超えた場合には、再度API連携認証を行う必要があります。")
        .codes("authentication_within_period", "reauthentication_required")
        .summary("re-authenticate after a period, per provider");
    R_4_1_START = Rule::reading_of(R_4_1)
        .codes("authentication_within_period", "reauthentication_required")
        .summary("the period counts from API連携認証 (ご利用から read as from the authentication: interpreted)");
    R_4_1_PERIOD = Rule::setting(Clause::paragraph(4, 1), "一定期間")
        .codes("reauth_period_set", "reauth_period_not_set")
        .summary("the period is 当組合所定: setting `reauth_after_days`");
    R_4_3 = Rule::verbatim(Clause::paragraph(4, 3),
        "前2項の方法による本人確認を行ったうえで取引をした場合、API連携事業者経由で連携されたサービスの認証情報につき不正使用その他の事故があっても当組合は当該取引を有効なものとして取り扱うものとし、万一これによってお客さまに損害が生じた場合でも、当組合の責めに帰すべき事由がある場合を除き当組合は責任を負いません。")
        .codes("institution_exempt", "exemption_excluded_institution_at_fault")
        .summary("credential misuse: institution not liable unless at fault");
    R_4_5 = Rule::verbatim(Clause::paragraph(4, 5),
        "お客さまは、接続事業者のサービス経由でAPIサービスをご利用いただく場合、当該API連携事業者のセキュリティレベルでの利用となることを了承するものとします。")
        .codes("provider_security_level_accepted", "provider_security_level_accepted")
        .summary("the customer accepts the provider's security level");
    R_4_6 = Rule::verbatim(Clause::paragraph(4, 6),
        "APIサービスの利用にあたり、以下の各号に該当する事象が発生した場合は、当組合は、当該API連携事業者と連携して情報収集にあたるため、必要に応じ、口座情報およびその他のお客さま情報をAPI連携事業者に対し開示することができるものとします。")
        .codes("disclosure_permitted", "disclosure_not_listed")
        .summary("disclosure to the provider for the listed events");
    R_4_6_ONLY = Rule::reading_of(R_4_6)
        .codes("disclosure_permitted", "disclosure_not_listed")
        .summary("events outside the list: not permitted (the list read as exhaustive, and no other clause consents: interpreted)");
    R_4_6_1 = Rule::verbatim(Clause::item(4, 6, 1), "お客さまの口座情報が外部に流出・漏洩した場合、またはそのおそれがある場合")
        .codes("disclosure_permitted", "disclosure_not_listed")
        .summary("leak: disclosure permitted");
    R_4_6_2 = Rule::verbatim(Clause::item(4, 6, 2), "不正利用が発生した場合、またはそのおそれがある場合")
        .codes("disclosure_permitted", "disclosure_not_listed")
        .summary("fraud: disclosure permitted");
    R_4_7 = Rule::verbatim(Clause::paragraph(4, 7),
        "前項により当組合が開示した情報において、API連携事業者による管理不十分、使用上の過誤、不正使用等により発生した損害または損失は、当API連携事業者が負うものとし、当組合は一切の責任を負うものではありません。")
        .codes("provider_bears_disclosed_info_loss", "provider_bears_disclosed_info_loss")
        .summary("mishandled disclosed information: provider liable, institution not");

    // 第5条 APIサービスの変更・取止め
    R_5_1 = Rule::verbatim(Clause::paragraph(5, 1),
        "APIサービスの変更・取止めの申し込みをされるお客さまは、お客さまがご契約されたAPI連携事業者が定める所定の方法により申し込むものとします。")
        .codes("stop_through_provider", "stop_through_provider")
        .summary("the customer stops the service through the provider");
    R_5_1_PENDING = Rule::verbatim(Clause::paragraph(5, 1),
        "APIサービスの変更・取止めは、お客様の申込みに従ってAPI連携事業者および当組合が必要な手続を行った後に完了します。")
        .codes("cancellation_completes_after_procedures", "cancellation_completes_after_procedures")
        .summary("a stop completes only after the provider's and the credit union's procedures; who bears a loss meanwhile is not said (pending cancellation: unspecified)");
    R_5_2 = Rule::verbatim(Clause::paragraph(5, 2),
        "お客さまが第1条第2項の利用資格を喪失したときは、APIサービスの提供について当然に取止めとなります。")
        .codes("service_continues", "service_ended_on_loss_of_eligibility")
        .summary("loss of eligibility ends the service");
    R_5_3 = Rule::verbatim(Clause::paragraph(5, 3),
        "当組合は、変更・取止めのためにお客さまに発生したすべての損害について、お客さまに対し、一切の責任を負うものではありません。")
        .codes("institution_exempt", "institution_exempt")
        .summary("change or termination: institution not liable");

    // 第6条 提供情報
    R_6_1 = Rule::verbatim(Clause::paragraph(6, 1),
        "APIサービスで提供される情報は、お客さまの照会操作時点で当組合のシステム上提供可能なものに限られます。当組合所定のAPIサービスのサービス時間帯以外であることその他の事情により、API連携事業者が提供するサービスにおいて提供される情報は、最新の情報またはすべての情報を反映したものでないことがあります。")
        .codes("information_may_be_stale", "information_may_be_stale")
        .summary("information may not be the latest or complete (the fact behind the stale-information exemption of 7.1 and 7.4)");

    // 第7条 その他免責事項
    R_7_1 = Rule::verbatim(Clause::paragraph(7, 1),
        "当組合は、API連携事業者が提供するサービスに関し、APIサービスとの連携が常時適切に行われること、お客さまの利用目的に適合すること、正確性、適格性、信頼性、適時性を有することの保証を行うものではありません。")
        .codes("no_warranty", "no_warranty")
        .summary("no warranty of the provider's service");
    R_7_2 = Rule::verbatim(Clause::paragraph(7, 2),
        "当組合は、API連携事業者が提供するサービスに起因してお客さまに発生したすべての損害について、お客さまに対し、一切の責任を負うものではありません。")
        .codes("institution_exempt", "institution_exempt")
        .summary("damage from the provider's service: institution not liable");
    R_7_3 = Rule::verbatim(Clause::paragraph(7, 3),
        "APIサービスに関する技術上の理由または当組合の業務上の理由もしくはセキュリティ、保守等の理由に基づき、お客さまに事前に通知することなく、APIサービスの全部または一部が一時的に制限、停止されることがあります。")
        .codes("suspension_permitted", "suspension_not_listed")
        .summary("temporary restriction or suspension for technical, business, security or maintenance reasons");
    R_7_3_I = Rule::reading_of(R_7_3)
        .codes("suspension_permitted", "suspension_not_listed")
        .summary("failures read as 技術上の理由, leaks/intrusions/fraud as セキュリティ (interpreted)");
    R_7_4 = Rule::verbatim(Clause::paragraph(7, 4), "前3項により生じた損害については、当組合は責任を負いません。")
        .codes("institution_exempt", "institution_exempt")
        .summary("damage under 7.1–7.3: institution not liable");

    // 第9条 サービス内容または規約の変更
    R_9_1_NOTICE = Rule::verbatim(Clause::paragraph(9, 1),
        "当組合は、APIサービスまたはAPI利用規定の内容を、お客さまに事前に通知したうえで変更することがあります。")
        .codes("terms_change_with_notice", "terms_change_with_notice")
        .summary("terms change with prior notice");
    R_9_1 = Rule::verbatim(Clause::paragraph(9, 1),
        "かかる変更により万一お客さまに損害が生じた場合でも、当組合は責任を負いません。")
        .codes("institution_exempt", "institution_exempt")
        .summary("terms change: institution not liable");

    GAP = Rule::gap();
}

const LIQUID: KindSet = kinds(&[AccountKind::Ordinary, AccountKind::Savings, AccountKind::Current, AccountKind::TaxReserve]);
const INSTITUTION_API: ChannelSet = ChannelSet::of(&[Channel::InstitutionApi]);
const ANSER_API: ChannelSet = ChannelSet::of(&[Channel::AnserApi]);

/// The text: who publishes it, and when it is in force.
const META: Meta = Meta {
    variant: "toyama-2023",
    institution: "toyama",
    institution_name: "富山県信用組合",
    title: "API利用規定",
    version: "2023-05-31",
    effective_from: "2023-05-31",
    effective_until: None,
};

/// The variant.
pub static POLICY: Policy = Policy {
    settings: &[SettingName::ReauthAfterDays, SettingName::DesignatedProviders],
    eligibility: &[
        Condition {
            fact: Fact::Any(&[
                Fact::InternetBankingContract,
                Fact::HoldsAccount { kinds: kinds(&[AccountKind::Ordinary, AccountKind::Savings]), needs: AccountNeeds::CashCard },
            ]),
            rule: R_1_2_1,
        },
        Condition { fact: Fact::All(&[Fact::ProviderContract, Fact::ProviderDesignated]), rule: R_1_2_2 },
        Condition { fact: Fact::All(&[Fact::AgreedToTerms, Fact::ApiAuthCompleted]), rule: R_1_2_3 },
    ],
    lapse: Some(R_5_2),
    accounts: Accounts {
        entries: &[
            AccountEntry::kind(AccountKind::Ordinary, ChannelSet::ALL, R_2_2_1),
            AccountEntry::kind(AccountKind::Savings, INSTITUTION_API, R_2_2_2),
            AccountEntry::kind(AccountKind::CardLoan, INSTITUTION_API, R_2_2_3),
            AccountEntry::kind(AccountKind::TaxReserve, INSTITUTION_API, R_2_2_4),
            AccountEntry::kind(AccountKind::TimeDeposit, INSTITUTION_API, R_2_2_5),
            AccountEntry::kind(AccountKind::Current, ANSER_API, R_2_2_6),
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
    window: Some(Window { test: WindowTest::ApiHours, rule: R_2_1_HOURS }),
    token: &[Period::new(SettingName::ReauthAfterDays, Clock::SinceAuthentication, R_4_1_START, R_4_1_PERIOD)],
    provider_setting: Some(R_1_2_2_SETTING),
    liability: &[
        LiabilityEntry::institution(LossEvent::CredentialMisuse, LiabilityRuling::NotLiable, &[R_4_3]).unless_at_fault(),
        LiabilityEntry::institution(LossEvent::DisclosedInfoMishandled, LiabilityRuling::NotLiable, &[R_4_7]),
        LiabilityEntry::new(LossEvent::DisclosedInfoMishandled, &[Party::Provider], LiabilityRuling::Liable, &[R_4_7]),
        LiabilityEntry::institution(LossEvent::ProviderService, LiabilityRuling::NotLiable, &[R_7_2]),
        LiabilityEntry::institution(LossEvent::StaleInformation, LiabilityRuling::NotLiable, &[R_6_1, R_7_1, R_7_4]),
        LiabilityEntry::institution(LossEvent::ServiceSuspension, LiabilityRuling::NotLiable, &[R_7_3, R_7_4]),
        LiabilityEntry::institution(LossEvent::ServiceTermination, LiabilityRuling::NotLiable, &[R_5_3]),
        LiabilityEntry::institution(LossEvent::TermsChange, LiabilityRuling::NotLiable, &[R_9_1]),
        LiabilityEntry::institution(LossEvent::PendingCancellation, LiabilityRuling::Unspecified, &[R_5_1_PENDING]),
    ],
    disclosure: PermissionTable {
        entries: &[PermissionEntry::permitted(&[IncidentKind::Leak], R_4_6_1), PermissionEntry::permitted(&[IncidentKind::Fraud], R_4_6_2)],
        otherwise: PermissionRuling::NotPermitted,
        otherwise_rule: R_4_6_ONLY,
        otherwise_also: &[],
    },
    suspension: PermissionTable {
        entries: &[
            PermissionEntry::permitted(&[IncidentKind::Maintenance], R_7_3),
            PermissionEntry::permitted(&[IncidentKind::SystemFailure, IncidentKind::Leak, IncidentKind::UnauthorizedAccess, IncidentKind::Fraud], R_7_3_I),
        ],
        otherwise: PermissionRuling::Unspecified,
        otherwise_rule: GAP,
        otherwise_also: &[],
    },
    ..Policy::empty(META, RULES, GAP)
};

kitei_sdk::export_policy!(POLICY);

/// The sheet against its source text, and the decision no conformance
/// scenario holds yet. The rest of what the rules decide is checked by the
/// conformance suite (`tests/conformance/*.json`, docs/conformance.md).
#[cfg(test)]
mod tests {
    use super::*;
    use kitei_sdk::request::blank;
    use kitei_sdk::testing::account;

    /// 1.2(1) as read: a savings account with a cash card makes a customer
    /// without IB eligible too (the scenarios hold an ordinary account).
    #[test]
    fn a_savings_account_with_a_cash_card_makes_eligible_without_ib() {
        let engine = Engine::with_defaults(&POLICY);
        let mut req = blank();
        req.provider = ProviderFlags::CONTRACT | ProviderFlags::DESIGNATED;
        req.consent = ConsentFlags::AGREED_TO_TERMS | ConsentFlags::API_AUTH_COMPLETED;
        req.accounts = vec![account(AccountKind::Savings, AccountFlags::CASH_CARD)];
        assert_eq!(engine.eligibility(&req).decision, Decision::Permit);
    }

    /// The text as received, header and all, kept beside this crate.
    const SOURCE: &str = include_str!("../source.txt");

    /// Every quoted text of the sheet (verbatim, interpreted, setting) is
    /// in `source.txt`, normalising only whitespace and widths.
    #[test]
    fn quoted_texts_are_in_the_source() {
        kitei_sdk::testing::assert_texts_in_source(&POLICY, SOURCE);
    }

    /// The check fails on a one-character change of a real rule (4.3's
    /// 責任を負いません made 責任を負います).
    #[test]
    fn a_one_character_change_is_caught() {
        kitei_sdk::testing::assert_one_character_change_is_caught(SOURCE, POLICY.rules[R_4_3.0 as usize]);
    }
}
