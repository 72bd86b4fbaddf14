//! The fictional seventh institution (`examples/policy/kamome/`): two crates
//! outside the workspace, each declaring terms the core lacks, built by the
//! same `kitei build` path as the bundled ones and loaded beside toyama in
//! one registry. The registry selects between them by the customer's
//! segment, answers requests in their own terms with their clauses, and
//! answers toyama asked a kamome term from toyama's own text. The CLI side
//! (`kitei new` → `kitei build` → `kitei eval`, build errors naming the
//! term and file) is `host/cli/tests/authoring.rs`.

use kitei::Registry;
use kitei_tests::{KAMOME, kamome, runtime, temp_policy_dir};
use kitei_tools::conformance::{self, ScenarioResult, Subjects, Suite};
use serde_json::{Value, json};
use std::path::PathBuf;

/// toyama's built component and kamome's two, in one directory.
fn with_toyama(name: &str) -> PathBuf {
    let dir = temp_policy_dir(name, &["toyama-2023"]);
    for v in KAMOME {
        let file = format!("{v}.wasm");
        std::fs::copy(kamome().join(&file), dir.join(&file)).expect("copy kamome module");
    }
    dir
}

fn registry(name: &str) -> Registry {
    Registry::load_dir(&runtime(), &with_toyama(name)).expect("policy dir readable")
}

fn decide(registry: &Registry, request: &Value) -> Value {
    registry.decide_json(request.to_string().as_bytes()).map(|a| a.to_json()).unwrap_or_else(|e| panic!("decision failed: {e}"))
}

/// `(cite, code)` of every reason of an answer.
fn reasons(answer: &Value) -> Vec<(String, String)> {
    answer["reasons"]
        .as_array()
        .unwrap_or_else(|| panic!("no reasons: {answer}"))
        .iter()
        .map(|r| (r["cite"].as_str().unwrap().to_string(), r["code"].as_str().unwrap().to_string()))
        .collect()
}

fn has(answer: &Value, cite: &str, code: &str) -> bool {
    reasons(answer).contains(&(cite.to_string(), code.to_string()))
}

fn request(variant: &str) -> Value {
    let file = kitei_tests::root().join("examples/policy/kamome").join(variant).join("request.json");
    serde_json::from_slice(&std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))).unwrap()
}

#[test]
fn kamome_declares_its_terms_with_its_scope() {
    let r = registry("kamome-describe");
    let kinds = |variant: &str| {
        let md = decide(&r, &json!({"variant": variant, "operation": "describe", "at": "2026-06-01T10:00:00+09:00"}));
        let md = &md["metadata"];
        let terms: Vec<(String, String)> =
            md["terms"].as_array().unwrap().iter().map(|t| (t["name"].as_str().unwrap().into(), t["kind"].as_str().unwrap().into())).collect();
        (md["scope"].clone(), terms)
    };
    let (scope, terms) = kinds("kamome-kojin-2026");
    assert_eq!(scope, json!("individual"));
    let names: Vec<&str> = terms.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["debit_statement", "platform_id_registered", "platform_id_auth_days"], "{terms:?}");
    let (scope, terms) = kinds("kamome-hojin-2026");
    assert_eq!(scope, json!("corporate"));
    let names: Vec<&str> = terms.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["transfer_between_own_accounts", "sharing_permitted"], "{terms:?}");
}

