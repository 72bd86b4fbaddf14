//! 口座連携サービス利用規定 (2020年8月21日改定) of a bank calling itself 当社 — `koza-renkei-2020`.
//!
//! Each rule below carries its clause and the sentence of the source
//! (`policy/koza-renkei-2020/source.txt`, extraction line breaks joined)
//! it rests on. Readings the text does not state outright are marked
//! `interpreted`; the 所定 period of 第4条 (一定期間) is a `setting`.
//!
//! Unlike the credit-union texts, this 規定 offers update functions (振込,
//! 口座振替) and makes every function depend on what the customer authorized
//! (認可) — 第3条第1項 for information, 第3条第2項 for transactions.

use kitei_sdk::prelude::*;

kitei_sdk::rules! {
    // 第1条 口座連携サービス
    R_1_1 = Rule::verbatim(Clause::paragraph(1, 1),
        "「口座連携サービス」とは、当社がお客さまの同意に基づき、お客さまと当社のお取引きに関する情報を当社システムと当社が提供したAPI（Application Programming Interface）を使用して接続（以下、「API接続」といいます。）して各種のサービスを提供する事業者（以下「外部サービス事業者」といいます。）に提供し、もしくはお客さまの取引指示を外部サービス事業者を通じて当社に伝達することが可能になるサービスです。")
        .codes("customer_consent_given", "customer_consent_missing")
        .summary("the service rests on the customer's consent");
    R_1_2 = Rule::verbatim(Clause::paragraph(1, 2),
        "前項において、外部サービス事業者が提供するサービス（以下、「連携先サービス」といいます。）は外部サービス事業者の責任で提供されるサービスであり、当社が提供するものではありません。なお、連携先サービスは、お客さまが、自らの責任において外部サービス事業者との間で契約を締結するものとします。また、お客さまが第三者のサービスを通じて連携先サービスを使用する場合の当該第三者（以下、「連鎖接続先」といいます。）のサービスについてもお客さまが自らの責任において連鎖接続先との契約を締結するものとします。")
        .codes("provider_service_is_providers", "provider_service_is_providers")
        .summary("describe: the provider's (and chained provider's) service is theirs, contracted by the customer at the customer's own responsibility");

    // 第2条 口座連携サービスの利用
    R_2_1_REGISTRATION = Rule::verbatim(Clause::paragraph(2, 1),
        "口座連携サービスの利用にあたっては、当社ダイレクトバンキングサービスのご利用開始登録が必要です。")
        .codes("direct_banking_registered", "direct_banking_not_registered")
        .summary("direct banking registration required");
    R_2_1_AUTH = Rule::verbatim(Clause::paragraph(2, 1),
        "また、お客さまが連携先サービスを通じてダイレクトバンキングサービスにアクセスし、ログオンID・ログオンパスワードを入力し、当社所定の本人確認および口座連携サービスの認証手続きをした場合、当社は外部サービス事業者に口座連携サービスにかかる認証情報を交付します。")
        .codes("api_auth_completed", "api_auth_missing")
        .summary("authentication procedure through the provider completed (logon ID/password and identity check)");
    R_2_2 = Rule::verbatim(Clause::paragraph(2, 2),
        "当社は、前項の認証手続き以降、外部サービス事業者から口座連携サービスにかかる認証情報の連携があった場合、当該認証情報の連携によって第3条に定める情報の提供や、連携先サービスを通じたお客さまからの取引指示について、お客さまの指示があったものとみなします。")
        .codes("deemed_customer_instruction", "deemed_customer_instruction")
        .summary("describe: after authentication, requests carrying the credentials are deemed the customer's instructions");
    R_2_3 = Rule::verbatim(Clause::paragraph(2, 3),
        "連携先サービスや連鎖接続先のサービスに使用するID・パスワード等の認証情報は、お客さまの責任で厳重に管理し、他人に教えたり、紛失・盗難に遭ったりしないよう十分に注意してください。")
        .codes("customer_manages_credentials", "customer_manages_credentials")
        .summary("describe: the customer keeps the provider-side credentials safe");

    // 第3条 外部サービス事業者との関係
    R_3_1 = Rule::verbatim(Clause::paragraph(3, 1),
        "お客さまが第2条第1項所定の認証手続きを行った場合、当社は、下記に定める情報のうち、お客さまが認可した情報を外部サービス事業者に提供します。")
        .codes("function_offered", "function_not_offered")
        .summary("only the information of 3.1 and the transactions of 3.2 are offered");
    R_3_1_AUTHORIZED = Rule::verbatim_of(R_3_1)
        .codes("function_authorized_by_customer", "function_not_authorized_by_customer")
        .summary("information is provided only where the customer authorized it (認可した情報)");
    R_3_1_NEEDED = Rule::verbatim(Clause::paragraph(3, 1),
        "ただし、当社は、お客さまが認可した情報のうち、外部サービス事業者が連携先サービスを提供するのに必要な情報のみ外部サービス事業者に提供します。")
        .codes("only_necessary_information", "only_necessary_information")
        .summary("describe: of the authorized information, only what the provider needs is provided (not a request fact, not checked)");
    R_3_1_CHAINED = Rule::verbatim(Clause::paragraph(3, 1),
        "なお、これらの情報は、外部サービス事業者が連鎖接続先に提供することがあります。")
        .codes("chained_provision_permitted", "chained_provision_permitted")
        .summary("the provider may pass the information on to chained providers (chained provision permitted; cited by authorize through a chained provider)");
    R_3_1_KINDS = Rule::verbatim_of(R_3_1_1)
        .codes("account_kind_linkable", "account_kind_not_linkable")
        .summary("linkable kinds: ordinary, time deposit, card loan (balance, 3.1(1))");
    R_3_1_KINDS_2 = Rule::verbatim_of(R_3_1_2)
        .codes("account_kind_linkable", "account_kind_not_linkable")
        .summary("the same three kinds for transactions (3.1(2)); cited beside 3.1(1) on every linkable account");
    R_3_1_1 = Rule::verbatim(Clause::item(3, 1, 1), "口座残高（普通預金・定期預金・カードローン）に関する情報")
        .codes("function_offered", "function_not_offered_for_account_kind")
        .summary("balance of ordinary, time deposit and card loan accounts");
    R_3_1_2 = Rule::verbatim(Clause::item(3, 1, 2), "お取引明細（普通預金・定期預金・カードローン）に関する情報")
        .codes("function_offered", "function_not_offered_for_account_kind")
        .summary("transactions of ordinary, time deposit and card loan accounts");
    R_3_1_1_NONE = Rule::verbatim_of(R_3_1_1)
        .codes("account_selected", "no_account_selected")
        .summary("balance is of an account: none selected, nothing to answer for");
    R_3_1_2_NONE = Rule::verbatim_of(R_3_1_2)
        .codes("account_selected", "no_account_selected")
        .summary("transactions are of an account: none selected, nothing to answer for");
    R_3_1_3 = Rule::verbatim(Clause::item(3, 1, 3), "登録済の振込先に関する情報")
        .codes("function_offered", "function_not_offered")
        .summary("registered payees: customer-level, no account");
    R_3_2_AUTHORIZED = Rule::verbatim(Clause::paragraph(3, 2),
        "口座連携サービスにおいて、第2条第1項所定の認証手続きを行った場合、お客さまは連携先サービスを通じて、以下に定めるお取引きのうち、お客さまが認可したお取引きを当社に指示することができます。")
        .codes("function_authorized_by_customer", "function_not_authorized_by_customer")
        .summary("transactions may be instructed only where the customer authorized them (認可したお取引き)");
    R_3_2_1 = Rule::verbatim(Clause::item(3, 2, 1), "振込")
        .codes("function_offered", "function_not_offered")
        .summary("transfer from a linked account (3.2 names no account kind)");
    R_3_2_1_NONE = Rule::verbatim_of(R_3_2_1)
        .codes("account_selected", "no_account_selected")
        .summary("a transfer moves money from an account: none selected, nothing to instruct");
    R_3_2_2 = Rule::verbatim(Clause::item(3, 2, 2), "口座振替に関するお申込み")
        .codes("function_offered", "function_not_offered")
        .summary("direct debit application for a linked account (3.2 names no account kind)");
    R_3_2_2_NONE = Rule::verbatim_of(R_3_2_2)
        .codes("account_selected", "no_account_selected")
        .summary("a direct debit is applied for on an account: none selected, nothing to instruct");
    R_3_2_3 = Rule::verbatim(Clause::item(3, 2, 3), "口座振替契約に基づく資金移動")
        .codes("function_offered", "function_not_offered")
        .summary("direct debit transfer from a linked account (3.2 names no account kind)");
    R_3_2_3_NONE = Rule::verbatim_of(R_3_2_3)
        .codes("account_selected", "no_account_selected")
        .summary("a direct debit moves money from an account: none selected, nothing to instruct");

    // 第4条 有効期限
    R_4_1 = Rule::verbatim(Clause::paragraph(4, 1),
        "連携先サービスから口座連携サービスにかかるアクセスがないまま一定期間が経過した場合、お客さまは再度口座連携サービスの認証手続きを行う必要があります。")
        .codes("authentication_within_period", "reauthentication_required")
        .summary("re-authenticate after a period with no access from the provider");
    R_4_1_PERIOD = Rule::setting(Clause::paragraph(4, 1), "一定期間")
        .codes("inactivity_period_set", "inactivity_period_not_set")
        .summary("the period is not stated: setting `inactivity_days`");

    // 第5条 サービス利用停止
    R_5_1 = Rule::verbatim(Clause::paragraph(5, 1),
        "口座連携サービスの利用を停止する場合は、お客さまにて外部サービス事業者が定める所定の方法に基づいて、停止手続きを行う必要があります。")
        .codes("stop_through_provider", "stop_through_provider")
        .summary("describe: the customer stops the service through the provider");
    R_5_2 = Rule::verbatim(Clause::paragraph(5, 2),
        "前項にかかわらず、以下に定める場合には、当社はお客さまの意思によらず連携先サービスとの連携を停止または終了することがあります。また、当社は外部サービス事業者に連鎖接続先との連携を停止または終了するよう求めることがあります。")
        .codes("suspension_permitted", "suspension_not_listed")
        .summary("describe: the institution may stop or end the link without the customer's instruction in the listed cases, and ask the provider to stop chained links");
    R_5_2_EXEMPT = Rule::verbatim(Clause::paragraph(5, 2),
        "これらの場合、かかる停止または終了によりお客さまに損害が発生したとしても、当社は一切の責任を負いません。")
        .codes("institution_exempt", "institution_exempt")
        .summary("suspension or termination in the listed cases: institution not liable (一切, no at-fault exception)");
    R_5_2_1 = Rule::verbatim(Clause::item(5, 2, 1),
        "口座情報・その他のお客さまに関する情報が外部に流出・漏洩した場合、またはそのおそれがある場合")
        .codes("suspension_permitted", "suspension_not_listed")
        .summary("leak: suspension permitted");
    R_5_2_2 = Rule::verbatim(Clause::item(5, 2, 2), "不正アクセスが発生した場合、またはそのおそれがある場合")
        .codes("suspension_permitted", "suspension_not_listed")
        .summary("unauthorized access: suspension permitted");
    R_5_2_3 = Rule::verbatim(Clause::item(5, 2, 3), "不正利用が発生した場合、またはそのおそれがある場合")
        .codes("suspension_permitted", "suspension_not_listed")
        .summary("fraud: suspension permitted");
    R_5_2_4 = Rule::verbatim(Clause::item(5, 2, 4), "システム障害が発生した場合")
        .codes("suspension_permitted", "suspension_not_listed")
        .summary("system failure: suspension permitted");
    R_5_2_5 = Rule::verbatim(Clause::item(5, 2, 5), "セキュリティ・保守のためにシステムを停止する場合")
        .codes("suspension_permitted", "suspension_not_listed")
        .summary("security or maintenance stop: suspension permitted");
    R_5_2_6 = Rule::verbatim(Clause::item(5, 2, 6), "外部サービス事業者との契約が解除された場合")
        .codes("suspension_permitted", "suspension_not_listed")
        .summary("contract with the provider terminated: suspension permitted");
    R_5_2_7 = Rule::verbatim(Clause::item(5, 2, 7), "その他、やむを得ない事由により必要と判断した場合")
        .codes("suspension_permitted", "suspension_not_listed")
        .summary("other unavoidable reasons: suspension permitted");

    // 第6条 注意事項
    R_6_1 = Rule::verbatim(Clause::paragraph(6, 1),
        "口座連携サービスは、当社システムがメンテナンスや障害、その他の事由により停止している場合にはご利用いただけません。")
        .codes("system_available", "system_stopped")
        .summary("not available while the institution's system is stopped (maintenance, failure or other)");

    // 第7条 外部サービス事業者への情報開示
    R_7_1 = Rule::verbatim(Clause::paragraph(7, 1),
        "口座連携サービスの利用にあたり、以下に定める場合には、当社は外部サービス事業者と連携して情報収集を行うため、必要に応じてお客さまの口座情報その他のお客さまに関する情報を外部サービス事業者に提供することができるものとします。")
        .codes("disclosure_permitted", "disclosure_not_listed")
        .summary("disclosure to the provider for the listed events");
    R_7_1_ONLY = Rule::reading_of(R_7_1)
        .codes("disclosure_permitted", "disclosure_not_listed")
        .summary("events outside the list: not permitted (the list read as exhaustive, and no other clause consents: interpreted)");
    R_7_1_1 = Rule::verbatim(Clause::item(7, 1, 1),
        "口座情報・その他のお客さまに関する情報が外部に流出・漏洩した場合、またはそのおそれがある場合")
        .codes("disclosure_permitted", "disclosure_not_listed")
        .summary("leak: disclosure permitted");
    R_7_1_2 = Rule::verbatim(Clause::item(7, 1, 2), "不正アクセスが発生した場合、またはそのおそれがある場合")
        .codes("disclosure_permitted", "disclosure_not_listed")
        .summary("unauthorized access: disclosure permitted");
    R_7_1_3 = Rule::verbatim(Clause::item(7, 1, 3), "不正利用が発生した場合、またはそのおそれがある場合")
        .codes("disclosure_permitted", "disclosure_not_listed")
        .summary("fraud: disclosure permitted");
    R_7_1_4 = Rule::verbatim(Clause::item(7, 1, 4), "システム障害が発生した場合")
        .codes("disclosure_permitted", "disclosure_not_listed")
        .summary("system failure: disclosure permitted");
    R_7_2 = Rule::verbatim(Clause::paragraph(7, 2),
        "前項により当社が開示した情報において、外部サービス事業者の不十分な管理、使用上の過誤、不正使用等により発生した損害または損失は、当該外部サービス事業者が責任を負うものとし、当社は一切の責任を負うものではありません。")
        .codes("provider_bears_disclosed_info_loss", "provider_bears_disclosed_info_loss")
        .summary("mishandled disclosed information: provider liable, institution not");
    R_7_2_I = Rule::reading_of(R_7_2)
        .codes("institution_exempt", "institution_exempt")
        .summary("at fault too, the institution is not liable (一切, no fault exception: the specific 7.2 read over the general 8.3, interpreted)");
    R_7_3 = Rule::verbatim(Clause::paragraph(7, 3), "前二項は外部サービス事業者が連鎖接続先に提供する場合も同様とします。")
        .codes("same_for_chained_provider", "same_for_chained_provider")
        .summary("7.1 and 7.2 apply alike when the provider passes the information to a chained provider");
    R_7_3_LIABILITY = Rule::reading_of(R_7_3)
        .codes("chained_provider_bears_disclosed_info_loss", "chained_provider_bears_disclosed_info_loss")
        .summary("7.2 applied to a chained provider: it bears losses from its own mishandling (interpreted: 同様とします)");
    R_7_3_DISCLOSURE = Rule::verbatim_of(R_7_3)
        .codes("chained_disclosure_permitted", "chained_disclosure_not_permitted")
        .summary("disclosure extends to chained providers as 7.1 allows it to the provider");

    // 第8条 免責事項
    R_8_1 = Rule::verbatim(Clause::paragraph(8, 1),
        "連携先サービスや連鎖接続先のサービスの利用もしくは連携先サービスや連鎖接続先のサービスが利用できなかったことによってお客さまに生じた損害は、お客さまと外部サービス事業者や連鎖接続先との間の連携先サービスや連鎖接続先のサービスに関する契約の内容に従い、外部サービス事業者や連鎖接続先が賠償・補償することになります。")
        .codes("compensated_under_customer_contract", "compensated_under_customer_contract")
        .summary("damage from (not) using the provider's or chained provider's service: they compensate under the customer's contract with them");
    R_8_2 = Rule::verbatim(Clause::paragraph(8, 2),
        "当社は、連携先サービスや連鎖接続先のサービスに関し、口座連携サービスとの連携が常時適切に行われること、お客さまの利用目的への適合性、正確性、適格性、信頼性、適時性を有すること、外部サービス事業者や連鎖接続先のシステム管理態勢その他のセキュリティレベル、お客さま保護態勢、信用性等が十分であること、および第三者の知的財産権その他の権利を侵害していないことの保証を行うものではありません。また、これらについて生じた一切の損害について当社は責任を負いません。")
        .codes("no_warranty_of_provider_service", "no_warranty_of_provider_service")
        .summary("no warranty that the provider's services link properly or are fit, accurate, reliable, timely or secure, and no liability for any damage from these (一切: no at-fault exception)");
    R_8_2_I = Rule::reading_of(R_8_2)
        .codes("institution_exempt", "institution_exempt")
        .summary("damage from the provider's or chained provider's service: institution not liable, at fault or not (the specific 8.2 stands over the general 8.3: interpreted)");
    R_8_3 = Rule::verbatim(Clause::paragraph(8, 3),
        "口座連携サービスの利用に関してお客さまに生じた損害については、当社の責めに帰すべき事由がある場合を除き、当社は一切の責任を負いません。")
        .codes("institution_exempt", "exemption_excluded_institution_at_fault")
        .summary("any damage from using the service: institution not liable unless at fault");

    // 第9条 規定の変更
    R_9_1 = Rule::verbatim(Clause::paragraph(9, 1),
        "本規定の各条項その他の条件は、金融情勢の状況の変化その他相当の事由があると認められる場合には、当社ホームページへの掲載による公表その他相当の方法で周知することにより、変更できるものとします。")
        .codes("terms_change_by_publication", "terms_change_by_publication")
        .summary("describe: terms change by publication on the website or other suitable means (no liability ruling)");
    R_9_2 = Rule::verbatim(Clause::paragraph(9, 2), "前項の変更は、公表等の際に定める適用開始日から適用されるものとします。")
        .codes("change_applies_from_stated_date", "change_applies_from_stated_date")
        .summary("describe: a change applies from the date stated when published");

    // 第10条 規定の準用
    R_10_1 = Rule::verbatim(Clause::paragraph(10, 1), "本規定に定めのない事項については、当社の他の規定等の定めるところによるものとします。")
        .codes("other_terms_apply", "other_terms_apply")
        .summary("describe: matters this text leaves open follow the institution's other terms (not published here)");

    GAP = Rule::gap();
}

