//! The embedding API: typed questions answer exactly as api.md's JSON does,
//! the wire names are the WIT's, and a module's idle instances are bounded.

use kitei::{
    Account, Body, Consent, DecisionError, DecisionErrorKind, Limits, Operation, Provider, Question, Registry, Runtime, Target, Wire,
    types::{AccountFlags, AccountKind, Channel, ConsentFlags, CustomerFlags, Decision, Function, ProviderFlags},
};
use kitei_tests::{policies, registry};
use serde_json::{Value, json};
use std::sync::{Arc, Barrier};

fn example() -> Value {
    serde_json::from_str(include_str!("../examples/01-toyama-authorize.json")).unwrap()
}

fn at(s: &str) -> chrono::DateTime<chrono::FixedOffset> {
    kitei::time::parse_timestamp(s).unwrap()
}

/// examples/01-toyama-authorize.json, written with the builder.
fn example_question() -> Question {
    Question::builder(Target::Institution("toyama".into()), Operation::Authorize { function: Function::Balance.into() })
        .at(at("2023-07-03T10:00:00+09:00"))
        .customer(CustomerFlags::INTERNET_BANKING_CONTRACT)
        .account(
            Account::new("A1", AccountKind::Ordinary).with(AccountFlags::CASH_CARD | AccountFlags::PIN_REGISTERED | AccountFlags::INTERNET_BANKING_REGISTERED),
        )
        .select(["A1"])
        .provider(Provider::new("moneyforward").channel(Channel::InstitutionApi).with(ProviderFlags::DESIGNATED | ProviderFlags::CONTRACT))
        .consent(
            Consent::new()
                .with(ConsentFlags::AGREED_TO_TERMS | ConsentFlags::API_AUTH_COMPLETED)
                .authenticated_at(at("2023-06-01T09:00:00+09:00"))
                .last_access_at(at("2023-07-02T09:00:00+09:00"))
                .authorize(Function::Balance)
                .authorize(Function::Transactions),
        )
        .build()
        .unwrap()
}

#[test]
fn a_built_question_is_the_json_question() {
    let from_json = Question::from_value(&example()).unwrap();
    let built = example_question();
    assert_eq!(built.request(), from_json.request());
    assert_eq!((built.target(), built.operation(), built.at()), (from_json.target(), from_json.operation(), from_json.at()));
    assert_eq!(built.account_ids(), from_json.account_ids());
}

#[test]
fn a_typed_answer_serializes_to_the_api_json() {
    let r = registry();
    let answer = r.decide(&example_question()).unwrap();
    let json = r.decide_json(example().to_string().as_bytes()).unwrap().to_json();
    assert_eq!(serde_json::to_value(&answer).unwrap(), json);
    // and the typed fields say what the JSON says
    assert_eq!(answer.decision(), Some(Decision::Permit));
    assert_eq!(json["decision"], "permit");
    assert_eq!(answer.policy().variant, "toyama-2023");
    let Body::Authorize(a) = answer.body() else { panic!("authorize answers with Body::Authorize") };
    let cites: Vec<&str> = a.reasons.iter().map(|r| r.cite()).collect();
    let json_cites: Vec<&str> = json["reasons"].as_array().unwrap().iter().map(|r| r["cite"].as_str().unwrap()).collect();
    assert_eq!(cites, json_cites);
    assert!(answer.reasons().iter().all(|r| !r.rule().text.is_empty()), "every reason carries its source text");
}

#[test]
fn describe_answers_the_metadata_and_sheet() {
    let r = registry();
    let q = Question::builder(Target::Variant("gunma-2019".into()), Operation::Describe).build().unwrap();
    let v = r.decide(&q).unwrap().to_json();
    assert_eq!(v["operation"], "describe");
    assert_eq!(v["metadata"]["variant"], "gunma-2019");
    let rules = v["metadata"]["rules"].as_array().unwrap();
    let sheet = &r.variant("gunma-2019").unwrap().info().metadata.rules;
    assert_eq!(rules.len(), sheet.len());
    assert_eq!(rules[0]["text"], json!(sheet[0].text));
}