#[test]
fn the_segment_selects_the_individual_or_the_corporate_text() {
    let r = registry("kamome-segment");
    // the individual's request in its own terms: the declared function and fact
    let a = decide(&r, &request("kamome-kojin-2026"));
    assert_eq!(a["policy"]["variant"], "kamome-kojin-2026", "{a}");
    assert_eq!(a["decision"], "permit", "{a}");
    assert!(has(&a, "第1条第2項第2号", "platform_id_registered"), "{a}");
    assert!(has(&a, "第2条第1項第3号", "function_offered"), "{a}");
    // the corporate one: the declared function, flag and authorization
    let a = decide(&r, &request("kamome-hojin-2026"));
    assert_eq!(a["policy"]["variant"], "kamome-hojin-2026", "{a}");
    assert_eq!(a["decision"], "permit", "{a}");
    assert!(has(&a, "第2条第3項", "sharing_permitted"), "{a}");
    assert!(has(&a, "第2条第1項第3号", "function_offered"), "{a}");
    assert!(has(&a, "第2条第4項", "function_authorized"), "{a}");
    // the same request, the account not shared: the corporate text's 2.3
    let mut req = request("kamome-hojin-2026");
    req["customer"]["accounts"][0]["sharing_permitted"] = json!(false);
    req["operation"] = json!("accounts");
    let a = decide(&r, &req);
    assert_eq!(a["policy"]["variant"], "kamome-hojin-2026");
    assert_eq!(a["accounts"][0]["linkable"], false, "{a}");
    assert!(has(&a["accounts"][0], "第2条第3項", "sharing_not_permitted"), "{a}");
    // the individual's request made corporate is the corporate text's,
    // which does not offer the debit statement: denied by its 2.1
    let mut req = request("kamome-kojin-2026");
    req["customer"]["segment"] = json!("corporate");
    let a = decide(&r, &req);
    assert_eq!(a["policy"]["variant"], "kamome-hojin-2026");
    assert_eq!(a["decision"], "deny");
    assert!(has(&a, "第2条第1項", "function_not_offered"), "{a}");
}

#[test]
fn toyama_asked_a_kamome_function_denies_it_by_its_own_functions_clause() {
    let r = registry("kamome-toyama");
    let mut req: Value = serde_json::from_str(include_str!("../examples/01-toyama-authorize.json")).unwrap();
    let a = decide(&r, &req);
    assert_eq!(a["decision"], "permit", "the example as it is: {a}");
    req["function"] = json!("debit_statement");
    req["facts"] = json!({"platform_id_registered": true});
    let a = decide(&r, &req);
    assert_eq!(a["policy"]["variant"], "toyama-2023");
    assert_eq!(a["decision"], "deny", "{a}");
    assert!(has(&a, "第2条第1項", "function_not_offered"), "{a}");
}

#[test]
fn a_term_no_loaded_module_declares_is_an_error_naming_it() {
    let r = registry("kamome-unknown");
    let mut req = request("kamome-kojin-2026");
    req["function"] = json!("debit_statements");
    let e = r.decide_json(req.to_string().as_bytes()).map(|a| a.to_json()).expect_err("an unknown function");
    assert!(e.to_string().contains("`debit_statements`") && e.to_string().contains("`function`"), "{e}");
    let mut req = request("kamome-kojin-2026");
    req["facts"] = json!({"platform_id_registred": true});
    let e = r.decide_json(req.to_string().as_bytes()).map(|a| a.to_json()).expect_err("an unknown fact");
    assert!(e.to_string().contains("platform_id_registred"), "{e}");
    // without kamome loaded, its own terms are unknown too
    let toyama = Registry::load_dir(&runtime(), &temp_policy_dir("kamome-absent", &["toyama-2023"])).unwrap();
    let mut req: Value = serde_json::from_str(include_str!("../examples/01-toyama-authorize.json")).unwrap();
    req["function"] = json!("debit_statement");
    let e = toyama.decide_json(req.to_string().as_bytes()).map(|a| a.to_json()).expect_err("not declared by toyama");
    assert!(e.to_string().contains("`debit_statement`"), "{e}");
}

#[test]
fn kamomes_conformance_scenarios_pass_beside_toyama() {
    let suite = Suite::load(&[kitei_tests::root().join("examples/policy/kamome/conformance")]).unwrap_or_else(|e| panic!("{e}"));
    assert!(suite.scenarios.len() >= 5, "{} scenarios", suite.scenarios.len());
    let subjects = Subjects::components(registry("kamome-conformance"), runtime());
    let mut failures = Vec::new();
    for (name, scenario) in &suite.scenarios {
        for variant in ["kamome-kojin-2026", "kamome-hojin-2026", "toyama-2023"] {
            match conformance::check(&subjects, scenario, variant) {
                ScenarioResult::Fail(d) => failures.push(format!("{name} × {variant}: {}", d.join("; "))),
                ScenarioResult::Skip(_) => failures.push(format!("{name} × {variant}: skipped")),
                _ => {}
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
