//! `kitei serve` over real HTTP on loopback: every endpoint (their error
//! codes are a table in tests/routes.rs, through the router without a port),
//! readiness, and hot reload under load (no request dropped, every answer
//! from exactly one module), with the server started in-process on port 0.

use kitei::Outcome;
use kitei::component::sha256_hex;
use kitei::{DecisionError, LoadedPolicy, OperationName, PolicyInfo, Registry};
use kitei_serve::{self as serve, AppState, Config, ReloadConfig, ServerHandle};
use kitei_tests::{policies, registry, runtime, temp_policy_dir, with_custom_section};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How long any wait for the server may take before the test fails.
const DEADLINE: Duration = Duration::from_secs(60);

fn example() -> Value {
    serde_json::from_str(include_str!("../examples/01-toyama-authorize.json")).unwrap()
}

fn gunma_request() -> Value {
    json!({
        "institution": "gunma", "operation": "accounts", "at": "2023-07-03T10:00:00+09:00",
        "customer": { "accounts": [ { "id": "L1", "kind": "card_loan" }, { "id": "O1", "kind": "ordinary" } ] },
        "provider": { "channel": "anser_api" }
    })
}

fn config(dir: &Path) -> Config {
    Config {
        policies: dir.to_path_buf(),
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        reload: ReloadConfig { debounce: Duration::from_millis(100), rescan: Duration::from_millis(300) },
        ..Config::default()
    }
}

struct Server {
    base: String,
    client: reqwest::Client,
    handle: ServerHandle,
}

impl Server {
    async fn start(config: Config) -> Server {
        let (addr, handle) = serve::spawn(config).await.expect("server starts");
        Server::at(addr, handle)
    }

    fn at(addr: SocketAddr, handle: ServerHandle) -> Server {
        let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().expect("client");
        Server { base: format!("http://{addr}"), client, handle }
    }

    async fn get(&self, path: &str) -> (u16, String) {
        let r = self.client.get(format!("{}{path}", self.base)).send().await.expect("GET");
        (r.status().as_u16(), r.text().await.expect("body"))
    }

    async fn get_json(&self, path: &str) -> (u16, Value) {
        let (status, text) = self.get(path).await;
        (status, serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}: {text}")))
    }

    async fn post_raw(&self, path: &str, content_type: Option<&str>, body: impl Into<reqwest::Body>) -> (u16, Value) {
        let mut req = self.client.post(format!("{}{path}", self.base)).body(body);
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        let r = req.send().await.expect("POST");
        let status = r.status().as_u16();
        let text = r.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}: {text}")))
    }

    async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        self.post_raw(path, Some("application/json"), body.to_string()).await
    }

    async fn wait_until(&self, what: &str, mut ok: impl AsyncFnMut(&Server) -> bool) {
        let start = Instant::now();
        while !ok(self).await {
            assert!(start.elapsed() < DEADLINE, "timed out waiting for {what}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn ready(&self) {
        self.wait_until("readiness", async |s| s.get("/readyz").await.0 == 200).await;
    }

    async fn stop(self) {
        self.handle.shutdown();
        tokio::time::timeout(DEADLINE, self.handle.join()).await.expect("shutdown in time").expect("server ran");
    }
}

/// Two JSON values are equal; if not, names the first place they differ
/// (a whole report is too long to print).
fn same_json(what: &str, got: &Value, want: &Value) {
    fn first_difference(path: &str, a: &Value, b: &Value) -> Option<String> {
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                let keys: std::collections::BTreeSet<_> = x.keys().chain(y.keys()).collect();
                keys.into_iter().find_map(|k| first_difference(&format!("{path}.{k}"), x.get(k).unwrap_or(&Value::Null), y.get(k).unwrap_or(&Value::Null)))
            }
            (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
                x.iter().zip(y).enumerate().find_map(|(i, (a, b))| first_difference(&format!("{path}[{i}]"), a, b))
            }
            _ if a == b => None,
            _ => Some(format!("at {path}: {} ≠ {}", trim(a), trim(b))),
        }
    }
    fn trim(v: &Value) -> String {
        let s = v.to_string();
        if s.chars().count() > 300 { s.chars().take(300).collect::<String>() + "…" } else { s }
    }
    if let Some(d) = first_difference("", got, want) {
        panic!("{what} differs from the tool's JSON {d}");
    }
}