#[test]
fn the_builder_refuses_what_the_json_parser_refuses() {
    let base = || Question::builder(Target::Institution("toyama".into()), Operation::Accounts);
    let invalid = |r: Result<Question, DecisionError>| match r {
        Err(e) if e.kind() == DecisionErrorKind::Invalid => e.to_string(),
        other => panic!("expected invalid_request, got {other:?}"),
    };
    assert!(invalid(base().build()).contains("`at` is required"));
    let m = invalid(
        base().at(at("2023-07-03T10:00:00+09:00")).account(Account::new("A", AccountKind::Savings)).account(Account::new("A", AccountKind::Current)).build(),
    );
    assert!(m.contains("customer.accounts[1].id") && m.contains("used twice"), "{m}");
    let m = invalid(base().at(at("2023-07-03T10:00:00+09:00")).select(["nope"]).build());
    assert!(m.contains("account_ids[0]"), "{m}");
    let m = invalid(base().at(at("2300-01-01T00:00:00+09:00")).build());
    assert!(m.contains("field `at`") && m.contains("1678"), "{m}");
}

/// Every enum's wire names are its WIT case names with `_` for `-`: the
/// names are derived, not listed, and this holds them to the contract.
#[test]
fn wire_names_are_the_wit_names() {
    use wit_parser::{Resolve, TypeDefKind};
    let mut resolve = Resolve::default();
    resolve.push_str("policy.wit", &kitei_tests::policy_wit()).unwrap();
    let wit_enum = |name: &str| -> Option<Vec<String>> {
        resolve.types.iter().find_map(|(_, t)| match (&t.name, &t.kind) {
            (Some(n), TypeDefKind::Enum(e)) if n == name => Some(e.cases.iter().map(|c| c.name.replace('-', "_")).collect()),
            _ => None,
        })
    };
    fn names<T: Wire>() -> Vec<String> {
        T::names().iter().map(|n| n.to_string()).collect()
    }
    let mut checked = 0;
    macro_rules! check {
        ($ty:ident $what:literal { $($case:ident),+ $(,)? }) => {
            let wit_name = kitei_sdk::vocab::snake_case(stringify!($ty)).replace('_', "-");
            match wit_enum(&wit_name) {
                Some(cases) => {
                    assert_eq!(names::<kitei::types::$ty>(), cases, "{}", stringify!($ty));
                    checked += 1;
                }
                // the SDK model's own enums, carried as facts on the wire
                None => assert!(["segment", "channel"].contains(&wit_name.as_str()), "no WIT enum `{wit_name}`"),
            }
        };
    }
    kitei_sdk::for_each_enum!(check);
    assert_eq!(checked, 10, "every WIT enum is in the SDK's list");
    assert_eq!(AccountKind::CardLoan.wire(), "card_loan");
    assert_eq!(AccountKind::from_wire("tax_reserve"), Some(AccountKind::TaxReserve));
}

/// However many calls ran at once, a module keeps at most
/// `Limits::idle_instances` instances afterwards.
#[test]
fn idle_instances_are_bounded() {
    let runtime = Runtime::new(Limits { idle_instances: 1, ..Limits::default() }).unwrap();
    let r = Arc::new(Registry::load_dir(&runtime, policies()).unwrap());
    let question = Arc::new(example_question());
    let threads = 8;
    let start = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (r, q, start) = (r.clone(), question.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                for _ in 0..200 {
                    assert_eq!(r.decide(&q).unwrap().decision(), Some(Decision::Permit));
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let toyama = r.variant("toyama-2023").unwrap();
    assert_eq!(toyama.idle_instances(), 1, "idle instances after {threads} concurrent callers");
}

/// rokin 4.1 counts registration (利用登録) from `consent.registered_at`;
/// without it, from `authenticated_at` (api.md's default). The JSON and the
/// builder carry it the same way.
#[test]
fn registered_at_is_carried_and_defaults_to_authenticated_at() {
    let mut v = example();
    v["consent"]["registered_at"] = json!("2023-01-01T00:00:00+09:00");
    let q = Question::from_value(&v).unwrap();
    assert_eq!(q.request().registered_at.as_ref().map(|t| t.seconds), Some(at("2023-01-01T00:00:00+09:00").timestamp()));
    let built = Question::builder(Target::Institution("toyama".into()), Operation::Token)
        .at(at("2023-07-03T10:00:00+09:00"))
        .consent(Consent::new().registered_at(at("2023-01-01T00:00:00+09:00")))
        .build()
        .unwrap();
    assert_eq!(built.request().registered_at, q.request().registered_at);
    assert_eq!(Question::from_value(&example()).unwrap().request().registered_at, None);
    let m = match Question::from_value(&json!({"variant": "rokin-2019", "operation": "token", "at": "2023-07-03T10:00:00",
        "consent": {"registered_at": "yesterday"}}))
    {
        Err(e) if e.kind() == DecisionErrorKind::Invalid => e.to_string(),
        other => panic!("{other:?}"),
    };
    assert!(m.contains("consent.registered_at"), "{m}");
}
