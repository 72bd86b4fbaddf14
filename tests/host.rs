//! The host with the built components: answers against the seed text,
//! refusals of bad modules, and request errors that name the field.

use kitei::{DecisionError, LoadedPolicy, Question, Registry};
use kitei_tests::{dummy_component, policies, policy_wit, registry, runtime, temp_policy_dir};
use serde_json::{Value, json};

fn decide(registry: &Registry, request: Value) -> Value {
    registry.decide_json(request.to_string().as_bytes()).map(|a| a.to_json()).unwrap_or_else(|e| panic!("decision failed: {e}"))
}

fn error(registry: &Registry, body: &str) -> DecisionError {
    match registry.decide_json(body.as_bytes()).map(|a| a.to_json()) {
        Ok(v) => panic!("expected an error, got {v}"),
        Err(e) => e,
    }
}

fn cites(reasons: &Value) -> Vec<String> {
    reasons.as_array().unwrap().iter().map(|r| r["cite"].as_str().unwrap().to_string()).collect()
}

/// api.md's example request.
fn example() -> Value {
    serde_json::from_str(include_str!("../examples/01-toyama-authorize.json")).unwrap()
}

#[test]
fn card_loan_over_anser_is_not_linkable_under_2_2_3() {
    let r = registry();
    let v = decide(
        &r,
        json!({
            "institution": "toyama", "operation": "accounts", "at": "2023-07-03T10:00:00",
            "customer": { "accounts": [ { "id": "L1", "kind": "card_loan" }, { "id": "O1", "kind": "ordinary" } ] },
            "provider": { "channel": "anser_api" }
        }),
    );
    assert_eq!(v["policy"]["variant"], "toyama-2023");
    let loan = &v["accounts"][0];
    assert_eq!(loan["id"], "L1");
    assert_eq!(loan["linkable"], false);
    assert_eq!(loan["reasons"][0]["code"], "account_kind_not_linkable");
    assert_eq!(loan["reasons"][0]["cite"], "第2条第2項第3号");
    assert_eq!(loan["reasons"][0]["clause"], json!({ "article": 2, "paragraph": 2, "item": 3 }));
    assert_eq!(loan["reasons"][0]["text"], "カードローン（金融機関APIのみ連携）");
    assert_eq!(loan["reasons"][0]["provenance"], "verbatim");
    assert_eq!(v["accounts"][1]["linkable"], true, "ordinary links over any channel (2.2(1))");
}

#[test]
fn unauthorized_access_is_not_a_disclosure_event_under_4_6() {
    let r = registry();
    let ask = |kind: &str| {
        decide(
            &r,
            json!({
                "institution": "toyama", "operation": "incident", "at": "2023-07-03T10:00:00+09:00",
                "incident": { "kind": kind }
            }),
        )
    };
    let v = ask("unauthorized_access");
    assert_eq!(v["disclosure"]["ruling"], "not_permitted");
    assert_eq!(cites(&v["disclosure"]["reasons"]), ["第4条第6項"]);
    let v = ask("leak");
    assert_eq!(v["disclosure"]["ruling"], "permitted");
    assert_eq!(cites(&v["disclosure"]["reasons"]), ["第4条第6項第1号"]);
    assert_eq!(v["chained"]["ruling"], "unspecified");
    let v = ask("maintenance");
    assert_eq!(v["suspension"]["ruling"], "permitted");
    assert_eq!(cites(&v["suspension"]["reasons"]), ["第7条第3項"]);
}

#[test]
fn api_example_is_permitted_with_every_rule_cited() {
    let r = registry();
    let v = decide(&r, example());
    assert_eq!(v["operation"], "authorize");
    assert_eq!(v["decision"], "permit", "{v:#}");
    let c = cites(&v["reasons"]);
    for expected in ["第1条第2項第1号", "第1条第2項第2号", "第1条第2項第3号", "第2条第2項第1号", "第2条第1項第2号", "第2条第1項"]
    {
        assert!(c.contains(&expected.to_string()), "{expected} missing from {c:?}");
    }
    assert_eq!(v["token"]["status"], "unspecified", "no reauth period is set");
    assert_eq!(v["token"]["reasons"][0]["provenance"], "setting");
    assert_eq!(v["token"]["reasons"][0]["code"], "reauth_period_not_set");
}

