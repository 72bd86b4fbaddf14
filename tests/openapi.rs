//! The OpenAPI document (`GET /openapi.json`) is valid OpenAPI 3.1 by a real
//! validator (openapi-spec-validator, from PyPI), documents every endpoint,
//! and describes what the service really says: every JSON example of
//! docs/api.md, and the service's own answers — every operation of every
//! variant, errors, the policy list, the matrix, a diff, a batch — fit its
//! schemas, while broken copies of them must not (the controls).
//!
//! The validators run in Python: `./run test` installs them into
//! `target/venv` (or set `KITEI_PYTHON` to an interpreter that has them).

use kitei::{OperationName, Wire};
use kitei_serve::Config;
use kitei_tests::{registry, root, temp_policy_dir};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

/// Every route `kitei serve` answers.
const ROUTES: [&str; 11] =
    ["/", "/healthz", "/metrics", "/openapi.json", "/readyz", "/v1/decisions", "/v1/decisions/batch", "/v1/diff", "/v1/matrix", "/v1/policies", "/v1/shadow"];

/// The Python that has the validators, or a failure saying how to get one.
fn python() -> PathBuf {
    let python = std::env::var_os("KITEI_PYTHON").map_or_else(|| root().join("target/venv/bin/python"), PathBuf::from);
    let ok = Command::new(&python).args(["-c", "import openapi_spec_validator, openapi_schema_validator, referencing"]).status().is_ok_and(|s| s.success());
    assert!(ok, "{} lacks openapi-spec-validator: `./run test` installs it into target/venv (or set KITEI_PYTHON)", python.display());
    python
}

fn document() -> Value {
    serde_json::from_str(kitei_serve::openapi_json()).expect("the document is JSON")
}

/// A temporary directory of one test, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(test: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("kitei-openapi-{test}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        Scratch(dir)
    }

    /// Writes `name` in the directory and returns its path.
    fn file(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, contents).expect("write temp file");
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn the_document_is_valid_openapi_3_1_and_lists_every_route() {
    let doc = document();
    assert_eq!(doc["openapi"], "3.1.0");
    let mut paths: Vec<&str> = doc["paths"].as_object().expect("paths").keys().map(String::as_str).collect();
    paths.sort_unstable();
    assert_eq!(paths, ROUTES);
    let scratch = Scratch::new("document");
    let file = scratch.file("openapi.json", kitei_serve::openapi_json());
    let out = Command::new(python()).args(["-m", "openapi_spec_validator"]).arg(&file).output().expect("run the validator");
    let said = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "openapi-spec-validator refused the document:\n{said}");
    println!("openapi-spec-validator: {}", said.trim());

    // and it refuses a broken one, so the check above can fail
    let mut broken = doc.clone();
    broken["paths"]["/v1/decisions"]["post"]["responses"]["200"]["content"]["application/json"]["schema"] =
        json!({"$ref": "#/components/schemas/NoSuchSchema"});
    let file = scratch.file("broken.json", &broken.to_string());
    let out = Command::new(python()).args(["-m", "openapi_spec_validator"]).arg(&file).output().expect("run the validator");
    assert!(!out.status.success(), "openapi-spec-validator accepted a reference to a missing schema");
}

/// The JSON blocks of docs/api.md, each named by the schema it must fit.
fn api_md_examples() -> Vec<(String, Value)> {
    let text = std::fs::read_to_string(root().join("docs/api.md")).expect("docs/api.md");
    let mut out = Vec::new();
    for block in text.split("```json").skip(1) {
        let body = block.split("```").next().expect("a closed block");
        let value: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("docs/api.md: a JSON block does not parse: {e}\n{body}"));
        let schema = if value.get("error").is_some() {
            "Error"
        } else if value.get("policy").is_some() {
            "Answer"
        } else {
            "DecisionRequest"
        };
        out.push((schema.to_string(), value));
    }
    out
}

