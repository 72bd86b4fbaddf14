//! ろうきん API連携サービス 利用規定 (99DG0020(1908)) — `rokin-2019`.
//!
//! Each rule below carries its clause and the sentence of the source
//! (`policy/rokin-2019/source.txt`) it rests on, with the
//! extraction's line breaks joined. Readings the text does not state outright
//! are marked `interpreted`; the 一定期間 of 4.1 and 4.2 are operator settings.
//!
//! Every exemption in this text names 当金庫および労働金庫連合会, so the
//! liability table rules for the federation beside the 金庫.

use kitei_sdk::prelude::*;

kitei_sdk::rules! {
    // 第1条 ろうきん API連携サービス
    R_1_2_1 = Rule::verbatim(Clause::item(1, 2, 1), "当金庫の普通預金口座等を保有していること。")
        .codes("holds_eligible_account", "no_eligible_account")
        .summary("holds a 普通預金口座等 (an account kind listed in 2.2, with a cash or loan card whose PIN is registered)");
    R_1_2_2 = Rule::verbatim(Clause::item(1, 2, 2),
        "当金庫が指定する API連携事業者との間で、API連携事業者が提供するサービスの利用に必要となる契約を締結していること。")
        .codes("designated_provider_contract", "no_designated_provider_contract")
        .summary("a contract with a provider the 金庫 designates");
    R_1_2_2_SETTING = Rule::setting(Clause::item(1, 2, 2), "当金庫が指定する")
        .codes("provider_in_operator_list", "provider_not_in_operator_list")
        .summary("which providers the 金庫 designates: the operator's `designated_providers`, when set (else the request's `provider.designated`)");
    R_1_2_3 = Rule::verbatim(Clause::item(1, 2, 3),
        "当金庫が定める事項についての同意、API連携認証（利用登録）の完了その他当金庫所定の手続きを経ていること。")
        .codes("terms_agreed_and_registered", "terms_or_registration_missing")
        .summary("terms agreed and 利用登録 completed (other 所定 procedures are not known to the module)");

    // 第2条 本サービスの内容
    R_2_1 = Rule::verbatim(Clause::paragraph(2, 1),
        "本サービスにおいて、当金庫から API 連携事業者に提供される機能は以下のものとします。")
        .codes("function_offered", "function_not_offered")
        .summary("only the listed functions are offered");
    R_2_1_1 = Rule::verbatim(Clause::item(2, 1, 1), "お客さまの口座の残高照会")
        .codes("function_offered", "function_not_offered")
        .summary("balance");
    R_2_1_2 = Rule::verbatim(Clause::item(2, 1, 2), "お客さまの口座の入出金明細照会")
        .codes("function_offered", "function_not_offered")
        .summary("transactions");
    R_2_1_1_NONE = Rule::verbatim_of(R_2_1_1)
        .codes("account_selected", "no_account_selected")
        .summary("balance is of an account: none selected, nothing to answer for");
    R_2_1_2_NONE = Rule::verbatim_of(R_2_1_2)
        .codes("account_selected", "no_account_selected")
        .summary("transactions are of an account: none selected, nothing to answer for");
    R_2_1_CHAINED = Rule::verbatim(Clause::paragraph(2, 1),
        "また、これらの機能により API連携事業者が取得した情報は、API連携事業者から連鎖接続先（お客さまが第三者のサービスを通じて API 連携事業者が提供するサービスを使用する場合の当該第三者をいいます。以下同じ。）に提供されることがあります。")
        .codes("chained_provision_permitted", "chained_provision_permitted")
        .summary("information obtained through these functions may be passed on to a chained provider (chained provision permitted; cited by authorize through a chained provider)");
    R_2_1_HOURS = Rule::verbatim(Clause::paragraph(2, 1),
        "なお、これらの機能が提供されるのは、本サービスのサービス時間帯に限られます。")
        .codes("within_service_hours", "outside_service_hours")
        .summary("only during the service's hours");
    R_2_2 = Rule::verbatim(Clause::paragraph(2, 2), "お客さまが API 連携事業者に連携できる口座種類は以下のとおりです。")
        .codes("account_kind_linkable", "account_kind_not_linkable")
        .summary("only the listed account kinds link");
    R_2_2_CARD = Rule::verbatim(Clause::paragraph(2, 2),
        "お客さまが当金庫に保有し、暗証番号を登録済みのキャッシュカード（またはローンカード）が発行されている口座が対象となります。")
        .codes("card_with_pin_issued", "no_card_with_pin")
        .summary("the account has a cash card (or loan card) issued with its PIN registered");
    R_2_2_1 = Rule::verbatim(Clause::item(2, 2, 1), "普通預金（総合口座の普通預金を含む。）")
        .codes("account_kind_linkable", "account_kind_not_linkable")
        .summary("ordinary, including the ordinary deposit of a 総合口座");
    R_2_2_2 = Rule::verbatim(Clause::item(2, 2, 2), "貯蓄預金")
        .codes("account_kind_linkable", "account_kind_not_linkable")
        .summary("savings");
    R_2_2_3 = Rule::verbatim(Clause::item(2, 2, 3), "カードローン")
        .codes("account_kind_linkable", "account_kind_not_linkable")
        .summary("card loan");

    R_2_4 = Rule::setting(Clause::paragraph(2, 4),
        "本サービスで提供する情報の提供期間は、当金庫所定のものとしますが、API連携事業者が提供するサービスにより提供期間は変更されることがあります。")
        .codes("data_period_institution_determined", "data_period_institution_determined")
        .summary("describe: the data period is 当金庫所定 (no decision reads it; the provider may change it)");

    // 第3条 利用手数料
    R_3_1 = Rule::verbatim(Clause::paragraph(3, 1),
        "本サービスは、無料でご利用いただけます。ただし、第１条第２項の本サービスの利用条件を充足するために必要となる費用（API連携事業者が提供するサービスの利用に必要となる通信料、各種料金等を含む。）の支払いが必要になる場合があります。")
        .codes("free_of_charge", "free_of_charge")
        .summary("free; costs of meeting the conditions (provider fees, communication) may apply");

    // 第4条 本サービスの利用
    R_4_1 = Rule::verbatim(Clause::paragraph(4, 1),
        "また、利用登録から一定期間を超えた場合には、利用登録を再度行う必要があります。")
        .codes("registration_within_period", "registration_expired")
        .summary("register again after a period from 利用登録");
    R_4_1_PERIOD = Rule::setting(Clause::paragraph(4, 1), "一定期間")
        .codes("registration_period_set", "registration_period_not_set")
        .summary("the period is not stated: setting `registration_valid_days`");
    R_4_2 = Rule::verbatim(Clause::paragraph(4, 2),
        "また、API 連携を許可してから一定期間を超えた場合には、再度 API連携の許可を行う必要があります。")
        .codes("permission_within_period", "permission_expired")
        .summary("permit the link again after a period; the permission is per account and per provider");
    R_4_2_PERIOD = Rule::setting(Clause::paragraph(4, 2), "一定期間")
        .codes("permission_period_set", "permission_period_not_set")
        .summary("the period is not stated: setting `permission_valid_days`");
    R_4_4 = Rule::verbatim(Clause::paragraph(4, 4),
        "前３項の方法による本人確認を行ったうえで取引をした場合、API連携事業者経由で連携されたサービスの認証情報につき不正使用その他の事故があっても当金庫は当該取引を有効なものとして取り扱うものとし、万一これによってお客さまに損害が生じた場合でも、当金庫の責めに帰すべき事由がある場合を除き当金庫および労働金庫連合会は責任を負いません。")
        .codes("exempt", "exemption_excluded_institution_at_fault")
        .summary("credential misuse: 金庫 and federation not liable unless the 金庫 is at fault");
    R_4_6 = Rule::verbatim(Clause::paragraph(4, 6),
        "本サービスの利用にあたり、以下に定める場合には、当金庫は API 連携事業者と連携して情報収集を行うため、必要に応じてお客さまの口座情報その他のお客さまに関する情報（以下、総称して「お客さま情報」といいます。）を API連携事業者に提供することができるものとします。")
        .codes("disclosure_permitted", "disclosure_not_listed")
        .summary("disclosure to the provider only for the listed events");
    R_4_6_1 = Rule::verbatim(Clause::item(4, 6, 1), "お客さま情報が外部に流出、漏洩した場合、またはそのおそれがある場合")
        .codes("disclosure_permitted", "disclosure_not_listed")
        .summary("leak: disclosure permitted");
    R_4_6_2 = Rule::verbatim(Clause::item(4, 6, 2), "不正アクセスが発生した場合、またはそのおそれがある場合")
        .codes("disclosure_permitted", "disclosure_not_listed")
        .summary("unauthorized access: disclosure permitted");
    R_4_6_3 = Rule::verbatim(Clause::item(4, 6, 3), "不正利用が発生した場合、またはそのおそれがある場合")
        .codes("disclosure_permitted", "disclosure_not_listed")
        .summary("fraud: disclosure permitted");
    R_4_6_4 = Rule::verbatim(Clause::item(4, 6, 4), "システム障害が発生した場合")
        .codes("disclosure_permitted", "disclosure_not_listed")
        .summary("system failure: disclosure permitted");
    R_4_7 = Rule::verbatim(Clause::paragraph(4, 7),
        "前項により当金庫が開示した情報において、API連携事業者の不十分な管理、使用上の過誤、不正使用等により発生した損害または損失は、当該 API 連携事業者が責任を負うものとし、当金庫および労働金庫連合会は一切の責任を負うものではありません。")
        .codes("provider_bears_disclosed_info_loss", "provider_bears_disclosed_info_loss")
        .summary("mishandled disclosed information: provider liable, 金庫 and federation not");
    R_4_8 = Rule::verbatim(Clause::paragraph(4, 8),
        "第６項および第７項は API 連携事業者が連鎖接続先にお客さま情報を提供する場合も同様とします。")
        .codes("chained_disclosure_permitted", "chained_disclosure_not_listed")
        .summary("4.6 extends to the provider passing the information to a chained provider");
    R_4_8_I = Rule::reading_of(R_4_8)
        .codes("chained_provider_bears_disclosed_info_loss", "chained_provider_bears_disclosed_info_loss")
        .summary("4.7 applied to a chained provider: it bears losses from its own mishandling (interpreted: 同様とします)");

    // 第5条 本サービスの停止
    R_5_1 = Rule::verbatim(Clause::paragraph(5, 1),
        "お客さまが本サービスの停止を希望される場合は、お客さま自らが、API連携事業者に対し、API連携事業者が提供するサービスの利用契約の解約または利用停止の手続きを行うものとします。")
        .codes("stop_through_provider", "stop_through_provider")
        .summary("the customer stops the service through the provider");
    R_5_1_PENDING = Rule::verbatim(Clause::paragraph(5, 1),
        "この場合において、当金庫が当金庫所定の方法により API 連携事業者が提供するサービスの利用契約の解約または利用停止を確認するまでの間、当金庫は、API連携事業者が提供するサービスの利用が有効に存続しているものとみなして本サービスの提供を継続することができるものとし、これによりお客さまに発生した損害について､当金庫および労働金庫連合会は責任を負いません。")
        .codes("exempt", "exempt")
        .summary("service continues until the 金庫 confirms the cancellation; 金庫 and federation not liable");
    R_5_2 = Rule::verbatim(Clause::paragraph(5, 2),
        "本サービスに利用登録している口座が解約されまたは利用停止となった場合は、本サービスも当然に停止するものとします。")
        .codes("service_stops_with_account", "service_stops_with_account")
        .summary("closing or suspending the registered account stops the service (describe only: requests carry no closed account)");
    R_5_3 = Rule::verbatim(Clause::paragraph(5, 3),
        "当金庫および労働金庫連合会は、本サービスの停止のためにお客さまに発生したすべての損害について、お客さまに対し、一切の責任を負うものではありません。")
        .codes("exempt", "exempt")
        .summary("stop of the service: 金庫 and federation not liable");

    // 第6条 提供情報
    R_6_2 = Rule::verbatim(Clause::paragraph(6, 2),
        "当金庫および労働金庫連合会は、本サービスで当金庫が API 連携事業者に提供する情報および API 連携事業者が提供するサービスにおいて提供される情報が、最新の情報またはすべての情報でないことによりお客さまに発生したすべての損害について、お客さまに対し、一切の責任を負うものではありません。")
        .codes("exempt", "exempt")
        .summary("information not latest or not complete: 金庫 and federation not liable");

    // 第7条 その他免責事項
    R_7_1 = Rule::verbatim(Clause::paragraph(7, 1),
        "当金庫および労働金庫連合会は、API連携事業者が提供するサービスに関し、本サービスとの API 連携が常時適切に行われること、お客さまの利用目的に適合すること、正確性、適格性、信頼性、適時性を有すること、API連携事業者のシステム管理態勢その他のセキュリティレベル、顧客保護態勢、信用性等が十分であること､第三者の権利を侵害していないことの保証を行うものではなく、API連携事業者が提供するサービスがこれらを充足しないことによりお客さまに発生したすべての損害について、お客さまに対し、一切の責任を負うものではありません。")
        .codes("exempt", "exempt")
        .summary("no warranty of the provider's service: 金庫 and federation not liable");
    R_7_2 = Rule::verbatim(Clause::paragraph(7, 2),
        "当金庫および労働金庫連合会は、API連携事業者が提供するサービスを利用したことまたは利用できなかったことに起因してお客さまに発生したすべての損害について、お客さまに対し、一切の責任を負うものではありません。")
        .codes("exempt", "exempt")
        .summary("using or being unable to use the provider's service: 金庫 and federation not liable");
    R_7_3 = Rule::verbatim(Clause::paragraph(7, 3),
        "本サービスに関する技術上の理由、当金庫もしくは労働金庫連合会の業務上の理由、セキュリティ、保守上の理由その他やむを得ない理由に基づき、お客さまに事前に通知することなく、本サービスの全部または一部が一時的に制限され、停止しまたは終了することがあります。")
        .codes("suspension_permitted", "suspension_not_listed")
        .summary("maintenance: temporary restriction or stop without notice (保守上の理由)");
    R_7_3_I = Rule::reading_of(R_7_3)
        .codes("suspension_permitted", "suspension_not_listed")
        .summary("system failure read as 技術上の理由; leak, unauthorized access and fraud read as セキュリティ (interpreted)");
    R_7_3_LIAB = Rule::verbatim(Clause::paragraph(7, 3),
        "当金庫および労働金庫連合会は、これによりお客さまに発生したすべての損害について、お客さまに対し、一切の責任を負うものではありません。")
        .codes("exempt", "exempt")
        .summary("temporary restriction or suspension: 金庫 and federation not liable");
    R_7_4 = Rule::verbatim(Clause::paragraph(7, 4),
        "当金庫は、当金庫または労働金庫連合会がやむを得ない事由により必要と判断した場合は、お客さまの意思によらず、本サービスの全部または一部を停止または終了することができるものとします。")
        .codes("suspension_permitted", "suspension_not_listed")
        .summary("unavoidable reasons: stop or end the service without the customer's instruction");
    R_7_4_LIAB = Rule::verbatim(Clause::paragraph(7, 4),
        "当金庫および労働金庫連合会は、これによりお客さまに発生したすべての損害について、お客さまに対し、一切の責任を負うものではありません。")
        .codes("exempt", "exempt")
        .summary("stop or end for unavoidable reasons: 金庫 and federation not liable");
    R_7_4_I = Rule::reading_of(R_7_4)
        .codes("suspension_permitted", "suspension_not_listed")
        .summary("end of the contract with the provider read as a やむを得ない事由 (interpreted: the text names no such ground; without it the provider is no longer 当金庫と提携する (1.1) nor 当金庫が指定する (1.2(2)), and the stop is permanent, so 7.4 rather than the temporary 7.3)");

    // 第8条 情報開示等にかかる同意
    R_8 = Rule::verbatim(Clause::paragraph(8, 1),
        "お客さまは、本サービスの利用に関連して、お客さま情報が API 連携事業者に開示・提供されることについて、あらかじめ同意するものとします。")
        .codes("disclosure_consented", "disclosure_not_consented")
        .summary("the customer consents in advance to customer information being disclosed to providers");
    R_8_I = Rule::reading_of(R_8)
        .codes("disclosure_consented", "disclosure_not_consented")
        .summary("events outside 4.6's list: disclosure to the provider permitted by the blanket prior consent (interpreted; it names the provider, not chained providers)");

    // 第10条 サービス内容または利用規定の変更
    R_10 = Rule::verbatim(Clause::paragraph(10, 1),
        "当金庫は、法令の変更、監督官庁の指示、その他必要が生じたときに、本サービスまたは本利用規定の内容を変更することがあります。変更内容については、当金庫ホームページその他相当の方法で公表するものとし、変更日以降は変更後の内容に従い取り扱うこととします。")
        .codes("terms_change_published", "terms_change_published")
        .summary("changes are published on the website and apply from the change date");
    R_10_LIAB = Rule::verbatim(Clause::paragraph(10, 1),
        "かかる変更により万一お客さまに損害が生じた場合でも、当金庫および労働金庫連合会は責任を負いません。")
        .codes("exempt", "exempt")
        .summary("change of the service or terms: 金庫 and federation not liable");

    // 第11条 譲渡・質入等の禁止
    R_11 = Rule::verbatim(Clause::paragraph(11, 1),
        "本サービスに基づくお客さまの権利は、譲渡・質入れ、または第三者への貸与はできません。")
        .codes("rights_not_transferable", "rights_not_transferable")
        .summary("the customer's rights cannot be transferred, pledged or lent");

    // 第12条 準拠法・合意管轄
    // 99DG0020(1908): the form number, the only date the document bears
    R_FORM = Rule::interpreted(Clause::section("99DG0020(1908)"), "99DG0020(1908)")
        .codes("effective_date_read_from_form_number", "effective_date_read_from_form_number")
        .summary("describe: the effective date 2019-08-01 is a reading: the form number's (1908) gives the month only (2019-08), the text bears no date");

    R_12 = Rule::verbatim(Clause::paragraph(12, 1),
        "本規定の契約準拠法は日本法とします。本サービスに関する訴訟については、当金庫本店の所在地を管轄する地方裁判所を第一審の専属的合意管轄裁判所とします。")
        .codes("japanese_law_head_office_court", "japanese_law_head_office_court")
        .summary("Japanese law; the district court of the head office has exclusive first-instance jurisdiction");

    GAP = Rule::gap();
}