fn error_code(v: &Value) -> &str {
    v["error"]["code"].as_str().unwrap_or_else(|| panic!("not an error: {v}"))
}

/// The sha256 serving for `variant`, from `/v1/policies`.
async fn served_sha(s: &Server, variant: &str) -> Option<String> {
    let (_, v) = s.get_json("/v1/policies").await;
    v["policies"].as_array()?.iter().find(|p| p["variant"] == variant).map(|p| p["sha256"].as_str().unwrap_or_default().to_string())
}

async fn rejected_files(s: &Server) -> Vec<(String, String)> {
    let (_, v) = s.get_json("/v1/policies").await;
    v["rejected"]
        .as_array()
        .map(|a| a.iter().map(|r| (r["file"].as_str().unwrap_or_default().to_string(), r["error"].as_str().unwrap_or_default().to_string())).collect())
        .unwrap_or_default()
}

/// The service as `kitei serve` runs it, over a socket: started from a
/// `Config` (the decision log opened from it, the directory loaded by the
/// reloader), alive before ready, a decision logged before its response,
/// a batch, the policy list and the metrics those requests leave. The error
/// answers of every endpoint are a table run through the router without a
/// port: `tests/routes.rs`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_started_server_decides_logs_lists_and_counts() {
    let dir = temp_policy_dir("serve-endpoints", &["toyama-2023", "gunma-2019", "gunma-2023"]);
    let log = dir.with_extension("decisions.jsonl");
    let _ = std::fs::remove_file(&log);
    let s = Server::start(Config { http: serve::HttpLimits { body_bytes: 4096, ..Default::default() }, decision_log: Some(log.clone()), ..config(&dir) }).await;
    assert_eq!(s.get_json("/healthz").await.0, 200);
    s.ready().await;

    // api.md's example
    let body = example().to_string();
    let (status, v) = s.post("/v1/decisions", &example()).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["decision"], "permit");
    assert_eq!(v["policy"]["variant"], "toyama-2023");
    let toyama_sha = sha256_hex(&std::fs::read(dir.join("toyama-2023.wasm")).unwrap());
    assert_eq!(v["policy"]["sha256"], toyama_sha.as_str());

    // the decision log has the line, flushed before the response
    let lines = std::fs::read_to_string(&log).expect("decision log");
    let line: Value = serde_json::from_str(lines.lines().next().expect("one line")).unwrap();
    assert_eq!(line["variant"], "toyama-2023");
    assert_eq!(line["module_sha256"], toyama_sha.as_str());
    assert_eq!(line["request_sha256"], sha256_hex(body.as_bytes()).as_str());
    assert_eq!(line["decision"], "permit");
    assert!(line["cites"].as_array().unwrap().iter().any(|c| c == "第2条第2項第1号"), "{line}");
    assert!(line["time"].as_str().is_some());

    // batch: answered in order, each a response or an error object
    let batch = json!([example(), { "institution": "nowhere", "operation": "describe", "at": "2023-07-03T10:00:00" }, { "operation": "fly" }, gunma_request()]);
    let (status, v) = s.post("/v1/decisions/batch", &batch).await;
    assert_eq!(status, 200, "{v}");
    let items = v.as_array().expect("array");
    assert_eq!(items.len(), 4);
    assert_eq!(items[0]["decision"], "permit");
    assert_eq!(error_code(&items[1]), "unknown_institution");
    assert_eq!(error_code(&items[2]), "invalid_request");
    assert!(items[2]["error"]["message"].as_str().unwrap().contains("operation"), "{}", items[2]);
    assert_eq!(items[3]["policy"]["variant"], "gunma-2023");

    // /v1/policies: every variant with its sha256, dates, settings, source
    let (status, v) = s.get_json("/v1/policies").await;
    assert_eq!(status, 200);
    let list = v["policies"].as_array().unwrap();
    assert_eq!(list.len(), 3, "{v}");
    let toyama = list.iter().find(|p| p["variant"] == "toyama-2023").unwrap();
    assert_eq!(toyama["sha256"], toyama_sha.as_str());
    assert_eq!(toyama["institution"], "toyama");
    assert_eq!(toyama["effective_from"], "2023-05-31");
    assert!(toyama["settings"].is_object());
    assert!(toyama["source"].as_str().unwrap().ends_with("toyama-2023.wasm"));
    assert_eq!(v["rejected"], json!([]));

    // /metrics
    let (status, text) = s.get("/metrics").await;
    assert_eq!(status, 200);
    for needle in [
        "kitei_decisions_total{variant=\"toyama-2023\",operation=\"authorize\",decision=\"permit\"} 2",
        "kitei_decisions_total{variant=\"gunma-2023\",operation=\"accounts\",decision=\"none\"} 1",
        "kitei_decision_errors_total{code=\"unknown_institution\"} 1",
        "kitei_decision_errors_total{code=\"invalid_request\"} 1",
        "kitei_decision_duration_seconds_bucket{le=\"+Inf\"}",
        "kitei_reloads_total{result=\"ok\"} 1",
        "kitei_rejected_modules 0",
        "kitei_policies_loaded 3",
    ] {
        assert!(text.contains(needle), "{needle} missing from\n{text}");
    }

    // every decision made (batch elements and decision errors too) is logged
    let logged = std::fs::read_to_string(&log).unwrap().lines().count();
    assert_eq!(logged, 1 + 4, "one line per request that reached a policy lookup");
    s.stop().await;
}