#[test]
fn authorize_denies_with_every_failing_rule() {
    let r = registry();
    let mut req = example();
    req["customer"]["internet_banking_contract"] = json!(false);
    req["customer"]["accounts"][0]["cash_card"] = json!(false);
    req["customer"]["accounts"][0]["kind"] = json!("card_loan");
    req["service"]["api_open"] = json!(false);
    let v = decide(&r, req);
    assert_eq!(v["decision"], "deny");
    let failing: Vec<(&str, &str)> = v["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["code"].as_str().unwrap(), r["cite"].as_str().unwrap()))
        .filter(|(code, _)| {
            [
                "no_internet_banking_or_eligible_account",
                "service_ended_on_loss_of_eligibility",
                "function_not_offered_for_account_kind",
                "outside_service_hours",
            ]
            .contains(code)
        })
        .collect();
    assert_eq!(
        failing,
        [
            ("no_internet_banking_or_eligible_account", "第1条第2項第1号"),
            ("service_ended_on_loss_of_eligibility", "第5条第2項"),
            ("function_not_offered_for_account_kind", "第2条第1項"),
            ("outside_service_hours", "第2条第1項"),
        ]
    );
}

#[test]
fn settings_file_sets_the_reauth_period() {
    let dir = temp_policy_dir("settings", &["toyama-2023"]);
    std::fs::write(dir.join("toyama.settings.json"), r#"{ "reauth_after_days": 30 }"#).unwrap();
    let r = Registry::load_dir(&runtime(), &dir).unwrap();
    assert!(r.rejected().is_empty(), "{:?}", r.rejected());
    let v = decide(&r, example());
    // authenticated 2023-06-01 09:00, asked 2023-07-03: 32 days later
    assert_eq!(v["token"]["status"], "expired");
    assert_eq!(v["token"]["expires_at"], "2023-07-01T09:00:00+09:00");
    assert_eq!(v["decision"], "deny");
    let mut early = example();
    early["at"] = json!("2023-07-01T08:59:59+09:00");
    assert_eq!(decide(&r, early)["token"]["status"], "valid");
}

/// Requests cross into the component as UTC instants; the expiry comes back in
/// the offset the question was asked in, whatever offset the authentication
/// time was written in — and the native engine answers the same.
#[test]
fn token_expiry_is_shown_in_the_offset_of_the_question() {
    let dir = temp_policy_dir("offsets", &["toyama-2023"]);
    std::fs::write(dir.join("toyama.settings.json"), r#"{ "reauth_after_days": 30 }"#).unwrap();
    let r = Registry::load_dir(&runtime(), &dir).unwrap();
    let mut req = example();
    req["consent"]["authenticated_at"] = json!("2023-06-01T00:00:00Z");
    req["at"] = json!("2023-07-01T00:00:00.5Z");
    let v = decide(&r, req.clone());
    assert_eq!((v["token"]["status"].as_str(), v["token"]["expires_at"].as_str()), (Some("expired"), Some("2023-07-01T00:00:00Z")));
    req["at"] = json!("2023-07-01T08:59:59.5+09:00");
    let v = decide(&r, req.clone());
    assert_eq!((v["token"]["status"].as_str(), v["token"]["expires_at"].as_str()), (Some("valid"), Some("2023-07-01T09:00:00+09:00")));
    let parsed = Question::from_value(&req).unwrap();
    let settings = kitei::types::Settings { reauth_after_days: Some(30), ..Default::default() };
    let native = kitei::NativePolicy::new(&kitei_policy_toyama_2023::POLICY, settings).unwrap();
    let component = r.variant("toyama-2023").unwrap();
    let op = kitei::OperationName::Authorize;
    let (c, n) = (component.call(op, parsed.request()).unwrap(), native.call(op, parsed.request()).unwrap());
    assert_eq!(format!("{c:?}"), format!("{n:?}"));
}

/// A request far larger than the guest's per-call arena (64 KiB) is served
/// from the system allocator inside the module: same answer as natively, and
/// the instance keeps answering small requests afterwards.
#[test]
fn a_request_larger_than_the_guest_arena_is_answered_like_natively() {
    let r = registry();
    let component = r.variant("toyama-2023").unwrap();
    let native = kitei::NativePolicy::new(&kitei_policy_toyama_2023::POLICY, kitei::types::Settings::default()).unwrap();
    let mut big = example();
    let account = big["customer"]["accounts"][0].clone();
    let accounts: Vec<Value> = (0..40_000)
        .map(|i| {
            let mut a = account.clone();
            a["id"] = json!(format!("A{i}"));
            a
        })
        .collect();
    big["customer"]["accounts"] = json!(accounts);
    big.as_object_mut().unwrap().remove("account_ids");
    let small = Question::from_value(&example()).unwrap().request().clone();
    let big = Question::from_value(&big).unwrap().request().clone();
    let op = kitei::OperationName::Authorize;
    for req in [&small, &big, &small, &big, &small] {
        let (c, n) = (component.call(op, req).unwrap(), native.call(op, req).unwrap());
        assert_eq!(format!("{c:?}"), format!("{n:?}"));
    }
}

#[test]
fn times_a_policy_cannot_compute_with_are_refused() {
    let r = registry();
    let mut req = example();
    req["consent"]["authenticated_at"] = json!("2300-01-01T00:00:00+09:00");
    let e = error(&r, &req.to_string());
    assert_eq!(e.code(), "invalid_request");
    assert!(e.to_string().contains("consent.authenticated_at") && e.to_string().contains("1678–2261"), "{e}");
}

#[test]
fn bad_settings_file_rejects_the_institution_and_names_the_field() {
    let dir = temp_policy_dir("bad-settings", &["toyama-2023", "gunma-2023"]);
    std::fs::write(dir.join("toyama.settings.json"), r#"{ "reauth_after_days": "thirty" }"#).unwrap();
    let r = Registry::load_dir(&runtime(), &dir).unwrap();
    assert!(r.variant("toyama-2023").is_none(), "fails closed: no toyama without its settings");
    assert!(r.variant("gunma-2023").is_some(), "other institutions still load");
    let msg = &r.rejected()[0].to_string();
    assert!(msg.contains("toyama.settings.json") && msg.contains("reauth_after_days"), "{msg}");

    std::fs::write(dir.join("toyama.settings.json"), r#"{ "inactivity_days": 30 }"#).unwrap();
    let r = Registry::load_dir(&runtime(), &dir).unwrap();
    let msg = &r.rejected()[0].to_string();
    assert!(msg.contains("inactivity_days") && msg.contains("does not apply to toyama-2023"), "{msg}");
}

/// A variant refuses every setting it does not read (docs/readings.md, Settings):
/// gunma's 1.2(2) is 省略 and koza-renkei has no designation clause, so a
/// `designated_providers` file rejects them, as components and natively;
/// the variants that read it load.
#[test]
fn designated_providers_is_refused_where_no_text_reads_it() {
    let all = ["gunma-2019", "gunma-2023", "toyama-2023", "rokin-2019", "koza-renkei-2020", "akita-notice"];
    let dir = temp_policy_dir("designated", &all);
    for institution in ["gunma", "toyama", "rokin", "koza-renkei", "akita"] {
        std::fs::write(dir.join(format!("{institution}.settings.json")), r#"{ "designated_providers": ["zaim"] }"#).unwrap();
    }
    let r = Registry::load_dir(&runtime(), &dir).unwrap();
    for refused in ["gunma-2019", "gunma-2023", "koza-renkei-2020"] {
        assert!(r.variant(refused).is_none(), "{refused} loaded with designated_providers");
        assert!(
            r.rejected().iter().any(|x| x.to_string().contains(&format!("setting `designated_providers` does not apply to {refused}"))),
            "{refused}: {:?}",
            r.rejected().iter().map(|x| x.to_string()).collect::<Vec<_>>()
        );
    }
    for loaded in ["toyama-2023", "rokin-2019", "akita-notice"] {
        assert!(r.variant(loaded).is_some(), "{loaded} refused designated_providers");
    }
    let settings = kitei::types::Settings { designated_providers: Some(vec!["zaim".into()]), ..Default::default() };
    for (variant, policy) in kitei_tests::NATIVE {
        let refused = kitei::NativePolicy::new(policy, settings.clone()).is_err();
        assert_eq!(refused, ["gunma-2019", "gunma-2023", "koza-renkei-2020"].contains(&variant), "{variant}");
    }
}

#[test]
fn liability_exemption_falls_when_the_institution_is_at_fault() {
    let r = registry();
    let ask = |at_fault: bool| {
        decide(
            &r,
            json!({
                "institution": "toyama", "operation": "liability", "at": "2023-07-03T10:00:00+09:00",
                "incident": { "loss_event": "credential_misuse", "institution_at_fault": at_fault }
            }),
        )
    };
    let institution = |v: &Value| v["liability"].as_array().unwrap().iter().find(|p| p["party"] == "institution").unwrap().clone();
    let v = institution(&ask(false));
    assert_eq!(v["ruling"], "not_liable");
    assert_eq!(cites(&v["reasons"]), ["第4条第3項"]);
    // the fault lifts the exemption; the text does not say the institution is liable
    let v = institution(&ask(true));
    assert_eq!(v["ruling"], "not_exempt");
    assert_eq!(cites(&v["reasons"]), ["第4条第3項"]);
}

#[test]
fn describe_lists_every_toyama_rule_of_the_domain_matrix() {
    let r = registry();
    let v = decide(&r, json!({ "variant": "toyama-2023", "operation": "describe" }));
    let md = &v["metadata"];
    assert_eq!(md["effective_from"], "2023-05-31");
    assert_eq!(md["institution_name"], "富山県信用組合");
    let c = cites(&md["rules"]);
    for row in [
        "第1条第2項第1号",
        "第1条第2項第2号",
        "第1条第2項第3号",
        "第2条第1項第1号",
        "第2条第1項第2号",
        "第2条第1項第3号",
        "第2条第2項第1号",
        "第2条第2項第2号",
        "第2条第2項第3号",
        "第2条第2項第4号",
        "第2条第2項第5号",
        "第2条第2項第6号",
        "第3条第1項",
        "第4条第1項",
        "第4条第3項",
        "第4条第5項",
        "第4条第6項第1号",
        "第4条第6項第2号",
        "第4条第7項",
        "第5条第1項",
        "第5条第2項",
        "第5条第3項",
        "第7条第2項",
        "第7条第3項",
        "第7条第4項",
        "第9条第1項",
    ] {
        assert!(c.contains(&row.to_string()), "{row} missing from describe");
    }
}

#[test]
fn response_names_the_module_by_sha256() {
    let r = registry();
    let v = decide(&r, example());
    let bytes = std::fs::read(policies().join("toyama-2023.wasm")).unwrap();
    assert_eq!(v["policy"]["sha256"], kitei::component::sha256_hex(&bytes));
    assert_eq!(r.variant("toyama-2023").unwrap().info().sha256, kitei::component::sha256_hex(&bytes));
}

#[test]
fn bad_modules_are_refused_with_their_reason_while_good_ones_load() {
    let dir = temp_policy_dir("refusals", &["toyama-2023"]);
    let wit = policy_wit();
    let with_import = wit.replace("world institution-policy {", "world institution-policy {\n    import log: func(msg: string);");
    assert_ne!(with_import, wit);
    std::fs::write(dir.join("imports.wasm"), dummy_component(&with_import, "institution-policy")).unwrap();
    let other_world = "package other:thing@1.0.0;\ninterface greet { hello: func() -> string; }\nworld w { export greet; }\n";
    std::fs::write(dir.join("other-world.wasm"), dummy_component(other_world, "w")).unwrap();
    let other_version = wit.replace("kitei:policy@0.4.0", "kitei:policy@0.2.0");
    std::fs::write(dir.join("other-version.wasm"), dummy_component(&other_version, "institution-policy")).unwrap();
    std::fs::write(dir.join("corrupt.wasm"), b"\0asm\x0d\0\x01\0 definitely not a component").unwrap();
    std::fs::write(dir.join("traps.wasm"), dummy_component(&wit, "institution-policy")).unwrap();

    let r = Registry::load_dir(&runtime(), &dir).unwrap();
    assert_eq!(r.policies().len(), 1, "{:?}", r.rejected());
    assert!(r.variant("toyama-2023").is_some());
    let reason = |file: &str| r.rejected().iter().find(|x| x.file().ends_with(file)).unwrap_or_else(|| panic!("{file} not rejected")).to_string();
    let m = reason("imports.wasm");
    assert!(m.contains("imports.wasm") && m.contains("import nothing") && m.contains("log"), "{m}");
    let m = reason("other-world.wasm");
    assert!(m.contains("does not export `kitei:policy/policy@0.4.0`") && m.contains("other:thing/greet"), "{m}");
    // a version the host does not serve is named, with the ones it serves
    let m = reason("other-version.wasm");
    assert!(m.contains("kitei:policy/policy@0.2.0") && m.contains("it serves 0.4.0, 0.3.0"), "{m}");
    let m = reason("corrupt.wasm");
    assert!(m.contains("corrupt.wasm") && m.contains("not a valid WebAssembly component"), "{m}");
    let m = reason("traps.wasm");
    assert!(m.contains("traps.wasm") && m.contains("failed while loading"), "{m}");
    // the good one still answers
    assert_eq!(decide(&r, example())["decision"], "permit");
}

#[test]
fn request_errors_name_the_field() {
    let r = registry();
    let base = example();
    let with = |path: &[&str], value: Value| {
        let mut req = base.clone();
        let mut node = &mut req;
        for p in &path[..path.len() - 1] {
            node = if let Ok(i) = p.parse::<usize>() { &mut node[i] } else { &mut node[*p] };
        }
        node[path[path.len() - 1]] = value;
        req.to_string()
    };
    let e = error(&r, &with(&["customer", "nickname"], json!("x")));
    assert_eq!(kitei_serve::decision_status(&e), 422);
    assert!(e.to_string().contains("unknown field `nickname`") && e.to_string().contains("customer"), "{e}");
    let e = error(&r, &with(&["customer", "accounts", "0", "kind"], json!("checking")));
    assert_eq!(e.code(), "invalid_request");
    assert!(e.to_string().contains("customer.accounts[0].kind") && e.to_string().contains("unknown account kind `checking`"), "{e}");
    // a term no loaded module declares: refused naming the field and the term
    let e = error(&r, &with(&["function"], json!("debit_statement")));
    assert_eq!((e.code(), kitei_serve::decision_status(&e)), ("invalid_request", 422));
    assert!(e.to_string().contains("`function`") && e.to_string().contains("none declares `debit_statement`"), "{e}");
    let e = error(&r, &with(&["facts"], json!({ "platform_id_registered": true })));
    assert!(e.to_string().contains("facts.platform_id_registered") && e.to_string().contains("no loaded module declares it"), "{e}");
    let e = error(&r, &with(&["customer", "accounts", "0", "sharing_permitted"], json!(true)));
    assert!(e.to_string().contains("customer.accounts[0].sharing_permitted"), "{e}");
    let e = error(&r, &with(&["customer", "accounts", "0", "colour"], json!("red")));
    assert!(e.to_string().contains("unknown field `colour`"), "{e}");
    let e = error(&r, &with(&["consent", "authenticated_at"], json!("yesterday")));
    assert!(e.to_string().contains("consent.authenticated_at") && e.to_string().contains("invalid timestamp `yesterday`"), "{e}");
    let e = error(&r, &with(&["account_ids"], json!(["A1", "Z9"])));
    assert!(e.to_string().contains("account_ids[1]") && e.to_string().contains("Z9"), "{e}");
    let e = error(&r, &with(&["function"], Value::Null));
    assert!(e.to_string().contains("`function` is required"), "{e}");
    let e = error(&r, "{ not json");
    assert_eq!((e.code(), kitei_serve::decision_status(&e)), ("malformed_json", 400));
    let e = error(&r, &with(&["institution"], json!("nowhere")));
    assert_eq!((e.code(), kitei_serve::decision_status(&e)), ("unknown_institution", 404));
    let e = error(&r, &with(&["at"], json!("2020-01-01T00:00:00+09:00")));
    assert_eq!((e.code(), kitei_serve::decision_status(&e)), ("not_in_force", 404));
    assert_eq!(e.to_json()["error"]["code"], "not_in_force");
}

#[test]
fn gunma_is_decided_by_the_version_in_force_including_utc_times() {
    let r = registry();
    let variant = |at: &str| decide(&r, json!({ "institution": "gunma", "operation": "eligibility", "at": at }))["policy"]["variant"].clone();
    assert_eq!(variant("2023-06-05T23:59:59+09:00"), "gunma-2019");
    assert_eq!(variant("2023-06-06T00:00:00+09:00"), "gunma-2023");
    // 2023-06-05T15:00Z is 2023-06-06 00:00 JST
    assert_eq!(variant("2023-06-05T14:59:59Z"), "gunma-2019");
    assert_eq!(variant("2023-06-05T15:00:00Z"), "gunma-2023");
    assert_eq!(variant("2023-06-06T00:00:00"), "gunma-2023", "no offset reads as JST");
}