/// api.md's response example is what the service answers to the request
/// before it (the module's hash aside): the docs say what the code does.
#[test]
fn api_md_response_example_is_the_real_answer() {
    let examples = api_md_examples();
    let i = examples.iter().position(|(schema, _)| schema == "Answer").expect("api.md has a response example");
    let (schema, request) = &examples[i - 1];
    assert_eq!(schema, "DecisionRequest", "the block before the response example is its request");
    let question = kitei::Question::from_json(request.to_string().as_bytes()).expect("api.md's request is valid");
    let mut real = registry().decide(&question).expect("decided").to_json();
    let mut documented = examples[i].1.clone();
    for v in [&mut real, &mut documented] {
        v["policy"]["sha256"] = json!("…");
    }
    assert_eq!(documented, real, "docs/api.md's response example differs from the real answer");
}

struct Service {
    base: String,
    client: reqwest::Client,
}

impl Service {
    async fn get(&self, path: &str) -> (u16, Value) {
        let r = self.client.get(format!("{}{path}", self.base)).send().await.unwrap_or_else(|e| panic!("GET {path}: {e}"));
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or_else(|e| panic!("GET {path}: not JSON: {e}")))
    }

    async fn post(&self, path: &str, content_type: &str, body: String) -> (u16, Value) {
        let r = self
            .client
            .post(format!("{}{path}", self.base))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"));
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or_else(|e| panic!("POST {path}: not JSON: {e}")))
    }
}

