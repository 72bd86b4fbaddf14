//! Before any timing: the peers decide toyama-2023's `authorize` as kitei
//! does, for the same reasons. Every request goes through the component
//! (the built `toyama-2023.wasm`), the variant crate linked natively, Cedar,
//! and Rego (regorus' interpreter and RVM); the component and the native
//! crate must give the same whole answer, and each peer the same decision
//! and the same failed rules, counted per request and per selected account.
//!
//! Trials: one per conformance scenario that asks toyama-2023 `authorize`
//! (`tests/conformance/*.json`), a generated grid (account kind × channel ×
//! function × service hours × token age × eligibility × settings), a grid of
//! two-account requests, and for each peer a policy with one rule broken,
//! which the grid must catch.

use kitei::Outcome;
use kitei::types::{
    AccountFlags, AccountKind, Authorization, Channel, ConsentFlags, CustomerFlags, Decision, Function, KindRef, ProviderFlags, Request, ServiceFlags,
    Settings, TokenStatus, WireAccount as Account,
};
use kitei::{LoadedPolicy, NativePolicy, OperationName, Question};
use kitei::{Runtime, component::Checked};
use kitei_peers::{CedarPeer, Peer, RegoPeer, Verdict};
use kitei_policy_toyama_2023 as toyama;
use kitei_sdk::RuleId;
use kitei_sdk::types::Timestamp;
use kitei_tools::conformance::Suite;
use libtest_mimic::{Arguments, Failed, Trial};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};

const VARIANT: &str = "toyama-2023";

/// toyama's rules by the names the peers give them (the constants of
/// policy/toyama-2023/src/lib.rs that `authorize` can cite).
const NAMES: &[(&str, RuleId)] = &[
    ("R_1_2_1", toyama::R_1_2_1),
    ("R_1_2_2", toyama::R_1_2_2),
    ("R_1_2_2_SETTING", toyama::R_1_2_2_SETTING),
    ("R_1_2_3", toyama::R_1_2_3),
    ("R_5_2", toyama::R_5_2),
    ("R_2_1", toyama::R_2_1),
    ("R_2_1_1", toyama::R_2_1_1),
    ("R_2_1_1_NONE", toyama::R_2_1_1_NONE),
    ("R_2_1_2_NONE", toyama::R_2_1_2_NONE),
    ("R_2_1_2", toyama::R_2_1_2),
    ("R_2_1_3", toyama::R_2_1_3),
    ("R_2_1_LOAN", toyama::R_2_1_LOAN),
    ("R_2_1_HOURS", toyama::R_2_1_HOURS),
    ("R_2_2", toyama::R_2_2),
    ("R_2_2_NOTE", toyama::R_2_2_NOTE),
    ("R_2_2_1", toyama::R_2_2_1),
    ("R_2_2_2", toyama::R_2_2_2),
    ("R_2_2_3", toyama::R_2_2_3),
    ("R_2_2_4", toyama::R_2_2_4),
    ("R_2_2_5", toyama::R_2_2_5),
    ("R_2_2_6", toyama::R_2_2_6),
    ("R_4_1_START", toyama::R_4_1_START),
    ("R_4_1_PERIOD", toyama::R_4_1_PERIOD),
    ("GAP", toyama::GAP),
];

fn name(rule: u16) -> String {
    NAMES.iter().find(|(_, id)| id.0 == rule).map_or_else(|| format!("rule #{rule}"), |(n, _)| n.to_string())
}

/// What kitei's answer says in the peers' terms: the decision, and the
/// failed rules that deny (the token's only when it expired: an
/// `unspecified` token shows its unset period as unmet without denying).
fn kitei_terms(a: &Authorization) -> (bool, Vec<String>) {
    let mut failed: Vec<String> = a.reasons.iter().filter(|r| !r.met).map(|r| name(r.rule)).collect();
    if a.token.status == TokenStatus::Expired {
        failed.extend(a.token.reasons.iter().filter(|r| !r.met).map(|r| name(r.rule)));
    }
    failed.sort();
    (a.decision == Decision::Permit, failed)
}

