//! Every HTTP error case of `kitei serve` as data: one line per request
//! (the state it meets, method, path, headers, body) and what it must be
//! answered (status, api.md error `code`, a text the message names, and
//! what it leaves in the decision log and the metrics). Each line runs
//! through `kitei_serve::router` with `tower::ServiceExt::oneshot`, no port,
//! against a fresh state of its own (the loaded modules are shared), so a
//! line's log lines and counts are its own.
//!
//! What needs a started server stays in `tests/serve.rs`: loading through
//! the reloader, the decision log opened from `Config`, hot reload, and
//! the sequences (a module marked slow after a timeout, a file refused then
//! withdrawn).

use http_body_util::BodyExt;
use kitei::{LoadedPolicy, Registry};
use kitei_serve::{AppState, DecisionLog, HttpLimits, router};
use kitei_tests::{registry, runtime};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tower::ServiceExt;

/// What the request meets.
#[derive(Clone, Copy, Debug)]
enum On {
    /// toyama-2023, gunma-2019 and gunma-2023 serving; bodies of at most 4096 bytes
    Serving,
    /// loaded, and nothing serves
    Empty,
    /// the directory not loaded yet
    Unloaded,
}
use On::{Empty, Serving, Unloaded};

/// What an error answer leaves behind.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Trace {
    /// one decision-log line with its code, and one count in `kitei_decision_errors_total`
    Logged,
    /// a count in `kitei_decision_errors_total`, no log line (it never reached a policy lookup)
    Counted,
    /// neither
    Nothing,
}
use Trace::{Counted, Logged, Nothing};

const JSON: &[(&str, &str)] = &[("content-type", "application/json")];
const TEXT: &[(&str, &str)] = &[("content-type", "text/plain")];
const NONE: &[(&str, &str)] = &[];
/// a body declared over the limit (4096) is refused before it is read
const DECLARED_5000: &[(&str, &str)] = &[("content-type", "application/json"), ("content-length", "5000")];

/// api.md's example (`examples/01-toyama-authorize.json`).
fn example() -> Value {
    serde_json::from_str(include_str!("../examples/01-toyama-authorize.json")).expect("the example is JSON")
}

/// The example with the value at `pointer` replaced.
fn example_with(pointer: &str, value: Value) -> String {
    let mut v = example();
    *v.pointer_mut(pointer).unwrap_or_else(|| panic!("the example has no `{pointer}`")) = value;
    v.to_string()
}

/// A gunma accounts request at `at`.
fn gunma_at(at: &str) -> String {
    json!({
        "institution": "gunma", "operation": "accounts", "at": at,
        "customer": { "accounts": [ { "id": "L1", "kind": "card_loan" }, { "id": "O1", "kind": "ordinary" } ] },
        "provider": { "channel": "anser_api" }
    })
    .to_string()
}