/// 第3条第1項第1号・第2号: 普通預金・定期預金・カードローン.
const LINKABLE: KindSet = kinds(&[AccountKind::Ordinary, AccountKind::TimeDeposit, AccountKind::CardLoan]);

/// The text: who publishes it, and when it is in force.
const META: Meta = Meta {
    variant: "koza-renkei-2020",
    institution: "koza-renkei",
    institution_name: "当社（口座連携サービス提供銀行）",
    title: "口座連携サービス利用規定",
    version: "2020-08-21",
    effective_from: "2020-08-21",
    effective_until: None,
};

/// The variant.
pub static POLICY: Policy = Policy {
    // `designated_providers` is refused: no clause of this text requires a
    // designated provider, so nothing reads it (docs/readings.md, Settings).
    settings: &[SettingName::InactivityDays],
    eligibility: &[
        Condition { fact: Fact::DirectBankingRegistered, rule: R_2_1_REGISTRATION },
        Condition { fact: Fact::ApiAuthCompleted, rule: R_2_1_AUTH },
        Condition { fact: Fact::AgreedToTerms, rule: R_1_1 },
    ],
    accounts: Accounts { entries: &[AccountEntry::kinds(LINKABLE, ChannelSet::ALL, R_3_1_KINDS)], unlisted: R_3_1_KINDS, notes: &[R_3_1_KINDS_2] },
    functions: Functions {
        entries: &[
            FunctionEntry::on(&[Function::Balance], LINKABLE, R_3_1_1).no_account(R_3_1_1_NONE).with_consent(R_3_1_AUTHORIZED),
            FunctionEntry::on(&[Function::Transactions], LINKABLE, R_3_1_2).no_account(R_3_1_2_NONE).with_consent(R_3_1_AUTHORIZED),
            FunctionEntry::customer(&[Function::RegisteredPayees], R_3_1_3).with_consent(R_3_1_AUTHORIZED),
            // 第3条第2項 names no account kind for these: any linked account
            // (the accounts table decides which link), and never none.
            FunctionEntry::on(&[Function::Transfer], KindSet::ALL, R_3_2_1).no_account(R_3_2_1_NONE).with_consent(R_3_2_AUTHORIZED),
            FunctionEntry::on(&[Function::DirectDebitApplication], KindSet::ALL, R_3_2_2).no_account(R_3_2_2_NONE).with_consent(R_3_2_AUTHORIZED),
            FunctionEntry::on(&[Function::DirectDebitTransfer], KindSet::ALL, R_3_2_3).no_account(R_3_2_3_NONE).with_consent(R_3_2_AUTHORIZED),
        ],
        unlisted: R_3_1,
        uncovered: None,
    },
    window: Some(Window { test: WindowTest::ApiHours, rule: R_6_1 }),
    token: &[Period::new(SettingName::InactivityDays, Clock::SinceLastAccess, R_4_1, R_4_1_PERIOD)],
    liability: &[
        LiabilityEntry::institution(LossEvent::CredentialMisuse, LiabilityRuling::NotLiable, &[R_8_3]).unless_at_fault(),
        LiabilityEntry::institution(LossEvent::DisclosedInfoMishandled, LiabilityRuling::NotLiable, &[R_7_2]).at_fault_read_as(&[R_7_2_I]),
        LiabilityEntry::new(LossEvent::DisclosedInfoMishandled, &[Party::Provider], LiabilityRuling::Liable, &[R_7_2]),
        LiabilityEntry::new(LossEvent::DisclosedInfoMishandled, &[Party::ChainedProvider], LiabilityRuling::Liable, &[R_7_2, R_7_3_LIABILITY]),
        LiabilityEntry::institution(LossEvent::ProviderService, LiabilityRuling::NotLiable, &[R_8_2_I]),
        LiabilityEntry::new(LossEvent::ProviderService, &[Party::Provider, Party::ChainedProvider], LiabilityRuling::PerContract, &[R_8_1]),
        LiabilityEntry::institution(LossEvent::StaleInformation, LiabilityRuling::NotLiable, &[R_8_3]).unless_at_fault(),
        // 5.2 exempts a suspension or termination on its seven grounds
        // without a fault exception; any other falls under 8.3. The request
        // does not say which, so at fault the answer is open.
        LiabilityEntry::institution(LossEvent::ServiceSuspension, LiabilityRuling::NotLiable, &[R_8_3]).unless_at_fault().or_in_some_cases(R_5_2_EXEMPT),
        LiabilityEntry::institution(LossEvent::ServiceTermination, LiabilityRuling::NotLiable, &[R_8_3]).unless_at_fault().or_in_some_cases(R_5_2_EXEMPT),
        // 8.3 covers every loss 「口座連携サービスの利用に関して」.
        LiabilityEntry::institution(LossEvent::TermsChange, LiabilityRuling::NotLiable, &[R_8_3]).unless_at_fault(),
        LiabilityEntry::institution(LossEvent::PendingCancellation, LiabilityRuling::NotLiable, &[R_8_3]).unless_at_fault(),
    ],
    disclosure: PermissionTable {
        entries: &[
            PermissionEntry::permitted(&[IncidentKind::Leak], R_7_1_1),
            PermissionEntry::permitted(&[IncidentKind::UnauthorizedAccess], R_7_1_2),
            PermissionEntry::permitted(&[IncidentKind::Fraud], R_7_1_3),
            PermissionEntry::permitted(&[IncidentKind::SystemFailure], R_7_1_4),
        ],
        otherwise: PermissionRuling::NotPermitted,
        otherwise_rule: R_7_1_ONLY,
        otherwise_also: &[],
    },
    chained: Some(R_7_3_DISCLOSURE),
    chained_provision: &[R_3_1_CHAINED],
    suspension: PermissionTable {
        entries: &[
            PermissionEntry::permitted(&[IncidentKind::Leak], R_5_2_1),
            PermissionEntry::permitted(&[IncidentKind::UnauthorizedAccess], R_5_2_2),
            PermissionEntry::permitted(&[IncidentKind::Fraud], R_5_2_3),
            PermissionEntry::permitted(&[IncidentKind::SystemFailure], R_5_2_4),
            PermissionEntry::permitted(&[IncidentKind::Maintenance], R_5_2_5),
            PermissionEntry::permitted(&[IncidentKind::ProviderContractTerminated], R_5_2_6),
            PermissionEntry::permitted(&[IncidentKind::Unavoidable], R_5_2_7),
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
    use kitei_sdk::testing::{account, jst, no_settings, unmet};
    use kitei_sdk::types::{FunctionSet, Request, Settings};

    const DAY: i64 = 86_400;

    /// Eligible under 第1条第1項 and 第2条第1項, one ordinary account selected.
    fn eligible() -> Request {
        let mut req = blank();
        req.customer = CustomerFlags::DIRECT_BANKING_REGISTERED;
        req.consent = ConsentFlags::AGREED_TO_TERMS | ConsentFlags::API_AUTH_COMPLETED;
        req.accounts = vec![account(AccountKind::Ordinary, AccountFlags::empty())];
        req.selected = vec![0];
        req
    }

    /// 口座振替に関するお申込み not authorized (the scenarios hold 振込 and
    /// 資金移動 unauthorized, and all three authorized).
    #[test]
    fn an_unauthorized_direct_debit_application_is_denied_by_3_2() {
        let engine = Engine::with_defaults(&POLICY);
        let mut req = eligible();
        req.function = Some(Function::DirectDebitApplication.into());
        let a = engine.authorize(&req);
        assert_eq!(a.decision, Decision::Deny);
        assert_eq!(unmet(&POLICY, &a.reasons), [("第3条第2項".to_string(), "function_not_authorized_by_customer")]);
    }

    /// 3.1: authorizing one function does not authorize another (the
    /// scenarios hold none authorized, and 3.2's application without its
    /// transfer).
    #[test]
    fn authorizing_balance_does_not_authorize_transactions() {
        let engine = Engine::with_defaults(&POLICY);
        let mut req = eligible();
        req.authorized_functions = FunctionSet::BALANCE;
        req.function = Some(Function::Transactions.into());
        let a = engine.authorize(&req);
        assert_eq!(a.decision, Decision::Deny);
        assert_eq!(unmet(&POLICY, &a.reasons), [("第3条第1項".to_string(), "function_not_authorized_by_customer")]);
    }

    /// Registered payees are customer-level: a selected account of a kind
    /// 第3条 does not list plays no part (the scenarios hold no account).
    #[test]
    fn registered_payees_ignore_a_selected_account_of_another_kind() {
        let engine = Engine::with_defaults(&POLICY);
        let mut req = eligible();
        req.function = Some(Function::RegisteredPayees.into());
        req.authorized_functions = FunctionSet::REGISTERED_PAYEES;
        req.accounts = vec![account(AccountKind::Savings, AccountFlags::empty())];
        req.selected = vec![0];
        assert_eq!(engine.authorize(&req).decision, Decision::Permit);
    }

    #[test]
    fn balance_of_a_savings_account_is_not_offered() {
        let engine = Engine::with_defaults(&POLICY);
        let mut req = eligible();
        req.accounts = vec![account(AccountKind::Savings, AccountFlags::empty())];
        req.function = Some(Function::Balance.into());
        req.authorized_functions = FunctionSet::BALANCE;
        let a = engine.authorize(&req);
        assert_eq!(a.decision, Decision::Deny);
        assert_eq!(
            unmet(&POLICY, &a.reasons),
            [("第3条第1項第1号".to_string(), "account_kind_not_linkable"), ("第3条第1項第1号".to_string(), "function_not_offered_for_account_kind"),]
        );
    }

    /// With no access yet, the inactivity period runs from the authentication
    /// (the scenarios hold a last access, and a last access equal to it).
    #[test]
    fn with_no_access_yet_the_period_runs_from_the_authentication() {
        let engine = Engine::new(&POLICY, Settings { inactivity_days: Some(30), ..no_settings() }).unwrap();
        let t0 = 1_700_000_000;
        let mut req = eligible();
        req.authenticated_at = Some(jst(t0));
        req.at = jst(t0 + 29 * DAY);
        assert_eq!(engine.token(&req).status, TokenStatus::Valid);
        req.at = jst(t0 + 30 * DAY);
        assert_eq!(engine.token(&req).status, TokenStatus::Expired);
    }

    #[test]
    fn designated_providers_is_refused() {
        let settings = Settings { designated_providers: Some(vec!["moneyforward".into()]), ..no_settings() };
        assert_eq!(Engine::new(&POLICY, settings).unwrap_err(), "setting `designated_providers` does not apply to koza-renkei-2020");
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