fn peer_terms(v: &Verdict) -> (bool, Vec<String>) {
    let mut failed: Vec<String> = v.denied_by.iter().map(|r| r.to_string()).collect();
    failed.sort();
    (v.permit, failed)
}

/// The four deciders with one set of settings.
struct Subjects {
    component: Arc<dyn LoadedPolicy>,
    native: NativePolicy,
    peers: Vec<Peer>,
}

fn runtime() -> &'static Runtime {
    static R: OnceLock<Runtime> = OnceLock::new();
    R.get_or_init(kitei_tests::runtime)
}

fn checked() -> &'static Checked {
    static C: OnceLock<Checked> = OnceLock::new();
    C.get_or_init(|| {
        let file = kitei_tests::policies().join(format!("{VARIANT}.wasm"));
        let bytes = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        Checked::new(runtime(), &file, &bytes).unwrap_or_else(|e| panic!("{e}"))
    })
}

fn peers(settings: &Settings) -> Vec<Peer> {
    let made = [Peer::cedar(settings), Peer::rego(settings), Peer::rego_vm(settings)];
    made.into_iter().map(|p| p.unwrap_or_else(|e| panic!("{e}"))).collect()
}

/// Subjects per settings, made once.
fn subjects(settings: &Settings) -> Arc<Subjects> {
    static CACHE: OnceLock<Mutex<BTreeMap<String, Arc<Subjects>>>> = OnceLock::new();
    let key = format!("{settings:?}");
    let cache = CACHE.get_or_init(Default::default);
    if let Some(s) = cache.lock().expect("cache").get(&key) {
        return s.clone();
    }
    let made = Arc::new(Subjects {
        component: Arc::new(checked().clone().configure(settings, None).unwrap_or_else(|e| panic!("{e}"))),
        native: NativePolicy::new(&toyama::POLICY, settings.clone()).unwrap_or_else(|e| panic!("{e}")),
        peers: peers(settings),
    });
    cache.lock().expect("cache").insert(key, made.clone());
    made
}

fn authorize(policy: &dyn LoadedPolicy, req: &Request) -> Result<Authorization, String> {
    match policy.call(OperationName::Authorize, req).map_err(|e| e.to_string())? {
        Outcome::Authorize(a) => Ok(a),
        other => Err(format!("not an authorization: {other:?}")),
    }
}

/// Every subject on `req`: `Err` with what differed.
fn agree(s: &Subjects, req: &Request) -> Result<(), String> {
    let component = authorize(&*s.component, req)?;
    let native = authorize(&s.native, req)?;
    if component != native {
        return Err(format!("component and native differ:\n  component {component:?}\n  native    {native:?}"));
    }
    let want = kitei_terms(&native);
    let mut diffs = Vec::new();
    for peer in &s.peers {
        match peer.authorize(req) {
            Ok(v) if peer_terms(&v) == want => {}
            Ok(v) => diffs.push(format!("{}: {:?}, kitei: {want:?}", peer.name(), peer_terms(&v))),
            Err(e) => diffs.push(format!("{}: {e}", peer.name())),
        }
    }
    if diffs.is_empty() { Ok(()) } else { Err(diffs.join("\n")) }
}

/// Runs every request; fails with the first few that disagree.
fn agree_all(s: &Subjects, requests: &[Request]) -> Result<usize, String> {
    let failures: Vec<String> = requests.iter().filter_map(|r| agree(s, r).err().map(|e| format!("{e}\n  request {r:?}"))).take(3).collect();
    if failures.is_empty() { Ok(requests.len()) } else { Err(failures.join("\n\n")) }
}

// ---- the generated grid ----

const DAY: i64 = 86_400;

fn base() -> Request {
    let q = Question::from_json(include_bytes!("../../../examples/01-toyama-authorize.json")).expect("example");
    q.request().clone()
}

fn account(kind: AccountKind, flags: AccountFlags) -> Account {
    Account { kind: KindRef::Core(kind), flags, extension_flags: 0 }
}