/// 普通預金口座等: the kinds 2.2 lists.
const LINKABLE: KindSet = kinds(&[AccountKind::Ordinary, AccountKind::Savings, AccountKind::CardLoan]);

/// 1.2(1) read through its definition (第２条第２項に掲げるもの): a listed kind with a card and PIN.
const HOLDS_CARD_ACCOUNT: Fact = Fact::HoldsAccount { kinds: LINKABLE, needs: AccountNeeds::CardWithPin };

/// 当金庫および労働金庫連合会: every exemption of this text names both.
const KINKO_AND_FEDERATION: &[Party] = &[Party::Institution, Party::Federation];

/// The text: who publishes it, and when it is in force.
const META: Meta = Meta {
    variant: "rokin-2019",
    institution: "rokin",
    institution_name: "ろうきん（労働金庫）",
    title: "ろうきん API連携サービス 利用規定",
    version: "2019-08",
    effective_from: "2019-08-01",
    effective_until: None,
};

/// The variant.
pub static POLICY: Policy = Policy {
    settings: &[SettingName::RegistrationValidDays, SettingName::PermissionValidDays, SettingName::DesignatedProviders],
    parties: &[Party::Institution, Party::Federation, Party::Provider, Party::ChainedProvider],
    eligibility: &[
        Condition { fact: HOLDS_CARD_ACCOUNT, rule: R_1_2_1 },
        Condition { fact: HOLDS_CARD_ACCOUNT, rule: R_2_2_CARD },
        Condition { fact: Fact::All(&[Fact::ProviderContract, Fact::ProviderDesignated]), rule: R_1_2_2 },
        Condition { fact: Fact::All(&[Fact::AgreedToTerms, Fact::ApiAuthCompleted]), rule: R_1_2_3 },
    ],
    // 5.2 stops the service when the registered account is closed or
    // suspended; that is not loss of the 1.2 conditions in general, so it is
    // not cited as `lapse` for every failed eligibility (describe only).
    lapse: None,
    accounts: Accounts {
        entries: &[
            AccountEntry::kind(AccountKind::Ordinary, ChannelSet::ALL, R_2_2_1).needs(AccountNeeds::CardWithPin, R_2_2_CARD),
            AccountEntry::kind(AccountKind::Savings, ChannelSet::ALL, R_2_2_2).needs(AccountNeeds::CardWithPin, R_2_2_CARD),
            AccountEntry::kind(AccountKind::CardLoan, ChannelSet::ALL, R_2_2_3).needs(AccountNeeds::CardWithPin, R_2_2_CARD),
        ],
        unlisted: R_2_2,
        notes: &[],
    },
    functions: Functions {
        entries: &[
            FunctionEntry::on(&[Function::Balance], KindSet::ALL, R_2_1_1).no_account(R_2_1_1_NONE),
            FunctionEntry::on(&[Function::Transactions], KindSet::ALL, R_2_1_2).no_account(R_2_1_2_NONE),
        ],
        unlisted: R_2_1,
        uncovered: None,
    },
    window: Some(Window { test: WindowTest::ApiHours, rule: R_2_1_HOURS }),
    token: &[
        Period::new(SettingName::RegistrationValidDays, Clock::SinceRegistration, R_4_1, R_4_1_PERIOD),
        Period::new(SettingName::PermissionValidDays, Clock::SinceAuthentication, R_4_2, R_4_2_PERIOD),
    ],
    liability: &[
        LiabilityEntry::new(LossEvent::CredentialMisuse, KINKO_AND_FEDERATION, LiabilityRuling::NotLiable, &[R_4_4]).unless_at_fault(),
        LiabilityEntry::new(LossEvent::DisclosedInfoMishandled, KINKO_AND_FEDERATION, LiabilityRuling::NotLiable, &[R_4_7]),
        LiabilityEntry::new(LossEvent::DisclosedInfoMishandled, &[Party::Provider], LiabilityRuling::Liable, &[R_4_7]),
        LiabilityEntry::new(LossEvent::DisclosedInfoMishandled, &[Party::ChainedProvider], LiabilityRuling::Liable, &[R_4_7, R_4_8_I]),
        LiabilityEntry::new(LossEvent::ProviderService, KINKO_AND_FEDERATION, LiabilityRuling::NotLiable, &[R_7_1, R_7_2]),
        LiabilityEntry::new(LossEvent::StaleInformation, KINKO_AND_FEDERATION, LiabilityRuling::NotLiable, &[R_6_2]),
        LiabilityEntry::new(LossEvent::ServiceSuspension, KINKO_AND_FEDERATION, LiabilityRuling::NotLiable, &[R_7_3_LIAB]),
        // an end of the service, at the customer's wish (5.3) or the 金庫's (7.3, 7.4)
        LiabilityEntry::new(LossEvent::ServiceTermination, KINKO_AND_FEDERATION, LiabilityRuling::NotLiable, &[R_5_3, R_7_3_LIAB, R_7_4_LIAB]),
        LiabilityEntry::new(LossEvent::TermsChange, KINKO_AND_FEDERATION, LiabilityRuling::NotLiable, &[R_10_LIAB]),
        LiabilityEntry::new(LossEvent::PendingCancellation, KINKO_AND_FEDERATION, LiabilityRuling::NotLiable, &[R_5_1_PENDING]),
    ],
    disclosure: PermissionTable {
        entries: &[
            PermissionEntry::permitted(&[IncidentKind::Leak], R_4_6_1).also(R_8),
            PermissionEntry::permitted(&[IncidentKind::UnauthorizedAccess], R_4_6_2).also(R_8),
            PermissionEntry::permitted(&[IncidentKind::Fraud], R_4_6_3).also(R_8),
            PermissionEntry::permitted(&[IncidentKind::SystemFailure], R_4_6_4).also(R_8),
        ],
        // 第8条: a blanket prior consent to disclosure to providers
        otherwise: PermissionRuling::Permitted,
        otherwise_rule: R_8_I,
        otherwise_also: &[],
    },
    chained: Some(R_4_8),
    provider_setting: Some(R_1_2_2_SETTING),
    chained_provision: &[R_2_1_CHAINED],
    suspension: PermissionTable {
        entries: &[
            PermissionEntry::permitted(&[IncidentKind::Maintenance], R_7_3),
            PermissionEntry::permitted(&[IncidentKind::SystemFailure, IncidentKind::Leak, IncidentKind::UnauthorizedAccess, IncidentKind::Fraud], R_7_3_I),
            PermissionEntry::permitted(&[IncidentKind::Unavoidable], R_7_4),
            PermissionEntry::permitted(&[IncidentKind::ProviderContractTerminated], R_7_4_I),
        ],
        otherwise: PermissionRuling::Unspecified,
        otherwise_rule: GAP,
        otherwise_also: &[],
    },
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
    use kitei_sdk::testing::{account, jst, no_settings, unmet_codes};
    use kitei_sdk::types::{Request, Settings};

    const DAY: i64 = 86_400;

    fn eligible() -> Request {
        let mut req = blank();
        req.provider = ProviderFlags::CONTRACT | ProviderFlags::DESIGNATED;
        req.consent = ConsentFlags::AGREED_TO_TERMS | ConsentFlags::API_AUTH_COMPLETED;
        req.accounts = vec![account(AccountKind::Ordinary, AccountFlags::CASH_CARD | AccountFlags::PIN_REGISTERED)];
        req.selected = vec![0];
        req
    }

    /// Every rule of the sheet is used by a table or is a describe-only term.
    #[test]
    fn every_rule_is_used_or_describe_only() {
        let used = POLICY.referenced();
        // R_4_6: the lead sentence of the list; each event cites its item
        let describe_only = [R_2_4, R_3_1, R_4_6, R_5_1, R_5_2, R_10, R_11, R_FORM, R_12];
        for (i, rule) in POLICY.rules.iter().enumerate() {
            let id = RuleId(i as u16);
            assert!(used.contains(&id) || describe_only.contains(&id), "rule {} is unused", rule.clause.cite());
        }
    }

    /// A time deposit is not a 普通預金口座等, card or not (the scenarios
    /// hold a PIN missing and a card loan with its loan card).
    #[test]
    fn a_time_deposit_with_a_card_is_not_an_eligible_account() {
        let engine = Engine::with_defaults(&POLICY);
        let mut req = eligible();
        req.accounts = vec![account(AccountKind::TimeDeposit, AccountFlags::CASH_CARD | AccountFlags::PIN_REGISTERED)];
        assert_eq!(engine.eligibility(&req).decision, Decision::Deny);
    }

    /// The token answer names the end of the shorter period, and past both
    /// names both (the scenarios hold each period lapsing alone).
    #[test]
    fn the_token_expires_with_the_shorter_period() {
        let settings = Settings { registration_valid_days: Some(90), permission_valid_days: Some(30), ..no_settings() };
        let engine = Engine::new(&POLICY, settings).unwrap();
        let mut req = eligible();
        req.authenticated_at = Some(jst(0));
        req.at = jst(29 * DAY);
        assert_eq!(engine.token(&req).expires_at, Some(jst(30 * DAY)));
        req.at = jst(90 * DAY);
        assert_eq!(unmet_codes(&POLICY, &engine.token(&req).reasons), ["registration_expired", "permission_expired"]);
        // registered on day 0, permitted again on day 80: the registration's end
        req.registered_at = Some(jst(0));
        req.authenticated_at = Some(jst(80 * DAY));
        req.at = jst(95 * DAY);
        assert_eq!(engine.token(&req).expires_at, Some(jst(90 * DAY)));
        // without registered_at, the registration counts from authenticated_at (api.md)
        req.registered_at = None;
        req.authenticated_at = Some(jst(0));
        req.at = jst(29 * DAY);
        assert_eq!(engine.token(&req).status, TokenStatus::Valid);
    }

    /// Without the periods the token is unspecified with no end; with one
    /// set, it stays unspecified while that one runs and expires after it.
    #[test]
    fn one_period_set_leaves_the_token_unspecified_until_it_ends() {
        let engine = Engine::with_defaults(&POLICY);
        let mut req = eligible();
        req.authenticated_at = Some(jst(0));
        req.at = jst(3000 * DAY);
        assert_eq!(engine.token(&req).expires_at, None);
        let settings = Settings { registration_valid_days: Some(90), ..no_settings() };
        let engine = Engine::new(&POLICY, settings).unwrap();
        req.at = jst(10 * DAY);
        assert_eq!(engine.token(&req).status, TokenStatus::Unspecified);
        req.at = jst(91 * DAY);
        assert_eq!(engine.token(&req).status, TokenStatus::Expired);
    }

    #[test]
    fn settings_of_other_variants_are_refused() {
        let settings = Settings { reauth_after_days: Some(90), ..no_settings() };
        assert_eq!(Engine::new(&POLICY, settings).unwrap_err(), "setting `reauth_after_days` does not apply to rokin-2019");
    }

    /// The text as received, header and all, kept beside this crate.
    const SOURCE: &str = include_str!("../source.txt");

    /// Every quoted text of the sheet (verbatim, interpreted, setting) is
    /// in `source.txt`, normalising only whitespace and widths.
    #[test]
    fn quoted_texts_are_in_the_source() {
        kitei_sdk::testing::assert_texts_in_source(&POLICY, SOURCE);
    }
}