/// A policy that fails: a trap or a timeout must be a 503 naming the variant.
struct Failing {
    info: PolicyInfo,
}

impl LoadedPolicy for Failing {
    fn info(&self) -> &PolicyInfo {
        &self.info
    }
    fn call(&self, operation: OperationName, _: &kitei::types::Request) -> Result<Outcome, DecisionError> {
        let variant = self.info.variant().to_string();
        match operation {
            OperationName::Token => Err(DecisionError::timeout(variant, 100)),
            _ => Err(DecisionError::policy_failed(variant, "wasm trap: unreachable")),
        }
    }
}

/// `/v1/diff` and `/v1/matrix` say what `kitei diff` and `kitei matrix`
/// say of the same modules; a module replaced by new bytes gets a new
/// comparison, not the kept one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_endpoints_answer_as_the_tools_do() {
    use kitei_tools::diff;
    let dir = temp_policy_dir("serve-review", &["gunma-2019", "gunma-2023", "toyama-2023"]);
    let s = Server::start(config(&dir)).await;
    s.ready().await;
    let runtime = kitei::Runtime::new(diff::batch_limits()).unwrap();
    let at = kitei::time::parse_timestamp(diff::DEFAULT_AT).unwrap();
    let old = diff::load_module(&runtime, "gunma-2019", &dir).unwrap();
    let new = diff::load_module(&runtime, "gunma-2023", &dir).unwrap();
    let report: Value = serde_json::from_str(&diff::render(&diff::compare(&old, &new, at).unwrap(), diff::Format::Json).unwrap()).unwrap();

    let (status, served) = s.get_json("/v1/diff?old=gunma-2019&new=gunma-2023").await;
    assert_eq!(status, 200, "{served}");
    same_json("/v1/diff", &served, &report);
    assert!(served["groups"].as_array().unwrap().iter().any(|g| g["operation"] == "accounts"), "gunma's 2.2 account change is in the diff");
    same_json("/v1/diff, kept", &s.get_json("/v1/diff?old=gunma-2019&new=gunma-2023").await.1, &report);

    let registry = Registry::load_dir(&runtime, &dir).unwrap();
    let matrix: Value =
        serde_json::from_str(&diff::render_matrix(&diff::matrix::matrix(registry.policies(), at).unwrap(), diff::Format::Json).unwrap()).unwrap();
    let (status, served) = s.get_json("/v1/matrix").await;
    assert_eq!(status, 200, "{served}");
    same_json("/v1/matrix", &served, &matrix);
    let (status, other) = s.get_json("/v1/matrix?at=2019-12-01T10:00:00%2B09:00").await;
    assert_eq!(status, 200, "{other}");
    assert_eq!(other["at"], "2019-12-01T10:00:00+09:00");

    // its error answers: tests/routes.rs

    // new bytes for gunma-2023 (same rules, another custom section): a new comparison naming them
    let path = dir.join("gunma-2023.wasm");
    let bytes = with_custom_section(&std::fs::read(&path).unwrap(), "review-test");
    let sha = sha256_hex(&bytes);
    std::fs::write(dir.join("gunma-2023.wasm.tmp"), &bytes).unwrap();
    std::fs::rename(dir.join("gunma-2023.wasm.tmp"), &path).unwrap();
    s.wait_until("the new gunma-2023", async |s| served_sha(s, "gunma-2023").await.as_deref() == Some(sha.as_str())).await;
    let (_, served) = s.get_json("/v1/diff?old=gunma-2019&new=gunma-2023").await;
    assert_eq!(served["new"]["sha256"], sha.as_str());
    s.stop().await;
}