/// A request with every fact set and an account of every kind.
fn full_request(variant: &str, op: OperationName) -> Value {
    let accounts: Vec<Value> = kitei::types::AccountKind::names()
        .iter()
        .enumerate()
        .map(|(i, kind)| {
            json!({ "id": format!("K{i}"), "kind": kind, "cash_card": true, "pin_registered": true,
                    "internet_banking_registered": true, "loan_card": i % 2 == 0 })
        })
        .collect();
    json!({
        "variant": variant, "operation": op.wire(), "at": "2023-07-03T10:00:00+09:00",
        "customer": { "internet_banking_contract": true, "accounts": accounts },
        "provider": { "id": "moneyforward", "designated": true, "contract": true, "channel": "anser_api" },
        "consent": { "agreed_to_terms": true, "api_auth_completed": true,
                     "authenticated_at": "2023-06-01T09:00:00+09:00", "last_access_at": "2023-07-02T09:00:00+09:00",
                     "authorized_functions": ["balance", "transactions"] },
        "function": "balance",
        "incident": { "kind": "leak", "loss_event": "credential_misuse", "institution_at_fault": true }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn examples_and_real_answers_fit_the_schemas() {
    let python = python();
    // a trust file (signatures not required), so `trust` of GET /v1/policies is
    // an object, not null; the modules copied without any `.wasm.sig` that
    // another command may have left beside the built ones
    let trust = std::env::temp_dir().join(format!("kitei-openapi-trust-{}.toml", std::process::id()));
    std::fs::write(&trust, "require_signatures = false\n").expect("write trust file");
    let built: Vec<String> = registry().policies().iter().map(|p| p.info().variant().to_string()).collect();
    let dir = temp_policy_dir("openapi", &built.iter().map(String::as_str).collect::<Vec<_>>());
    let config = Config {
        policies: dir.clone(),
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        trust_file: Some(trust.clone()),
        // shadowed, so GET /v1/shadow has a pair to describe
        shadow: Some(kitei_serve::ShadowConfig::default()),
        ..Config::default()
    };
    let (addr, handle) = kitei_serve::spawn(config).await.expect("server starts");
    let svc = Service { base: format!("http://{addr}"), client: reqwest::Client::builder().timeout(Duration::from_secs(60)).build().expect("client") };
    let started = std::time::Instant::now();
    while svc.get("/readyz").await.0 != 200 {
        assert!(started.elapsed() < Duration::from_secs(60), "not ready within 60 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let mut items: Vec<Value> = Vec::new();

    for (i, (schema, value)) in api_md_examples().into_iter().enumerate() {
        add(&mut items, &schema, format!("docs/api.md block {}", i + 1), value, true);
    }
    for entry in std::fs::read_dir(root().join("examples")).expect("examples/") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "json") {
            let value: Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("JSON");
            add(&mut items, "DecisionRequest", path.display().to_string(), value, true);
        }
    }

    // every operation of every variant, as the service answers it
    let variants: Vec<String> = registry().policies().iter().map(|p| p.info().variant().to_string()).collect();
    assert_eq!(variants.len(), 6);
    let mut answers = 0;
    for variant in &variants {
        for op in OperationName::ALL {
            let request = full_request(variant, op);
            add(&mut items, "DecisionRequest", format!("request {variant} {}", op.wire()), request.clone(), true);
            let (status, answer) = svc.post("/v1/decisions", "application/json", request.to_string()).await;
            assert_eq!(status, 200, "{variant} {}: {answer}", op.wire());
            add(&mut items, "Answer", format!("answer {variant} {}", op.wire()), answer, true);
            answers += 1;
        }
    }

    // real errors, one per status the decision endpoint gives
    let errors = [
        ("application/json", "{".to_string(), 400),
        ("application/json", json!({"institution": "nowhere", "operation": "eligibility", "at": "2023-07-03T10:00:00+09:00"}).to_string(), 404),
        ("application/json", json!({"institution": "toyama", "operation": "eligibility"}).to_string(), 422),
        ("text/plain", "{}".to_string(), 415),
        ("application/json", json!({"institution": "toyama", "operation": "eligibility", "colour": "red"}).to_string(), 422),
        ("application/json", json!({"institution": "gunma", "operation": "eligibility", "at": "2001-01-01T00:00:00+09:00"}).to_string(), 404),
    ];
    for (content_type, body, want) in errors {
        let (status, error) = svc.post("/v1/decisions", content_type, body.clone()).await;
        assert_eq!(status, want, "{body}: {error}");
        add(&mut items, "Error", format!("error {status} for {body}"), error, true);
    }
    let (status, error) = svc.get("/v1/diff?old=gunma-2019&new=nowhere").await;
    assert_eq!(status, 404);
    add(&mut items, "Error", "error from /v1/diff".into(), error, true);
    let (status, error) = svc.get("/v1/matrix?at=yesterday").await;
    assert_eq!(status, 400);
    add(&mut items, "Error", "error from /v1/matrix".into(), error, true);

    // the other endpoints
    let batch = json!([full_request("toyama-2023", OperationName::Authorize), {"operation": "eligibility"}, full_request("gunma-2019", OperationName::Token)]);
    let (status, answers_of_batch) = svc.post("/v1/decisions/batch", "application/json", batch.to_string()).await;
    assert_eq!(status, 200);
    for (i, item) in answers_of_batch.as_array().expect("an array").iter().enumerate() {
        add(&mut items, "BatchItem", format!("batch element {i}"), item.clone(), true);
    }
    for (path, schema) in [
        ("/v1/policies", "PolicyList"),
        ("/v1/matrix", "Matrix"),
        ("/v1/diff?old=gunma-2019&new=gunma-2023", "DiffReport"),
        ("/healthz", "Health"),
        ("/readyz", "Ready"),
    ] {
        let (status, value) = svc.get(path).await;
        assert_eq!(status, 200, "{path}: {value}");
        if path == "/v1/policies" {
            assert_eq!(value["trust"]["file"], trust.to_str().expect("UTF-8 path"), "{value}");
        }
        add(&mut items, schema, format!("GET {path}"), value, true);
    }
    // a card loan of 2021: gunma-2019 answers, gunma-2023 (next) in its shadow
    let (status, _) = svc.post("/v1/decisions", "application/json", kitei_tests::gunma_card_loan(1).to_string()).await;
    assert_eq!(status, 200);
    let shadow = loop {
        let (status, report) = svc.get("/v1/shadow").await;
        assert_eq!(status, 200, "{report}");
        if report["pending"] == 0 && report["pairs"].as_array().is_some_and(|p| !p.is_empty()) {
            break report;
        }
        assert!(started.elapsed() < Duration::from_secs(120), "no shadow pair: {report}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(shadow["pairs"][0]["clauses"].as_array().is_some_and(|c| !c.is_empty()), "{shadow}");
    add(&mut items, "ShadowReport", "GET /v1/shadow".into(), shadow.clone(), true);
    add(&mut items, "ShadowReport", "GET /v1/shadow without --shadow".into(), serde_json::to_value(kitei_serve::ShadowReport::disabled()).expect("JSON"), true);
    let _ = std::fs::remove_file(&trust);
    let _ = std::fs::remove_dir_all(&dir);

    // controls: broken copies of real instances must be refused
    let answer = |variant: &str, op: OperationName| items_of(&items, &format!("answer {variant} {}", op.wire()));
    let mut controls = Vec::new();
    let mut r = full_request("toyama-2023", OperationName::Authorize);
    r["colour"] = json!("red");
    controls.push(("DecisionRequest", "request with an unknown field", r));
    let mut r = full_request("toyama-2023", OperationName::Authorize);
    r["operation"] = json!("approve");
    controls.push(("DecisionRequest", "request with an unknown operation", r));
    let mut r = full_request("toyama-2023", OperationName::Authorize);
    r["customer"]["accounts"][0]["kind"] = json!("crypto");
    controls.push(("DecisionRequest", "request with an unknown account kind", r));
    let mut r = full_request("toyama-2023", OperationName::Authorize);
    r.as_object_mut().expect("an object").remove("function");
    controls.push(("DecisionRequest", "authorize without a function", r));
    let mut r = full_request("toyama-2023", OperationName::Eligibility);
    r.as_object_mut().expect("an object").remove("variant");
    controls.push(("DecisionRequest", "neither institution nor variant", r));
    controls.push(("DecisionRequest", "institution without at", json!({"institution": "toyama", "operation": "eligibility"})));
    let mut r = full_request("toyama-2023", OperationName::Incident);
    r["incident"].as_object_mut().expect("an object").remove("kind");
    controls.push(("DecisionRequest", "incident without incident.kind", r));
    let mut a = answer("toyama-2023", OperationName::Authorize);
    a["decision"] = json!("maybe");
    controls.push(("Answer", "answer with an unknown decision", a));
    let mut a = answer("toyama-2023", OperationName::Authorize);
    a["reasons"][0].as_object_mut().expect("a reason").remove("cite");
    controls.push(("Answer", "answer with a reason without its cite", a));
    let mut a = answer("gunma-2023", OperationName::Eligibility);
    a["token"] = json!({"status": "valid", "expires_at": null, "reasons": []});
    controls.push(("Answer", "eligibility answer with a token field", a));
    let mut a = answer("gunma-2023", OperationName::Liability);
    a["liability"][0]["ruling"] = json!("guilty");
    controls.push(("Answer", "liability answer with an unknown ruling", a));
    let mut a = answer("gunma-2023", OperationName::Describe);
    a["metadata"]["rules"][0]["provenance"] = json!("rumour");
    controls.push(("Answer", "rule sheet with an unknown provenance", a));
    controls.push(("Error", "error without its message", json!({"error": {"code": "invalid_request"}})));
    controls.push((
        "DiffReport",
        "diff report whose groups are not a list",
        json!({"old": {}, "new": {}, "at": "", "explored": [], "groups": "x", "texts": []}),
    ));
    let mut s = shadow.clone();
    s["pairs"][0]["clauses"][0]["count"] = json!("many");
    controls.push(("ShadowReport", "shadow report with a count that is not a number", s));
    let mut s = shadow;
    s["pairs"][0]["shadow"]["source"] = json!("rumoured");
    controls.push(("ShadowReport", "shadow report with an unknown source", s));
    let control_count = controls.len();
    for (schema, label, instance) in controls {
        add(&mut items, schema, format!("control: {label}"), instance, false);
    }

    let scratch = Scratch::new("instances");
    let file = scratch.file("instances.json", &serde_json::to_string(&items).expect("JSON"));
    let doc = scratch.file("openapi.json", kitei_serve::openapi_json());
    let out = Command::new(python).arg(root().join("tests/openapi/validate.py")).arg(&doc).arg(&file).output().expect("run validate.py");
    let said = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    println!("{said}");
    println!(
        "{} instances: {answers} real answers ({} variants × {} operations), {control_count} controls",
        items.len(),
        variants.len(),
        OperationName::ALL.len()
    );
    assert!(out.status.success(), "instances do not fit the OpenAPI document:\n{said}");
    handle.shutdown();
}

/// Adds an instance that must fit (or, for a control, must not fit) `schema`.
fn add(items: &mut Vec<Value>, schema: &str, label: String, instance: Value, valid: bool) {
    items.push(json!({ "schema": schema, "label": label, "instance": instance, "valid": valid }));
}

/// The instance added under `label`.
fn items_of(items: &[Value], label: &str) -> Value {
    items.iter().find(|i| i["label"] == label).map(|i| i["instance"].clone()).unwrap_or_else(|| panic!("no instance `{label}`"))
}