/// Ways to meet or miss 第1条第2項 (the tested account is `accounts[0]`).
/// A case's name and how it changes the request.
type Case = (&'static str, fn(&mut Request));

fn eligibility_cases() -> Vec<Case> {
    vec![
        ("all met", |_| {}),
        ("no IB, a savings account with a cash card", |r| {
            r.customer.remove(CustomerFlags::INTERNET_BANKING_CONTRACT);
            r.accounts.push(account(AccountKind::Savings, AccountFlags::CASH_CARD));
        }),
        ("no IB, a card loan with a cash card only", |r| {
            r.customer.remove(CustomerFlags::INTERNET_BANKING_CONTRACT);
            r.accounts.push(account(AccountKind::CardLoan, AccountFlags::CASH_CARD | AccountFlags::LOAN_CARD));
        }),
        ("provider not designated", |r| r.provider.remove(ProviderFlags::DESIGNATED)),
        ("no provider contract", |r| r.provider.remove(ProviderFlags::CONTRACT)),
        ("API連携認証 not completed", |r| r.consent.remove(ConsentFlags::API_AUTH_COMPLETED)),
        ("nothing met, via a chained provider", |r| {
            r.customer = CustomerFlags::empty();
            r.provider = ProviderFlags::VIA_CHAINED;
            r.consent = ConsentFlags::empty();
        }),
    ]
}

/// Authentication this long before `at` (`None`: never).
const TOKEN_AGES: [Option<i64>; 5] = [None, Some(0), Some(90 * DAY - 1), Some(90 * DAY), Some(91 * DAY)];

fn timestamp(seconds: i64) -> Timestamp {
    Timestamp { seconds, nanos: 0, offset_seconds: 9 * 3600 }
}

/// One selected account: kind × channel × function × hours × token age × eligibility.
fn single_account_grid() -> Vec<Request> {
    let mut out = Vec::new();
    let at = base().at.seconds;
    for kind in AccountKind::ALL {
        for channel in [Channel::InstitutionApi, Channel::AnserApi] {
            for function in Function::ALL {
                for api_open in [true, false] {
                    for age in TOKEN_AGES {
                        for (_, eligibility) in eligibility_cases() {
                            let mut r = base();
                            r.accounts = vec![account(kind, AccountFlags::PIN_REGISTERED)];
                            r.selected = vec![0];
                            r.provider_channel = channel.into();
                            r.function = Some(function.into());
                            r.service.set(ServiceFlags::API_OPEN, api_open);
                            r.authenticated_at = age.map(|a| timestamp(at - a));
                            eligibility(&mut r);
                            out.push(r);
                        }
                    }
                }
            }
        }
    }
    out
}

/// Two accounts of every pair of kinds, both selected, one selected, the
/// same one twice, and none.
fn two_account_grid() -> Vec<Request> {
    let mut out = Vec::new();
    for a in AccountKind::ALL {
        for b in AccountKind::ALL {
            for channel in [Channel::InstitutionApi, Channel::AnserApi] {
                for function in Function::ALL {
                    for selected in [vec![0, 1], vec![1], vec![1, 1], vec![]] {
                        let mut r = base();
                        r.accounts = vec![account(a, AccountFlags::CASH_CARD), account(b, AccountFlags::empty())];
                        r.selected = selected;
                        r.provider_channel = channel.into();
                        r.function = Some(function.into());
                        out.push(r);
                    }
                }
            }
        }
    }
    out
}

fn settings_cases() -> Vec<(&'static str, Settings)> {
    vec![
        ("no settings", Settings::default()),
        ("reauth 90 days", Settings { reauth_after_days: Some(90), ..Settings::default() }),
        (
            "reauth 90 days, designated [moneyforward]",
            Settings { reauth_after_days: Some(90), designated_providers: Some(vec!["moneyforward".into()]), ..Settings::default() },
        ),
        ("designated [freee]", Settings { designated_providers: Some(vec!["freee".into()]), ..Settings::default() }),
    ]
}

fn grid_trial(name: &'static str, grid: fn() -> Vec<Request>) -> Trial {
    Trial::test(format!("generated::{name}"), move || {
        let requests = grid();
        for (what, settings) in settings_cases() {
            agree_all(&subjects(&settings), &requests).map_err(|e| format!("with {what}:\n{e}"))?;
        }
        Ok(())
    })
}

// ---- broken rules must be caught ----

/// A peer with one rule changed disagrees somewhere on the grids.
fn broken_trial(engine: &'static str, what: &'static str, from: &'static str, to: &'static str) -> Trial {
    Trial::test(format!("broken_rule_is_caught::{engine}::{what}"), move || {
        let settings = Settings { reauth_after_days: Some(90), ..Settings::default() };
        let (source, make): (&str, fn(&str, &Settings) -> Peer) = match engine {
            "cedar" => (include_str!("../policy/toyama.cedar"), |s, st| Peer::Cedar(CedarPeer::with_policies(s, st).expect("loads"))),
            _ => (include_str!("../policy/toyama.rego"), |s, st| Peer::Rego(RegoPeer::with_policy(s, st).expect("loads"))),
        };
        if source.matches(from).count() != 1 {
            return Err(format!("`{from}` is not in the {engine} policy exactly once").into());
        }
        let good = subjects(&settings);
        let broken = Subjects {
            component: good.component.clone(),
            native: NativePolicy::new(&toyama::POLICY, settings.clone()).expect("settings"),
            peers: vec![make(&source.replacen(from, to, 1), &settings)],
        };
        let mut requests = single_account_grid();
        requests.extend(two_account_grid());
        match agree_all(&broken, &requests) {
            Ok(n) => Err(format!("{n} requests and no disagreement: the agreement test cannot see this rule").into()),
            Err(_) => Ok(()),
        }
    })
}

fn main() {
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    let dir = kitei_tests::root().join("tests/conformance");
    let suite = Suite::load(&[dir]).unwrap_or_else(|e| panic!("{e}"));
    let mut scenarios = 0;
    for (name, scenario) in suite.scenarios {
        let asks = scenario.request.get("operation").and_then(|o| o.as_str()) == Some("authorize");
        let expected = scenario.expect.get(VARIANT).is_some_and(|e| e.skip.is_none());
        if !(asks && expected) {
            continue;
        }
        scenarios += 1;
        trials.push(Trial::test(format!("conformance::{name}"), move || {
            let mut body = scenario.request.clone();
            if let Some(o) = body.as_object_mut() {
                o.insert("variant".into(), VARIANT.into());
            }
            let question = Question::from_value(&body).map_err(|e| Failed::from(format!("request: {e}")))?;
            // toyama declares no terms: a scenario's settings are its core ones
            let settings = scenario.settings.get(VARIANT).map(|f| f.core()).unwrap_or_default();
            agree(&subjects(&settings), question.request()).map_err(Failed::from)
        }));
    }
    trials.push(Trial::test("conformance::some_scenarios_ask_toyama_authorize", move || {
        if scenarios >= 10 { Ok(()) } else { Err(format!("only {scenarios} scenarios found").into()) }
    }));
    trials.push(grid_trial("single_account", single_account_grid));
    trials.push(grid_trial("two_accounts", two_account_grid));
    // one rule of each peer made wrong in a way a reader could miss
    trials.push(broken_trial(
        "cedar",
        "card_loan_links_over_anser",
        r#"resource.kind == "card_loan" && principal.channel != "institution_api""#,
        r#"resource.kind == "card_loan" && principal.channel == "institution_api" && false"#,
    ));
    trials.push(broken_trial(
        "cedar",
        "token_valid_on_its_last_instant",
        "context.at < context.authenticated_at.offset",
        "context.at <= context.authenticated_at.offset",
    ));
    trials.push(broken_trial(
        "rego",
        "eligibility_reads_selected_accounts_only",
        "some a in input.customer.accounts",
        "some a in [input.customer.accounts[input.selected[0]]]",
    ));
    trials.push(broken_trial("rego", "token_valid_on_its_last_instant", "input.at < input.consent", "input.at <= input.consent"));
    libtest_mimic::run(&args, trials).exit();
}