/// The explorer's files come from the binary with a policy that allows
/// nothing but this origin (anything else under `/explorer/` is a JSON 404:
/// tests/routes.rs).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_explorer_is_served_under_a_strict_content_policy() {
    let dir = temp_policy_dir("serve-explorer", &["toyama-2023"]);
    let s = Server::start(config(&dir)).await;
    for (path, content_type, starts) in [
        ("/", "text/html; charset=utf-8", "<!doctype html>"),
        ("/explorer/main.js", "text/javascript; charset=utf-8", "// kitei explorer"),
        ("/explorer/textdiff.js", "text/javascript; charset=utf-8", "// kitei explorer"),
        ("/explorer/explorer.css", "text/css; charset=utf-8", "/* kitei explorer"),
    ] {
        let r = s.client.get(format!("{}{path}", s.base)).send().await.expect("GET");
        assert_eq!(r.status().as_u16(), 200, "{path}");
        let header = |name: &str| r.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        assert_eq!(header("content-type"), content_type, "{path}");
        assert!(header("content-security-policy").starts_with("default-src 'none'; script-src 'self'"), "{path}: {}", header("content-security-policy"));
        assert_eq!(header("x-content-type-options"), "nosniff");
        let text = r.text().await.expect("body");
        assert!(text.starts_with(starts), "{path}: {}", &text[..text.len().min(80)]);
    }
    // anything else under /explorer/ is a JSON 404: tests/routes.rs
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_module_is_503_never_a_permit() {
    let mut info = registry().variant("toyama-2023").expect("toyama").info().clone();
    info.metadata.variant = "broken-2023".into();
    let sha = info.sha256.clone();
    let state = AppState::new(runtime(), PathBuf::from("(in memory)"), serve::HttpLimits::default(), None);
    state.install(Registry::new(vec![Arc::new(Failing { info })], vec![]));
    let (addr, handle) = serve::spawn_state(state, SocketAddr::from(([127, 0, 0, 1], 0)), None).await.unwrap();
    let s = Server::at(addr, handle);
    let (status, v) = s.post("/v1/decisions", &example()).await;
    assert_eq!((status, error_code(&v)), (503, "policy_failed"), "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("broken-2023"), "{v}");
    assert!(v.get("decision").is_none());
    let mut token = example();
    token["operation"] = json!("token");
    // decisions run inline on the async worker until a module runs out of time
    assert!(!s.handle.state().slow_modules().is_slow(&sha), "not slow after a trap");
    let (status, v) = s.post("/v1/decisions", &token).await;
    assert_eq!((status, error_code(&v)), (503, "policy_timeout"), "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("broken-2023"), "{v}");
    assert!(s.handle.state().slow_modules().is_slow(&sha), "marked slow: its calls move to the blocking pool");
    // and answered there, the same way
    let (status, v) = s.post("/v1/decisions", &token).await;
    assert_eq!((status, error_code(&v)), (503, "policy_timeout"), "{v}");
    let (status, v) = s.post("/v1/decisions", &example()).await;
    assert_eq!((status, error_code(&v)), (503, "policy_failed"), "{v}");
    let (_, v) = s.post("/v1/decisions/batch", &json!([example()])).await;
    assert_eq!(error_code(&v[0]), "policy_failed");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn not_ready_until_the_directory_loads() {
    let built = policies();
    let dir = std::env::temp_dir().join(format!("kitei-test-serve-late-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let s = Server::start(config(&dir)).await;
    assert_eq!(s.get_json("/healthz").await.0, 200, "alive before ready");
    let (status, v) = s.get_json("/readyz").await;
    assert_eq!((status, error_code(&v)), (503, "not_ready"));
    let (status, v) = s.post("/v1/decisions", &example()).await;
    assert_eq!((status, error_code(&v)), (503, "not_ready"), "never a decision before load");
    assert_eq!(s.get_json("/v1/policies").await.1["ready"], false);

    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(built.join("toyama-2023.wasm"), dir.join("toyama-2023.wasm")).unwrap();
    s.ready().await;
    let (status, v) = s.post("/v1/decisions", &example()).await;
    assert_eq!((status, v["decision"].as_str()), (200, Some("permit")));
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hot_swap_under_load_drops_no_request() {
    let dir = temp_policy_dir("serve-swap", &["gunma-2019", "gunma-2023"]);
    let s = Arc::new(Server::start(config(&dir)).await);
    s.ready().await;
    let file = dir.join("gunma-2023.wasm");
    let old_bytes = std::fs::read(&file).unwrap();
    let old = sha256_hex(&old_bytes);
    let new_bytes = with_custom_section(&old_bytes, "v2");
    let new = sha256_hex(&new_bytes);
    assert_ne!(old, new);
    assert_eq!(served_sha(&s, "gunma-2023").await.as_deref(), Some(old.as_str()));
    let expected = s.post("/v1/decisions", &gunma_request()).await.1;

    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..4)
        .map(|_| {
            let (s, stop, expected) = (s.clone(), stop.clone(), expected.clone());
            tokio::spawn(async move {
                let mut seen = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    let (status, mut v) = s.post("/v1/decisions", &gunma_request()).await;
                    assert_eq!(status, 200, "a request failed during the swap: {v}");
                    let sha = v["policy"]["sha256"].as_str().unwrap_or_default().to_string();
                    v["policy"]["sha256"] = expected["policy"]["sha256"].clone();
                    assert_eq!(v, expected, "same behaviour from either module");
                    seen.push(sha);
                }
                seen
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    // written in place, not renamed: a reload may see a half-written file,
    // which is refused while the old module keeps serving
    std::fs::write(&file, &new_bytes).unwrap();
    s.wait_until("the new module", async |s| served_sha(s, "gunma-2023").await.as_deref() == Some(new.as_str())).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    let mut seen = Vec::new();
    for c in clients {
        seen.extend(c.await.expect("client finished without a failed request"));
    }
    assert!(seen.iter().all(|sha| *sha == old || *sha == new), "an answer named another module");
    assert!(seen.contains(&old) && seen.contains(&new), "answers from both sets ({} requests)", seen.len());
    assert!(rejected_files(&s).await.is_empty(), "the final file loads");
    if let Ok(s) = Arc::try_unwrap(s) {
        s.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_file_changes_nothing_but_the_policy_list() {
    let dir = temp_policy_dir("serve-corrupt", &["toyama-2023"]);
    let s = Server::start(config(&dir)).await;
    s.ready().await;
    let before = s.post("/v1/decisions", &example()).await;
    let policies_before = s.get_json("/v1/policies").await.1["policies"].clone();

    // a corrupt module dropped in
    std::fs::write(dir.join("bogus.wasm"), b"\0asm this is not a component").unwrap();
    s.wait_until("the refusal", async |s| rejected_files(s).await.iter().any(|(f, _)| f.ends_with("bogus.wasm"))).await;
    assert_eq!(s.post("/v1/decisions", &example()).await, before);
    assert_eq!(s.get_json("/v1/policies").await.1["policies"], policies_before);

    // a module that loaded, overwritten with garbage: the last good one keeps serving
    std::fs::write(dir.join("toyama-2023.wasm"), b"garbage").unwrap();
    s.wait_until("the refusal", async |s| rejected_files(s).await.iter().any(|(f, _)| f.ends_with("toyama-2023.wasm"))).await;
    let refusals = rejected_files(&s).await;
    let (_, why) = refusals.iter().find(|(f, _)| f.ends_with("toyama-2023.wasm")).unwrap();
    assert!(why.contains("keeps serving"), "{why}");
    assert_eq!(s.post("/v1/decisions", &example()).await, before);
    let (_, text) = s.get("/metrics").await;
    assert!(text.contains("kitei_rejected_modules 2"), "{text}");

    // removed: the variant is withdrawn
    std::fs::remove_file(dir.join("toyama-2023.wasm")).unwrap();
    s.wait_until("withdrawal", async |s| served_sha(s, "toyama-2023").await.is_none()).await;
    let (status, v) = s.post("/v1/decisions", &example()).await;
    assert_eq!((status, error_code(&v)), (404, "unknown_institution"));
    // nothing serves, every module refused: the matrix says so, naming the file
    let (status, v) = s.get_json("/v1/matrix").await;
    assert_eq!((status, error_code(&v)), (503, "no_policies"), "{v}");
    let message = v["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("every module of") && message.contains("`bogus.wasm`"), "{message}");
    s.stop().await;
}

#[test]
fn reload_reuses_unchanged_modules() {
    let rt = runtime();
    let dir = temp_policy_dir("serve-reuse", &["gunma-2019", "gunma-2023"]);
    let first = Registry::load_dir_reusing(&rt, &dir, &Registry::default()).unwrap();
    let again = Registry::load_dir_reusing(&rt, &dir, &first).unwrap();
    for (a, b) in first.policies().iter().zip(again.policies()) {
        assert!(Arc::ptr_eq(a, b), "{} was recompiled", a.info().variant());
    }
    // a settings change recompiles that institution's modules with it
    std::fs::write(dir.join("gunma.settings.json"), r#"{ "reauth_after_days": 90 }"#).unwrap();
    let configured = Registry::load_dir_reusing(&rt, &dir, &again).unwrap();
    assert!(configured.rejected().is_empty(), "{:?}", configured.rejected());
    let g = configured.variant("gunma-2023").unwrap();
    assert!(!Arc::ptr_eq(g, again.variant("gunma-2023").unwrap()));
    assert_eq!(g.info().settings.reauth_after_days, Some(90));
    // invalid settings: refused, the last good keeps serving
    std::fs::write(dir.join("gunma.settings.json"), r#"{ "reauth_after_dayz": 90 }"#).unwrap();
    let bad = Registry::load_dir_reusing(&rt, &dir, &configured).unwrap();
    assert!(Arc::ptr_eq(bad.variant("gunma-2023").unwrap(), g));
    assert!(bad.rejected().iter().any(|r| r.to_string().contains("reauth_after_dayz")), "{:?}", bad.rejected());
    // and stays refused on the next rescan
    let still = Registry::load_dir_reusing(&rt, &dir, &bad).unwrap();
    assert_eq!(still.rejected().len(), bad.rejected().len());
}