type Case = (On, &'static str, &'static str, &'static [(&'static str, &'static str)], String, u16, &'static str, &'static str, Trace);

fn cases() -> Vec<Case> {
    let ex = example().to_string();
    let big = format!("{}{ex}", " ".repeat(5000));
    let piggy_bank = example_with("/customer/accounts/0/kind", json!("piggy_bank"));
    vec![
        // (on, method, path, headers, body) → (status, code, a text the message names, what it leaves)
        (Serving, "POST", "/v1/decisions", JSON, "{\"institution\": ".into(), 400, "malformed_json", "EOF while parsing", Logged),
        (Serving, "POST", "/v1/decisions", TEXT, ex.clone(), 415, "not_json", "`text/plain`", Counted),
        (Serving, "POST", "/v1/decisions", NONE, ex.clone(), 415, "not_json", "no `Content-Type`", Counted),
        (Serving, "POST", "/v1/decisions", JSON, piggy_bank, 422, "invalid_request", "customer.accounts[0].kind", Logged),
        (Serving, "POST", "/v1/decisions", JSON, example_with("/institution", json!("atlantis")), 404, "unknown_institution", "atlantis", Logged),
        (Serving, "POST", "/v1/decisions", JSON, gunma_at("2001-01-01T00:00:00+09:00"), 404, "not_in_force", "gunma", Logged),
        (Serving, "POST", "/v1/decisions", JSON, big, 413, "too_large", "4096 bytes", Counted),
        (Serving, "POST", "/v1/decisions", DECLARED_5000, ex.clone(), 413, "too_large", "4096 bytes", Counted),
        (Serving, "POST", "/v1/decisions/batch", JSON, ex.clone(), 422, "invalid_request", "a JSON array of requests", Counted),
        (Serving, "POST", "/v1/decisions/batch", JSON, "[{".into(), 400, "malformed_json", "EOF while parsing", Counted),
        (Serving, "GET", "/v2/nothing", NONE, "".into(), 404, "not_found", "`/v2/nothing`", Nothing),
        (Serving, "GET", "/v1/diff?old=gunma-2019&new=akita-notice", NONE, "".into(), 404, "unknown_variant", "akita-notice", Nothing),
        (Serving, "GET", "/v1/diff?old=gunma-2019", NONE, "".into(), 400, "bad_query", "new", Nothing),
        (Serving, "GET", "/v1/diff?old=gunma-2019&new=gunma-2023&colour=red", NONE, "".into(), 400, "bad_query", "colour", Nothing),
        (Serving, "GET", "/v1/matrix?at=tomorrow", NONE, "".into(), 400, "bad_query", "tomorrow", Nothing),
        (Serving, "GET", "/explorer/index.html", NONE, "".into(), 404, "not_found", "`/explorer/index.html`", Nothing),
        (Serving, "GET", "/explorer/explorer.js", NONE, "".into(), 404, "not_found", "`/explorer/explorer.js`", Nothing),
        (Serving, "GET", "/explorer/secrets.txt", NONE, "".into(), 404, "not_found", "`/explorer/secrets.txt`", Nothing),
        (Serving, "GET", "/explorer/..%2Fsrc%2Flib.rs", NONE, "".into(), 404, "not_found", "src/lib.rs", Nothing),
        (Empty, "GET", "/v1/matrix", NONE, "".into(), 503, "no_policies", "holds none", Nothing),
        (Unloaded, "GET", "/readyz", NONE, "".into(), 503, "not_ready", "not loaded yet", Nothing),
        (Unloaded, "POST", "/v1/decisions", JSON, ex.clone(), 503, "not_ready", "not loaded yet", Counted),
        (Unloaded, "POST", "/v1/decisions/batch", JSON, format!("[{ex}]"), 503, "not_ready", "not loaded yet", Counted),
    ]
}

/// A fresh state for one case, its decision log at `log`.
fn state(on: On, serving: &[Arc<dyn LoadedPolicy>], log: &Path) -> AppState {
    let _ = std::fs::remove_file(log);
    let log = DecisionLog::open(log).unwrap_or_else(|e| panic!("{}: {e}", log.display()));
    let limits = HttpLimits { body_bytes: 4096, ..HttpLimits::default() };
    let state = AppState::new(runtime(), PathBuf::from("(in memory)"), limits, Some(log));
    match on {
        Serving => state.install(Registry::new(serving.to_vec(), vec![])),
        Empty => state.install(Registry::default()),
        Unloaded => {}
    }
    state
}

async fn send(state: &AppState, method: &str, path: &str, headers: &[(&str, &str)], body: String) -> (u16, String) {
    let mut request = http::Request::builder().method(method).uri(path);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = request.body(body).expect("a request");
    let response = router(state.clone()).oneshot(request).await.unwrap_or_else(|e| match e {});
    let status = response.status().as_u16();
    let bytes = response.into_body().collect().await.expect("the body").to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// What is wrong with the answer to `case`, if anything.
async fn check(case: &Case, serving: &[Arc<dyn LoadedPolicy>], log: &Path) -> Result<(), String> {
    let (on, method, path, headers, body, status, code, names, trace) = case.clone();
    let state = state(on, serving, log);
    let (got, text) = send(&state, method, path, headers, body).await;
    let v: Value = serde_json::from_str(&text).map_err(|e| format!("not JSON ({e}): {text}"))?;
    let (got_code, message) = (v["error"]["code"].as_str(), v["error"]["message"].as_str().unwrap_or_default());
    if (got, got_code) != (status, Some(code)) {
        return Err(format!("answered {got} {got_code:?}, not {status} {code:?}: {text}"));
    }
    if !message.contains(names) {
        return Err(format!("the message does not name {names:?}: {message}"));
    }
    let lines: Vec<Value> = std::fs::read_to_string(log).unwrap_or_default().lines().map(|l| serde_json::from_str(l).unwrap_or(Value::Null)).collect();
    let logged: Vec<&str> = lines.iter().map(|l| l["error"].as_str().unwrap_or("(not an error line)")).collect();
    if logged != if trace == Logged { vec![code] } else { vec![] } {
        return Err(format!("{trace:?}, and the decision log holds {logged:?}"));
    }
    let (_, metrics) = send(&state, "GET", "/metrics", NONE, String::new()).await;
    let counts: Vec<&str> = metrics.lines().filter(|l| l.starts_with("kitei_decision_errors_total{")).collect();
    let want = format!("kitei_decision_errors_total{{code=\"{code}\"}} 1");
    if counts != if trace == Nothing { vec![] } else { vec![want.as_str()] } {
        return Err(format!("{trace:?}, and the metrics count {counts:?}"));
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_error_code_through_the_router() {
    let loaded = registry();
    let serving: Vec<Arc<dyn LoadedPolicy>> =
        ["toyama-2023", "gunma-2019", "gunma-2023"].iter().map(|v| loaded.variant(v).unwrap_or_else(|| panic!("{v} built")).clone()).collect();
    let log = std::env::temp_dir().join(format!("kitei-test-routes-{}.jsonl", std::process::id()));
    let mut failures = Vec::new();
    let cases = cases();
    for (i, case) in cases.iter().enumerate() {
        if let Err(why) = check(case, &serving, &log).await {
            let (on, method, path, _, _, status, code, ..) = case;
            failures.push(format!("case {i}, {on:?} {method} {path} → {status} {code}: {why}"));
        }
    }
    let _ = std::fs::remove_file(&log);
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
}
